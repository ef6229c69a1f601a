//! The Markdown body pipeline: references, raw HTML, rendering and the since-marks.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let resolve = |id: &str| {
        (id.len() % 2 == 0).then(|| entente::markdown::Target {
            text: format!("Point {}", id.len()),
            href: format!("#p-{}", id.len()),
        })
    };
    let (references, html) = entente::markdown::scan(text);
    for r in references {
        assert!(r.span.end <= text.len());
    }
    for h in html {
        assert!(h.span.end <= text.len());
    }
    let _ = entente::markdown::to_html(text, "c", 3, &resolve);
    let _ = entente::markdown::to_markdown(text, Some("c"), &resolve);
    assert_eq!(
        entente::markdown::to_markdown(text, None, &|_| None),
        text,
        "nothing to rewrite, nothing changed"
    );
    let _ = entente::term::escape(text);
});
