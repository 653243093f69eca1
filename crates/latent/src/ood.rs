//! How unlike the training data an input is, by the model's own measure: the negative ELBO of
//! what the page actually has (the prepared 8-bit input, the decoder's 8-bit reconstruction of
//! μ, and q(z|x)), placed among the same score over the model's test set.
//!
//! Two measures, because each misses what the other sees: the negative ELBO is what a VAE is
//! trained on, but a Bernoulli likelihood forgives faint content (a photo of a cat prepared as a
//! digit is a scatter of dim specks, which costs little to miss, so its ELBO was rarer than only
//! 96.7% of mnist-vae's test digits); [`missed_share`], the share of the input's energy that
//! the reconstruction misses, is rarer for that cat than for any test digit. An input's rarity
//! is the higher of its two percentiles ([`rarity`]).
//!
//! The trainer computes the test set's scores with these functions and stores their
//! percentiles in the manifest; the page computes an item's scores with the same functions and
//! reads their percentiles with [`percentile`]. One function on both sides, so the two agree.

/// Reconstructions arrive as bytes: 0 and 255 would make the Bernoulli likelihood infinite, so
/// a pixel is never taken as surer than half an 8-bit step from either end.
const EDGE: f64 = 0.5 / 255.0;

/// σ from log σ², as the page keeps it for every gallery item (clamped so a plain
/// autoencoder's very negative log σ² stays finite).
pub fn sigma(logvar: &[f32]) -> Vec<f32> {
    logvar.iter().map(|l| (0.5 * l.clamp(-30.0, 30.0)).exp()).collect()
}

/// Negative ELBO in nats: the Bernoulli negative log-likelihood of the input under the
/// reconstruction, plus KL(N(μ, σ²) ‖ N(0, I)). Higher means less like the training data.
/// `input` and `recon` hold the same number of 8-bit values; `mu` and `sigma` one per dimension.
pub fn negative_elbo(input: &[u8], recon: &[u8], mu: &[f32], sigma: &[f32]) -> f64 {
    reconstruction_nats(input, recon) + kl_nats(mu, sigma)
}

/// The Bernoulli negative log-likelihood of `input` under `recon`, in nats.
pub fn reconstruction_nats(input: &[u8], recon: &[u8]) -> f64 {
    input
        .iter()
        .zip(recon)
        .map(|(&x, &r)| {
            let x = f64::from(x) / 255.0;
            let r = (f64::from(r) / 255.0).clamp(EDGE, 1.0 - EDGE);
            -(x * r.ln() + (1.0 - x) * (1.0 - r).ln())
        })
        .sum()
}

/// KL(N(μ, σ²) ‖ N(0, I)) in nats.
pub fn kl_nats(mu: &[f32], sigma: &[f32]) -> f64 {
    mu.iter()
        .zip(sigma)
        .map(|(&m, &s)| {
            let (m, s) = (f64::from(m), f64::from(s).max(1e-12));
            0.5 * (m * m + s * s - 1.0 - 2.0 * s.ln())
        })
        .sum()
}

/// Σ(x − r)² / Σx² over the 8-bit input `x` and reconstruction `r` (scaled to 0..1): the share
/// of the input's energy the reconstruction misses (0 is perfect; 1 is as bad as a blank image).
/// The input's energy counts as at least one full pixel's, so a blank input stays finite.
pub fn missed_share(input: &[u8], recon: &[u8]) -> f64 {
    let v = |b: u8| f64::from(b) / 255.0;
    let error: f64 = input.iter().zip(recon).map(|(&x, &r)| (v(x) - v(r)).powi(2)).sum();
    let energy: f64 = input.iter().map(|&x| v(x).powi(2)).sum();
    error / energy.max(1.0)
}

/// The missed share as a photo's framing is judged: a grey photo (in a model of `channels` = 3,
/// every pixel's three values equal) against the reconstruction's grey (the mean of its
/// channels), since the model draws in colour what a grey photo cannot show; otherwise
/// [`missed_share`] itself.
pub fn missed_share_seen(input: &[u8], recon: &[u8], channels: usize) -> f64 {
    let grey_photo = channels == 3 && input.chunks_exact(3).all(|p| p[0] == p[1] && p[1] == p[2]);
    if !grey_photo {
        return missed_share(input, recon);
    }
    let mean = |v: &[u8]| -> Vec<u8> {
        v.chunks_exact(3)
            .map(|p| ((u16::from(p[0]) + u16::from(p[1]) + u16::from(p[2]) + 1) / 3) as u8)
            .collect()
    };
    missed_share(&mean(input), &mean(recon))
}

/// An input's rarity (0–100): the higher of its negative ELBO's percentile among `elbo` and its
/// missed share's among `missed` (each a manifest's 101 quantiles; `missed` may be empty, in
/// bundles scored before it, and then only the ELBO counts).
pub fn rarity(input: &[u8], recon: &[u8], mu: &[f32], sigma: &[f32], elbo: &[f64], missed: &[f64]) -> f64 {
    let by_elbo = percentile(negative_elbo(input, recon, mu, sigma), elbo);
    if missed.is_empty() {
        return by_elbo;
    }
    by_elbo.max(percentile(missed_share(input, recon), missed))
}

/// `quantiles` are a sorted score's percentiles 0, 1, …, 100 (101 values, as the manifest
/// stores them); the percentile of `score` among them, interpolated between neighbours, 0 below
/// the lowest and 100 above the highest.
pub fn percentile(score: f64, quantiles: &[f64]) -> f64 {
    let n = quantiles.len();
    if n < 2 || score.is_nan() {
        return f64::NAN;
    }
    let step = 100.0 / (n - 1) as f64;
    if score < quantiles[0] {
        return 0.0;
    }
    if score >= quantiles[n - 1] {
        return 100.0;
    }
    let i = quantiles.partition_point(|&q| q <= score).clamp(1, n - 1);
    let (lo, hi) = (quantiles[i - 1], quantiles[i]);
    let within = if hi > lo { (score - lo) / (hi - lo) } else { 1.0 };
    ((i - 1) as f64 + within) * step
}

