//! Gaussian posteriors on the latent map's plane and in full: q(z|x) = N(μ, diag σ²) pushed
//! through the map's projection (a 2×2 covariance), the ellipse that draws it, and how much two
//! posteriors overlap.

use crate::Projection;
use std::f32::consts::TAU;

/// A 2-D Gaussian: its mean and covariance (xx, xy, yy).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Gaussian2 {
    pub mean: [f32; 2],
    pub cov: [f32; 3],
}

/// Variances below this are raised to it: a point code (an autoencoder's, σ = 0) would
/// otherwise give infinite densities, or none at all.
const MIN_VAR: f32 = 1e-6;

impl Gaussian2 {
    /// The covariance with its variances floored, and its determinant (kept positive).
    fn floored(&self) -> ([f32; 3], f32) {
        let (a, c) = (self.cov[0].max(MIN_VAR), self.cov[2].max(MIN_VAR));
        let b = self.cov[1].clamp(-0.999 * (a * c).sqrt(), 0.999 * (a * c).sqrt());
        ([a, b, c], a * c - b * b)
    }

    fn det(&self) -> f32 {
        self.floored().1
    }

    /// The squared Mahalanobis distance of `p` from the mean.
    pub fn mahalanobis2(&self, p: [f32; 2]) -> f32 {
        let ([a, b, c], det) = self.floored();
        let (dx, dy) = (p[0] - self.mean[0], p[1] - self.mean[1]);
        (c * dx * dx - 2.0 * b * dx * dy + a * dy * dy) / det
    }

    pub fn log_pdf(&self, p: [f32; 2]) -> f32 {
        -0.5 * self.mahalanobis2(p) - (TAU * self.det().sqrt()).ln()
    }

    pub fn pdf(&self, p: [f32; 2]) -> f32 {
        self.log_pdf(p).exp()
    }
}

/// q(z|x) = N(mu, diag(exp(logvar))) on the map's plane: mean project(mu), covariance
/// Σ_k σ_k² c_a[k] c_b[k].
pub fn on_plane(projection: &Projection, mu: &[f32], logvar: &[f32]) -> Option<Gaussian2> {
    let d = projection.mean.len();
    let [c0, c1] = &projection.components;
    let fits = mu.len() == d && logvar.len() == d && c0.len() == d && c1.len() == d;
    if !fits || mu.iter().chain(logvar).any(|v| !v.is_finite()) {
        return None;
    }
    let mut cov = [0.0f32; 3];
    for k in 0..d {
        let var = logvar[k].clamp(-30.0, 30.0).exp();
        cov[0] += var * c0[k] * c0[k];
        cov[1] += var * c0[k] * c1[k];
        cov[2] += var * c1[k] * c1[k];
    }
    Some(Gaussian2 { mean: projection.project(mu), cov })
}

/// The prior N(0, I) on the plane: mean project(0), covariance P Pᵀ (the identity for
/// orthonormal components).
pub fn prior_on_plane(projection: &Projection) -> Gaussian2 {
    let [c0, c1] = &projection.components;
    let dot = |a: &[f32], b: &[f32]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f32>();
    Gaussian2 {
        mean: projection.project(&vec![0.0; projection.mean.len()]),
        cov: [dot(c0, c0), dot(c0, c1), dot(c1, c1)],
    }
}

/// An ellipse in map coordinates.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Ellipse {
    pub centre: [f32; 2],
    /// The major and the minor semi-axis.
    pub radii: [f32; 2],
    /// Of the major axis from +x, in radians.
    pub angle: f32,
}

/// The ellipse `k` standard deviations out: the eigenvectors of the 2×2 covariance, in closed
/// form.
pub fn ellipse(g: &Gaussian2, k: f32) -> Ellipse {
    let [a, b, c] = g.cov;
    let mid = 0.5 * (a + c);
    let spread = (0.25 * (a - c) * (a - c) + b * b).sqrt();
    let (l1, l2) = ((mid + spread).max(0.0), (mid - spread).max(0.0));
    let angle = 0.5 * (2.0 * b).atan2(a - c);
    Ellipse { centre: g.mean, radii: [k * l1.sqrt(), k * l2.sqrt()], angle }
}

