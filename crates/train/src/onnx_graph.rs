//! Any decoder written as a layer graph (`bundle::graph`: an imported PyTorch model as exported,
//! or our conv decoder as `vae::as_graph` writes it) as an ONNX model, so the benchmark runs the
//! same weights in onnxruntime-web beside our worker. The output is the page's pixels: the
//! output range mapped to [0, 1] and channels interleaved, so the two can be compared value for
//! value.

use crate::onnx::{ATTR_INT, FLOAT, IR_VERSION, Message, OPSET, initializer, node};
use bundle::exported::OutputRange;
use bundle::graph::{Graph, INPUT, Interpolation, Op};
use vae::graph::Tensors;

const INT64: u64 = 7;
const ATTR_FLOAT: u64 = 1;
const ATTR_STRING: u64 = 3;
const ATTR_INTS: u64 = 7;

fn attr_int(name: &str, v: i64) -> Message {
    Message::default().str(1, name).int(3, v as u64).int(20, ATTR_INT)
}

fn attr_ints(name: &str, v: &[i64]) -> Message {
    v.iter().fold(Message::default().str(1, name), |m, &x| m.int(8, x as u64)).int(20, ATTR_INTS)
}

fn attr_float(name: &str, v: f64) -> Message {
    Message::default().str(1, name).float(2, v as f32).int(20, ATTR_FLOAT)
}

fn attr_str(name: &str, v: &str) -> Message {
    Message::default().str(1, name).str(4, v).int(20, ATTR_STRING)
}

fn int64s(name: &str, values: &[i64]) -> Message {
    let raw: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    Message::default().int(1, values.len() as u64).int(2, INT64).str(8, name).bytes(9, &raw)
}

fn ints(v: [usize; 2]) -> Vec<i64> {
    v.iter().map(|&x| x as i64).collect()
}

/// The attributes Conv and ConvTranspose share: kernel (from the weight's shape), strides,
/// symmetric pads and groups.
fn conv_attrs(
    tensors: &Tensors,
    weight: &str,
    stride: [usize; 2],
    padding: [usize; 2],
    groups: usize,
) -> Result<Vec<Message>, String> {
    let kernel = &tensors.get(weight).ok_or_else(|| format!("the weights have no {weight}"))?.0;
    let &[.., kh, kw] = kernel.as_slice() else { return Err(format!("{weight} is not a 4-D kernel")) };
    let [p0, p1] = [padding[0] as i64, padding[1] as i64];
    Ok(vec![
        attr_ints("kernel_shape", &[kh as i64, kw as i64]),
        attr_ints("strides", &ints(stride)),
        attr_ints("pads", &[p0, p1, p0, p1]),
        attr_int("group", groups as i64),
    ])
}

/// A graph under construction: nodes and initializers, with fresh names for the helpers.
#[derive(Default)]
struct Builder {
    graph: Message,
    fresh: usize,
}

impl Builder {
    fn add(&mut self, m: Message) {
        self.graph = std::mem::take(&mut self.graph).msg(1, m);
    }

    fn init(&mut self, m: Message) {
        self.graph = std::mem::take(&mut self.graph).msg(5, m);
    }

    fn name(&mut self, what: &str) -> String {
        self.fresh += 1;
        format!("{what}_{}", self.fresh)
    }

    fn weight(&mut self, tensors: &Tensors, key: &str) -> Result<String, String> {
        let (shape, values) = tensors.get(key).ok_or_else(|| format!("the weights have no {key}"))?;
        self.init(initializer(key, shape, values));
        Ok(key.to_string())
    }

    fn constant(&mut self, values: &[f32]) -> String {
        let name = self.name("const");
        self.init(initializer(&name, &[values.len()], values));
        name
    }

    fn shape(&mut self, dims: &[i64]) -> String {
        let name = self.name("shape");
        self.init(int64s(&name, dims));
        name
    }

    /// One op with attributes, its output named after `out`.
    fn op(&mut self, op: &str, inputs: &[&str], out: &str, attrs: Vec<Message>) {
        let m = attrs.into_iter().fold(node(op, inputs, out), |m, a| m.msg(5, a));
        self.add(m);
    }
}

