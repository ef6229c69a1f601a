//! A whole draft from fuzzed bytes: manifest and two clause files, loaded, checked, and
//! rendered in every edition and format when valid.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|parts: (&[u8], &[u8], &[u8])| {
    let (manifest, one, two) = parts;
    let source = entente::source::MemorySource::new(
        "WORKTREE",
        [
            ("entente.toml".to_string(), manifest.to_vec()),
            ("a/one.md".to_string(), one.to_vec()),
            ("a/two.md".to_string(), two.to_vec()),
        ],
    );
    let Ok(loaded) = entente::load::load(&source) else {
        return;
    };
    let diagnostics = entente::check::run(&loaded);
    if entente::check::has_errors(&diagnostics) {
        return;
    }
    let numbers = entente::numbering::assign(&loaded.agreement);
    let Ok(renderer) = entente::render::Renderer::new(&source) else {
        return;
    };
    for edition in &loaded.agreement.editions {
        let projection = entente::edition::project(&loaded.agreement, &numbers, edition);
        let view = entente::render::view_of(
            &projection,
            &numbers,
            &loaded.agreement.scheme,
            &loaded.revision,
        );
        for format in entente::render::Format::ALL {
            let _ = renderer.render(&view, format);
        }
    }
});
