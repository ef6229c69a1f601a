//! `entente new`: a clause file, placed in the manifest, comments and layout kept.

use crate::harness::Draft;

const MANIFEST: &str = r#"# Our working draft. Keep this comment.
[agreement]
title = "Accord"
parties = ["north", "south"]

[[documents]]
id = "accord"
title = "Accord"
clauses = [
  "scope",     # the first article
  "duration",
]

[[documents.annexes]]
id = "maps"
title = "Maps"
clauses = ["line"]
"#;

fn draft() -> Draft {
    let clause = |t: &str| format!("+++\ntitle = \"{t}\"\n+++\n\nText.\n");
    Draft::empty()
        .file("entente.toml", MANIFEST)
        .file("text/scope.md", &clause("Scope"))
        .file("text/duration.md", &clause("Duration"))
        .file("maps/line.md", &clause("Line"))
}

#[test]
fn new_places_the_clause_after_the_one_named_and_keeps_comments() {
    let draft = draft();
    draft
        .run(&[
            "new",
            "definitions",
            "--document",
            "accord",
            "--after",
            "scope",
        ])
        .code(0);
    assert_eq!(
        draft.read("entente.toml"),
        MANIFEST.replace(
            "  \"scope\",     # the first article\n",
            "  \"scope\",     # the first article\n  \"definitions\",\n"
        )
    );
    // Beside its neighbours, with a title made from the id.
    assert!(
        draft
            .read("text/definitions.md")
            .starts_with("+++\ntitle = \"Definitions\"\nstatus = \"draft\"\n+++\n")
    );
    draft.run(&["check"]).code(0);
}

#[test]
fn new_appends_to_an_annex() {
    let draft = draft();
    draft
        .run(&[
            "new",
            "buffer-zone",
            "--document",
            "accord",
            "--annex",
            "maps",
        ])
        .code(0);
    assert!(
        draft
            .read("entente.toml")
            .contains("clauses = [\"line\", \"buffer-zone\"]")
    );
    assert!(draft.root.join("maps/buffer-zone.md").is_file());
    draft.run(&["check"]).code(0);
}

#[test]
fn new_refuses_what_would_break_the_draft() {
    let draft = draft();
    let before = draft.read("entente.toml");
    let run = draft.run(&["new", "scope", "--document", "accord"]).code(1);
    assert!(
        run.stderr.contains("id `scope` is already used"),
        "{}",
        run.stderr
    );
    let run = draft.run(&["new", "extra", "--document", "acord"]).code(1);
    assert!(
        run.stderr
            .contains("no document `acord` in the manifest; did you mean `accord`?"),
        "{}",
        run.stderr
    );
    let run = draft
        .run(&["new", "extra", "--document", "accord", "--after", "scoep"])
        .code(1);
    assert!(
        run.stderr.contains("did you mean `scope`?"),
        "{}",
        run.stderr
    );
    let run = draft
        .run(&["new", "Bad Id", "--document", "accord"])
        .code(2);
    assert!(run.stderr.contains("try `bad-id`"), "{}", run.stderr);
    assert_eq!(draft.read("entente.toml"), before);
    assert!(!draft.root.join("text/extra.md").exists());
}
