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

/// A shipped melody bundle's manifest and model, on burn's CPU backend.
fn melody_model(name: &str) -> (bundle::MelodyManifest, vae::sequence::SequenceVae, Device) {
    let dir = crate::workspace().join("web/models").join(name);
    let text = std::fs::read_to_string(dir.join(bundle::MELODY_FILE)).expect("melody manifest");
    let m = bundle::MelodyManifest::parse(&text).expect("valid melody manifest");
    let device = Device::flex();
    let weights = std::fs::read(dir.join(bundle::WEIGHTS_FILE)).expect("melody weights");
    let model = vae::sequence::load_sequence(&m, weights, &device).expect("load the melody model");
    (m, model, device)
}

/// The melody `z` decodes to natively (greedy, as the worker decodes).
pub fn melody_decode(name: &str, z: &[f32]) -> Vec<u8> {
    let (_, model, device) = melody_model(name);
    let z = Tensor::<1>::from_floats(z, &device).reshape([1, z.len()]);
    model.decode_greedy(z).remove(0)
}

/// μ of a melody, natively.
pub fn melody_encode(name: &str, tokens: &[u8]) -> Vec<f32> {
    let (_, model, device) = melody_model(name);
    let ints: Vec<i64> = tokens.iter().map(|t| i64::from(*t)).collect();
    let x = Tensor::<1, Int>::from_ints(ints.as_slice(), &device).reshape([1, tokens.len()]);
    model.encode(x).0.into_data().try_to_vec().expect("floats")
}
