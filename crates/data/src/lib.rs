//! Data for Latent Lab: readers for the real datasets and the procedural face renderer.

pub mod faces;
pub mod idx;
pub mod lfw;
pub mod sets;

pub use idx::{Idx, IdxError};
pub use sets::{Dataset, DatasetError, Split};
