//! A network as a graph of layers: how a model trained elsewhere (PyTorch, exported by
//! `tools/export_torch.py` from a trace of what the model does) is described, so the worker can
//! build it at run time. Each node names the tensors it takes from the weights file
//! (safetensors, PyTorch's own key names) and the values it reads (the graph's input or earlier
//! nodes). Plain serde; `validate` checks what can be checked without the weights.

use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// The name of the graph's input value.
pub const INPUT: &str = "input";

/// The most nodes a graph may have: far beyond a VAE's decoder, short of a memory bomb.
const MAX_NODES: usize = 512;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Graph {
    /// The input's shape without the batch: `[128]` for a code, `[3, 64, 64]` for an image
    /// (channels first, as PyTorch).
    pub input: Vec<usize>,
    /// The layers in the order they run.
    pub nodes: Vec<Node>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Node {
    /// Unique among the graph's nodes; where the trace found it (`decoder.3.0`), for messages.
    pub name: String,
    #[serde(flatten)]
    pub op: Op,
    /// The values it reads: [`INPUT`] or earlier nodes' names. One for most ops; `add` and
    /// `concat` take two or more.
    pub inputs: Vec<String>,
}

/// Interpolation of `upsample`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Interpolation {
    Nearest,
    Bilinear,
}

/// What a node does. Weights are keys of the safetensors file; shapes come from the file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Op {
    /// `x Wᵀ + b`, PyTorch's layout (`weight` is out × in).
    Linear {
        weight: String,
        bias: Option<String>,
    },
    Conv2d {
        weight: String,
        bias: Option<String>,
        stride: [usize; 2],
        padding: [usize; 2],
        dilation: [usize; 2],
        groups: usize,
    },
    ConvTranspose2d {
        weight: String,
        bias: Option<String>,
        stride: [usize; 2],
        padding: [usize; 2],
        output_padding: [usize; 2],
        groups: usize,
    },
    /// BatchNorm1d or 2d in eval mode: the running statistics, and the affine part when kept.
    BatchNorm {
        weight: Option<String>,
        bias: Option<String>,
        running_mean: String,
        running_var: String,
        eps: f64,
    },
    /// Enlarge the two spatial dimensions by whole factors.
    Upsample {
        scale: [usize; 2],
        mode: Interpolation,
        align_corners: bool,
    },
    Relu,
    LeakyRelu {
        slope: f64,
    },
    Elu {
        alpha: f64,
    },
    Silu,
    /// GELU; `tanh` for PyTorch's `approximate="tanh"`.
    Gelu {
        tanh: bool,
    },
    Tanh,
    Sigmoid,
    /// PyTorch's Softplus: `log(1 + exp(βx)) / β`, linear above `threshold`.
    Softplus {
        beta: f64,
        threshold: f64,
    },
    /// Everything from dimension `start` (counting the batch as 0, as PyTorch) into one.
    Flatten {
        start: usize,
    },
    /// To `shape` after the batch (PyTorch's `view(-1, *shape)`, `unflatten`).
    Reshape {
        shape: Vec<usize>,
    },
    /// Elementwise sum of its inputs (a residual connection).
    Add,
    /// Its inputs joined along `dim` (counting the batch as 0); channels are `dim = 1`.
    Concat {
        dim: usize,
    },
    /// The part `[start, start + len)` of dimension 1: one head of an output split in two.
    Slice {
        start: usize,
        len: usize,
    },
}

/// Every op's name as the manifest writes it ([`Op::kind`]): what the page can run.
pub const OP_NAMES: [&str; 18] = [
    "linear",
    "conv2d",
    "conv_transpose2d",
    "batch_norm",
    "upsample",
    "relu",
    "leaky_relu",
    "elu",
    "silu",
    "gelu",
    "tanh",
    "sigmoid",
    "softplus",
    "flatten",
    "reshape",
    "add",
    "concat",
    "slice",
];

