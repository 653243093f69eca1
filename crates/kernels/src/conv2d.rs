//! 2-D convolution over NCHW data. Stride 1 (a decoder's 3×3 "same" layers, the RGB head) goes
//! to a direct kernel: a register tile of up to four output channels × 8 output pixels of one
//! row, fed by unaligned loads from a zero-padded copy of the input, so every input vector
//! loaded serves all the tile's channels and nothing like im2col is written. Other strides take
//! an implicit im2col (packed tile by tile, never whole) times the weight packed once.

use crate::activation::Activation;
use crate::gemm::{MR, PackedB, Tile, TileSink, gemm};
use crate::simd::F32x4;

/// Output pixels per direct tile, as 4-lane vectors.
/// Two vectors, so the tile's accumulators stay in registers (see `sub_pixel`'s).
const PIXEL_VECTORS: usize = 2;
const TILE_WIDTH: usize = 4 * PIXEL_VECTORS;
/// Output channels per direct tile.
const CHANNEL_BLOCK: usize = 4;

/// PyTorch's Conv2d with symmetric padding, dilation 1 and one group.
#[derive(Clone, Debug)]
pub struct Conv2d {
    /// `[channel block][c_in][kh][kw][CHANNEL_BLOCK]`, zero past `c_out`, for the direct kernel.
    blocked: Vec<f32>,
    /// Wᵀ (`c_in·kh·kw` × `c_out`) for the im2col path; empty at stride 1.
    packed: Option<PackedB>,
    bias: Vec<f32>,
    channels_in: usize,
    channels_out: usize,
    kernel: [usize; 2],
    stride: [usize; 2],
    padding: [usize; 2],
    activation: Activation,
}

