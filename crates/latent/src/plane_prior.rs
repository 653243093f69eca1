//! A model's prior on the latent map's plane. N(0, I) projects to one Gaussian; a learned
//! mixture (`prior::Mixture`) projects to a mixture of as many, each component pushed through
//! the projection as a posterior is (`posterior::on_plane`). The holes layer weighs the
//! aggregate posterior against this, so a model that learned its prior is measured against the
//! prior it samples from, not against N(0, I).

use crate::Projection;
use crate::posterior::{Gaussian2, on_plane, prior_on_plane};
use crate::prior::Prior;

#[derive(Clone, Debug, PartialEq)]
pub struct PlanePrior {
    pub weights: Vec<f32>,
    pub components: Vec<Gaussian2>,
}

impl PlanePrior {
    /// `prior` projected by `projection`; N(0, I) when a mixture does not fit the projection.
    pub fn new(prior: Prior, projection: &Projection) -> Self {
        let standard = || PlanePrior { weights: vec![1.0], components: vec![prior_on_plane(projection)] };
        let Prior::Mixture(m) = prior else { return standard() };
        let components: Option<Vec<Gaussian2>> =
            m.means.iter().zip(&m.log_vars).map(|(mu, lv)| on_plane(projection, mu, lv)).collect();
        match components {
            Some(components) => PlanePrior { weights: m.weights.clone(), components },
            None => standard(),
        }
    }

    pub fn pdf(&self, p: [f32; 2]) -> f32 {
        self.weights.iter().zip(&self.components).map(|(w, c)| w * c.pdf(p)).sum()
    }

    /// The highest density: at the mean for one Gaussian; for a mixture, the highest of its
    /// density at the components' means (where its peaks are, up to their overlap).
    pub fn peak(&self) -> f32 {
        self.components.iter().map(|c| self.pdf(c.mean)).fold(0.0, f32::max)
    }

    /// Whether `p` is inside the prior's high-density region: density at least e⁻² of the
    /// peak. For one Gaussian that is its 2σ ellipse (squared Mahalanobis distance ≤ 4).
    pub fn inside(&self, p: [f32; 2], peak: f32) -> bool {
        self.pdf(p) >= peak * (-2.0f32).exp()
    }

    /// One Gaussian with the mixture's mean and covariance: where the rings are drawn and how
    /// far the holes' grid reaches.
    pub fn overall(&self) -> Gaussian2 {
        let total: f32 = self.weights.iter().sum::<f32>().max(f32::MIN_POSITIVE);
        let mut mean = [0.0f32; 2];
        for (w, c) in self.weights.iter().zip(&self.components) {
            mean[0] += w / total * c.mean[0];
            mean[1] += w / total * c.mean[1];
        }
        let mut cov = [0.0f32; 3];
        for (w, c) in self.weights.iter().zip(&self.components) {
            let (dx, dy) = (c.mean[0] - mean[0], c.mean[1] - mean[1]);
            cov[0] += w / total * (c.cov[0] + dx * dx);
            cov[1] += w / total * (c.cov[1] + dx * dy);
            cov[2] += w / total * (c.cov[2] + dy * dy);
        }
        Gaussian2 { mean, cov }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prior::Mixture;

    fn axes() -> Projection {
        Projection { mean: vec![0.0; 3], components: [vec![1.0, 0.0, 0.0], vec![0.0, 1.0, 0.0]] }
    }

    #[test]
    fn the_standard_prior_is_one_unit_gaussian_and_inside_is_its_two_sigma_ellipse() {
        let p = PlanePrior::new(Prior::Standard, &axes());
        assert_eq!(p.components, vec![Gaussian2 { mean: [0.0, 0.0], cov: [1.0, 0.0, 1.0] }]);
        let peak = p.peak();
        assert!(p.inside([1.9, 0.0], peak) && p.inside([1.4, 1.4], peak));
        assert!(!p.inside([2.1, 0.0], peak) && !p.inside([1.5, 1.5], peak));
        assert_eq!(p.overall(), p.components[0]);
    }

    #[test]
    fn a_mixture_projects_component_by_component() {
        let m = Mixture {
            weights: vec![0.5, 0.5],
            means: vec![vec![-2.0, 0.0, 9.0], vec![2.0, 0.0, -9.0]],
            log_vars: vec![vec![(0.25f32).ln(); 3], vec![(0.25f32).ln(); 3]],
        };
        let p = PlanePrior::new(Prior::Mixture(&m), &axes());
        assert_eq!(p.components.len(), 2);
        assert_eq!(p.components[0].mean, [-2.0, 0.0], "the third dimension is off the plane");
        let peak = p.peak();
        // Two bumps with nothing between them: the middle is outside, each bump inside.
        assert!(p.inside([-2.0, 0.0], peak) && p.inside([2.0, 0.3], peak));
        assert!(!p.inside([0.0, 0.0], peak));
        let all = p.overall();
        assert!((all.cov[0] - (0.25 + 4.0)).abs() < 1e-5 && (all.cov[2] - 0.25).abs() < 1e-5, "{all:?}");
        // A mixture that does not fit the projection falls back to N(0, I).
        let short = Mixture { weights: vec![1.0], means: vec![vec![0.0]], log_vars: vec![vec![0.0]] };
        assert_eq!(PlanePrior::new(Prior::Mixture(&short), &axes()).components.len(), 1);
    }
}
