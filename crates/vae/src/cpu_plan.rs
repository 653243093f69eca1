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

use crate::weights_file::Tensors;
use bundle::graph::{Graph, INPUT, Interpolation, Op};
use kernels::{Activation, Conv2d, ConvTranspose2d, ConvTransposeOptions, Dense};
use std::collections::BTreeMap;

/// One compiled step; the activation of a layer step is fused into it.
enum Step {
    Dense(Dense),
    Conv(Conv2d),
    ConvTranspose(ConvTranspose2d),
    /// BatchNorm that could not be folded into the layer before it: `x · scale + shift` per
    /// channel (or feature).
    Affine {
        scale: Vec<f32>,
        shift: Vec<f32>,
    },
    Pointwise(Activation),
    Nearest([usize; 2]),
    /// Flatten, reshape: the data stays in place, only the shape changes.
    Reshape,
    Add,
    /// Along dimension 1 (channels or features): each sample's parts one after the other.
    ConcatChannels,
    Slice {
        start: usize,
        len: usize,
    },
}

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

fn activation(op: &Op) -> Option<Activation> {
    Some(match op {
        Op::Relu => Activation::Relu,
        Op::LeakyRelu { slope } => Activation::LeakyRelu(*slope as f32),
        Op::Elu { alpha } => Activation::Elu(*alpha as f32),
        Op::Silu => Activation::Silu,
        Op::Tanh => Activation::Tanh,
        Op::Sigmoid => Activation::Sigmoid,
        Op::Softplus { beta, threshold } => {
            Activation::Softplus { beta: *beta as f32, threshold: *threshold as f32 }
        }
        _ => return None,
    })
}

fn weights<'a>(tensors: &'a Tensors, key: &str) -> Option<(&'a [usize], &'a [f32])> {
    tensors.get(key).map(|(s, v)| (s.as_slice(), v.as_slice()))
}

/// A BatchNorm's per-channel scale and shift (eval mode: running statistics).
fn batch_norm(op: &Op, tensors: &Tensors) -> Option<(Vec<f32>, Vec<f32>)> {
    let Op::BatchNorm { weight, bias, running_mean, running_var, eps } = op else { return None };
    let mean = weights(tensors, running_mean)?.1;
    let var = weights(tensors, running_var)?.1;
    let n = mean.len();
    let gamma = match weight {
        Some(k) => weights(tensors, k)?.1.to_vec(),
        None => vec![1.0; n],
    };
    let beta = match bias {
        Some(k) => weights(tensors, k)?.1.to_vec(),
        None => vec![0.0; n],
    };
    if var.len() != n || gamma.len() != n || beta.len() != n {
        return None;
    }
    let scale: Vec<f32> = (0..n).map(|c| gamma[c] / (var[c] + *eps as f32).sqrt()).collect();
    let shift = (0..n).map(|c| beta[c] - mean[c] * scale[c]).collect();
    Some((scale, shift))
}

