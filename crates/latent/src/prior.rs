//! The prior p(z) a model's codes are drawn from: N(0, I), or a mixture of diagonal Gaussians
//! learned with the model. A VAE whose encoder cannot fill N(0, I) leaves holes that prior
//! samples fall into; a learned mixture puts its mass where the codes are, so its samples
//! decode to digits. The trainer learns it, the manifest carries it, the page samples from it
//! and the trainer's likelihood and sample measurements weigh codes by it.

use crate::rng::Rng;
use serde::{Deserialize, Serialize};

const LN_2PI: f64 = 1.837_877_066_409_345_5;

/// A mixture of `weights.len()` diagonal Gaussians over the latent space.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Mixture {
    /// Component weights, non-negative, summing to 1.
    pub weights: Vec<f32>,
    /// One mean per component, each of the latent's length.
    pub means: Vec<Vec<f32>>,
    /// One log-variance per component and dimension.
    pub log_vars: Vec<Vec<f32>>,
}

/// More components than any preset learns; a manifest asking for more is refused unread.
pub const MAX_COMPONENTS: usize = 4096;

impl Mixture {
    /// Checks a mixture read from a manifest for a latent of `dim` numbers.
    pub fn validate(&self, dim: usize) -> Result<(), String> {
        let k = self.weights.len();
        if k == 0 || k > MAX_COMPONENTS {
            return Err(format!("the prior has {k} components, outside 1..={MAX_COMPONENTS}"));
        }
        if self.means.len() != k || self.log_vars.len() != k {
            return Err(format!(
                "the prior has {k} weights but {} means and {} log-variances",
                self.means.len(),
                self.log_vars.len()
            ));
        }
        if let Some(row) = self.means.iter().chain(&self.log_vars).find(|r| r.len() != dim) {
            return Err(format!("a prior component has {} numbers, not the latent's {dim}", row.len()));
        }
        let finite = |v: &f32| v.is_finite();
        if !self.weights.iter().all(|w| finite(w) && *w >= 0.0)
            || !self.means.iter().chain(&self.log_vars).flatten().all(finite)
        {
            return Err("the prior holds a negative weight or a number that is not finite".into());
        }
        if self.log_vars.iter().flatten().any(|l| l.abs() > 30.0) {
            return Err("a prior log-variance is outside ±30".into());
        }
        let total: f32 = self.weights.iter().sum();
        if (total - 1.0).abs() > 1e-3 {
            return Err(format!("the prior's weights sum to {total}, not 1"));
        }
        Ok(())
    }

    pub fn dim(&self) -> usize {
        self.means.first().map_or(0, Vec::len)
    }

    /// log p(z).
    pub fn log_density(&self, z: &[f32]) -> f64 {
        let terms: Vec<f64> = (0..self.weights.len())
            .map(|k| f64::from(self.weights[k]).ln() + log_normal(z, &self.means[k], &self.log_vars[k]))
            .collect();
        log_sum_exp(&terms)
    }

    /// A code drawn from the mixture, each component's spread scaled by `temperature` (0 gives
    /// a component's mean, 1 the prior itself).
    pub fn sample(&self, rng: &mut Rng, temperature: f32) -> Vec<f32> {
        let k = self.pick(rng);
        self.means[k]
            .iter()
            .zip(&self.log_vars[k])
            .map(|(m, l)| m + temperature * (0.5 * l).exp() * rng.normal())
            .collect()
    }

    fn pick(&self, rng: &mut Rng) -> usize {
        let mut u = rng.unit();
        for (k, w) in self.weights.iter().enumerate() {
            if u < *w {
                return k;
            }
            u -= w;
        }
        self.weights.len() - 1
    }

    /// Mean and variance of each dimension under the whole mixture.
    pub fn moments(&self) -> (Vec<f64>, Vec<f64>) {
        let d = self.dim();
        let (mut mean, mut second) = (vec![0.0f64; d], vec![0.0f64; d]);
        for k in 0..self.weights.len() {
            let w = f64::from(self.weights[k]);
            for t in 0..d {
                let (m, v) = (f64::from(self.means[k][t]), f64::from(self.log_vars[k][t]).exp());
                mean[t] += w * m;
                second[t] += w * (v + m * m);
            }
        }
        let var = mean.iter().zip(&second).map(|(m, s)| (s - m * m).max(0.0)).collect();
        (mean, var)
    }
}

/// log N(z; mean, diag exp(log_var)).
pub fn log_normal(z: &[f32], mean: &[f32], log_var: &[f32]) -> f64 {
    z.iter()
        .zip(mean)
        .zip(log_var)
        .map(|((z, m), l)| {
            let (d, l) = (f64::from(*z) - f64::from(*m), f64::from(*l));
            -0.5 * (LN_2PI + l + d * d / l.exp())
        })
        .sum()
}

