//! Problems found in a draft: located, explained, sorted, and printed as `file:line:col`.
//!
//! A [`Diagnostic`] is plain data with a byte span into one file. Line and column are
//! computed only when printing, from the file's text kept in a [`Files`] map, so every
//! stage can report problems without knowing how they are shown.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::ops::Range;

use serde::Serialize;

/// How serious a problem is: errors make `check` fail, warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The draft is wrong: exit 1.
    Error,
    /// Worth a look, but the draft is usable.
    Warning,
}

/// One problem in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// A stable name for the kind of problem, such as `unknown-key`.
    pub code: &'static str,
    /// The file, relative to the draft root, with `/` separators.
    pub file: String,
    /// Byte range in the file; `None` for a problem with the whole file.
    pub span: Option<Range<usize>>,
    /// What is wrong.
    pub message: String,
    /// How to mend it.
    pub hint: Option<String>,
}

impl Diagnostic {
    /// An error at `span` of `file`.
    pub fn error(
        code: &'static str,
        file: &str,
        span: Option<Range<usize>>,
        message: String,
    ) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            file: file.to_string(),
            span,
            message,
            hint: None,
        }
    }

    /// A warning at `span` of `file`.
    pub fn warning(
        code: &'static str,
        file: &str,
        span: Option<Range<usize>>,
        message: String,
    ) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, file, span, message)
        }
    }

    /// Adds a hint saying how to mend the problem.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Adds a hint only when there is one.
    pub fn with_hint_opt(mut self, hint: Option<String>) -> Self {
        self.hint = hint;
        self
    }
}

/// The text of every file diagnostics may point into, by repository-relative path.
#[derive(Debug, Default, Clone)]
pub struct Files {
    /// Shared, so that versions of a draft that hold the same file hold one copy of it.
    texts: BTreeMap<String, std::sync::Arc<String>>,
}

impl Files {
    /// Remembers a file's text (lossily decoded if it was not UTF-8).
    pub fn insert(&mut self, path: &str, text: impl Into<std::sync::Arc<String>>) {
        self.texts.insert(path.to_string(), text.into());
    }

    /// The text of a file, if known.
    pub fn get(&self, path: &str) -> Option<&str> {
        self.texts.get(path).map(|text| text.as_str())
    }

    /// The text of a file, shared, if known.
    pub fn shared(&self, path: &str) -> Option<std::sync::Arc<String>> {
        self.texts.get(path).cloned()
    }
}

/// A 1-based position in a file; the column counts characters, not bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Position {
    /// Line, from 1.
    pub line: usize,
    /// Column in characters, from 1.
    pub column: usize,
}

/// Converts byte offsets of one text into line and column.
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    /// Indexes the line starts of `text`.
    pub fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { text, starts }
    }

    /// The position of byte `offset` (clamped to the text, and to a character boundary).
    pub fn position(&self, offset: usize) -> Position {
        let offset = floor_boundary(self.text, offset);
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts[line - 1];
        let column = self.text[start..offset].chars().count() + 1;
        Position { line, column }
    }

    /// The text of line `line` (1-based), without its line break.
    pub fn line_text(&self, line: usize) -> &'a str {
        let start = self
            .starts
            .get(line - 1)
            .copied()
            .unwrap_or(self.text.len());
        let end = self.starts.get(line).copied().unwrap_or(self.text.len());
        self.text[start..end].trim_end_matches(['\n', '\r'])
    }
}

fn floor_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// Sorts diagnostics by file, then position, then message, so output is deterministic.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        let key = |d: &Diagnostic| (d.file.clone(), d.span.as_ref().map(|s| (s.start, s.end)));
        key(a)
            .cmp(&key(b))
            .then(a.severity.cmp(&b.severity))
            .then(a.message.cmp(&b.message))
    });
}

/// How to print diagnostics.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// ANSI colours.
    pub color: bool,
}

/// Prints diagnostics as `file:line:col: error: message`, with the source line, a caret
/// under the span and the hint, followed by a one-line summary.
pub fn render(diagnostics: &[Diagnostic], files: &Files, style: Style) -> String {
    let mut out = String::new();
    for d in diagnostics {
        render_one(&mut out, d, files, style);
    }
    let errors = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = diagnostics.len() - errors;
    if !diagnostics.is_empty() {
        let _ = writeln!(out, "{}", summary(errors, warnings));
    }
    out
}

/// "2 errors, 1 warning".
pub fn summary(errors: usize, warnings: usize) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    format!(
        "{}, {}",
        plural(errors, "error"),
        plural(warnings, "warning")
    )
}

fn paint(style: Style, code: &str, text: &str) -> String {
    crate::term::paint(style.color, code, text)
}

