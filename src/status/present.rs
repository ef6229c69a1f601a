//! Showing a status report: a terminal table, Markdown for briefings, JSON (SPEC §4), and
//! an HTML page with a chart; and the progress of a negotiation over its rounds.

use std::fmt::Write as _;

use serde::Serialize;

use super::{COUNTED, Report, Tally};
use crate::model::Position;
use crate::render::escape_html;
use crate::term::escape;

/// How to show a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A table for the terminal.
    Term,
    /// Markdown.
    Markdown,
    /// JSON.
    Json,
    /// A self-contained HTML page.
    Html,
}

/// One round of a negotiation, for `status --history`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Round {
    /// The tag or commit.
    pub rev: String,
    /// The commit's date.
    pub date: String,
    /// Clauses reported on.
    pub clauses: usize,
    /// Share agreed, in percent.
    pub agreed_percent: Option<f64>,
    /// Share agreed, initialled or agreed ad referendum.
    pub settled_percent: Option<f64>,
}

fn pct(p: Option<f64>) -> String {
    p.map_or_else(|| "—".to_string(), |p| format!("{p:.1}%"))
}

const HEADERS: [&str; 6] = [
    "draft",
    "proposed",
    "bracketed",
    "ad ref.",
    "initialled",
    "agreed",
];

fn rows(report: &Report) -> Vec<(String, &Tally)> {
    let mut out = Vec::new();
    for doc in &report.documents {
        out.push((doc.title.clone(), doc));
        for annex in doc.annexes.iter().flatten() {
            out.push((
                format!(
                    "  {} — {}",
                    annex.label.as_deref().unwrap_or(""),
                    annex.title
                ),
                annex,
            ));
        }
    }
    out.push(("All".to_string(), &report.total));
    out
}

/// `text` cut to `n` characters, with an ellipsis when cut.
fn shorten(text: &str, n: usize) -> String {
    if text.chars().count() <= n {
        return text.to_string();
    }
    let cut: String = text.chars().take(n - 1).collect();
    format!("{cut}…")
}

fn position_word(p: Position) -> &'static str {
    p.as_str()
}

/// The report in a format; `color` for the terminal.
pub fn show(report: &Report, format: Format, color: bool) -> String {
    match format {
        Format::Json => serde_json::to_string_pretty(report)
            .map(|s| s + "\n")
            .unwrap_or_default(),
        Format::Term => term(report, color),
        Format::Markdown => markdown(report),
        Format::Html => html(report),
    }
}

fn title_line(report: &Report) -> String {
    let edition = report
        .edition
        .as_ref()
        .map(|e| format!(", edition {e}"))
        .unwrap_or_default();
    format!("Status of {} ({}{edition})", report.total.title, report.rev)
}

