//! The β-ELBO: E_q[log p(x|z)] − β·KL(q(z|x) ‖ N(0, I)), returned as a loss to minimise.
//!
//! The likelihood is Bernoulli on pixel intensities in [0, 1]; with logits `l` its negative log
//! is `softplus(l) − x·l`, which is stable for any `l` (no log(0)). Terms are summed over pixels
//! and latent dimensions (nats per image) and averaged over the batch.

use burn::prelude::*;
use burn::tensor::activation::softplus;

/// Per-batch means of the loss and its parts, all in nats per image.
#[derive(Clone, Debug)]
pub struct Elbo {
    /// `recon + β·kl`, the quantity to minimise.
    pub loss: Tensor<1>,
    pub recon: Tensor<1>,
    pub kl: Tensor<1>,
}

/// Negative Bernoulli log-likelihood per image, `[batch]`. In the trainer on the CPU (feature
/// `cpu-training`) one fused pass each way, `train-ops`; the formula below is its reference.
pub fn bernoulli_nll(x: Tensor<2>, logits: Tensor<2>) -> Tensor<1> {
    #[cfg(feature = "cpu-training")]
    if train_ops::on_flex(&x) && train_ops::on_flex(&logits) {
        return train_ops::bernoulli_nll(x, logits);
    }
    (softplus(logits.clone(), 1.0) - x * logits).sum_dim(1).squeeze_dim(1)
}

/// KL(N(μ, σ²) ‖ N(0, 1)) per dimension, `[batch, latent]`.
pub fn kl_per_dim(mu: Tensor<2>, logvar: Tensor<2>) -> Tensor<2> {
    (mu.powf_scalar(2.0) + logvar.clone().exp() - logvar - 1.0) * 0.5
}

/// The β-ELBO loss. For a plain autoencoder pass `beta = 0` (its KL is meaningless).
pub fn elbo(x: Tensor<2>, logits: Tensor<2>, mu: Tensor<2>, logvar: Tensor<2>, beta: f32) -> Elbo {
    let recon = bernoulli_nll(x, logits).mean();
    let kl = kl_per_dim(mu, logvar).sum_dim(1).squeeze_dim::<1>(1).mean();
    let loss = recon.clone() + kl.clone() * beta;
    Elbo { loss, recon, kl }
}

/// z = μ + σ·ε with ε ~ N(0, I): the reparameterisation that lets gradients reach μ and σ.
pub fn reparameterise(mu: Tensor<2>, logvar: Tensor<2>) -> Tensor<2> {
    let eps = mu.random_like(burn::tensor::Distribution::Normal(0.0, 1.0));
    mu + (logvar * 0.5).exp() * eps
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(values: &[f32], shape: [usize; 2]) -> Tensor<2> {
        Tensor::<1>::from_floats(values, &Device::flex()).reshape(shape)
    }

    fn scalar(x: Tensor<1>) -> f32 {
        x.into_scalar::<f32>()
    }

    #[test]
    fn kl_is_zero_at_the_prior() {
        let kl = kl_per_dim(t(&[0.0; 6], [2, 3]), t(&[0.0; 6], [2, 3]));
        let v: Vec<f32> = kl.into_data().try_to_vec().unwrap();
        assert!(v.iter().all(|k| k.abs() < 1e-7), "{v:?}");
    }

    #[test]
    fn kl_matches_hand_computation() {
        // μ = 1, log σ² = ln 2: ½(1 + 2 − ln 2 − 1) = 1 − ½ ln 2.
        let lv = 2f32.ln();
        let kl = kl_per_dim(t(&[1.0], [1, 1]), t(&[lv], [1, 1]));
        let expected = 1.0 - 0.5 * 2f32.ln();
        assert!((scalar(kl.reshape([1])) - expected).abs() < 1e-6);
    }

    #[test]
    fn bernoulli_nll_matches_hand_computation() {
        // x = 1, l = 0: ln 2. x = 0, l = 2: softplus(2) = ln(1 + e²). x = 0.5, l = −1: ln(1+e⁻¹) + 0.5.
        let nll = bernoulli_nll(t(&[1.0, 0.0, 0.5], [1, 3]), t(&[0.0, 2.0, -1.0], [1, 3]));
        let expected = 2f32.ln() + (1.0 + 2f32.exp()).ln() + (1.0 + (-1f32).exp()).ln() + 0.5;
        assert!((scalar(nll) - expected).abs() < 1e-5);
    }

    #[test]
    fn elbo_weights_kl_by_beta() {
        let x = t(&[1.0, 0.0], [1, 2]);
        let logits = t(&[0.0, 0.0], [1, 2]);
        let mu = t(&[1.0], [1, 1]);
        let lv = t(&[0.0], [1, 1]);
        let e1 = elbo(x.clone(), logits.clone(), mu.clone(), lv.clone(), 1.0);
        let e4 = elbo(x, logits, mu, lv, 4.0);
        let (recon, kl) = (scalar(e1.recon.clone()), scalar(e1.kl.clone()));
        assert!((recon - 2.0 * 2f32.ln()).abs() < 1e-5);
        assert!((kl - 0.5).abs() < 1e-6);
        assert!((scalar(e1.loss) - (recon + kl)).abs() < 1e-5);
        assert!((scalar(e4.loss) - (recon + 4.0 * kl)).abs() < 1e-5);
    }

    #[test]
    fn reparameterisation_has_the_right_moments() {
        let device = Device::flex();
        device.seed(1);
        let n = 20_000;
        let mu = Tensor::<2>::ones([n, 1], &device) * 2.0;
        let lv = Tensor::<2>::zeros([n, 1], &device) + (0.25f32).ln(); // σ = 0.5
        let z: Vec<f32> = reparameterise(mu, lv).into_data().try_to_vec().unwrap();
        let mean = z.iter().sum::<f32>() / n as f32;
        let var = z.iter().map(|v| (v - mean).powi(2)).sum::<f32>() / n as f32;
        assert!((mean - 2.0).abs() < 0.02, "mean {mean}");
        assert!((var.sqrt() - 0.5).abs() < 0.02, "std {}", var.sqrt());
    }
}
