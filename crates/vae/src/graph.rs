//! Networks trained elsewhere (`bundle::graph`), built at run time from a manifest's graph and a
//! safetensors file and run with burn's functional ops (`conv2d`, `linear`, …, the kernels its
//! modules call). Not a `#[derive(Module)]`: a module tree is fixed when the crate compiles, an
//! imported graph is read when the page runs, and imported models are never trained here.
//!
//! Every shape is worked out when the graph is built, against the weights' own shapes: burn
//! checks shapes by panicking, and a panic kills the worker, so nothing may reach a kernel that
//! was not checked first. An error names the node, its op and what did not fit.

pub use crate::weights_file::{KeyReport, Tensors, key_report, read_safetensors};
use bundle::graph::{Graph, INPUT, Interpolation, Op};
use burn::prelude::*;
use burn::tensor::activation;
use burn::tensor::module::{conv_transpose2d, conv2d, interpolate, linear};
use burn::tensor::ops::{ConvOptions, ConvTransposeOptions, InterpolateMode, InterpolateOptions};
use std::collections::BTreeMap;

mod fuse;

/// A value between nodes: features (batch × n) or feature maps (batch × C × H × W).
#[derive(Clone, Debug)]
enum Value {
    Flat(Tensor<2>),
    Maps(Tensor<4>),
}

/// One node, ready to run.
#[derive(Clone, Debug)]
enum Step {
    Linear {
        weight: Tensor<2>,
        bias: Option<Tensor<1>>,
    },
    Conv {
        weight: Tensor<4>,
        bias: Option<Tensor<1>>,
        options: ConvOptions<2>,
    },
    ConvTranspose {
        weight: Tensor<4>,
        bias: Option<Tensor<1>>,
        options: ConvTransposeOptions<2>,
    },
    /// BatchNorm in eval mode, folded at load into `x · scale + shift` per feature.
    Affine {
        scale: Tensor<1>,
        shift: Tensor<1>,
    },
    Upsample {
        size: [usize; 2],
        mode: Interpolation,
        align_corners: bool,
    },
    Reshape(Vec<usize>),
    Concat(usize),
    Slice {
        start: usize,
        len: usize,
    },
    /// Elementwise ops that keep the shape.
    Pointwise(Op),
    Add,
    /// Its input as it is: a step whose work was folded into the one before (`fuse.rs`).
    Alias,
}

/// A graph built on a device, every shape checked.
#[derive(Clone, Debug)]
pub struct GraphNet {
    /// Each value's name and shape: the input first, then every node's.
    names: Vec<String>,
    shapes: Vec<Vec<usize>>,
    /// Each step with the values it reads: 0 is the input, `i + 1` is step `i`'s result.
    steps: Vec<(Step, Vec<usize>)>,
    /// Each step's op, as the graph names it (for profiles).
    kinds: Vec<&'static str>,
}

fn maps(shape: &[usize]) -> Option<[usize; 3]> {
    shape.try_into().ok()
}

impl GraphNet {
    /// Build `graph` with weights from `tensors`, working out every value's shape on the way.
    pub fn build(graph: &Graph, tensors: &Tensors, device: &Device) -> Result<GraphNet, String> {
        graph.validate()?;
        let mut index = BTreeMap::from([(INPUT.to_string(), 0usize)]);
        let mut shapes: Vec<Vec<usize>> = vec![graph.input.clone()];
        let mut steps = Vec::with_capacity(graph.nodes.len());
        for node in &graph.nodes {
            let at = |e: String| format!("node {} ({}): {e}", node.name, node.op.kind());
            let reads: Vec<usize> = node.inputs.iter().map(|i| index[i]).collect();
            let ins: Vec<&Vec<usize>> = reads.iter().map(|&i| &shapes[i]).collect();
            let (step, shape) = build_step(&node.op, &ins, tensors, device).map_err(at)?;
            if shape.iter().product::<usize>() > 1 << 24 {
                return Err(at(format!("a value of shape {shape:?} is too large")));
            }
            index.insert(node.name.clone(), shapes.len());
            shapes.push(shape);
            steps.push((step, reads));
        }
        let names =
            std::iter::once(INPUT.to_string()).chain(graph.nodes.iter().map(|n| n.name.clone())).collect();
        let kinds = graph.nodes.iter().map(|n| n.op.kind()).collect();
        Ok(GraphNet { names, shapes, steps, kinds })
    }

