//! Showing a diff: terminal, Markdown (pull-request comments, briefings), self-contained
//! HTML (a redline document for screen and print), and JSON (SPEC §4).

use std::fmt::Write as _;

use super::redline::{Op, Span};
use super::{ClauseDiff, Report, Status, Summary};
use crate::render::escape_html;
use crate::term::escape;

/// How to show a diff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Coloured text for a terminal.
    Term,
    /// GitHub-flavoured Markdown.
    Markdown,
    /// One self-contained HTML file.
    Html,
    /// SPEC §4 JSON.
    Json,
}

/// Options for showing a diff.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// ANSI colours (terminal format).
    pub color: bool,
    /// Leave out unchanged clauses (HTML keeps them folded otherwise).
    pub changed_only: bool,
}

/// Writes the diff in a format to `out`. JSON, the one format that holds every clause, goes
/// out as it is made: made whole first, at 10,000 clauses it held more memory than the
/// comparison.
pub fn show(
    report: &Report,
    format: Format,
    options: Options,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let text = match format {
        Format::Term => term(report, options.color),
        Format::Markdown => markdown(report),
        Format::Html => html(report, options.changed_only),
        Format::Json => {
            // Buffered here, where the writer's type is known: JSON is written in pieces of
            // a few bytes, and each through `dyn Write` took longer than making it.
            let mut buffered = std::io::BufWriter::with_capacity(1 << 16, &mut *out);
            serde_json::to_writer_pretty(&mut buffered, report)?;
            std::io::Write::flush(&mut buffered)?;
            "\n".to_string()
        }
    };
    out.write_all(text.as_bytes())
}

/// "3 added, 1 removed, 5 changed (2 moved), 12 renumbered, 30 unchanged".
pub fn summary_line(s: &Summary) -> String {
    let mut parts = vec![
        format!("{} added", s.added),
        format!("{} removed", s.removed),
    ];
    let mut changed = format!("{} changed", s.changed);
    let mut kinds = Vec::new();
    for (n, what) in [
        (s.moved, "moved"),
        (s.text_changed, "text"),
        (s.title_changed, "title"),
        (s.metadata_changed, "metadata"),
    ] {
        if n > 0 {
            kinds.push(format!("{n} {what}"));
        }
    }
    if !kinds.is_empty() {
        let _ = write!(changed, " ({})", kinds.join(", "));
    }
    parts.push(changed);
    if s.renumbered > 0 {
        parts.push(format!("{} renumbered", s.renumbered));
    }
    parts.push(format!("{} unchanged", s.unchanged));
    parts.join(", ")
}

/// Every field that changed, title first: `(field, old, new)`, `(none)` for absent values.
fn fields(c: &ClauseDiff) -> Vec<(String, String, String)> {
    let shown = |v: Option<&str>| v.unwrap_or("(none)").to_string();
    let title = c.title.iter().map(|t| {
        (
            "title".to_string(),
            shown(t.old.as_deref()),
            shown(t.new.as_deref()),
        )
    });
    let meta = c.metadata.iter().map(|f| {
        (
            f.field.clone(),
            shown(f.old.as_deref()),
            shown(f.new.as_deref()),
        )
    });
    title.chain(meta).collect()
}

/// A clause's heading for display: its title, or its id when it has none.
fn heading(c: &ClauseDiff) -> String {
    (c.heading.as_deref()).map_or_else(|| format!("({})", c.id), str::to_string)
}

/// "Point 5 → Point 4", "Point 4 (new)", "Point 7 (removed)".
fn numbers(c: &ClauseDiff) -> String {
    match (&c.old_number, &c.new_number) {
        (Some(o), Some(n)) if o != n => format!("{o} → {n}"),
        (_, Some(n)) => n.clone(),
        (Some(o), None) => o.clone(),
        (None, None) => String::new(),
    }
}

/// The kinds of change of a clause, for a one-line tag.
pub fn kinds(c: &ClauseDiff) -> Vec<String> {
    let mut out = Vec::new();
    match c.status {
        Status::Added => out.push("added".into()),
        Status::Removed => out.push("removed".into()),
        _ => {}
    }
    if let Some(from) = &c.moved_from {
        out.push(format!(
            "moved from {}",
            from.annex.as_deref().unwrap_or(&from.document)
        ));
    } else if c.moved {
        out.push("moved".into());
    }
    if let Some(old) = &c.old_id {
        out.push(format!("id was {old}"));
    }
    if c.text_changed {
        out.push("text".into());
    }
    if c.title.is_some() {
        out.push("title".into());
    }
    out.extend(c.metadata.iter().map(|f| f.field.clone()));
    out
}

fn shown(c: &ClauseDiff) -> bool {
    c.status != Status::Unchanged
}

fn versions(report: &Report) -> String {
    let edition = report
        .edition
        .as_ref()
        .map(|e| format!(" (edition {e})"))
        .unwrap_or_default();
    format!("{} → {}{edition}", report.old.rev, report.new.rev)
}

