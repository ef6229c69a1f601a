//! `entente check`: every broken draft gets located, actionable messages, all at once.

use crate::harness::{Draft, repo_root};

/// Each folder under `tests/fixtures/check/` is a draft with one kind of problem; its
/// diagnostics, exactly as a user sees them, are the snapshot.
#[test]
fn every_fixture_reports_its_problems() {
    insta::glob!(
        repo_root().join("tests/fixtures"),
        "check/*/entente.toml",
        |path| {
            let case = path.parent().unwrap();
            let name = case.file_name().unwrap().to_str().unwrap();
            let draft = Draft::fixture(&format!("check/{name}"));
            let run = draft.run(&["check", "--color", "never"]);
            let expected = if name == "clean" || name == "unlisted-clause" {
                0
            } else {
                1
            };
            let run = run.code(expected);
            insta::assert_snapshot!(run.stderr);
        }
    );
}

#[test]
fn json_lists_every_problem_with_line_and_column() {
    let draft = Draft::fixture("check/many-problems-at-once");
    let run = draft.run(&["check", "--format", "json"]).code(1);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let diagnostics = json["diagnostics"].as_array().unwrap();
    assert_eq!(json["errors"], diagnostics.len());
    let codes: Vec<&str> = diagnostics
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        [
            "yaml-front-matter",
            "unknown-status",
            "unknown-key",
            "dangling-reference",
            "raw-html",
            "raw-html"
        ]
    );
    let status = &diagnostics[1];
    assert_eq!(
        (
            status["file"].as_str(),
            status["line"].as_u64(),
            status["column"].as_u64()
        ),
        (Some("accord/scope.md"), Some(3), Some(10))
    );
}

#[test]
fn check_reads_git_revisions_tags_commits_and_folders() {
    let mut draft = Draft::fixture("check/clean");
    let first = draft.commit("first round", Some("v1"));
    draft.write(
        "accord/scope.md",
        "+++\ntitle = \"Scope\"\nstatus = \"agred\"\n+++\n\nText.\n",
    );
    draft.commit("break it", None);
    // The worktree and HEAD are broken; the earlier revisions are not.
    draft.run(&["check"]).code(1);
    draft.run(&["check", "HEAD"]).code(1);
    for rev in ["HEAD~1", "v1", first.as_str(), &first[..10]] {
        let run = draft.run(&["check", rev]).code(0);
        assert!(
            run.stderr.contains("2 clauses, no problems"),
            "{rev}: {}",
            run.stderr
        );
    }
    let other = Draft::fixture("check/clean");
    draft.run(&["check", other.root.to_str().unwrap()]).code(0);
}

#[test]
fn check_of_an_unknown_revision_is_a_clear_error() {
    let mut draft = Draft::fixture("check/clean");
    draft.commit("first", None);
    let run = draft.run(&["check", "v9"]).code(1);
    assert!(
        run.stderr
            .starts_with("error: unknown revision `v9`: git cannot resolve it"),
        "{}",
        run.stderr
    );
    let loose = Draft::fixture("check/clean");
    let run = loose.run(&["check", "v9"]).code(1);
    assert!(
        run.stderr.contains("not in a git repository"),
        "{}",
        run.stderr
    );
}

#[test]
fn git_revisions_are_read_without_touching_the_worktree() {
    let mut draft = Draft::fixture("check/clean");
    draft.commit("first", Some("v1"));
    draft.write("accord/scope.md", "uncommitted and broken");
    draft.run(&["check", "v1"]).code(0);
    assert_eq!(draft.read("accord/scope.md"), "uncommitted and broken");
}

#[test]
fn a_draft_in_a_subfolder_of_the_repository_is_found_at_each_revision() {
    let mut draft = Draft::empty();
    let fixture = repo_root().join("tests/fixtures/check/clean");
    for name in ["entente.toml", "accord/scope.md", "accord/duration.md"] {
        draft.write(
            &format!("drafts/accord/{name}"),
            &std::fs::read_to_string(fixture.join(name)).unwrap(),
        );
    }
    draft.commit("add the draft", Some("v1"));
    let sub = draft.root.join("drafts/accord/accord");
    let run = draft.run_in(&sub, &["check", "v1"]).code(0);
    assert!(run.stderr.contains("2 clauses"), "{}", run.stderr);
}

#[test]
fn no_draft_here_is_an_error() {
    let draft = Draft::empty();
    let run = draft.run(&["check"]).code(1);
    assert!(
        run.stderr.contains("no `entente.toml` found"),
        "{}",
        run.stderr
    );
}

