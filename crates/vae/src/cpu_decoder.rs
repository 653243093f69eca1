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

    /// Whether this decoder is the faster way for `batch` codes: always for one code (a slider
    /// move) and for dense decoders; a batch of a convolutional one goes to burn
    /// (`CpuPlan::has_transposed_convolution`, bench/OPTIMISATION.md).
    pub fn suits(&self, batch: usize) -> bool {
        batch == 1 || !self.plan.has_transposed_convolution()
    }

    /// Pixels in [0, 1], interleaved (height × width × channels), for `batch` codes.
    pub fn decode(&self, z: &[f32], batch: usize) -> Option<Vec<f32>> {
        let mut out = self.plan.run(z, batch)?;
        match self.output {
            OutputRange::Sigmoid => {}
            OutputRange::Tanh => out.iter_mut().for_each(|v| *v = (*v + 1.0) / 2.0),
            OutputRange::Logits => kernels::Activation::Sigmoid.apply(&mut out),
        }
        out.iter_mut().for_each(|v| *v = v.clamp(0.0, 1.0));
        let [c, h, w] = self.image;
        if c == 1 {
            return Some(out);
        }
        // Channels first (PyTorch's and the graph's layout) to the page's interleaved pixels.
        let plane = h * w;
        let mut pixels = vec![0.0; out.len()];
        for (src, dst) in out.chunks_exact(c * plane).zip(pixels.chunks_exact_mut(c * plane)) {
            for ch in 0..c {
                for p in 0..plane {
                    dst[p * c + ch] = src[ch * plane + p];
                }
            }
        }
        Some(pixels)
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
