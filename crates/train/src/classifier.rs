//! Small classifiers, trained here only to *measure* the generative models: they label decoded
//! images (is this a confident digit? does this face wear glasses?). They never ship.
//! - an MLP for digits, where a flat view of 28×28 pixels is enough;
//! - a small convolutional net for face attributes. Glasses and smiles are thin strokes that move
//!   with the pose; an MLP sees each pixel position separately and reached only 85% on glasses
//!   (and chance on smiles), while shared filters and a max over positions find a stroke wherever
//!   it is.

use crate::examples::Examples;
use burn::module::Module;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::{Linear, LinearConfig, PaddingConfig2d};
use burn::optim::GradientsParams;
use burn::prelude::*;
use burn::tensor::activation::{log_softmax, relu, softmax};
use latent::rng::Rng;

#[derive(Module, Debug)]
pub struct Mlp {
    hidden: Linear,
    out: Linear,
}

/// Three 3×3 convolutions (the second halves the resolution), a max over all positions, and a
/// linear layer. Input rows are interleaved RGB images of `height × width`.
#[derive(Module, Debug)]
pub struct ConvNet {
    convs: Vec<Conv2d>,
    out: Linear,
    height: usize,
    width: usize,
}

#[derive(Module, Debug)]
pub enum Classifier {
    Mlp(Mlp),
    Conv(ConvNet),
}

fn conv(c_in: usize, c_out: usize, stride: usize, device: &Device) -> Conv2d {
    Conv2dConfig::new([c_in, c_out], [3, 3])
        .with_stride([stride, stride])
        .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
        .init(device)
}

impl Classifier {
    fn mlp(input: usize, hidden: usize, classes: usize, device: &Device) -> Self {
        Classifier::Mlp(Mlp {
            hidden: LinearConfig::new(input, hidden).init(device),
            out: LinearConfig::new(hidden, classes).init(device),
        })
    }

    fn conv(height: usize, width: usize, classes: usize, device: &Device) -> Self {
        let convs = vec![conv(3, 16, 1, device), conv(16, 32, 2, device), conv(32, 32, 1, device)];
        Classifier::Conv(ConvNet { convs, out: LinearConfig::new(32, classes).init(device), height, width })
    }

    fn logits(&self, x: Tensor<2>) -> Tensor<2> {
        match self {
            Classifier::Mlp(m) => m.out.forward(relu(m.hidden.forward(x))),
            Classifier::Conv(c) => {
                let [b, _] = x.dims();
                let img: Tensor<4> = x.reshape([b, c.height, c.width, 3]).permute([0, 3, 1, 2]);
                let h = c.convs.iter().fold(img, |h, conv| train_ops::conv2d(conv, h, train_ops::Then::Relu));
                let [_, ch, hh, ww] = h.dims();
                // The strongest response anywhere: "is there a frame", not "where".
                let pooled: Tensor<2> = h.reshape([b, ch, hh * ww]).max_dim(2).reshape([b, ch]);
                c.out.forward(pooled)
            }
        }
    }

    /// Class probabilities for rows of `x` (`n × dim`, values in [0, 1]).
    pub fn probabilities(&self, x: &[f32], dim: usize, device: &Device) -> Vec<Vec<f32>> {
        let mut out = Vec::with_capacity(x.len() / dim);
        for chunk in x.chunks(500 * dim) {
            let n = chunk.len() / dim;
            let t = Tensor::<1>::from_floats(chunk, device).reshape([n, dim]);
            let p: Vec<f32> = softmax(self.logits(t), 1).into_data().try_to_vec().unwrap_or_default();
            out.extend(p.chunks_exact(p.len() / n.max(1)).map(<[f32]>::to_vec));
        }
        out
    }

    /// Share of rows whose most probable class is `labels[i]`.
    pub fn accuracy(&self, x: &[f32], dim: usize, labels: &[usize], device: &Device) -> f64 {
        let hits =
            self.probabilities(x, dim, device).iter().zip(labels).filter(|(p, l)| argmax(p) == **l).count();
        hits as f64 / labels.len().max(1) as f64
    }
}

impl Classifier {
    /// The weights as burnpack bytes (the layout is fixed by the kind, so only weights are kept).
    pub fn to_bytes(&self) -> Result<Vec<u8>, String> {
        let bytes = self.clone().into_record().into_bytes().map_err(|e| e.to_string())?;
        Ok(bytes.to_vec())
    }

    /// A convolutional classifier of `height × width` RGB images into `classes`, with weights
    /// from [`Classifier::to_bytes`]; an error for bytes of another shape.
    pub fn conv_from_bytes(
        height: usize,
        width: usize,
        classes: usize,
        bytes: Vec<u8>,
        device: &Device,
    ) -> Result<Classifier, String> {
        let record = burn::store::ModuleRecord::from_bytes(burn::tensor::Bytes::from_bytes_vec(bytes))
            .map_err(|e| e.to_string())?
            .cast_to_module_dtype();
        Classifier::conv(height, width, classes, device).try_load_record(record).map_err(|e| e.to_string())
    }
}

