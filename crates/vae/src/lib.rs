//! The models of Latent Lab, shared unchanged by the trainer (native) and the app (wasm).
//!
//! burn 0.22 has no backend type parameter: a model runs wherever the [`burn::prelude::Device`]
//! it was built on lives, so the same code serves flex on CPU, WebGPU in the browser and
//! autodiff in training.

pub mod bundle;
pub mod loss;
pub mod model;

pub use bundle::{BundleError, FORMAT_VERSION, Manifest};
pub use loss::{Elbo, elbo, kl_per_dim};
pub use model::{Architecture, DenseLayer, Model};
