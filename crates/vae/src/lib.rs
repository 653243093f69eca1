//! The models of Latent Lab, shared unchanged by the trainer (native) and the worker (wasm).
//!
//! burn 0.22 has no backend type parameter: a model runs wherever the [`burn::prelude::Device`]
//! it was built on lives, so the same code serves flex on CPU, WebGPU in the browser and
//! autodiff in training. What a model *is* (its manifest) lives in the serde-only `bundle`
//! crate, so the page can read it without burn. Models trained elsewhere run through `graph`:
//! built at run time from the manifest's layer graph and a safetensors file.

pub mod as_graph;
pub mod compact;
pub mod cpu_decoder;
pub mod cpu_plan;
pub mod graph;
pub mod imported;
pub mod loss;
pub mod model;
pub mod net;
pub mod prior;
pub mod sequence;
pub mod stack;
pub mod weights;
pub mod weights_file;

pub use compact::{Part, load_part};
pub use loss::{Elbo, elbo, kl_per_dim};
pub use model::{DenseLayer, Model};
pub use net::Net;
pub use weights::{load_bundle_dir, load_model, weights_bytes};