/// log N(z; 0, I).
pub fn log_standard_normal(z: &[f32]) -> f64 {
    z.iter().map(|z| -0.5 * (LN_2PI + f64::from(*z) * f64::from(*z))).sum()
}

/// log Σ exp(x), without overflow.
pub fn log_sum_exp(x: &[f64]) -> f64 {
    let max = x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !max.is_finite() {
        return max;
    }
    max + x.iter().map(|v| (v - max).exp()).sum::<f64>().ln()
}

/// A model's prior: the mixture it learned, or N(0, I) when it learned none.
#[derive(Clone, Copy, Debug)]
pub enum Prior<'a> {
    Standard,
    Mixture(&'a Mixture),
}

impl<'a> Prior<'a> {
    pub fn of(mixture: Option<&'a Mixture>) -> Self {
        mixture.map_or(Prior::Standard, Prior::Mixture)
    }

    pub fn log_density(&self, z: &[f32]) -> f64 {
        match self {
            Prior::Standard => log_standard_normal(z),
            Prior::Mixture(m) => m.log_density(z),
        }
    }

    /// A code of `dim` numbers drawn at `temperature`.
    pub fn sample(&self, dim: usize, rng: &mut Rng, temperature: f32) -> Vec<f32> {
        match self {
            Prior::Standard => (0..dim).map(|_| temperature * rng.normal()).collect(),
            Prior::Mixture(m) => m.sample(rng, temperature),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two_bumps() -> Mixture {
        Mixture {
            weights: vec![0.25, 0.75],
            means: vec![vec![-2.0, 0.0], vec![2.0, 1.0]],
            log_vars: vec![vec![0.0, 0.0], vec![(0.25f32).ln(), 0.0]],
        }
    }

    #[test]
    fn one_standard_component_is_the_standard_normal() {
        let m = Mixture { weights: vec![1.0], means: vec![vec![0.0; 3]], log_vars: vec![vec![0.0; 3]] };
        for z in [[0.0, 0.0, 0.0], [1.0, -2.0, 0.5]] {
            assert!((m.log_density(&z) - log_standard_normal(&z)).abs() < 1e-12);
        }
        // N(0, 1) at 0: −½ ln 2π per dimension.
        assert!((log_standard_normal(&[0.0]) + 0.5 * LN_2PI).abs() < 1e-12);
    }

    #[test]
    fn density_is_the_weighted_sum_of_the_components() {
        let m = two_bumps();
        let z = [1.0f32, 0.5];
        let by_hand = 0.25 * log_normal(&z, &m.means[0], &m.log_vars[0]).exp()
            + 0.75 * log_normal(&z, &m.means[1], &m.log_vars[1]).exp();
        assert!((m.log_density(&z) - by_hand.ln()).abs() < 1e-9);
    }

    #[test]
    fn samples_follow_the_weights_and_the_moments() {
        let m = two_bumps();
        let mut rng = Rng::new(5);
        let n = 40_000;
        let xs: Vec<Vec<f32>> = (0..n).map(|_| m.sample(&mut rng, 1.0)).collect();
        let right = xs.iter().filter(|x| x[0] > 0.0).count() as f64 / n as f64;
        assert!((right - 0.75).abs() < 0.01, "{right}");
        let (mean, var) = m.moments();
        for t in 0..2 {
            let mu = xs.iter().map(|x| f64::from(x[t])).sum::<f64>() / n as f64;
            let v = xs.iter().map(|x| (f64::from(x[t]) - mu).powi(2)).sum::<f64>() / n as f64;
            assert!((mu - mean[t]).abs() < 0.03 && (v - var[t]).abs() < 0.06, "dim {t}: {mu} {v}");
        }
        // At T = 0 a sample is a component's mean.
        let at_zero = m.sample(&mut rng, 0.0);
        assert!(m.means.contains(&at_zero));
    }

    #[test]
    fn validation_names_what_is_wrong() {
        assert!(two_bumps().validate(2).is_ok());
        assert!(two_bumps().validate(3).unwrap_err().contains("latent's 3"));
        let mut m = two_bumps();
        m.weights = vec![0.5, 0.6];
        assert!(m.validate(2).unwrap_err().contains("sum to"));
        m.weights = vec![0.5, f32::NAN];
        assert!(m.validate(2).unwrap_err().contains("not finite"));
        let mut m = two_bumps();
        m.means.pop();
        assert!(m.validate(2).unwrap_err().contains("1 means"));
        let empty = Mixture { weights: vec![], means: vec![], log_vars: vec![] };
        assert!(empty.validate(2).is_err());
    }

    #[test]
    fn log_sum_exp_does_not_overflow() {
        assert!((log_sum_exp(&[1000.0, 1000.0]) - (1000.0 + 2f64.ln())).abs() < 1e-9);
        assert_eq!(log_sum_exp(&[f64::NEG_INFINITY]), f64::NEG_INFINITY);
    }
}
