//! A trained melody model made into a bundle the page loads: `web/models/<name>/melody.json`
//! beside its `weights.bpk`, listed in `web/models/melodies.json`. Apart from training (`train
//! melody`) so a long run's weights can be bundled again without training again: every figure
//! is measured afresh here from the weights, on the held-out tunes.

use crate::melody::{MelodyPreset, measure, tokens};
use bundle::{
    FORMAT_VERSION, MELODIES_FILE, MELODY_FILE, MelodyEntry, MelodyExample, MelodyGrid, MelodyManifest,
    MelodyTraining, NamedVector, SequenceArchitecture, WEIGHTS_FILE,
};
use burn::prelude::*;
use data::melody::{BAR, HIGH, LOW};
use data::tunes::Window;
use std::collections::BTreeMap;
use std::path::Path;
use vae::sequence::{SequenceVae, load_sequence};

/// How many held-out phrases ship as examples: enough for a gallery and an interpolation's
/// two ends, few enough to read at a glance.
const EXAMPLES: usize = 8;
/// Phrases whose μ the attribute vectors average (the first of the training split): the
/// vectors settle long before this (a mean of thousands of codes).
const VECTOR_PHRASES: usize = 6000;

/// μ of each phrase, in order.
pub fn codes(model: &SequenceVae, windows: &[&Window], device: &Device) -> Vec<Vec<f32>> {
    let latent = model.latent();
    let mut out = Vec::with_capacity(windows.len());
    for chunk in windows.chunks(256) {
        let (mu, _) = model.encode(tokens(chunk, device));
        let flat: Vec<f32> = mu.into_data().try_to_vec().unwrap_or_default();
        out.extend(flat.chunks(latent).map(<[f32]>::to_vec));
    }
    out
}

/// Held-out phrases with at least six notes, one per tune, the first `EXAMPLES` found: a
/// gallery of different tunes, each with something to hear.
fn pick_examples<'a>(test: &'a [Window], titles: &[String]) -> Vec<(&'a Window, String)> {
    let mut seen = std::collections::BTreeSet::new();
    let mut phrase_of_tune: BTreeMap<usize, usize> = BTreeMap::new();
    let mut picked = Vec::new();
    for w in test {
        let phrase = phrase_of_tune.entry(w.tune).or_insert(0);
        *phrase += 1;
        if picked.len() < EXAMPLES && !seen.contains(&w.tune) && melody::grid::notes(&w.melody).len() >= 6 {
            seen.insert(w.tune);
            let title = titles.get(w.tune).map_or("a tune", String::as_str);
            picked.push((w, format!("{title}, phrase {phrase}")));
        }
    }
    picked
}

/// Each attribute's vector: mean μ of the phrases that have it minus the mean of those that
/// do not, the image models' recipe for "glasses".
fn attribute_vectors(model: &SequenceVae, train: &[Window], device: &Device) -> Vec<NamedVector> {
    let phrases: Vec<&Window> = train.iter().take(VECTOR_PHRASES).collect();
    let mus = codes(model, &phrases, device);
    melody::attributes::ATTRIBUTES
        .iter()
        .enumerate()
        .filter_map(|(k, (name, _))| {
            let has: Vec<bool> = phrases.iter().map(|w| melody::attributes::labels(&w.melody)[k]).collect();
            let mean = |want: bool| {
                let chosen: Vec<&Vec<f32>> =
                    mus.iter().zip(&has).filter(|(_, h)| **h == want).map(|(m, _)| m).collect();
                let mut sum = vec![0.0f32; model.latent()];
                for m in &chosen {
                    for (s, v) in sum.iter_mut().zip(m.iter()) {
                        *s += v;
                    }
                }
                let n = chosen.len().max(1) as f32;
                (sum.into_iter().map(|s| s / n).collect::<Vec<f32>>(), chosen.len())
            };
            let ((with, n_with), (without, n_without)) = (mean(true), mean(false));
            (n_with > 0 && n_without > 0).then(|| NamedVector {
                name: name.to_string(),
                vector: with.iter().zip(&without).map(|(a, b)| a - b).collect(),
                support: Some([n_with, n_without]),
            })
        })
        .collect()
}

