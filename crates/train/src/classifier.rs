//! A small MLP classifier, trained here only to *measure* the generative models: it labels
//! decoded images (is this a confident digit? does this face wear glasses?). It never ships.

use crate::examples::Examples;
use burn::module::Module;
use burn::nn::{Linear, LinearConfig};
use burn::optim::{AdamConfig, GradientsParams};
use burn::prelude::*;
use burn::tensor::activation::{log_softmax, relu, softmax};
use data::rng::Rng;

#[derive(Module, Debug)]
pub struct Classifier {
    hidden: Linear,
    out: Linear,
}

impl Classifier {
    fn new(input: usize, hidden: usize, classes: usize, device: &Device) -> Self {
        Classifier {
            hidden: LinearConfig::new(input, hidden).init(device),
            out: LinearConfig::new(hidden, classes).init(device),
        }
    }

    fn logits(&self, x: Tensor<2>) -> Tensor<2> {
        self.out.forward(relu(self.hidden.forward(x)))
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

pub fn argmax(p: &[f32]) -> usize {
    p.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).map_or(0, |(i, _)| i)
}

/// Train with Adam on cross-entropy. Inputs are used as they are (grey values, not binarised):
/// the images it will judge are decoder means.
pub fn train(ex: &Examples, labels: &[usize], classes: usize, epochs: usize, seed: u64) -> Classifier {
    let device = Device::flex().autodiff();
    device.seed(seed);
    let mut model = Classifier::new(ex.dim, 256, classes, &device);
    let mut optim = AdamConfig::new().init();
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
}
