//! The model bundle format: `manifest.json` (what the model is, how it was trained, what it
//! measured, and the latent-space facts the app shows) beside `weights.bpk` (burn's burnpack
//! format: plain tensors, nothing executable), listed in `web/models/index.json`.
//!
//! Plain serde on purpose: the page reads manifests too, and must not compile burn to do it
//! (the weights are read by `vae`, in the trainer and the worker).

mod architecture;
mod codes;
mod error;
pub mod exported;
mod from_export;
pub mod graph;
mod index;
mod layout;
mod manifest;
mod melody;
#[cfg(any(test, feature = "testing"))]
pub mod testing;

pub use architecture::{Architecture, conv_base};
pub use codes::{CODES_COUNT, CODES_FILE, Codes, CodesFile, LabelKind};
pub use error::BundleError;
pub use from_export::IMPORTED_DATASET;
pub use index::IndexEntry;
pub use layout::{DEFAULT_MODEL, INDEX_URL, ModelFiles};
pub use manifest::{
    ACTIVE_KL, CompactWeights, Example, ImageShape, Manifest, MapProjection, NamedVector,
    OOD_NOTICE_PERCENTILE, OodReference, SliderOrder, Training,
};
pub use melody::{
    MELODIES_FILE, MELODIES_URL, MELODY_FILE, MelodyEntry, MelodyExample, MelodyGrid, MelodyManifest,
    MelodyTraining, SequenceArchitecture,
};

/// Bumped whenever a manifest field changes meaning; the app refuses other versions.
pub const FORMAT_VERSION: u32 = 1;
pub const MANIFEST_FILE: &str = "manifest.json";
pub const WEIGHTS_FILE: &str = "weights.bpk";
pub const INDEX_FILE: &str = "index.json";
