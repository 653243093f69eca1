//! Any bytes as a bundle's `codes.bin`, at any size the manifest might claim: reading must never
//! panic, and codes it accepts are whole (μ and log σ² of latent_dim finite numbers, a label each).
#![no_main]

use bundle::Codes;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&dim, bytes)) = data.split_first() else { return };
    let dim = usize::from(dim % 40);
    // The count the manifest would have to claim for this size, and one off it.
    let count = if dim == 0 { 1 } else { bytes.len() / (dim * 8 + 2) };
    for count in [count, count + 1] {
        let Ok(c) = Codes::from_bytes(bytes, dim, count) else { continue };
        assert_eq!((c.mu.len(), c.logvar.len(), c.labels.len()), (count, count, count));
        assert!(c.mu.iter().chain(&c.logvar).all(|r| r.len() == dim && r.iter().all(|v| v.is_finite())));
        assert_eq!(c.to_bytes(), bytes);
    }
});
