//! A shipped conv decoder written as an imported graph would be (`bundle::graph`, PyTorch's
//! weight layout): the reference that the run-time graph path (`graph.rs`) must reproduce, and
//! the same decoder through both paths for the benchmark.

use crate::graph::Tensors;
use crate::model::Model;
use bundle::graph::{Graph, INPUT, Node, Op};
use burn::module::Param;
use burn::prelude::*;

fn values<const D: usize>(t: Tensor<D>) -> (Vec<usize>, Vec<f32>) {
    let shape = t.dims().to_vec();
    (shape, t.into_data().try_to_vec::<f32>().unwrap_or_default())
}

fn node(name: &str, op: Op, input: &str) -> Node {
    Node { name: name.into(), op, inputs: vec![input.into()] }
}

/// The decoder of an MLP model as a graph from z to logits (every layer but the last followed by
/// ReLU), with its weights in PyTorch's layout; `None` for a conv model.
pub fn mlp_decoder(model: &Model) -> Option<(Graph, Tensors)> {
    let layers = model.mlp_decoder()?;
    let latent = layers.first()?.inputs;
    let mut tensors = Tensors::new();
    let mut nodes = Vec::new();
    let mut last = INPUT.to_string();
    let n = layers.len();
    for (i, l) in layers.into_iter().enumerate() {
        // burn keeps in × out; the graph, as PyTorch, out × in.
        let mut w = vec![0.0; l.inputs * l.outputs];
        for r in 0..l.inputs {
            for c in 0..l.outputs {
                w[c * l.inputs + r] = l.weight[r * l.outputs + c];
            }
        }
        let (wk, bk) = (format!("dec.{i}.weight"), format!("dec.{i}.bias"));
        tensors.insert(wk.clone(), (vec![l.outputs, l.inputs], w));
        tensors.insert(bk.clone(), (vec![l.outputs], l.bias));
        let name = format!("dec.{i}");
        nodes.push(node(&name, Op::Linear { weight: wk, bias: Some(bk) }, &last));
        last = name;
        if i + 1 < n {
            nodes.push(node(&format!("dec.{i}.relu"), Op::Relu, &last));
            last = format!("dec.{i}.relu");
        }
    }
    Some((Graph { input: vec![latent], nodes }, tensors))
}

/// The decoder of a conv model as a graph from z to logits (channels first), with its weights;
/// `None` for an MLP model.
pub fn conv_decoder(model: &Model) -> Option<(Graph, Tensors)> {
    let Model::Conv(m) = model else { return None };
    let mut tensors = Tensors::new();
    let mut put = |key: &str, v: (Vec<usize>, Vec<f32>)| {
        tensors.insert(key.to_string(), v);
        Some(key.to_string())
    };
    let bias = |b: &Option<Param<Tensor<1>>>| b.as_ref().map(|b| values(b.val()));
    let [latent, flat] = m.from_z.weight.val().dims();
    // burn keeps a linear layer's weight in × out, PyTorch out × in.
    put("from_z.weight", values(m.from_z.weight.val().transpose()));
    let from_z_bias = bias(&m.from_z.bias).and_then(|b| put("from_z.bias", b));
    let mut nodes = vec![
        node("from_z", Op::Linear { weight: "from_z.weight".into(), bias: from_z_bias }, INPUT),
        node("from_z.relu", Op::Relu, "from_z"),
        node("grid", Op::Reshape { shape: vec![m.top_width, m.base, m.base] }, "from_z.relu"),
    ];
    debug_assert_eq!(flat, m.top_width * m.base * m.base);
    let mut last = "grid".to_string();
    let n = m.up.len();
    for (i, conv) in m.up.iter().enumerate() {
        let w = format!("up.{i}.weight");
        put(&w, values(conv.weight.val()));
        let b = bias(&conv.bias).and_then(|v| put(&format!("up.{i}.bias"), v));
        let name = format!("up.{i}");
        let op = Op::ConvTranspose2d {
            weight: w,
            bias: b,
            stride: [2, 2],
            padding: [1, 1],
            output_padding: [0, 0],
            groups: 1,
        };
        nodes.push(node(&name, op, &last));
        last = name;
        if i + 1 < n || m.head.is_some() {
            nodes.push(node(&format!("up.{i}.relu"), Op::Relu, &last));
            last = format!("up.{i}.relu");
        }
    }
    if let Some(head) = &m.head {
        put("head.weight", values(head.weight.val()));
        let b = bias(&head.bias).and_then(|v| put("head.bias", v));
        let op = Op::Conv2d {
            weight: "head.weight".into(),
            bias: b,
            stride: [1, 1],
            padding: [1, 1],
            dilation: [1, 1],
            groups: 1,
        };
        nodes.push(node("head", op, &last));
    }
    Some((Graph { input: vec![latent], nodes }, tensors))
}
