//! One image's im2col matrix and its adjoint. Row `(c, ki, kj)` (the weight's own order, so the
//! weight is a plain `filters × depth` matrix) holds, for every output position, the input
//! value under kernel tap `(ki, kj)` of channel `c`, zero where the tap falls in the padding.

use crate::Geometry;

/// The outputs `lo..hi` along one axis whose tap `k` lands inside the `size` pixels there.
fn inside(outputs: usize, k: usize, stride: usize, pad: usize, size: usize) -> (usize, usize) {
    // ox·stride + k ≥ pad  and  ox·stride + k − pad < size
    let lo = pad.saturating_sub(k).div_ceil(stride).min(outputs);
    let hi = (size + pad).saturating_sub(k).div_ceil(stride).clamp(lo, outputs);
    (lo, hi)
}

/// Where tap `(ki, kj)` of one channel reads: the output rows `rows` and columns `cols` whose
/// tap lands inside the image, and the input offset of the first of them. Computed once per
/// im2col row, so the loops below copy without testing anything per value (with per-segment
/// tests, a faces-vae layer's im2col took longer than its matrix product).
struct Taps {
    rows: core::ops::Range<usize>,
    cols: core::ops::Range<usize>,
    first: usize,
}

fn taps(g: &Geometry, ki: usize, kj: usize) -> Taps {
    let (rows, cols) = (
        inside(g.out_height, ki, g.stride[0], g.pad[0], g.height),
        inside(g.out_width, kj, g.stride[1], g.pad[1], g.width),
    );
    let first = (rows.0 * g.stride[0] + ki).saturating_sub(g.pad[0]) * g.width
        + (cols.0 * g.stride[1] + kj).saturating_sub(g.pad[1]);
    Taps { rows: rows.0..rows.1, cols: cols.0..cols.1, first }
}

/// Fills `cols` (`depth × positions`, row-major) from one image (`channels × height × width`).
pub fn im2col(g: &Geometry, image: &[f32], cols: &mut [f32]) {
    let [kh, kw] = g.kernel;
    let [sy, sx] = g.stride;
    let (ow, positions) = (g.out_width, g.positions());
    for (row, out) in cols.chunks_exact_mut(positions).enumerate() {
        let (c, ki, kj) = (row / (kh * kw), row / kw % kh, row % kw);
        let plane = &image[c * g.height * g.width..][..g.height * g.width];
        let t = taps(g, ki, kj);
        if t.rows.is_empty() || t.cols.is_empty() {
            out.fill(0.0);
            continue;
        }
        out[..t.rows.start * ow].fill(0.0);
        out[t.rows.end * ow..].fill(0.0);
        let n = t.cols.len();
        for (i, out) in out[t.rows.start * ow..t.rows.end * ow].chunks_exact_mut(ow).enumerate() {
            out[..t.cols.start].fill(0.0);
            out[t.cols.end..].fill(0.0);
            let line = &plane[t.first + i * sy * g.width..];
            let out = &mut out[t.cols.clone()];
            if sx == 1 {
                out.copy_from_slice(&line[..n]);
            } else {
                for (v, x) in out.iter_mut().zip(line.iter().step_by(sx)) {
                    *v = *x;
                }
            }
        }
    }
}

/// Adds `cols` (`depth × positions`) back into one image, each value onto the input pixel its
/// tap read: the adjoint of [`im2col`]. `image` is accumulated into, not cleared.
pub fn col2im(g: &Geometry, cols: &[f32], image: &mut [f32]) {
    let [kh, kw] = g.kernel;
    let [sy, sx] = g.stride;
    let (ow, positions) = (g.out_width, g.positions());
    for (row, from) in cols.chunks_exact(positions).enumerate() {
        let (c, ki, kj) = (row / (kh * kw), row / kw % kh, row % kw);
        let plane = &mut image[c * g.height * g.width..][..g.height * g.width];
        let t = taps(g, ki, kj);
        if t.rows.is_empty() || t.cols.is_empty() {
            continue;
        }
        for (i, from) in from[t.rows.start * ow..t.rows.end * ow].chunks_exact(ow).enumerate() {
            let line = &mut plane[t.first + i * sy * g.width..];
            for (x, v) in line.iter_mut().step_by(sx).zip(&from[t.cols.clone()]) {
                *x += v;
            }
        }
    }
}