impl Conv2d {
    /// From a weight `[c_out, c_in, kh, kw]`; `None` when lengths disagree or a stride is 0.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        weight: &[f32],
        bias: Option<&[f32]>,
        channels_in: usize,
        channels_out: usize,
        kernel: [usize; 2],
        stride: [usize; 2],
        padding: [usize; 2],
        activation: Activation,
    ) -> Option<Self> {
        let taps = kernel[0].checked_mul(kernel[1])?;
        let depth = channels_in.checked_mul(taps)?;
        if stride.contains(&0) || weight.len() != channels_out.checked_mul(depth)? {
            return None;
        }
        let bias = match bias {
            Some(b) if b.len() == channels_out => b.to_vec(),
            Some(_) => return None,
            None => vec![0.0; channels_out],
        };
        let direct = stride == [1, 1];
        let blocked = if direct {
            let blocks = channels_out.div_ceil(CHANNEL_BLOCK);
            let mut blocked = vec![0.0; blocks * depth * CHANNEL_BLOCK];
            for (o, w) in weight.chunks_exact(depth.max(1)).enumerate() {
                let (block, lane) = (o / CHANNEL_BLOCK, o % CHANNEL_BLOCK);
                for (t, v) in w.iter().enumerate() {
                    if let Some(slot) = blocked.get_mut((block * depth + t) * CHANNEL_BLOCK + lane) {
                        *slot = *v;
                    }
                }
            }
            blocked
        } else {
            Vec::new()
        };
        let packed = (!direct).then(|| PackedB::new(depth, channels_out, |k, o| weight[o * depth + k]));
        Some(Conv2d { blocked, packed, bias, channels_in, channels_out, kernel, stride, padding, activation })
    }

    /// The output's height and width for an `h` × `w` input, or `None` if the kernel does not fit.
    pub fn output_size(&self, h: usize, w: usize) -> Option<[usize; 2]> {
        let side = |i: usize, n: usize| {
            Some((n + 2 * self.padding[i]).checked_sub(self.kernel[i])? / self.stride[i] + 1)
        };
        Some([side(0, h)?, side(1, w)?])
    }

    /// `y` = the layer applied to `batch` images `c_in × h × w`; returns the output's
    /// `[height, width]`, `None` when `x` has the wrong length.
    pub fn forward(
        &self,
        x: &[f32],
        batch: usize,
        h: usize,
        w: usize,
        y: &mut Vec<f32>,
    ) -> Option<[usize; 2]> {
        let [oh, ow] = self.output_size(h, w)?;
        if x.len() != batch.checked_mul(self.channels_in)?.checked_mul(h)?.checked_mul(w)? {
            return None;
        }
        y.clear();
        y.resize(batch * self.channels_out * oh * ow, 0.0);
        match &self.packed {
            None => self.direct(x, batch, [h, w], [oh, ow], y),
            Some(packed) => self.im2col(packed, x, batch, [h, w], [oh, ow], y),
        }
        Some([oh, ow])
    }

    fn direct(&self, x: &[f32], batch: usize, [h, w]: [usize; 2], [oh, ow]: [usize; 2], y: &mut [f32]) {
        let [kh, kw] = self.kernel;
        let [ph, pw] = self.padding;
        let (ci, co) = (self.channels_in, self.channels_out);
        let tiles = ow.div_ceil(TILE_WIDTH);
        let (hp, wp) = (h + 2 * ph, tiles * TILE_WIDTH + kw - 1);
        let mut padded = vec![0.0f32; ci * hp * wp];
        let depth = ci * kh * kw;
        for (image, out) in x.chunks_exact(ci * h * w).zip(y.chunks_exact_mut(co * oh * ow)).take(batch) {
            for (src, dst) in image
                .chunks_exact(w)
                .zip(padded.chunks_exact_mut(hp * wp).flat_map(|p| p.chunks_exact_mut(wp).skip(ph).take(h)))
            {
                if let Some(d) = dst.get_mut(pw..pw + w) {
                    d.copy_from_slice(src);
                }
            }
            for (block, weights) in self.blocked.chunks_exact(depth * CHANNEL_BLOCK).enumerate() {
                let first = block * CHANNEL_BLOCK;
                let used = (co - first).min(CHANNEL_BLOCK);
                let planes = out.get_mut(first * oh * ow..(first + used) * oh * ow).unwrap_or_default();
                let bias = self.bias.get(first..first + used).unwrap_or_default();
                let rows = DirectRows { padded: &padded, weights, ci, kernel: [kh, kw], hp, wp };
                match used {
                    1 => rows.run::<1>(planes, [oh, ow], bias, self.activation),
                    2 => rows.run::<2>(planes, [oh, ow], bias, self.activation),
                    3 => rows.run::<3>(planes, [oh, ow], bias, self.activation),
                    _ => rows.run::<4>(planes, [oh, ow], bias, self.activation),
                }
            }
        }
    }

    fn im2col(
        &self,
        packed: &PackedB,
        x: &[f32],
        batch: usize,
        [h, w]: [usize; 2],
        [oh, ow]: [usize; 2],
        y: &mut [f32],
    ) {
        let [kh, kw] = self.kernel;
        let ci = self.channels_in;
        let (plane, stride, padding) = (oh * ow, self.stride, self.padding);
        let pack = |first: usize, block: &mut [[f32; MR]]| {
            for i in 0..MR {
                let r = first + i;
                if r >= batch * plane {
                    break;
                }
                let (b, p) = (r / plane, r % plane);
                let (y0, x0) = ((p / ow) * stride[0], (p % ow) * stride[1]);
                for (k, step) in block.iter_mut().enumerate() {
                    let (c, t) = (k / (kh * kw), k % (kh * kw));
                    let (iy, ix) =
                        ((y0 + t / kw).wrapping_sub(padding[0]), (x0 + t % kw).wrapping_sub(padding[1]));
                    step[i] = if iy < h && ix < w {
                        x.get(((b * ci + c) * h + iy) * w + ix).copied().unwrap_or_default()
                    } else {
                        0.0
                    };
                }
            }
        };
        let mut sink = ChannelsFirst { out: y, plane, channels: self.channels_out, bias: &self.bias };
        gemm(batch * plane, packed, &mut Vec::new(), pack, &mut sink);
        for out in y.chunks_exact_mut(plane.max(1)) {
            self.activation.apply(out);
        }
    }
}

