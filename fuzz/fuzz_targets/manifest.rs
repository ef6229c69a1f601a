//! The manifest reader on any text.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let mut diagnostics = Vec::new();
    let _ = entente::manifest::parse(text, &mut diagnostics);
    let mut files = entente::diagnostic::Files::default();
    files.insert("entente.toml", text.to_string());
    let _ = entente::diagnostic::render(
        &diagnostics,
        &files,
        entente::diagnostic::Style { color: false },
    );
});
