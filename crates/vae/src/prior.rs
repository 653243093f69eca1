//! A prior learned with the model: a mixture of diagonal Gaussians whose weights, means and
//! variances are trained with the encoder and decoder (the "mixture of Gaussians" prior of
//! Tomczak & Welling 2018). With it the KL term has no closed form; the loss takes the
//! one-sample estimate log q(z|x) − log p(z) at the z the decoder sees.
//!
//! After training, [`standardise`] rescales the code so the mixture has mean 0 and variance 1
//! in every dimension: the same model (every likelihood unchanged), but one whose sliders,
//! links and maps sit in the ranges the page draws for N(0, I).

use crate::model::{MlpModel, Model};
use burn::module::Param;
use burn::prelude::*;
use burn::tensor::activation::log_softmax;
use latent::prior::Mixture;

const LN_2PI: f32 = 1.837_877_1;

#[derive(Module, Debug)]
pub struct MixturePrior {
    logits: Param<Tensor<1>>,
    means: Param<Tensor<2>>,
    log_vars: Param<Tensor<2>>,
}

impl MixturePrior {
    /// `components` unit Gaussians at means drawn from N(0, I), equally weighted: before
    /// training, about N(0, 2I).
    pub fn new(components: usize, dim: usize, device: &Device) -> Self {
        let means = Tensor::random([components, dim], burn::tensor::Distribution::Normal(0.0, 1.0), device);
        MixturePrior {
            logits: Param::from_tensor(Tensor::zeros([components], device)),
            means: Param::from_tensor(means),
            log_vars: Param::from_tensor(Tensor::zeros([components, dim], device)),
        }
    }

    /// The mixture a checkpoint or manifest holds, to train on from there.
    pub fn from_mixture(m: &Mixture, device: &Device) -> Self {
        let flat = |rows: &[Vec<f32>]| {
            let v: Vec<f32> = rows.iter().flatten().copied().collect();
            Tensor::<1>::from_floats(v.as_slice(), device).reshape([rows.len(), m.dim()])
        };
        let logits: Vec<f32> = m.weights.iter().map(|w| w.max(1e-30).ln()).collect();
        MixturePrior {
            logits: Param::from_tensor(Tensor::from_floats(logits.as_slice(), device)),
            means: Param::from_tensor(flat(&m.means)),
            log_vars: Param::from_tensor(flat(&m.log_vars)),
        }
    }

    /// log p(z) for each row of `z` `[batch, dim]`, `[batch]`.
    pub fn log_density(&self, z: Tensor<2>) -> Tensor<1> {
        let [b, d] = z.dims();
        let [k, _] = self.means.dims();
        let diff = z.unsqueeze_dim::<3>(1).expand([b, k, d])
            - self.means.val().unsqueeze_dim::<3>(0).expand([b, k, d]);
        let lv = self.log_vars.val().unsqueeze_dim::<3>(0).expand([b, k, d]);
        let per_component: Tensor<2> =
            ((diff.powf_scalar(2.0) / lv.clone().exp() + lv + LN_2PI).sum_dim(2) * -0.5).squeeze_dim(2);
        let log_weights = log_softmax(self.logits.val(), 0).unsqueeze_dim::<2>(0).expand([b, k]);
        log_sum_exp_rows(per_component + log_weights)
    }

    /// The learned mixture as plain numbers, for the manifest.
    pub fn to_mixture(&self) -> Mixture {
        let read = |t: Tensor<2>| {
            let [rows, cols] = t.dims();
            let v: Vec<f32> = t.into_data().try_to_vec().unwrap_or_default();
            (0..rows).map(|r| v[r * cols..(r + 1) * cols].to_vec()).collect::<Vec<_>>()
        };
        let weights: Vec<f32> = burn::tensor::activation::softmax(self.logits.val(), 0)
            .into_data()
            .try_to_vec()
            .unwrap_or_default();
        // Renormalised in f64 so the stored weights sum to 1 within the manifest's check.
        let total: f64 = weights.iter().map(|w| f64::from(*w)).sum();
        Mixture {
            weights: weights.iter().map(|w| (f64::from(*w) / total) as f32).collect(),
            means: read(self.means.val()),
            log_vars: read(self.log_vars.val()),
        }
    }
}