/// Measure `model` and write its bundle into `models/<preset.name>/`, then list every melody
/// bundle there in `melodies.json`.
#[allow(clippy::too_many_arguments)]
pub fn write_bundle(
    preset: &MelodyPreset,
    weights: Vec<u8>,
    seconds: f64,
    train: &[Window],
    test: &[Window],
    titles: &[String],
    models: &Path,
) -> Result<MelodyManifest, Box<dyn std::error::Error>> {
    let device = Device::flex();
    let architecture: SequenceArchitecture = preset.shape;
    let mut manifest = MelodyManifest {
        format_version: FORMAT_VERSION,
        name: preset.name.to_string(),
        description: preset.description.to_string(),
        architecture,
        grid: MelodyGrid { low: LOW, high: HIGH, steps_per_bar: BAR },
        training: MelodyTraining {
            dataset: "music21 10.5.1 corpus: Ryan's Mammoth Collection (1883) and O'Neill's Music of Ireland (1903), 2-bar phrases of 4/4 and 2/2 tunes".into(),
            epochs: preset.epochs,
            batch_size: preset.batch_size,
            learning_rate: preset.learning_rate,
            beta: preset.beta,
            free_nats: preset.free_nats,
            seed: preset.seed,
            seconds,
            // Every epoch sees each whole batch of the training phrases once.
            samples_per_second: (preset.epochs * (train.len() / preset.batch_size) * preset.batch_size) as f64
                / seconds.max(1e-9),
        },
        kl_per_dim: vec![0.0; architecture.latent],
        metrics: BTreeMap::new(),
        vectors: vec![],
        examples: vec![],
    };
    let model = load_sequence(&manifest, weights.clone(), &device)?;
    let figures = measure(&model, test, &device);
    manifest.kl_per_dim =
        if architecture.variational { figures.kl_per_dim.clone() } else { vec![0.0; architecture.latent] };
    for (key, value) in [
        ("test_phrases", figures.test_windows as f64),
        ("step_accuracy", figures.step_accuracy),
        ("note_accuracy", figures.note_accuracy),
        ("prior_one_key", figures.prior_one_key),
        ("prior_with_notes", figures.prior_with_notes),
        ("data_one_key", figures.data_one_key),
    ] {
        manifest.metrics.insert(key.to_string(), value);
    }
    let picked = pick_examples(test, titles);
    let windows: Vec<&Window> = picked.iter().map(|(w, _)| *w).collect();
    let mus = codes(&model, &windows, &device);
    manifest.examples = picked
        .iter()
        .zip(mus)
        .map(|((w, label), mu)| MelodyExample { label: label.clone(), tokens: w.melody.to_vec(), mu })
        .collect();
    manifest.vectors = attribute_vectors(&model, train, &device);
    manifest.validate()?;
    let dir = models.join(preset.name);
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join(WEIGHTS_FILE), weights)?;
    std::fs::write(dir.join(MELODY_FILE), serde_json::to_string_pretty(&manifest)?)?;
    write_melody_index(models)?;
    Ok(manifest)
}

/// `melodies.json`: every folder of `models` that holds a melody bundle, by name.
pub fn write_melody_index(models: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let mut entries = Vec::new();
    for entry in std::fs::read_dir(models)? {
        let path = entry?.path().join(MELODY_FILE);
        if let Ok(text) = std::fs::read_to_string(&path) {
            let m = MelodyManifest::parse(&text).map_err(|e| format!("{}: {e}", path.display()))?;
            entries.push((
                !m.architecture.variational,
                MelodyEntry { name: m.name, description: m.description },
            ));
        }
    }
    // The VAEs first: the page opens the first listed, and the view is about a VAE.
    entries.sort_by(|a, b| (a.0, &a.1.name).cmp(&(b.0, &b.1.name)));
    let entries: Vec<MelodyEntry> = entries.into_iter().map(|(_, e)| e).collect();
    std::fs::write(models.join(MELODIES_FILE), serde_json::to_string_pretty(&entries)?)?;
    Ok(())
}
