//! Folding a BatchNorm into the layer before it, once at load: in eval mode BatchNorm is
//! `x · scale + shift` per output feature, so scaling that layer's weights and bias gives the same
//! numbers without two more passes over the feature map (and their allocations) on every decode.
//! PyTorch's decoders put one after nearly every convolution (AntixK's VanillaVAE: five).

use super::{GraphNet, Step};
use burn::prelude::*;

impl GraphNet {
    /// The same function with every foldable BatchNorm folded. A value named in `keep` is read
    /// by name later (an encoder's heads), so the layer that makes it is left as it is.
    pub fn fused(mut self, keep: &[&str]) -> GraphNet {
        let mut readers = vec![0usize; self.names.len()];
        for (_, reads) in &self.steps {
            for &r in reads {
                readers[r] += 1;
            }
        }
        for i in 0..self.steps.len() {
            let (Step::Affine { scale, shift }, reads) = &self.steps[i] else { continue };
            let &[source] = reads.as_slice() else { continue };
            if source == 0 || readers[source] != 1 || keep.contains(&self.names[source].as_str()) {
                continue;
            }
            let (scale, shift) = (scale.clone(), shift.clone());
            if let Some(folded) = fold(&self.steps[source - 1].0, scale, shift) {
                self.steps[source - 1].0 = folded;
                self.steps[i].0 = Step::Alias;
            }
        }
        self
    }
}

