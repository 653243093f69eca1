//! Training, evaluation and export of Latent Lab's model bundles.
//!
//! `presets` names every shipped model and how it is trained; `fit` is the training loop;
//! `evaluate` measures a trained model and fills the manifest; `export` writes the bundle,
//! with its weights compact (`compact`: f16, decoder and encoder apart);
//! `classifier` and `measure` judge decoded images (prior-sample gaps, attribute edits);
//! `reports` runs those measurements on bundles and prints them.

pub mod classifier;
pub mod compact;
pub mod evaluate;
pub mod examples;
pub mod export;
pub mod fit;
pub mod measure;
pub mod onnx;
pub mod presets;
pub mod reports;
