//! The front-matter splitter and parser on any text: diagnostics, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let mut diagnostics = Vec::new();
    if let Some(split) = entente::clause::split(text, "f.md", &mut diagnostics) {
        assert_eq!(&text[split.body_offset..], split.body);
        let _ = entente::clause::parse(&split, "f.md", &mut diagnostics);
    }
    for d in &diagnostics {
        if let Some(span) = &d.span {
            assert!(
                span.start <= span.end && span.end <= text.len() + 1,
                "span out of the file"
            );
        }
    }
});
