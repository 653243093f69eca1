//! A decoder compiled for the CPU: the layer graph (`bundle::graph`, PyTorch's layout) with its
//! weights read once, packed and run by `kernels` over plain buffers, for the worker's CPU path.
//!
//! Why beside burn: a slider move decodes one code, and at that size burn-flex's per-op costs
//! weigh as much as the arithmetic (a tensor and an allocation per op, the constant weight
//! repacked by gemm on every batched call, a transposed convolution as a scatter over the
//! input). Compiling the graph once folds each BatchNorm into the layer before it and each
//! activation into the layer's store, and keeps the weights in the order the kernels read them
//! (bench/OPTIMISATION.md has the before and after). burn stays the reference: `cpu_plan/tests.rs`
//! checks a plan against `GraphNet` and `crates/vae/tests/cpu_path.rs` every shipped decoder
//! against burn's; burn also stays the engine for WebGPU and for training. Anything a plan cannot run (an op or shape outside the
//! kernels) gives no plan, and the model runs through burn as before.

mod steps;

use crate::weights_file::Tensors;
use bundle::graph::{Graph, INPUT, Op};
use kernels::Activation;
use std::collections::BTreeMap;
use steps::{Step, activation, batch_norm, compile_node, layer_outputs, run_step};

/// A compiled decoder: each step with the values it reads (0 is the input, `i + 1` step `i`'s
/// result) and every value's shape without the batch.
pub struct CpuPlan {
    steps: Vec<(Step, Vec<usize>)>,
    shapes: Vec<Vec<usize>>,
    /// For each value, the last step that reads it: its buffer is freed (or moved) there.
    last_read: Vec<usize>,
    /// Each step's name (a layer's with the nodes folded into it) and op, for profiles.
    names: Vec<(String, &'static str)>,
}

impl CpuPlan {
    /// Compile `graph` (already built and checked by `GraphNet::build`) with its weights; `None`
    /// when some node is outside what the kernels run.
    pub fn compile(graph: &Graph, tensors: &Tensors) -> Option<CpuPlan> {
        let nodes = &graph.nodes;
        // How many nodes read each node's value, to know which may be fused into their reader.
        let mut readers: BTreeMap<&str, usize> = BTreeMap::new();
        for n in nodes {
            for i in &n.inputs {
                *readers.entry(i.as_str()).or_default() += 1;
            }
        }
        let only_reader = |at: usize| -> Option<&bundle::graph::Node> {
            let next = nodes.get(at + 1)?;
            let name = nodes[at].name.as_str();
            (readers.get(name) == Some(&1) && next.inputs.len() == 1 && next.inputs[0] == name)
                .then_some(next)
        };
        let mut index: BTreeMap<String, usize> = BTreeMap::from([(INPUT.to_string(), 0)]);
        let mut shapes = vec![graph.input.clone()];
        let mut steps: Vec<(Step, Vec<usize>)> = Vec::new();
        let mut names = Vec::new();
        let mut at = 0;
        while at < nodes.len() {
            let node = &nodes[at];
            let reads: Vec<usize> =
                node.inputs.iter().map(|i| index.get(i).copied()).collect::<Option<_>>()?;
            let one = shapes.get(*reads.first()?)?.clone();
            // Nodes folded into this one (a BatchNorm, then an activation) take its value's place.
            let mut absorbed: Vec<&str> = Vec::new();
            let layer = matches!(node.op, Op::Linear { .. } | Op::Conv2d { .. } | Op::ConvTranspose2d { .. });
            let mut norm = None;
            let mut act = Activation::Identity;
            if layer {
                let mut last = at;
                if let Some(next) = only_reader(last).filter(|n| matches!(n.op, Op::BatchNorm { .. })) {
                    // One scale per output channel of the layer, or no plan.
                    norm = Some(batch_norm(&next.op, tensors)?)
                        .filter(|(s, _)| Some(s.len()) == layer_outputs(&node.op, tensors));
                    norm.as_ref()?;
                    absorbed.push(&next.name);
                    last += 1;
                }
                if let Some((next, a)) = only_reader(last).and_then(|n| Some((n, activation(&n.op)?))) {
                    act = a;
                    absorbed.push(&next.name);
                }
            }
            let (step, shape) = compile_node(&node.op, &one, &shapes, &reads, tensors, norm.as_ref(), act)?;
            let value = shapes.len();
            shapes.push(shape);
            steps.push((step, reads));
            let folded: String = absorbed.iter().map(|n| format!(" + {n}")).collect();
            names.push((format!("{}{folded}", node.name), node.op.kind()));
            index.insert(node.name.clone(), value);
            for name in &absorbed {
                index.insert((*name).to_string(), value);
            }
            at += 1 + absorbed.len();
        }
        // The graph's output is its last node's value (which may be a folded node's alias).
        let out = *index.get(&nodes.last()?.name)?;
        if out != shapes.len() - 1 {
            return None;
        }
        let mut last_read = vec![0; shapes.len()];
        for (i, (_, reads)) in steps.iter().enumerate() {
            for &r in reads {
                last_read[r] = i;
            }
        }
        Some(CpuPlan { steps, shapes, last_read, names })
    }

