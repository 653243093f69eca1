//! Training ops for the CPU that burn-flex has no fast path for, each a burn backend extension
//! with its backward pass written out, used on flex (with or without autodiff) and nowhere
//! else:
//!
//! - [`conv2d`] and [`conv_transpose2d`] take burn's own layers and run them through three
//!   batched kernels (forward, input gradient, weight gradient: per-image im2col and a `gemm`
//!   product, images spread over the cores), with the activation after them fused in ([`Then`]);
//! - [`linear`] is burn's `Linear` with the activation after it fused in, its three products
//!   by `gemm` on all cores;
//! - [`bernoulli_nll`] is the Bernoulli likelihood of a batch in one pass forward and one back;
//! - [`FusedAdam`] is burn's Adam in one pass over each parameter (an optimiser, not an op).
//!
//! Anywhere else (WebGPU, other dtypes, groups, dilation, "same" padding) the layers are exactly
//! `layer.forward(x)`, and callers check [`on_flex`] before the likelihood.
//!
//! Why: burn-flex 0.22 implements only convolution forwards, and burn's default backward passes
//! made a faces-vae training step several times PyTorch's; the likelihood was ten element-wise
//! passes with a tensor allocated for each (bench/OPTIMISATION.md). burn stays the reference:
//! the tests compare values and gradients with burn's own layers and formula.

mod adam;
mod bernoulli;
mod conv_extension;
pub mod conv_kernels;
mod flex;
mod geometry;
pub mod im2col;
mod linear;
mod product;
#[cfg(test)]
mod testing;
#[cfg(test)]
mod tests;
mod then;

pub use adam::FusedAdam;
pub use bernoulli::{TrainLikelihood, bernoulli_nll};
pub use conv_extension::TrainConv;
pub use geometry::Geometry;
pub use linear::{TrainLinear, linear};
pub use then::Then;

use burn::backend::{Dispatch, DispatchDevice};
use burn::nn::PaddingConfig2d;
use burn::nn::conv::{Conv2d, ConvTranspose2d};
use burn::tensor::{DType, Tensor};

/// Whether the ops here can take this tensor: f32 on flex, with or without autodiff.
pub fn on_flex<const D: usize>(x: &Tensor<D>) -> bool {
    x.dtype() == DType::F32 && matches!(x.device().inner().as_dispatch(), DispatchDevice::Flex(_))
}
/// `then(layer.forward(x))`, through this crate's kernels where they apply.
pub fn conv2d(layer: &Conv2d, x: Tensor<4>, then: Then) -> Tensor<4> {
    let [filters, _, _, _] = layer.weight.dims();
    let pad = match layer.padding {
        PaddingConfig2d::Valid => Some([(0, 0), (0, 0)]),
        PaddingConfig2d::Explicit(top, left, bottom, right) => Some([(top, bottom), (left, right)]),
        PaddingConfig2d::Same => None,
    };
    let geometry =
        pad.and_then(|pad| Geometry::conv2d(x.dims(), filters, layer.kernel_size, layer.stride, pad));
    match (geometry, &layer.bias) {
        (Some(g), Some(bias)) if layer.groups == 1 && layer.dilation == [1, 1] && on_flex(&x) => {
            Tensor::from_dispatch(<Dispatch as TrainConv>::train_conv2d(
                x.into_dispatch(),
                layer.weight.val().into_dispatch(),
                bias.val().into_dispatch(),
                g,
                then,
            ))
        }
        _ => then.burns(layer.forward(x)),
    }
}

/// `then(layer.forward(x))`, through this crate's kernels where they apply.
pub fn conv_transpose2d(layer: &ConvTranspose2d, x: Tensor<4>, then: Then) -> Tensor<4> {
    let [_, channels_out, _, _] = layer.weight.dims();
    let geometry = Geometry::conv_transpose2d(
        x.dims(),
        channels_out,
        layer.kernel_size,
        layer.stride,
        layer.padding,
        layer.padding_out,
    );
    match (geometry, &layer.bias) {
        (Some(g), Some(bias)) if layer.groups == 1 && layer.dilation == [1, 1] && on_flex(&x) => {
            Tensor::from_dispatch(<Dispatch as TrainConv>::train_conv_transpose2d(
                x.into_dispatch(),
                layer.weight.val().into_dispatch(),
                bias.val().into_dispatch(),
                g,
                then,
            ))
        }
        _ => then.burns(layer.forward(x)),
    }
}