/// The Bhattacharyya coefficient exp(−D_B) ∈ (0, 1] of two diagonal Gaussians in the full
/// latent space: 1 for the same posterior, near 0 when no code is likely under both.
pub fn overlap(mu1: &[f32], logvar1: &[f32], mu2: &[f32], logvar2: &[f32]) -> Option<f64> {
    let d = mu1.len();
    if d == 0 || logvar1.len() != d || mu2.len() != d || logvar2.len() != d {
        return None;
    }
    let mut distance = 0.0f64;
    for k in 0..d {
        let (v1, v2) = (f64::from(logvar1[k]).exp(), f64::from(logvar2[k]).exp());
        let v = 0.5 * (v1 + v2);
        let delta = f64::from(mu1[k]) - f64::from(mu2[k]);
        distance += delta * delta / (8.0 * v) + 0.5 * (v.ln() - 0.5 * (v1.ln() + v2.ln()));
    }
    let bc = (-distance).exp();
    bc.is_finite().then_some(bc)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plane(d: usize) -> Projection {
        let mut c0 = vec![0.0; d];
        let mut c1 = vec![0.0; d];
        c0[0] = 1.0;
        c1[1] = 1.0;
        Projection { mean: vec![0.5; d], components: [c0, c1] }
    }

    #[test]
    fn a_posterior_on_the_plane_keeps_the_variances_of_the_projected_directions() {
        let g = on_plane(&plane(3), &[1.0, 2.0, 3.0], &[(0.25f32).ln(), 0.0, 5.0]).unwrap();
        assert_eq!(g.mean, [0.5, 1.5]);
        assert!((g.cov[0] - 0.25).abs() < 1e-6 && g.cov[1].abs() < 1e-6 && (g.cov[2] - 1.0).abs() < 1e-6);
        assert!(on_plane(&plane(3), &[1.0, 2.0], &[0.0, 0.0]).is_none());
        assert!(on_plane(&plane(3), &[f32::NAN, 2.0, 0.0], &[0.0; 3]).is_none());
        let prior = prior_on_plane(&plane(3));
        assert_eq!((prior.mean, prior.cov), ([-0.5, -0.5], [1.0, 0.0, 1.0]));
    }

    #[test]
    fn the_density_is_a_standard_normal_and_a_point_code_stays_finite() {
        let n = Gaussian2 { mean: [0.0, 0.0], cov: [1.0, 0.0, 1.0] };
        assert!((n.pdf([0.0, 0.0]) - 1.0 / TAU).abs() < 1e-6);
        assert!((n.pdf([1.0, 0.0]) - (-0.5f32).exp() / TAU).abs() < 1e-6);
        let point = Gaussian2 { mean: [0.0, 0.0], cov: [0.0; 3] };
        assert!(point.pdf([0.0, 0.0]).is_finite() && point.pdf([1.0, 1.0]) == 0.0);
    }

    #[test]
    fn ellipses_follow_the_covariance() {
        let round = ellipse(&Gaussian2 { mean: [1.0, 2.0], cov: [4.0, 0.0, 4.0] }, 2.0);
        assert_eq!((round.centre, round.radii), ([1.0, 2.0], [4.0, 4.0]));
        // Variance 2 along the diagonal, 0 across it: a line at 45°.
        let tilted = ellipse(&Gaussian2 { mean: [0.0, 0.0], cov: [1.0, 1.0, 1.0] }, 1.0);
        assert!((tilted.radii[0] - 2f32.sqrt()).abs() < 1e-5 && tilted.radii[1] < 1e-3, "{tilted:?}");
        assert!((tilted.angle - std::f32::consts::FRAC_PI_4).abs() < 1e-5);
        let tall = ellipse(&Gaussian2 { mean: [0.0, 0.0], cov: [1.0, 0.0, 9.0] }, 1.0);
        assert!(
            (tall.radii[0] - 3.0).abs() < 1e-5
                && (tall.angle.abs() - std::f32::consts::FRAC_PI_2).abs() < 1e-5
        );
    }

    #[test]
    fn overlap_is_one_for_the_same_posterior_and_falls_with_distance() {
        let same = overlap(&[0.5, -1.0], &[0.0, -2.0], &[0.5, -1.0], &[0.0, -2.0]).unwrap();
        assert!((same - 1.0).abs() < 1e-12);
        // One dimension, equal unit variances: BC = exp(−Δ²/8).
        let one = overlap(&[0.0], &[0.0], &[2.0], &[0.0]).unwrap();
        assert!((one - (-0.5f64).exp()).abs() < 1e-9, "{one}");
        let far = overlap(&[0.0, 0.0], &[-4.0, -4.0], &[5.0, 5.0], &[-4.0, -4.0]).unwrap();
        assert!(far < 1e-10);
        let ab = overlap(&[0.0], &[0.0], &[1.0], &[1.0]).unwrap();
        let ba = overlap(&[1.0], &[1.0], &[0.0], &[0.0]).unwrap();
        assert!((ab - ba).abs() < 1e-12 && ab < 1.0);
        assert_eq!(overlap(&[], &[], &[], &[]), None);
        assert_eq!(overlap(&[0.0], &[0.0], &[0.0, 1.0], &[0.0, 0.0]), None);
    }
}