/// Long unchanged stretches are shortened to their ends, so a one-word change in a long
/// clause stays readable; the JSON keeps everything.
fn elide(text: &str, first: bool, last: bool) -> String {
    const KEEP: usize = 80;
    if text.chars().count() <= 3 * KEEP {
        return text.to_string();
    }
    // Cut at whitespace, so no word is shown in part.
    let head = if last {
        let end = text.char_indices().nth(KEEP).map_or(text.len(), |(i, _)| i);
        let end = text[..end].rfind(char::is_whitespace).unwrap_or(0);
        text[..end].to_string()
    } else {
        String::new()
    };
    let tail = if first {
        let start = text.char_indices().rev().nth(KEEP).map_or(0, |(i, _)| i);
        let start = text[start..]
            .find(char::is_whitespace)
            .map_or(text.len(), |k| start + k);
        text[start..].to_string()
    } else {
        String::new()
    };
    let (head, tail) = if !first && !last {
        (text.to_string(), String::new())
    } else {
        (head, tail)
    };
    format!(
        "{}[…]{tail}",
        if head.is_empty() {
            String::new()
        } else {
            format!("{head} ")
        }
    )
}

fn term(report: &Report, color: bool) -> String {
    let paint = |code: &str, text: &str| crate::term::paint(color, code, text);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}",
        paint("1", &escape(&format!("diff {}", versions(report))))
    );
    let _ = writeln!(out, "{}", summary_line(&report.summary));
    for doc in &report.documents {
        let _ = writeln!(
            out,
            "  {}: {}",
            escape(&doc.title),
            summary_line(&doc.summary)
        );
    }
    for c in report.clauses.iter().filter(|c| shown(c)) {
        out.push('\n');
        out.push_str(&term_clause(c, color));
    }
    out
}

/// One clause's change for a terminal: its numbers and kinds, title and metadata
/// changes, and its redline with long unchanged stretches shortened.
pub fn term_clause(c: &ClauseDiff, color: bool) -> String {
    let paint = |code: &str, text: &str| crate::term::paint(color, code, text);
    let mut out = String::new();
    let heading = format!(" · {}", heading(c));
    let _ = writeln!(
        out,
        "{} {}",
        paint("1;36", &escape(&format!("{}{heading}", numbers(c)))),
        paint("2", &format!("[{}]", kinds(c).join(", ")))
    );
    for (field, old, new) in fields(c) {
        let _ = writeln!(out, "  {field}: {} → {}", escape(&old), escape(&new));
    }
    if c.redline.is_empty() {
        return out;
    }
    let mut line = String::from("  ");
    let n = c.redline.len();
    for (k, span) in c.redline.iter().enumerate() {
        let text = match span.op {
            Op::Equal if c.status == Status::Changed => elide(&span.text, k == 0, k + 1 == n),
            _ => span.text.clone(),
        };
        let text = escape(&text).replace('\n', "\n  ");
        let piece = match (span.op, color) {
            (Op::Equal, _) => text,
            (Op::Delete, true) => paint("9;31", &text),
            (Op::Insert, true) => paint("4;32", &text),
            (Op::Delete, false) => format!("[-{text}-]"),
            (Op::Insert, false) => format!("{{+{text}+}}"),
        };
        line.push_str(&piece);
    }
    let _ = writeln!(out, "{}", line.trim_end());
    out
}

/// A redline as HTML or Markdown-embedded HTML: one `<del>`/`<ins>` per line, so no tag
/// spans a line break and Markdown renderers keep them.
fn redline_html(spans: &[Span], shorten: bool) -> String {
    let mut out = String::new();
    let n = spans.len();
    for (k, span) in spans.iter().enumerate() {
        let text = match span.op {
            Op::Equal if shorten => elide(&span.text, k == 0, k + 1 == n),
            _ => span.text.clone(),
        };
        let (open, close) = match span.op {
            Op::Equal => ("", ""),
            Op::Delete => ("<del>", "</del>"),
            Op::Insert => ("<ins>", "</ins>"),
        };
        let pieces: Vec<String> = text
            .split('\n')
            .map(|p| {
                if p.is_empty() {
                    String::new()
                } else {
                    format!("{open}{}{close}", escape_html(p))
                }
            })
            .collect();
        out.push_str(&pieces.join("\n"));
    }
    out
}

fn summary_table(out: &mut String, report: &Report) {
    let _ = writeln!(
        out,
        "| | added | removed | changed | moved | renumbered | unchanged |"
    );
    let _ = writeln!(out, "| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    let row = |out: &mut String, name: &str, s: &Summary| {
        let _ = writeln!(
            out,
            "| {name} | {} | {} | {} | {} | {} | {} |",
            s.added, s.removed, s.changed, s.moved, s.renumbered, s.unchanged
        );
    };
    for doc in &report.documents {
        row(out, &doc.title, &doc.summary);
    }
    row(out, "**All**", &report.summary);
}