fn term(report: &Report, color: bool) -> String {
    let paint = |code: &str, text: &str| crate::term::paint(color, code, text);
    let mut out = String::new();
    let _ = writeln!(out, "{}\n", paint("1", &escape(&title_line(report))));
    let rows = rows(report);
    let width = rows
        .iter()
        .map(|(n, _)| n.chars().count())
        .max()
        .unwrap_or(10)
        .clamp(10, 48);
    let _ = write!(out, "{:width$}  {:>7}", "", "clauses");
    for h in HEADERS {
        let _ = write!(out, "  {h:>10}");
    }
    let _ = writeln!(out, "  {:>8}  {:>8}", "agreed", "by words");
    for (name, t) in &rows {
        let name = shorten(name, width);
        let line = {
            let mut l = format!("{:width$}  {:>7}", escape(&name), t.clauses);
            for s in COUNTED {
                let _ = write!(
                    l,
                    "  {:>10}",
                    t.by_status.get(s.as_str()).copied().unwrap_or(0)
                );
            }
            let _ = write!(
                l,
                "  {:>8}  {:>8}",
                pct(t.agreed_percent),
                pct(t.agreed_words_percent)
            );
            l
        };
        let _ = writeln!(
            out,
            "{}",
            if name == "All" {
                paint("1", &line)
            } else {
                line
            }
        );
    }
    if !report.open.is_empty() {
        let _ = writeln!(
            out,
            "\n{}",
            paint("1", &format!("Open ({}):", report.open.len()))
        );
        for o in &report.open {
            let positions: Vec<String> = o
                .positions
                .iter()
                .map(|(party, p)| {
                    let text = format!("{party} {}", position_word(*p));
                    if *p == Position::Objects {
                        paint("31", &text)
                    } else {
                        text
                    }
                })
                .collect();
            let _ = writeln!(
                out,
                "  {:12} {:36} {:10} {}",
                escape(&o.label),
                escape(&shorten(o.title.as_deref().unwrap_or(""), 36)),
                paint(
                    if o.status == crate::model::Status::Bracketed {
                        "33"
                    } else {
                        "2"
                    },
                    o.status.as_str()
                ),
                positions.join(" · ")
            );
        }
    }
    let contested: Vec<(&String, &String, _)> = report
        .order
        .iter()
        .filter_map(|(id, label)| report.positions.get(id).map(|ps| (id, label, ps)))
        .filter(|(_, _, ps)| ps.values().any(|p| *p != Position::Agrees))
        .collect();
    if !contested.is_empty() {
        let _ = writeln!(
            out,
            "\n{}",
            paint("1", "Positions where a party does not agree:")
        );
        let _ = write!(out, "  {:12}", "");
        for (id, _) in &report.parties {
            let _ = write!(out, " {:>14}", id.chars().take(14).collect::<String>());
        }
        out.push('\n');
        for (_, label, ps) in contested {
            let _ = write!(out, "  {:12}", escape(label));
            for (party, _) in &report.parties {
                let cell = ps.get(party).map_or("—", |p| position_word(*p));
                let cell = format!("{cell:>14}");
                let _ = write!(
                    out,
                    " {}",
                    if cell.trim() == "objects" {
                        paint("1;31", &cell)
                    } else {
                        cell
                    }
                );
            }
            out.push('\n');
        }
    }
    out
}

fn markdown(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## {}\n", title_line(report));
    let _ = writeln!(
        out,
        "| | clauses | {} | agreed | by words |",
        HEADERS.join(" | ")
    );
    let _ = writeln!(
        out,
        "| --- | ---: |{} ---: | ---: |",
        " ---: |".repeat(HEADERS.len())
    );
    for (name, t) in rows(report) {
        let counts: Vec<String> = COUNTED
            .iter()
            .map(|s| {
                t.by_status
                    .get(s.as_str())
                    .copied()
                    .unwrap_or(0)
                    .to_string()
            })
            .collect();
        let name = if name == "All" {
            "**All**".to_string()
        } else {
            name.trim().to_string()
        };
        let _ = writeln!(
            out,
            "| {name} | {} | {} | {} | {} |",
            t.clauses,
            counts.join(" | "),
            pct(t.agreed_percent),
            pct(t.agreed_words_percent)
        );
    }
    if !report.open.is_empty() {
        let _ = writeln!(out, "\n### Open points\n");
        for o in &report.open {
            let positions: Vec<String> = o
                .positions
                .iter()
                .map(|(party, p)| format!("{party}: {}", p.as_str()))
                .collect();
            let _ = writeln!(
                out,
                "- **{}** {} — *{}*{}",
                o.label,
                o.title.as_deref().unwrap_or(""),
                o.status.as_str(),
                if positions.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", positions.join(", "))
                }
            );
        }
    }
    if !report.positions.is_empty() {
        let _ = writeln!(out, "\n### Positions\n");
        let ids: Vec<&str> = report.parties.iter().map(|(id, _)| id.as_str()).collect();
        let _ = writeln!(out, "| | {} |", ids.join(" | "));
        let _ = writeln!(out, "| --- |{}", " --- |".repeat(ids.len()));
        for (clause, label) in &report.order {
            let Some(ps) = report.positions.get(clause) else {
                continue;
            };
            let cells: Vec<String> = ids
                .iter()
                .map(|p| match ps.get(p) {
                    Some(Position::Objects) => "**objects**".to_string(),
                    Some(p) => p.as_str().to_string(),
                    None => "—".to_string(),
                })
                .collect();
            let _ = writeln!(out, "| {label} | {} |", cells.join(" | "));
        }
    }
    out
}

