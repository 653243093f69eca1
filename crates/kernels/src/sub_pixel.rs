//! A transposed convolution as `stride²` ordinary ones (the sub-pixel decomposition): output
//! pixels with the same position modulo the stride all take the same kernel taps, at fixed
//! offsets into the input, so each such class is a stride-1 direct convolution over the input
//! with a few taps, written back into every stride-th output pixel. Used when input rows are
//! wide enough to fill an 8-pixel tile; there it does no col2im scatter at all (on wasm, the
//! scatter cost more than the multiply-adds for 32 channels at 32×32).

use crate::simd::F32x4;

/// Two vectors of pixels × four channels: 8 accumulators, which stay in V8's registers on
/// x86-64 (four vectors, 16 accumulators, spilled and ran 1.5–3.7× slower; `gemm::MR`).
const PIXEL_VECTORS: usize = 2;
const TILE_WIDTH: usize = 4 * PIXEL_VECTORS;
const CHANNEL_BLOCK: usize = 4;

/// Below this input width the tiles would be mostly padding; the GEMM path is used instead.
pub(crate) const MIN_WIDTH: usize = 12;

/// A kernel tap `[ky, kx]` and the input offset `[dy, dx]` it reads, relative to the class pixel.
pub(crate) type Tap = ([usize; 2], [isize; 2]);

/// Every output class (a residue of the output row and column modulo the stride) with its taps:
/// tap ky reaches output row s·q + r from input row q + (r + p − ky)/s when that division is
/// exact. A class may have no taps (its pixels are the bias alone).
pub(crate) fn output_classes(
    [kh, kw]: [usize; 2],
    stride: [usize; 2],
    padding: [usize; 2],
) -> Vec<([usize; 2], Vec<Tap>)> {
    let (sy, sx) = (stride[0] as isize, stride[1] as isize);
    let mut classes = Vec::new();
    for ry in 0..stride[0] {
        for rx in 0..stride[1] {
            let taps = (0..kh)
                .flat_map(|ky| (0..kw).map(move |kx| (ky, kx)))
                .filter_map(|(ky, kx)| {
                    let ny = (ry + padding[0]) as isize - ky as isize;
                    let nx = (rx + padding[1]) as isize - kx as isize;
                    (ny.rem_euclid(sy) == 0 && nx.rem_euclid(sx) == 0)
                        .then(|| ([ky, kx], [ny.div_euclid(sy), nx.div_euclid(sx)]))
                })
                .collect();
            classes.push(([ry, rx], taps));
        }
    }
    classes
}

/// Zero rows and columns a padded copy needs before the input: the most negative offset.
pub(crate) fn lead<'a>(offsets: impl Iterator<Item = &'a [isize; 2]>) -> [usize; 2] {
    offsets.fold([0, 0], |l, &[dy, dx]| [l[0].max((-dy).max(0) as usize), l[1].max((-dx).max(0) as usize)])
}

/// The taps of one output class (a residue of the output row and column modulo the stride).
#[derive(Clone, Debug)]
struct Class {
    residue: [usize; 2],
    /// Per tap, the input offset (dy, dx) relative to the class pixel.
    offsets: Vec<[isize; 2]>,
    /// `[channel block][c_in][tap][CHANNEL_BLOCK]`.
    weights: Vec<f32>,
}

#[derive(Clone, Debug)]
pub(crate) struct SubPixel {
    classes: Vec<Class>,
    /// Zero rows and columns before the input in the padded copy: the most negative offset.
    lead: [usize; 2],
    channels_in: usize,
    channels_out: usize,
    stride: [usize; 2],
}

impl SubPixel {
    /// From a weight `[c_in, c_out, kh, kw]` whose length the caller has checked.
    pub(crate) fn new(
        weight: &[f32],
        ci: usize,
        co: usize,
        [kh, kw]: [usize; 2],
        stride: [usize; 2],
        padding: [usize; 2],
    ) -> Self {
        let blocks = co.div_ceil(CHANNEL_BLOCK);
        let mut classes = Vec::new();
        for (residue, taps) in output_classes([kh, kw], stride, padding) {
            let n = taps.len();
            let mut weights = vec![0.0; blocks * ci * n * CHANNEL_BLOCK];
            for c in 0..ci {
                for o in 0..co {
                    for (t, ([ky, kx], _)) in taps.iter().enumerate() {
                        let (block, lane) = (o / CHANNEL_BLOCK, o % CHANNEL_BLOCK);
                        let v = weight.get(((c * co + o) * kh + ky) * kw + kx).copied().unwrap_or_default();
                        if let Some(slot) = weights.get_mut(((block * ci + c) * n + t) * CHANNEL_BLOCK + lane)
                        {
                            *slot = v;
                        }
                    }
                }
            }
            classes.push(Class { residue, offsets: taps.into_iter().map(|(_, d)| d).collect(), weights });
        }
        let lead = lead(classes.iter().flat_map(|c| &c.offsets));
        SubPixel { classes, lead, channels_in: ci, channels_out: co, stride }
    }

