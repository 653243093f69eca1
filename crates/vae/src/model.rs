//! Encoders and decoders. Every model takes images flattened to `[batch, channels·h·w]` with
//! values in [0, 1] and returns decoder *logits* (Bernoulli likelihood; `sigmoid` gives pixels).

use bundle::{Architecture, BundleError};
use burn::nn::conv::{Conv2d, Conv2dConfig, ConvTranspose2d, ConvTranspose2dConfig};
use burn::nn::{Linear, LinearConfig, PaddingConfig2d};
use burn::prelude::*;
use burn::tensor::activation::relu;

/// Any of the shipped models.
// A page holds one or two models, so the conv variant's size (its optional head) costs nothing
// worth a Box, which burn's Module derive would have to see through.
#[allow(clippy::large_enum_variant)]
#[derive(Module, Debug)]
pub enum Model {
    Mlp(MlpModel),
    Conv(ConvModel),
}

impl Model {
    /// One of our architectures, freshly initialised. An imported model's graph is not one of
    /// them (`crate::imported` builds it): that is an error, never a panic, since the worker
    /// reaches this from a manifest it was sent.
    pub fn try_new(arch: &Architecture, device: &Device) -> Result<Self, BundleError> {
        match arch {
            Architecture::Mlp { input, hidden, latent_dim, variational, relu_code } => {
                let code = Code { variational: *variational, relu: *relu_code };
                Ok(Model::Mlp(MlpModel::new(*input, hidden, *latent_dim, code, device)))
            }
            Architecture::Conv { size, channels, widths, latent_dim, head } => {
                Ok(Model::Conv(ConvModel::new(*size, *channels, widths, *latent_dim, *head, device)))
            }
            Architecture::Imported(_) => Err(BundleError::Inconsistent(
                "an imported model is built from its graph, not as one of the trainer's architectures".into(),
            )),
        }
    }

    /// [`Model::try_new`] for the trainer's presets and tests, which name our architectures only.
    pub fn new(arch: &Architecture, device: &Device) -> Self {
        Self::try_new(arch, device).expect("one of the trainer's own architectures")
    }

    /// μ and log σ² of q(z|x). A plain autoencoder reports log σ² = −∞ in spirit; we return a
    /// large negative constant so σ ≈ 0 everywhere downstream.
    pub fn encode(&self, x: Tensor<2>) -> (Tensor<2>, Tensor<2>) {
        match self {
            Model::Mlp(m) => m.encode(x),
            Model::Conv(m) => m.encode(x),
        }
    }

    /// Decoder logits, flattened like the input.
    pub fn decode_logits(&self, z: Tensor<2>) -> Tensor<2> {
        match self {
            Model::Mlp(m) => m.decode(z),
            Model::Conv(m) => m.decode(z),
        }
    }

    /// Pixels in [0, 1].
    pub fn decode(&self, z: Tensor<2>) -> Tensor<2> {
        burn::tensor::activation::sigmoid(self.decode_logits(z))
    }
}

/// One fully connected layer read out of a model: `y = x · weight + bias`, with `weight` stored
/// row-major as `[inputs, outputs]` (burn's layout, and ONNX Gemm's `B` without transposing).
#[derive(Clone, Debug, PartialEq)]
pub struct DenseLayer {
    pub inputs: usize,
    pub outputs: usize,
    pub weight: Vec<f32>,
    pub bias: Vec<f32>,
}

fn dense(layer: &Linear) -> DenseLayer {
    let [inputs, outputs] = layer.weight.val().dims();
    let read = |t: Tensor<1>| t.into_data().try_to_vec::<f32>().unwrap_or_default();
    DenseLayer {
        inputs,
        outputs,
        weight: read(layer.weight.val().reshape([inputs * outputs])),
        bias: layer.bias.as_ref().map_or_else(|| vec![0.0; outputs], |b| read(b.val())),
    }
}

impl Model {
    /// The decoder's layers, z side first, for exporting it to another runtime (the benchmark's
    /// ONNX peer). Every layer but the last is followed by ReLU, the last by a sigmoid.
    /// `None` for convolutional models.
    pub fn mlp_decoder(&self) -> Option<Vec<DenseLayer>> {
        match self {
            Model::Mlp(m) => Some(m.dec.iter().chain([&m.out]).map(dense).collect()),
            Model::Conv(_) => None,
        }
    }
}

/// Log-variance reported for a deterministic encoder: σ = e^(−10) ≈ 4.5e-5.
pub const AE_LOGVAR: f32 = -20.0;

/// What kind of code an MLP encoder gives: variational (μ and log σ²), or deterministic, and
/// then plain or through a ReLU (the sparse autoencoder's non-negative units).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Code {
    pub variational: bool,
    pub relu: bool,
}

