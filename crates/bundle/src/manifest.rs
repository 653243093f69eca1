//! `manifest.json`: the model's description, parsed and checked before any weights are touched.

use crate::{Architecture, BundleError, FORMAT_VERSION};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A latent dimension whose mean KL over the test set is at most this (nats) carries no
/// information: the decoder ignores it. The sliders fold such dimensions away; the β view counts
/// the rest as active.
pub const ACTIVE_KL: f32 = 0.01;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImageShape {
    pub width: usize,
    pub height: usize,
    pub channels: usize,
}

impl ImageShape {
    pub fn len(&self) -> usize {
        self.width * self.height * self.channels
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A named direction in latent space (attribute vector or class-to-class vector).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NamedVector {
    pub name: String,
    pub vector: Vec<f32>,
    /// How many codes each side was averaged over.
    #[serde(default)]
    pub support: Option<[usize; 2]>,
}

/// A 2-D PCA of test encodings: the projection plus the projected points, for the latent map.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MapProjection {
    pub projection: latent::Projection,
    /// `[x, y, label]` per test image.
    pub points: Vec<[f32; 3]>,
}

/// How the model was trained.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Training {
    pub dataset: String,
    pub epochs: usize,
    pub batch_size: usize,
    pub learning_rate: f64,
    /// "constant", or "cosine to <fraction>"; absent in bundles trained before schedules.
    #[serde(default)]
    pub learning_rate_schedule: String,
    pub seed: u64,
    pub seconds: f64,
    pub backend: String,
    pub samples_per_second: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub format_version: u32,
    pub name: String,
    pub description: String,
    pub architecture: Architecture,
    pub latent_dim: usize,
    pub image: ImageShape,
    /// Only "bernoulli" is produced today.
    pub likelihood: String,
    pub beta: f32,
    pub training: Training,
    /// Mean KL (nats) of each latent dimension over the test set: orders the sliders.
    pub kl_per_dim: Vec<f32>,
    /// Names of the labels (digits, garment classes, or face attributes).
    pub label_names: Vec<String>,
    /// Mean μ of the test encodings of each label (classes only).
    #[serde(default)]
    pub label_means: Vec<Vec<f32>>,
    #[serde(default)]
    pub vectors: Vec<NamedVector>,
    #[serde(default)]
    pub map: Option<MapProjection>,
    /// Free-form measured numbers (test ELBO, NLL, MSE, active units, …).
    #[serde(default)]
    pub metrics: BTreeMap<String, f64>,
    /// Example images shipped beside the bundle (PNG, relative to its folder), so the gallery
    /// works without uploads.
    #[serde(default)]
    pub examples: Vec<Example>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Example {
    pub file: String,
    pub label: String,
}

impl Manifest {
    /// Parse and check a manifest without touching any weights.
    pub fn parse(json: &str) -> Result<Self, BundleError> {
        // Read the version first so an old or future bundle gets the version message, not a
        // confusing missing-field error.
        #[derive(Deserialize)]
        struct Version {
            format_version: u32,
        }
        let v: Version = serde_json::from_str(json).map_err(|e| BundleError::Manifest(e.to_string()))?;
        if v.format_version != FORMAT_VERSION {
            return Err(BundleError::Version(v.format_version));
        }
        let m: Manifest = serde_json::from_str(json).map_err(|e| BundleError::Manifest(e.to_string()))?;
        m.check()?;
        Ok(m)
    }

    fn check(&self) -> Result<(), BundleError> {
        self.architecture.validate().map_err(BundleError::Inconsistent)?;
        let d = self.latent_dim;
        if self.architecture.latent_dim() != d {
            return Err(BundleError::Inconsistent(format!(
                "latent_dim is {d} but the architecture has {}",
                self.architecture.latent_dim()
            )));
        }
        if self.image.len() != self.architecture.input_len() {
            return Err(BundleError::Inconsistent(format!(
                "image {}x{}x{} does not match the architecture's input of {}",
                self.image.width,
                self.image.height,
                self.image.channels,
                self.architecture.input_len()
            )));
        }
        if self.kl_per_dim.len() != d {
            return Err(BundleError::Inconsistent(format!(
                "kl_per_dim has {} entries, not {d}",
                self.kl_per_dim.len()
            )));
        }
        for v in &self.vectors {
            if v.vector.len() != d {
                return Err(BundleError::Inconsistent(format!(
                    "vector \"{}\" has {} entries, not {d}",
                    v.name,
                    v.vector.len()
                )));
            }
        }
        let all_finite =
            self.kl_per_dim.iter().chain(self.vectors.iter().flat_map(|v| &v.vector)).all(|x| x.is_finite());
        if !all_finite {
            return Err(BundleError::Inconsistent(
                "a KL value or vector entry is not a finite number".into(),
            ));
        }
        Ok(())
    }

    /// Latent dimensions ordered by KL, most informative first.
    pub fn dims_by_kl(&self) -> Vec<usize> {
        let mut dims: Vec<usize> = (0..self.latent_dim).collect();
        dims.sort_by(|&a, &b| self.kl_per_dim[b].total_cmp(&self.kl_per_dim[a]));
        dims
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::manifest;

    #[test]
    fn manifest_round_trip_and_ordering() {
        let m = manifest(4);
        let back = Manifest::parse(&serde_json::to_string(&m).unwrap()).unwrap();
        assert_eq!(back, m);
        assert_eq!(back.dims_by_kl(), vec![3, 2, 1, 0]);
    }

    #[test]
    fn bad_manifests_are_refused_with_reasons() {
        assert!(matches!(Manifest::parse("{"), Err(BundleError::Manifest(_))));
        let mut m = manifest(4);
        m.format_version = 99;
        assert_eq!(Manifest::parse(&serde_json::to_string(&m).unwrap()), Err(BundleError::Version(99)));
        let mut m = manifest(4);
        m.latent_dim = 5;
        let err = Manifest::parse(&serde_json::to_string(&m).unwrap()).unwrap_err();
        assert!(err.to_string().contains("latent_dim is 5"), "{err}");
        let mut m = manifest(4);
        m.kl_per_dim[0] = f32::NAN;
        // serde_json writes NaN as null, which is already not a number.
        assert!(Manifest::parse(&serde_json::to_string(&m).unwrap()).is_err());
    }
}
