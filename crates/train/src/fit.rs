//! The training loop: Adam on the β-ELBO, with the reparameterisation trick for VAEs and the
//! plain reconstruction loss for the autoencoder.

use crate::examples::{Examples, batch};
use crate::presets::Preset;
use burn::module::Module;
use burn::optim::GradientsParams;
use burn::prelude::*;
use burn::store::ModuleRecord;
use indicatif::{ProgressBar, ProgressStyle};
use latent::prior::Mixture;
use latent::rng::Rng;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::Instant;
use vae::Model;
use vae::loss::{Elbo, bernoulli_nll, elbo, reparameterise};
use vae::prior::{MixturePrior, log_normal_diag};
use vae::weights_bytes;

/// What a run measured, for the manifest and the smoke test.
#[derive(Clone, Debug)]
pub struct FitReport {
    /// Mean training loss over the first and last 10% of steps.
    pub first_loss: f32,
    pub last_loss: f32,
    pub steps: usize,
    pub seconds: f64,
    pub samples_per_second: f64,
    /// The prior learned with the model, when the preset learns one.
    pub prior: Option<Mixture>,
}

/// What the optimiser updates: the model, and the prior when it is learned too.
#[derive(Module, Debug)]
struct Trainee {
    model: Model,
    prior: Option<MixturePrior>,
}

/// The CPU backends the trainer can run on. flex is the one used for every shipped bundle
/// (chosen by `train backends`); ndarray is there to compare, behind the `ndarray` feature.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum CpuBackend {
    #[default]
    Flex,
    #[cfg(feature = "ndarray")]
    NdArray,
}

impl CpuBackend {
    pub fn all() -> Vec<CpuBackend> {
        vec![
            CpuBackend::Flex,
            #[cfg(feature = "ndarray")]
            CpuBackend::NdArray,
        ]
    }