#[test]
fn bad_command_lines_exit_with_2() {
    let draft = Draft::fixture("check/clean");
    draft.run(&["check", "--format", "yaml"]).code(2);
    draft.run(&["frobnicate"]).code(2);
}

const ONE_CLAUSE: &str = "[agreement]\ntitle = \"Accord\"\nparties = [\"north\"]\n\n\
    [[documents]]\nid = \"accord\"\ntitle = \"Accord\"\nnumbering = \"Article {n}\"\n\
    clauses = [\"scope\"]\n";
const SCOPE: &str = "+++\ntitle = \"Scope\"\n+++\n\nThis Accord covers the border.\n";

#[test]
fn a_draft_in_a_folder_named_like_a_pattern_keeps_its_ignores_and_its_dirtiness() {
    let mut draft = Draft::empty()
        .file("d[1]/entente.toml", ONE_CLAUSE)
        .file("d[1]/scope.md", SCOPE)
        .file("d[1]/.gitignore", "scratch.md\n")
        .file(
            "d[1]/scratch.md",
            "+++\ntitle = \"Scratch\"\n+++\n\nNotes.\n",
        );
    draft.commit("first", None);
    let dir = draft.root.join("d[1]");
    let check = draft.run_in(&dir, &["check"]).code(0);
    assert!(
        !check.stderr.contains("scratch"),
        "ignored: {}",
        check.stderr
    );
    draft.write("d[1]/scope.md", &SCOPE.replace("border", "river"));
    let out = tempfile::tempdir().unwrap();
    let out = out.path().to_str().unwrap();
    let publish = draft.run_in(&dir, &["publish", "--out", out]).code(0);
    assert!(
        publish.stderr.contains("uncommitted changes"),
        "{}",
        publish.stderr
    );
}

/// A draft whose clause `scope` is committed and clauses `u1`..`u{untracked}` are not,
/// beside files git ignores that would each break the draft if read: an untracked file, one
/// named as a tracked file's name begins, and a folder.
fn with_untracked_and_ignored(untracked: usize) -> Draft {
    let ids: Vec<String> = (1..=untracked).map(|k| format!("\"u{k}\"")).collect();
    let manifest = ONE_CLAUSE.replace("[\"scope\"]", &format!("[\"scope\", {}]", ids.join(", ")));
    let broken = "+++\ntitle = \"Scratch\"\n+++\n\n<!-- hidden -->\n";
    let mut draft = Draft::empty()
        .file("entente.toml", &manifest)
        .file("scope.md", SCOPE)
        .file(".gitignore", "scratch.md\nout/\n")
        .file("scratch.md.txt", "kept by git\n");
    draft.commit("first", None);
    for k in 1..=untracked {
        let body = format!("+++\ntitle = \"Point {k}\"\n+++\n\nText of point {k}.\n");
        draft.write(&format!("points/u{k}.md"), &body);
    }
    draft.write("scratch.md", broken);
    draft.write("out/scope.md", broken);
    draft
}

#[test]
fn files_git_ignores_stay_out_of_the_draft_beside_few_or_many_untracked_ones() {
    // Past 256 untracked files and folders, git is no longer asked about each: one pass of
    // its over the worktree names them all.
    for untracked in [3, 300] {
        let draft = with_untracked_and_ignored(untracked);
        let run = draft.run(&["check"]).code(0);
        let clauses = format!("{} clauses, no problems", untracked + 1);
        assert!(run.stderr.contains(&clauses), "{untracked}: {}", run.stderr);
        assert!(!run.stderr.contains("scratch"), "{}", run.stderr);
    }
}

#[test]
fn a_tracked_file_an_ignore_rule_matches_is_still_part_of_the_draft() {
    let mut draft = Draft::empty()
        .file("entente.toml", ONE_CLAUSE)
        .file("scope.md", SCOPE);
    draft.commit("first", None);
    // Git never ignores a tracked file; neither does the worktree.
    draft.write(".gitignore", "scope.md\n");
    draft.commit("ignore it", None);
    draft.run(&["check"]).code(0);
    let diff = draft.run(&["diff", "--format", "json"]).code(0).stdout;
    let report: serde_json::Value = serde_json::from_str(&diff).unwrap();
    assert_eq!(report["summary"]["removed"], 0, "{diff}");
    assert_eq!(report["summary"]["unchanged"], 1, "{diff}");
}