    /// Each step's name (a layer with the nodes folded into it: `a + b + c`) and op.
    pub fn step_names(&self) -> &[(String, &'static str)] {
        &self.names
    }

    /// The output's size per sample.
    pub fn output_len(&self) -> usize {
        self.shapes.last().map_or(0, |s| s.iter().product())
    }

    /// Run on `batch` flattened inputs; the output flattened the same way (channels first).
    /// `None` when `x` is not `batch` inputs long.
    pub fn run(&self, x: &[f32], batch: usize) -> Option<Vec<f32>> {
        self.run_timed(x, batch, &mut |_| {})
    }

    /// Each step's name, op and median milliseconds over `runs` runs on `x` (`batch` inputs),
    /// by the clock `now_ms` (the worker's `performance.now()`, or `Instant` natively). The
    /// median, not the mean: one pause of the browser's (a few ms) in 20 runs of a 0.05 ms step
    /// made that step look seven times slower. `None` when `x` is not `batch` inputs long.
    pub fn profile(
        &self,
        x: &[f32],
        batch: usize,
        runs: usize,
        now_ms: &dyn Fn() -> f64,
    ) -> Option<Vec<(String, &'static str, f64)>> {
        let mut times = vec![Vec::with_capacity(runs.max(1)); self.steps.len()];
        for _ in 0..runs.max(1) {
            let mut last = now_ms();
            self.run_timed(x, batch, &mut |i| {
                let now = now_ms();
                times[i].push(now - last);
                last = now;
            })?;
        }
        Some(self.names.iter().zip(times).map(|((name, kind), t)| (name.clone(), *kind, median(t))).collect())
    }

    /// `run`, calling `done(i, ..)` as each step `i` finishes.
    fn run_timed(&self, x: &[f32], batch: usize, done: &mut dyn FnMut(usize)) -> Option<Vec<f32>> {
        if batch == 0 || x.len() != batch * self.shapes[0].iter().product::<usize>() {
            return None;
        }
        let mut values: Vec<Option<Vec<f32>>> = Vec::with_capacity(self.shapes.len());
        values.push(Some(x.to_vec()));
        for (i, (step, reads)) in self.steps.iter().enumerate() {
            // A value read for the last time here is handed over, not copied.
            let mut take = |r: usize| -> Option<Vec<f32>> {
                if self.last_read[r] == i && reads.iter().filter(|&&q| q == r).count() == 1 {
                    values.get_mut(r)?.take()
                } else {
                    values.get(r)?.clone()
                }
            };
            let ins: Vec<Vec<f32>> = reads.iter().map(|&r| take(r)).collect::<Option<_>>()?;
            let in_shape = &self.shapes[reads[0]];
            let out = run_step(step, ins, in_shape, &self.shapes[i + 1], batch)?;
            values.push(Some(out));
            done(i);
        }
        values.pop().flatten()
    }
}

/// The middle value (the mean of the middle two for an even count); 0 for none.
pub(crate) fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    match n {
        0 => 0.0,
        _ if n % 2 == 1 => values[n / 2],
        _ => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

#[cfg(test)]
mod tests;
