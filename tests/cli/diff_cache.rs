//! `entente diff` between git revisions seen before: served from `.entente/cache/`, and
//! exactly what a diff computed afresh says.

use std::path::Path;

use crate::diff::history;
use crate::harness::Draft;

const OFF: &[(&str, &str)] = &[("TZ", "UTC"), ("ENTENTE_CACHE", "off")];

fn entries(root: &Path) -> usize {
    let dir = root.join(".entente/cache");
    let names = std::fs::read_dir(dir).map(|d| d.flatten().map(|e| e.file_name()).collect());
    let names: Vec<_> = names.unwrap_or_default();
    names
        .iter()
        .filter(|n| n.to_string_lossy().ends_with(".bin"))
        .count()
}

fn diff(draft: &Draft, env: &[(&str, &str)], args: &[&str]) -> String {
    let mut all = vec!["diff", "v1", "v2"];
    all.extend(args);
    draft.run_env(&draft.root, env, &all).code(0).stdout
}

#[test]
fn a_cached_diff_says_what_a_fresh_one_says() {
    let draft = history();
    let cases: [&[&str]; 6] = [
        &["--format", "json"],
        &["--format", "md"],
        &["--format", "html"],
        &["--format", "html", "--changed-only"],
        &["--format", "term"],
        &["--edition", "public", "--format", "json"],
    ];
    for args in cases {
        let fresh = diff(&draft, OFF, args);
        let first = diff(&draft, &[("TZ", "UTC")], args);
        let cached = diff(&draft, &[("TZ", "UTC")], args);
        assert_eq!(first, fresh, "{args:?}, filling the cache");
        assert_eq!(cached, fresh, "{args:?}, from the cache");
    }
    assert_eq!(entries(&draft.root), 4, "v1 and v2, everything and public");
}

#[test]
fn an_edition_served_from_the_cache_still_withholds() {
    let mut draft = history();
    let manifest = draft
        .read("entente.toml")
        .replace("\"fisheries\"]", "\"fisheries\", \"channel\"]");
    draft.write("entente.toml", &manifest);
    let secret = |when: &str| {
        format!(
            "+++\ntitle = \"Channel\"\nclassification = \"CONFIDENTIAL\"\n+++\n\nThe channel opens at {when}.\n"
        )
    };
    draft.write("text/channel.md", &secret("dawn"));
    draft.commit("a secret", Some("v3"));
    draft.write("text/channel.md", &secret("dusk"));
    draft.commit("the secret changes", Some("v4"));
    // Everything first, so the cache holds the CONFIDENTIAL clause in both revisions.
    let all = draft.run(&["diff", "v3", "v4"]).code(0).stdout;
    assert!(all.contains("dusk"), "{all}");
    for _ in 0..2 {
        let public = draft.run(&[
            "diff",
            "v3",
            "v4",
            "--edition",
            "public",
            "--format",
            "json",
        ]);
        let public = public.code(0).stdout;
        for word in ["channel", "Channel", "dawn", "dusk"] {
            assert!(!public.contains(word), "{word}: {public}");
        }
    }
    assert_eq!(entries(&draft.root), 4);
}

#[test]
fn the_cache_stays_out_of_commits_and_out_of_the_draft() {
    let draft = history();
    diff(&draft, &[("TZ", "UTC")], &[]);
    assert_eq!(entries(&draft.root), 2);
    let repo = git2::Repository::open(&draft.root).unwrap();
    let mut options = git2::StatusOptions::new();
    options.include_untracked(true).include_ignored(false);
    let statuses = repo.statuses(Some(&mut options)).unwrap();
    let paths: Vec<_> = statuses
        .iter()
        .map(|s| s.path().unwrap().to_string())
        .collect();
    assert!(paths.is_empty(), "git sees new files: {paths:?}");
    let check = draft.run(&["check"]).code(0);
    assert!(!check.stderr.contains("warning"), "{}", check.stderr);
}

#[test]
fn nothing_is_kept_when_the_cache_is_off() {
    let draft = history();
    diff(&draft, OFF, &[]);
    assert!(!draft.root.join(".entente").exists());
}

#[test]
fn a_draft_with_warnings_is_not_kept_and_warns_every_time() {
    let mut draft = history();
    // Listed in no document: a warning in both revisions.
    draft.write(
        "text/stray.md",
        "+++\ntitle = \"Stray\"\n+++\n\nNot listed.\n",
    );
    draft.commit("stray", Some("v3"));
    for _ in 0..2 {
        let run = draft.run(&["diff", "v2", "v3"]).code(0);
        assert!(
            run.stderr.contains("not listed in any document"),
            "{}",
            run.stderr
        );
    }
    assert_eq!(entries(&draft.root), 1, "only v2, which checks clean");
}

#[test]
fn a_damaged_entry_is_computed_again() {
    let draft = history();
    let fresh = diff(&draft, OFF, &["--format", "json"]);
    diff(&draft, &[("TZ", "UTC")], &["--format", "json"]);
    for entry in std::fs::read_dir(draft.root.join(".entente/cache")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|x| x == "bin") {
            let bytes = std::fs::read(&path).unwrap();
            std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
        }
    }
    assert_eq!(diff(&draft, &[("TZ", "UTC")], &["--format", "json"]), fresh);
    assert_eq!(diff(&draft, &[("TZ", "UTC")], &["--format", "json"]), fresh);
}

#[cfg(unix)]
#[test]
fn a_cache_folder_that_is_a_link_is_not_written_through() {
    let draft = history();
    let elsewhere = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(elsewhere.path(), draft.root.join(".entente")).unwrap();
    let fresh = diff(&draft, OFF, &["--format", "json"]);
    assert_eq!(diff(&draft, &[("TZ", "UTC")], &["--format", "json"]), fresh);
    let written = std::fs::read_dir(elsewhere.path()).unwrap().count();
    assert_eq!(written, 0, "nothing where the link points");
}