const COLORS: [&str; 6] = [
    "#c9ced6", "#e3c98a", "#e0a3a3", "#9cc9c0", "#8fb5d9", "#6aa87a",
];

/// A stacked bar per document and annex: the share of each status.
fn chart(report: &Report) -> String {
    let rows = rows(report);
    let (bar, gap, label_w, width) = (18, 8, 260, 620);
    let height = rows.len() * (bar + gap) + 40;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"Clauses by status\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n"
    );
    for (k, (name, t)) in rows.iter().enumerate() {
        let y = k * (bar + gap);
        let _ = writeln!(
            svg,
            "<text x=\"0\" y=\"{}\">{}</text>",
            y + 13,
            escape_html(name.trim())
        );
        let mut x = label_w as f64;
        let span = (width - label_w - 50) as f64;
        for (s, color) in COUNTED.iter().zip(COLORS) {
            let n = t.by_status.get(s.as_str()).copied().unwrap_or(0);
            if n == 0 || t.clauses == 0 {
                continue;
            }
            let w = span * n as f64 / t.clauses as f64;
            let _ = writeln!(
                svg,
                "<rect x=\"{x:.1}\" y=\"{y}\" width=\"{w:.1}\" height=\"{bar}\" fill=\"{color}\"><title>{}: {n}</title></rect>",
                s.as_str()
            );
            x += w;
        }
        let _ = writeln!(
            svg,
            "<text x=\"{}\" y=\"{}\">{}</text>",
            width - 45,
            y + 13,
            pct(t.agreed_percent)
        );
    }
    let legend_y = rows.len() * (bar + gap) + 16;
    for (k, (s, color)) in COUNTED.iter().zip(COLORS).enumerate() {
        let x = k * 100;
        let _ = writeln!(
            svg,
            "<rect x=\"{x}\" y=\"{legend_y}\" width=\"10\" height=\"10\" fill=\"{color}\"/><text x=\"{}\" y=\"{}\">{}</text>",
            x + 14,
            legend_y + 9,
            s.as_str()
        );
    }
    svg.push_str("</svg>");
    svg
}

fn html(report: &Report) -> String {
    let title = escape_html(&title_line(report));
    let table = {
        let mut t = String::from("<table>\n<tr><th></th><th>clauses</th>");
        for h in HEADERS {
            let _ = write!(t, "<th>{h}</th>");
        }
        t.push_str("<th>agreed</th><th>by words</th></tr>\n");
        for (name, tally) in rows(report) {
            let _ = write!(
                t,
                "<tr><td>{}</td><td>{}</td>",
                escape_html(name.trim()),
                tally.clauses
            );
            for s in COUNTED {
                let _ = write!(
                    t,
                    "<td>{}</td>",
                    tally.by_status.get(s.as_str()).copied().unwrap_or(0)
                );
            }
            let _ = writeln!(
                t,
                "<td>{}</td><td>{}</td></tr>",
                pct(tally.agreed_percent),
                pct(tally.agreed_words_percent)
            );
        }
        t.push_str("</table>\n");
        t
    };
    let mut open = String::new();
    for o in &report.open {
        let positions: Vec<String> = o
            .positions
            .iter()
            .map(|(party, p)| {
                format!(
                    "<span class=\"{}\">{}: {}</span>",
                    p.as_str(),
                    escape_html(party),
                    p.as_str()
                )
            })
            .collect();
        let _ = writeln!(
            open,
            "<li><strong>{}</strong> {} <em>{}</em> {}</li>",
            escape_html(&o.label),
            escape_html(o.title.as_deref().unwrap_or("")),
            o.status.as_str(),
            positions.join(" ")
        );
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title}</title>\n<style>\nbody {{ font: 11pt/1.5 Georgia, serif; max-width: 52rem; margin: 0 auto; padding: 1.5rem; color: #1d1f24; }}\nh1, h2 {{ font-family: Helvetica, Arial, sans-serif; }}\ntable {{ border-collapse: collapse; font: 10pt Helvetica, Arial, sans-serif; }}\nth, td {{ border: 1px solid #d8dbe0; padding: 0.2rem 0.5rem; text-align: right; }} td:first-child {{ text-align: left; }}\n.objects {{ color: #8c1f1f; font-weight: 700; }}\n</style>\n</head>\n<body>\n<h1>{title}</h1>\n{}\n{table}<h2>Open points</h2>\n<ul>\n{open}</ul>\n</body>\n</html>\n",
        chart(report)
    )
}

/// The progress table of `status --history`.
pub fn history(rounds: &[Round], format: Format) -> String {
    match format {
        Format::Json => serde_json::to_string_pretty(rounds)
            .map(|s| s + "\n")
            .unwrap_or_default(),
        Format::Html => history_html(rounds),
        Format::Term | Format::Markdown => {
            let mut out = String::from(
                "| round | date | clauses | agreed | settled |\n| --- | --- | ---: | ---: | ---: |\n",
            );
            for r in rounds {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} | {} |",
                    r.rev,
                    r.date,
                    r.clauses,
                    pct(r.agreed_percent),
                    pct(r.settled_percent)
                );
            }
            out
        }
    }
}

