//! `entente status` and the annotated draft (issue 6): exact counts, progress over
//! rounds, editions honoured, changes since a version marked in place.

use serde_json::Value;

use crate::harness::Draft;

fn status(draft: &Draft, args: &[&str]) -> Value {
    let mut all = vec!["status", "--format", "json"];
    all.extend_from_slice(args);
    serde_json::from_str(&draft.run(&all).code(0).stdout).unwrap()
}

#[test]
fn counts_and_shares_are_exact() {
    let draft = Draft::fixture("status/known");
    let r = status(&draft, &[]);
    // 9 clauses (the withdrawn one is not counted), 5 agreed; 32 of 60 words agreed.
    assert_eq!(r["total"]["clauses"], 9);
    assert_eq!(r["total"]["agreed_percent"], 55.6);
    assert_eq!(r["total"]["agreed_words_percent"], 53.3);
    let accord = &r["documents"][0];
    assert_eq!(
        (
            accord["clauses"].as_u64(),
            accord["agreed_percent"].as_f64(),
            accord["agreed_words_percent"].as_f64()
        ),
        (Some(4), Some(50.0), Some(50.0))
    );
    assert_eq!(
        accord["by_status"],
        serde_json::json!({"agreed": 2, "agreed-ad-referendum": 0, "bracketed": 1, "draft": 1, "initialled": 0, "proposed": 0})
    );
    let open = &accord["annexes"][0];
    assert_eq!(
        (open["label"].as_str(), open["agreed_percent"].as_f64()),
        (Some("Annex A"), Some(0.0)),
        "an annex with nothing agreed"
    );
    assert_eq!(
        r["documents"][1]["agreed_percent"], 100.0,
        "a document all agreed"
    );
    assert_eq!(
        r["positions"],
        serde_json::json!({"three": {"north": "agrees", "south": "objects"}})
    );
    let open_ids: Vec<&str> = r["open"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap())
        .collect();
    assert_eq!(open_ids, ["three", "four", "five", "six"]);
}

#[test]
fn an_edition_counts_only_what_it_includes() {
    let draft = Draft::fixture("status/known");
    let public = status(&draft, &["--edition", "public"]);
    assert_eq!(public["total"]["clauses"], 8);
    assert_eq!(public["total"]["agreed_percent"], 50.0);
    let annexes = public["documents"][0]["annexes"].as_array().unwrap();
    assert_eq!(annexes.len(), 1, "the withheld annex is not even listed");
    let before = draft
        .run(&["status", "--edition", "public", "--format", "json"])
        .code(0)
        .stdout;
    let md_before = draft
        .run(&["status", "--edition", "public", "--format", "md"])
        .code(0)
        .stdout;
    draft.write("accord/seven.md", "+++\ntitle = \"Seven\"\nstatus = \"bracketed\"\n\n[positions]\nsouth = \"objects\"\n+++\n\nother words\n");
    assert_eq!(
        draft
            .run(&["status", "--edition", "public", "--format", "json"])
            .code(0)
            .stdout,
        before
    );
    assert_eq!(
        draft
            .run(&["status", "--edition", "public", "--format", "md"])
            .code(0)
            .stdout,
        md_before
    );
    assert_ne!(
        status(&draft, &[])["total"]["agreed_percent"],
        55.6,
        "the full report does see it"
    );
}

#[test]
fn terminal_and_markdown_name_what_is_open_and_who_objects() {
    let draft = Draft::fixture("status/known");
    let term = draft.run(&["status", "--color", "never"]).code(0).stdout;
    assert!(term.contains("Open (4):"), "{term}");
    assert!(term.contains("3            Three"), "{term}");
    assert!(term.contains("north agrees · south objects"), "{term}");
    let md = draft.run(&["status", "--format", "md"]).code(0).stdout;
    assert!(
        md.contains("| Accord | 4 | 1 | 0 | 1 | 0 | 0 | 2 | 50.0% | 50.0% |"),
        "{md}"
    );
    assert!(md.contains("| 3 | agrees | **objects** |"), "{md}");
    let html = draft.run(&["status", "--format", "html"]).code(0).stdout;
    assert!(
        html.contains("<svg") && html.contains("<title>bracketed: 1</title>"),
        "{html}"
    );
}

