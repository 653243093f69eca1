//! Small CPU kernels on plain slices, for the layers of the decoders the explorer runs in a
//! browser worker: [`Dense`], [`ConvTranspose2d`], [`Conv2d`] and the [`Activation`] fused after
//! each. burn stays the engine and the reference; a caller may run a whole decoder through these.
//!
//! Why they exist. burn-flex's matmul packs its constant operand (the weight) again on every
//! call, which at batch 64 is as much memory traffic as the product, and its m = 1 path reads
//! and writes the output row once per input. Here the weight is packed once at construction
//! ([`PackedB`]) and batch 1 has its own gemv that keeps eight accumulators in registers.
//! A transposed convolution is that GEMM (xᵀ · W) with the col2im scatter done straight from the
//! register tile, as onnxruntime does it, so the cols matrix never reaches memory. A stride-1
//! convolution is a direct register-tiled kernel: every input vector loaded serves four output
//! channels, and nothing like im2col is written (burn's im2col + gemm for a 3-channel RGB head
//! was 47% of a VanillaVAE decode, bench/OPTIMISATION.md). Activations use a vectorisable exp
//! instead of a libm call per element.
//!
//! SIMD: `simd::F32x4` is `core::arch::wasm32`'s v128 with `+simd128` (.cargo/config.toml) and
//! a plain array elsewhere (autovectorised SSE/NEON natively). The `relaxed-simd` feature makes
//! the multiply-add one fused instruction (wasm relaxed SIMD) in the loops that carry the target
//! feature; the worker is built with and without it, and the browser's support picks the module.
//!
//! The older kernel, [`direct_conv2d`], and why hand-written: burn-flex 0.22 sends a 3×3 convolution with more than four input channels
//! to im2col + gemm even when it has three output channels (an RGB decoder's last layer). gemm
//! then multiplies a 3-row matrix, which leaves most of its register tile empty, after writing
//! an im2col buffer nine times the input's size: on AntixK's VanillaVAE decoder that one layer
//! was 47% of a decode (bench/OPTIMISATION.md). tract-linalg and gemm are matrix-product
//! libraries, so they would take the same shape; a direct loop over output rows reads each
//! input row in place. The inner loops are contiguous slices that LLVM vectorises (wasm
//! simd128 with `+simd128`, .cargo/config.toml; SSE/AVX natively).

mod activation;
mod class_gemm;
mod conv2d;
mod conv_transpose;
mod dense;
mod direct_conv2d;
mod gemm;
mod simd;
mod sub_pixel;

pub use activation::{Activation, exp};
pub use conv_transpose::{ConvTranspose2d, ConvTransposeOptions, Way};
pub use conv2d::Conv2d;
pub use dense::Dense;
pub use direct_conv2d::{Conv2dShape, direct_conv2d, direct_conv2d_pays};
pub use gemm::PackedB;

#[cfg(test)]
mod tests;
