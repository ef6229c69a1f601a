//! `entente render`: numbers, references, markings, formats, templates, determinism.

use crate::harness::Draft;

fn render(draft: &Draft, edition: &str, format: &str) -> String {
    draft
        .run(&[
            "render",
            "--edition",
            edition,
            "--format",
            format,
            "--out",
            "-",
        ])
        .code(0)
        .stdout
}

#[test]
fn every_numbering_pattern_and_fixed_labels_number_as_written() {
    let draft = Draft::fixture("render/small");
    let md = render(&draft, "full", "md");
    for heading in [
        "### (U) Article I — Definitions",
        "### (U) Article II — Scope",
        // A fixed label does not shift the numbers after it; a withdrawn clause takes none.
        "### (U) Article II bis — Extended scope",
        "### (U) Article III — Duration",
        "### (U) Section A — Crossings",
        "### (U) (a) — Signature",
        "### (U) (b) — Languages",
        "## (U) Annex A — Lists of crossings",
        "### (C) Annex A.2 — Quartermaster rota for the ridge pickets",
        "## (S) Annex B — Maps of the buffer line",
    ] {
        assert!(md.contains(heading), "missing {heading:?} in\n{md}");
    }
    assert!(!md.contains("Former scope") && !md.contains("dropped in the second round"));
}

