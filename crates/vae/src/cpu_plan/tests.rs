//! The compiled plan against `GraphNet` (burn) on graphs that use every kind of step.

use super::*;
use crate::graph::GraphNet;
use bundle::graph::{Interpolation, Node};
use burn::prelude::*;

fn node(name: &str, op: Op, inputs: &[&str]) -> Node {
    Node { name: name.into(), op, inputs: inputs.iter().map(|s| s.to_string()).collect() }
}

/// A BatchNorm called "bn" over `input`, with its statistics and affine part under `bn.*`.
fn batch_norm(input: &str) -> Node {
    let op = Op::BatchNorm {
        weight: Some("bn.w".into()),
        bias: Some("bn.b".into()),
        running_mean: "bn.mean".into(),
        running_var: "bn.var".into(),
        eps: 1e-5,
    };
    node("bn", op, &[input])
}

/// Tensors of the given shapes with values from a fixed sequence in (0.1, 1.1).
fn tensors(specs: &[(&str, Vec<usize>)]) -> Tensors {
    let mut s = 3u64;
    specs
        .iter()
        .map(|(k, shape)| {
            let v = (0..shape.iter().product::<usize>())
                .map(|_| {
                    s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    0.1 + (s >> 40) as f32 / (1u64 << 24) as f32
                })
                .collect();
            (k.to_string(), (shape.clone(), v))
        })
        .collect()
}

/// The plan's output against `GraphNet`'s (burn) on `x`, as the largest difference.
fn against_burn(g: &Graph, t: &Tensors, x: &[f32], batch: usize) -> f32 {
    let device = Device::flex();
    let net = GraphNet::build(g, t, &device).unwrap();
    let want: Vec<f32> = net
        .forward(Tensor::<1>::from_floats(x, &device).reshape([batch, x.len() / batch]))
        .into_data()
        .try_to_vec::<f32>()
        .unwrap();
    let got = CpuPlan::compile(g, t).expect("compiles").run(x, batch).expect("runs");
    assert_eq!(got.len(), want.len());
    got.iter().zip(&want).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max)
}

#[test]
fn norms_upsampling_residuals_joins_and_slices_match_burn() {
    let t = tensors(&[("bn.mean", vec![2]), ("bn.var", vec![2]), ("bn.w", vec![2]), ("bn.b", vec![2])]);
    let nearest = Op::Upsample { scale: [2, 3], mode: Interpolation::Nearest, align_corners: false };
    let g = Graph {
        input: vec![2, 2, 3],
        nodes: vec![
            batch_norm(INPUT),
            node("up", nearest.clone(), &["bn"]),
            node("same", nearest, &[INPUT]),
            node("res", Op::Add, &["up", "same"]),
            node("cat", Op::Concat { dim: 1 }, &["res", "same"]),
            node("first", Op::Slice { start: 1, len: 2 }, &["cat"]),
            node("act", Op::Tanh, &["first"]),
            node("flat", Op::Flatten { start: 1 }, &["act"]),
        ],
    };
    let x: Vec<f32> = (0..24).map(|i| i as f32 * 0.37 - 4.0).collect();
    assert!(against_burn(&g, &t, &x, 2) < 1e-5);
}

#[test]
fn layers_with_their_norms_and_activations_folded_match_burn() {
    let t = tensors(&[
        ("fc.w", vec![12, 5]),
        ("fc.b", vec![12]),
        ("ct.w", vec![3, 4, 3, 3]),
        ("ct.b", vec![4]),
        ("bn.mean", vec![4]),
        ("bn.var", vec![4]),
        ("bn.w", vec![4]),
        ("bn.b", vec![4]),
        ("cv.w", vec![2, 4, 3, 3]),
    ]);
    let g = Graph {
        input: vec![5],
        nodes: vec![
            node("fc", Op::Linear { weight: "fc.w".into(), bias: Some("fc.b".into()) }, &[INPUT]),
            node("fc.act", Op::Elu { alpha: 1.0 }, &["fc"]),
            node("grid", Op::Reshape { shape: vec![3, 2, 2] }, &["fc.act"]),
            node(
                "ct",
                Op::ConvTranspose2d {
                    weight: "ct.w".into(),
                    bias: Some("ct.b".into()),
                    stride: [2, 2],
                    padding: [1, 1],
                    output_padding: [1, 1],
                    groups: 1,
                },
                &["grid"],
            ),
            batch_norm("ct"),
            node("lrelu", Op::LeakyRelu { slope: 0.01 }, &["bn"]),
            node(
                "cv",
                Op::Conv2d {
                    weight: "cv.w".into(),
                    bias: None,
                    stride: [1, 1],
                    padding: [1, 1],
                    dilation: [1, 1],
                    groups: 1,
                },
                &["lrelu"],
            ),
            node("out", Op::Sigmoid, &["cv"]),
        ],
    };
    let plan = CpuPlan::compile(&g, &t).unwrap();
    // Linear + ELU, reshape, transposed conv + norm + LeakyReLU, conv + sigmoid.
    assert_eq!(plan.steps.len(), 4, "{:?}", plan.names);
    let x: Vec<f32> = (0..15).map(|i| (i as f32 * 0.71).sin() * 2.0).collect();
    assert!(against_burn(&g, &t, &x, 3) < 1e-5);
}

#[test]
fn the_median_ignores_one_pause() {
    use super::median;
    assert_eq!(median(vec![]), 0.0);
    assert_eq!(median(vec![0.05, 7.0, 0.04]), 0.05);
    assert_eq!(median(vec![0.04, 0.06, 9.0, 0.05]), 0.055);
}