#[derive(Module, Debug)]
pub struct MlpModel {
    pub(crate) enc: Vec<Linear>,
    pub(crate) mu: Linear,
    pub(crate) logvar: Option<Linear>,
    pub(crate) dec: Vec<Linear>,
    pub(crate) out: Linear,
    pub(crate) relu_code: bool,
}

impl MlpModel {
    pub fn new(input: usize, hidden: &[usize], latent: usize, code: Code, device: &Device) -> Self {
        let variational = code.variational;
        let mut enc = Vec::new();
        let mut width = input;
        for &h in hidden {
            enc.push(LinearConfig::new(width, h).init(device));
            width = h;
        }
        let mu = LinearConfig::new(width, latent).init(device);
        let logvar = variational.then(|| LinearConfig::new(width, latent).init(device));
        let mut dec = Vec::new();
        let mut width = latent;
        for &h in hidden.iter().rev() {
            dec.push(LinearConfig::new(width, h).init(device));
            width = h;
        }
        let out = LinearConfig::new(width, input).init(device);
        MlpModel { enc, mu, logvar, dec, out, relu_code: code.relu && !variational }
    }

    fn encode(&self, x: Tensor<2>) -> (Tensor<2>, Tensor<2>) {
        let h = self.enc.iter().fold(x, |h, layer| linear(layer, h, After::Relu));
        let mu = linear(&self.mu, h.clone(), After::Nothing);
        let mu = if self.relu_code { relu(mu) } else { mu };
        let logvar = match &self.logvar {
            Some(l) => linear(l, h, After::Nothing),
            None => mu.zeros_like() + AE_LOGVAR,
        };
        (mu, logvar)
    }

    fn decode(&self, z: Tensor<2>) -> Tensor<2> {
        let h = self.dec.iter().fold(z, |h, layer| linear(layer, h, After::Relu));
        linear(&self.out, h, After::Nothing)
    }
}

#[derive(Module, Debug)]
pub struct ConvModel {
    down: Vec<Conv2d>,
    mu: Linear,
    logvar: Linear,
    pub(crate) from_z: Linear,
    pub(crate) up: Vec<ConvTranspose2d>,
    pub(crate) head: Option<Conv2d>,
    pub(crate) size: usize,
    pub(crate) channels: usize,
    pub(crate) top_width: usize,
    /// The side of the grid between the convolutions and the linear layers (`conv_base`).
    pub(crate) base: usize,
}

impl ConvModel {
    pub fn new(
        size: usize,
        channels: usize,
        widths: &[usize],
        latent: usize,
        head: usize,
        device: &Device,
    ) -> Self {
        let mut down = Vec::new();
        let mut c = channels;
        for &w in widths {
            down.push(
                Conv2dConfig::new([c, w], [4, 4])
                    .with_stride([2, 2])
                    .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
                    .init(device),
            );
            c = w;
        }
        let top_width = c;
        // Validated architectures always have a base; 4 keeps a hand-built odd one working.
        let base = bundle::conv_base(size, widths.len()).unwrap_or(4);
        let flat = top_width * base * base;
        let mu = LinearConfig::new(flat, latent).init(device);
        let logvar = LinearConfig::new(flat, latent).init(device);
        let from_z = LinearConfig::new(latent, flat).init(device);
        let mut up = Vec::new();
        let last_out = if head > 0 { head } else { channels };
        let outs: Vec<usize> = widths.iter().rev().skip(1).copied().chain([last_out]).collect();
        for &o in &outs {
            up.push(
                ConvTranspose2dConfig::new([c, o], [4, 4])
                    .with_stride([2, 2])
                    .with_padding([1, 1])
                    .init(device),
            );
            c = o;
        }
        let head = (head > 0).then(|| {
            Conv2dConfig::new([head, channels], [3, 3])
                .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
                .init(device)
        });
        ConvModel { down, mu, logvar, from_z, up, head, size, channels, top_width, base }
    }

    /// Pixels in one flattened image.
    pub fn image_len(&self) -> usize {
        self.size * self.size * self.channels
    }

    fn encode(&self, x: Tensor<2>) -> (Tensor<2>, Tensor<2>) {
        let [b, _] = x.dims();
        let img: Tensor<4> = x.reshape([b, self.size, self.size, self.channels]).permute([0, 3, 1, 2]);
        let h = self.down.iter().fold(img, |h, conv| conv2d(conv, h, After::LeakyRelu));
        let h: Tensor<2> = h.reshape([b, self.top_width * self.base * self.base]);
        (linear(&self.mu, h.clone(), After::Nothing), linear(&self.logvar, h, After::Nothing))
    }

    fn decode(&self, z: Tensor<2>) -> Tensor<2> {
        let [b, _] = z.dims();
        let h: Tensor<4> =
            linear(&self.from_z, z, After::Relu).reshape([b, self.top_width, self.base, self.base]);
        let last = self.up.len() - 1;
        let h = self.up.iter().enumerate().fold(h, |h, (i, conv)| {
            conv_transpose2d(
                conv,
                h,
                if i == last && self.head.is_none() { After::Nothing } else { After::Relu },
            )
        });
        let h = match &self.head {
            Some(conv) => conv2d(conv, h, After::Nothing),
            None => h,
        };
        // Back to interleaved RGB, the layout images arrive in.
        h.permute([0, 2, 3, 1]).reshape([b, self.size * self.size * self.channels])
    }
}