#[test]
fn progress_over_tagged_rounds() {
    let mut draft = Draft::fixture("status/known");
    draft.commit("round 1", Some("r1"));
    draft.write(
        "accord/three.md",
        "+++\ntitle = \"Three\"\nstatus = \"agreed\"\n+++\n\nwords\n",
    );
    draft.commit("round 2", Some("r2"));
    draft.write(
        "accord/four.md",
        "+++\ntitle = \"Four\"\nstatus = \"initialled\"\n+++\n\nwords\n",
    );
    draft.commit("untagged work", None);
    draft.write(
        "accord/five.md",
        "+++\ntitle = \"Five\"\nstatus = \"agreed\"\n+++\n\nwords\n",
    );
    draft.commit("round 3", Some("r3"));
    let rounds: Value = serde_json::from_str(
        &draft
            .run(&["status", "--history", "--format", "json"])
            .code(0)
            .stdout,
    )
    .unwrap();
    let got: Vec<(&str, f64, f64)> = rounds
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["rev"].as_str().unwrap(),
                r["agreed_percent"].as_f64().unwrap(),
                r["settled_percent"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [("r1", 55.6, 55.6), ("r2", 66.7, 66.7), ("r3", 77.8, 88.9)]
    );
    let all: Value = serde_json::from_str(
        &draft
            .run(&["status", "--history", "r1..HEAD", "--format", "json"])
            .code(0)
            .stdout,
    )
    .unwrap();
    assert_eq!(all.as_array().unwrap().len(), 3, "every commit after r1");
    let html = draft
        .run(&["status", "--history", "--format", "html"])
        .code(0)
        .stdout;
    assert!(
        html.contains("<polyline") && html.contains(">r3</text>"),
        "{html}"
    );
}

#[test]
fn the_annotated_draft_marks_changes_since_a_version() {
    let mut draft = Draft::fixture("render/small");
    draft.commit("round one", Some("v1"));
    draft.write("accord/duration.md", "+++\ntitle = \"Duration\"\nstatus = \"agreed\"\ntags = [\"final-clauses\"]\n+++\n\nThis Accord remains in force for twenty years.\n");
    draft.write(
        "protocol/seal.md",
        "+++\ntitle = \"Seal\"\nstatus = \"proposed\"\n+++\n\nEach original bears both seals.\n",
    );
    draft.write(
        "entente.toml",
        &draft.read("entente.toml").replace(
            "clauses = [\"signature\", \"languages\"]",
            "clauses = [\"signature\", \"languages\", \"seal\"]",
        ),
    );
    let html = draft
        .run(&["render", "--edition", "full", "--since", "v1", "--out", "-"])
        .code(0)
        .stdout;
    assert!(
        html.contains("remains in force for <del>ten</del><ins>twenty</ins> years."),
        "{html}"
    );
    assert!(
        html.contains("<span class=\"since since-new\">new since v1</span>"),
        "{html}"
    );
    assert!(
        html.contains("<span class=\"since\">changed since v1: text</span>"),
        "{html}"
    );
    // Public editions never show any of it.
    let public = draft
        .run(&[
            "render",
            "--edition",
            "public",
            "--since",
            "v1",
            "--out",
            "-",
        ])
        .code(0)
        .stdout;
    assert!(
        !public.contains("<del>") && !public.contains("since v1"),
        "{public}"
    );
    assert!(public.contains("remains in force for twenty years."));
    let md = draft
        .run(&[
            "render",
            "--edition",
            "full",
            "--format",
            "md",
            "--since",
            "v1",
            "--out",
            "-",
        ])
        .code(0)
        .stdout;
    insta::assert_snapshot!("annotated_since_md", md);
}
