//! Hardening (issue 9): adversarial input gets a located error or correct output, never a
//! panic, a hang or a silent loss; output is reproducible and written safely.

use proptest::prelude::*;
use serde_json::Value;

use crate::harness::{Draft, Gone, tree};

const MANIFEST: &str = "[agreement]\ntitle = \"T\"\nparties = [\"north\"]\n\n[[documents]]\nid = \"accord\"\ntitle = \"Accord\"\nclauses = [\"scope\"]\n";

fn codes(run: &crate::harness::Run) -> Vec<String> {
    let json: Value = serde_json::from_str(&run.stdout).unwrap();
    json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect()
}

fn check_codes(draft: &Draft) -> (i32, Vec<String>) {
    let run = draft.run(&["check", "--format", "json"]);
    (run.code, codes(&run))
}

fn draft_with(scope: &[u8]) -> Draft {
    let draft = Draft::empty().file("entente.toml", MANIFEST);
    std::fs::create_dir_all(draft.root.join("accord")).unwrap();
    std::fs::write(draft.root.join("accord/scope.md"), scope).unwrap();
    draft
}

#[test]
fn malformed_input_gets_located_errors() {
    let cases: [(&[u8], &str); 8] = [
        (b"+++\ntitle = \"A\"\ntitle = \"B\"\n+++\n\nText.\n", "toml-syntax"),
        (b"+++\ntitle = [\"unclosed\"\n+++\n\nText.\n", "toml-syntax"),
        (b"+++\ntitle = \"A\"\n+++\n\nText with a NUL \x00 byte.\n", "control-character"),
        (b"+++\ntitle = \"A\"\n+++\n\nBad byte \xff here.\n", "not-utf8"),
        (b"+++\nid = \"sco\xe2\x80\x8bpe\"\n+++\n\nText.\n", "invalid-id"),
        (b"+++\nid = \"s\xd1\x81ope\"\n+++\n\nText.\n", "invalid-id"),
        (b"version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n", "lfs-pointer"),
        (b"+++\ntitle = \"A\"\nstatus = 7\n+++\n\nText.\n", "wrong-type"),
    ];
    for (text, code) in cases {
        let (exit, found) = check_codes(&draft_with(text));
        assert_eq!(exit, 1, "{code}");
        assert!(found.iter().any(|c| c == code), "{code} not in {found:?}");
    }
}

#[test]
fn a_truncated_manifest_is_a_located_error() {
    let draft =
        draft_with(b"+++\ntitle = \"A\"\n+++\n\nText.\n").file("entente.toml", &MANIFEST[..60]);
    let run = draft.run(&["check", "--color", "never"]).code(1);
    assert!(run.stderr.contains("entente.toml:6:"), "{}", run.stderr);
}

#[test]
fn byte_order_marks_and_mixed_line_endings_are_accepted() {
    let draft = draft_with(b"\xef\xbb\xbf+++\r\ntitle = \"A\"\n+++\r\n\r\nText.\r\nMore.\n")
        .file("entente.toml", &format!("\u{feff}{MANIFEST}"));
    assert_eq!(check_codes(&draft), (0, vec![]));
}