fn markdown(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## Changes: {}\n", versions(report).replace('`', ""));
    let _ = writeln!(out, "{}\n", summary_line(&report.summary));
    summary_table(&mut out, report);
    for c in report.clauses.iter().filter(|c| shown(c)) {
        let heading = format!(" — {}", heading(c));
        let _ = writeln!(out, "\n### {}{heading}\n", numbers(c));
        let _ = writeln!(out, "*{}*\n", kinds(c).join(" · "));
        for (field, old, new) in fields(c) {
            let _ = writeln!(out, "- **{field}:** {old} → {new}");
        }
        if !c.redline.is_empty() {
            if c.title.is_some() || !c.metadata.is_empty() {
                out.push('\n');
            }
            let body = redline_html(&c.redline, c.status == Status::Changed);
            for line in body.trim_end().lines() {
                let _ = writeln!(out, ">{}{line}", if line.is_empty() { "" } else { " " });
            }
        }
    }
    out
}

const STYLE: &str = "
html { font: 11pt/1.55 Georgia, 'Times New Roman', serif; color: #1d1f24; }
body { max-width: 48rem; margin: 0 auto; padding: 1.5rem 1.25rem 3rem; }
h1, h2, h3 { font-family: 'Helvetica Neue', Arial, sans-serif; line-height: 1.25; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #d8dbe0; }
table { border-collapse: collapse; font-family: 'Helvetica Neue', Arial, sans-serif; font-size: 0.9rem; }
th, td { border: 1px solid #d8dbe0; padding: 0.2rem 0.6rem; text-align: right; } th:first-child, td:first-child { text-align: left; }
.changes li { margin: 0.15rem 0; } .kinds { color: #5d6370; font-size: 0.85rem; font-family: 'Helvetica Neue', Arial, sans-serif; }
.clause { margin: 1.25rem 0; break-inside: avoid-page; } .clause h3 { margin-bottom: 0.25rem; }
.redline { white-space: pre-wrap; border-left: 3px solid #d8dbe0; padding-left: 0.75rem; }
del { color: #8c1f1f; background: #fbeaea; text-decoration: line-through; }
ins { color: #1d5e2c; background: #e3f1e6; text-decoration: underline; }
.meta { font-size: 0.9rem; margin: 0.25rem 0 0.5rem; }
details { margin: 0.5rem 0; } summary { cursor: pointer; color: #5d6370; }
@media print { a { color: inherit; text-decoration: none; } details { display: block; } del, ins { -webkit-print-color-adjust: exact; print-color-adjust: exact; } }
";

fn html(report: &Report, changed_only: bool) -> String {
    let mut out = String::new();
    let title = format!("Changes {}", versions(report));
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{}</h1>\n<p>{}</p>\n",
        escape_html(&title),
        escape_html(&title),
        escape_html(&summary_line(&report.summary))
    );
    let mut table = String::new();
    summary_table(&mut table, report);
    out.push_str("<table>\n<tr><th></th><th>added</th><th>removed</th><th>changed</th><th>moved</th><th>renumbered</th><th>unchanged</th></tr>\n");
    let row = |out: &mut String, name: &str, s: &Summary| {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape_html(name),
            s.added,
            s.removed,
            s.changed,
            s.moved,
            s.renumbered,
            s.unchanged
        );
    };
    for doc in &report.documents {
        row(&mut out, &doc.title, &doc.summary);
    }
    row(&mut out, "All", &report.summary);
    out.push_str("</table>\n<h2>Changes</h2>\n<ol class=\"changes\">\n");
    for (k, c) in report.clauses.iter().enumerate().filter(|(_, c)| shown(c)) {
        let heading = format!(" — {}", heading(c));
        let _ = writeln!(
            out,
            "<li><a href=\"#change-{k}\">{}</a> <span class=\"kinds\">{}</span></li>",
            escape_html(&format!("{}{heading}", numbers(c))),
            escape_html(&kinds(c).join(" · "))
        );
    }
    out.push_str("</ol>\n<h2>Clauses</h2>\n");
    for (k, c) in report.clauses.iter().enumerate() {
        let heading = escape_html(&format!("{} — {}", numbers(c), heading(c)));
        if !shown(c) {
            if !changed_only {
                let _ = writeln!(
                    out,
                    "<details class=\"unchanged\"><summary>{heading} <span class=\"kinds\">{}</span></summary>\n<div class=\"redline\">{}</div>\n</details>",
                    if c.renumbered {
                        "renumbered"
                    } else {
                        "unchanged"
                    },
                    escape_html(c.text.trim())
                );
            }
            continue;
        }
        let _ = writeln!(
            out,
            "<section class=\"clause\" id=\"change-{k}\">\n<h3>{heading}</h3>\n<p class=\"kinds\">{}</p>",
            escape_html(&kinds(c).join(" · "))
        );
        if c.title.is_some() || !c.metadata.is_empty() {
            out.push_str("<ul class=\"meta\">\n");
            for (field, old, new) in fields(c) {
                let _ = writeln!(
                    out,
                    "<li>{}: <del>{}</del> <ins>{}</ins></li>",
                    escape_html(&field),
                    escape_html(&old),
                    escape_html(&new)
                );
            }
            out.push_str("</ul>\n");
        }
        if !c.redline.is_empty() {
            let _ = writeln!(
                out,
                "<div class=\"redline\">{}</div>",
                redline_html(&c.redline, false).trim_end()
            );
        }
        out.push_str("</section>\n");
    }
    out.push_str("</body>\n</html>\n");
    out
}