/// The percentiles 0, 1, …, 100 of `scores` (sorted on the way; NaNs left out), for the
/// manifest. Empty when there is nothing to rank.
pub fn percentiles(mut scores: Vec<f64>) -> Vec<f64> {
    scores.retain(|s| !s.is_nan());
    if scores.is_empty() {
        return Vec::new();
    }
    scores.sort_by(f64::total_cmp);
    let last = (scores.len() - 1) as f64;
    (0..=100)
        .map(|p| {
            let at = last * f64::from(p) / 100.0;
            let (i, frac) = (at.floor() as usize, at.fract());
            let next = scores[(i + 1).min(scores.len() - 1)];
            scores[i] + (next - scores[i]) * frac
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_perfect_reconstruction_at_the_prior_costs_only_the_edge_clamp() {
        let x = [0u8, 255, 0, 255];
        let score = negative_elbo(&x, &x, &[0.0, 0.0], &[1.0, 1.0]);
        // Each pixel costs -ln(1 - 0.5/255) ≈ 0.00196 nats; KL is zero at N(0, 1).
        assert!((score - 4.0 * -(1.0 - EDGE).ln()).abs() < 1e-9, "{score}");
    }

    #[test]
    fn a_worse_reconstruction_or_a_code_far_from_the_prior_scores_higher() {
        let x = [10u8, 200, 30, 250];
        let good = negative_elbo(&x, &[12, 198, 33, 248], &[0.1], &[0.9]);
        let bad = negative_elbo(&x, &[200, 20, 220, 5], &[0.1], &[0.9]);
        let far = negative_elbo(&x, &[12, 198, 33, 248], &[4.0], &[0.9]);
        assert!(bad > good + 1.0, "{good} {bad}");
        // KL grows by μ²/2 = 8 - 0.005 nats.
        assert!((far - good - (16.0 - 0.01) / 2.0).abs() < 1e-6, "{good} {far}");
    }

    #[test]
    fn the_missed_share_is_zero_for_a_perfect_copy_and_one_for_a_blank_reconstruction() {
        let x = [0u8, 255, 128, 255];
        assert_eq!(missed_share(&x, &x), 0.0);
        assert!((missed_share(&x, &[0; 4]) - 1.0).abs() < 1e-12);
        // Faint content missed entirely is as bad as bold content missed entirely.
        let faint = [0u8, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60];
        assert!((missed_share(&faint, &[0; 20]) - 1.0).abs() < 1e-12);
        // A blank input stays finite.
        assert_eq!(missed_share(&[0; 4], &[255, 0, 0, 0]), 1.0);
    }

    #[test]
    fn a_grey_photo_is_judged_against_the_grey_of_a_colour_reconstruction() {
        // Grey 100 drawn back as a colour of the same mean: nothing is missed in grey.
        let photo = [100u8, 100, 100, 50, 50, 50];
        let colour = [150u8, 100, 50, 20, 50, 80];
        assert!(missed_share(&photo, &colour) > 0.1);
        assert_eq!(missed_share_seen(&photo, &colour, 3), 0.0);
        // A colour input is judged in colour.
        let input = [150u8, 100, 50, 20, 50, 80];
        assert_eq!(missed_share_seen(&input, &photo, 3), missed_share(&input, &photo));
    }

    #[test]
    fn rarity_is_the_higher_percentile_and_the_elbo_alone_without_the_second_reference() {
        let ramp = |scale: f64| percentiles((0..=100).map(|i| f64::from(i) * scale).collect());
        let (x, r) = ([0u8, 255, 0, 255], [0u8, 128, 0, 255]);
        let elbo = negative_elbo(&x, &r, &[0.0], &[1.0]);
        let missed = missed_share(&x, &r);
        // References that put the ELBO at 50% and the missed share at 80%.
        let e_ref = ramp(elbo / 50.0);
        let m_ref = ramp(missed / 80.0);
        assert!((rarity(&x, &r, &[0.0], &[1.0], &e_ref, &m_ref) - 80.0).abs() < 1e-9);
        assert!((rarity(&x, &r, &[0.0], &[1.0], &e_ref, &[]) - 50.0).abs() < 1e-9);
    }

    #[test]
    fn percentiles_of_a_ramp_are_the_ramp_and_read_back() {
        let q = percentiles((0..=1000).rev().map(f64::from).collect());
        assert_eq!(q.len(), 101);
        assert_eq!(q[0], 0.0);
        assert_eq!(q[50], 500.0);
        assert_eq!(q[100], 1000.0);
        assert!((percentile(250.0, &q) - 25.0).abs() < 1e-9);
        assert!((percentile(995.0, &q) - 99.5).abs() < 1e-9);
        assert_eq!(percentile(-5.0, &q), 0.0);
        assert_eq!(percentile(5000.0, &q), 100.0);
        assert!(percentile(1.0, &[]).is_nan());
    }

    #[test]
    fn ties_among_the_quantiles_read_as_the_highest_tied_percentile() {
        let q = percentiles(vec![1.0, 1.0, 1.0, 1.0, 2.0]);
        // Percentiles 0..75 are all 1.0: a score of exactly 1.0 is no rarer than three in four.
        let p = percentile(1.0, &q);
        assert!((p - 75.0).abs() < 1e-9, "{p}");
    }
}