    /// Where one run's time goes: each step's name, op and mean milliseconds over `runs` runs
    /// of `x`, by the clock `now_ms` (the worker's `performance.now()`, or `Instant` natively).
    /// burn's CPU backend runs each op when it is called, so a step's time is its own; on a
    /// backend that queues work (WebGPU) the times would be of queueing, so it is for the CPU.
    pub fn profile(
        &self,
        x: Tensor<2>,
        runs: usize,
        now_ms: &dyn Fn() -> f64,
    ) -> Vec<(String, &'static str, f64)> {
        let [b, _] = x.dims();
        let mut total = vec![0.0; self.steps.len()];
        for _ in 0..runs.max(1) {
            let mut values = vec![self.first(x.clone())];
            for (i, (step, reads)) in self.steps.iter().enumerate() {
                let ins: Vec<Value> = reads.iter().map(|&r| values[r].clone()).collect();
                let start = now_ms();
                let out = run(step, ins, b);
                total[i] += now_ms() - start;
                values.push(out);
            }
        }
        let n = runs.max(1) as f64;
        (0..self.steps.len()).map(|i| (self.names[i + 1].clone(), self.kinds[i], total[i] / n)).collect()
    }

    /// The input's and the output's shape without the batch.
    pub fn input_shape(&self) -> &[usize] {
        &self.shapes[0]
    }

    pub fn output_shape(&self) -> &[usize] {
        self.shapes.last().map_or(&[], Vec::as_slice)
    }

    /// The shape (without the batch) of the value called `name`, if the graph makes one.
    pub fn shape_of(&self, name: &str) -> Option<&[usize]> {
        self.names.iter().position(|n| n == name).map(|i| self.shapes[i].as_slice())
    }

    /// Run on a batch of flattened inputs in the graph's own (channels-first) layout; the
    /// output flattened the same way.
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        let b = x.dims()[0];
        let mut values = self.run_all(x);
        let last = values.len() - 1;
        flat(values.swap_remove(last), b)
    }

    /// The values called `names`, flattened; `None` if the graph makes no value of one name.
    pub fn values(&self, x: Tensor<2>, names: &[&str]) -> Option<Vec<Tensor<2>>> {
        let b = x.dims()[0];
        let at: Vec<usize> =
            names.iter().map(|n| self.names.iter().position(|m| m == n)).collect::<Option<_>>()?;
        let values = self.run_all(x);
        Some(at.into_iter().map(|i| flat(values[i].clone(), b)).collect())
    }

    fn first(&self, x: Tensor<2>) -> Value {
        let [b, _] = x.dims();
        match maps(self.input_shape()) {
            Some([c, h, w]) => Value::Maps(x.reshape([b, c, h, w])),
            None => Value::Flat(x),
        }
    }

    fn run_all(&self, x: Tensor<2>) -> Vec<Value> {
        let [b, _] = x.dims();
        let mut values = vec![self.first(x)];
        for (step, reads) in &self.steps {
            let ins: Vec<Value> = reads.iter().map(|&i| values[i].clone()).collect();
            values.push(run(step, ins, b));
        }
        values
    }
}

fn flat(v: Value, b: usize) -> Tensor<2> {
    match v {
        Value::Flat(t) => t,
        Value::Maps(t) => {
            let n = t.dims()[1..].iter().product::<usize>();
            t.reshape([b, n])
        }
    }
}

fn tensor(
    tensors: &Tensors,
    key: &str,
    want: Option<&[usize]>,
    device: &Device,
) -> Result<Tensor<1>, String> {
    let (shape, values) = tensors.get(key).ok_or_else(|| format!("the weights have no {key}"))?;
    if let Some(w) = want
        && shape.as_slice() != w
    {
        return Err(format!("{key} has shape {shape:?}, the layer needs {w:?}"));
    }
    Ok(Tensor::<1>::from_floats(values.as_slice(), device))
}

fn shape_of<'a>(tensors: &'a Tensors, key: &str) -> Result<&'a [usize], String> {
    let shape =
        tensors.get(key).map(|(s, _)| s.as_slice()).ok_or_else(|| format!("the weights have no {key}"))?;
    // A zero-sized kernel would underflow the size arithmetic below and reach burn empty.
    if shape.contains(&0) {
        return Err(format!("{key} has an empty dimension: {shape:?}"));
    }
    Ok(shape)
}

