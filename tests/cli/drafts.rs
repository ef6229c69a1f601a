//! The sample agreements under `drafts/` are what a newcomer runs first: they must pass.

use crate::harness::Draft;

#[test]
fn the_sample_agreements_pass_check() {
    for name in ["peace-framework", "peace-framework-v1"] {
        let draft = Draft::sample(name);
        let run = draft.run(&["check"]).code(0);
        assert!(run.stderr.contains("no problems"), "{name}: {}", run.stderr);
    }
}
