//! What the tests share: reading a tensor back, and comparing with burn's figures.

use burn::tensor::Tensor;

pub fn read<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data().try_to_vec::<f32>().expect("an f32 tensor")
}

/// Within 2e-5 of the largest magnitude in `want` (or of 1): float sums taken in another order.
pub fn assert_close(got: Vec<f32>, want: Vec<f32>, what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    let scale = want.iter().fold(1.0f32, |m, v| m.max(v.abs()));
    let d = got.iter().zip(&want).map(|(p, q)| (p - q).abs()).fold(0.0, f32::max);
    assert!(d <= 2e-5 * scale, "{what}: max difference {d} at scale {scale}");
}
