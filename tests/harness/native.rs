//! Native decodes of the shipped bundles, to compare with what the browser drew.

use bundle::{MANIFEST_FILE, Manifest};
use burn::prelude::*;
use vae::load_bundle_dir;

pub fn manifest(name: &str) -> Manifest {
    let dir = crate::workspace().join("web/models").join(name);
    let text = std::fs::read_to_string(dir.join(MANIFEST_FILE)).expect("bundle manifest");
    Manifest::parse(&text).expect("valid manifest")
}

/// Decode `z` with the bundle's weights on burn's CPU backend, as bytes like the app's.
pub fn decode(name: &str, z: &[f32]) -> Vec<u8> {
    decode_values(name, z).iter().map(|v| (v.clamp(0.0, 1.0) * 255.0).round() as u8).collect()
}

/// The decoder's pixel values in [0, 1], before the app rounds them to bytes.
pub fn decode_values(name: &str, z: &[f32]) -> Vec<f32> {
    let m = manifest(name);
    let dir = crate::workspace().join("web/models").join(name);
    let device = Device::flex();
    let model = load_bundle_dir(&m, &dir, &device).expect("load the bundle");
    let out = model.decode(Tensor::<1>::from_floats(z, &device).reshape([1, z.len()]));
    out.into_data().try_to_vec().expect("floats")
}