    pub fn name(self) -> &'static str {
        match self {
            CpuBackend::Flex => "flex",
            #[cfg(feature = "ndarray")]
            CpuBackend::NdArray => "ndarray",
        }
    }

    pub fn device(self) -> Device {
        match self {
            CpuBackend::Flex => Device::flex(),
            #[cfg(feature = "ndarray")]
            #[allow(deprecated)] // deprecated in burn 0.22, measured here only to compare
            CpuBackend::NdArray => Device::ndarray(),
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct FitOptions {
    /// Stop after this many steps (smoke runs); `None` runs every epoch.
    pub max_steps: Option<usize>,
    pub progress: bool,
    /// Where to write a checkpoint after every epoch (weights, epoch, shuffling RNG state).
    pub checkpoints: Option<PathBuf>,
    /// Continue from the checkpoint in `checkpoints` when there is one for this preset.
    pub resume: bool,
    pub backend: CpuBackend,
    /// Start from this model (on the training device) instead of a fresh one: the stacked
    /// autoencoder's fine-tuning starts from its greedy stages.
    pub start: Option<Model>,
}

/// What a checkpoint records beside the weights. Adam's moments are not kept: a resumed run
/// restarts them, which costs a few noisy steps, not correctness.
#[derive(Debug, Serialize, Deserialize, PartialEq)]
pub struct Checkpoint {
    pub preset: String,
    pub epochs_done: usize,
    pub rng_state: u64,
}

const CHECKPOINT_WEIGHTS: &str = "model.bpk";
const CHECKPOINT_FILE: &str = "checkpoint.json";
const CHECKPOINT_PRIOR: &str = "prior.json";

fn save_checkpoint(
    dir: &Path,
    model: &Model,
    prior: Option<&MixturePrior>,
    c: &Checkpoint,
) -> Result<(), Box<dyn std::error::Error>> {
    std::fs::create_dir_all(dir)?;
    let weights = weights_bytes(model.clone().valid())?;
    // Weights first, then the marker: a crash between the two leaves the old marker, whose
    // epoch count the new weights are ahead of, never behind.
    std::fs::write(dir.join(CHECKPOINT_WEIGHTS), weights)?;
    if let Some(p) = prior {
        std::fs::write(dir.join(CHECKPOINT_PRIOR), serde_json::to_string(&p.to_mixture())?)?;
    }
    std::fs::write(dir.join(CHECKPOINT_FILE), serde_json::to_string_pretty(c)?)?;
    Ok(())
}

/// The checkpoint in `dir` for `preset`, applied to `model`, if there is one.
pub fn load_checkpoint(
    dir: &Path,
    preset: &str,
    model: Model,
) -> Result<(Model, Option<Checkpoint>), String> {
    let Ok(text) = std::fs::read_to_string(dir.join(CHECKPOINT_FILE)) else { return Ok((model, None)) };
    let c: Checkpoint = serde_json::from_str(&text).map_err(|e| format!("bad checkpoint: {e}"))?;
    if c.preset != preset {
        return Err(format!("the checkpoint in {} is for {}, not {preset}", dir.display(), c.preset));
    }
    let bytes = std::fs::read(dir.join(CHECKPOINT_WEIGHTS)).map_err(|e| e.to_string())?;
    let record =
        ModuleRecord::from_bytes(burn::tensor::Bytes::from_bytes_vec(bytes)).map_err(|e| e.to_string())?;
    let model = model.try_load_record(record).map_err(|e| e.to_string())?;
    Ok((model, Some(c)))
}

/// Train a preset's model on `ex`. Returns the model on the plain (non-autodiff) device.
/// The learning rate at `step` of `total`: cosine from the preset's rate down to
/// `final_lr_fraction` of it (constant when that is 1).
pub fn scheduled_lr(preset: &Preset, step: usize, total: usize) -> f64 {
    let t = step as f64 / total.max(1) as f64;
    let floor = preset.final_lr_fraction;
    preset.learning_rate * (floor + (1.0 - floor) * 0.5 * (1.0 + (std::f64::consts::PI * t.min(1.0)).cos()))
}

pub fn fit(preset: &Preset, ex: &Examples, opts: &FitOptions) -> (Model, FitReport) {
    let device = opts.backend.device().autodiff();
    device.seed(preset.seed);
    let mut rng = Rng::new(preset.seed);
    let mut model = opts.start.clone().unwrap_or_else(|| Model::new(&preset.architecture, &device));
    let dim = preset.architecture.latent_dim();
    let mut prior =
        (preset.prior_components > 0).then(|| MixturePrior::new(preset.prior_components, dim, &device));
    let mut first_epoch = 0;
    if let (Some(dir), true) = (&opts.checkpoints, opts.resume) {
        match load_checkpoint(dir, preset.name, model.clone()) {
            Ok((m, Some(c))) => {
                eprintln!("resuming {} after epoch {}", preset.name, c.epochs_done);
                model = m;
                first_epoch = c.epochs_done;
                if prior.is_some() {
                    prior = Some(load_prior(dir, &device).unwrap_or_else(|e| {
                        eprintln!("the checkpoint's prior is unreadable ({e}); starting the prior afresh");
                        MixturePrior::new(preset.prior_components, dim, &device)
                    }));
                }
                rng = Rng::from_state(c.rng_state);
            }
            Ok((m, None)) => model = m,
            Err(e) => eprintln!("not resuming: {e}"),
        }
    }
    let mut optim = train_ops::FusedAdam::init();
    let variational = preset.architecture.is_variational();
    let n = ex.len();
    let bs = preset.batch_size.min(n).max(1);
    let steps_per_epoch = n / bs;
    let remaining = steps_per_epoch * preset.epochs.saturating_sub(first_epoch);
    let total = opts.max_steps.unwrap_or(remaining).min(remaining);

    let bar = if opts.progress { ProgressBar::new(total as u64) } else { ProgressBar::hidden() };
    bar.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} epoch {prefix} {msg} [{elapsed} < {eta}]")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let start = Instant::now();
    let mut losses: Vec<f32> = Vec::with_capacity(total);
    let mut order: Vec<usize> = (0..n).collect();
    // Without a terminal the bar is hidden; log a line per epoch instead so logs show progress.
    let log_epochs = opts.progress && !std::io::IsTerminal::is_terminal(&std::io::stderr());
    'epochs: for epoch in first_epoch..preset.epochs {
        if log_epochs && epoch > first_epoch {
            let rate = losses.len() as f64 * bs as f64 / start.elapsed().as_secs_f64();
            let last = losses.iter().rev().find(|l| !l.is_nan()).copied().unwrap_or(f32::NAN);
            eprintln!("epoch {epoch}/{}: loss {last:.2}, {rate:.0} samples/s", preset.epochs);
        }
        // Fisher-Yates with our own RNG so runs reproduce exactly.
        for i in (1..n).rev() {
            order.swap(i, rng.below(i + 1));
        }
        for chunk in order.chunks_exact(bs) {
            if losses.len() >= total {
                break 'epochs;
            }
            let clean = batch(ex, chunk, Some(&mut rng));
            // A denoising autoencoder sees a masked copy and is scored against the clean one.
            let seen = if preset.input_mask > 0.0 {
                mask(&clean, preset.input_mask, &mut rng)
            } else {
                clean.clone()
            };
            let x = Tensor::<1>::from_floats(clean.as_slice(), &device).reshape([bs, ex.dim]);
            let x_seen = Tensor::<1>::from_floats(seen.as_slice(), &device).reshape([bs, ex.dim]);
            let step = first_epoch * steps_per_epoch + losses.len();
            let (mu, logvar) = model.encode(x_seen);
            let z = if variational { reparameterise(mu.clone(), logvar.clone()) } else { mu.clone() };
            let logits = model.decode_logits(z.clone());
            let beta = if variational { preset.beta * warmup(preset, step, steps_per_epoch) } else { 0.0 };
            let parts = match &prior {
                None => elbo(x, logits, mu.clone(), logvar, beta),
                // No closed form against a mixture: the one-sample estimate at the decoder's z.
                Some(p) => {
                    let recon = bernoulli_nll(x, logits).mean();
                    let kl = (log_normal_diag(z.clone(), mu.clone(), logvar) - p.log_density(z)).mean();
                    Elbo { loss: recon.clone() + kl.clone() * beta, recon, kl }
                }
            };
            // The sparse autoencoder's penalty: λ·Σ|z| per image, so most units stay at 0.
            let objective = if preset.sparsity > 0.0 {
                parts.loss.clone() + mu.abs().sum_dim(1).squeeze_dim::<1>(1).mean() * preset.sparsity
            } else {
                parts.loss.clone()
            };
            let trainee = Trainee { model, prior };
            let grads = GradientsParams::from_grads(objective.backward(), &trainee);
            let lr = scheduled_lr(preset, step, steps_per_epoch * preset.epochs);
            Trainee { model, prior } = optim.step(lr, trainee, grads);

            // Reading scalars syncs the device; do it every few steps only.
            if losses.len().is_multiple_of(20) || losses.len() + 1 == total {
                let (loss, recon, kl) = (
                    parts.loss.into_scalar::<f32>(),
                    parts.recon.into_scalar::<f32>(),
                    parts.kl.into_scalar::<f32>(),
                );
                let rate = (losses.len() + 1) as f64 * bs as f64 / start.elapsed().as_secs_f64();
                bar.set_prefix(format!("{}/{}", epoch + 1, preset.epochs));
                bar.set_message(format!("loss {loss:.1} recon {recon:.1} KL {kl:.1} | {rate:.0} samples/s"));
                losses.push(loss);
            } else {
                losses.push(f32::NAN);
            }
            bar.inc(1);
        }
        if let Some(dir) = &opts.checkpoints {
            let c = Checkpoint { preset: preset.name.into(), epochs_done: epoch + 1, rng_state: rng.state() };
            if let Err(e) = save_checkpoint(dir, &model, prior.as_ref(), &c) {
                eprintln!("could not write a checkpoint to {}: {e}", dir.display());
            }
        }
    }
    bar.finish();
    let seconds = start.elapsed().as_secs_f64();
    let read: Vec<f32> = losses.iter().copied().filter(|l| !l.is_nan()).collect();
    let tenth = (read.len() / 10).max(1);
    let mean = |s: &[f32]| s.iter().sum::<f32>() / s.len().max(1) as f32;
    let report = FitReport {
        first_loss: mean(&read[..tenth.min(read.len())]),
        last_loss: mean(&read[read.len().saturating_sub(tenth)..]),
        steps: losses.len(),
        seconds,
        samples_per_second: (losses.len() * bs) as f64 / seconds,
        prior: prior.map(|p| p.valid().to_mixture()),
    };
    (model.valid(), report)
}

