//! How unlike the training data an input is, by the model's own measure: the negative ELBO of
//! what the page actually has (the prepared 8-bit input, the decoder's 8-bit reconstruction of
//! μ, and q(z|x)), placed among the same score over the model's test set.
//!
//! The trainer computes the test set's scores with [`negative_elbo`] and stores their
//! percentiles in the manifest; the page computes an item's score with the same function and
//! reads its percentile with [`percentile`]. One function on both sides, so the two agree.

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
    let nll: f64 = input
        .iter()
        .zip(recon)
        .map(|(&x, &r)| {
            let x = f64::from(x) / 255.0;
            let r = (f64::from(r) / 255.0).clamp(EDGE, 1.0 - EDGE);
            -(x * r.ln() + (1.0 - x) * (1.0 - r).ln())
        })
        .sum();
    let kl: f64 = mu
        .iter()
        .zip(sigma)
        .map(|(&m, &s)| {
            let (m, s) = (f64::from(m), f64::from(s).max(1e-12));
            0.5 * (m * m + s * s - 1.0 - 2.0 * s.ln())
        })
        .sum();
    nll + kl
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
