//! Clause files (SPEC §1.2): the `+++` front matter split off the body, then read.
//!
//! Splitting comes first and on its own, as in zola: a missing or misspelt fence gets
//! a message about the fence, not a confusing TOML error about the body.

use crate::diagnostic::Diagnostic;
use crate::toml_read::{At, Reader};

/// The front-matter keys a clause may have.
pub const KEYS: [&str; 8] = [
    "id",
    "title",
    "label",
    "status",
    "classification",
    "positions",
    "notes",
    "tags",
];

/// A clause file cut in two.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split<'a> {
    /// The TOML between the fences.
    pub front: &'a str,
    /// Where `front` starts in the file.
    pub front_offset: usize,
    /// The Markdown after the closing fence.
    pub body: &'a str,
    /// Where `body` starts in the file.
    pub body_offset: usize,
}

/// The front matter as written, with spans, before validation against the manifest.
#[derive(Debug, Clone, Default)]
pub struct FrontMatter {
    /// `id`.
    pub id: Option<At<String>>,
    /// `title`.
    pub title: Option<At<String>>,
    /// `label`.
    pub label: Option<At<String>>,
    /// `status`.
    pub status: Option<At<String>>,
    /// `classification`.
    pub classification: Option<At<String>>,
    /// `[positions]`: party → position.
    pub positions: Vec<(At<String>, At<String>)>,
    /// `notes`.
    pub notes: Vec<At<String>>,
    /// `tags`.
    pub tags: Vec<At<String>>,
}

/// Lines of `text` from `from`: where each starts, its text without the line break, and
/// where the next line starts.
fn lines(text: &str, from: usize) -> impl Iterator<Item = (usize, &str, usize)> {
    let mut offset = from;
    text[from..].split_inclusive('\n').map(move |line| {
        let start = offset;
        offset += line.len();
        (start, line.trim_end_matches(['\n', '\r']), offset)
    })
}

fn looks_like_fence(line: &str) -> bool {
    let t = line.trim();
    (t.len() >= 2 && t.chars().all(|c| c == '+'))
        || t.starts_with("+++")
        || t.replace(' ', "") == "+++"
}

/// Splits a clause file, reporting fence problems. `None` when there is no usable front
/// matter; the caller must then treat the clause's metadata as unknown.
pub fn split<'a>(
    text: &'a str,
    file: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Split<'a>> {
    let start = if text.starts_with('\u{feff}') {
        '\u{feff}'.len_utf8()
    } else {
        0
    };
    let mut it = lines(text, start);
    let Some((first_at, first, front_offset)) = it.next() else {
        diagnostics.push(
            Diagnostic::error("missing-front-matter", file, Some(0..0), "empty clause file".into())
                .with_hint("start it with `+++`, the clause's keys such as `title = \"...\"`, and another `+++`"),
        );
        return None;
    };
    let first_span = Some(first_at..first_at + first.len());
    if first.starts_with("version https://git-lfs.github.com/spec/") {
        diagnostics.push(
            Diagnostic::error("lfs-pointer", file, first_span, "the file is a git LFS pointer, not the clause's text".into())
                .with_hint("fetch the real files with `git lfs pull`, or keep clause files out of LFS: they are small text"),
        );
        return None;
    }
    if first.trim_end() == "---" {
        diagnostics.push(
            Diagnostic::error(
                "yaml-front-matter",
                file,
                first_span,
                "front matter is fenced with `---` (YAML); entente reads TOML between `+++` lines"
                    .into(),
            )
            .with_hint(
                "replace both `---` lines with `+++` and write the keys as TOML: `title = \"...\"`",
            ),
        );
        return None;
    }
    if first.trim_end() != "+++" {
        let (code, message, hint) = if looks_like_fence(first) {
            (
                "misspelt-fence",
                format!("misspelt front-matter fence `{}`", first.trim()),
                "the fence is exactly three plus signs, `+++`, alone on its line",
            )
        } else {
            (
                "missing-front-matter",
                "clause file has no front matter".to_string(),
                "start it with `+++`, the clause's keys such as `title = \"...\"`, and another `+++`",
            )
        };
        diagnostics.push(Diagnostic::error(code, file, first_span, message).with_hint(hint));
        return None;
    }
    let mut suspect = None;
    for (at, line, body_offset) in it {
        if line.trim_end() == "+++" {
            return Some(Split {
                front: &text[front_offset..at],
                front_offset,
                body: &text[body_offset..],
                body_offset,
            });
        }
        if suspect.is_none() && (looks_like_fence(line) || line.trim_end() == "---") {
            suspect = Some((at, line));
        }
    }
    let d = match suspect {
        Some((at, line)) => Diagnostic::error(
            "misspelt-fence",
            file,
            Some(at..at + line.len()),
            format!(
                "front matter is closed with `{}` instead of `+++`",
                line.trim()
            ),
        )
        .with_hint("the closing fence is exactly `+++`, alone on its line"),
        None => Diagnostic::error(
            "unclosed-front-matter",
            file,
            first_span,
            "front matter is never closed".into(),
        )
        .with_hint("add a line `+++` after the last key, before the clause's text"),
    };
    diagnostics.push(d);
    None
}