/// The share of β the KL term carries at `step`: rising linearly over the preset's warm-up.
pub fn warmup(preset: &Preset, step: usize, steps_per_epoch: usize) -> f32 {
    let span = preset.kl_warmup_epochs * steps_per_epoch;
    if span == 0 { 1.0 } else { (step as f32 / span as f32).min(1.0) }
}

fn load_prior(dir: &Path, device: &Device) -> Result<MixturePrior, String> {
    let text = std::fs::read_to_string(dir.join(CHECKPOINT_PRIOR)).map_err(|e| e.to_string())?;
    let m: Mixture = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    Ok(MixturePrior::from_mixture(&m, device))
}

/// Masking noise: each value set to 0 with probability `share`, from our own RNG so a run
/// reproduces exactly.
pub fn mask(values: &[f32], share: f32, rng: &mut Rng) -> Vec<f32> {
    values.iter().map(|&v| if rng.unit() < share { 0.0 } else { v }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kl_weight_warms_up_linearly_then_stays_at_beta() {
        let mut p = crate::presets::find("mnist-vae").unwrap();
        p.kl_warmup_epochs = 2;
        assert_eq!(warmup(&p, 0, 100), 0.0);
        assert!((warmup(&p, 50, 100) - 0.25).abs() < 1e-6);
        assert_eq!(warmup(&p, 200, 100), 1.0);
        assert_eq!(warmup(&p, 10_000, 100), 1.0);
        p.kl_warmup_epochs = 0;
        assert_eq!(warmup(&p, 0, 100), 1.0, "no warm-up: β from the first step");
    }

    #[test]
    fn masking_zeroes_about_the_share_asked_and_keeps_the_rest() {
        let values = vec![0.7f32; 10_000];
        let masked = mask(&values, 0.5, &mut Rng::new(3));
        let zeros = masked.iter().filter(|v| **v == 0.0).count();
        assert!((4_700..5_300).contains(&zeros), "{zeros} of 10,000 masked");
        assert!(masked.iter().all(|v| *v == 0.0 || *v == 0.7));
        assert_eq!(mask(&values, 0.0, &mut Rng::new(3)), values);
    }
}
