//! Encoded images (the gallery), interpolation between two of them, and latent vectors
//! (from the manifest, between class means, or built by the user from marked items).

use latent::Mode;
use serde::{Deserialize, Serialize};
use std::rc::Rc;

/// How an item takes part in a user-defined vector: mean(with) − mean(without).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Mark {
    #[default]
    None,
    With,
    Without,
}

/// One encoded image: what went in (after preprocessing), what came back, and q(z|x).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GalleryItem {
    /// Unique over the page's life and across reloads (restored items keep theirs).
    pub key: u64,
    /// Codes only mean something to the model that made them.
    pub model: String,
    pub name: String,
    pub input: Rc<Vec<u8>>,
    pub recon: Rc<Vec<u8>>,
    pub mu: Vec<f32>,
    pub sigma: Vec<f32>,
    #[serde(default)]
    pub mark: Mark,
    /// Bundled examples are re-made on every load and never stored.
    #[serde(default)]
    pub example: bool,
    /// Where its out-of-distribution score falls among the model's test set (0-100), when
    /// the model's manifest has the reference (`state/ood.rs`).
    #[serde(default)]
    pub ood_percentile: Option<f32>,
    /// The photo it was cut from, for moving its crop: this page's own uploads only (never
    /// stored, so a restored item keeps its crop).
    #[serde(skip)]
    pub photo: Option<Rc<super::Photo>>,
}

impl GalleryItem {
    /// The name without the preparation steps after " · " ("example: 7" of "example: 7 ·
    /// cropped → centred"): what a link names an example by, since the steps may change
    /// between builds.
    pub fn short_name(&self) -> &str {
        self.name.split_once(" · ").map_or(self.name.as_str(), |(short, _)| short)
    }
}

/// An image sent to the worker, waiting for its code.
#[derive(Clone, Debug, PartialEq)]
pub struct PendingEncode {
    pub id: u64,
    pub model: String,
    pub name: String,
    pub input: Rc<Vec<u8>>,
    pub pixels: Rc<Vec<f32>>,
    pub example: bool,
    /// μ and log σ² known already (a bundled example's, from the manifest): only the
    /// reconstruction is asked of the worker, so no encoder is needed for it.
    pub known: Option<Rc<(Vec<f32>, Vec<f32>)>>,
    /// A face photo's source, which the item keeps.
    pub photo: Option<Rc<super::Photo>>,
    /// A new crop of this item: the answer updates it instead of adding an item.
    pub replaces: Option<u64>,
    /// One of a new photo's first guesses (`state/crop.rs`): the group's id and this guess's
    /// place among them. The least unusual guess becomes the item; the others are dropped.
    pub trial: Option<(u64, usize)>,
}

/// A vector the user built and named; kept per model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CustomVector {
    pub model: String,
    pub name: String,
    pub vector: Vec<f32>,
    /// How many items were marked with and without.
    pub support: [usize; 2],
}

/// Which vector the strength slider drives.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum VectorChoice {
    /// A vector by name: the manifest's attribute vectors, then the user's own.
    Named(String),
    /// mean(z | class `to`) − mean(z | class `from`).
    Classes { from: usize, to: usize },
}

impl VectorChoice {
    /// How a link names the choice.
    pub fn key(&self) -> String {
        match self {
            VectorChoice::Named(n) => n.clone(),
            VectorChoice::Classes { from, to } => format!("classes:{from}>{to}"),
        }
    }

    pub fn parse(key: &str) -> Option<VectorChoice> {
        match key.strip_prefix("classes:") {
            Some(pair) => {
                let (from, to) = pair.split_once('>')?;
                Some(VectorChoice::Classes { from: from.parse().ok()?, to: to.parse().ok()? })
            }
            None => (!key.is_empty()).then(|| VectorChoice::Named(key.to_string())),
        }
    }

    pub fn label(&self, class_names: &[String]) -> String {
        match self {
            VectorChoice::Named(n) => n.clone(),
            VectorChoice::Classes { from, to } => {
                let name = |i: &usize| class_names.get(*i).cloned().unwrap_or_else(|| i.to_string());
                format!("{} → {}", name(from), name(to))
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Interp {
    pub a: Option<u64>,
    pub b: Option<u64>,
    pub mode: Mode,
    /// Frames in the strip, 3..=16.
    pub frames: usize,
    /// Where the scrubber is on the path, 0..=1.
    pub t: f32,
    pub playing: bool,
    /// Bottom-left and bottom-right of the optional 4-corner grid (A and B are the top).
    pub c: Option<u64>,
    pub d: Option<u64>,
}

/// The 4-corner grid is at most this many frames a side (64 decodes in one batch).
pub const MAX_CORNER_GRID: usize = 8;

pub const MIN_FRAMES: usize = 3;
pub const MAX_FRAMES: usize = 16;

impl Default for Interp {
    fn default() -> Self {
        Interp { a: None, b: None, mode: Mode::Linear, frames: 8, t: 0.0, playing: false, c: None, d: None }
    }
}

/// Decoded frames of the strip, for the request `id`.
#[derive(Clone, Debug, PartialEq)]
pub struct Strip {
    pub id: u64,
    pub images: Rc<Vec<Vec<u8>>>,
}

/// σ from log σ², as the gallery shows it.
pub fn sigma(logvar: &[f32]) -> Vec<f32> {
    latent::ood::sigma(logvar)
}
