//! Training, evaluation and export of Latent Lab's model bundles.
//!
//! `presets` names every shipped model and how it is trained; `fit` is the training loop;
//! `evaluate` measures a trained model and fills the manifest; `export` writes the bundle,
//! with its weights compact (`compact`: f16, decoder and encoder apart);
//! `classifier` and `measure` judge decoded images (prior-sample gaps, attribute edits);
//! `photos` puts real face photos through faces-vae (`photos_report` writes bench/PHOTOS.md); `score` scores one picture as the page's
//! out-of-distribution badge does; `reports` runs those measurements on bundles and prints them; `commands` is what each of
//! the command line's subcommands does.

pub mod augment;
pub mod classifier;
pub mod commands;
pub mod compact;
pub mod evaluate;
pub mod examples;
pub mod export;
pub mod fit;
pub mod measure;
pub mod melody;
pub mod melody_bundle;
pub mod onnx;
pub mod onnx_graph;
pub mod photo_encoder;
pub mod photos;
pub mod photos_report;
pub mod presets;
pub mod reports;
pub mod score;
pub mod stacked;
