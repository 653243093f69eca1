//! Data for Latent Lab: readers for the real datasets and the procedural face renderer.

pub mod abc;
pub mod faces;
pub mod idx;
pub mod lfw;
pub mod melody;
pub mod sets;
pub mod tunes;

pub use idx::{Idx, IdxError};
pub use sets::{Dataset, DatasetError, Split};
