//! Training and measuring the melody models (`vae::sequence`) on two-bar windows of the
//! public-domain fiddle tunes (`data::tunes`): the VAE and the plain sequence autoencoder it is
//! compared with, on the two figures: how many notes of a held-out melody come back,
//! and how many prior samples stay in one key.

use burn::module::Module;
use burn::optim::GradientsParams;
use burn::prelude::*;
use data::melody::{HOLD, REST, STEPS, VOCAB, token_pitch};
use data::tunes::Window;
use latent::rng::Rng;
use serde::Serialize;
use std::time::Instant;
use vae::loss::kl_per_dim;
use vae::sequence::{SequenceShape, SequenceVae, melody_nll};

#[derive(Clone, Debug)]
pub struct MelodyPreset {
    pub name: &'static str,
    pub description: &'static str,
    pub shape: SequenceShape,
    pub beta: f32,
    /// KL below this many nats per melody costs nothing (free bits, as MusicVAE trains): the
    /// autoregressive decoder could otherwise ignore z and predict each note from the last.
    pub free_nats: f32,
    pub epochs: usize,
    pub batch_size: usize,
    pub learning_rate: f64,
    pub seed: u64,
}

pub fn presets() -> Vec<MelodyPreset> {
    let shape =
        SequenceShape { steps: STEPS, vocab: VOCAB, embed: 32, hidden: 192, latent: 16, variational: true };
    let vae = MelodyPreset {
        name: "melody-vae",
        description: "Melody VAE on two-bar fiddle-tune phrases (16th-note grid): a bidirectional GRU encoder, a 16-dimensional code and an autoregressive GRU decoder, as in MusicVAE.",
        shape,
        beta: 0.5,
        free_nats: 16.0,
        // About 17 minutes on this machine's 2 cores (~250 phrases a second).
        epochs: 20,
        batch_size: 64,
        learning_rate: 1e-3,
        seed: 1,
    };
    vec![
        vae.clone(),
        MelodyPreset {
            name: "melody-ae",
            description: "Plain sequence autoencoder with melody-vae's layers: no KL, no sampling.",
            shape: SequenceShape { variational: false, ..shape },
            beta: 0.0,
            free_nats: 0.0,
            ..vae
        },
    ]
}

pub fn find(name: &str) -> Option<MelodyPreset> {
    presets().into_iter().find(|p| p.name == name)
}

pub fn tokens(windows: &[&Window], device: &Device) -> Tensor<2, Int> {
    let flat: Vec<i64> = windows.iter().flat_map(|w| w.melody.iter().map(|t| i64::from(*t))).collect();
    Tensor::<1, Int>::from_ints(flat.as_slice(), device).reshape([windows.len(), STEPS])
}

#[derive(Clone, Debug)]
pub struct MelodyFit {
    pub first_loss: f32,
    pub last_loss: f32,
    pub seconds: f64,
    pub samples_per_second: f64,
}

