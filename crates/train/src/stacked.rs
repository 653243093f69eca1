//! The stacked autoencoder: trained greedily, one layer pair at a time (`vae::stack`), each pair
//! learning to rebuild the activations of the layers below it, which stay frozen; then the whole
//! stack is fine-tuned end to end by the ordinary loop (`fit`). The reconstruction error of the
//! stack after each stage is what the page shows: greedy stages already give a working
//! autoencoder, and fine-tuning improves on it.

use crate::examples::{Examples, batch};
use crate::fit::CpuBackend;
use crate::presets::Preset;
use burn::optim::GradientsParams;
use burn::prelude::*;
use latent::rng::Rng;
use std::time::Instant;
use vae::Model;

/// What greedy pre-training measured.
#[derive(Clone, Debug)]
pub struct Pretrained {
    pub model: Model,
    /// Test reconstruction MSE (pixels in [0, 1]) of the stack after each greedy stage.
    pub stage_mse: Vec<f64>,
    pub seconds: f64,
}

/// Train each layer pair of `preset`'s MLP for `preset.greedy_epochs` epochs on `ex`, outermost
/// first, and measure the stack on `test` after each stage. The model is left on the training
/// (autodiff) device, ready to be fine-tuned.
pub fn pretrain(
    preset: &Preset,
    ex: &Examples,
    test: &Examples,
    backend: CpuBackend,
) -> Result<Pretrained, String> {
    let device = backend.device().autodiff();
    device.seed(preset.seed);
    let mut rng = Rng::new(preset.seed ^ 0x57ac);
    let mut mlp = Model::new(&preset.architecture, &device)
        .into_mlp()
        .ok_or("a stacked autoencoder is built from an MLP")?;
    let start = Instant::now();
    let bs = preset.batch_size.min(ex.len()).max(1);
    let mut order: Vec<usize> = (0..ex.len()).collect();
    let mut stage_mse = Vec::new();
    for k in 0..mlp.depth() {
        let mut pair = mlp.layer_pair(k).ok_or("a pair past the stack")?;
        let mut optim = train_ops::FusedAdam::init();
        let mut last = f32::NAN;
        for _ in 0..preset.greedy_epochs {
            for i in (1..order.len()).rev() {
                order.swap(i, rng.below(i + 1));
            }
            for (step, chunk) in order.chunks_exact(bs).enumerate() {
                let x = Tensor::<1>::from_floats(batch(ex, chunk, Some(&mut rng)).as_slice(), &device)
                    .reshape([bs, ex.dim]);
                let loss = mlp.pair_loss(&pair, x, k);
                if step % 100 == 0 {
                    last = loss.clone().into_scalar::<f32>();
                }
                let grads = GradientsParams::from_grads(loss.backward(), &pair);
                pair = optim.step(preset.learning_rate, pair, grads);
            }
        }
        mlp = mlp.with_layer_pair(k, pair);
        let mse = stack_mse(&mlp.valid(), test, k + 1);
        eprintln!(
            "greedy stage {}/{}: pair loss {last:.3}, test MSE of the stack {mse:.5}",
            k + 1,
            mlp.depth()
        );
        stage_mse.push(mse);
    }
    Ok(Pretrained { model: Model::Mlp(mlp), stage_mse, seconds: start.elapsed().as_secs_f64() })
}

/// Mean squared error per pixel of the first `pairs` pairs' reconstruction of the test images.
pub fn stack_mse(mlp: &vae::model::MlpModel, test: &Examples, pairs: usize) -> f64 {
    let device = Device::flex();
    let mlp = mlp.clone().to_device(&device);
    let idx: Vec<usize> = (0..test.len()).collect();
    let mut se = 0.0f64;
    for chunk in idx.chunks(500) {
        let x = Tensor::<1>::from_floats(batch(test, chunk, None).as_slice(), &device)
            .reshape([chunk.len(), test.dim]);
        let r = mlp.rebuild_through(x.clone(), pairs);
        se += f64::from((r - x).powf_scalar(2.0).sum().into_scalar::<f32>());
    }
    se / (test.len() * test.dim).max(1) as f64
}
