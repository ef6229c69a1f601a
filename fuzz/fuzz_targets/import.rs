//! Import's splitter on any text: every word kept, ids valid and unique.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    for level in [
        entente::import::Level::Auto,
        entente::import::Level::Fixed(2),
    ] {
        let imported = entente::import::split(text, level, "doc", &Default::default());
        let mut ids = std::collections::BTreeSet::new();
        for piece in imported.pieces() {
            assert!(
                entente::manifest::valid_id(&piece.id),
                "invalid id {:?}",
                piece.id
            );
            assert!(ids.insert(piece.id.clone()), "duplicate id {:?}", piece.id);
        }
    }
});