fn history_html(rounds: &[Round]) -> String {
    let (width, height, pad) = (640.0, 260.0, 40.0);
    let n = rounds.len().max(2) as f64 - 1.0;
    let point = |k: usize, p: Option<f64>| {
        (
            pad + (width - 2.0 * pad) * k as f64 / n,
            height - pad - (height - 2.0 * pad) * p.unwrap_or(0.0) / 100.0,
        )
    };
    let line = |f: &dyn Fn(&Round) -> Option<f64>| {
        rounds
            .iter()
            .enumerate()
            .map(|(k, r)| {
                let (x, y) = point(k, f(r));
                format!("{x:.1},{y:.1}")
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"Share agreed per round\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"11\">\n"
    );
    for p in [0, 25, 50, 75, 100] {
        let (_, y) = point(0, Some(f64::from(p)));
        let _ = writeln!(
            svg,
            "<line x1=\"{pad}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#e5e7eb\"/><text x=\"4\" y=\"{:.1}\">{p}%</text>",
            width - pad,
            y + 4.0
        );
    }
    let _ = writeln!(
        svg,
        "<polyline fill=\"none\" stroke=\"#9cc9c0\" stroke-width=\"2\" points=\"{}\"/>",
        line(&|r| r.settled_percent)
    );
    let _ = writeln!(
        svg,
        "<polyline fill=\"none\" stroke=\"#1f4e8c\" stroke-width=\"2.5\" points=\"{}\"/>",
        line(&|r| r.agreed_percent)
    );
    for (k, r) in rounds.iter().enumerate() {
        let (x, y) = point(k, r.agreed_percent);
        let _ = writeln!(
            svg,
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"3.5\" fill=\"#1f4e8c\"><title>{}: {}</title></circle><text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            escape_html(&r.rev),
            pct(r.agreed_percent),
            height - 18.0,
            escape_html(&r.rev)
        );
    }
    svg.push_str("</svg>");
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Progress of the negotiation</title>\n<style>body {{ font: 11pt Helvetica, Arial, sans-serif; max-width: 48rem; margin: 0 auto; padding: 1.5rem; }} table {{ border-collapse: collapse; }} td, th {{ border: 1px solid #d8dbe0; padding: 0.2rem 0.5rem; }}</style>\n</head>\n<body>\n<h1>Progress of the negotiation</h1>\n<p>Share of clauses agreed (dark) and settled: agreed, initialled or agreed ad referendum (light), per round.</p>\n{svg}\n<table>\n<tr><th>round</th><th>date</th><th>clauses</th><th>agreed</th><th>settled</th></tr>\n{}</table>\n</body>\n</html>\n",
        rounds
            .iter()
            .map(|r| format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                escape_html(&r.rev),
                escape_html(&r.date),
                r.clauses,
                pct(r.agreed_percent),
                pct(r.settled_percent)
            ))
            .collect::<String>()
    )
}
