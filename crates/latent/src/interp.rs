//! Interpolation between two latent codes.
//!
//! Linear interpolation cuts through the low-density middle of a Gaussian prior (the norm of the
//! midpoint of two typical codes is smaller than either); spherical interpolation keeps the
//! norm near the shell where a d-dimensional standard normal puts its mass, so both are offered.

use serde::{Deserialize, Serialize};

/// How to travel between two codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Mode {
    #[default]
    Linear,
    Spherical,
}

/// `a + t (b - a)`.
pub fn lerp(a: &[f32], b: &[f32], t: f32) -> Vec<f32> {
    a.iter().zip(b).map(|(x, y)| x + t * (y - x)).collect()
}

/// Spherical interpolation of the vectors themselves (not normalised), as in White (2016),
/// "Sampling Generative Networks". Falls back to `lerp` when the angle is tiny or a vector is
/// zero, where the formula divides by ~0.
pub fn slerp(a: &[f32], b: &[f32], t: f32) -> Vec<f32> {
    let na = norm(a);
    let nb = norm(b);
    if na < 1e-8 || nb < 1e-8 {
        return lerp(a, b, t);
    }
    let cos = (dot(a, b) / (na * nb)).clamp(-1.0, 1.0);
    let omega = cos.acos();
    let sin = omega.sin();
    if sin.abs() < 1e-5 {
        return lerp(a, b, t);
    }
    let wa = ((1.0 - t) * omega).sin() / sin;
    let wb = (t * omega).sin() / sin;
    a.iter().zip(b).map(|(x, y)| wa * x + wb * y).collect()
}

/// `n` evenly spaced codes from `a` to `b` inclusive (n >= 2).
pub fn path(a: &[f32], b: &[f32], n: usize, mode: Mode) -> Vec<Vec<f32>> {
    let n = n.max(2);
    (0..n)
        .map(|i| {
            let t = i as f32 / (n - 1) as f32;
            match mode {
                Mode::Linear => lerp(a, b, t),
                Mode::Spherical => slerp(a, b, t),
            }
        })
        .collect()
}

/// The n×n bilinear grid between four codes: `a` top-left, `b` top-right, `c` bottom-left,
/// `d` bottom-right; row-major. The top row is the lerp from a to b, the bottom from c to d.
pub fn bilinear(a: &[f32], b: &[f32], c: &[f32], d: &[f32], n: usize) -> Vec<Vec<f32>> {
    let n = n.max(2);
    let mut codes = Vec::with_capacity(n * n);
    for i in 0..n {
        let v = i as f32 / (n - 1) as f32;
        let (left, right) = (lerp(a, c, v), lerp(b, d, v));
        for j in 0..n {
            codes.push(lerp(&left, &right, j as f32 / (n - 1) as f32));
        }
    }
    codes
}

pub(crate) fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

pub(crate) fn norm(a: &[f32]) -> f32 {
    dot(a, a).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: &[f32], b: &[f32]) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-5)
    }

    #[test]
    fn lerp_hits_ends_and_middle() {
        let a = [0.0, 2.0];
        let b = [4.0, -2.0];
        assert!(close(&lerp(&a, &b, 0.0), &a));
        assert!(close(&lerp(&a, &b, 1.0), &b));
        assert!(close(&lerp(&a, &b, 0.5), &[2.0, 0.0]));
    }

    #[test]
    fn slerp_keeps_norm_between_orthogonal_unit_vectors() {
        let a = [1.0, 0.0, 0.0];
        let b = [0.0, 1.0, 0.0];
        let mid = slerp(&a, &b, 0.5);
        assert!((norm(&mid) - 1.0).abs() < 1e-5, "slerp midpoint norm {}", norm(&mid));
        let half = std::f32::consts::FRAC_1_SQRT_2;
        assert!(close(&mid, &[half, half, 0.0]));
        // lerp shrinks the same midpoint: the reason slerp exists.
        assert!(norm(&lerp(&a, &b, 0.5)) < 0.75);
    }

    #[test]
    fn slerp_ends_are_exact_and_degenerate_cases_fall_back() {
        let a = [3.0, 1.0];
        let b = [-1.0, 2.0];
        assert!(close(&slerp(&a, &b, 0.0), &a));
        assert!(close(&slerp(&a, &b, 1.0), &b));
        // Parallel vectors: no angle to rotate through.
        assert!(close(&slerp(&[1.0, 1.0], &[2.0, 2.0], 0.5), &[1.5, 1.5]));
        // A zero vector has no direction.
        assert!(close(&slerp(&[0.0, 0.0], &[2.0, 0.0], 0.25), &[0.5, 0.0]));
    }

    #[test]
    fn bilinear_grid_has_the_corners_and_the_centre() {
        let g = bilinear(&[0.0, 0.0], &[4.0, 0.0], &[0.0, 4.0], &[4.0, 4.0], 3);
        assert_eq!(g.len(), 9);
        assert!(close(&g[0], &[0.0, 0.0]) && close(&g[2], &[4.0, 0.0]));
        assert!(close(&g[6], &[0.0, 4.0]) && close(&g[8], &[4.0, 4.0]));
        assert!(close(&g[4], &[2.0, 2.0]));
        assert_eq!(bilinear(&[0.0], &[1.0], &[2.0], &[3.0], 0).len(), 4);
    }

    #[test]
    fn path_has_n_frames_from_a_to_b() {
        let p = path(&[0.0], &[1.0], 5, Mode::Linear);
        assert_eq!(p.len(), 5);
        assert!(close(&p[2], &[0.5]));
        assert_eq!(path(&[0.0], &[1.0], 0, Mode::Spherical).len(), 2);
    }
}