fn bias(
    tensors: &Tensors,
    key: &Option<String>,
    n: usize,
    device: &Device,
) -> Result<Option<Tensor<1>>, String> {
    key.as_deref().map(|k| tensor(tensors, k, Some(&[n]), device)).transpose()
}

/// One op against its inputs' shapes: the step and its output's shape.
fn build_step(
    op: &Op,
    ins: &[&Vec<usize>],
    tensors: &Tensors,
    device: &Device,
) -> Result<(Step, Vec<usize>), String> {
    let one = ins[0];
    let need_maps = || maps(one).ok_or_else(|| format!("needs feature maps (C × H × W), gets {one:?}"));
    match op {
        Op::Linear { weight, bias: b } => {
            let &[out, inp] = shape_of(tensors, weight)? else {
                return Err(format!("{weight} is not a matrix"));
            };
            if one.as_slice() != [inp] {
                return Err(format!("takes {inp} features, gets {one:?} (flatten first)"));
            }
            // PyTorch keeps out × in; burn's `linear` takes in × out.
            let w = tensor(tensors, weight, None, device)?.reshape([out, inp]).transpose();
            Ok((Step::Linear { weight: w, bias: bias(tensors, b, out, device)? }, vec![out]))
        }
        Op::Conv2d { weight, bias: b, stride, padding, dilation, groups } => {
            let [c, h, w] = need_maps()?;
            let &[o, cg, kh, kw] = shape_of(tensors, weight)? else {
                return Err(format!("{weight} is not a 4-D kernel"));
            };
            if cg * groups != c || o % groups != 0 {
                return Err(format!(
                    "{weight} {:?} with {groups} groups does not take {c} channels",
                    [o, cg, kh, kw]
                ));
            }
            let size = |n: usize, k: usize, i: usize| {
                (n + 2 * padding[i]).checked_sub(dilation[i] * (k - 1) + 1).map(|v| v / stride[i] + 1)
            };
            let (Some(oh), Some(ow)) = (size(h, kh, 0), size(w, kw, 1)) else {
                return Err(format!("a {kh}×{kw} kernel does not fit a {h}×{w} map"));
            };
            let weight = tensor(tensors, weight, None, device)?.reshape([o, cg, kh, kw]);
            let options = ConvOptions::new(*stride, *padding, *dilation, *groups);
            Ok((Step::Conv { weight, bias: bias(tensors, b, o, device)?, options }, vec![o, oh, ow]))
        }
        Op::ConvTranspose2d { weight, bias: b, stride, padding, output_padding, groups } => {
            let [c, h, w] = need_maps()?;
            let &[ci, og, kh, kw] = shape_of(tensors, weight)? else {
                return Err(format!("{weight} is not a 4-D kernel"));
            };
            if ci != c || c % groups != 0 {
                return Err(format!("{weight} {:?} does not take {c} channels", [ci, og, kh, kw]));
            }
            if output_padding[0] >= stride[0] || output_padding[1] >= stride[1] {
                return Err(format!("output_padding {output_padding:?} must be below the stride {stride:?}"));
            }
            let size = |n: usize, k: usize, i: usize| {
                ((n - 1) * stride[i] + k + output_padding[i]).checked_sub(2 * padding[i]).filter(|&v| v > 0)
            };
            let (Some(oh), Some(ow)) = (size(h, kh, 0), size(w, kw, 1)) else {
                return Err(format!("the padding {padding:?} leaves nothing of a {h}×{w} map"));
            };
            let weight = tensor(tensors, weight, None, device)?.reshape([ci, og, kh, kw]);
            let options = ConvTransposeOptions::new(*stride, *padding, *output_padding, [1, 1], *groups);
            let o = og * groups;
            Ok((Step::ConvTranspose { weight, bias: bias(tensors, b, o, device)?, options }, vec![o, oh, ow]))
        }
        Op::BatchNorm { weight, bias: b, running_mean, running_var, eps } => {
            let n = one[0];
            let v = |k: &str| tensor(tensors, k, Some(&[n]), device);
            let (mean, var) = (v(running_mean)?, v(running_var)?);
            let gamma = weight.as_deref().map(v).transpose()?;
            let beta = b.as_deref().map(v).transpose()?;
            let mut scale = var.add_scalar(*eps).sqrt().recip();
            if let Some(g) = gamma {
                scale = scale * g;
            }
            let mut shift = -(mean * scale.clone());
            if let Some(b) = beta {
                shift = shift + b;
            }
            Ok((Step::Affine { scale, shift }, one.clone()))
        }
        Op::Upsample { scale, mode, align_corners } => {
            let [c, h, w] = need_maps()?;
            let size = [h * scale[0], w * scale[1]];
            Ok((
                Step::Upsample { size, mode: *mode, align_corners: *align_corners },
                vec![c, size[0], size[1]],
            ))
        }
        Op::Flatten { start } => {
            if *start != 1 {
                return Err(format!("flattening from dimension {start} is not supported (only from 1)"));
            }
            let n = one.iter().product();
            Ok((Step::Reshape(vec![n]), vec![n]))
        }
        Op::Reshape { shape } => {
            if shape.iter().product::<usize>() != one.iter().product::<usize>() {
                return Err(format!("{one:?} cannot become {shape:?}"));
            }
            if shape.len() == 2 {
                return Err(format!("a value of shape {shape:?} (2-D after the batch) is not supported"));
            }
            Ok((Step::Reshape(shape.clone()), shape.clone()))
        }
        Op::Add => {
            if let Some(other) = ins.iter().find(|s| **s != one) {
                return Err(format!("adds {one:?} to {other:?}"));
            }
            Ok((Step::Add, one.clone()))
        }
        Op::Concat { dim } => {
            let d = dim - 1;
            if d >= one.len() {
                return Err(format!("no dimension {dim} in {one:?}"));
            }
            let mut out = one.clone();
            out[d] = 0;
            for s in ins {
                let same_rest = s.len() == one.len() && (0..one.len()).all(|i| i == d || s[i] == one[i]);
                if !same_rest {
                    return Err(format!("joins {one:?} and {s:?} along {dim}"));
                }
                out[d] += s[d];
            }
            Ok((Step::Concat(*dim), out))
        }
        Op::Slice { start, len } => {
            if start + len > one[0] {
                return Err(format!("[{start}, {}) is outside {} along dimension 1", start + len, one[0]));
            }
            let mut out = one.clone();
            out[0] = *len;
            Ok((Step::Slice { start: *start, len: *len }, out))
        }
        pointwise => Ok((Step::Pointwise(pointwise.clone()), one.clone())),
    }
}

