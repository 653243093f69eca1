//! One image's im2col matrix and its adjoint. Row `(c, ki, kj)` (the weight's own order, so the
//! weight is a plain `filters × depth` matrix) holds, for every output position, the input
//! value under kernel tap `(ki, kj)` of channel `c`, zero where the tap falls in the padding.
//!
//! Both go through a zero-padded copy of the image, so the loops that move values test nothing:
//! with a bounds test per row segment, a faces-vae layer's im2col took longer than its matrix
//! product (its rows are 4 to 32 values long; bench/OPTIMISATION.md).

use crate::Geometry;

/// Values past the last plane: [`gather_rows`] reads, and [`scatter_rows`] adds zero to, one
/// value past a row's last tap, which for the last row of the last plane is past the image.
const SLACK: usize = 1;

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
        Padded { g: *g, rows, cols, buf: vec![0.0; g.channels * rows * cols + SLACK], dirty: false }
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
            let plane = &self.buf[c * pr * pc..];
            let (first, step) = (ki * pc + kj, sy * pc);
            match (sx, ow) {
                (2, 4) => gather_rows::<4>(out, plane, first, step),
                (2, 8) => gather_rows::<8>(out, plane, first, step),
                (2, 16) => gather_rows::<16>(out, plane, first, step),
                (2, 32) => gather_rows::<32>(out, plane, first, step),
                _ => {
                    for (oy, out) in out.chunks_exact_mut(ow).enumerate() {
                        gather(out, &plane[first + oy * step..], sx);
                    }
                }
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
            let plane = &mut self.buf[c * pr * pc..];
            let (first, step) = (ki * pc + kj, sy * pc);
            match (sx, ow) {
                (2, 4) => scatter_rows::<4>(plane, from, first, step),
                (2, 8) => scatter_rows::<8>(plane, from, first, step),
                (2, 16) => scatter_rows::<16>(plane, from, first, step),
                (2, 32) => scatter_rows::<32>(plane, from, first, step),
                _ => {
                    for (oy, from) in from.chunks_exact(ow).enumerate() {
                        scatter(&mut plane[first + oy * step..], from, sx);
                    }
                }
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

/// [`gather`] at stride 2 for every output row of one im2col row, the row's width `W` known
/// when compiling. Each row reads `W` whole pairs (one value past the tap's last, which is why
/// the scratch has [`SLACK`]), so the loop is vector loads and shuffles: the models' rows are
/// 4 to 32 values, and with the width known only at run time the per-row loop (slicing, the
/// pairs and a tail value) cost more than the values moved in the short ones.
#[inline(always)]
fn gather_rows<const W: usize>(out: &mut [f32], plane: &[f32], first: usize, step: usize) {
    for (oy, out) in out.chunks_exact_mut(W).enumerate() {
        let line = &plane[first + oy * step..][..2 * W];
        evens(out, line);
    }
}

/// `out[i] = line[2i]`, four at a time with one SSE shuffle of two loads. With the width known
/// when compiling, LLVM unrolls the plain loop fully and then loads every value on its own
/// (`movss`); this was most of im2col's time in a faces-vae step. SSE is part of every x86-64,
/// so nothing is detected at run time.
#[inline(always)]
fn evens(out: &mut [f32], line: &[f32]) {
    let mut done = 0;
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_loadu_ps, _mm_shuffle_ps, _mm_storeu_ps};
        for (o, l) in out.chunks_exact_mut(4).zip(line.chunks_exact(8)) {
            // SAFETY: `o` holds 4 values and `l` 8 (the chunks' sizes); unaligned loads and
            // stores; SSE is baseline on x86-64.
            unsafe {
                let (a, b) = (_mm_loadu_ps(l.as_ptr()), _mm_loadu_ps(l.as_ptr().add(4)));
                _mm_storeu_ps(o.as_mut_ptr(), _mm_shuffle_ps::<0b10_00_10_00>(a, b));
            }
            done += 4;
        }
    }
    for (v, pair) in out[done..].iter_mut().zip(line[2 * done..].chunks_exact(2)) {
        *v = pair[0];
    }
}

/// The adjoint of [`gather_rows`]: `plane` row by row `+=` each row of `from`, by
/// [`add_evens`].
#[inline(always)]
fn scatter_rows<const W: usize>(plane: &mut [f32], from: &[f32], first: usize, step: usize) {
    for (oy, from) in from.chunks_exact(W).enumerate() {
        add_evens(&mut plane[first + oy * step..][..2 * W], from);
    }
}

/// `line[2i] += from[i]`, four at a time: each four values interleaved with zeros (two SSE
/// unpacks) and added to eight of `line` with two whole-vector loads and stores. Written as a
/// plain loop over pairs (even with `+ 0.0` on each pair's second value), LLVM moved one pair
/// per 64-bit load and store, most of col2im's time in a faces-vae step.
#[inline(always)]
fn add_evens(line: &mut [f32], from: &[f32]) {
    let mut done = 0;
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{
            _mm_add_ps, _mm_loadu_ps, _mm_setzero_ps, _mm_storeu_ps, _mm_unpackhi_ps, _mm_unpacklo_ps,
        };
        for (l, f) in line.chunks_exact_mut(8).zip(from.chunks_exact(4)) {
            // SAFETY: `l` holds 8 values and `f` 4 (the chunks' sizes); unaligned loads and
            // stores; SSE is baseline on x86-64.
            unsafe {
                let (v, zero) = (_mm_loadu_ps(f.as_ptr()), _mm_setzero_ps());
                let (lo, hi) = (_mm_loadu_ps(l.as_ptr()), _mm_loadu_ps(l.as_ptr().add(4)));
                _mm_storeu_ps(l.as_mut_ptr(), _mm_add_ps(lo, _mm_unpacklo_ps(v, zero)));
                _mm_storeu_ps(l.as_mut_ptr().add(4), _mm_add_ps(hi, _mm_unpackhi_ps(v, zero)));
            }
            done += 4;
        }
    }
    for (pair, v) in line[2 * done..].chunks_exact_mut(2).zip(&from[done..]) {
        pair[0] += v;
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
