//! Any text as a bundle's manifest.json: parsing must never panic, and a manifest it accepts
//! must be usable as the app uses it (dimensions ordered by KL, every vector of latent_dim
//! numbers, an input shape the architecture takes).
#![no_main]

use libfuzzer_sys::fuzz_target;
use bundle::Manifest;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(m) = Manifest::parse(text) else { return };
    let mut dims = m.dims_by_kl();
    dims.sort_unstable();
    assert_eq!(dims, (0..m.latent_dim).collect::<Vec<_>>());
    assert!(m.vectors.iter().all(|v| v.vector.len() == m.latent_dim));
    assert_eq!(m.image.len(), m.architecture.input_len());
    assert!(m.architecture.validate().is_ok());
});
