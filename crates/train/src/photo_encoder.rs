//! Teaching faces-vae's encoder to meet photos. The encoder alone is fine-tuned so that a
//! photo-like version of a render (`augment`) maps to the code the original encoder gives the
//! clean render, and a clean render keeps its own code. The decoder, and with it the latent
//! space and the attribute vectors, stay exactly as they were: a photo comes back as the drawn
//! face it most resembles, and "add glasses" means what it meant before.

use crate::augment::{PHOTO_RECIPE, pairs};
use burn::module::Module;
use burn::optim::GradientsParams;
use burn::prelude::*;
use latent::rng::Rng;
use std::time::Instant;
use vae::Model;

/// Seeds of the faces it learns from: apart from the VAE's training faces (below 24,000), its
/// test faces (from 2^40), the attribute detectors' (2^41) and the face check's (3 · 2^40).
const PHOTO_SEED: u64 = 4 << 40;
/// How much the log σ² error counts beside μ's: σ matters for the page's bands, μ for the image.
const LOGVAR_WEIGHT: f32 = 0.1;

#[derive(Clone, Debug)]
pub struct Options {
    pub steps: usize,
    /// Faces per step; each is seen twice, photo-like and clean.
    pub batch: usize,
    pub learning_rate: f64,
    pub seed: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options { steps: 3_000, batch: 48, learning_rate: 3e-4, seed: 5 }
    }
}

pub struct Report {
    pub first_loss: f32,
    pub last_loss: f32,
    pub seconds: f64,
}

/// The squared distance to the teacher's codes, mean over the batch.
fn distance(mu: Tensor<2>, logvar: Tensor<2>, target_mu: Tensor<2>, target_logvar: Tensor<2>) -> Tensor<1> {
    let m = (mu - target_mu).powi_scalar(2).sum_dim(1).mean();
    let l = (logvar - target_logvar).powi_scalar(2).sum_dim(1).mean();
    m + l.mul_scalar(LOGVAR_WEIGHT)
}

/// Fine-tune the encoder of `model`, faces-vae as `manifest` describes it (a copy; `model`
/// itself is the frozen teacher). Returns the new model on the plain device, decoder untouched.
pub fn fine_tune(
    model: &Model,
    manifest: &bundle::Manifest,
    opts: &Options,
) -> Result<(Model, Report), Box<dyn std::error::Error>> {
    let plain = Device::flex();
    let device = plain.clone().autodiff();
    device.seed(opts.seed);
    let latent = manifest.latent_dim;
    // Through bytes, as a resumed training run loads its checkpoint onto the autodiff device.
    let bytes = burn::tensor::Bytes::from_bytes_vec(vae::weights_bytes(model.clone())?);
    let record = burn::store::ModuleRecord::from_bytes(bytes).map_err(|e| e.to_string())?;
    let mut student =
        Model::new(&manifest.architecture, &device).try_load_record(record).map_err(|e| e.to_string())?;
    let mut optim = train_ops::FusedAdam::init();
    let mut rng = Rng::new(opts.seed);
    let face = data::faces::SIZE * data::faces::SIZE * 3;
    let b = opts.batch;
    let (start, mut losses) = (Instant::now(), Vec::new());
    for step in 0..opts.steps {
        let (clean, photo) = pairs(PHOTO_SEED + (step * b) as u64, b, &PHOTO_RECIPE, &mut rng);
        let x_clean = Tensor::<1>::from_floats(clean.as_slice(), &plain).reshape([b, face]);
        let (mu0, lv0) = model.encode(x_clean);
        let targets = |t: Tensor<2>| -> Tensor<2> {
            let v: Vec<f32> = t.into_data().try_to_vec().unwrap_or_default();
            Tensor::<1>::from_floats([v.as_slice(), v.as_slice()].concat().as_slice(), &device)
                .reshape([2 * b, latent])
        };
        let (t_mu, t_lv) = (targets(mu0), targets(lv0));
        let x = Tensor::<1>::from_floats([photo.as_slice(), clean.as_slice()].concat().as_slice(), &device)
            .reshape([2 * b, face]);
        let (mu, lv) = student.encode(x);
        let loss = distance(mu, lv, t_mu, t_lv);
        let grads = GradientsParams::from_grads(loss.backward(), &student);
        // Cosine decay to a tenth: the last steps settle instead of jumping between batches.
        let t = step as f64 / opts.steps.max(1) as f64;
        let lr = opts.learning_rate * (0.1 + 0.9 * 0.5 * (1.0 + (std::f64::consts::PI * t).cos()));
        student = optim.step(lr, student, grads);
        if step % 50 == 0 || step + 1 == opts.steps {
            let l = loss_value(&student, &photo, &clean, b, latent, model, &plain);
            eprintln!("step {step}/{}: distance {l:.3} ({:.0} s)", opts.steps, start.elapsed().as_secs_f64());
            losses.push(l);
        }
    }
    let report = Report {
        first_loss: losses.first().copied().unwrap_or(f32::NAN),
        last_loss: losses.last().copied().unwrap_or(f32::NAN),
        seconds: start.elapsed().as_secs_f64(),
    };
    Ok((student.valid(), report))
}

/// The distance on one batch, measured without gradients.
fn loss_value(
    student: &Model,
    photo: &[f32],
    clean: &[f32],
    b: usize,
    latent: usize,
    teacher: &Model,
    plain: &Device,
) -> f32 {
    let face = photo.len() / b;
    let s = student.clone().valid();
    let x = |v: &[f32]| Tensor::<1>::from_floats(v, plain).reshape([b, face]);
    let (mu0, lv0) = teacher.encode(x(clean));
    let (mu, lv) = s.encode(x(photo));
    debug_assert_eq!(mu.dims()[1], latent);
    distance(mu, lv, mu0, lv0).into_scalar::<f32>()
}
