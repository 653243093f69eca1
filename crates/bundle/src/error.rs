//! Why a bundle was refused, in words the page can show as they are.

use crate::FORMAT_VERSION;
use std::fmt;

#[derive(Debug, Clone, PartialEq)]
pub enum BundleError {
    Manifest(String),
    Version(u32),
    Inconsistent(String),
    Weights(String),
    /// The test codes file (`codes.bin`) does not fit its manifest.
    Codes(String),
}

impl fmt::Display for BundleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BundleError::Manifest(e) => write!(f, "the model's manifest is not valid: {e}"),
            BundleError::Version(v) => write!(
                f,
                "the model bundle has format version {v}; this app reads version {FORMAT_VERSION}. Re-export it with this version of the trainer"
            ),
            BundleError::Inconsistent(e) => write!(f, "the model's manifest contradicts itself: {e}"),
            BundleError::Weights(e) => write!(f, "the model's weights do not fit its manifest: {e}"),
            BundleError::Codes(e) => write!(f, "the model's test codes do not fit its manifest: {e}"),
        }
    }
}

impl std::error::Error for BundleError {}
