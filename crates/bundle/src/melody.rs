//! `melody.json`: a sequence model's bundle (the melody VAE and its plain autoencoder), beside
//! its `weights.bpk` in `models/<name>/`. Its own file and its own list (`models/melodies.json`)
//! rather than a variant of the image manifest: nothing an image view reads (pixels, labels, a
//! latent map) means anything for a melody, and the image picker must never offer one.

use crate::{BundleError, FORMAT_VERSION, NamedVector};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const MELODY_FILE: &str = "melody.json";
pub const MELODIES_URL: &str = "models/melodies.json";
pub const MELODIES_FILE: &str = "melodies.json";

/// More than any preset trains; a manifest asking for more is refused before a weight is read.
const MAX_HIDDEN: usize = 2048;
const MAX_LATENT: usize = 256;
const MAX_STEPS: usize = 512;
const MAX_VOCAB: usize = 512;

/// The layers' sizes (`vae::sequence::SequenceShape` builds from it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SequenceArchitecture {
    pub steps: usize,
    pub vocab: usize,
    pub embed: usize,
    pub hidden: usize,
    pub latent: usize,
    /// A VAE (μ and log σ²) or a plain autoencoder (μ only).
    pub variational: bool,
}

/// What each token means: 0 a rest, 1 a hold, then one per MIDI pitch from `low` to `high`, on a
/// grid of `steps_per_bar` steps (sixteenths in 4/4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MelodyGrid {
    pub low: u8,
    pub high: u8,
    pub steps_per_bar: usize,
}

/// A held-out phrase shipped with the bundle, so the page has melodies before any input.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MelodyExample {
    /// Where it comes from ("The Wind that Shakes the Barley, bars 3-4").
    pub label: String,
    pub tokens: Vec<u8>,
    /// Its μ, computed when the bundle was written.
    pub mu: Vec<f32>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MelodyTraining {
    pub dataset: String,
    pub epochs: usize,
    pub batch_size: usize,
    pub learning_rate: f64,
    pub beta: f32,
    /// KL allowance per melody below which it costs nothing (free bits).
    pub free_nats: f32,
    pub seed: u64,
    pub seconds: f64,
    pub samples_per_second: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MelodyManifest {
    pub format_version: u32,
    pub name: String,
    pub description: String,
    pub architecture: SequenceArchitecture,
    pub grid: MelodyGrid,
    pub training: MelodyTraining,
    /// Mean KL (nats) of each latent dimension over the held-out phrases: orders the sliders.
    pub kl_per_dim: Vec<f32>,
    /// Measured on held-out tunes: note and step accuracy, the share of prior samples in one
    /// key, and the same share for the data.
    #[serde(default)]
    pub metrics: BTreeMap<String, f64>,
    /// Attribute vectors from labelled phrases ("busy": more notes per bar, "high": a higher
    /// register): mean μ of the phrases with the attribute minus the mean of those without.
    #[serde(default)]
    pub vectors: Vec<NamedVector>,
    #[serde(default)]
    pub examples: Vec<MelodyExample>,
}

impl MelodyManifest {
    pub fn parse(text: &str) -> Result<Self, BundleError> {
        let m: MelodyManifest =
            serde_json::from_str(text).map_err(|e| BundleError::Manifest(e.to_string()))?;
        m.validate()?;
        Ok(m)
    }

    /// Everything the worker and the page rely on, checked before any weight is read: sizes in
    /// range, one KL per dimension, vectors and examples of the right lengths and tokens.
    pub fn validate(&self) -> Result<(), BundleError> {
        if self.format_version != FORMAT_VERSION {
            return Err(BundleError::Version(self.format_version));
        }
        let a = &self.architecture;
        let bad = |what: String| Err(BundleError::Inconsistent(what));
        if a.hidden == 0 || a.hidden > MAX_HIDDEN || a.embed == 0 || a.embed > MAX_HIDDEN {
            return bad(format!("a hidden width of {} and an embedding of {}", a.hidden, a.embed));
        }
        if a.latent == 0 || a.latent > MAX_LATENT {
            return bad(format!("a latent of {} dimensions (1 to {MAX_LATENT})", a.latent));
        }
        if a.steps == 0 || a.steps > MAX_STEPS || a.vocab > MAX_VOCAB {
            return bad(format!("{} steps of {} tokens", a.steps, a.vocab));
        }
        let g = &self.grid;
        if g.low > g.high || g.high > 127 || a.vocab != 2 + usize::from(g.high - g.low) + 1 {
            return bad(format!(
                "{} tokens for pitches {} to {} (a rest, a hold and one per pitch)",
                a.vocab, g.low, g.high
            ));
        }
        if g.steps_per_bar == 0 || !a.steps.is_multiple_of(g.steps_per_bar) {
            return bad(format!("{} steps are not whole bars of {}", a.steps, g.steps_per_bar));
        }
        if self.kl_per_dim.len() != a.latent {
            return bad(format!("{} KL figures for {} dimensions", self.kl_per_dim.len(), a.latent));
        }
        for v in &self.vectors {
            if v.vector.len() != a.latent || v.vector.iter().any(|x| !x.is_finite()) {
                return bad(format!("the vector \"{}\" is not {} finite numbers", v.name, a.latent));
            }
        }
        for e in &self.examples {
            if e.tokens.len() != a.steps || e.tokens.iter().any(|t| usize::from(*t) >= a.vocab) {
                return bad(format!(
                    "the example \"{}\" is not {} tokens below {}",
                    e.label, a.steps, a.vocab
                ));
            }
            if e.mu.len() != a.latent {
                return bad(format!("the example \"{}\" has a code of {} numbers", e.label, e.mu.len()));
            }
        }
        Ok(())
    }

    /// The URL of one of its files, relative to the page.
    pub fn file_url(name: &str, file: &str) -> String {
        format!("models/{name}/{file}")
    }
}

/// `models/melodies.json`: the melody models the page offers, one line each.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MelodyEntry {
    pub name: String,
    pub description: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> MelodyManifest {
        crate::testing::melody_manifest(4)
    }

    #[test]
    fn a_consistent_manifest_round_trips_and_parses() {
        let m = small();
        let text = serde_json::to_string(&m).unwrap();
        assert_eq!(MelodyManifest::parse(&text).unwrap(), m);
        assert_eq!(MelodyManifest::file_url("melody-vae", "weights.bpk"), "models/melody-vae/weights.bpk");
    }

    #[test]
    fn contradictions_are_refused_with_what_is_wrong() {
        let refuse = |f: &dyn Fn(&mut MelodyManifest), says: &str| {
            let mut m = small();
            f(&mut m);
            let e = m.validate().unwrap_err().to_string();
            assert!(e.contains(says), "{e} should say {says}");
        };
        refuse(&|m| m.format_version = 99, "version 99");
        refuse(&|m| m.architecture.hidden = 1 << 20, "hidden width");
        refuse(&|m| m.architecture.latent = 0, "latent of 0");
        refuse(&|m| m.architecture.vocab = 40, "40 tokens");
        refuse(&|m| m.architecture.steps = 24, "whole bars");
        refuse(&|m| m.kl_per_dim.pop().map(drop).unwrap_or(()), "3 KL figures");
        refuse(&|m| m.vectors[0].vector[0] = f32::NAN, "busy");
        refuse(&|m| m.examples[0].tokens[3] = 32, "example");
        refuse(&|m| m.examples[0].mu.clear(), "code of 0");
        assert!(MelodyManifest::parse("{").unwrap_err().to_string().contains("not valid"));
    }
}
