//! `entente init`: a new draft that passes `check`, and never over an existing one.

use crate::harness::Draft;

#[test]
fn init_creates_a_draft_that_passes_check() {
    let draft = Draft::empty();
    draft
        .run(&["init", "treaty", "--title", "Treaty of \"Test\""])
        .code(0);
    let root = draft.root.join("treaty");
    assert!(root.join(".gitignore").is_file());
    assert!(
        draft
            .read("treaty/entente.toml")
            .contains("title = \"Treaty of \\\"Test\\\"\"")
    );
    let run = draft.run_in(&root, &["check"]).code(0);
    assert_eq!(
        run.stderr,
        "Treaty of \"Test\": 1 document, 1 clause, no problems\n"
    );
}

#[test]
fn init_refuses_to_overwrite_a_manifest() {
    let draft = Draft::empty().file("entente.toml", "# mine\n");
    let run = draft.run(&["init"]).code(1);
    assert!(run.stderr.contains("already exists"), "{}", run.stderr);
    assert_eq!(draft.read("entente.toml"), "# mine\n");
    assert!(!draft.root.join("agreement").exists());
}
