//! An MLP autoencoder seen as a stack of layer pairs, for greedy layer-wise training (the stacked
//! autoencoder of Bengio et al. 2007): pair `k` is the `k`-th encoder layer with the decoder layer
//! that undoes it, trained to rebuild the activations below it before the next pair is trained on
//! its codes. Pair 0 is the outermost (pixels to the first hidden layer and back).

use crate::model::{MlpModel, Model};
use burn::module::Module;
use burn::nn::Linear;
use burn::prelude::*;
use burn::tensor::activation::{relu, sigmoid};

/// One encoder layer and the decoder layer that mirrors it.
#[derive(Module, Debug)]
pub struct LayerPair {
    pub enc: Linear,
    pub dec: Linear,
}

impl MlpModel {
    /// Pairs in the stack: one per hidden layer, and the code layer.
    pub fn depth(&self) -> usize {
        self.enc.len() + 1
    }

    /// The decoder layer that undoes encoder layer `k` (the code layer is `k = enc.len()`).
    fn mirror(&self, k: usize) -> &Linear {
        if k == 0 { &self.out } else { &self.dec[self.enc.len() - k] }
    }

    fn mirror_mut(&mut self, k: usize) -> &mut Linear {
        let n = self.enc.len();
        if k == 0 { &mut self.out } else { &mut self.dec[n - k] }
    }

    /// A copy of pair `k`, to be trained on its own.
    pub fn layer_pair(&self, k: usize) -> Option<LayerPair> {
        let enc = if k < self.enc.len() { self.enc[k].clone() } else { self.mu.clone() };
        (k < self.depth()).then(|| LayerPair { enc, dec: self.mirror(k).clone() })
    }

    /// Put a trained pair `k` back in place.
    pub fn with_layer_pair(mut self, k: usize, pair: LayerPair) -> Self {
        if k < self.depth() {
            if k < self.enc.len() {
                self.enc[k] = pair.enc;
            } else {
                self.mu = pair.enc;
            }
            *self.mirror_mut(k) = pair.dec;
        }
        self
    }

    /// What pair `k` is given: the pixels for `k = 0`, else the activations after `k` encoder
    /// layers.
    pub fn below(&self, x: Tensor<2>, k: usize) -> Tensor<2> {
        self.enc.iter().take(k).fold(x, |h, layer| relu(layer.forward(h)))
    }

    /// Pair `k`'s code of `h` (ReLU for a hidden layer; the code layer as the model makes it).
    fn pair_code(&self, pair: &LayerPair, h: Tensor<2>, k: usize) -> Tensor<2> {
        let code = pair.enc.forward(h);
        if k < self.enc.len() || self.relu_code { relu(code) } else { code }
    }

    /// Pair `k`'s rebuilding of `h`: logits for the pixels (`k = 0`), else activations (ReLU).
    fn pair_rebuild(&self, pair: &LayerPair, code: Tensor<2>, k: usize) -> Tensor<2> {
        let out = pair.dec.forward(code);
        if k == 0 { out } else { relu(out) }
    }

    /// The loss pair `k` minimises on a batch of pixels `x`: the Bernoulli negative
    /// log-likelihood of the pixels for the outermost pair, the squared error of the activations
    /// below it for the others (summed over units, averaged over the batch). The layers below
    /// are frozen (detached): greedy training changes one pair at a time.
    pub fn pair_loss(&self, pair: &LayerPair, x: Tensor<2>, k: usize) -> Tensor<1> {
        let h = self.below(x, k).detach();
        let rebuilt = self.pair_rebuild(pair, self.pair_code(pair, h.clone(), k), k);
        if k == 0 {
            crate::loss::bernoulli_nll(h, rebuilt).mean()
        } else {
            (rebuilt - h).powf_scalar(2.0).sum_dim(1).squeeze_dim::<1>(1).mean()
        }
    }

    /// Pixels rebuilt by the first `pairs` pairs alone: up through them and straight back down,
    /// what the stack can do after that many greedy stages.
    pub fn rebuild_through(&self, x: Tensor<2>, pairs: usize) -> Tensor<2> {
        let pairs = pairs.clamp(1, self.depth());
        let mut h = x;
        for (k, pair) in (0..pairs).filter_map(|k| self.layer_pair(k).map(|p| (k, p))) {
            h = self.pair_code(&pair, h, k);
        }
        for k in (0..pairs).rev() {
            let out = self.mirror(k).forward(h);
            h = if k == 0 { out } else { relu(out) };
        }
        sigmoid(h)
    }
}

impl Model {
    /// The MLP inside, for greedy training; `None` for a convolutional model.
    pub fn as_mlp(&self) -> Option<&MlpModel> {
        match self {
            Model::Mlp(m) => Some(m),
            Model::Conv(_) => None,
        }
    }

    pub fn into_mlp(self) -> Option<MlpModel> {
        match self {
            Model::Mlp(m) => Some(m),
            Model::Conv(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bundle::Architecture;

    fn model() -> MlpModel {
        let arch = Architecture::Mlp {
            input: 12,
            hidden: vec![8, 6],
            latent_dim: 3,
            variational: false,
            relu_code: false,
        };
        Model::new(&arch, &Device::flex()).into_mlp().unwrap()
    }

    #[test]
    fn the_full_stack_rebuilds_as_the_model_decodes_its_code() {
        let m = model();
        let x = Tensor::<2>::random([4, 12], burn::tensor::Distribution::Uniform(0.0, 1.0), &Device::flex());
        let full = Model::Mlp(m.clone());
        let (mu, _) = full.encode(x.clone());
        let direct: Vec<f32> = full.decode(mu).into_data().try_to_vec().unwrap();
        let stacked: Vec<f32> = m.rebuild_through(x, 3).into_data().try_to_vec().unwrap();
        assert_eq!(m.depth(), 3);
        assert!(direct.iter().zip(&stacked).all(|(a, b)| (a - b).abs() < 1e-6));
    }

    #[test]
    fn pairs_mirror_each_other_and_go_back_where_they_came_from() {
        let m = model();
        for k in 0..3 {
            let p = m.layer_pair(k).unwrap();
            let [ei, eo] = p.enc.weight.val().dims();
            let [di, do_] = p.dec.weight.val().dims();
            assert_eq!((eo, ei), (di, do_), "pair {k} decodes what it encodes");
        }
        assert!(m.layer_pair(3).is_none());
        // A replaced pair is what the model then uses.
        let mut p = m.layer_pair(1).unwrap();
        p.enc.weight = p.enc.weight.map(|w| w.zeros_like());
        let m2 = m.with_layer_pair(1, p);
        let w: Vec<f32> = m2.layer_pair(1).unwrap().enc.weight.val().into_data().try_to_vec().unwrap();
        assert!(w.iter().all(|v| *v == 0.0));
    }

    #[test]
    fn a_pair_s_loss_is_finite_and_the_outer_one_is_in_nats_of_pixels() {
        let m = model();
        let x = Tensor::<2>::random([4, 12], burn::tensor::Distribution::Uniform(0.0, 1.0), &Device::flex());
        for k in 0..3 {
            let loss = m.pair_loss(&m.layer_pair(k).unwrap(), x.clone(), k).into_scalar::<f32>();
            assert!(loss.is_finite() && loss >= 0.0, "pair {k}: {loss}");
        }
    }
}
