//! The redline engine: equal+delete rebuild the old text, equal+insert the new, exactly.
#![no_main]

use entente::diff::redline::{new_text, old_text, redline, similarity};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|pair: (&str, &str)| {
    let (old, new) = pair;
    let spans = redline(old, new);
    assert_eq!(old_text(&spans), old);
    assert_eq!(new_text(&spans), new);
    assert!(spans.iter().all(|s| !s.text.is_empty()));
    let s = similarity(old, new);
    assert!((0.0..=1.0).contains(&s));
});