fn render_one(out: &mut String, d: &Diagnostic, files: &Files, style: Style) {
    let (label, color) = match d.severity {
        Severity::Error => ("error", "1;31"),
        Severity::Warning => ("warning", "1;33"),
    };
    let text = files.get(&d.file);
    let located = match (&d.span, text) {
        (Some(span), Some(text)) => {
            let index = LineIndex::new(text);
            let start = index.position(span.start);
            Some((index, start, span.clone()))
        }
        _ => None,
    };
    let place = match &located {
        Some((_, p, _)) => format!("{}:{}:{}", d.file, p.line, p.column),
        None => d.file.clone(),
    };
    let _ = writeln!(
        out,
        "{}: {}: {}",
        paint(style, "1", &place),
        paint(style, color, label),
        crate::term::escape(&d.message)
    );
    if let Some((index, start, span)) = located {
        let line = index.line_text(start.line);
        let end = index.position(span.end.max(span.start));
        // Widths are measured on the escaped line, as it is shown.
        let shown_width = |chars: &mut dyn Iterator<Item = char>| -> usize {
            chars
                .map(|c| {
                    crate::term::escape(c.encode_utf8(&mut [0; 4]))
                        .chars()
                        .count()
                })
                .sum()
        };
        let before = shown_width(&mut line.chars().take(start.column - 1));
        let width = if end.line == start.line {
            shown_width(
                &mut line
                    .chars()
                    .skip(start.column - 1)
                    .take(end.column.saturating_sub(start.column)),
            )
        } else {
            shown_width(&mut line.chars().skip(start.column - 1))
        }
        .max(1);
        let number = start.line.to_string();
        let gutter = " ".repeat(number.len());
        let shown = crate::term::escape(line);
        let pad = " ".repeat(before);
        let _ = writeln!(out, "{gutter} {}", paint(style, "1;34", "|"));
        let _ = writeln!(
            out,
            "{} {} {shown}",
            paint(style, "1;34", &number),
            paint(style, "1;34", "|")
        );
        let _ = writeln!(
            out,
            "{gutter} {} {pad}{}",
            paint(style, "1;34", "|"),
            paint(style, color, &"^".repeat(width))
        );
    }
    if let Some(hint) = &d.hint {
        let _ = writeln!(
            out,
            "  {} {}",
            paint(style, "1;36", "hint:"),
            crate::term::escape(hint)
        );
    }
    out.push('\n');
}

/// One diagnostic as JSON, with line and column resolved.
#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    severity: Severity,
    code: &'a str,
    file: &'a str,
    line: Option<usize>,
    column: Option<usize>,
    end_line: Option<usize>,
    end_column: Option<usize>,
    message: &'a str,
    hint: Option<&'a str>,
}

/// The diagnostics as a JSON document: `{"errors", "warnings", "diagnostics": [...]}`.
pub fn to_json(diagnostics: &[Diagnostic], files: &Files) -> serde_json::Value {
    let items: Vec<serde_json::Value> = diagnostics
        .iter()
        .map(|d| {
            let (start, end) = match (&d.span, files.get(&d.file)) {
                (Some(span), Some(text)) => {
                    let index = LineIndex::new(text);
                    (
                        Some(index.position(span.start)),
                        Some(index.position(span.end)),
                    )
                }
                _ => (None, None),
            };
            let j = JsonDiagnostic {
                severity: d.severity,
                code: d.code,
                file: &d.file,
                line: start.map(|p| p.line),
                column: start.map(|p| p.column),
                end_line: end.map(|p| p.line),
                end_column: end.map(|p| p.column),
                message: &d.message,
                hint: d.hint.as_deref(),
            };
            serde_json::to_value(j).unwrap_or(serde_json::Value::Null)
        })
        .collect();
    let errors = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    serde_json::json!({
        "errors": errors,
        "warnings": diagnostics.len() - errors,
        "diagnostics": items,
    })
}

/// The nearest of `candidates` to `word`, for "did you mean" hints.
pub fn nearest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    crate::nearest::nearest(word, candidates)
}

/// `Some("did you mean `x`?")` when a candidate is close to `word`.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    nearest(word, candidates).map(|n| format!("did you mean `{n}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters_from_one() {
        let index = LineIndex::new("ab\nсd\n");
        assert_eq!(index.position(0), Position { line: 1, column: 1 });
        assert_eq!(index.position(3), Position { line: 2, column: 1 });
        // `с` is Cyrillic, two bytes: `d` is the second character.
        assert_eq!(index.position(5), Position { line: 2, column: 2 });
        assert_eq!(index.line_text(2), "сd");
    }

    #[test]
    fn offsets_inside_a_character_do_not_panic() {
        let index = LineIndex::new("сd");
        assert_eq!(index.position(1), Position { line: 1, column: 1 });
        assert_eq!(index.position(99), Position { line: 1, column: 3 });
    }

    #[test]
    fn caret_sits_under_the_span() {
        let mut files = Files::default();
        files.insert("a.md", "+++\nstatus = \"agred\"\n+++\n".to_string());
        let d = Diagnostic::error(
            "bad-status",
            "a.md",
            Some(13..20),
            "unknown status `agred`".into(),
        )
        .with_hint("did you mean `agreed`?");
        let text = render(&[d], &files, Style { color: false });
        assert_eq!(
            text,
            "a.md:2:10: error: unknown status `agred`\n  |\n2 | status = \"agred\"\n  |          ^^^^^^^\n  hint: did you mean `agreed`?\n\n1 error, 0 warnings\n"
        );
    }
}
