//! Where a faces-vae training step's time goes: the forward pass, the loss, the backward pass
//! and the optimiser, each the mean of 50 steps at batch 64 after 10 untimed ones, on the
//! trainer's own path (flex with autodiff, `train-ops`, mimalloc and rayon's pool as in `main.rs`):
//! `cargo run --release -p train --example step_parts`. bench/OPTIMISATION.md quotes it;
//! nothing here is a test. The images are a fixed pattern: the time does not depend on them.

use std::time::Instant;

use burn::optim::GradientsParams;
use burn::prelude::*;
use vae::loss::{elbo, reparameterise};
use vae::model::Model;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    // On rayon's pool, as the trainer runs (`main.rs` says why).
    rayon::scope(|_| measure());
}

fn measure() {
    let device = Device::flex().autodiff();
    device.seed(1);
    let arch = bundle::Architecture::Conv {
        size: 64,
        channels: 3,
        widths: vec![16, 32, 64, 128],
        latent_dim: 32,
        head: 0,
    };
    let mut model = Model::new(&arch, &device);
    let mut optim = train_ops::FusedAdam::init();
    let (batch, pixels) = (64, 64 * 64 * 3);
    let images: Vec<f32> = (0..batch * pixels).map(|i| (i % 251) as f32 / 251.0).collect();
    let (warm, timed) = (10, 50);
    let mut ms = [0.0f64; 4];
    for step in 0..warm + timed {
        let t0 = Instant::now();
        let x = Tensor::<1>::from_floats(images.as_slice(), &device).reshape([batch, pixels]);
        let (mu, logvar) = model.encode(x.clone());
        let logits = model.decode_logits(reparameterise(mu.clone(), logvar.clone()));
        let t1 = Instant::now();
        let loss = elbo(x, logits, mu, logvar, 0.25).loss;
        let t2 = Instant::now();
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        let t3 = Instant::now();
        model = optim.step(1e-3, model, grads);
        let t4 = Instant::now();
        if step >= warm {
            for (m, (a, b)) in ms.iter_mut().zip([(t0, t1), (t1, t2), (t2, t3), (t3, t4)]) {
                *m += (b - a).as_secs_f64() * 1e3 / timed as f64;
            }
        }
    }
    let [forward, loss, backward, optimiser] = ms;
    println!(
        "faces-vae, batch {batch}: forward {forward:.1} ms, loss {loss:.1}, backward {backward:.1}, \
         optimiser {optimiser:.1}, step {:.1}",
        ms.iter().sum::<f64>()
    );
}
