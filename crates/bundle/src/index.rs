//! `web/models/index.json`: the models the page offers, one line each.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IndexEntry {
    pub name: String,
    pub description: String,
    pub latent_dim: usize,
    /// Opened from files the user gave (kept in this browser), not shipped in `web/models`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub imported: bool,
}
