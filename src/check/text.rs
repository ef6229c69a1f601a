//! The text itself: raw HTML in bodies, and characters that could hide or reorder legal
//! text (SPEC §1.2, §5).

use std::collections::BTreeMap;

use crate::diagnostic::Diagnostic;
use crate::load::Loaded;

/// Reports raw HTML in clause bodies.
pub(super) fn check(scans: &[super::Scan<'_>]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (clause, _, html) in scans {
        for h in *html {
            let span = Some(clause.body_offset + h.span.start..clause.body_offset + h.span.end);
            let (code, message) = if h.comment {
                ("html-comment", "HTML comment in a clause body")
            } else {
                ("raw-html", "raw HTML in a clause body")
            };
            out.push(Diagnostic::error(code, &clause.path, span, message.into()).with_hint(
                "clause text is Markdown only; put remarks for drafters in `notes = [\"...\"]` in the front matter",
            ));
        }
    }
    out
}

/// Suspicious characters in a file, by its path.
pub(super) type Found<'a> = Vec<(&'a str, Vec<Diagnostic>)>;

/// Reports suspicious characters in every file read, by file (files with none left out).
/// Where `earlier` (another version, and what this found in it) holds the very text of a
/// file, as versions loaded together share it, what was found there is taken.
pub(super) fn characters_of<'a>(
    loaded: &'a Loaded,
    earlier: Option<(&Loaded, &Found<'_>)>,
) -> Found<'a> {
    let mut paths: Vec<&str> = vec![crate::manifest::FILE];
    paths.extend(loaded.agreement.clauses().map(|(_, _, c)| &*c.path));
    paths.extend(loaded.unlisted.iter().map(String::as_str));
    let found_before: BTreeMap<&str, &Vec<Diagnostic>> = earlier
        .map_or_else(BTreeMap::new, |(_, f)| {
            f.iter().map(|(p, d)| (*p, d)).collect()
        });
    let same_text = |path: &str, text: &str| {
        let before = earlier.and_then(|(e, _)| e.files.get(path));
        before.is_some_and(|b| std::ptr::eq(b, text))
    };
    let mut out = Vec::new();
    for path in paths {
        let Some(text) = loaded.files.get(path) else {
            continue;
        };
        let found = match same_text(path, text) {
            true => found_before.get(path).map_or_else(Vec::new, |d| d.to_vec()),
            false => characters(path, text),
        };
        if !found.is_empty() {
            out.push((path, found));
        }
    }
    out
}

fn characters(path: &str, text: &str) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    // Most text is plain ASCII: nothing to look at character by character.
    let plain = |b: &u8| (*b >= 0x20 && *b < 0x7f) || matches!(b, b'\n' | b'\r' | b'\t');
    if text.as_bytes().iter().all(plain) {
        return out;
    }
    for (at, c) in text.char_indices() {
        if at == 0 && c == '\u{feff}' {
            continue;
        }
        let span = Some(at..at + c.len_utf8());
        if let Some(name) = crate::term::suspicious(c) {
            let kind = if matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
            {
                "bidirectional control character"
            } else {
                "invisible character"
            };
            out.push(
                Diagnostic::error(
                    "suspicious-character",
                    path,
                    span,
                    format!("{kind} U+{:04X} ({name})", c as u32),
                )
                .with_hint("it can hide or reorder text for one reader and not another; delete it"),
            );
        } else if c.is_control() && !matches!(c, '\n' | '\r' | '\t') {
            out.push(
                Diagnostic::error(
                    "control-character",
                    path,
                    span,
                    format!("control character U+{:04X}", c as u32),
                )
                .with_hint("delete it; it was probably pasted in by accident"),
            );
        }
    }
    out
}