pub fn argmax(p: &[f32]) -> usize {
    p.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).map_or(0, |(i, _)| i)
}

/// Train with Adam on cross-entropy. Inputs are used as they are (grey values, not binarised):
/// the images it will judge are decoder means.
pub fn train(ex: &Examples, labels: &[usize], classes: usize, epochs: usize, seed: u64) -> Classifier {
    let device = Device::flex().autodiff();
    device.seed(seed);
    fit(Classifier::mlp(ex.dim, 256, classes, &device), ex, labels, classes, epochs, seed, &device)
}

/// The convolutional detector, for rows that are `height × width` RGB images.
pub fn train_conv(
    ex: &Examples,
    labels: &[usize],
    height: usize,
    classes: usize,
    epochs: usize,
    seed: u64,
) -> Classifier {
    let device = Device::flex().autodiff();
    device.seed(seed);
    let width = ex.dim / (3 * height);
    fit(Classifier::conv(height, width, classes, &device), ex, labels, classes, epochs, seed, &device)
}

fn fit(
    mut model: Classifier,
    ex: &Examples,
    labels: &[usize],
    classes: usize,
    epochs: usize,
    seed: u64,
    device: &Device,
) -> Classifier {
    let device = device.clone();
    let mut optim = train_ops::FusedAdam::init();
    let mut rng = Rng::new(seed);
    let mut order: Vec<usize> = (0..ex.len()).collect();
    let bs = 128.min(ex.len()).max(1);
    for _ in 0..epochs {
        for i in (1..order.len()).rev() {
            order.swap(i, rng.below(i + 1));
        }
        for chunk in order.chunks_exact(bs) {
            let x: Vec<f32> = chunk.iter().flat_map(|&i| ex.row(i).iter().copied()).collect();
            let mut onehot = vec![0.0f32; bs * classes];
            for (r, &i) in chunk.iter().enumerate() {
                onehot[r * classes + labels[i]] = 1.0;
            }
            let x = Tensor::<1>::from_floats(x.as_slice(), &device).reshape([bs, ex.dim]);
            let y = Tensor::<1>::from_floats(onehot.as_slice(), &device).reshape([bs, classes]);
            let loss = -(log_softmax(model.logits(x), 1) * y).sum_dim(1).mean();
            let grads = GradientsParams::from_grads(loss.backward(), &model);
            model = optim.step(1e-3, model, grads);
        }
    }
    model.valid()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two classes told apart by which half of the row is bright: learnable in one epoch.
    #[test]
    fn learns_a_separable_problem() {
        let mut rng = Rng::new(3);
        let (n, dim) = (512, 16);
        let mut x = Vec::new();
        let mut labels = Vec::new();
        for i in 0..n {
            let c = i % 2;
            for j in 0..dim {
                let bright = (j < dim / 2) == (c == 0);
                x.push(if bright { 0.7 + 0.3 * rng.unit() } else { 0.3 * rng.unit() });
            }
            labels.push(c);
        }
        let ex = Examples { x: x.clone(), dim, labels: vec![0; n], binarise: false };
        let model = train(&ex, &labels, 2, 3, 1);
        let acc = model.accuracy(&x, dim, &labels, &Device::flex());
        assert!(acc > 0.95, "accuracy {acc}");
        assert_eq!(argmax(&[0.1, 0.7, 0.2]), 1);
    }

    /// A short bright horizontal stroke somewhere in a noisy 8×16 image, or none: the position
    /// varies, so only a detector that looks for the stroke anywhere can learn it.
    #[test]
    fn a_saved_conv_classifier_loads_with_the_same_answers() {
        let device = Device::flex();
        let c = Classifier::conv(8, 8, 2, &device);
        let x: Vec<f32> = (0..2 * 8 * 8 * 3).map(|i| (i % 7) as f32 / 7.0).collect();
        let back = Classifier::conv_from_bytes(8, 8, 2, c.to_bytes().unwrap(), &device).unwrap();
        assert_eq!(c.probabilities(&x, 192, &device), back.probabilities(&x, 192, &device));
        assert!(Classifier::conv_from_bytes(8, 8, 2, b"not weights".to_vec(), &device).is_err());
    }

    #[test]
    fn conv_detector_finds_a_stroke_wherever_it_is() {
        let mut rng = Rng::new(5);
        let (n, h, w) = (2000, 8, 16);
        let mut x = Vec::new();
        let mut labels = Vec::new();
        for i in 0..n {
            let c = i % 2;
            let (sy, sx) = (rng.below(h), rng.below(w - 4));
            for y in 0..h {
                for xx in 0..w {
                    let on = c == 1 && y == sy && (sx..sx + 4).contains(&xx);
                    let v = if on { 0.9 } else { 0.3 * rng.unit() };
                    x.extend([v, v, v]);
                }
            }
            labels.push(c);
        }
        let dim = h * w * 3;
        let ex = Examples { x: x.clone(), dim, labels: vec![0; n], binarise: false };
        let model = train_conv(&ex, &labels, h, 2, 8, 2);
        let acc = model.accuracy(&x, dim, &labels, &Device::flex());
        assert!(acc > 0.95, "accuracy {acc}");
    }
}
