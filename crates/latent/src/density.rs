//! The aggregate posterior against the prior on the map's plane: where the mixture of many
//! images' posteriors q(z|x) puts its mass, and the "holes" where the prior expects codes but
//! that mixture has almost none. A z drawn from the prior lands in a hole as often as
//! anywhere, and decodes to something no training image was.

use crate::plane::PlaneGrid;
use crate::plane_prior::PlanePrior;
use crate::posterior::Gaussian2;
use std::f32::consts::TAU;

/// A cell is a hole where the aggregate posterior's density is below this share of the prior's.
pub const HOLE_RATIO: f32 = 0.1;
/// Components farther than this (squared Mahalanobis distance) add nothing visible to a cell:
/// e^(−50/2) is 1e-11 of the component's peak.
const CUT: f32 = 50.0;

/// Scott's rule for a 2-D kernel density: σ̂ · n^(−1/6), σ̂ the mean of the two coordinates'
/// standard deviations; never below a hundredth, so degenerate input still draws.
pub fn bandwidth(points: &[[f32; 2]]) -> f32 {
    let finite: Vec<[f32; 2]> =
        points.iter().copied().filter(|p| p[0].is_finite() && p[1].is_finite()).collect();
    let n = finite.len();
    if n < 2 {
        return 0.5;
    }
    let sd = |a: usize| {
        let mean = finite.iter().map(|p| f64::from(p[a])).sum::<f64>() / n as f64;
        (finite.iter().map(|p| (f64::from(p[a]) - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt()
    };
    let h = 0.5 * (sd(0) + sd(1)) * (n as f64).powf(-1.0 / 6.0);
    (h as f32).max(0.01)
}

/// The density at every cell centre of the equal-weight mixture of `components`, each widened
/// by `smoothing`² on its diagonal (a plain autoencoder's codes have no σ; this kernel is what
/// gives them a density to draw, by the same rule as a VAE's).
pub fn mixture(components: &[Gaussian2], smoothing: f32, grid: &PlaneGrid) -> Vec<f32> {
    let cells = grid.cells();
    let mut out = vec![0.0f32; cells.len()];
    if components.is_empty() {
        return out;
    }
    let s2 = smoothing * smoothing;
    let weight = 1.0 / components.len() as f32;
    for c in components.iter().filter(|c| c.mean.iter().chain(&c.cov).all(|v| v.is_finite())) {
        let (a, b, d) = (c.cov[0] + s2, c.cov[1], c.cov[2] + s2);
        let det = (a * d - b * b).max(1e-12);
        let (ia, ib, id) = (d / det, -b / det, a / det);
        let norm = weight / (TAU * det.sqrt());
        for (o, p) in out.iter_mut().zip(&cells) {
            let (dx, dy) = (p[0] - c.mean[0], p[1] - c.mean[1]);
            let m = ia * dx * dx + 2.0 * ib * dx * dy + id * dy * dy;
            if m < CUT {
                *o += norm * (-0.5 * m).exp();
            }
        }
    }
    out
}

/// The two densities on a grid and where the prior has holes.
#[derive(Clone, Debug, PartialEq)]
pub struct Holes {
    pub aggregate: Vec<f32>,
    pub prior: Vec<f32>,
    pub hole: Vec<bool>,
    /// The share of the prior's mass on the grid that lies in hole cells.
    pub prior_mass_in_holes: f32,
}

/// Holes: cells inside the prior's high-density region (`PlanePrior::inside`: for N(0, I) its
/// 2σ ellipse) where the aggregate posterior's density is below `ratio` × the prior's.
pub fn holes(aggregate: Vec<f32>, prior: &PlanePrior, grid: &PlaneGrid, ratio: f32) -> Holes {
    let cells = grid.cells();
    let p: Vec<f32> = cells.iter().map(|c| prior.pdf(*c)).collect();
    let peak = prior.peak();
    let hole: Vec<bool> = cells
        .iter()
        .zip(&p)
        .zip(&aggregate)
        .map(|((c, p), q)| prior.inside(*c, peak) && *q < ratio * p)
        .collect();
    let total: f32 = p.iter().sum();
    let in_holes: f32 = p.iter().zip(&hole).filter(|(_, h)| **h).map(|(p, _)| p).sum();
    let prior_mass_in_holes = if total > 0.0 { in_holes / total } else { 0.0 };
    Holes { aggregate, prior: p, hole, prior_mass_in_holes }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    fn standard() -> Gaussian2 {
        Gaussian2 { mean: [0.0, 0.0], cov: [1.0, 0.0, 1.0] }
    }

    fn standard_prior() -> PlanePrior {
        PlanePrior { weights: vec![1.0], components: vec![standard()] }
    }

    fn grid(half: f32, n: usize) -> PlaneGrid {
        PlaneGrid { bounds: [-half, -half, 2.0 * half, 2.0 * half], cols: n, rows: n }
    }

    fn points(centres: impl Iterator<Item = [f32; 2]>) -> Vec<Gaussian2> {
        centres.map(|mean| Gaussian2 { mean, cov: [0.0; 3] }).collect()
    }

    #[test]
    fn scotts_rule_shrinks_with_more_points_and_never_reaches_zero() {
        let mut rng = Rng::new(3);
        let few: Vec<[f32; 2]> = (0..100).map(|_| [rng.normal(), rng.normal()]).collect();
        let many: Vec<[f32; 2]> = (0..10_000).map(|_| [rng.normal(), rng.normal()]).collect();
        let (h_few, h_many) = (bandwidth(&few), bandwidth(&many));
        assert!((h_few - 100f32.powf(-1.0 / 6.0)).abs() < 0.08, "{h_few}");
        assert!(h_many < h_few);
        assert!(bandwidth(&[[1.0, 1.0]; 50]) > 0.0);
        assert!(bandwidth(&[]) > 0.0);
    }

    #[test]
    fn the_mixture_integrates_to_one_on_a_wide_grid() {
        let comps = points([[0.0, 0.0], [1.0, -1.0], [-1.5, 0.5]].into_iter());
        let g = grid(6.0, 120);
        let total: f32 = mixture(&comps, 0.5, &g).iter().sum::<f32>() * g.cell_area();
        assert!((total - 1.0).abs() < 0.01, "{total}");
        assert!(mixture(&[], 0.5, &g).iter().all(|v| *v == 0.0));
    }

    #[test]
    fn codes_that_fill_the_prior_leave_few_holes_and_far_clumps_many() {
        let mut rng = Rng::new(11);
        let g = grid(3.0, 40);
        let filled = points((0..2000).map(|_| [rng.normal(), rng.normal()]));
        let means: Vec<[f32; 2]> = filled.iter().map(|c| c.mean).collect();
        let vae = holes(mixture(&filled, bandwidth(&means), &g), &standard_prior(), &g, HOLE_RATIO);
        let corners = [[-6.0, -6.0], [6.0, -6.0], [-6.0, 6.0], [6.0, 6.0]];
        let clumped = points(
            (0..2000)
                .map(|i| [corners[i % 4][0] + 0.5 * rng.normal(), corners[i % 4][1] + 0.5 * rng.normal()]),
        );
        let means: Vec<[f32; 2]> = clumped.iter().map(|c| c.mean).collect();
        let ae = holes(mixture(&clumped, bandwidth(&means), &g), &standard_prior(), &g, HOLE_RATIO);
        assert!(vae.prior_mass_in_holes < 0.1, "{}", vae.prior_mass_in_holes);
        assert!(ae.prior_mass_in_holes > 0.4, "{}", ae.prior_mass_in_holes);
        // A hole is never outside the prior's 2σ ellipse.
        for (c, h) in g.cells().iter().zip(&ae.hole) {
            assert!(!h || standard().mahalanobis2(*c) <= 4.0);
        }
    }

    #[test]
    fn against_a_learned_mixture_the_gap_between_its_bumps_is_no_hole() {
        // Codes in two clumps: against N(0, I) the middle is a hole; against a prior that
        // learned the two clumps it is not, and the clumps themselves are filled.
        let mut rng = Rng::new(4);
        let g = grid(3.0, 40);
        let clumps = points((0..2000).map(|i| {
            let x = if i % 2 == 0 { -1.5 } else { 1.5 };
            [x + 0.3 * rng.normal(), 0.3 * rng.normal()]
        }));
        let means: Vec<[f32; 2]> = clumps.iter().map(|c| c.mean).collect();
        let q = mixture(&clumps, bandwidth(&means), &g);
        let learned = PlanePrior {
            weights: vec![0.5, 0.5],
            components: [-1.5, 1.5].map(|x| Gaussian2 { mean: [x, 0.0], cov: [0.09, 0.0, 0.09] }).to_vec(),
        };
        let against_standard = holes(q.clone(), &standard_prior(), &g, HOLE_RATIO);
        let against_learned = holes(q, &learned, &g, HOLE_RATIO);
        assert!(against_standard.prior_mass_in_holes > 0.3, "{}", against_standard.prior_mass_in_holes);
        assert!(against_learned.prior_mass_in_holes < 0.05, "{}", against_learned.prior_mass_in_holes);
    }
}