/// The decoder of `graph` (input `z`, `[batch, latent]`) with `tensors` as ONNX: output `pixels`,
/// `[batch, h·w·c]` in [0, 1], interleaved, as the worker's decode.
pub fn graph_decoder(
    graph: &Graph,
    tensors: &Tensors,
    output: OutputRange,
    image: [usize; 3],
    producer: &str,
) -> Result<Vec<u8>, String> {
    let mut b = Builder { graph: Message::default().str(2, "decoder"), fresh: 0 };
    let latent = *graph.input.first().ok_or("the graph has no input shape")?;
    let value = |name: &str| if name == INPUT { "z".to_string() } else { name.to_string() };
    for n in &graph.nodes {
        let ins: Vec<String> = n.inputs.iter().map(|i| value(i)).collect();
        let x = ins.first().cloned().unwrap_or_default();
        let out = n.name.as_str();
        let with_bias = |b: &mut Builder, w: &str, bias: &Option<String>| -> Result<Vec<String>, String> {
            let mut v = vec![x.clone(), b.weight(tensors, w)?];
            if let Some(k) = bias {
                v.push(b.weight(tensors, k)?);
            }
            Ok(v)
        };
        match &n.op {
            Op::Linear { weight, bias } => {
                let v = with_bias(&mut b, weight, bias)?;
                let v: Vec<&str> = v.iter().map(String::as_str).collect();
                // PyTorch keeps the weight out × in: Gemm reads it transposed.
                b.op("Gemm", &v, out, vec![attr_int("transB", 1)]);
            }
            Op::Conv2d { weight, bias, stride, padding, dilation, groups } => {
                let v = with_bias(&mut b, weight, bias)?;
                let mut attrs = conv_attrs(tensors, weight, *stride, *padding, *groups)?;
                attrs.push(attr_ints("dilations", &ints(*dilation)));
                b.op("Conv", &v.iter().map(String::as_str).collect::<Vec<_>>(), out, attrs);
            }
            Op::ConvTranspose2d { weight, bias, stride, padding, output_padding, groups } => {
                let v = with_bias(&mut b, weight, bias)?;
                let mut attrs = conv_attrs(tensors, weight, *stride, *padding, *groups)?;
                attrs.push(attr_ints("output_padding", &ints(*output_padding)));
                b.op("ConvTranspose", &v.iter().map(String::as_str).collect::<Vec<_>>(), out, attrs);
            }
            Op::BatchNorm { weight, bias, running_mean, running_var, eps } => {
                let n_features = tensors.get(running_mean).map_or(0, |t| t.1.len());
                let scale = match weight {
                    Some(w) => b.weight(tensors, w)?,
                    None => b.constant(&vec![1.0; n_features]),
                };
                let shift = match bias {
                    Some(k) => b.weight(tensors, k)?,
                    None => b.constant(&vec![0.0; n_features]),
                };
                let (m, v) = (b.weight(tensors, running_mean)?, b.weight(tensors, running_var)?);
                b.op(
                    "BatchNormalization",
                    &[&x, &scale, &shift, &m, &v],
                    out,
                    vec![attr_float("epsilon", *eps)],
                );
            }
            Op::Upsample { scale, mode, align_corners } => {
                let scales = b.constant(&[1.0, 1.0, scale[0] as f32, scale[1] as f32]);
                let (mode, transform) = match (mode, align_corners) {
                    (Interpolation::Nearest, _) => ("nearest", "asymmetric"),
                    (Interpolation::Bilinear, true) => ("linear", "align_corners"),
                    (Interpolation::Bilinear, false) => ("linear", "pytorch_half_pixel"),
                };
                b.op(
                    "Resize",
                    &[&x, "", &scales],
                    out,
                    vec![
                        attr_str("mode", mode),
                        attr_str("coordinate_transformation_mode", transform),
                        attr_str("nearest_mode", "floor"),
                    ],
                );
            }
            Op::Relu => b.op("Relu", &[&x], out, vec![]),
            Op::LeakyRelu { slope } => b.op("LeakyRelu", &[&x], out, vec![attr_float("alpha", *slope)]),
            Op::Elu { alpha } => b.op("Elu", &[&x], out, vec![attr_float("alpha", *alpha)]),
            Op::Tanh => b.op("Tanh", &[&x], out, vec![]),
            Op::Sigmoid => b.op("Sigmoid", &[&x], out, vec![]),
            Op::Silu => {
                let s = b.name("sigmoid");
                b.op("Sigmoid", &[&x], &s, vec![]);
                b.op("Mul", &[&x, &s], out, vec![]);
            }
            Op::Flatten { start } => b.op("Flatten", &[&x], out, vec![attr_int("axis", *start as i64)]),
            Op::Reshape { shape } => {
                let dims: Vec<i64> = std::iter::once(-1).chain(shape.iter().map(|&d| d as i64)).collect();
                let s = b.shape(&dims);
                b.op("Reshape", &[&x, &s], out, vec![]);
            }
            Op::Add => {
                let mut acc = x.clone();
                for (i, y) in ins.iter().enumerate().skip(1) {
                    let name = if i + 1 == ins.len() { out.to_string() } else { b.name("add") };
                    b.op("Add", &[&acc, y], &name, vec![]);
                    acc = name;
                }
            }
            Op::Concat { dim } => {
                let v: Vec<&str> = ins.iter().map(String::as_str).collect();
                b.op("Concat", &v, out, vec![attr_int("axis", *dim as i64)]);
            }
            Op::Slice { start, len } => {
                let (s, e, a) = (b.shape(&[*start as i64]), b.shape(&[(start + len) as i64]), b.shape(&[1]));
                b.op("Slice", &[&x, &s, &e, &a], out, vec![]);
            }
            other => return Err(format!("node {}: {} has no ONNX counterpart here", n.name, other.kind())),
        }
    }
    let last = graph.nodes.last().map_or("z".to_string(), |n| n.name.clone());
    // To the page's pixels: [0, 1], then channels last.
    let unit = match output {
        OutputRange::Sigmoid => last,
        OutputRange::Logits => {
            let y = b.name("pixels01");
            b.op("Sigmoid", &[&last], &y, vec![]);
            y
        }
        OutputRange::Tanh => {
            let (one, half) = (b.constant(&[1.0]), b.constant(&[0.5]));
            let (plus, y) = (b.name("plus1"), b.name("pixels01"));
            b.op("Add", &[&last, &one], &plus, vec![]);
            b.op("Mul", &[&plus, &half], &y, vec![]);
            y
        }
    };
    let [c, h, w] = image;
    let maps = b.shape(&[-1, c as i64, h as i64, w as i64]);
    let (as_maps, hwc) = (b.name("maps"), b.name("hwc"));
    b.op("Reshape", &[&unit, &maps], &as_maps, vec![]);
    b.op("Transpose", &[&as_maps], &hwc, vec![attr_ints("perm", &[0, 2, 3, 1])]);
    let flat = b.shape(&[-1, (c * h * w) as i64]);
    b.op("Reshape", &[&hwc, &flat], "pixels", vec![]);
    let info = |name: &str, width: usize| {
        let dims = Message::default()
            .msg(1, Message::default().str(2, "batch"))
            .msg(1, Message::default().int(1, width as u64));
        let tensor_type = Message::default().int(1, FLOAT).msg(2, dims);
        Message::default().str(1, name).msg(2, Message::default().msg(1, tensor_type))
    };
    let graph = b.graph.msg(11, info("z", latent)).msg(12, info("pixels", c * h * w));
    Ok(Message::default()
        .int(1, IR_VERSION)
        .str(2, producer)
        .msg(7, graph)
        .msg(8, Message::default().str(1, "").int(2, OPSET))
        .0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_conv_decoder_becomes_onnx_ops_with_every_weight_once() {
        let device = burn::prelude::Device::flex();
        let arch =
            bundle::Architecture::Conv { size: 16, channels: 3, widths: vec![4, 8], latent_dim: 3, head: 5 };
        let model = vae::Model::new(&arch, &device);
        let (graph, tensors) = vae::as_graph::conv_decoder(&model).unwrap();
        let bytes = graph_decoder(&graph, &tensors, OutputRange::Logits, [3, 16, 16], "latent-lab").unwrap();
        let find = |needle: &[u8]| bytes.windows(needle.len()).filter(|w| *w == needle).count();
        // Constant tensors (zero biases) could repeat bytes of another; the varied ones are unique.
        for (key, (_, values)) in
            tensors.iter().filter(|(_, (_, v))| v.len() >= 16 && v.iter().any(|x| *x != v[0]))
        {
            let raw: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
            assert_eq!(find(&raw), 1, "{key} once");
        }
        let ops: Vec<&str> = graph.nodes.iter().map(|n| n.op.kind()).collect();
        assert!(ops.contains(&"conv_transpose2d"), "{ops:?}");
        assert!(find(b"ConvTranspose") >= 1 && find(b"Transpose") > find(b"ConvTranspose"));
        assert_eq!(&bytes[..2], [0x08, 0x08]);
        let bad = Graph {
            input: vec![3],
            nodes: vec![bundle::graph::Node {
                name: "g".into(),
                op: Op::Gelu { tanh: false },
                inputs: vec![INPUT.into()],
            }],
        };
        assert!(
            graph_decoder(&bad, &tensors, OutputRange::Sigmoid, [3, 16, 16], "x")
                .unwrap_err()
                .contains("node g")
        );
    }
}