    /// Writes `y` (already `batch · c_out · oh · ow` long) without bias or activation.
    pub(crate) fn forward(
        &self,
        x: &[f32],
        batch: usize,
        [h, w]: [usize; 2],
        [oh, ow]: [usize; 2],
        y: &mut [f32],
    ) {
        let (ci, co) = (self.channels_in, self.channels_out);
        let [sy, sx] = self.stride;
        let [ly, lx] = self.lead;
        let rows_out = oh.div_ceil(sy);
        let tiles = ow.div_ceil(sx).div_ceil(TILE_WIDTH);
        // Enough zeros after the input for the largest offset of the last class pixel.
        let max_d = self
            .classes
            .iter()
            .flat_map(|c| &c.offsets)
            .fold([0isize; 2], |m, d| [m[0].max(d[0]), m[1].max(d[1])]);
        let hp = ly + h.max(rows_out + max_d[0].max(0) as usize) + 1;
        let wp = lx + w.max(tiles * TILE_WIDTH + max_d[1].max(0) as usize) + 1;
        let mut padded = vec![0.0f32; ci * hp * wp];
        for (image, out) in x.chunks_exact(ci * h * w).zip(y.chunks_exact_mut(co * oh * ow)).take(batch) {
            for (src, dst) in image
                .chunks_exact(w)
                .zip(padded.chunks_exact_mut(hp * wp).flat_map(|p| p.chunks_exact_mut(wp).skip(ly).take(h)))
            {
                if let Some(d) = dst.get_mut(lx..lx + w) {
                    d.copy_from_slice(src);
                }
            }
            for class in &self.classes {
                let n = class.offsets.len();
                let per_block = ci * n * CHANNEL_BLOCK;
                for (block, weights) in class.weights.chunks_exact(per_block.max(1)).enumerate() {
                    let first = block * CHANNEL_BLOCK;
                    let used = (co - first).min(CHANNEL_BLOCK);
                    let planes = out.get_mut(first * oh * ow..(first + used) * oh * ow).unwrap_or_default();
                    let job = ClassJob {
                        padded: &padded,
                        weights,
                        class,
                        ci,
                        hp,
                        wp,
                        lead: self.lead,
                        stride: self.stride,
                    };
                    match used {
                        1 => job.run::<1>(planes, [oh, ow]),
                        2 => job.run::<2>(planes, [oh, ow]),
                        3 => job.run::<3>(planes, [oh, ow]),
                        _ => job.run::<4>(planes, [oh, ow]),
                    }
                }
            }
        }
    }
}

struct ClassJob<'a> {
    padded: &'a [f32],
    weights: &'a [f32],
    class: &'a Class,
    ci: usize,
    hp: usize,
    wp: usize,
    lead: [usize; 2],
    stride: [usize; 2],
}

impl ClassJob<'_> {
    #[cfg_attr(
        all(feature = "relaxed-simd", target_arch = "wasm32"),
        target_feature(enable = "relaxed-simd")
    )]
    fn run<const CB: usize>(&self, planes: &mut [f32], [oh, ow]: [usize; 2]) {
        let [ry, rx] = self.class.residue;
        let [sy, sx] = self.stride;
        let n = self.class.offsets.len();
        // Class pixels (qy, qx) with s·q + r inside the output.
        let rows = oh.saturating_sub(ry).div_ceil(sy);
        let cols = ow.saturating_sub(rx).div_ceil(sx);
        for qy in 0..rows {
            let oy = qy * sy + ry;
            for q0 in (0..cols).step_by(TILE_WIDTH) {
                let mut acc = [[F32x4::zero(); PIXEL_VECTORS]; CB];
                for (c, wc) in self.weights.chunks_exact(n * CHANNEL_BLOCK).enumerate().take(self.ci) {
                    for (&[dy, dx], taps) in self.class.offsets.iter().zip(wc.as_chunks::<CHANNEL_BLOCK>().0)
                    {
                        let iy = (qy + self.lead[0]) as isize + dy;
                        let ix = (q0 + self.lead[1]) as isize + dx;
                        let start = (c * self.hp) as isize * self.wp as isize + iy * self.wp as isize + ix;
                        let Some(seg) =
                            usize::try_from(start).ok().and_then(|s| self.padded.get(s..s + TILE_WIDTH))
                        else {
                            continue;
                        };
                        let (vectors, _) = seg.as_chunks::<4>();
                        let xs: [F32x4; PIXEL_VECTORS] = core::array::from_fn(|v| F32x4::load(&vectors[v]));
                        for (a, &t) in acc.iter_mut().zip(taps) {
                            let s = F32x4::splat(t);
                            for (r, xv) in a.iter_mut().zip(&xs) {
                                *r = r.mul_add(s, *xv);
                            }
                        }
                    }
                }
                let width = (cols - q0).min(TILE_WIDTH);
                for (a, plane) in acc.iter().zip(planes.chunks_exact_mut(oh * ow)) {
                    let mut values = [0.0; TILE_WIDTH];
                    for (v, o) in a.iter().zip(values.as_chunks_mut::<4>().0) {
                        v.store(o);
                    }
                    let row = plane.get_mut(oy * ow..(oy + 1) * ow).unwrap_or_default();
                    for (d, v) in row.iter_mut().skip(q0 * sx + rx).step_by(sx).zip(values).take(width) {
                        *d = v;
                    }
                }
            }
        }
    }
}
