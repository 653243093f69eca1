//! The latent map's "holes in the prior" layer as a picture: where the aggregate posterior (the
//! mixture of the posteriors q(z|x) of many images) puts its mass on the map's plane, and the
//! cells inside the prior's 2σ ring where it has less than a tenth of the prior's density. A z
//! drawn from the prior (N(0, I), or the mixture a model learned) lands there about as often as
//! anywhere, yet no training image's code did: its decode is a guess. Plain Rust, tested
//! natively; the page draws the RGBA it returns.

use latent::density;
use latent::plane::PlaneGrid;
use latent::plane_prior::PlanePrior;
use latent::posterior::Gaussian2;

/// Cells a side of the picture.
pub const CELLS: usize = 64;
/// Cells a side of the grid the share is measured on, centred on the prior.
const SHARE_CELLS: usize = 40;
/// How far the grids reach, in the prior's standard deviations.
const PRIOR_REACH: f32 = 3.0;
/// The aggregate posterior's colour (a blue that stays apart from the hole red) and the holes'.
const MASS: [u8; 3] = [49, 110, 180];
const HOLE: [u8; 4] = [214, 39, 40, 190];

#[derive(Clone, Debug, PartialEq)]
pub struct HolesPicture {
    pub grid: PlaneGrid,
    /// CELLS × CELLS RGBA, top row first.
    pub rgba: Vec<u8>,
    /// The share of the prior's mass inside its 2σ ring that falls in holes.
    pub share: f32,
    /// The prior's overall mean and covariance, where the rings are drawn.
    pub prior: Gaussian2,
    /// The hole where the prior is densest: the first place a keyboard user is taken to.
    pub deepest: Option<[f32; 2]>,
}

/// `bounds` (x0, y0, width, height) widened to hold the prior's ±3σ square, so its holes are on
/// screen even when the codes sit inside a smaller region than the prior.
pub fn with_prior(bounds: [f32; 4], prior: &Gaussian2) -> [f32; 4] {
    let [x0, y0, w, h] = prior_square(prior);
    let (lo_x, lo_y) = (bounds[0].min(x0), bounds[1].min(y0));
    let (hi_x, hi_y) = ((bounds[0] + bounds[2]).max(x0 + w), (bounds[1] + bounds[3]).max(y0 + h));
    [lo_x, lo_y, hi_x - lo_x, hi_y - lo_y]
}

fn prior_square(prior: &Gaussian2) -> [f32; 4] {
    let (sx, sy) = (prior.cov[0].max(1e-6).sqrt() * PRIOR_REACH, prior.cov[2].max(1e-6).sqrt() * PRIOR_REACH);
    [prior.mean[0] - sx, prior.mean[1] - sy, 2.0 * sx, 2.0 * sy]
}

/// The picture of `components` (posteriors on the plane) against `prior` over `bounds`. The
/// same kernel widens every posterior (`density::bandwidth` of their means), so a plain
/// autoencoder's codes, which have no σ, get a density too, and the two kinds of model are
/// drawn by one rule.
pub fn picture(components: &[Gaussian2], prior: &PlanePrior, bounds: [f32; 4]) -> Option<HolesPicture> {
    if components.is_empty() || bounds.iter().any(|v| !v.is_finite()) || bounds[2] <= 0.0 || bounds[3] <= 0.0
    {
        return None;
    }
    let means: Vec<[f32; 2]> = components.iter().map(|c| c.mean).collect();
    let smoothing = density::bandwidth(&means);
    let grid = PlaneGrid { bounds, cols: CELLS, rows: CELLS };
    let shown =
        density::holes(density::mixture(components, smoothing, &grid), prior, &grid, density::HOLE_RATIO);
    let overall = prior.overall();
    let around_prior = PlaneGrid { bounds: prior_square(&overall), cols: SHARE_CELLS, rows: SHARE_CELLS };
    let near = density::holes(
        density::mixture(components, smoothing, &around_prior),
        prior,
        &around_prior,
        density::HOLE_RATIO,
    );
    // Of the prior's mass inside its 2σ ring (the cells whose density is at least e⁻² of its
    // peak), the share in holes: 0 when the codes fill the prior, 1 when they miss all of it.
    let ring_edge = prior.peak() * (-2.0f32).exp();
    let (mut ring, mut holes) = (0.0f32, 0.0f32);
    for (p, hole) in near.prior.iter().zip(&near.hole) {
        if *p >= ring_edge {
            ring += p;
            if *hole {
                holes += p;
            }
        }
    }
    let share = if ring > 0.0 { (holes / ring).clamp(0.0, 1.0) } else { 0.0 };
    // The square root keeps the thin tails of the mass visible beside its peaks.
    let peak = shown.aggregate.iter().copied().fold(0.0f32, f32::max).max(f32::MIN_POSITIVE).sqrt();
    let mut rgba = Vec::with_capacity(CELLS * CELLS * 4);
    for (q, hole) in shown.aggregate.iter().zip(&shown.hole) {
        if *hole {
            rgba.extend_from_slice(&HOLE);
        } else {
            let alpha = (q.max(0.0).sqrt() / peak * 220.0).round().clamp(0.0, 220.0) as u8;
            rgba.extend_from_slice(&[MASS[0], MASS[1], MASS[2], alpha]);
        }
    }
    let cells = grid.cells();
    let deepest = shown
        .hole
        .iter()
        .zip(&shown.prior)
        .zip(&cells)
        .filter(|((hole, _), _)| **hole)
        .max_by(|((_, a), _), ((_, b), _)| a.total_cmp(b))
        .map(|(_, c)| *c);
    Some(HolesPicture { grid, rgba, share, prior: overall, deepest })
}

