//! Any text as a link's hash: decoding must never panic, and whatever decodes must encode to a
//! link that decodes to the same state (what the page writes, it can read back).
#![no_main]

use latent::UrlState;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(state) = UrlState::decode(text) {
        let again = UrlState::decode(&state.encode()).expect("an encoded state decodes");
        // z is written with 4 decimals: compare the re-encoded text, which is stable.
        assert_eq!(again.encode(), state.encode());
        assert_eq!(
            (again.model, again.view, again.vector, again.ends, again.present),
            (state.model, state.view, state.vector, state.ends, state.present)
        );
    }
});
