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
    /// [0, 1] and then through `each` (the worker makes bytes) straight from the decoder's
    /// output, with no tensor in between (`images` says how).
    pub fn decode_images<T: Copy + Default>(
        &self,
        z: &[f32],
        batch: usize,
        each: impl Fn(f32) -> T,
    ) -> Option<Vec<Vec<T>>> {
        Some(self.images(self.plan.run(z, batch)?, each))
    }

    /// The decoder's output (channels first, a batch end to end) as the page's pictures. Two
    /// passes: every value through the output range and `each` in place order (a plain map over
    /// contiguous memory, which vectorises), then channels first to interleaved, a copy. Done in
    /// one strided pass, the per-value work stayed scalar (bench/OPTIMISATION.md).
    fn images<T: Copy + Default>(&self, mut out: Vec<f32>, each: impl Fn(f32) -> T) -> Vec<Vec<T>> {
        match self.output {
            OutputRange::Logits => kernels::Activation::Sigmoid.apply(&mut out),
            OutputRange::Tanh => out.iter_mut().for_each(|v| *v = (*v + 1.0) / 2.0),
            OutputRange::Sigmoid => {}
        }
        // Clamped here, not left to `each`: the f32 outputs (`decode`) must be in [0, 1] too.
        let planar: Vec<T> = out.iter().map(|&v| each(v.clamp(0.0, 1.0))).collect();
        let [c, h, w] = self.image;
        let plane = h * w;
        planar
            .chunks_exact((c * plane).max(1))
            .map(|src| {
                if c == 1 {
                    return src.to_vec();
                }
                let mut dst = vec![T::default(); c * plane];
                for (ch, values) in src.chunks_exact(plane.max(1)).enumerate() {
                    for (d, &v) in dst.iter_mut().skip(ch).step_by(c).zip(values) {
                        *d = v;
                    }
                }
                dst
            })
            .collect()
    }

    /// Each step's name and op (`CpuPlan::step_names`).
    pub fn step_names(&self) -> &[(String, &'static str)] {
        self.plan.step_names()
    }

    /// Each step's name, op and median milliseconds over `runs` decodes of `z` (`batch` codes),
    /// and last a `pixels` row: the output taken to the page's pictures through `each`, as
    /// `decode_images` does, so the rows add up to the worker's time for a decode. `None` when
    /// `z` is not `batch` codes long.
    pub fn profile<T: Copy + Default>(
        &self,
        z: &[f32],
        batch: usize,
        runs: usize,
        now_ms: &dyn Fn() -> f64,
        each: impl Fn(f32) -> T + Copy,
    ) -> Option<Vec<(String, &'static str, f64)>> {
        let mut rows = self.plan.profile(z, batch, runs, now_ms)?;
        let out = self.plan.run(z, batch)?;
        let pixels = (0..runs.max(1))
            .map(|_| {
                let out = out.clone();
                let start = now_ms();
                std::hint::black_box(self.images(out, each));
                now_ms() - start
            })
            .collect();
        rows.push(("pixels".to_string(), "output", crate::cpu_plan::median(pixels)));
        Some(rows)
    }
}