#[cfg(test)]
mod tests {
    use super::*;
    use latent::rng::Rng;

    fn standard() -> Gaussian2 {
        Gaussian2 { mean: [0.0, 0.0], cov: [1.0, 0.0, 1.0] }
    }

    fn standard_prior() -> PlanePrior {
        PlanePrior { weights: vec![1.0], components: vec![standard()] }
    }

    fn posteriors(centres: impl Iterator<Item = [f32; 2]>, var: f32) -> Vec<Gaussian2> {
        centres.map(|mean| Gaussian2 { mean, cov: [var, 0.0, var] }).collect()
    }

    #[test]
    fn codes_that_fill_the_prior_leave_no_holes_and_codes_in_far_clumps_leave_many() {
        let mut rng = Rng::new(7);
        // A VAE's look: posteriors of σ 0.3 whose means spread like N(0, 0.9): together, N(0, I).
        let filled = posteriors((0..1000).map(|_| [0.95 * rng.normal(), 0.95 * rng.normal()]), 0.09);
        let vae = picture(&filled, &standard_prior(), [-3.0, -3.0, 6.0, 6.0]).unwrap();
        // An autoencoder's look: point codes in four tight clumps far from the origin.
        let corners = [[-6.0, -6.0], [6.0, -6.0], [-6.0, 6.0], [6.0, 6.0]];
        let clumped = posteriors(
            (0..1000).map(|i| {
                let c: [f32; 2] = corners[i % 4];
                [c[0] + 0.5 * rng.normal(), c[1] + 0.5 * rng.normal()]
            }),
            0.0,
        );
        let ae = picture(&clumped, &standard_prior(), [-8.0, -8.0, 16.0, 16.0]).unwrap();
        assert!(vae.share < 0.05, "{}", vae.share);
        assert!(ae.share > 0.95, "{}", ae.share);
        assert_eq!((vae.rgba.len(), ae.rgba.len()), (CELLS * CELLS * 4, CELLS * CELLS * 4));
        let red = |p: &HolesPicture| p.rgba.chunks(4).filter(|c| *c == HOLE).count();
        assert!(red(&ae) > 10 * red(&vae).max(1), "{} {}", red(&ae), red(&vae));
        // The deepest hole is where the prior peaks, the origin, which no clump reaches.
        let d = ae.deepest.unwrap();
        assert!(d[0].abs() < 0.5 && d[1].abs() < 0.5, "{d:?}");
    }

    #[test]
    fn the_view_grows_to_show_the_prior_and_never_shrinks() {
        let b = with_prior([-1.0, -1.0, 2.0, 2.0], &standard());
        assert_eq!(b, [-3.0, -3.0, 6.0, 6.0]);
        let wide = [-10.0, -5.0, 20.0, 10.0];
        assert_eq!(with_prior(wide, &standard()), wide);
    }

    #[test]
    fn nothing_to_draw_is_none_not_a_panic() {
        assert!(picture(&[], &standard_prior(), [-3.0, -3.0, 6.0, 6.0]).is_none());
        let one = posteriors(std::iter::once([0.0, 0.0]), 1.0);
        assert!(picture(&one, &standard_prior(), [0.0, 0.0, 0.0, 1.0]).is_none());
        assert!(picture(&one, &standard_prior(), [f32::NAN, 0.0, 1.0, 1.0]).is_none());
    }
}
