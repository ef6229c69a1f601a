//! Changes since an earlier version, shown in place in annotated editions: the clause's
//! text with insertions and deletions marked, rendered through the same Markdown path as
//! any body.
//!
//! The redline is marked in the Markdown with private-use characters, which the Markdown
//! parser passes through as text, and only after rendering become `<ins>`/`<del>` tags;
//! marks are placed line by line, after any list or heading syntax, so that the text
//! keeps its structure.

use crate::diff::redline::{Op, Span};

const DEL_OPEN: char = '\u{E000}';
const DEL_CLOSE: char = '\u{E001}';
const INS_OPEN: char = '\u{E002}';
const INS_CLOSE: char = '\u{E003}';

/// The length of a line's leading block syntax: indentation, `#`, `>`, list markers, `|`.
fn block_prefix(line: &str) -> usize {
    let trimmed = line.trim_start();
    let mut at = line.len() - trimmed.len();
    let rest = &line[at..];
    let marker = if let Some(r) = rest.strip_prefix(['#', '>']) {
        rest.len() - r.trim_start_matches(['#', '>']).len()
    } else if rest.starts_with(['-', '*', '+']) && rest[1..].starts_with(' ') {
        1
    } else {
        let digits = rest.chars().take_while(char::is_ascii_digit).count();
        if digits > 0 && rest[digits..].starts_with(['.', ')']) {
            digits + 1
        } else {
            0
        }
    };
    at += marker;
    at + line[at..].len() - line[at..].trim_start().len()
}

/// The new text with the redline's insertions and deletions marked.
pub fn marked(spans: &[Span]) -> String {
    let mut out = String::new();
    for span in spans {
        let (open, close) = match span.op {
            Op::Equal => {
                out.push_str(&span.text);
                continue;
            }
            Op::Delete => (DEL_OPEN, DEL_CLOSE),
            Op::Insert => (INS_OPEN, INS_CLOSE),
        };
        for (k, line) in span.text.split('\n').enumerate() {
            if k > 0 {
                out.push('\n');
            }
            // Only at the start of a line can block syntax begin.
            let at_line_start = k > 0 || out.ends_with('\n') || out.is_empty();
            let skip = if at_line_start { block_prefix(line) } else { 0 };
            let (syntax, text) = line.split_at(skip);
            out.push_str(syntax);
            if !text.is_empty() {
                out.push(open);
                out.push_str(text);
                out.push(close);
            }
        }
    }
    out
}

/// Turns the marks into `<ins>`/`<del>` tags in rendered HTML or Markdown.
pub fn tags(rendered: &str) -> String {
    rendered
        .replace(DEL_OPEN, "<del>")
        .replace(DEL_CLOSE, "</del>")
        .replace(INS_OPEN, "<ins>")
        .replace(INS_CLOSE, "</ins>")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::redline::redline;

    #[test]
    fn marks_survive_markdown_and_keep_lists() {
        let spans = redline(
            "1. Ukraine may join.\n2. Done.",
            "1. Ukraine shall join.\n2. Done.\n3. New item.",
        );
        let html = tags(&crate::markdown::to_html(&marked(&spans), "c", 0, &|_| {
            None
        }));
        assert!(
            html.contains("<li>Ukraine <del>may</del><ins>shall</ins> join.</li>"),
            "{html}"
        );
        // The third item is new; the word diff keeps the old final stop as equal text.
        assert!(html.contains("<li><ins>New item</ins>.</li>"), "{html}");
        assert_eq!(html.matches("<li>").count(), 3, "{html}");
    }
}