/// Reads the front matter's keys, reporting syntax errors, unknown keys and wrong types.
pub fn parse(split: &Split<'_>, file: &str, diagnostics: &mut Vec<Diagnostic>) -> FrontMatter {
    let mut r = Reader {
        file: file.to_string(),
        offset: split.front_offset,
        diagnostics,
    };
    let table = r.parse(split.front);
    let table = table.get_ref();
    r.unknown_keys(table, &KEYS, "clause front matter");
    let positions = match r.table(table, "positions") {
        Some((t, _)) => r.string_map(t),
        None => Vec::new(),
    };
    FrontMatter {
        id: r.string(table, "id"),
        title: r.string(table, "title"),
        label: r.string(table, "label"),
        status: r.string(table, "status"),
        classification: r.string(table, "classification"),
        positions,
        notes: r.strings(table, "notes"),
        tags: r.strings(table, "tags"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split_ok(text: &str) -> Split<'_> {
        let mut d = Vec::new();
        let s = split(text, "a.md", &mut d).expect("splits");
        assert!(d.is_empty(), "{d:?}");
        s
    }

    #[test]
    fn body_offsets_point_into_the_file() {
        let text = "+++\ntitle = \"T\"\n+++\nBody.\n";
        let s = split_ok(text);
        assert_eq!(s.front, "title = \"T\"\n");
        assert_eq!(&text[s.front_offset..s.front_offset + 5], "title");
        assert_eq!(s.body, "Body.\n");
        assert_eq!(&text[s.body_offset..], "Body.\n");
    }

    #[test]
    fn crlf_and_bom_are_accepted() {
        let text = "\u{feff}+++\r\ntitle = \"T\"\r\n+++\r\nBody.\r\n";
        let s = split_ok(text);
        assert_eq!(s.front, "title = \"T\"\r\n");
        assert_eq!(s.body, "Body.\r\n");
    }

    #[test]
    fn yaml_fence_gets_its_own_hint() {
        let mut d = Vec::new();
        assert!(split("---\ntitle: x\n---\n", "a.md", &mut d).is_none());
        assert_eq!(d[0].code, "yaml-front-matter");
    }

    #[test]
    fn misspelt_closing_fence_is_pointed_at() {
        let mut d = Vec::new();
        let text = "+++\ntitle = \"T\"\n++\nBody\n";
        assert!(split(text, "a.md", &mut d).is_none());
        assert_eq!(d[0].code, "misspelt-fence");
        assert_eq!(d[0].span, Some(16..18));
    }

    #[test]
    fn empty_body_is_fine() {
        let s = split_ok("+++\n+++");
        assert_eq!(s.front, "");
        assert_eq!(s.body, "");
    }
}
