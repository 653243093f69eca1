//! Every layer against its definition written out as loops, on random weights and shapes that
//! are not multiples of the tile sizes.

use crate::*;

/// A tiny LCG: deterministic values in [-1, 1).
fn values(n: usize, seed: u64) -> Vec<f32> {
    let mut s = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    (0..n)
        .map(|_| {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((s >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
        })
        .collect()
}

fn assert_close(got: &[f32], want: &[f32], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    let scale = want.iter().fold(1.0f32, |m, v| m.max(v.abs()));
    let d = got.iter().zip(want).map(|(p, q)| (p - q).abs()).fold(0.0, f32::max);
    assert!(d <= 1e-4 * scale, "{what}: max difference {d} at scale {scale}");
}

fn activate(act: Activation, mut v: Vec<f32>) -> Vec<f32> {
    // Activations are tested against std in activation.rs; here they only need applying.
    act.apply(&mut v);
    v
}

#[test]
fn dense_is_x_times_w_plus_b() {
    for (inputs, outputs) in [(32, 256), (7, 13), (1, 1), (33, 65), (256, 784), (5, 40)] {
        for batch in [1, 3, 7, 64] {
            for act in [Activation::Identity, Activation::Relu, Activation::Sigmoid] {
                let w = values(inputs * outputs, 1);
                let b = values(outputs, 2);
                let x = values(batch * inputs, 3);
                let layer = Dense::new(&w, Some(&b), inputs, outputs, act).unwrap();
                let mut want = Vec::new();
                for r in 0..batch {
                    for o in 0..outputs {
                        want.push(
                            b[o] + (0..inputs).map(|i| x[r * inputs + i] * w[i * outputs + o]).sum::<f32>(),
                        );
                    }
                }
                let mut y = vec![9.0; 3];
                layer.forward(&x, batch, &mut y).unwrap();
                assert_close(
                    &y,
                    &activate(act, want),
                    &format!("dense {inputs}→{outputs} batch {batch} {act:?}"),
                );
            }
        }
    }
}

#[test]
fn dense_refuses_wrong_lengths() {
    assert!(Dense::new(&[0.0; 6], None, 2, 3, Activation::Identity).is_some());
    assert!(Dense::new(&[0.0; 5], None, 2, 3, Activation::Identity).is_none());
    assert!(Dense::new(&[0.0; 6], Some(&[0.0; 2]), 2, 3, Activation::Identity).is_none());
    let layer = Dense::new(&[0.0; 6], None, 2, 3, Activation::Identity).unwrap();
    assert!(layer.forward(&[0.0; 5], 3, &mut Vec::new()).is_none());
}

#[test]
fn forward_reuses_the_output_buffer() {
    let layer = Dense::new(&values(32 * 256, 1), None, 32, 256, Activation::Relu).unwrap();
    let mut y = Vec::with_capacity(64 * 256);
    let before = y.as_ptr();
    layer.forward(&values(64 * 32, 2), 64, &mut y).unwrap();
    layer.forward(&values(32, 2), 1, &mut y).unwrap();
    assert_eq!(y.as_ptr(), before);
}

/// ConvTranspose2d by its definition: each input pixel scatters weight × value.
#[allow(clippy::too_many_arguments)]
fn conv_transpose_reference(
    x: &[f32],
    w: &[f32],
    b: &[f32],
    [batch, ci, h, wd]: [usize; 4],
    co: usize,
    [kh, kw]: [usize; 2],
    s: usize,
    p: usize,
    op: usize,
) -> (Vec<f32>, [usize; 2]) {
    let oh = (h - 1) * s + kh + op - 2 * p;
    let ow = (wd - 1) * s + kw + op - 2 * p;
    let mut y = vec![0.0; batch * co * oh * ow];
    for n in 0..batch {
        for o in 0..co {
            for v in &mut y[(n * co + o) * oh * ow..(n * co + o + 1) * oh * ow] {
                *v = b[o];
            }
            for c in 0..ci {
                for iy in 0..h {
                    for ix in 0..wd {
                        for ky in 0..kh {
                            for kx in 0..kw {
                                let (oy, ox) = (
                                    (iy * s + ky) as isize - p as isize,
                                    (ix * s + kx) as isize - p as isize,
                                );
                                if oy >= 0 && ox >= 0 && (oy as usize) < oh && (ox as usize) < ow {
                                    y[((n * co + o) * oh + oy as usize) * ow + ox as usize] += x
                                        [((n * ci + c) * h + iy) * wd + ix]
                                        * w[((c * co + o) * kh + ky) * kw + kx];
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    (y, [oh, ow])
}

#[test]
fn conv_transpose_is_its_definition() {
    // (c_in, c_out, h, w, kernel, stride, padding, output_padding)
    for (ci, co, h, w, k, s, p, op) in [
        (8, 4, 2, 2, [3, 3], 2, 1, 1),
        (5, 3, 3, 4, [4, 4], 2, 1, 0),
        (3, 7, 5, 3, [3, 3], 2, 1, 1),
        (4, 2, 4, 4, [3, 2], 1, 0, 0),
        (9, 5, 3, 3, [5, 5], 3, 2, 2),
        (6, 6, 1, 1, [4, 4], 1, 0, 0),
        (16, 9, 4, 4, [3, 3], 2, 0, 1),
        // Wide enough for the sub-pixel path.
        (6, 5, 13, 17, [3, 3], 2, 1, 1),
        (4, 3, 16, 16, [4, 4], 2, 1, 0),
        (3, 2, 12, 14, [5, 5], 3, 2, 2),
        (5, 4, 12, 12, [3, 2], 1, 0, 0),
        (7, 9, 12, 33, [2, 2], 2, 0, 1),
        // The shapes of the shipped and reference decoders.
        (32, 32, 32, 32, [3, 3], 2, 1, 1),
        (64, 32, 16, 16, [3, 3], 2, 1, 1),
        (128, 64, 4, 4, [4, 4], 2, 1, 0),
        (16, 3, 32, 32, [4, 4], 2, 1, 0),
        (20, 11, 5, 7, [4, 4], 2, 1, 0),
    ] {
        for batch in [1, 3] {
            let x = values(batch * ci * h * w, 4);
            let wt = values(ci * co * k[0] * k[1], 5);
            let b = values(co, 6);
            let act = Activation::LeakyRelu(0.01);
            let options = ConvTransposeOptions { stride: [s, s], padding: [p, p], output_padding: [op, op] };
            let layer = ConvTranspose2d::new(&wt, Some(&b), ci, co, k, options, act).unwrap();
            let (want, want_size) = conv_transpose_reference(&x, &wt, &b, [batch, ci, h, w], co, k, s, p, op);
            let want = activate(act, want);
            for way in [None, Some(Way::Col2Im), Some(Way::SubPixel), Some(Way::ClassGemm)] {
                let layer = match way {
                    Some(way) => layer.clone().with_way(way),
                    None => layer.clone(),
                };
                let mut y = Vec::new();
                let size = layer.forward(&x, batch, h, w, &mut y).unwrap();
                assert_eq!(size, want_size);
                assert_close(
                    &y,
                    &want,
                    &format!("convT {ci}→{co} {h}×{w} k{k:?} s{s} p{p} op{op} batch {batch} {way:?}"),
                );
            }
        }
    }
}

#[test]
fn conv_transpose_refuses_wrong_lengths() {
    let options = ConvTransposeOptions { stride: [2, 2], padding: [1, 1], output_padding: [1, 1] };
    let layer = ConvTranspose2d::new(&[0.0; 72], None, 2, 4, [3, 3], options, Activation::Identity).unwrap();
    assert!(layer.forward(&[0.0; 8], 1, 2, 2, &mut Vec::new()).is_some());
    assert!(layer.forward(&[0.0; 7], 1, 2, 2, &mut Vec::new()).is_none());
    assert!(ConvTranspose2d::new(&[0.0; 71], None, 2, 4, [3, 3], options, Activation::Identity).is_none());
    let bad = ConvTransposeOptions { output_padding: [2, 2], ..options };
    assert!(ConvTranspose2d::new(&[0.0; 72], None, 2, 4, [3, 3], bad, Activation::Identity).is_none());
}

#[allow(clippy::too_many_arguments)]
fn conv2d_reference(
    x: &[f32],
    w: &[f32],
    b: &[f32],
    [batch, ci, h, wd]: [usize; 4],
    co: usize,
    [kh, kw]: [usize; 2],
    s: usize,
    p: usize,
) -> (Vec<f32>, [usize; 2]) {
    let oh = (h + 2 * p - kh) / s + 1;
    let ow = (wd + 2 * p - kw) / s + 1;
    let mut y = Vec::new();
    for n in 0..batch {
        for o in 0..co {
            for oy in 0..oh {
                for ox in 0..ow {
                    let mut acc = b[o];
                    for c in 0..ci {
                        for ky in 0..kh {
                            for kx in 0..kw {
                                let (iy, ix) = (
                                    (oy * s + ky) as isize - p as isize,
                                    (ox * s + kx) as isize - p as isize,
                                );
                                if iy >= 0 && ix >= 0 && (iy as usize) < h && (ix as usize) < wd {
                                    acc += x[((n * ci + c) * h + iy as usize) * wd + ix as usize]
                                        * w[((o * ci + c) * kh + ky) * kw + kx];
                                }
                            }
                        }
                    }
                    y.push(acc);
                }
            }
        }
    }
    (y, [oh, ow])
}

#[test]
fn conv2d_is_its_definition() {
    // (c_in, c_out, h, w, kernel, stride, padding)
    for (ci, co, h, w, k, s, p) in [
        (32, 3, 64, 64, [3, 3], 1, 1),
        (5, 3, 9, 7, [3, 3], 1, 1),
        (6, 7, 5, 19, [3, 3], 1, 0),
        (3, 1, 4, 4, [1, 1], 1, 0),
        (4, 2, 6, 8, [5, 3], 1, 2),
        (4, 9, 2, 3, [3, 3], 1, 2),
        (3, 16, 64, 64, [4, 4], 2, 1),
        (7, 5, 9, 11, [3, 3], 2, 1),
        (2, 3, 7, 7, [2, 2], 3, 0),
    ] {
        for batch in [1, 3] {
            let x = values(batch * ci * h * w, 7);
            let wt = values(co * ci * k[0] * k[1], 8);
            let b = values(co, 9);
            let act = Activation::Tanh;
            let layer = Conv2d::new(&wt, Some(&b), ci, co, k, [s, s], [p, p], act).unwrap();
            let mut y = Vec::new();
            let size = layer.forward(&x, batch, h, w, &mut y).unwrap();
            let (want, want_size) = conv2d_reference(&x, &wt, &b, [batch, ci, h, w], co, k, s, p);
            assert_eq!(size, want_size);
            assert_close(
                &y,
                &activate(act, want),
                &format!("conv {ci}→{co} {h}×{w} k{k:?} s{s} p{p} batch {batch}"),
            );
        }
    }
}

#[test]
fn conv2d_refuses_wrong_lengths() {
    let layer = Conv2d::new(&[0.0; 54], None, 2, 3, [3, 3], [1, 1], [1, 1], Activation::Identity).unwrap();
    assert!(layer.forward(&[0.0; 32], 1, 4, 4, &mut Vec::new()).is_some());
    assert!(layer.forward(&[0.0; 31], 1, 4, 4, &mut Vec::new()).is_none());
    assert!(Conv2d::new(&[0.0; 53], None, 2, 3, [3, 3], [1, 1], [1, 1], Activation::Identity).is_none());
    assert!(Conv2d::new(&[0.0; 54], None, 2, 3, [3, 3], [0, 1], [1, 1], Activation::Identity).is_none());
}
