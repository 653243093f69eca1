//! The activation after a convolution, fused into it: applied to the output in place, and its
//! derivative read back from that output in the backward pass. burn's `leaky_relu` and `relu`
//! were three element-wise passes each way over every activation, a tensor allocated for each
//! (about a tenth of a faces-vae step, bench/OPTIMISATION.md).

use std::borrow::Cow;

use burn::tensor::Tensor;
use burn::tensor::activation::{leaky_relu, relu};
use rayon::prelude::*;

/// What follows a layer. Each is increasing with `f(z) > 0` exactly when `z > 0`, so the
/// output alone tells the derivative.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Then {
    Identity,
    Relu,
    /// `z` above zero, `slope · z` below.
    LeakyRelu(f32),
}

const CHUNK: usize = 1 << 14;

impl Then {
    /// The slope below zero, or `None` for the identity.
    fn below(self) -> Option<f32> {
        match self {
            Then::Identity => None,
            Then::Relu => Some(0.0),
            Then::LeakyRelu(slope) => Some(slope),
        }
    }

    /// `y = f(y)` in place.
    pub fn apply(self, y: &mut [f32]) {
        if let Some(slope) = self.below() {
            y.par_chunks_mut(CHUNK)
                .for_each(|y| y.iter_mut().for_each(|v| *v = if *v > 0.0 { *v } else { *v * slope }));
        }
    }

    /// `dz = dy · f′(z)`, read from the output `y = f(z)`.
    pub fn backward<'a>(self, dy: Cow<'a, [f32]>, y: &[f32]) -> Cow<'a, [f32]> {
        let Some(slope) = self.below() else { return dy };
        // Into a fresh buffer in one pass (copying a borrowed `dy` first would be two).
        let mut dz = vec![0.0f32; dy.len()];
        dz.par_chunks_mut(CHUNK)
            .zip(dy.par_chunks(CHUNK))
            .zip(y.par_chunks(CHUNK))
            .for_each(|((dz, dy), y)| scale_below(slope, dy, y, dz));
        dz.into()
    }

    /// The same for one slice on the calling thread, written into `scratch` (of `dy`'s length):
    /// for kernels that take a batch image by image, so `dz` is made while the image is in cache.
    pub fn derivative<'a>(self, dy: &'a [f32], y: &[f32], scratch: &'a mut [f32]) -> &'a [f32] {
        let Some(slope) = self.below() else { return dy };
        scale_below(slope, dy, y, scratch);
        scratch
    }

    /// The same with burn's own activations: the path off flex, and the tests' reference.
    pub fn burns<const D: usize>(self, t: Tensor<D>) -> Tensor<D> {
        match self {
            Then::Identity => t,
            Then::Relu => relu(t),
            Then::LeakyRelu(slope) => leaky_relu(t, slope as f64),
        }
    }
}

/// `dz = dy` where the output is above zero, `slope · dy` elsewhere.
fn scale_below(slope: f32, dy: &[f32], y: &[f32], dz: &mut [f32]) {
    for ((d, g), y) in dz.iter_mut().zip(dy).zip(y) {
        *d = if *y > 0.0 { *g } else { *g * slope };
    }
}
