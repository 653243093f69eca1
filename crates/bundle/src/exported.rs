//! What `tools/export_torch.py` writes as `graph.json` for a model trained in PyTorch: its
//! decoder and encoder graphs (`graph.rs`) and how to read them (output range, heads,
//! normalisation), with the panels' data when labelled examples were given. Plain serde.

use crate::graph::Graph;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// How the decoder's last value maps to pixels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutputRange {
    /// Already in [0, 1] (the graph ends in a sigmoid).
    Sigmoid,
    /// In [-1, 1] (ends in tanh): pixels are (v + 1) / 2.
    Tanh,
    /// Bernoulli logits: pixels are sigmoid(v).
    Logits,
}

/// Where the encoder's μ and log σ² are.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Heads {
    /// Two values of the graph.
    Two { mu: String, logvar: String },
    /// One value of 2·d: μ the first half, log σ² the second.
    Halves { output: String },
    /// One value of 2·d: μ and log σ² alternating.
    Interleaved { output: String },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Encoder {
    pub graph: Graph,
    pub heads: Heads,
}

/// Per-channel input normalisation the model was trained with: it sees (x − mean) / std.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Normalise {
    pub mean: Vec<f32>,
    pub std: Vec<f32>,
}

/// Image size of an imported model, channels first as PyTorch has it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageSize {
    pub channels: usize,
    pub height: usize,
    pub width: usize,
}

/// The newest `graph.json` format this app reads; the exporter writes it as `format_version`.
pub const EXPORT_FORMAT_VERSION: u32 = 1;

/// What runs: the graphs and how to read their ends. This is what an imported model's
/// manifest carries as its architecture (`Architecture::Imported`), so the worker can build it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Runnable {
    pub latent_dim: usize,
    pub image: ImageSize,
    pub decoder: Graph,
    pub output: OutputRange,
    #[serde(default)]
    pub encoder: Option<Encoder>,
    #[serde(default)]
    pub normalise: Option<Normalise>,
}

/// What `tools/export_torch.py` writes as `graph.json`: the model's graphs and how to read them,
/// with the panels' data when labelled examples were given.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Exported {
    /// Absent in files written before it existed: those are version 1.
    #[serde(default = "first_version")]
    pub format_version: u32,
    pub name: String,
    #[serde(flatten)]
    pub model: Runnable,
    /// Checkpoint tensors no graph reads (a discriminator, an optimiser's copy, BatchNorm's
    /// step counters), listed by the exporter so the page can say so.
    #[serde(default)]
    pub unused_checkpoint_keys: Vec<String>,
    /// From labelled examples given at export (`--labels`): the labels, a vector per label, a
    /// 2-D map of the examples' codes and the KL of each dimension, as our own bundles carry.
    #[serde(default)]
    pub label_names: Vec<String>,
    #[serde(default)]
    pub vectors: Vec<crate::NamedVector>,
    #[serde(default)]
    pub map: Option<crate::MapProjection>,
    #[serde(default)]
    pub kl_per_dim: Vec<f32>,
}

fn first_version() -> u32 {
    1
}

/// An op the page does not run, named with its node and graph (serde alone would say "unknown
/// variant" at a line and column of the file).
fn unknown_op(doc: &serde_json::Value) -> Result<(), String> {
    let graphs = [("decoder", &doc["decoder"]), ("encoder", &doc["encoder"]["graph"])];
    for (part, graph) in graphs {
        for node in graph["nodes"].as_array().into_iter().flatten() {
            let op = node["op"].as_str().unwrap_or_default();
            if !crate::graph::OP_NAMES.contains(&op) {
                return Err(format!(
                    "the {part}'s node {} uses the op \"{op}\", which this page does not run (it runs {})",
                    node["name"].as_str().unwrap_or("?"),
                    crate::graph::OP_NAMES.join(", ")
                ));
            }
        }
    }
    Ok(())
}