/// A convolution burn's CPU backend runs as a badly shaped matrix product (few output
/// channels), run directly by `kernels` instead; `None` for every other case, and always off the
/// CPU (reading a WebGPU tensor back would stall the worker, and the GPU has its own kernels).
fn direct_conv(
    x: &Tensor<4>,
    weight: &Tensor<4>,
    bias: Option<&Tensor<1>>,
    options: &ConvOptions<2>,
) -> Option<Tensor<4>> {
    if x.device() != Device::flex()
        || options.groups != 1
        || options.stride != [1, 1]
        || options.dilation != [1, 1]
    {
        return None;
    }
    let [(top, bottom), (left, right)] = options.padding;
    if top != bottom || left != right {
        return None;
    }
    let [batch, channels_in, height, width] = x.dims();
    let [channels_out, _, kh, kw] = weight.dims();
    let shape = kernels::Conv2dShape {
        batch,
        channels_in,
        height,
        width,
        channels_out,
        kernel: [kh, kw],
        padding: [top, left],
    };
    if !kernels::direct_conv2d_pays(&shape) {
        return None;
    }
    let [oh, ow] = shape.output()?;
    let read = |t: Tensor<1>| t.into_data().try_to_vec::<f32>().ok();
    let xs = read(x.clone().reshape([batch * channels_in * height * width]))?;
    let ws = read(weight.clone().reshape([channels_out * channels_in * kh * kw]))?;
    let bs = match bias {
        Some(b) => Some(read(b.clone())?),
        None => None,
    };
    let y = kernels::direct_conv2d(&xs, &ws, bs.as_deref(), &shape)?;
    Some(Tensor::<1>::from_floats(y.as_slice(), &x.device()).reshape([batch, channels_out, oh, ow]))
}

/// An elementwise op on a tensor of any rank.
fn pointwise<const D: usize>(op: &Op, x: Tensor<D>) -> Tensor<D> {
    match op {
        Op::Relu => activation::relu(x),
        Op::LeakyRelu { slope } => activation::leaky_relu(x, *slope),
        Op::Elu { alpha } => activation::elu(x, *alpha),
        Op::Silu => activation::silu(x),
        Op::Gelu { tanh: false } => activation::gelu(x),
        Op::Gelu { tanh: true } => activation::gelu_approximate(x),
        Op::Tanh => activation::tanh(x),
        Op::Sigmoid => activation::sigmoid(x),
        Op::Softplus { beta, threshold } => activation::softplus_with_threshold(x, *beta, *threshold),
        _ => x,
    }
}