/// A layer's weights and bias with a BatchNorm after it folded in: output channel `o` of the
/// layer is `w_o · x + b_o`, so the norm's `s_o · y + t_o` is `(s_o w_o) · x + (s_o b_o + t_o)`.
/// `channel_of(i)` names the output channel of weight element `i`.
fn fold(
    w: &mut [f32],
    b: &mut [f32],
    (scale, shift): &(Vec<f32>, Vec<f32>),
    channel_of: impl Fn(usize) -> usize,
) {
    for (i, v) in w.iter_mut().enumerate() {
        *v *= scale[channel_of(i)];
    }
    for (o, v) in b.iter_mut().enumerate() {
        *v = *v * scale[o] + shift[o];
    }
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

    /// Whether the plan has a transposed convolution: measured in the browser, burn-flex's
    /// im2col GEMM runs those faster than `kernels` for a batch of 64 (VanillaVAE 236 against
    /// 330 ms, faces-vae 65 against 68), while the plan is faster for one code during a drag.
    pub fn has_transposed_convolution(&self) -> bool {
        self.steps.iter().any(|(s, _)| matches!(s, Step::ConvTranspose(_)))
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

    /// Each step's name, op and mean milliseconds over `runs` runs of `batch` zero inputs, by
    /// the clock `now_ms` (the worker's `performance.now()`, or `Instant` natively).
    pub fn profile(
        &self,
        batch: usize,
        runs: usize,
        now_ms: &dyn Fn() -> f64,
    ) -> Vec<(String, &'static str, f64)> {
        let x = vec![0.0; batch * self.shapes[0].iter().product::<usize>()];
        let mut total = vec![0.0; self.steps.len()];
        for _ in 0..runs.max(1) {
            let mut last = now_ms();
            self.run_timed(&x, batch, &mut |i| {
                let now = now_ms();
                total[i] += now - last;
                last = now;
            });
        }
        let n = runs.max(1) as f64;
        self.names.iter().zip(total).map(|((name, kind), t)| (name.clone(), *kind, t / n)).collect()
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

/// How many outputs (features or channels) a layer's weight makes.
fn layer_outputs(op: &Op, tensors: &Tensors) -> Option<usize> {
    match op {
        Op::Linear { weight, .. } | Op::Conv2d { weight, .. } => weights(tensors, weight)?.0.first().copied(),
        Op::ConvTranspose2d { weight, .. } => weights(tensors, weight)?.0.get(1).copied(),
        _ => None,
    }
}

fn compile_node(
    op: &Op,
    one: &[usize],
    shapes: &[Vec<usize>],
    reads: &[usize],
    tensors: &Tensors,
    norm: Option<&(Vec<f32>, Vec<f32>)>,
    act: Activation,
) -> Option<(Step, Vec<usize>)> {
    let bias_or_zero = |b: &Option<String>, n: usize| -> Option<Vec<f32>> {
        match b {
            Some(k) => weights(tensors, k).map(|(_, v)| v.to_vec()).filter(|v| v.len() == n),
            None => Some(vec![0.0; n]),
        }
    };
    Some(match op {
        Op::Linear { weight, bias } => {
            let (&[out, inp], w) = weights(tensors, weight)? else { return None };
            if one != [inp] {
                return None;
            }
            let mut b = bias_or_zero(bias, out)?;
            let mut w = w.to_vec();
            if let Some(n) = norm {
                fold(&mut w, &mut b, n, |i| i / inp);
            }
            // PyTorch keeps out × in; the kernel reads in × out, a row per input.
            let mut w_in_out = vec![0.0; inp * out];
            for o in 0..out {
                for i in 0..inp {
                    w_in_out[i * out + o] = w[o * inp + i];
                }
            }
            (Step::Dense(Dense::new(&w_in_out, Some(&b), inp, out, act)?), vec![out])
        }
        Op::Conv2d { weight, bias, stride, padding, dilation, groups } => {
            let &[c_in, h, w_] = one else { return None };
            let (&[c_out, wc_in, kh, kw], w) = weights(tensors, weight)? else { return None };
            if *groups != 1 || *dilation != [1, 1] || wc_in != c_in {
                return None;
            }
            let mut b = bias_or_zero(bias, c_out)?;
            let mut w = w.to_vec();
            let per_out = c_in * kh * kw;
            if let Some(n) = norm {
                fold(&mut w, &mut b, n, |i| i / per_out);
            }
            let conv = Conv2d::new(&w, Some(&b), c_in, c_out, [kh, kw], *stride, *padding, act)?;
            let [oh, ow] = conv.output_size(h, w_)?;
            (Step::Conv(conv), vec![c_out, oh, ow])
        }
        Op::ConvTranspose2d { weight, bias, stride, padding, output_padding, groups } => {
            let &[c_in, h, w_] = one else { return None };
            let (&[wc_in, c_out, kh, kw], w) = weights(tensors, weight)? else { return None };
            if *groups != 1 || wc_in != c_in {
                return None;
            }
            let mut b = bias_or_zero(bias, c_out)?;
            let mut w = w.to_vec();
            if let Some(n) = norm {
                fold(&mut w, &mut b, n, |i| (i / (kh * kw)) % c_out);
            }
            let options =
                ConvTransposeOptions { stride: *stride, padding: *padding, output_padding: *output_padding };
            let conv = ConvTranspose2d::new(&w, Some(&b), c_in, c_out, [kh, kw], options, act)?;
            let [oh, ow] = conv.output_size(h, w_)?;
            (Step::ConvTranspose(conv), vec![c_out, oh, ow])
        }
        Op::BatchNorm { .. } => {
            let (scale, shift) = batch_norm(op, tensors)?;
            if scale.len() != *one.first()? {
                return None;
            }
            (Step::Affine { scale, shift }, one.to_vec())
        }
        Op::Upsample { scale, mode: Interpolation::Nearest, .. } => {
            let &[c, h, w] = one else { return None };
            (Step::Nearest(*scale), vec![c, h * scale[0], w * scale[1]])
        }
        Op::Upsample { .. } | Op::Gelu { .. } => return None,
        Op::Flatten { .. } => (Step::Reshape, vec![one.iter().product()]),
        Op::Reshape { shape } => (Step::Reshape, shape.clone()),
        Op::Add => (Step::Add, one.to_vec()),
        Op::Concat { dim: 1 } => {
            let mut out = one.to_vec();
            out[0] = reads.iter().map(|&r| shapes[r][0]).sum();
            (Step::ConcatChannels, out)
        }
        Op::Concat { .. } => return None,
        Op::Slice { start, len } => {
            let mut out = one.to_vec();
            out[0] = *len;
            (Step::Slice { start: *start, len: *len }, out)
        }
        pointwise => (Step::Pointwise(activation(pointwise)?), one.to_vec()),
    })
}

fn run_step(
    step: &Step,
    mut ins: Vec<Vec<f32>>,
    shape: &[usize],
    out_shape: &[usize],
    b: usize,
) -> Option<Vec<f32>> {
    let per: usize = shape.iter().product();
    let mut y = Vec::new();
    match step {
        Step::Dense(d) => d.forward(ins.first()?, b, &mut y)?,
        Step::Conv(c) => {
            c.forward(ins.first()?, b, *shape.get(1)?, *shape.get(2)?, &mut y)?;
        }
        Step::ConvTranspose(c) => {
            c.forward(ins.first()?, b, *shape.get(1)?, *shape.get(2)?, &mut y)?;
        }
        Step::Affine { scale, shift } => {
            y = ins.swap_remove(0);
            let inner = per / scale.len().max(1);
            for (i, chunk) in y.chunks_mut(inner.max(1)).enumerate() {
                let c = i % scale.len();
                chunk.iter_mut().for_each(|v| *v = *v * scale[c] + shift[c]);
            }
        }
        Step::Pointwise(a) => {
            y = ins.swap_remove(0);
            a.apply(&mut y);
        }
        Step::Nearest([sh, sw]) => {
            let (x, &[c, h, w]) = (ins.first()?, shape) else { return None };
            let (oh, ow) = (h * sh, w * sw);
            y.reserve(b * c * oh * ow);
            for plane in x.chunks_exact(h * w) {
                for oy in 0..oh {
                    let row = &plane[(oy / sh) * w..(oy / sh + 1) * w];
                    y.extend((0..ow).map(|ox| row[ox / sw]));
                }
            }
        }
        Step::Reshape => y = ins.swap_remove(0),
        Step::Add => {
            y = ins.swap_remove(0);
            for other in &ins {
                y.iter_mut().zip(other).for_each(|(a, o)| *a += o);
            }
        }
        Step::ConcatChannels => {
            let sizes: Vec<usize> = ins.iter().map(|v| v.len() / b).collect();
            for s in 0..b {
                for (v, &n) in ins.iter().zip(&sizes) {
                    y.extend_from_slice(&v[s * n..(s + 1) * n]);
                }
            }
        }
        Step::Slice { start, len } => {
            let inner = per / shape.first()?;
            let x = ins.first()?;
            for s in 0..b {
                let from = s * per + start * inner;
                y.extend_from_slice(x.get(from..from + len * inner)?);
            }
        }
    }
    (y.len() == b * out_shape.iter().product::<usize>()).then_some(y)
}

#[cfg(test)]
mod tests;