/// log Σ_k exp(x[·, k]), `[batch]`, shifted by the row maximum so nothing overflows.
fn log_sum_exp_rows(x: Tensor<2>) -> Tensor<1> {
    let max = x.clone().max_dim(1).detach();
    ((x - max.clone()).exp().sum_dim(1).log() + max).squeeze_dim(1)
}

/// log N(z; μ, diag exp(log σ²)) per row, `[batch]`: log q(z|x) at the sampled z.
pub fn log_normal_diag(z: Tensor<2>, mu: Tensor<2>, logvar: Tensor<2>) -> Tensor<1> {
    let sq = (z - mu).powf_scalar(2.0) / logvar.clone().exp();
    ((sq + logvar + LN_2PI).sum_dim(1) * -0.5).squeeze_dim(1)
}

/// The model and its mixture with the code rescaled to z' = (z − c) / s, where c and s are the
/// mixture's mean and standard deviation per dimension. The encoder's last layers, the
/// decoder's first layer and the mixture all absorb the change, so every likelihood is the
/// same (the density of z' carries the Jacobian, which cancels between q and p). Only the MLP
/// models learn a mixture; any other model is returned as it is.
pub fn standardise(model: Model, mixture: &Mixture) -> (Model, Mixture) {
    let Model::Mlp(m) = model else { return (model, mixture.clone()) };
    let (mean, var) = mixture.moments();
    let scale: Vec<f32> = var.iter().map(|v| v.sqrt().max(1e-6) as f32).collect();
    let shift: Vec<f32> = mean.iter().map(|m| *m as f32).collect();
    let m = rescale_code(m, &shift, &scale);
    let mixture = Mixture {
        weights: mixture.weights.clone(),
        means: mixture
            .means
            .iter()
            .map(|row| row.iter().zip(&shift).zip(&scale).map(|((m, c), s)| (m - c) / s).collect())
            .collect(),
        log_vars: mixture
            .log_vars
            .iter()
            .map(|row| row.iter().zip(&scale).map(|(l, s)| l - 2.0 * s.ln()).collect())
            .collect(),
    };
    (Model::Mlp(m), mixture)
}

