//! `entente publish` and the leak wall (issue 4): editions a publisher can release, and
//! nothing withheld in them, through any channel.

use std::path::Path;

use crate::harness::{Draft, tree};

fn files_under(dir: &Path) -> Vec<String> {
    tree(dir).into_iter().map(|(path, _)| path).collect()
}

fn read_all(dir: &Path) -> String {
    files_under(dir)
        .iter()
        .map(|f| std::fs::read_to_string(dir.join(f)).unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_sample_publishes_every_edition_split_by_document_and_annex() {
    let draft = Draft::sample("peace-framework");
    draft.run(&["publish", "--out", "out"]).code(0);
    let out = draft.root.join("out");
    let public = files_under(&out.join("public"));
    let formats = |stem: &str| ["html", "json", "md"].map(|e| format!("{stem}.{e}"));
    let mut expected: Vec<String> = [
        "agreement",
        "economic-recovery",
        "framework",
        "security-guarantees",
        "security-guarantees/annex-a",
    ]
    .iter()
    .flat_map(|s| formats(s))
    .collect();
    expected.push("manifest.json".into());
    expected.sort();
    assert_eq!(
        public, expected,
        "the public folder has no file of a withheld annex"
    );
    let restricted = files_under(&out.join("restricted"));
    assert!(restricted.contains(&"security-guarantees/annex-c.html".to_string()));
    // Same numbers in every edition; placeholders keep the labels.
    let public_md = std::fs::read_to_string(out.join("public/agreement.md")).unwrap();
    assert!(
        public_md.contains("## Annex C\n\n*Withheld from this edition.*"),
        "{public_md}"
    );
    let restricted_md = std::fs::read_to_string(out.join("restricted/agreement.md")).unwrap();
    assert!(
        restricted_md
            .contains("## (S) Annex C — Reassurance Contingent Posture and Interceptor Stocks")
    );
    assert!(
        restricted_md.contains("### Annex C.4\n\n*Withheld from this edition.*"),
        "TOP SECRET stays out of `restricted`"
    );
}

#[test]
fn each_manifest_lists_its_own_files_with_hashes_and_levels() {
    let draft = Draft::sample("peace-framework");
    draft.run(&["publish", "--out", "out"]).code(0);
    let dir = draft.root.join("out/restricted");
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["edition"], "restricted");
    assert_eq!(
        manifest["dirty"], false,
        "a folder outside git has no uncommitted changes to speak of"
    );
    let files = manifest["files"].as_array().unwrap();
    let listed: Vec<&str> = files.iter().map(|f| f["path"].as_str().unwrap()).collect();
    let mut on_disk = files_under(&dir);
    on_disk.retain(|f| f != "manifest.json");
    assert_eq!(listed, on_disk);
    for f in files {
        let bytes = std::fs::read(dir.join(f["path"].as_str().unwrap())).unwrap();
        assert_eq!(f["bytes"], bytes.len());
        let sha = f["sha256"].as_str().unwrap();
        let expected: String = <sha2::Sha256 as sha2::Digest>::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(sha, expected);
    }
    let level = |path: &str| {
        files.iter().find(|f| f["path"] == path).unwrap()["classification"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(level("agreement.html"), "SECRET");
    assert_eq!(level("security-guarantees/annex-b.md"), "CONFIDENTIAL");
    assert_eq!(level("economic-recovery.json"), "UNCLASSIFIED");
}

#[test]
fn publishing_uncommitted_changes_warns_and_says_so() {
    let mut draft = Draft::fixture("render/small");
    draft.commit("round one", None);
    // Outside the draft, in a folder of the test's own (beside it would be the shared /tmp).
    let outs = Draft::empty();
    let out = outs.root.join("out");
    let out = out.to_str().unwrap();
    let clean = draft.run(&["publish", "--out", out]).code(0);
    assert!(!clean.stderr.contains("uncommitted"));
    draft.write(
        "protocol/languages.md",
        "+++\ntitle = \"Languages\"\n+++\n\nChanged.\n",
    );
    let run = draft.run(&["publish", "--out", out]).code(0);
    assert!(
        run.stderr
            .contains("warning: publishing uncommitted changes"),
        "{}",
        run.stderr
    );
    let manifest = std::fs::read_to_string(outs.root.join("out/public/manifest.json")).unwrap();
    assert!(manifest.contains("\"dirty\": true"), "{manifest}");
}

#[test]
fn a_leak_stops_publication_and_leaves_out_as_it_was() {
    let draft = Draft::fixture("render/small");
    draft.run(&["publish", "--out", "out"]).code(0);
    let before = read_all(&draft.root.join("out"));
    let listing = files_under(&draft.root.join("out"));
    // A public clause quoting a withheld title, as a careless drafter might.
    draft.write(
        "protocol/languages.md",
        "+++\ntitle = \"Languages\"\n+++\n\nSee the Coordinates of the cobalt buffer.\n",
    );
    let run = draft.run(&["publish", "--out", "out"]).code(1);
    assert!(run.stderr.contains("error: leak: `public/agreement.html` contains the title, id, file name or a note of Annex B.1 (`schedule/buffer-line.md`)"), "{}", run.stderr);
    assert!(run.stderr.contains("nothing was written"));
    assert!(
        !run.stderr.to_lowercase().contains("cobalt"),
        "the leaked text is never printed"
    );
    assert_eq!(files_under(&draft.root.join("out")), listing);
    assert_eq!(read_all(&draft.root.join("out")), before);
    let stray: Vec<_> = std::fs::read_dir(&draft.root)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".entente"))
        .collect();
    assert!(stray.is_empty(), "no staging folder left behind");
    // Into folders that do not exist yet: none of them is left behind either.
    draft.run(&["publish", "--out", "new/deep/out"]).code(1);
    assert!(
        !draft.root.join("new").exists(),
        "no folder made for the output"
    );
    // `render` has the same wall, which reads each file as written beside its place: nothing
    // is moved in, no file is left beside it, and no folder made for it stays.
    draft
        .run(&["render", "--edition", "public", "--out", "-"])
        .code(1);
    let run = draft.run(&["render", "--edition", "public", "--out", "out"]);
    assert!(run.code(1).stderr.contains("error: leak: `public.html`"));
    assert_eq!(files_under(&draft.root.join("out")), listing);
    assert_eq!(read_all(&draft.root.join("out")), before);
    draft
        .run(&["render", "--edition", "public", "--out", "new/deep/out"])
        .code(1);
    assert!(!draft.root.join("new").exists(), "no folder made for it");
}

#[test]
fn eight_words_of_a_withheld_text_are_caught_whatever_their_case_and_spacing() {
    // A template author pastes classified wording into a footer: no included clause has
    // it, so it is a secret wherever it appears, in any case or spacing.
    let draft = Draft::fixture("render/small").file(
        "templates/md/agreement.hbs",
        "# {{agreement.title}}\n\nIt FOLLOWS the forty-second\nparallel   from marker NINE to marker fourteen.\n",
    );
    let run = draft.run(&["publish", "--out", "out"]).code(1);
    assert!(
        run.stderr.contains(
            "`public/agreement.md` contains eight consecutive words of the text of Annex B.1"
        ),
        "{}",
        run.stderr
    );
    assert!(!draft.root.join("out").exists());
}

#[test]
fn check_warns_when_public_text_repeats_withheld_wording() {
    let draft = Draft::fixture("render/small");
    draft.write(
        "schedule/crossings.md",
        "+++\ntitle = \"Crossings\"\n+++\n\nThe crossings close where the cobalt buffer follows the forty-second parallel from marker nine.\n",
    );
    let run = draft.run(&["check", "--color", "never"]).code(0);
    assert!(run.stderr.contains("schedule/crossings.md:5:27: warning: repeats eight or more consecutive words of `buffer-line`, which edition `public` withholds"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("hint: the wording may have been pasted from classified text")
    );
}

#[test]
fn a_run_shared_by_withheld_clauses_warns_for_the_most_classified_of_them() {
    // The same sentence at three levels: the SECRET clause is in `restricted`, which
    // withholds the TOP SECRET one; the CONFIDENTIAL one is listed first.
    let sentence = "The relay station above the northern pass keeps four days of reserve power.";
    let clause = |level: &str| format!("+++\nclassification = \"{level}\"\n+++\n\n{sentence}\n");
    let draft = Draft::empty()
        .file(
            "entente.toml",
            "[agreement]\ntitle = \"Relay\"\nparties = [\"a\"]\n\n[parties.a]\nname = \"A\"\n\n\
             [editions.public]\nmax = \"UNCLASSIFIED\"\n\n[editions.restricted]\nmax = \"SECRET\"\n\n\
             [editions.full]\nmax = \"TOP SECRET\"\n\n[[documents]]\nid = \"doc\"\ntitle = \"Doc\"\n\
             clauses = [\"first\", \"second\", \"third\"]\n",
        )
        .file("first.md", &clause("CONFIDENTIAL"))
        .file("second.md", &clause("TOP SECRET"))
        .file("third.md", &clause("SECRET"));
    let run = draft.run(&["check", "--color", "never"]).code(0);
    for file in ["first.md", "third.md"] {
        let warning = format!(
            "{file}:5:1: warning: repeats eight or more consecutive words of `second`, which edition `restricted` withholds"
        );
        assert!(run.stderr.contains(&warning), "{}", run.stderr);
    }
    assert!(!run.stderr.contains("second.md:5"), "{}", run.stderr);
}

const TOKENS: [&str; 17] = [
    "canaryclauseid",
    "canaryclausetitle",
    "canaryclausenote",
    "canaryclausetag",
    "canaryclausebody",
    "canaryannexid",
    "canaryannextitle",
    "canarysecretid",
    "canarysecrettitle",
    "canarysecretnote",
    "canarysecrettag",
    "canarysecretbody",
    "canaryquote",
    "canaryxreftext",
    "canaryalt",
    "canaryfootnote",
    "canaryrefhost",
];

#[test]
fn each_edition_is_published_as_render_renders_it_alone() {
    // `publish` renders clause bodies once and shares them between editions; a reference
    // into an annex the public edition withholds must still link as that edition alone does.
    let draft = Draft::fixture("publish/withheld-annex");
    draft.run(&["publish", "--out", "out"]).code(0);
    let out = draft.root.join("out");
    let consolidated = |edition: &str, ext: &str| {
        std::fs::read_to_string(out.join(edition).join(format!("agreement.{ext}"))).unwrap()
    };
    let public = consolidated("public", "md");
    assert!(
        public.contains("pilots board as [Annex A.2](#accord-annex-a) provides"),
        "{public}"
    );
    let full = consolidated("full", "md");
    assert!(
        full.contains("pilots board as [Annex A.2](#accord-annex-a-2) provides"),
        "{full}"
    );
    for edition in ["public", "full"] {
        for ext in ["html", "md", "json"] {
            let args = [
                "render",
                "--edition",
                edition,
                "--format",
                ext,
                "--out",
                "-",
            ];
            let rendered = draft.run(&args).code(0).stdout;
            assert_eq!(consolidated(edition, ext), rendered, "{edition}, {ext}");
        }
    }
}

#[test]
fn no_channel_carries_withheld_material_into_public_editions() {
    let draft = Draft::fixture("publish/canary");
    let run = draft.run(&["publish", "--out", "out"]).code(0);
    for edition in ["public", "public-annotated"] {
        let all = read_all(&draft.root.join("out").join(edition)).to_lowercase();
        let names = files_under(&draft.root.join("out").join(edition))
            .join(" ")
            .to_lowercase();
        assert!(
            !all.contains("canary") && !names.contains("canary"),
            "{edition}: {}",
            all.lines()
                .filter(|l| l.contains("canary"))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    assert!(
        !run.stdout.to_lowercase().contains("canary")
            && !run.stderr.to_lowercase().contains("canary")
    );
    for format in ["html", "md", "json"] {
        let out = draft
            .run(&[
                "render",
                "--edition",
                "public-annotated",
                "--format",
                format,
                "--out",
                "-",
            ])
            .code(0);
        assert!(!out.stdout.to_lowercase().contains("canary"), "{format}");
    }
    // The restricted edition has them all (the alt text and the link's target inside the
    // body), marked.
    let restricted = read_all(&draft.root.join("out/restricted")).to_lowercase();
    for token in TOKENS {
        assert!(restricted.contains(token), "restricted lacks {token}");
    }
    let md = std::fs::read_to_string(draft.root.join("out/restricted/agreement.md")).unwrap();
    assert!(md.starts_with("**SECRET**"), "{md}");
    assert!(
        md.contains("mark = (S)"),
        "the custom template sees the portion mark"
    );
}

#[test]
fn publishing_again_keeps_unchanged_files_and_rewrites_the_rest() {
    use std::os::unix::fs::MetadataExt;
    let draft = Draft::fixture("render/small");
    draft.run(&["publish", "--out", "out"]).code(0);
    let out = draft.root.join("out");
    let inode = |path: &str| std::fs::metadata(out.join(path)).unwrap().ino();
    let (accord, protocol) = (inode("full/accord.md"), inode("full/protocol.md"));
    // A file changed in `--out` after publishing, to the same length.
    let tampered = out.join("public/accord.html");
    let text = std::fs::read_to_string(&tampered).unwrap();
    std::fs::write(&tampered, text.replacen("<p>", "<q>", 1)).unwrap();
    // A published file that is also linked from elsewhere.
    let elsewhere = draft.root.join("copy.md");
    std::fs::hard_link(out.join("public/accord.md"), &elsewhere).unwrap();
    // A symbolic link where a file was, to the same bytes outside `--out`.
    let outside = draft.root.join("outside.md");
    std::fs::rename(out.join("restricted/accord.md"), &outside).unwrap();
    std::os::unix::fs::symlink(&outside, out.join("restricted/accord.md")).unwrap();
    draft.write(
        "protocol/languages.md",
        "+++\ntitle = \"Languages\"\nstatus = \"agreed\"\n+++\n\nThe texts are equally authentic.\n",
    );
    draft.run(&["publish", "--out", "out"]).code(0);
    // Unchanged: the very file published before, not a copy of it.
    assert_eq!(inode("full/accord.md"), accord);
    assert_ne!(
        inode("full/protocol.md"),
        protocol,
        "the changed document is rewritten"
    );
    // Everything is as a publication into a new folder has it, the tampered file too.
    draft.run(&["publish", "--out", "fresh"]).code(0);
    assert_eq!(tree(&out), tree(&draft.root.join("fresh")));
    assert!(read_all(&out).contains("The texts are equally authentic."));
    // The file shared with `copy.md` was written anew: changing `copy.md` changes no output.
    assert_ne!(
        inode("public/accord.md"),
        std::fs::metadata(&elsewhere).unwrap().ino()
    );
    let link = std::fs::symlink_metadata(out.join("restricted/accord.md")).unwrap();
    assert!(
        link.is_file(),
        "a link in `--out` is replaced, not followed"
    );
    assert_ne!(link.ino(), std::fs::metadata(&outside).unwrap().ino());
}