/// The direct kernel's inputs for one channel block of one image.
struct DirectRows<'a> {
    padded: &'a [f32],
    /// `[c_in][kh][kw][CHANNEL_BLOCK]`.
    weights: &'a [f32],
    ci: usize,
    kernel: [usize; 2],
    hp: usize,
    wp: usize,
}

impl DirectRows<'_> {
    /// Fills `planes` (`CB` output planes) row by row, tile by tile.
    #[cfg_attr(
        all(feature = "relaxed-simd", target_arch = "wasm32"),
        target_feature(enable = "relaxed-simd")
    )]
    fn run<const CB: usize>(&self, planes: &mut [f32], [oh, ow]: [usize; 2], bias: &[f32], act: Activation) {
        let [kh, kw] = self.kernel;
        let taps = kh * kw;
        for oy in 0..oh {
            for x0 in (0..ow).step_by(TILE_WIDTH) {
                let mut acc = [[F32x4::zero(); PIXEL_VECTORS]; CB];
                for (c, wc) in self.weights.chunks_exact(taps * CHANNEL_BLOCK).enumerate().take(self.ci) {
                    let channel = (c * self.hp + oy) * self.wp;
                    for (ky, wk) in wc.chunks_exact(kw * CHANNEL_BLOCK).enumerate() {
                        let row = channel + ky * self.wp + x0;
                        for (kx, taps) in wk.as_chunks::<CHANNEL_BLOCK>().0.iter().enumerate() {
                            let Some(seg) = self.padded.get(row + kx..row + kx + TILE_WIDTH) else {
                                continue;
                            };
                            let (vectors, _) = seg.as_chunks::<4>();
                            let xs: [F32x4; PIXEL_VECTORS] =
                                core::array::from_fn(|v| F32x4::load(&vectors[v]));
                            for (a, &t) in acc.iter_mut().zip(taps) {
                                let s = F32x4::splat(t);
                                for (r, xv) in a.iter_mut().zip(&xs) {
                                    *r = r.mul_add(s, *xv);
                                }
                            }
                        }
                    }
                }
                let width = (ow - x0).min(TILE_WIDTH);
                for ((a, plane), b) in acc.iter().zip(planes.chunks_exact_mut(oh * ow)).zip(bias) {
                    let mut values = [0.0; TILE_WIDTH];
                    for (v, o) in a.iter().zip(values.as_chunks_mut::<4>().0) {
                        v.store(o);
                    }
                    let start = oy * ow + x0;
                    if let Some(dst) = plane.get_mut(start..start + width) {
                        for (d, v) in dst.iter_mut().zip(values) {
                            *d = v + b;
                        }
                        act.apply(dst);
                    }
                }
            }
        }
    }
}

/// Stores tiles of yᵀ (pixel rows × channel columns) into NCHW with the bias.
struct ChannelsFirst<'a> {
    out: &'a mut [f32],
    plane: usize,
    channels: usize,
    bias: &'a [f32],
}

impl TileSink for ChannelsFirst<'_> {
    fn store(&mut self, t: &Tile) {
        for (i, values) in t.values.iter().enumerate().take(t.rows) {
            let r = t.row + i;
            let (b, p) = (r / self.plane, r % self.plane);
            for (j, v) in values.iter().enumerate().take(t.columns) {
                let o = t.column + j;
                let bias = self.bias.get(o).copied().unwrap_or_default();
                if let Some(d) = self.out.get_mut((b * self.channels + o) * self.plane + p) {
                    *d = v + bias;
                }
            }
        }
    }
}
