//! What a user's image goes through before a model sees it. `sniff` looks at a file's bytes
//! before any decoder does (type, completeness, declared size); `preprocess` turns decoded RGBA
//! pixels into the model's input the way its training data looked, saying each step in words;
//! `crop` is the square a face photo is cut at.
//!
//! Its own crate so the trainer can prepare the bundled examples exactly as the page will (their
//! encodings are precomputed into the manifest), and the fuzz targets can reach it without the page.

pub mod crop;
pub mod preprocess;
pub mod sniff;
