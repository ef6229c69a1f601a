//! Typed reads out of a spanned TOML table, collecting every problem as a diagnostic.
//!
//! Manifest and front matter are parsed into `toml::de::DeTable` first (which keeps the
//! byte span of every key and value) rather than straight into serde structs, so that
//! all unknown keys and all wrong types are reported at once, each at its own position.

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::diagnostic::{Diagnostic, did_you_mean};

/// A value with its byte span in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct At<T> {
    /// The value.
    pub value: T,
    /// Its span in the file.
    pub span: Range<usize>,
}

/// Reads values from tables of one file, where the TOML text starts at `offset`.
pub struct Reader<'d> {
    /// The file, relative to the draft root.
    pub file: String,
    /// Where the TOML text starts in the file.
    pub offset: usize,
    /// Where problems go.
    pub diagnostics: &'d mut Vec<Diagnostic>,
}

fn kind(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

impl Reader<'_> {
    /// A span of the TOML text, moved into file coordinates.
    pub fn span(&self, span: Range<usize>) -> Range<usize> {
        span.start + self.offset..span.end + self.offset
    }

    /// Reports every key of `table` not in `known`, suggesting the nearest known key.
    pub fn unknown_keys(&mut self, table: &DeTable<'_>, known: &[&str], what: &str) {
        for key in table.keys() {
            let name: &str = key.get_ref();
            if !known.contains(&name) {
                let hint = did_you_mean(name, known.iter().copied())
                    .unwrap_or_else(|| format!("the keys of {what} are {}", list(known)));
                let d = Diagnostic::error(
                    "unknown-key",
                    &self.file,
                    Some(self.span(key.span())),
                    format!("unknown key `{name}` in {what}"),
                )
                .with_hint(hint);
                self.diagnostics.push(d);
            }
        }
    }

    fn wrong_type(&mut self, key: &str, value: &Spanned<DeValue<'_>>, expected: &str) {
        let d = Diagnostic::error(
            "wrong-type",
            &self.file,
            Some(self.span(value.span())),
            format!("`{key}` must be {expected}, not {}", kind(value.get_ref())),
        );
        let hint = match expected {
            "a string" => format!("write it in double quotes: `{key} = \"...\"`"),
            "an array of strings" => format!("write a list, even of one item: `{key} = [\"...\"]`"),
            "`true` or `false`" => format!("`{key} = true` or `{key} = false`, without quotes"),
            _ => String::new(),
        };
        let d = if hint.is_empty() {
            d
        } else {
            d.with_hint(hint)
        };
        self.diagnostics.push(d);
    }

    /// A string value, or a diagnostic if `key` holds something else.
    pub fn string(&mut self, table: &DeTable<'_>, key: &str) -> Option<At<String>> {
        let value = table.get(key)?;
        match value.get_ref() {
            DeValue::String(s) => Some(At {
                value: s.to_string(),
                span: self.span(value.span()),
            }),
            _ => {
                self.wrong_type(key, value, "a string");
                None
            }
        }
    }

    /// A boolean value.
    pub fn boolean(&mut self, table: &DeTable<'_>, key: &str) -> Option<bool> {
        let value = table.get(key)?;
        match value.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            _ => {
                self.wrong_type(key, value, "`true` or `false`");
                None
            }
        }
    }

    /// An array of strings; elements of another type are reported and skipped.
    pub fn strings(&mut self, table: &DeTable<'_>, key: &str) -> Vec<At<String>> {
        let Some(value) = table.get(key) else {
            return Vec::new();
        };
        let DeValue::Array(items) = value.get_ref() else {
            self.wrong_type(key, value, "an array of strings");
            return Vec::new();
        };
        // Sized to the array: every clause's notes and tags are held until it is built.
        let mut out = Vec::with_capacity(items.len());
        for item in items.iter() {
            match item.get_ref() {
                DeValue::String(s) => out.push(At {
                    value: s.to_string(),
                    span: self.span(item.span()),
                }),
                _ => self.wrong_type(key, item, "a string"),
            }
        }
        out
    }

    /// A sub-table, with the span of its key.
    pub fn table<'t, 'i>(
        &mut self,
        table: &'t DeTable<'i>,
        key: &str,
    ) -> Option<(&'t DeTable<'i>, Range<usize>)> {
        let value = table.get(key)?;
        match value.get_ref() {
            DeValue::Table(t) => Some((t, self.span(value.span()))),
            _ => {
                self.wrong_type(key, value, "a table");
                None
            }
        }
    }

    /// An array of tables (`[[key]]`), each with its span.
    pub fn tables<'t, 'i>(
        &mut self,
        table: &'t DeTable<'i>,
        key: &str,
    ) -> Vec<(&'t DeTable<'i>, Range<usize>)> {
        let Some(value) = table.get(key) else {
            return Vec::new();
        };
        let DeValue::Array(items) = value.get_ref() else {
            self.wrong_type(key, value, "an array of tables (`[[...]]`)");
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items.iter() {
            match item.get_ref() {
                DeValue::Table(t) => out.push((t, self.span(item.span()))),
                _ => self.wrong_type(key, item, "a table"),
            }
        }
        out
    }

    /// Every entry of a table as (key, value span, string value); non-strings reported.
    pub fn string_map(&mut self, table: &DeTable<'_>) -> Vec<(At<String>, At<String>)> {
        // Sized to the table, as [`Reader::strings`].
        let mut out = Vec::with_capacity(table.len());
        for (key, value) in table.iter() {
            let k = At {
                value: key.get_ref().to_string(),
                span: self.span(key.span()),
            };
            match value.get_ref() {
                DeValue::String(s) => out.push((
                    k,
                    At {
                        value: s.to_string(),
                        span: self.span(value.span()),
                    },
                )),
                _ => self.wrong_type(key.get_ref(), value, "a string"),
            }
        }
        out
    }

    /// Reports an error at `span` (already in file coordinates).
    pub fn error(
        &mut self,
        code: &'static str,
        span: Range<usize>,
        message: String,
        hint: Option<String>,
    ) {
        let d = Diagnostic::error(code, &self.file, Some(span), message).with_hint_opt(hint);
        self.diagnostics.push(d);
    }

    /// Parses TOML text, reporting syntax errors; recovers what it can.
    pub fn parse<'i>(&mut self, text: &'i str) -> Spanned<DeTable<'i>> {
        let (table, errors) = DeTable::parse_recoverable(text);
        for e in errors {
            let span = e.span().map(|s| self.span(s));
            let message = e.message().trim().trim_end_matches('.').to_string();
            let d = Diagnostic::error(
                "toml-syntax",
                &self.file,
                span,
                format!("invalid TOML: {message}"),
            )
            .with_hint("see https://toml.io for the syntax; strings need double quotes");
            self.diagnostics.push(d);
        }
        table
    }
}

/// `a`, `b` and `c`.
pub fn list(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => quoted.join(""),
    }
}
