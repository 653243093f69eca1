//! A linear 2-D projection of latent codes (the PCA stored in a bundle's manifest), used to
//! draw the current code as a cursor on the latent map.

use serde::{Deserialize, Serialize};

/// `p = (z - mean) · [c0, c1]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Projection {
    pub mean: Vec<f32>,
    /// Two principal directions, each of latent_dim entries.
    pub components: [Vec<f32>; 2],
}

impl Projection {
    pub fn project(&self, z: &[f32]) -> [f32; 2] {
        let mut out = [0.0f32; 2];
        for (o, c) in out.iter_mut().zip(&self.components) {
            *o = z.iter().zip(&self.mean).zip(c).map(|((z, m), c)| (z - m) * c).sum();
        }
        out
    }

    /// The code on the map's plane at `p`: `mean + p0 c0 + p1 c1`. The components are
    /// orthonormal, so projecting the result gives `p` back.
    pub fn unproject(&self, p: [f32; 2]) -> Vec<f32> {
        self.mean
            .iter()
            .enumerate()
            .map(|(i, m)| {
                m + p[0] * self.components[0].get(i).unwrap_or(&0.0)
                    + p[1] * self.components[1].get(i).unwrap_or(&0.0)
            })
            .collect()
    }

    /// Principal components by power iteration with deflation: two components of a few
    /// thousand 32-dimensional codes need no linear-algebra dependency.
    pub fn fit(codes: &[Vec<f32>]) -> Option<Self> {
        let n = codes.len();
        let d = codes.first()?.len();
        if n < 2 || d < 2 || codes.iter().any(|c| c.len() != d) {
            return None;
        }
        let mut mean = vec![0.0f64; d];
        for c in codes {
            for (m, v) in mean.iter_mut().zip(c) {
                *m += f64::from(*v) / n as f64;
            }
        }
        let mut cov = vec![0.0f64; d * d];
        for c in codes {
            for i in 0..d {
                let ci = f64::from(c[i]) - mean[i];
                for j in 0..d {
                    cov[i * d + j] += ci * (f64::from(c[j]) - mean[j]) / (n - 1) as f64;
                }
            }
        }
        let mut comps: Vec<Vec<f32>> = Vec::new();
        for k in 0..2 {
            // A deterministic start that is not orthogonal to typical leading directions.
            let mut v: Vec<f64> = (0..d).map(|i| 1.0 + (i + k) as f64 * 0.1).collect();
            let mut lambda = 0.0;
            for _ in 0..500 {
                let mut w = vec![0.0f64; d];
                for i in 0..d {
                    w[i] = (0..d).map(|j| cov[i * d + j] * v[j]).sum();
                }
                let nw = w.iter().map(|x| x * x).sum::<f64>().sqrt();
                if nw < 1e-12 {
                    break;
                }
                lambda = nw;
                v = w.into_iter().map(|x| x / nw).collect();
            }
            // Deflate so the next iteration finds the next direction.
            for i in 0..d {
                for j in 0..d {
                    cov[i * d + j] -= lambda * v[i] * v[j];
                }
            }
            // Fix the sign so the projection is reproducible.
            let sign = if v.iter().sum::<f64>() < 0.0 { -1.0 } else { 1.0 };
            comps.push(v.iter().map(|x| (x * sign) as f32).collect());
        }
        let c1 = comps.pop()?;
        let c0 = comps.pop()?;
        Some(Projection { mean: mean.into_iter().map(|m| m as f32).collect(), components: [c0, c1] })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pca_finds_the_stretched_axes_in_order() {
        // Points spread 10x along dim 2 and 3x along dim 0, a little on dim 1.
        let mut codes = Vec::new();
        for i in 0..200 {
            let t = (i as f32 * 0.731).sin();
            let s = (i as f32 * 1.913).cos();
            codes.push(vec![3.0 * s + 5.0, 0.1 * t * s, 10.0 * t - 2.0]);
        }
        let p = Projection::fit(&codes).unwrap();
        assert!(p.components[0][2].abs() > 0.99, "{:?}", p.components);
        assert!(p.components[1][0].abs() > 0.99, "{:?}", p.components);
        // The mean projects to the origin.
        let at_mean = p.project(&p.mean.clone());
        assert!(at_mean[0].abs() < 1e-5 && at_mean[1].abs() < 1e-5);
    }

    #[test]
    fn unproject_inverts_project_on_the_plane() {
        let codes: Vec<Vec<f32>> = (0..100)
            .map(|i| (0..5).map(|d| ((i * (d + 3)) as f32 * 0.37).sin() * (d + 1) as f32).collect())
            .collect();
        let p = Projection::fit(&codes).unwrap();
        for at in [[0.0, 0.0], [1.5, -2.0], [-3.0, 0.25]] {
            let back = p.project(&p.unproject(at));
            assert!((back[0] - at[0]).abs() < 1e-3 && (back[1] - at[1]).abs() < 1e-3, "{at:?} -> {back:?}");
        }
    }

    #[test]
    fn pca_rejects_degenerate_input() {
        assert!(Projection::fit(&[]).is_none());
        assert!(Projection::fit(&[vec![1.0, 2.0]]).is_none());
        assert!(Projection::fit(&[vec![1.0, 2.0], vec![1.0]]).is_none());
    }
}
