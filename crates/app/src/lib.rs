//! Latent Lab's web app.
//!
//! `state` (the one State + Action reducer) and `protocol` (the typed messages between the page
//! and the inference worker) are plain Rust, tested natively. `web` (Yew components and the
//! worker client) and `worker` (burn inference) exist only on wasm32.

pub mod pixels;
pub mod preprocess;
pub mod protocol;
pub mod state;

#[cfg(target_arch = "wasm32")]
pub mod web;
#[cfg(target_arch = "wasm32")]
pub mod worker;
