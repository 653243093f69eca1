//! One image's im2col matrix and its adjoint. Row `(c, ki, kj)` (the weight's own order, so the
//! weight is a plain `filters × depth` matrix) holds, for every output position, the input
//! value under kernel tap `(ki, kj)` of channel `c`, zero where the tap falls in the padding.
//!
//! Both go through a zero-padded copy of the image, so the loops that move values test nothing:
//! with a bounds test per row segment, a faces-vae layer's im2col took longer than its matrix
//! product (its rows are 4 to 32 values long; bench/OPTIMISATION.md).

use crate::Geometry;

/// A thread's scratch for one geometry: the image with its padding written out as zeros, as
/// large as every tap reads (`(out − 1)·stride + kernel` on each axis).
pub struct Padded {
    g: Geometry,
    rows: usize,
    cols: usize,
    buf: Vec<f32>,
    /// `col2im` left sums in the padding, which `im2col` must read as zeros.
    dirty: bool,
}

impl Padded {
    pub fn new(g: &Geometry) -> Self {
        let span = |out: usize, s: usize, k: usize| out.saturating_sub(1) * s + k;
        let (rows, cols) =
            (span(g.out_height, g.stride[0], g.kernel[0]), span(g.out_width, g.stride[1], g.kernel[1]));
        Padded { g: *g, rows, cols, buf: vec![0.0; g.channels * rows * cols], dirty: false }
    }

    /// The part of each padded row and of each padded plane that holds image pixels:
    /// `(first padded row, rows, first padded column, columns)`.
    fn interior(&self) -> (usize, usize, usize, usize) {
        let g = &self.g;
        let rows = g.height.min(self.rows.saturating_sub(g.pad[0]));
        let cols = g.width.min(self.cols.saturating_sub(g.pad[1]));
        (g.pad[0], rows, g.pad[1], cols)
    }

    /// Fills one image's block of `cols` from the image (`channels × h × w`): row `r` of the
    /// block is `cols[r·ld + at..][..positions]` (a whole `depth × positions` matrix with
    /// `ld = positions, at = 0`; the block form lets images share a wider one).
    pub fn im2col(&mut self, image: &[f32], cols: &mut [f32], ld: usize, at: usize) {
        let (g, (r0, rn, c0, cn)) = (self.g, self.interior());
        let (pr, pc) = (self.rows, self.cols);
        if std::mem::take(&mut self.dirty) {
            self.buf.fill(0.0);
        }
        for (plane, padded) in image.chunks_exact(g.height * g.width).zip(self.buf.chunks_exact_mut(pr * pc))
        {
            for (y, line) in plane.chunks_exact(g.width).take(rn).enumerate() {
                padded[(r0 + y) * pc + c0..][..cn].copy_from_slice(&line[..cn]);
            }
        }
        let [kh, kw] = g.kernel;
        let [sy, sx] = g.stride;
        let (ow, positions) = (g.out_width, g.positions());
        for row in 0..g.depth() {
            let out = &mut cols[row * ld + at..][..positions];
            let (c, ki, kj) = (row / (kh * kw), row / kw % kh, row % kw);
            let plane = &self.buf[c * pr * pc..][..pr * pc];
            for (oy, out) in out.chunks_exact_mut(ow).enumerate() {
                gather(out, &plane[(oy * sy + ki) * pc + kj..], sx);
            }
        }
    }

    /// Adds one image's block of `cols` (laid out as in [`Padded::im2col`]) back into the image,
    /// each value onto the input pixel its tap read (the adjoint); `image` is accumulated into.
    pub fn col2im(&mut self, cols: &[f32], ld: usize, at: usize, image: &mut [f32]) {
        let (g, (r0, rn, c0, cn)) = (self.g, self.interior());
        let (pr, pc) = (self.rows, self.cols);
        self.buf.fill(0.0);
        self.dirty = true;
        let [kh, kw] = g.kernel;
        let [sy, sx] = g.stride;
        let (ow, positions) = (g.out_width, g.positions());
        for row in 0..g.depth() {
            let from = &cols[row * ld + at..][..positions];
            let (c, ki, kj) = (row / (kh * kw), row / kw % kh, row % kw);
            let plane = &mut self.buf[c * pr * pc..][..pr * pc];
            for (oy, from) in from.chunks_exact(ow).enumerate() {
                scatter(&mut plane[(oy * sy + ki) * pc + kj..], from, sx);
            }
        }
        // Values that landed in the padding belong to no pixel.
        for (plane, padded) in image.chunks_exact_mut(g.height * g.width).zip(self.buf.chunks_exact(pr * pc))
        {
            for (y, line) in plane.chunks_exact_mut(g.width).take(rn).enumerate() {
                let from = &padded[(r0 + y) * pc + c0..][..cn];
                line[..cn].iter_mut().zip(from).for_each(|(x, v)| *x += v);
            }
        }
    }
}

/// `out[i] = line[i·stride]`. Stride 2 (the models') goes by pairs, which LLVM turns into
/// vector shuffles where `step_by` stays one value at a time; the last tap may end the row.
#[inline(always)]
fn gather(out: &mut [f32], line: &[f32], stride: usize) {
    match stride {
        1 => out.copy_from_slice(&line[..out.len()]),
        2 => {
            let Some((last, rest)) = out.split_last_mut() else { return };
            for (v, pair) in rest.iter_mut().zip(line.chunks_exact(2)) {
                *v = pair[0];
            }
            *last = line[2 * rest.len()];
        }
        _ => out.iter_mut().zip(line.iter().step_by(stride)).for_each(|(v, x)| *v = *x),
    }
}

/// `line[i·stride] += from[i]`, the adjoint of [`gather`].
#[inline(always)]
fn scatter(line: &mut [f32], from: &[f32], stride: usize) {
    match stride {
        1 => line.iter_mut().zip(from).for_each(|(x, v)| *x += v),
        2 => {
            let Some((last, rest)) = from.split_last() else { return };
            for (pair, v) in line.chunks_exact_mut(2).zip(rest) {
                pair[0] += v;
            }
            line[2 * rest.len()] += last;
        }
        _ => line.iter_mut().step_by(stride).zip(from).for_each(|(x, v)| *x += v),
    }
}