#[test]
fn references_show_labels_and_name_other_documents() {
    let draft = Draft::fixture("render/small");
    let md = render(&draft, "full", "md");
    assert!(
        md.contains(
            "the crossings listed in [Annex A of the Schedule of Crossings](#schedule-annex-a)"
        ),
        "{md}"
    );
    assert!(
        md.contains("following [Annex B.1 of the Schedule of Crossings](#schedule-annex-b-1)"),
        "{md}"
    );
    assert!(
        md.contains("[the duration clause](#accord-article-iii)"),
        "{md}"
    );
    assert!(
        md.contains("as [Article I](#accord-article-i) provides"),
        "{md}"
    );
    assert!(
        md.contains("the line described in [Schedule of Crossings](#schedule)"),
        "{md}"
    );
    let html = render(&draft, "full", "html");
    assert!(
        html.contains(r##"<a href="#protocol-a">(a) of the Protocol</a>"##),
        "{html}"
    );
    assert!(html.contains(r#"id="protocol-a""#));
}

#[test]
fn a_reference_into_a_withheld_annex_points_at_its_placeholder() {
    let draft = Draft::fixture("render/small");
    let md = render(&draft, "public", "md");
    assert!(
        md.contains("following [Annex B.1 of the Schedule of Crossings](#schedule-annex-b)"),
        "{md}"
    );
}

#[test]
fn restricted_editions_are_marked_and_public_ones_are_not() {
    let draft = Draft::fixture("render/small");
    let restricted = render(&draft, "restricted", "md");
    assert!(
        restricted.starts_with("**SECRET**\n\n# Accord"),
        "{restricted}"
    );
    assert!(restricted.ends_with("\n**SECRET**\n"), "{restricted}");
    assert!(restricted.contains("### (U) Article I — Definitions"));
    assert!(restricted.contains("### (C) Annex A.2 — Quartermaster rota"));
    assert!(restricted.contains("## (S) Annex B — Maps of the buffer line"));
    let html = render(&draft, "restricted", "html");
    assert_eq!(
        html.matches(r#"<div class="banner"#).count(),
        2,
        "banner at top and bottom"
    );
    assert!(
        html.contains(r#"@top-center { content: "SECRET";"#),
        "banner on every printed page"
    );
    let public = render(&draft, "public", "md");
    assert!(
        !public.contains("SECRET") && !public.contains("(U)"),
        "{public}"
    );
    assert!(!render(&draft, "public", "html").contains("banner banner-top"));
}

#[test]
fn the_highest_level_actually_included_is_the_banner() {
    // `full` allows TOP SECRET, but nothing is above SECRET here.
    let draft = Draft::fixture("render/small");
    assert!(render(&draft, "full", "md").starts_with("**SECRET**\n"));
}

#[test]
fn public_edition_gets_placeholders_and_nothing_of_what_they_hide() {
    let draft = Draft::fixture("render/small");
    for format in ["html", "md", "json"] {
        let out = render(&draft, "public", format);
        for secret in [
            "cobalt",
            "Maps of the buffer line",
            "buffer-line",
            "quartermaster",
            "Zulu",
            "ridge pickets",
            "patrol-routes",
        ] {
            assert!(
                !out.to_lowercase().contains(&secret.to_lowercase()),
                "{format} leaks {secret:?}"
            );
        }
        assert_eq!(
            out.matches("Withheld from this edition.").count(),
            2,
            "{format}"
        );
    }
}

#[test]
fn annotations_only_in_annotated_editions() {
    let draft = Draft::fixture("render/small");
    let full = render(&draft, "full", "html");
    assert!(
        full.contains(r#"<span class="badge badge-bracketed">bracketed</span>"#),
        "{full}"
    );
    assert!(
        full.contains(
            r#"<span class="position position-objects">Kingdom of South: objects</span>"#
        )
    );
    assert!(full.contains("<li>South wants the buffer line named here.</li>"));
    let restricted = render(&draft, "restricted", "json");
    for annotation in [
        "bracketed",
        "objects",
        "South wants",
        "\"status\"",
        "\"notes\"",
        "final-clauses",
    ] {
        assert!(
            !restricted.contains(annotation),
            "{annotation} in a non-annotated edition"
        );
    }
}

#[test]
fn a_drafts_own_templates_override_the_built_ins_file_by_file() {
    let draft = Draft::fixture("render/small").file(
        "templates/html/clause.hbs",
        "<div class=\"mine\" id=\"{{anchor}}\">{{label}}: {{title}}{{{html}}}</div>\n",
    );
    let html = render(&draft, "full", "html");
    assert!(
        html.contains("<div class=\"mine\" id=\"accord-article-i\">Article I: Definitions<p>"),
        "{html}"
    );
    // The page around it is still the built-in one.
    assert!(html.contains("<nav class=\"toc\""));
}

#[test]
fn a_broken_template_is_a_located_error() {
    let draft =
        Draft::fixture("render/small").file("templates/md/clause.hbs", "{{#if title}}unclosed\n");
    let run = draft
        .run(&[
            "render",
            "--format",
            "md",
            "--out",
            "-",
            "--edition",
            "public",
        ])
        .code(1);
    assert!(
        run.stderr.contains("template `templates/md/clause.hbs`"),
        "{}",
        run.stderr
    );
}

#[test]
fn rendering_twice_gives_identical_bytes() {
    let draft = Draft::fixture("render/small");
    for format in ["html", "md", "json"] {
        assert_eq!(
            render(&draft, "full", format),
            render(&draft, "full", format)
        );
    }
    draft.run(&["render"]).code(0);
    let first: Vec<Vec<u8>> = ["public", "restricted", "full"]
        .iter()
        .map(|e| std::fs::read(draft.root.join(format!("build/{e}.html"))).unwrap())
        .collect();
    draft.run(&["render"]).code(0);
    let second: Vec<Vec<u8>> = ["public", "restricted", "full"]
        .iter()
        .map(|e| std::fs::read(draft.root.join(format!("build/{e}.html"))).unwrap())
        .collect();
    assert_eq!(first, second);
}

#[cfg(unix)]
#[test]
fn outputs_are_ordinary_readable_files() {
    use std::os::unix::fs::PermissionsExt;
    let draft = Draft::fixture("render/small");
    draft.run(&["render", "--edition", "public"]).code(0);
    let mode = std::fs::metadata(draft.root.join("build/public.html"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o644);
}

#[test]
fn the_version_stamp_names_the_commit_never_the_clock() {
    let mut draft = Draft::fixture("render/small");
    let id = draft.commit("round one", Some("v1"));
    let md = render(&draft, "public", "md");
    assert!(
        md.contains(&format!(
            "rendered from commit {} of 2025-12-22 12:00:00 +0100",
            &id[..12]
        )),
        "{md}"
    );
    draft.write(
        "protocol/languages.md",
        "+++\ntitle = \"Languages\"\n+++\n\nChanged.\n",
    );
    assert!(render(&draft, "public", "md").contains("working tree with uncommitted changes"));
    let md = draft
        .run(&[
            "render",
            "v1",
            "--edition",
            "public",
            "--format",
            "md",
            "--out",
            "-",
        ])
        .code(0)
        .stdout;
    assert!(md.contains("Both texts are equally authentic."));
}

#[test]
fn render_refuses_a_draft_with_errors_and_bad_requests() {
    let draft = Draft::fixture("render/small");
    draft
        .run(&["render", "--edition", "secret", "--out", "-"])
        .code(2);
    draft.run(&["render", "--out", "-"]).code(2);
    let run = draft.run(&["render", "--out", ".git/x"]).code(2);
    assert!(run.stderr.contains("never writes there"), "{}", run.stderr);
    draft.run(&["render", "--out", "."]).code(2);
    draft.write("notes.txt", "a file, not a folder\n");
    for command in ["render", "publish"] {
        let run = draft.run(&[command, "--out", "notes.txt"]).code(2);
        assert!(
            run.stderr.contains("notes.txt` is a file; give a folder"),
            "{}",
            run.stderr
        );
    }
    draft.write("accord/duration.md", "+++\nstatus = \"done\"\n+++\n");
    let run = draft.run(&["render"]).code(1);
    assert!(
        run.stderr.contains("unknown status `done`"),
        "{}",
        run.stderr
    );
    assert!(!draft.root.join("build").exists());
}

#[test]
fn snapshots_of_every_format() {
    let draft = Draft::fixture("render/small");
    insta::assert_snapshot!("small_full_md", render(&draft, "full", "md"));
    insta::assert_snapshot!(
        "small_restricted_html",
        render(&draft, "restricted", "html")
    );
    insta::assert_snapshot!("small_public_json", render(&draft, "public", "json"));
    let sample = Draft::sample("peace-framework");
    insta::assert_snapshot!("sample_public_md", render(&sample, "public", "md"));
}
