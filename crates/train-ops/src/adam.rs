//! Adam in one pass over each parameter: read θ, g, m and v, write θ, m and v. burn's Adam is
//! the same arithmetic as thirteen tensor operations (each a pass over the parameter with a
//! tensor allocated for its result), which on the MLP's 1.1 M parameters was a tenth of a
//! training step (bench/OPTIMISATION.md). The state is burn's own `AdamState`, so checkpoints of
//! the optimiser read and write as before, and anything not on flex, or AMSGrad state, goes to
//! burn's Adam.

use burn::optim::{
    Adam, AdamConfig, AdamState, AdaptiveMomentumState, LearningRate, ModuleOptimizer, Optimizer,
};
use burn::tensor::{Device, Tensor, TensorData};
use rayon::prelude::*;

use crate::on_flex;

/// `AdamConfig::new()`'s Adam (β₁ 0.9, β₂ 0.999, ε 1e-5, no weight decay), fused on the CPU.
#[derive(Clone)]
pub struct FusedAdam {
    beta_1: f32,
    beta_2: f32,
    epsilon: f32,
    burns: Adam,
}

impl Default for FusedAdam {
    fn default() -> Self {
        // The same defaults as `AdamConfig`, whose fields are private.
        FusedAdam { beta_1: 0.9, beta_2: 0.999, epsilon: 1e-5, burns: AdamConfig::new().build() }
    }
}

impl FusedAdam {
    /// The optimiser for a whole module, like `AdamConfig::new().init()`.
    pub fn init() -> ModuleOptimizer {
        ModuleOptimizer::from(FusedAdam::default())
    }
}

/// A tensor's values, moved out without a copy when it is the only handle on them.
fn take<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data().try_into_vec::<f32>().expect("an f32 tensor: on_flex checked the dtype")
}

fn from_values<const D: usize>(values: Vec<f32>, shape: [usize; D], device: &Device) -> Tensor<D> {
    Tensor::from_data(TensorData::new(values, shape), device)
}

impl Optimizer for FusedAdam {
    type State<const D: usize> = AdamState<D>;

    fn step<const D: usize>(
        &self,
        lr: LearningRate,
        tensor: Tensor<D>,
        grad: Tensor<D>,
        state: Option<Self::State<D>>,
    ) -> (Tensor<D>, Option<Self::State<D>>) {
        let amsgrad = state.as_ref().is_some_and(|s| s.momentum.max_moment_2.is_some());
        if amsgrad || !on_flex(&tensor) || !on_flex(&grad) {
            return self.burns.step(lr, tensor, grad, state);
        }
        let (device, shape) = (tensor.device(), tensor.dims());
        let mut theta = take(tensor);
        let grad = take(grad);
        // Zero moments make the first step burn's first step exactly: 0·β + g·(1 − β).
        let (time, mut m, mut v) = match state {
            Some(s) => (s.momentum.time + 1, take(s.momentum.moment_1), take(s.momentum.moment_2)),
            None => (1, vec![0.0; grad.len()], vec![0.0; grad.len()]),
        };
        let (b1, b2) = (self.beta_1, self.beta_2);
        let t = time as i32;
        let bias_correction2_sqrt = (1.0 - b2.powi(t)).sqrt();
        let factor = bias_correction2_sqrt / (1.0 - b1.powi(t));
        let epsilon = self.epsilon * bias_correction2_sqrt;
        let lr = lr as f32;
        const CHUNK: usize = 1 << 14;
        theta
            .par_chunks_mut(CHUNK)
            .zip(m.par_chunks_mut(CHUNK))
            .zip(v.par_chunks_mut(CHUNK))
            .zip(grad.par_chunks(CHUNK))
            .for_each(|(((theta, m), v), g)| {
                for (((theta, m), v), g) in theta.iter_mut().zip(m).zip(v).zip(g) {
                    *m = *m * b1 + g * (1.0 - b1);
                    *v = *v * b2 + g * g * (1.0 - b2);
                    *theta -= *m * factor / (v.sqrt() + epsilon) * lr;
                }
            });
        let momentum =
            AdaptiveMomentumState::new(time, from_values(m, shape, &device), from_values(v, shape, &device));
        (from_values(theta, shape, &device), Some(AdamState::new(momentum)))
    }

    fn to_device<const D: usize>(state: Self::State<D>, device: &Device) -> Self::State<D> {
        <Adam as Optimizer>::to_device(state, device)
    }
}

#[cfg(test)]
mod tests {
    use burn::nn::{Linear, LinearConfig};
    use burn::optim::{AdamConfig, GradientsParams};
    use burn::tensor::{Device, Distribution, Tensor};

    use super::FusedAdam;

    fn weights(layer: &Linear) -> Vec<f32> {
        let w: Vec<f32> = layer.weight.val().into_data().try_to_vec().unwrap();
        let b: Vec<f32> = layer.bias.as_ref().unwrap().val().into_data().try_to_vec().unwrap();
        [w, b].concat()
    }

    #[test]
    fn fused_adam_takes_burns_steps() {
        let device = Device::flex().autodiff();
        device.seed(9);
        let start: Linear = LinearConfig::new(37, 23).init(&device);
        let x = Tensor::<2>::random([16, 37], Distribution::Uniform(-1.0, 1.0), &device);
        let target = Tensor::<2>::random([16, 23], Distribution::Uniform(-1.0, 1.0), &device);
        let mut runs = Vec::new();
        for mut optim in [AdamConfig::new().init(), FusedAdam::init()] {
            let mut layer = start.clone();
            // Fifty steps at two learning rates: the moments and the bias corrections carry over.
            for step in 0..50 {
                let loss = (layer.forward(x.clone()) - target.clone()).powf_scalar(2.0).mean();
                let grads = GradientsParams::from_grads(loss.backward(), &layer);
                layer = optim.step(if step < 25 { 1e-2 } else { 3e-3 }, layer, grads);
            }
            runs.push(weights(&layer));
        }
        let moved = runs[0].iter().zip(weights(&start)).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max);
        assert!(moved > 0.05, "the steps moved the weights by {moved}");
        let d = runs[0].iter().zip(&runs[1]).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max);
        assert!(d < 1e-5, "fused Adam is {d} from burn's after 50 steps");
    }
}
