//! The model bundle: `manifest.json` (what the model is, how it was trained, what it measured,
//! and the latent-space facts the app shows) beside `weights.bpk` (burn's burnpack format: plain
//! tensors, nothing executable). The trainer writes bundles; the app and tests read them.

use crate::model::{Architecture, Model};
use burn::module::Module;
use burn::prelude::*;
use burn::store::ModuleRecord;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// Bumped whenever a manifest field changes meaning; the app refuses other versions.
pub const FORMAT_VERSION: u32 = 1;
pub const MANIFEST_FILE: &str = "manifest.json";
pub const WEIGHTS_FILE: &str = "weights.bpk";
pub const INDEX_FILE: &str = "index.json";

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

/// One line of `web/models/index.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IndexEntry {
    pub name: String,
    pub description: String,
    pub latent_dim: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub enum BundleError {
    Manifest(String),
    Version(u32),
    Inconsistent(String),
    Weights(String),
}

impl fmt::Display for BundleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BundleError::Manifest(e) => write!(f, "the model's manifest is not valid: {e}"),
            BundleError::Version(v) => write!(
                f,
                "the model bundle has format version {v}; this app reads version {FORMAT_VERSION}. Re-export it with this version of the trainer"
            ),
            BundleError::Inconsistent(e) => write!(f, "the model's manifest contradicts itself: {e}"),
            BundleError::Weights(e) => write!(f, "the model's weights do not fit its manifest: {e}"),
        }
    }
}

impl std::error::Error for BundleError {}

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

/// Build the model a manifest describes and load burnpack weights into it.
pub fn load_model(manifest: &Manifest, weights: Vec<u8>, device: &Device) -> Result<Model, BundleError> {
    // Cast every tensor to the module's dtype (f32) instead of taking the dtype the file
    // declares: a damaged file declaring u32 weights made burn panic while loading (found by the
    // `bundle` fuzz target), and a panic in the browser kills the worker.
    let record = ModuleRecord::from_bytes(burn::tensor::Bytes::from_bytes_vec(weights))
        .map_err(|e| BundleError::Weights(e.to_string()))?
        .cast_to_module_dtype();
    Model::new(&manifest.architecture, device)
        .try_load_record(record)
        .map_err(|e| BundleError::Weights(e.to_string()))
}

/// Serialise a model's weights to burnpack bytes.
pub fn weights_bytes(model: Model) -> Result<Vec<u8>, BundleError> {
    let bytes = model.into_record().into_bytes().map_err(|e| BundleError::Weights(e.to_string()))?;
    Ok(bytes.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn manifest(latent: usize) -> Manifest {
        Manifest {
            format_version: FORMAT_VERSION,
            name: "test".into(),
            description: "a test model".into(),
            architecture: Architecture::Mlp {
                input: 784,
                hidden: vec![16],
                latent_dim: latent,
                variational: true,
            },
            latent_dim: latent,
            image: ImageShape { width: 28, height: 28, channels: 1 },
            likelihood: "bernoulli".into(),
            beta: 1.0,
            training: Training {
                dataset: "none".into(),
                epochs: 0,
                batch_size: 1,
                learning_rate: 0.0,
                learning_rate_schedule: String::new(),
                seed: 0,
                seconds: 0.0,
                backend: "flex".into(),
                samples_per_second: 0.0,
            },
            kl_per_dim: (0..latent).map(|i| i as f32).collect(),
            label_names: vec![],
            label_means: vec![],
            vectors: vec![],
            map: None,
            examples: vec![],
            metrics: BTreeMap::new(),
        }
    }

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

    #[test]
    fn weights_round_trip_gives_identical_decodes() {
        let device = Device::flex();
        let m = manifest(4);
        let model = Model::new(&m.architecture, &device);
        let z = Tensor::<2>::random([3, 4], burn::tensor::Distribution::Normal(0.0, 1.0), &device);
        let before: Vec<f32> = model.decode(z.clone()).into_data().try_to_vec().unwrap();
        let bytes = weights_bytes(model).unwrap();
        let loaded = load_model(&m, bytes.clone(), &device).unwrap();
        let after: Vec<f32> = loaded.decode(z).into_data().try_to_vec().unwrap();
        assert_eq!(before, after);

        // The same weights under a manifest with another latent size must not load.
        let other = manifest(6);
        assert!(matches!(load_model(&other, bytes.clone(), &device), Err(BundleError::Weights(_))));
        // Truncated weights must not load.
        assert!(load_model(&m, bytes[..bytes.len() / 2].to_vec(), &device).is_err());
    }

    /// The `bundle` fuzz target's crash input, replayed: byte edits of a valid weights file (its
    /// first byte picks edit mode, then (offset, byte) triples) that make it declare u32
    /// weights. burn panicked on it; loading must answer with a model or an error instead.
    #[test]
    fn weights_declaring_another_dtype_do_not_panic() {
        let device = Device::flex();
        let mut m = manifest(2);
        m.architecture = Architecture::Mlp { input: 16, hidden: vec![8], latent_dim: 2, variational: true };
        m.image = ImageShape { width: 4, height: 4, channels: 1 };
        let mut w = weights_bytes(Model::new(&m.architecture, &device)).unwrap();
        let crash: [u8; 43] = [
            0x60, 0x28, 0x74, 0x55, 0x33, 0x32, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xd7, 0x71, 0x71,
            0x71, 0x71, 0x71, 0x71, 0x71, 0x71, 0x71, 0x71, 0x71, 0x71, 0x71, 0x71, 0x71, 0x71, 0x71, 0x71,
            0x71, 0x71, 0x71, 0x71, 0x71, 0x71, 0x71, 0x71, 0x71, 0x71, 0xd7,
        ];
        for edit in crash[1..].chunks_exact(3) {
            let at = usize::from(u16::from_le_bytes([edit[0], edit[1]])) % w.len();
            w[at] = edit[2];
        }
        if let Ok(model) = load_model(&m, w, &device) {
            let z = Tensor::<1>::from_floats([0.5f32, -1.0].as_slice(), &device).reshape([1, 2]);
            assert_eq!(model.decode(z).dims(), [1, 16]);
        }
    }
}