/// What follows a layer: in the trainer (feature `cpu-training`) fused into it.
#[derive(Clone, Copy)]
enum After {
    Nothing,
    Relu,
    /// With slope 0.2 below zero, the encoder's.
    LeakyRelu,
}

impl After {
    #[cfg(not(feature = "cpu-training"))]
    fn apply<const D: usize>(self, h: Tensor<D>) -> Tensor<D> {
        match self {
            After::Nothing => h,
            After::Relu => relu(h),
            After::LeakyRelu => burn::tensor::activation::leaky_relu(h, 0.2),
        }
    }

    #[cfg(feature = "cpu-training")]
    fn fused(self) -> train_ops::Then {
        match self {
            After::Nothing => train_ops::Then::Identity,
            After::Relu => train_ops::Then::Relu,
            After::LeakyRelu => train_ops::Then::LeakyRelu(0.2),
        }
    }
}

/// `after(layer.forward(x))`; in the trainer on the CPU one fused layer of `train-ops`.
fn linear(layer: &Linear, x: Tensor<2>, after: After) -> Tensor<2> {
    #[cfg(feature = "cpu-training")]
    return train_ops::linear(layer, x, after.fused());
    #[cfg(not(feature = "cpu-training"))]
    after.apply(layer.forward(x))
}

/// `after(layer.forward(x))`; in the trainer on the CPU through `train-ops`, whose backward
/// passes burn-flex lacks.
fn conv2d(layer: &Conv2d, x: Tensor<4>, after: After) -> Tensor<4> {
    #[cfg(feature = "cpu-training")]
    return train_ops::conv2d(layer, x, after.fused());
    #[cfg(not(feature = "cpu-training"))]
    after.apply(layer.forward(x))
}

/// `after(layer.forward(x))`, like [`conv2d`].
fn conv_transpose2d(layer: &ConvTranspose2d, x: Tensor<4>, after: After) -> Tensor<4> {
    #[cfg(feature = "cpu-training")]
    return train_ops::conv_transpose2d(layer, x, after.fused());
    #[cfg(not(feature = "cpu-training"))]
    after.apply(layer.forward(x))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mlp(variational: bool) -> Architecture {
        Architecture::Mlp { input: 784, hidden: vec![64, 32], latent_dim: 8, variational, relu_code: false }
    }

    #[test]
    fn mlp_shapes() {
        let device = Device::flex();
        let m = Model::new(&mlp(true), &device);
        let (mu, lv) = m.encode(Tensor::zeros([3, 784], &device));
        assert_eq!(mu.dims(), [3, 8]);
        assert_eq!(lv.dims(), [3, 8]);
        let x = m.decode(Tensor::zeros([5, 8], &device));
        assert_eq!(x.dims(), [5, 784]);
        let px: Vec<f32> = x.into_data().try_to_vec().unwrap();
        assert!(px.iter().all(|p| (0.0..=1.0).contains(p)));
    }

    #[test]
    fn autoencoder_is_deterministic_with_tiny_sigma() {
        let device = Device::flex();
        let m = Model::new(&mlp(false), &device);
        let (_, lv) = m.encode(Tensor::ones([2, 784], &device));
        let lv: Vec<f32> = lv.into_data().try_to_vec().unwrap();
        assert!(lv.iter().all(|v| *v == AE_LOGVAR));
        assert!(!mlp(false).is_variational());
    }

    #[test]
    fn a_conv_model_of_28_pixel_digits_keeps_its_shape() {
        let device = Device::flex();
        let arch = Architecture::Conv { size: 28, channels: 1, widths: vec![4, 8], latent_dim: 5, head: 0 };
        let m = Model::new(&arch, &device);
        let (mu, _) = m.encode(Tensor::zeros([2, 784], &device));
        assert_eq!(mu.dims(), [2, 5]);
        assert_eq!(m.decode(mu).dims(), [2, 784]);
    }

    #[test]
    fn conv_shapes_round_trip_the_image() {
        let device = Device::flex();
        for head in [0, 6] {
            let arch =
                Architecture::Conv { size: 64, channels: 3, widths: vec![8, 8, 8, 8], latent_dim: 16, head };
            arch.validate().unwrap();
            let m = Model::new(&arch, &device);
            let (mu, lv) = m.encode(Tensor::zeros([2, 64 * 64 * 3], &device));
            assert_eq!((mu.dims(), lv.dims()), ([2, 16], [2, 16]));
            assert_eq!(m.decode(mu).dims(), [2, 64 * 64 * 3]);
        }
    }
}