impl Op {
    /// The op's name as the manifest writes it, for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Op::Linear { .. } => "linear",
            Op::Conv2d { .. } => "conv2d",
            Op::ConvTranspose2d { .. } => "conv_transpose2d",
            Op::BatchNorm { .. } => "batch_norm",
            Op::Upsample { .. } => "upsample",
            Op::Relu => "relu",
            Op::LeakyRelu { .. } => "leaky_relu",
            Op::Elu { .. } => "elu",
            Op::Silu => "silu",
            Op::Gelu { .. } => "gelu",
            Op::Tanh => "tanh",
            Op::Sigmoid => "sigmoid",
            Op::Softplus { .. } => "softplus",
            Op::Flatten { .. } => "flatten",
            Op::Reshape { .. } => "reshape",
            Op::Add => "add",
            Op::Concat { .. } => "concat",
            Op::Slice { .. } => "slice",
        }
    }

    /// The weight keys it reads.
    pub fn weights(&self) -> Vec<&str> {
        match self {
            Op::Linear { weight, bias }
            | Op::Conv2d { weight, bias, .. }
            | Op::ConvTranspose2d { weight, bias, .. } => {
                std::iter::once(weight.as_str()).chain(bias.as_deref()).collect()
            }
            Op::BatchNorm { weight, bias, running_mean, running_var, .. } => weight
                .as_deref()
                .into_iter()
                .chain(bias.as_deref())
                .chain([running_mean.as_str(), running_var.as_str()])
                .collect(),
            _ => Vec::new(),
        }
    }

    fn arity(&self) -> std::ops::RangeInclusive<usize> {
        match self {
            Op::Add | Op::Concat { .. } => 2..=16,
            _ => 1..=1,
        }
    }
}

impl Graph {
    /// Every weight key the graph reads, in order, once each.
    pub fn weight_keys(&self) -> Vec<&str> {
        let mut seen = HashSet::new();
        self.nodes.iter().flat_map(|n| n.op.weights()).filter(|k| seen.insert(*k)).collect()
    }

    /// The last node's name: the graph's output.
    pub fn output(&self) -> Option<&str> {
        self.nodes.last().map(|n| n.name.as_str())
    }

    /// What can be checked before the weights are read: sizes in bounds, unique names, every
    /// input defined before it is read, each op's number of inputs and its settings.
    pub fn validate(&self) -> Result<(), String> {
        if self.input.is_empty() || self.input.len() > 3 || self.input.iter().any(|&d| d == 0 || d > 4096) {
            return Err(format!("the graph's input shape {:?} is not 1 to 3 sizes of 1..=4096", self.input));
        }
        if self.input.iter().product::<usize>() > 1 << 22 {
            return Err(format!("the graph's input {:?} is too large", self.input));
        }
        if self.nodes.is_empty() || self.nodes.len() > MAX_NODES {
            return Err(format!("a graph has 1 to {MAX_NODES} nodes, not {}", self.nodes.len()));
        }
        let mut defined: HashSet<&str> = HashSet::from([INPUT]);
        for n in &self.nodes {
            let at = || format!("node {} ({})", n.name, n.op.kind());
            if n.name.is_empty() || n.name == INPUT || defined.contains(n.name.as_str()) {
                return Err(format!("{}: its name is empty, \"{INPUT}\" or used twice", at()));
            }
            if !n.op.arity().contains(&n.inputs.len()) {
                return Err(format!("{}: takes {:?} inputs, has {}", at(), n.op.arity(), n.inputs.len()));
            }
            if let Some(missing) = n.inputs.iter().find(|i| !defined.contains(i.as_str())) {
                return Err(format!("{}: reads {missing}, which no earlier node makes", at()));
            }
            settings(&n.op).map_err(|e| format!("{}: {e}", at()))?;
            defined.insert(&n.name);
        }
        Ok(())
    }
}

