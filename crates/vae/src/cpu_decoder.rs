//! A whole decoder on the CPU path: a compiled plan (`cpu_plan`) and what turns its output into
//! the page's pixels (a model's output range, channels first to interleaved), so the worker gets
//! the same numbers as `Net::decode` without a tensor in between.

use crate::cpu_plan::CpuPlan;
use crate::weights_file::Tensors;
use bundle::exported::OutputRange;
use bundle::graph::Graph;
use burn::prelude::*;

pub struct CpuDecoder {
    plan: CpuPlan,
    output: OutputRange,
    /// Channels, height, width of the picture (`[1, 1, n]` for a flat output).
    image: [usize; 3],
}

impl CpuDecoder {
    /// Compile `graph` for the CPU when `device` is the CPU (plans run on plain memory, a GPU
    /// device keeps burn's kernels); `None` when a node is outside what the plan runs. `image`:
    /// channels, height and width of the output, `None` for a flat one (one channel).
    pub fn compile(
        graph: &Graph,
        tensors: &Tensors,
        output: OutputRange,
        image: Option<[usize; 3]>,
        device: &Device,
    ) -> Option<CpuDecoder> {
        if *device != Device::flex() {
            return None;
        }
        let plan = CpuPlan::compile(graph, tensors)?;
        let image = image.unwrap_or([1, 1, plan.output_len()]);
        (plan.output_len() == image.iter().product::<usize>()).then_some(CpuDecoder { plan, output, image })
    }

    /// Pixels in [0, 1], interleaved (height × width × channels), for `batch` codes.
    pub fn decode(&self, z: &[f32], batch: usize) -> Option<Vec<f32>> {
        Some(self.decode_images(z, batch, |v| v)?.concat())
    }

    /// Each code's picture, interleaved (height × width × channels), every value taken to
    /// [0, 1] and then through `each` (the worker makes bytes): one pass over the decoder's
    /// output, where mapping, clamping, interleaving and rounding were a pass each (6 ms of
    /// a batch of 64 faces, bench/OPTIMISATION.md).
    pub fn decode_images<T: Copy + Default>(
        &self,
        z: &[f32],
        batch: usize,
        each: impl Fn(f32) -> T,
    ) -> Option<Vec<Vec<T>>> {
        let mut out = self.plan.run(z, batch)?;
        if self.output == OutputRange::Logits {
            kernels::Activation::Sigmoid.apply(&mut out);
        }
        let tanh = self.output == OutputRange::Tanh;
        let [c, h, w] = self.image;
        let plane = h * w;
        // Channels first (PyTorch's and the graph's layout) to the page's interleaved pixels.
        let images = out
            .chunks_exact((c * plane).max(1))
            .map(|src| {
                let mut dst = vec![T::default(); c * plane];
                for (ch, values) in src.chunks_exact(plane.max(1)).enumerate() {
                    for (d, &v) in dst.iter_mut().skip(ch).step_by(c).zip(values) {
                        let v = if tanh { (v + 1.0) / 2.0 } else { v };
                        *d = each(v.clamp(0.0, 1.0));
                    }
                }
                dst
            })
            .collect();
        Some(images)
    }

    /// Each step's name and op (`CpuPlan::step_names`).
    pub fn step_names(&self) -> &[(String, &'static str)] {
        self.plan.step_names()
    }

    /// Each step's name and mean milliseconds over `runs` runs of `batch` zero codes.
    pub fn profile(
        &self,
        batch: usize,
        runs: usize,
        now_ms: &dyn Fn() -> f64,
    ) -> Vec<(String, &'static str, f64)> {
        self.plan.profile(batch, runs, now_ms)
    }
}