impl Exported {
    /// Read `graph.json`: the version first (a newer file gets the version message, not a
    /// confusing field error), then everything, then `validate`.
    pub fn parse(json: &str) -> Result<Exported, String> {
        #[derive(Deserialize)]
        struct Version {
            #[serde(default = "first_version")]
            format_version: u32,
        }
        let not_ours = |e: serde_json::Error| {
            format!("graph.json is not a model exported by tools/export_torch.py: {e}")
        };
        let v: Version = serde_json::from_str(json).map_err(not_ours)?;
        if v.format_version > EXPORT_FORMAT_VERSION {
            return Err(format!(
                "graph.json has format version {}, newer than the {EXPORT_FORMAT_VERSION} this page reads: open it with a newer Latent Lab, or export it with this repository's tools/export_torch.py",
                v.format_version
            ));
        }
        let doc: serde_json::Value = serde_json::from_str(json).map_err(not_ours)?;
        unknown_op(&doc)?;
        let e: Exported = serde_json::from_value(doc).map_err(not_ours)?;
        e.validate()?;
        Ok(e)
    }

    /// The graphs, and the panels' data fitting the code and the labels.
    pub fn validate(&self) -> Result<(), String> {
        self.model.validate()?;
        let d = self.model.latent_dim;
        if self.vectors.iter().any(|v| v.vector.len() != d)
            || !(self.kl_per_dim.is_empty() || self.kl_per_dim.len() == d)
        {
            return Err(format!("every vector and the KL per dimension must have {d} entries"));
        }
        if let Some(m) = &self.map {
            let labels = self.label_names.len().max(1) as f32;
            let bad_point =
                m.points.iter().any(|p| p.iter().any(|v| !v.is_finite()) || p[2] < 0.0 || p[2] >= labels);
            if m.projection.mean.len() != d
                || m.projection.components.iter().any(|c| c.len() != d)
                || bad_point
            {
                return Err("the map's projection or points do not fit the code and the labels".into());
            }
        }
        if self.vectors.iter().flat_map(|v| &v.vector).chain(&self.kl_per_dim).any(|v| !v.is_finite()) {
            return Err("a vector or KL value is not a finite number".into());
        }
        Ok(())
    }
}

impl Runnable {
    /// The graphs valid, their ends matching the latent size and the image, the heads naming
    /// values the encoder makes.
    pub fn validate(&self) -> Result<(), String> {
        if self.latent_dim == 0 || self.latent_dim > 4096 {
            return Err(format!("latent_dim {} is outside 1..=4096", self.latent_dim));
        }
        let ImageSize { channels, height, width } = self.image;
        if !(1..=4).contains(&channels) || !(1..=1024).contains(&height) || !(1..=1024).contains(&width) {
            return Err(format!("an image of {channels}×{height}×{width} is not supported"));
        }
        self.decoder.validate().map_err(|e| format!("decoder: {e}"))?;
        if self.decoder.input != [self.latent_dim] {
            return Err(format!(
                "the decoder takes {:?}, not a code of {}",
                self.decoder.input, self.latent_dim
            ));
        }
        if let Some(enc) = &self.encoder {
            enc.graph.validate().map_err(|e| format!("encoder: {e}"))?;
            if enc.graph.input != [channels, height, width] {
                return Err(format!(
                    "the encoder takes {:?}, not the {channels}×{height}×{width} image",
                    enc.graph.input
                ));
            }
            let names: HashSet<&str> = enc.graph.nodes.iter().map(|n| n.name.as_str()).collect();
            let wanted: Vec<&str> = match &enc.heads {
                Heads::Two { mu, logvar } => vec![mu, logvar],
                Heads::Halves { output } | Heads::Interleaved { output } => vec![output],
            };
            if let Some(w) = wanted.iter().find(|w| !names.contains(**w)) {
                return Err(format!("the encoder's heads name {w}, which the encoder does not make"));
            }
        }
        if let Some(n) = &self.normalise
            && (n.mean.len() != channels
                || n.std.len() != channels
                || n.std.iter().any(|s| s.is_nan() || *s <= 0.0))
        {
            return Err(format!("normalisation needs {channels} means and {channels} positive deviations"));
        }
        Ok(())
    }
}