/// An op's own settings in sane bounds.
fn settings(op: &Op) -> Result<(), String> {
    let small = |v: &[usize], what: &str, lo: usize, hi: usize| {
        if v.iter().all(|&x| (lo..=hi).contains(&x)) {
            Ok(())
        } else {
            Err(format!("{what} {v:?} outside {lo}..={hi}"))
        }
    };
    match op {
        Op::Conv2d { stride, padding, dilation, groups, .. } => {
            small(stride, "stride", 1, 8)?;
            small(padding, "padding", 0, 16)?;
            small(dilation, "dilation", 1, 8)?;
            small(&[*groups], "groups", 1, 1024)
        }
        Op::ConvTranspose2d { stride, padding, output_padding, groups, .. } => {
            small(stride, "stride", 1, 8)?;
            small(padding, "padding", 0, 16)?;
            small(output_padding, "output_padding", 0, 7)?;
            small(&[*groups], "groups", 1, 1024)
        }
        Op::Upsample { scale, .. } => small(scale, "scale", 1, 16),
        Op::Flatten { start } => small(&[*start], "start", 1, 3),
        Op::Reshape { shape } => {
            if shape.is_empty() || shape.len() > 3 {
                return Err(format!("shape {shape:?} is not 1 to 3 sizes"));
            }
            small(shape, "shape", 1, 1 << 22)
        }
        Op::Concat { dim } => small(&[*dim], "dim", 1, 3),
        Op::Slice { len, .. } => small(&[*len], "len", 1, 1 << 22),
        Op::BatchNorm { eps, .. } if !eps.is_finite() || *eps <= 0.0 => {
            Err(format!("eps {eps} is not positive"))
        }
        Op::LeakyRelu { slope: v } | Op::Elu { alpha: v } if !v.is_finite() => {
            Err("a setting is not a number".into())
        }
        Op::Softplus { beta, threshold } if !beta.is_finite() || *beta <= 0.0 || !threshold.is_finite() => {
            Err(format!("beta {beta} and threshold {threshold} must be finite, beta positive"))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(name: &str, op: Op, inputs: &[&str]) -> Node {
        Node { name: name.into(), op, inputs: inputs.iter().map(|s| s.to_string()).collect() }
    }

    fn decoder() -> Graph {
        Graph {
            input: vec![8],
            nodes: vec![
                node("fc", Op::Linear { weight: "fc.weight".into(), bias: Some("fc.bias".into()) }, &[INPUT]),
                node("act", Op::LeakyRelu { slope: 0.01 }, &["fc"]),
                node("view", Op::Reshape { shape: vec![4, 2, 2] }, &["act"]),
                node(
                    "up",
                    Op::ConvTranspose2d {
                        weight: "up.weight".into(),
                        bias: None,
                        stride: [2, 2],
                        padding: [1, 1],
                        output_padding: [1, 1],
                        groups: 1,
                    },
                    &["view"],
                ),
                node(
                    "skip",
                    Op::Upsample { scale: [2, 2], mode: Interpolation::Nearest, align_corners: false },
                    &["view"],
                ),
                node("cat", Op::Concat { dim: 1 }, &["up", "skip"]),
                node("out", Op::Sigmoid, &["cat"]),
            ],
        }
    }

    #[test]
    fn a_graph_round_trips_through_json_and_lists_its_weights() {
        let g = decoder();
        g.validate().unwrap();
        let json = serde_json::to_string(&g).unwrap();
        assert!(json.contains(r#""op":"conv_transpose2d""#), "{json}");
        assert_eq!(serde_json::from_str::<Graph>(&json).unwrap(), g);
        assert_eq!(g.weight_keys(), vec!["fc.weight", "fc.bias", "up.weight"]);
        assert_eq!(g.output(), Some("out"));
    }

    #[test]
    fn bad_graphs_are_refused_naming_the_node() {
        let mut g = decoder();
        g.nodes[3].inputs = vec!["later".into()];
        assert!(g.validate().unwrap_err().contains("node up (conv_transpose2d): reads later"));
        let mut g = decoder();
        g.nodes[5].inputs.truncate(1);
        assert!(g.validate().unwrap_err().contains("node cat (concat): takes"));
        let mut g = decoder();
        g.nodes[1].name = "fc".into();
        assert!(g.validate().unwrap_err().contains("used twice"));
        let mut g = decoder();
        g.input = vec![0];
        assert!(g.validate().is_err());
        let mut g = decoder();
        g.nodes[4].op = Op::Upsample { scale: [64, 2], mode: Interpolation::Bilinear, align_corners: false };
        assert!(g.validate().unwrap_err().contains("scale"));
        // An op the page cannot run does not even parse.
        let unknown = r#"{"input":[2],"nodes":[{"name":"a","op":"lstm","inputs":["input"]}]}"#;
        assert!(serde_json::from_str::<Graph>(unknown).unwrap_err().to_string().contains("lstm"));
    }
}