#[test]
fn ids_differing_only_in_case_or_by_homoglyphs_are_refused() {
    let draft = Draft::empty()
        .file(
            "entente.toml",
            &MANIFEST.replace("[\"scope\"]", "[\"scope\", \"Scope\"]"),
        )
        .file("accord/scope.md", "+++\ntitle = \"A\"\n+++\n\nText.\n")
        .file("accord/Scope.md", "+++\ntitle = \"B\"\n+++\n\nText.\n");
    let run = draft.run(&["check", "--color", "never"]).code(1);
    assert!(
        run.stderr
            .contains("file name `Scope` is not a valid clause id"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("try `scope`"), "{}", run.stderr);
}

#[test]
fn very_large_very_deep_and_very_long_text_is_handled() {
    let mut body = String::from("+++\ntitle = \"Scope\"\n+++\n\n");
    body.push_str(&">".repeat(50_000));
    body.push_str(" deep\n\n");
    for i in 0..2_000 {
        body.push_str(&"  ".repeat(i));
        body.push_str("- item\n");
    }
    body.push('\n');
    body.push_str(&"word ".repeat(400_000));
    body.push('\n');
    let draft = draft_with(body.as_bytes());
    draft.run(&["check"]).code(0);
    let html = draft
        .run(&["render", "--edition", "full", "--out", "-"])
        .code(0)
        .stdout;
    assert!(html.contains("deep") && html.matches("word").count() >= 400_000);
}

#[test]
fn a_hundred_megabyte_clause_is_checked() {
    let mut body = String::with_capacity(100 << 20);
    body.push_str("+++\ntitle = \"Scope\"\n+++\n\n");
    let paragraph =
        "The Parties shall cooperate in good faith on every matter this clause covers.\n\n";
    while body.len() < 100 << 20 {
        body.push_str(paragraph);
    }
    let draft = draft_with(body.as_bytes());
    let run = draft.run(&["check"]).code(0);
    assert!(
        run.stderr.contains("1 clause, no problems"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_hundred_thousand_clauses_are_checked() {
    let draft = Draft::empty();
    let ids: Vec<String> = (0..100_000).map(|i| format!("c{i}")).collect();
    let list: Vec<String> = ids.iter().map(|id| format!("\"{id}\"")).collect();
    draft.write(
        "entente.toml",
        &MANIFEST.replace("[\"scope\"]", &format!("[{}]", list.join(", "))),
    );
    for (k, id) in ids.iter().enumerate() {
        let dir = draft.root.join(format!("d{}", k / 1000));
        if k % 1000 == 0 {
            std::fs::create_dir_all(&dir).unwrap();
        }
        std::fs::write(
            dir.join(format!("{id}.md")),
            format!("+++\ntitle = \"Clause {k}\"\n+++\n\nText of clause {k}.\n"),
        )
        .unwrap();
    }
    let run = draft.run(&["check"]).code(0);
    assert!(
        run.stderr.contains("100000 clauses, no problems"),
        "{}",
        run.stderr
    );
}

#[cfg(unix)]
#[test]
fn symbolic_links_never_lead_out_of_the_draft_or_out() {
    let outside = Draft::empty().file(
        "secret.md",
        "+++\ntitle = \"Outside\"\n+++\n\nNot part of the draft.\n",
    );
    let draft = Draft::empty().file("entente.toml", MANIFEST);
    std::fs::create_dir_all(draft.root.join("accord")).unwrap();
    std::os::unix::fs::symlink(
        outside.root.join("secret.md"),
        draft.root.join("accord/scope.md"),
    )
    .unwrap();
    let run = draft.run(&["check", "--format", "json"]).code(1);
    assert!(codes(&run).contains(&"outside-root".to_string()));
    assert!(!run.stdout.contains("Not part of the draft"));

    // A template that is a link out of the draft is refused, not read.
    let draft = Draft::fixture("render/small");
    std::fs::create_dir_all(draft.root.join("templates/html")).unwrap();
    std::os::unix::fs::symlink(
        outside.root.join("secret.md"),
        draft.root.join("templates/html/clause.hbs"),
    )
    .unwrap();
    let run = draft
        .run(&["render", "--edition", "public", "--out", "-"])
        .code(1);
    assert!(
        run.stderr.contains("a link out of the draft"),
        "{}",
        run.stderr
    );
    assert!(!run.stdout.contains("Not part of the draft"));

    // `--out` that is a link is refused; nothing is written where it points.
    let draft = Draft::fixture("render/small");
    let elsewhere = Draft::empty();
    std::os::unix::fs::symlink(&elsewhere.root, draft.root.join("out")).unwrap();
    let run = draft.run(&["publish", "--out", "out"]).code(2);
    assert!(run.stderr.contains("is a symbolic link"), "{}", run.stderr);
    assert_eq!(std::fs::read_dir(&elsewhere.root).unwrap().count(), 0);
}

#[test]
fn templates_that_recurse_are_refused_before_rendering() {
    let draft = Draft::fixture("render/small")
        .file("templates/html/clause.hbs", "{{> ping}}")
        .file("templates/html/ping.hbs", "a{{> pong}}")
        .file("templates/html/pong.hbs", "b{{> ping}}");
    let run = draft
        .run(&["render", "--edition", "public", "--out", "-"])
        .code(1);
    assert!(
        run.stderr
            .contains("partials include each other in a loop (ping → pong → ping)"),
        "{}",
        run.stderr
    );
    let draft = Draft::fixture("render/small").file(
        "templates/md/clause.hbs",
        "{{#*inline \"row\"}}{{> row}}{{/inline}}{{> row}}",
    );
    draft
        .run(&[
            "render",
            "--format",
            "md",
            "--edition",
            "public",
            "--out",
            "-",
        ])
        .code(1);
    let draft =
        Draft::fixture("render/small").file("templates/md/clause.hbs", "{{> (lookup this \"x\")}}");
    let run = draft
        .run(&[
            "render",
            "--format",
            "md",
            "--edition",
            "public",
            "--out",
            "-",
        ])
        .code(1);
    assert!(
        run.stderr.contains("cannot be checked for recursion"),
        "{}",
        run.stderr
    );
    // An inline partial used twice is fine.
    let draft = Draft::fixture("render/small").file(
        "templates/md/clause.hbs",
        "{{#*inline \"row\"}}[{{label}}]{{/inline}}{{> row}}{{> row}}\n",
    );
    let md = draft
        .run(&[
            "render",
            "--format",
            "md",
            "--edition",
            "public",
            "--out",
            "-",
        ])
        .code(0)
        .stdout;
    assert!(md.contains("[Article I][Article I]"), "{md}");
}

#[test]
fn odd_repositories_get_clear_answers() {
    // An empty repository: the worktree checks; HEAD does not exist yet.
    let draft = Draft::fixture("check/clean");
    git2::Repository::init(&draft.root).unwrap();
    draft.run(&["check"]).code(0);
    let run = draft.run(&["check", "HEAD"]).code(1);
    assert!(
        run.stderr.contains("unknown revision `HEAD`"),
        "{}",
        run.stderr
    );
    let run = draft.run(&["diff"]).code(1);
    assert!(
        run.stderr.contains("unknown revision `HEAD`"),
        "{}",
        run.stderr
    );

    // A detached HEAD.
    let mut draft = Draft::fixture("check/clean");
    let first = draft.commit("one", None);
    draft.commit("two", None);
    let repo = git2::Repository::open(&draft.root).unwrap();
    repo.set_head_detached(git2::Oid::from_str(&first).unwrap())
        .unwrap();
    draft.run(&["check", "HEAD"]).code(0);
    draft.run(&["diff", "HEAD", "HEAD"]).code(0);

    // A submodule (a commit entry in the tree) is not a file of the draft.
    let repo = git2::Repository::open(&draft.root).unwrap();
    let head = repo.head().unwrap().peel_to_commit().unwrap();
    let mut builder = repo.treebuilder(Some(&head.tree().unwrap())).unwrap();
    builder.insert("vendored", head.id(), 0o160000).unwrap();
    let tree = repo.find_tree(builder.write().unwrap()).unwrap();
    let sig = git2::Signature::new(
        "Drafter",
        "drafter@example.org",
        &git2::Time::new(1_766_500_000, 0),
    )
    .unwrap();
    let with_sub = repo
        .commit(None, &sig, &sig, "submodule", &tree, &[&head])
        .unwrap();
    draft.run(&["check", &with_sub.to_string()]).code(0);
}

#[test]
fn a_shallow_clone_says_what_is_missing() {
    let mut draft = Draft::fixture("check/clean");
    let first = draft.commit("one", None);
    draft.commit("two", None);
    let target = Draft::empty();
    let clone = target.root.join("clone");
    let url = format!("file://{}", draft.root.display());
    let status = std::process::Command::new("git")
        .args(["clone", "-q", "--depth", "1", &url])
        .arg(&clone)
        .status();
    let Ok(status) = status else { return }; // no git binary here: nothing to test against
    assert!(status.success());
    let run = target.run_in(&clone, &["check", &first]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("this clone is shallow"),
        "{}",
        run.stderr
    );
}

#[test]
fn the_same_input_gives_the_same_bytes_in_any_zone_locale_or_listing_order() {
    let mut draft = Draft::sample("peace-framework");
    draft.commit("round", Some("v1"));
    // Both outputs in a folder of the test's own: beside the draft would be the shared /tmp.
    let outs = Draft::empty();
    let a = outs.root.join("a");
    let b = outs.root.join("b");
    draft
        .run_env(
            &draft.root,
            &[("TZ", "UTC"), ("LC_ALL", "C"), ("LANG", "C")],
            &["publish", "v1", "--out", a.to_str().unwrap()],
        )
        .code(0);
    draft
        .run_env(
            &draft.root,
            &[
                ("TZ", "Pacific/Kiritimati"),
                ("LC_ALL", "de_DE.UTF-8"),
                ("LANG", "tr_TR.UTF-8"),
            ],
            &["publish", "v1", "--out", b.to_str().unwrap()],
        )
        .code(0);
    assert_eq!(tree(&a), tree(&b));
    // The same files written in another order, and so listed in another order.
    let reversed = Draft::empty();
    let mut files = tree(&draft.root);
    files.retain(|(p, _)| !p.starts_with(".git") && !p.starts_with("build"));
    files.reverse();
    for (path, bytes) in &files {
        let target = reversed.root.join(path);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(target, bytes).unwrap();
    }
    let run = |d: &Draft| {
        d.run(&[
            "render",
            "--edition",
            "restricted",
            "--format",
            "json",
            "--out",
            "-",
        ])
        .code(0)
        .stdout
        .replace("WORKTREE", "")
    };
    let original = Draft::sample("peace-framework");
    assert_eq!(run(&original), run(&reversed));
}

#[test]
fn nothing_is_written_into_git_or_left_behind() {
    let mut draft = Draft::fixture("render/small");
    draft.commit("one", None);
    let git_before = tree(&draft.root.join(".git"));
    draft.run(&["publish"]).code(0);
    draft.run(&["render", "--format", "md"]).code(0);
    draft.run(&["diff", "HEAD", "--format", "html"]).code(0);
    draft.run(&["status"]).code(0);
    assert_eq!(tree(&draft.root.join(".git")), git_before);
    let stray: Vec<String> = tree(&draft.root)
        .into_iter()
        .map(|(p, _)| p)
        .filter(|p| p.contains(".entente-") && !p.ends_with(".entente-output"))
        .collect();
    assert!(stray.is_empty(), "{stray:?}");
}

#[test]
fn draft_text_cannot_rewrite_the_terminal() {
    let draft = draft_with(
        b"+++\ntitle = \"Scope \x1b[2J\x1b[31mred\"\n+++\n\nText \xe2\x80\xae reversed.\n",
    );
    let run = draft.run(&["check", "--color", "never"]).code(1);
    assert!(
        !run.stderr.contains('\u{1b}') && !run.stderr.contains('\u{202e}'),
        "{:?}",
        run.stderr
    );
    assert!(run.stderr.contains("\\u{001B}[2J"), "{}", run.stderr);
    assert!(run.stderr.contains("\\u{202E}"), "{}", run.stderr);
}

proptest! {
    // Fixed seed: a red run in CI can be replayed exactly.
    #![proptest_config(ProptestConfig {
        cases: 256,
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x0e17_e17e),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn loading_and_checking_arbitrary_bytes_never_panics(
        manifest_noise in prop::collection::vec(any::<u8>(), 0..40),
        at in 0usize..200,
        clause in prop::collection::vec(any::<u8>(), 0..600),
        fence in prop::bool::ANY,
    ) {
        let mut manifest = MANIFEST.as_bytes().to_vec();
        let at = at.min(manifest.len());
        manifest.splice(at..at, manifest_noise);
        let mut body = if fence { b"+++\ntitle = \"A\"\n+++\n".to_vec() } else { Vec::new() };
        body.extend(clause);
        let source = entente::source::MemorySource::new("WORKTREE", [("entente.toml".to_string(), manifest), ("accord/scope.md".to_string(), body)]);
        if let Ok(loaded) = entente::load::load(&source) {
            let diagnostics = entente::check::run(&loaded);
            let _ = entente::diagnostic::render(&diagnostics, &loaded.files, entente::diagnostic::Style { color: true });
            if !entente::check::has_errors(&diagnostics) {
                let numbers = entente::numbering::assign(&loaded.agreement);
                let renderer = entente::render::Renderer::new(&source).unwrap();
                for edition in &loaded.agreement.editions {
                    let projection = entente::edition::project(&loaded.agreement, &numbers, edition);
                    let view = entente::render::view_of(&projection, &numbers, &loaded.agreement.scheme, &loaded.revision);
                    for format in entente::render::Format::ALL {
                        prop_assert!(renderer.render(&view, format).is_ok());
                    }
                }
            }
        }
    }
}

#[test]
fn a_reader_that_stops_early_ends_the_command_quietly() {
    let mut draft = Draft::sample("peace-framework");
    draft.commit("round 1", Some("r1"));
    let commands: [&[&str]; 6] = [
        &[
            "render",
            "--edition",
            "full",
            "--format",
            "json",
            "--out",
            "-",
        ],
        &["check", "--format", "json"],
        &["status", "--format", "json"],
        &["status", "--history", "--format", "json"],
        &["diff", "r1", "WORKTREE", "--format", "json"],
        &["log", "sovereignty", "--json"],
    ];
    for args in commands {
        let run = draft.run_unread(args, Gone::Stdout);
        assert_eq!((run.code, run.stderr.as_str()), (0, ""), "{args:?}");
    }
    // Messages go to stderr: `entente check 2>&1 | head` still ends with check's verdict.
    let run = draft.run_unread(&["publish"], Gone::Stderr);
    assert_eq!(run.code, 0);
    draft.write("framework/sovereignty.md", "+++\ntitle = \n+++\nText.\n");
    let run = draft.run_unread(&["check"], Gone::Stderr);
    assert_eq!(run.code, 1);
    let run = draft.run_unread(&["render", "--edition", "nonesuch"], Gone::Stderr);
    assert_eq!(run.code, 1);
}