/// `layer` followed by `x · scale + shift` per output feature, as one layer; `None` when the
/// layer is not one that has per-output weights to scale.
fn fold(layer: &Step, scale: Tensor<1>, shift: Tensor<1>) -> Option<Step> {
    let n = scale.dims()[0];
    let bias =
        |b: &Option<Tensor<1>>| Some(b.clone().map_or(shift.clone(), |b| b * scale.clone() + shift.clone()));
    match layer {
        // burn's `linear` weight is in × out.
        Step::Linear { weight, bias: b } => {
            Some(Step::Linear { weight: weight.clone() * scale.clone().reshape([1, n]), bias: bias(b) })
        }
        // out × in/groups × kh × kw.
        Step::Conv { weight, bias: b, options } => Some(Step::Conv {
            weight: weight.clone() * scale.clone().reshape([n, 1, 1, 1]),
            bias: bias(b),
            options: options.clone(),
        }),
        // in × out/groups × kh × kw: with one group, dimension 1 is the output channel.
        Step::ConvTranspose { weight, bias: b, options } if options.groups == 1 => {
            Some(Step::ConvTranspose {
                weight: weight.clone() * scale.clone().reshape([1, n, 1, 1]),
                bias: bias(b),
                options: options.clone(),
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::*;
    use bundle::graph::Node;

    fn node(name: &str, op: Op, inputs: &[&str]) -> Node {
        Node { name: name.into(), op, inputs: inputs.iter().map(|s| s.to_string()).collect() }
    }

    fn bn(name: &str) -> Op {
        Op::BatchNorm {
            weight: Some(format!("{name}.w")),
            bias: Some(format!("{name}.b")),
            running_mean: format!("{name}.m"),
            running_var: format!("{name}.v"),
            eps: 1e-5,
        }
    }

    #[test]
    fn folded_batch_norms_give_the_numbers_of_the_graph_as_written() {
        let device = Device::flex();
        let conv = |name: &str, transpose: bool| {
            let (weight, bias) = (format!("{name}.weight"), Some(format!("{name}.bias")));
            if transpose {
                Op::ConvTranspose2d {
                    weight,
                    bias,
                    stride: [2, 2],
                    padding: [1, 1],
                    output_padding: [1, 1],
                    groups: 1,
                }
            } else {
                Op::Conv2d { weight, bias, stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 1 }
            }
        };
        let g = Graph {
            input: vec![3],
            nodes: vec![
                node("fc", Op::Linear { weight: "fc.weight".into(), bias: None }, &[INPUT]),
                node("bn0", bn("bn0"), &["fc"]),
                node("maps", Op::Reshape { shape: vec![2, 2, 2] }, &["bn0"]),
                node("up", conv("up", true), &["maps"]),
                node("bn1", bn("bn1"), &["up"]),
                node("act", Op::LeakyRelu { slope: 0.01 }, &["bn1"]),
                node("out", conv("out", false), &["act"]),
                node("bn2", bn("bn2"), &["out"]),
                // Read twice: folding bn3 into `side` would change what `sum` adds.
                node("side", conv("side", false), &["act"]),
                node("bn3", bn("bn3"), &["side"]),
                node("sum", Op::Add, &["bn2", "side"]),
            ],
        };
        let mut shapes: Vec<(String, Vec<usize>)> = vec![
            ("fc.weight".into(), vec![8, 3]),
            ("up.weight".into(), vec![2, 3, 3, 3]),
            ("up.bias".into(), vec![3]),
            ("out.weight".into(), vec![2, 3, 3, 3]),
            ("out.bias".into(), vec![2]),
            ("side.weight".into(), vec![2, 3, 3, 3]),
            ("side.bias".into(), vec![2]),
        ];
        for (name, n) in [("bn0", 8), ("bn1", 3), ("bn2", 2), ("bn3", 2)] {
            for p in ["w", "b", "m", "v"] {
                shapes.push((format!("{name}.{p}"), vec![n]));
            }
        }
        let tensors: Tensors = shapes
            .into_iter()
            .enumerate()
            .map(|(k, (key, shape))| {
                let n = shape.iter().product::<usize>();
                // Positive where a variance must be, varied elsewhere.
                let values = (0..n).map(|i| ((i * 7 + k * 3) % 11) as f32 / 11.0 + 0.1).collect();
                (key, (shape, values))
            })
            .collect();
        let plain = GraphNet::build(&g, &tensors, &device).unwrap();
        let fused = plain.clone().fused(&[]);
        let aliases = fused.steps.iter().filter(|(s, _)| matches!(s, Step::Alias)).count();
        assert_eq!(aliases, 3, "bn0, bn1 and bn2 folded; bn3's layer is read twice");
        let x = Tensor::<2>::random([4, 3], burn::tensor::Distribution::Normal(0.0, 1.0), &device);
        let a = plain.forward(x.clone()).into_data().try_to_vec::<f32>().unwrap();
        let b = fused.forward(x.clone()).into_data().try_to_vec::<f32>().unwrap();
        let d = a.iter().zip(&b).map(|(p, q)| (p - q).abs()).fold(0.0, f32::max);
        let scale = a.iter().map(|v| v.abs()).fold(0.0, f32::max);
        // The same products summed in another order: f32 rounding, relative to the values' size.
        assert!(d <= 1e-6 * scale.max(1.0), "max difference {d} on values up to {scale}");
        // A value read by name is left alone.
        let kept = plain.clone().fused(&["up"]);
        let by_name = |net: &GraphNet| {
            net.values(x.clone(), &["up"]).unwrap()[0].clone().into_data().try_to_vec::<f32>()
        };
        let (k, p) = (by_name(&kept).unwrap(), by_name(&plain).unwrap());
        let d = k.iter().zip(&p).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max);
        // Still before its BatchNorm (which would move it by far more than rounding does).
        assert!(d < 1e-4, "`up` read by name changed by {d}");
        let bn1 = |net: &GraphNet| {
            net.values(x.clone(), &["bn1"]).unwrap()[0].clone().into_data().try_to_vec::<f32>().unwrap()
        };
        assert!(bn1(&kept).iter().zip(&k).any(|(a, b)| (a - b).abs() > 1e-2));
        // The profile names every step.
        let profile = fused.profile(x, 2, &|| 0.0);
        assert_eq!(profile.len(), g.nodes.len());
        assert_eq!((profile[3].0.as_str(), profile[3].1), ("up", "conv_transpose2d"));
    }
}