/// A per-feature vector shaped to broadcast over a value.
fn per_feature(v: &Tensor<1>, like: &Value) -> Value {
    let n = v.dims()[0];
    match like {
        Value::Flat(_) => Value::Flat(v.clone().reshape([1, n])),
        Value::Maps(_) => Value::Maps(v.clone().reshape([1, n, 1, 1])),
    }
}

fn run(step: &Step, mut ins: Vec<Value>, b: usize) -> Value {
    let x = ins.swap_remove(0);
    match (step, x) {
        (Step::Linear { weight, bias }, Value::Flat(x)) => {
            Value::Flat(linear(x, weight.clone(), bias.clone()))
        }
        (Step::Conv { weight, bias, options }, Value::Maps(x)) => {
            let direct = direct_conv(&x, weight, bias.as_ref(), options);
            Value::Maps(direct.unwrap_or_else(|| conv2d(x, weight.clone(), bias.clone(), options.clone())))
        }
        (Step::ConvTranspose { weight, bias, options }, Value::Maps(x)) => {
            Value::Maps(conv_transpose2d(x, weight.clone(), bias.clone(), options.clone()))
        }
        (Step::Affine { scale, shift }, x) => {
            match (x.clone(), per_feature(scale, &x), per_feature(shift, &x)) {
                (Value::Flat(x), Value::Flat(s), Value::Flat(t)) => Value::Flat(x * s + t),
                (Value::Maps(x), Value::Maps(s), Value::Maps(t)) => Value::Maps(x * s + t),
                (x, ..) => x,
            }
        }
        (Step::Upsample { size, mode, align_corners }, Value::Maps(x)) => {
            let mode = match mode {
                Interpolation::Nearest => InterpolateMode::Nearest,
                Interpolation::Bilinear => InterpolateMode::Bilinear,
            };
            let options =
                InterpolateOptions::new(mode).with_align_corners(*align_corners).with_output_size(*size);
            Value::Maps(interpolate(x, options))
        }
        (Step::Reshape(shape), x) => {
            let flat = match x {
                Value::Flat(t) => t,
                Value::Maps(t) => {
                    let n = t.dims()[1..].iter().product();
                    t.reshape([b, n])
                }
            };
            match maps(shape) {
                Some([c, h, w]) => Value::Maps(flat.reshape([b, c, h, w])),
                None => Value::Flat(flat),
            }
        }
        (Step::Concat(dim), x) => match x {
            Value::Flat(first) => {
                let all = std::iter::once(first).chain(ins.into_iter().filter_map(|v| match v {
                    Value::Flat(t) => Some(t),
                    Value::Maps(_) => None,
                }));
                Value::Flat(Tensor::cat(all.collect(), *dim))
            }
            Value::Maps(first) => {
                let all = std::iter::once(first).chain(ins.into_iter().filter_map(|v| match v {
                    Value::Maps(t) => Some(t),
                    Value::Flat(_) => None,
                }));
                Value::Maps(Tensor::cat(all.collect(), *dim))
            }
        },
        (Step::Slice { start, len }, x) => match x {
            Value::Flat(t) => Value::Flat(t.narrow(1, *start, *len)),
            Value::Maps(t) => Value::Maps(t.narrow(1, *start, *len)),
        },
        (Step::Pointwise(op), x) => match x {
            Value::Flat(t) => Value::Flat(pointwise(op, t)),
            Value::Maps(t) => Value::Maps(pointwise(op, t)),
        },
        (Step::Add, x) => ins.into_iter().fold(x, |acc, v| match (acc, v) {
            (Value::Flat(a), Value::Flat(b)) => Value::Flat(a + b),
            (Value::Maps(a), Value::Maps(b)) => Value::Maps(a + b),
            (a, _) => a,
        }),
        // Shapes were checked when the graph was built: the kinds always match.
        (Step::Alias, x) | (_, x) => x,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bundle::graph::Node;

    fn device() -> Device {
        Device::flex()
    }

    fn node(name: &str, op: Op, inputs: &[&str]) -> Node {
        Node { name: name.into(), op, inputs: inputs.iter().map(|s| s.to_string()).collect() }
    }

    fn vec_of(t: Tensor<2>) -> Vec<f32> {
        t.into_data().try_to_vec::<f32>().unwrap()
    }

    fn close(a: &[f32], b: &[f32]) -> f32 {
        assert_eq!(a.len(), b.len());
        a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max)
    }

    #[test]
    fn a_conv_decoder_run_as_a_graph_decodes_as_the_module_does() {
        let device = device();
        for head in [0, 5] {
            let arch =
                bundle::Architecture::Conv { size: 16, channels: 3, widths: vec![4, 8], latent_dim: 3, head };
            let model = crate::Model::new(&arch, &device);
            let (graph, tensors) = crate::as_graph::conv_decoder(&model).unwrap();
            let net = GraphNet::build(&graph, &tensors, &device).unwrap();
            assert_eq!((net.input_shape(), net.output_shape()), (&[3][..], &[3, 16, 16][..]));
            let z = Tensor::<2>::random([4, 3], burn::tensor::Distribution::Normal(0.0, 1.0), &device);
            // The module's output is interleaved RGB; the graph's is channels first.
            let ours = vec_of(model.decode_logits(z.clone()));
            let graph_out: Tensor<2> = net.forward(z);
            let hwc: Tensor<2> = graph_out.reshape([4, 3, 16, 16]).permute([0, 2, 3, 1]).reshape([4, 768]);
            let d = close(&ours, &vec_of(hwc));
            assert!(d < 1e-5, "head {head}: max difference {d}");
        }
    }

    fn tensors(entries: &[(&str, Vec<usize>)]) -> Tensors {
        entries
            .iter()
            .map(|(k, shape)| {
                let n = shape.iter().product::<usize>();
                (k.to_string(), (shape.clone(), (0..n).map(|i| (i % 7) as f32 / 7.0 - 0.4).collect()))
            })
            .collect()
    }

    /// `tools/torch_fixture.py`: TinyVAE exported by `tools/export_torch.py` from a Lightning
    /// checkpoint, with PyTorch's own outputs for fixed codes and images.
    #[test]
    fn a_pytorch_vae_exported_by_the_tool_gives_pytorch_s_numbers() {
        let device = device();
        let dir = paths::root().join("tests/fixtures/torch");
        let read = |f: &str| std::fs::read(dir.join(f)).expect("tools/torch_fixture.py wrote it");
        let exported: bundle::exported::Exported =
            serde_json::from_slice(&read("graph.json")).expect("the exporter's graph.json parses");
        exported.validate().unwrap();
        let weights = read_safetensors(&read("weights.safetensors")).unwrap();
        let expected = read_safetensors(&read("expected.safetensors")).unwrap();
        let encoder = exported.model.encoder.as_ref().expect("TinyVAE has an encoder");
        let keys: Vec<String> = weights.keys().cloned().collect();
        let report = key_report(&[&exported.model.decoder, &encoder.graph], &keys);
        assert!(report.missing.is_empty() && report.unused.is_empty(), "{report:?}");
        assert_eq!(report.applied.len(), weights.len());
        assert!(exported.unused_checkpoint_keys.iter().all(|k| k.ends_with("num_batches_tracked")));
        // The panels, from the 16 labelled examples the fixture drew.
        assert_eq!(exported.label_names, ["disc", "large", "small", "square"]);
        assert_eq!(exported.vectors.len(), 4);
        assert!(exported.vectors.iter().all(|v| v.vector.len() == 6 && v.support == Some([8, 8])));
        assert_eq!((exported.map.as_ref().map(|m| m.points.len()), exported.kl_per_dim.len()), (Some(16), 6));

        let input = |key: &str, rows: usize| {
            let (shape, v) = &expected[key];
            assert_eq!(shape[0], rows);
            Tensor::<1>::from_floats(v.as_slice(), &device).reshape([rows, v.len() / rows])
        };
        let decoder = GraphNet::build(&exported.model.decoder, &weights, &device).unwrap();
        assert_eq!(decoder.output_shape(), &[1, 16, 16]);
        let decoded = vec_of(decoder.forward(input("z", 5)));
        let d = close(&decoded, &expected["decoded"].1);
        assert!(d < 1e-5, "decoded: max difference {d} from PyTorch");

        let enc = GraphNet::build(&encoder.graph, &weights, &device).unwrap();
        let bundle::exported::Heads::Two { mu, logvar } = &encoder.heads else {
            panic!("{:?}", encoder.heads)
        };
        let got = enc.values(input("x", 3), &[mu, logvar]).expect("the heads are values of the encoder");
        for (t, key) in got.into_iter().zip(["mu", "logvar"]) {
            let d = close(&vec_of(t), &expected[key].1);
            assert!(d < 1e-5, "{key}: max difference {d} from PyTorch");
        }
    }

    #[test]
    fn the_direct_convolution_gives_burn_s_numbers() {
        let device = device();
        for (ci, co, pad) in [(32, 3, [1, 1]), (8, 1, [0, 0]), (6, 8, [2, 1])] {
            let x =
                Tensor::<4>::random([2, ci, 9, 11], burn::tensor::Distribution::Normal(0.0, 1.0), &device);
            let w =
                Tensor::<4>::random([co, ci, 3, 3], burn::tensor::Distribution::Normal(0.0, 0.3), &device);
            let b = Tensor::<1>::random([co], burn::tensor::Distribution::Normal(0.0, 1.0), &device);
            let options = ConvOptions::new([1, 1], pad, [1, 1], 1);
            let ours = direct_conv(&x, &w, Some(&b), &options).expect("a shape the direct path takes");
            let burn = conv2d(x, w, Some(b), options);
            assert_eq!(ours.dims(), burn.dims());
            let flat = |t: Tensor<4>| t.into_data().try_to_vec::<f32>().unwrap();
            let d = close(&flat(ours), &flat(burn));
            assert!(d < 1e-4, "{ci}→{co}: max difference {d}");
        }
        let x = Tensor::<4>::zeros([1, 32, 4, 4], &device);
        let wide = Tensor::<4>::zeros([16, 32, 3, 3], &device);
        assert!(
            direct_conv(&x, &wide, None, &ConvOptions::new([1, 1], [1, 1], [1, 1], 1)).is_none(),
            "many outputs: burn's gemm"
        );
        let w = Tensor::<4>::zeros([3, 32, 3, 3], &device);
        assert!(
            direct_conv(&x, &w, None, &ConvOptions::new([2, 2], [1, 1], [1, 1], 1)).is_none(),
            "strided: burn"
        );
    }

    #[test]
    fn batch_norm_upsampling_residuals_and_slices_follow_their_formulas() {
        let device = device();
        let t = tensors(&[("bn.mean", vec![2]), ("bn.var", vec![2]), ("bn.w", vec![2]), ("bn.b", vec![2])]);
        let g = Graph {
            input: vec![2, 1, 2],
            nodes: vec![
                node(
                    "bn",
                    Op::BatchNorm {
                        weight: Some("bn.w".into()),
                        bias: Some("bn.b".into()),
                        running_mean: "bn.mean".into(),
                        running_var: "bn.var".into(),
                        eps: 1e-5,
                    },
                    &[INPUT],
                ),
                node(
                    "up",
                    Op::Upsample { scale: [2, 1], mode: Interpolation::Nearest, align_corners: false },
                    &["bn"],
                ),
                node(
                    "same",
                    Op::Upsample { scale: [2, 1], mode: Interpolation::Nearest, align_corners: false },
                    &[INPUT],
                ),
                node("res", Op::Add, &["up", "same"]),
                node("cat", Op::Concat { dim: 1 }, &["res", "same"]),
                node("first", Op::Slice { start: 1, len: 2 }, &["cat"]),
                node("flat", Op::Flatten { start: 1 }, &["first"]),
            ],
        };
        let net = GraphNet::build(&g, &t, &device).unwrap();
        assert_eq!(net.output_shape(), &[8]);
        let x = [1.0f32, 2.0, 3.0, 4.0];
        let out = vec_of(net.forward(Tensor::<1>::from_floats(x.as_slice(), &device).reshape([1, 4])));
        // Channel 0 normalised: (x − mean)/√(var + ε)·w + b, with mean, var, w, b the first values.
        let (m, v, w, b) =
            (t["bn.mean"].1.clone(), t["bn.var"].1.clone(), t["bn.w"].1.clone(), t["bn.b"].1.clone());
        let bn = |c: usize, x: f32| (x - m[c]) / (v[c] + 1e-5).sqrt() * w[c] + b[c];
        // cat = [res channel 0, res channel 1, x channel 0, x channel 1]; the slice keeps res 1 and x 0,
        // each 2×2 after doubling the rows.
        let want =
            [bn(1, 3.0) + 3.0, bn(1, 4.0) + 4.0, bn(1, 3.0) + 3.0, bn(1, 4.0) + 4.0, 1.0, 2.0, 1.0, 2.0];
        assert!(close(&out, &want) < 1e-5, "{out:?} against {want:?}");
    }

    #[test]
    fn a_graph_that_does_not_fit_its_weights_is_an_error_naming_the_node_not_a_panic() {
        let device = device();
        let t = tensors(&[("fc.weight", vec![6, 5]), ("conv.weight", vec![2, 3, 3, 3])]);
        let linear = |inp: usize| Graph {
            input: vec![inp],
            nodes: vec![node("fc", Op::Linear { weight: "fc.weight".into(), bias: None }, &[INPUT])],
        };
        assert!(GraphNet::build(&linear(5), &t, &device).is_ok());
        let e = GraphNet::build(&linear(4), &t, &device).unwrap_err();
        assert!(e.contains("node fc (linear): takes 5 features"), "{e}");
        let missing = Graph {
            input: vec![5],
            nodes: vec![node(
                "fc",
                Op::Linear { weight: "fc.weight".into(), bias: Some("fc.bias".into()) },
                &[INPUT],
            )],
        };
        assert!(GraphNet::build(&missing, &t, &device).unwrap_err().contains("no fc.bias"));
        let conv = |c: usize, side: usize| Graph {
            input: vec![c, side, side],
            nodes: vec![node(
                "conv",
                Op::Conv2d {
                    weight: "conv.weight".into(),
                    bias: None,
                    stride: [1, 1],
                    padding: [0, 0],
                    dilation: [1, 1],
                    groups: 1,
                },
                &[INPUT],
            )],
        };
        assert_eq!(GraphNet::build(&conv(3, 4), &t, &device).unwrap().output_shape(), &[2, 2, 2]);
        assert!(GraphNet::build(&conv(4, 4), &t, &device).unwrap_err().contains("does not take 4 channels"));
        assert!(GraphNet::build(&conv(3, 2), &t, &device).unwrap_err().contains("does not fit"));
        let mut empty = tensors(&[("conv.weight", vec![2, 3, 0, 3])]);
        empty.insert("fc.weight".into(), (vec![6, 5], vec![0.0; 30]));
        assert!(GraphNet::build(&conv(3, 4), &empty, &device).unwrap_err().contains("empty dimension"));
        let flat_into_conv = Graph { input: vec![27], ..conv(3, 3) };
        assert!(GraphNet::build(&flat_into_conv, &t, &device).unwrap_err().contains("needs feature maps"));
    }

    #[test]
    fn safetensors_are_read_in_every_float_type_and_keys_are_accounted_for() {
        use safetensors::tensor::{Dtype, TensorView};
        let f32s: Vec<u8> = [1.5f32, -2.0].iter().flat_map(|v| v.to_le_bytes()).collect();
        let f16s: Vec<u8> =
            [0.5f32, 3.0].iter().flat_map(|v| burn::tensor::f16::from_f32(*v).to_le_bytes()).collect();
        let ints: Vec<u8> = 7i64.to_le_bytes().to_vec();
        let views = vec![
            ("a.weight", TensorView::new(Dtype::F32, vec![2], &f32s).unwrap()),
            ("b.weight", TensorView::new(Dtype::F16, vec![1, 2], &f16s).unwrap()),
            ("bn.num_batches_tracked", TensorView::new(Dtype::I64, vec![], &ints).unwrap()),
        ];
        let bytes = safetensors::serialize(views, None).unwrap();
        let t = read_safetensors(&bytes).unwrap();
        assert_eq!(t["a.weight"], (vec![2], vec![1.5, -2.0]));
        assert_eq!(t["b.weight"], (vec![1, 2], vec![0.5, 3.0]));
        assert!(!t.contains_key("bn.num_batches_tracked"));
        assert!(read_safetensors(b"not safetensors").unwrap_err().contains("not a safetensors file"));
        let g = Graph {
            input: vec![2],
            nodes: vec![node(
                "a",
                Op::Linear { weight: "a.weight".into(), bias: Some("a.bias".into()) },
                &[INPUT],
            )],
        };
        let keys: Vec<String> = ["a.weight", "b.weight", "bn.num_batches_tracked"].map(String::from).to_vec();
        let r = key_report(&[&g], &keys);
        assert_eq!(r.applied, vec!["a.weight"]);
        assert_eq!(r.missing, vec!["a.bias"]);
        assert_eq!(r.unused, vec!["b.weight", "bn.num_batches_tracked"]);
    }
}
