//! A transposed convolution as `stride²` GEMMs, one per output class: the output pixels with
//! the same row and column modulo the stride take the same kernel taps at fixed input offsets
//! (`sub_pixel::output_classes`), so a class is an ordinary product, class pixels × (c_in, tap)
//! times (c_in, tap) × c_out, with the weight packed once per class and the left operand an
//! implicit im2col of a zero-padded copy of the input, packed a register block at a time.
//!
//! Why beside the other two ways. The direct sub-pixel kernel (`sub_pixel`) reuses each loaded
//! input vector for only four output channels, so with many channels it reloads the input
//! often; the GEMM with col2im (`conv_transpose`) adds every product where it lands, a scatter
//! that costs more than the multiply-adds once the input is wide. Here every output is written
//! once, by the GEMM's own tile, and a batch is just more rows. Which way wins depends on the
//! shape (`Way::for_shape`).

use crate::gemm::{MR, PackedB, Tile, TileSink, gemm};
use crate::sub_pixel::{lead, output_classes};

#[derive(Clone, Debug)]
struct Class {
    residue: [usize; 2],
    /// Per tap, the input offset (dy, dx) from the class pixel.
    offsets: Vec<[isize; 2]>,
    /// `(c_in, tap)` × `c_out`; `None` for a class without taps.
    weight: Option<PackedB>,
}

#[derive(Clone, Debug)]
pub(crate) struct ClassGemm {
    classes: Vec<Class>,
    lead: [usize; 2],
    /// The largest offset down and right, so the padded copy covers every class pixel's reads.
    reach: [usize; 2],
    channels_in: usize,
    channels_out: usize,
    stride: [usize; 2],
}

impl ClassGemm {
    /// From a weight `[c_in, c_out, kh, kw]` whose length the caller has checked.
    pub(crate) fn new(
        weight: &[f32],
        ci: usize,
        co: usize,
        [kh, kw]: [usize; 2],
        stride: [usize; 2],
        padding: [usize; 2],
    ) -> Self {
        let classes: Vec<Class> = output_classes([kh, kw], stride, padding)
            .into_iter()
            .map(|(residue, taps)| {
                let n = taps.len();
                let weight = (n > 0).then(|| {
                    PackedB::new(ci * n, co, |k, o| {
                        let (c, [ky, kx]) = (k / n, taps[k % n].0);
                        weight.get(((c * co + o) * kh + ky) * kw + kx).copied().unwrap_or_default()
                    })
                });
                Class { residue, offsets: taps.into_iter().map(|(_, d)| d).collect(), weight }
            })
            .collect();
        let lead = lead(classes.iter().flat_map(|c| &c.offsets));
        let reach = classes
            .iter()
            .flat_map(|c| &c.offsets)
            .fold([0, 0], |r, &[dy, dx]| [r[0].max(dy.max(0) as usize), r[1].max(dx.max(0) as usize)]);
        ClassGemm { classes, lead, reach, channels_in: ci, channels_out: co, stride }
    }

    /// Writes every pixel of `y` (already `batch · c_out · oh · ow` long) without bias or
    /// activation.
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
        // Class pixels per row and column of the largest class (residue 0).
        let (rows_max, cols_max) = (oh.div_ceil(sy), ow.div_ceil(sx));
        let hp = ly + h.max(rows_max + self.reach[0]);
        let wp = lx + w.max(cols_max + self.reach[1]);
        let (plane_in, plane_out) = (hp * wp, oh * ow);
        let mut padded = vec![0.0f32; batch * ci * plane_in];
        for (src, dst) in x.chunks_exact(w.max(1)).zip(
            padded.chunks_exact_mut(plane_in.max(1)).flat_map(|p| p.chunks_exact_mut(wp).skip(ly).take(h)),
        ) {
            if let Some(d) = dst.get_mut(lx..lx + w) {
                d.copy_from_slice(src);
            }
        }
        let mut scratch = Vec::new();
        for class in &self.classes {
            let Some(weight) = &class.weight else { continue };
            let [ry, rx] = class.residue;
            let rows = oh.saturating_sub(ry).div_ceil(sy);
            let cols = ow.saturating_sub(rx).div_ceil(sx);
            let per_image = rows * cols;
            if per_image == 0 {
                continue;
            }
            // Where (c_in, tap) k reads, from a class pixel's corner in the padded image.
            let reads: Vec<usize> = (0..ci)
                .flat_map(|c| {
                    class.offsets.iter().map(move |&[dy, dx]| {
                        c * plane_in + (ly as isize + dy) as usize * wp + (lx as isize + dx) as usize
                    })
                })
                .collect();
            let corner = |r: usize| {
                let (b, p) = (r / per_image, r % per_image);
                b * ci * plane_in + (p / cols) * wp + p % cols
            };
            let pack = |first: usize, block: &mut [[f32; MR]]| {
                let last = (first + MR).min(batch * per_image);
                let n = last.saturating_sub(first);
                let base0 = corner(first);
                // The common case: the block's pixels lie side by side on one padded row.
                if n == MR && corner(last - 1) == base0 + MR - 1 {
                    for (step, &k) in block.iter_mut().zip(&reads) {
                        if let Some(src) = padded.get(base0 + k..base0 + k + MR) {
                            step.copy_from_slice(src);
                        }
                    }
                    return;
                }
                let bases: [usize; MR] = core::array::from_fn(|i| corner(first + i.min(n.max(1) - 1)));
                for (step, &k) in block.iter_mut().zip(&reads) {
                    for (v, base) in step.iter_mut().zip(bases).take(n) {
                        *v = padded.get(base + k).copied().unwrap_or_default();
                    }
                }
            };
            let mut sink = ClassSink {
                out: &mut *y,
                image: co * plane_out,
                plane: plane_out,
                width: ow,
                cols,
                per_image,
                residue: [ry, rx],
                stride: [sy, sx],
            };
            gemm(batch * per_image, weight, &mut scratch, pack, &mut sink);
        }
    }
}

/// Writes a class's tile to the output pixels it stands for: row = class pixel, column =
/// output channel.
struct ClassSink<'a> {
    out: &'a mut [f32],
    /// Floats per output image, per output plane, and the output's width.
    image: usize,
    plane: usize,
    width: usize,
    /// Class pixels per row, and per image.
    cols: usize,
    per_image: usize,
    residue: [usize; 2],
    stride: [usize; 2],
}

impl TileSink for ClassSink<'_> {
    fn store(&mut self, t: &Tile) {
        for (i, values) in t.values.iter().enumerate().take(t.rows) {
            let r = t.row + i;
            let (b, p) = (r / self.per_image, r % self.per_image);
            let oy = (p / self.cols) * self.stride[0] + self.residue[0];
            let ox = (p % self.cols) * self.stride[1] + self.residue[1];
            let start = b * self.image + t.column * self.plane + oy * self.width + ox;
            for (j, &v) in values.iter().enumerate().take(t.columns) {
                if let Some(o) = self.out.get_mut(start + j * self.plane) {
                    *o = v;
                }
            }
        }
    }
}
