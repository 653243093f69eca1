//! Codes drawn from the open model's prior: the mixture it learned (`latent::prior`), or
//! N(0, I). The page supplies the seed (the reducer and this stay free of randomness, so they
//! test natively).

use bundle::Manifest;
use latent::prior::Prior;
use latent::rng::Rng;

/// A code of `dim` numbers from `manifest`'s prior at `temperature`. A model of another size
/// than `dim`, or none, samples N(0, I).
pub fn draw(manifest: Option<&Manifest>, dim: usize, temperature: f32, seed: u64) -> Vec<f32> {
    let prior = manifest.filter(|m| m.latent_dim == dim).map_or(Prior::Standard, Manifest::prior);
    prior.sample(dim, &mut Rng::new(seed), temperature)
}

#[cfg(test)]
mod tests {
    use super::*;
    use latent::prior::Mixture;

    fn with_prior(mixture: Option<Mixture>) -> Manifest {
        let mut m = bundle::testing::manifest(2);
        m.prior = mixture;
        m
    }

    #[test]
    fn a_learned_prior_is_sampled_and_the_standard_one_otherwise() {
        let far =
            Mixture { weights: vec![1.0], means: vec![vec![40.0, -40.0]], log_vars: vec![vec![-8.0, -8.0]] };
        let learned = with_prior(Some(far));
        let z = draw(Some(&learned), 2, 1.0, 9);
        assert!((z[0] - 40.0).abs() < 0.2 && (z[1] + 40.0).abs() < 0.2, "{z:?}");
        assert_eq!(draw(Some(&learned), 2, 0.0, 9), vec![40.0, -40.0], "T = 0 is the component's mean");
        let plain = draw(Some(&with_prior(None)), 2, 1.0, 9);
        assert!(plain.iter().all(|v| v.abs() < 6.0));
        assert_eq!(draw(None, 3, 1.0, 9).len(), 3);
        // Another size than the model's: N(0, I) of that size, never the mixture's.
        assert_eq!(draw(Some(&learned), 3, 1.0, 9).len(), 3);
        assert_eq!(draw(Some(&learned), 2, 1.0, 9), draw(Some(&learned), 2, 1.0, 9), "a seed is one code");
    }
}
