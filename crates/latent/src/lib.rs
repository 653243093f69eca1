//! Latent-space maths and view state for Latent Lab.
//!
//! Everything here is plain `f32` slices: no burn, no web. The app, the trainer and the
//! benchmarks share it, and it is tested natively.

pub mod density;
pub mod drift;
pub mod grid;
pub mod heat;
pub mod interp;
pub mod ood;
pub mod plane;
pub mod plane_prior;
pub mod posterior;
pub mod prior;
pub mod project;
pub mod rng;
pub mod sensitivity;
pub mod separation;
pub mod units;
pub mod url_state;
pub mod vector;

pub use interp::{Mode, bilinear, lerp, path, slerp};
pub use project::Projection;
pub use url_state::{UrlState, UrlStateError};
pub use vector::{VectorError, add_scaled, analogy, mean, mean_difference};