/// Adam on the β-ELBO with free nats (the VAE) or the reconstruction alone (the AE).
pub fn fit(preset: &MelodyPreset, train: &[Window], max_steps: Option<usize>) -> (SequenceVae, MelodyFit) {
    let device = Device::flex().autodiff();
    device.seed(preset.seed);
    let mut rng = Rng::new(preset.seed);
    let mut model = SequenceVae::new(preset.shape, &device);
    let mut optim = train_ops::FusedAdam::init();
    let mut order: Vec<usize> = (0..train.len()).collect();
    let bs = preset.batch_size.min(train.len()).max(1);
    let total = max_steps.unwrap_or(usize::MAX);
    let (mut losses, mut steps) = (Vec::new(), 0usize);
    let start = Instant::now();
    'epochs: for epoch in 0..preset.epochs {
        for i in (1..order.len()).rev() {
            order.swap(i, rng.below(i + 1));
        }
        for chunk in order.chunks_exact(bs) {
            if steps >= total {
                break 'epochs;
            }
            let batch: Vec<&Window> = chunk.iter().map(|&i| &train[i]).collect();
            let x = tokens(&batch, &device);
            let (mu, logvar) = model.encode(x.clone());
            let z = if preset.shape.variational {
                vae::loss::reparameterise(mu.clone(), logvar.clone())
            } else {
                mu.clone()
            };
            let recon = melody_nll(model.log_probs(z, x.clone()), x).mean();
            let loss = if preset.shape.variational {
                let kl = kl_per_dim(mu, logvar).sum_dim(1).squeeze_dim::<1>(1).mean();
                // Free nats: the KL term has no pull below the allowance.
                recon.clone() + kl.clamp_min(preset.free_nats) * preset.beta
            } else {
                recon.clone()
            };
            let grads = GradientsParams::from_grads(loss.backward(), &model);
            model = optim.step(preset.learning_rate, model, grads);
            if steps.is_multiple_of(20) {
                losses.push(recon.into_scalar::<f32>());
            }
            steps += 1;
        }
        if let Some(last) = losses.last() {
            eprintln!(
                "{} epoch {}/{}: reconstruction {last:.2} nats per melody",
                preset.name,
                epoch + 1,
                preset.epochs
            );
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    let tenth = (losses.len() / 10).max(1);
    let mean = |s: &[f32]| s.iter().sum::<f32>() / s.len().max(1) as f32;
    let report = MelodyFit {
        first_loss: mean(&losses[..tenth.min(losses.len())]),
        last_loss: mean(&losses[losses.len().saturating_sub(tenth)..]),
        seconds,
        samples_per_second: (steps * bs) as f64 / seconds,
    };
    (model.valid(), report)
}

/// What the issue asks of a melody model, measured on held-out tunes.
#[derive(Clone, Debug, Serialize)]
pub struct MelodyFigures {
    pub test_windows: usize,
    /// Of the held-out melodies' steps, the share the greedy decode of μ gets exactly right.
    pub step_accuracy: f64,
    /// Of the held-out melodies' notes (steps where one starts), the share decoded with the same
    /// pitch at the same step.
    pub note_accuracy: f64,
    /// Of 1,000 prior samples, the share whose pitches all fit one major scale (or its
    /// relative minor: the same notes), and the share with at least one note at all.
    pub prior_one_key: f64,
    pub prior_with_notes: f64,
    /// The same measure over the held-out melodies themselves, for scale.
    pub data_one_key: f64,
    pub kl_per_dim: Vec<f32>,
}

pub use melody::key::in_one_key;

fn notes(melody: &[u8]) -> Vec<u8> {
    melody.iter().filter_map(|t| token_pitch(*t)).collect()
}

pub const PRIOR_SEED: u64 = 2024;

pub fn measure(model: &SequenceVae, test: &[Window], device: &Device) -> MelodyFigures {
    let (mut right_steps, mut steps, mut right_notes, mut notes_total) = (0usize, 0usize, 0usize, 0usize);
    let mut kl = vec![0.0f64; model.latent()];
    for chunk in test.chunks(256) {
        let refs: Vec<&Window> = chunk.iter().collect();
        let (mu, logvar) = model.encode(tokens(&refs, device));
        for (k, v) in kl_per_dim(mu.clone(), logvar)
            .sum_dim(0)
            .into_data()
            .try_to_vec::<f32>()
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            kl[k] += f64::from(*v);
        }
        for (w, decoded) in chunk.iter().zip(model.decode_greedy(mu)) {
            for (a, b) in w.melody.iter().zip(&decoded) {
                steps += 1;
                right_steps += usize::from(a == b);
                if token_pitch(*a).is_some() {
                    notes_total += 1;
                    right_notes += usize::from(a == b);
                }
            }
        }
    }
    let mut rng = Rng::new(PRIOR_SEED);
    let n = 1000;
    let z: Vec<f32> = (0..n * model.latent()).map(|_| rng.normal()).collect();
    let z = Tensor::<1>::from_floats(z.as_slice(), device).reshape([n, model.latent()]);
    let samples = model.decode_greedy(z);
    let sampled_notes: Vec<Vec<u8>> = samples.iter().map(|s| notes(s)).collect();
    let with_notes = sampled_notes.iter().filter(|p| !p.is_empty()).count();
    let one_key = sampled_notes.iter().filter(|p| !p.is_empty() && in_one_key(p)).count();
    let data_one_key = test.iter().filter(|w| in_one_key(&notes(&w.melody))).count();
    let share = |a: usize, b: usize| a as f64 / b.max(1) as f64;
    MelodyFigures {
        test_windows: test.len(),
        step_accuracy: share(right_steps, steps),
        note_accuracy: share(right_notes, notes_total),
        prior_one_key: share(one_key, n),
        prior_with_notes: share(with_notes, n),
        data_one_key: share(data_one_key, test.len()),
        kl_per_dim: kl.iter().map(|k| (k / test.len().max(1) as f64) as f32).collect(),
    }
}

/// The tokens a melody is made of, for printing: a pitch name at each onset, `-` for a hold,
/// `.` for a rest.
pub fn describe(melody: &[u8]) -> String {
    const NAMES: [&str; 12] = ["C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"];
    melody
        .iter()
        .map(|t| match (*t, token_pitch(*t)) {
            (REST, _) => ".".to_string(),
            (HOLD, _) => "-".to_string(),
            (_, Some(p)) => format!("{}{}", NAMES[usize::from(p % 12)], p / 12 - 1),
            _ => "?".to_string(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_run_learns_something_and_the_figures_are_shares() {
        let windows: Vec<Window> = (0..64)
            .map(|i| {
                let mut melody = [HOLD; STEPS];
                for s in (0..STEPS).step_by(4) {
                    melody[s] = data::melody::pitch_token(60 + [0, 2, 4, 5, 7][(s / 4 + i) % 5]).unwrap();
                }
                Window { melody, tune: i }
            })
            .collect();
        let mut p = find("melody-vae").unwrap();
        p.epochs = 6;
        p.batch_size = 16;
        p.shape.hidden = 32;
        let (model, fit_report) = fit(&p, &windows, None);
        assert!(fit_report.last_loss < fit_report.first_loss * 0.7, "{fit_report:?}");
        let f = measure(&model, &windows[..16], &Device::flex());
        for v in [f.step_accuracy, f.note_accuracy, f.prior_one_key, f.prior_with_notes, f.data_one_key] {
            assert!((0.0..=1.0).contains(&v), "{f:?}");
        }
        assert_eq!(f.data_one_key, 1.0, "C major scales are in one key");
        assert!(f.step_accuracy > 0.5, "the holds alone are three quarters: {f:?}");
        assert_eq!(f.kl_per_dim.len(), p.shape.latent);
    }
}