fn rescale_code(mut m: MlpModel, shift: &[f32], scale: &[f32]) -> MlpModel {
    let device = m.mu.weight.device();
    let d = scale.len();
    let s = Tensor::<1>::from_floats(scale, &device);
    let c = Tensor::<1>::from_floats(shift, &device);
    // μ' = (xW + b − c) / s: each output column divided by s, the bias shifted first.
    m.mu.weight = m.mu.weight.map(|w| w / s.clone().unsqueeze_dim::<2>(0));
    m.mu.bias = m.mu.bias.map(|b| b.map(|b| (b - c.clone()) / s.clone()));
    // log σ'² = log σ² − 2 log s.
    if let Some(lv) = m.logvar.as_mut() {
        let shift_lv = s.clone().log() * 2.0;
        lv.bias = lv.bias.take().map(|b| b.map(|b| b - shift_lv));
    }
    // The decoder reads z = c + s·z': W' = diag(s)·W, b' = b + c·W.
    let first = if let Some(first) = m.dec.first_mut() { first } else { &mut m.out };
    let w = first.weight.val();
    let offset: Tensor<1> = c.unsqueeze_dim::<2>(0).matmul(w).reshape([-1]);
    first.weight = first.weight.clone().map(|w| w * s.reshape([d, 1]));
    first.bias = first.bias.take().map(|b| b.map(|b| b + offset));
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use bundle::Architecture;

    fn device() -> Device {
        Device::flex()
    }

    fn rows(t: Tensor<1>) -> Vec<f32> {
        t.into_data().try_to_vec().unwrap()
    }

    #[test]
    fn the_tensor_density_is_the_plain_one() {
        let dev = device();
        dev.seed(3);
        let prior = MixturePrior::new(5, 3, &dev);
        let mixture = prior.to_mixture();
        mixture.validate(3).unwrap();
        let z = [0.3f32, -1.2, 2.0, 0.0, 0.5, -0.5];
        let t = Tensor::<1>::from_floats(z.as_slice(), &dev).reshape([2, 3]);
        let got = rows(prior.log_density(t));
        for (i, g) in got.iter().enumerate() {
            let want = mixture.log_density(&z[i * 3..i * 3 + 3]);
            assert!((f64::from(*g) - want).abs() < 1e-4, "row {i}: {g} vs {want}");
        }
        // And back from the plain numbers to the same density.
        let again = MixturePrior::from_mixture(&mixture, &dev);
        let t = Tensor::<1>::from_floats(z.as_slice(), &dev).reshape([2, 3]);
        let back = rows(again.log_density(t));
        assert!(got.iter().zip(&back).all(|(a, b)| (a - b).abs() < 1e-4), "{got:?} {back:?}");
    }

    #[test]
    fn log_q_matches_latent() {
        let dev = device();
        let (z, mu, lv) = ([0.5f32, -1.0], [0.0f32, 1.0], [0.2f32, -0.7]);
        let t = |v: &[f32]| Tensor::<1>::from_floats(v, &dev).reshape([1, 2]);
        let got = rows(log_normal_diag(t(&z), t(&mu), t(&lv)))[0];
        let want = latent::prior::log_normal(&z, &mu, &lv);
        assert!((f64::from(got) - want).abs() < 1e-5);
    }

    #[test]
    fn standardising_keeps_every_likelihood_and_centres_the_prior() {
        let dev = device();
        dev.seed(7);
        let arch = Architecture::Mlp {
            input: 12,
            hidden: vec![8],
            latent_dim: 3,
            variational: true,
            relu_code: false,
        };
        let model = Model::new(&arch, &dev);
        let mut mixture = MixturePrior::new(4, 3, &dev).to_mixture();
        // Off-centre and stretched, as training leaves it.
        for row in &mut mixture.means {
            row[0] = row[0] * 3.0 + 5.0;
        }
        let (model2, mixture2) = standardise(model.clone(), &mixture);
        let (mean, var) = mixture2.moments();
        assert!(
            mean.iter().all(|m| m.abs() < 1e-5) && var.iter().all(|v| (v - 1.0).abs() < 1e-4),
            "{mean:?} {var:?}"
        );

        let x = Tensor::<1>::from_floats(
            [0.1f32, 0.9, 0.3, 0.0, 1.0, 0.5, 0.2, 0.8, 0.4, 0.6, 0.7, 0.05].as_slice(),
            &dev,
        )
        .reshape([1, 12]);
        let (mu, lv) = model.encode(x.clone());
        let (mu2, lv2) = model2.encode(x);
        let (scale, shift): (Vec<f64>, Vec<f64>) = {
            let (m, v) = mixture.moments();
            (v.iter().map(|v| v.sqrt()).collect(), m)
        };
        let (mu, lv, mu2, lv2) =
            (rows(mu.reshape([3])), rows(lv.reshape([3])), rows(mu2.reshape([3])), rows(lv2.reshape([3])));
        for t in 0..3 {
            let want = (f64::from(mu[t]) - shift[t]) / scale[t];
            assert!((f64::from(mu2[t]) - want).abs() < 1e-4, "μ {t}");
            assert!(
                (f64::from(lv2[t]) - (f64::from(lv[t]) - 2.0 * scale[t].ln())).abs() < 1e-4,
                "log σ² {t}"
            );
        }
        // The same point of the code decodes to the same picture...
        let z2: Vec<f32> = mu2.clone();
        let z: Vec<f32> = (0..3).map(|t| (shift[t] + scale[t] * f64::from(z2[t])) as f32).collect();
        let a =
            rows(model.decode(Tensor::<1>::from_floats(z.as_slice(), &dev).reshape([1, 3])).reshape([12]));
        let b =
            rows(model2.decode(Tensor::<1>::from_floats(z2.as_slice(), &dev).reshape([1, 3])).reshape([12]));
        assert!(a.iter().zip(&b).all(|(a, b)| (a - b).abs() < 1e-5), "{a:?} {b:?}");
        // ...and log p(z) − log q(z|x), which the likelihood estimates sum, is unchanged.
        let ratio = |m: &Mixture, z: &[f32], mu: &[f32], lv: &[f32]| {
            m.log_density(z) - latent::prior::log_normal(z, mu, lv)
        };
        let before = ratio(&mixture, &z, &mu, &lv);
        let after = ratio(&mixture2, &z2, &mu2, &lv2);
        assert!((before - after).abs() < 1e-3, "{before} {after}");
    }
}
