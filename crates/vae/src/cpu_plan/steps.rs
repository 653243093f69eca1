//! One step of a compiled plan: what a graph node compiles to (its weights read, packed and
//! folded) and how it runs over plain buffers. The plan over the whole graph is `cpu_plan.rs`.

use crate::weights_file::Tensors;
use bundle::graph::{Interpolation, Op};
use kernels::{Activation, Conv2d, ConvTranspose2d, ConvTransposeOptions, Dense};

/// One compiled step; the activation of a layer step is fused into it.
pub(super) enum Step {
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

pub(super) fn activation(op: &Op) -> Option<Activation> {
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
pub(super) fn batch_norm(op: &Op, tensors: &Tensors) -> Option<(Vec<f32>, Vec<f32>)> {
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

/// How many outputs (features or channels) a layer's weight makes.
pub(super) fn layer_outputs(op: &Op, tensors: &Tensors) -> Option<usize> {
    match op {
        Op::Linear { weight, .. } | Op::Conv2d { weight, .. } => weights(tensors, weight)?.0.first().copied(),
        Op::ConvTranspose2d { weight, .. } => weights(tensors, weight)?.0.get(1).copied(),
        _ => None,
    }
}

pub(super) fn compile_node(
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

pub(super) fn run_step(
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
