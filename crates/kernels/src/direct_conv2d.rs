//! The first kernel here: a direct stride-1 convolution for few output channels, kept for
//! `vae::graph`, which calls it on shapes burn-flex handles badly. [`crate::Conv2d`] is faster
//! (it keeps a register tile of channels × pixels instead of re-reading output rows).

/// The shape of a convolution over NCHW data: stride 1, no dilation, one group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Conv2dShape {
    pub batch: usize,
    pub channels_in: usize,
    pub height: usize,
    pub width: usize,
    pub channels_out: usize,
    pub kernel: [usize; 2],
    pub padding: [usize; 2],
}

impl Conv2dShape {
    /// The output's height and width, or `None` when the kernel does not fit.
    pub fn output(&self) -> Option<[usize; 2]> {
        let h = (self.height + 2 * self.padding[0]).checked_sub(self.kernel[0])? + 1;
        let w = (self.width + 2 * self.padding[1]).checked_sub(self.kernel[1])? + 1;
        Some([h, w])
    }
}

/// Whether `direct_conv2d` is the faster way for this shape: few output channels (each input row
/// is read once per output channel, so many would re-read too much) over enough input channels
/// that burn does not take its own small-channel path.
pub fn direct_conv2d_pays(shape: &Conv2dShape) -> bool {
    shape.channels_out <= 8 && shape.channels_in > 4 && shape.kernel[0] <= 7 && shape.kernel[1] <= 7
}

/// `y = conv2d(x, weight) + bias` for NCHW `x`, `weight` as out × in × kh × kw (PyTorch's and
/// burn's layout); `None` when the lengths do not match the shape.
pub fn direct_conv2d(x: &[f32], weight: &[f32], bias: Option<&[f32]>, s: &Conv2dShape) -> Option<Vec<f32>> {
    let [oh, ow] = s.output()?;
    let [kh, kw] = s.kernel;
    let [ph, pw] = s.padding;
    let (ci, co, h, w) = (s.channels_in, s.channels_out, s.height, s.width);
    if x.len() != s.batch * ci * h * w
        || weight.len() != co * ci * kh * kw
        || bias.is_some_and(|b| b.len() != co)
    {
        return None;
    }
    let mut y = vec![0.0f32; s.batch * co * oh * ow];
    for b in 0..s.batch {
        let x_b = &x[b * ci * h * w..(b + 1) * ci * h * w];
        for o in 0..co {
            let plane = &mut y[(b * co + o) * oh * ow..(b * co + o + 1) * oh * ow];
            plane.fill(bias.map_or(0.0, |v| v[o]));
            for c in 0..ci {
                let x_c = &x_b[c * h * w..(c + 1) * h * w];
                let w_oc = &weight[(o * ci + c) * kh * kw..(o * ci + c + 1) * kh * kw];
                for oy in 0..oh {
                    let row = &mut plane[oy * ow..(oy + 1) * ow];
                    for ky in 0..kh {
                        // Input row oy + ky − ph; rows in the padding add nothing.
                        let Some(iy) = (oy + ky).checked_sub(ph).filter(|&iy| iy < h) else { continue };
                        let input = &x_c[iy * w..(iy + 1) * w];
                        for kx in 0..kw {
                            let tap = w_oc[ky * kw + kx];
                            // Output columns whose input column ox + kx − pw is inside the row.
                            let first = pw.saturating_sub(kx);
                            let last = (w + pw).saturating_sub(kx).min(ow);
                            if first >= last {
                                continue;
                            }
                            let from = first + kx - pw;
                            let src = &input[from..from + (last - first)];
                            for (out, v) in row[first..last].iter_mut().zip(src) {
                                *out += tap * v;
                            }
                        }
                    }
                }
            }
        }
    }
    Some(y)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The definition, one output value at a time.
    fn reference(x: &[f32], weight: &[f32], bias: Option<&[f32]>, s: &Conv2dShape) -> Vec<f32> {
        let [oh, ow] = s.output().unwrap();
        let [kh, kw] = s.kernel;
        let mut y = Vec::new();
        for b in 0..s.batch {
            for o in 0..s.channels_out {
                for oy in 0..oh {
                    for ox in 0..ow {
                        let mut acc = bias.map_or(0.0, |v| v[o]);
                        for c in 0..s.channels_in {
                            for ky in 0..kh {
                                for kx in 0..kw {
                                    let (iy, ix) = (oy + ky, ox + kx);
                                    let (Some(iy), Some(ix)) =
                                        (iy.checked_sub(s.padding[0]), ix.checked_sub(s.padding[1]))
                                    else {
                                        continue;
                                    };
                                    if iy < s.height && ix < s.width {
                                        let xv = x[((b * s.channels_in + c) * s.height + iy) * s.width + ix];
                                        acc += weight[((o * s.channels_in + c) * kh + ky) * kw + kx] * xv;
                                    }
                                }
                            }
                        }
                        y.push(acc);
                    }
                }
            }
        }
        y
    }

    fn values(n: usize, seed: usize) -> Vec<f32> {
        (0..n).map(|i| (((i * 31 + seed * 17) % 97) as f32 / 48.5) - 1.0).collect()
    }

    #[test]
    fn the_direct_convolution_is_the_definition_for_kernels_paddings_and_sizes() {
        for (kernel, padding, height, width) in [
            ([3, 3], [1, 1], 9, 7),
            ([3, 3], [0, 0], 5, 6),
            ([1, 1], [0, 0], 4, 4),
            ([5, 3], [2, 1], 6, 8),
            ([3, 3], [2, 2], 2, 3),
        ] {
            let s = Conv2dShape { batch: 2, channels_in: 6, height, width, channels_out: 3, kernel, padding };
            let x = values(s.batch * 6 * height * width, 1);
            let w = values(3 * 6 * kernel[0] * kernel[1], 2);
            let bias = values(3, 3);
            for b in [None, Some(bias.as_slice())] {
                let got = direct_conv2d(&x, &w, b, &s).unwrap();
                let want = reference(&x, &w, b, &s);
                assert_eq!(got.len(), want.len());
                let d = got.iter().zip(&want).map(|(p, q)| (p - q).abs()).fold(0.0, f32::max);
                assert!(d < 1e-4, "{s:?}: max difference {d}");
            }
        }
    }

    #[test]
    fn lengths_that_do_not_match_the_shape_are_refused() {
        let s = Conv2dShape {
            batch: 1,
            channels_in: 5,
            height: 4,
            width: 4,
            channels_out: 3,
            kernel: [3, 3],
            padding: [1, 1],
        };
        assert!(direct_conv2d(&[0.0; 80], &[0.0; 135], None, &s).is_some());
        assert!(direct_conv2d(&[0.0; 79], &[0.0; 135], None, &s).is_none());
        assert!(direct_conv2d(&[0.0; 80], &[0.0; 135], Some(&[0.0; 2]), &s).is_none());
        let too_big = Conv2dShape { kernel: [7, 7], padding: [0, 0], ..s };
        assert_eq!(too_big.output(), None);
        assert!(direct_conv2d_pays(&s) && !direct_conv2d_pays(&Conv2dShape { channels_in: 3, ..s }));
    }
}
