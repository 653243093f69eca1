//! Latent Lab's page.
//!
//! `state` (the one State + Action reducer), `export` (PNG/GIF) and `import` (a PyTorch model's
//! files) are plain Rust, tested
//! natively without burn; files become model inputs in the `image-input` crate. `web` (Yew components,
//! hooks and the worker client) exists only on wasm32. The worker is its own crate; the two
//! share only `worker-protocol` and `bundle`.

pub mod export;
pub mod holes;
pub mod import;
pub mod live_drag;
pub mod prior_sample;
pub mod state;

#[cfg(target_arch = "wasm32")]
pub mod web;
