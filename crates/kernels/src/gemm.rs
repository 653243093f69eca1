//! C = A · B for a constant B (a layer's weights) packed once, and an A that each caller packs
//! from wherever its rows live (a batch of vectors, an image read transposed, an implicit
//! im2col). burn-flex's matmul packs B again on every call, which at batch 64 is as much memory
//! traffic as the product itself.
//!
//! The register tile is `MR` rows × 8 columns (two 4-lane vectors): per step of the shared
//! dimension it loads two vectors of B, broadcasts `MR` values of A and does 2·MR multiply-adds,
//! all accumulators staying in registers. A is packed in chunks small enough to stay in cache
//! while every column panel of B sweeps over it.

use crate::simd::F32x4;

/// Rows of the register tile. V8 keeps one of x86-64's 16 vector registers as scratch and needs
/// a temporary for each multiply before its add, so 4 × 2 accumulators + 2 B vectors + 1
/// broadcast + temporaries stay in registers where 6 rows spilled: in Chromium 156 the 4-row
/// tile ran every decoder layer 1.4–2.3× faster than the 6-row one (bench/OPTIMISATION.md,
/// `examples/layer_bench.rs`), and 5 rows were no faster than 6.
pub(crate) const MR: usize = 4;
/// Columns of the register tile, as 4-lane vectors.
pub(crate) const NV: usize = 2;
/// Columns of the register tile.
pub(crate) const NR: usize = 4 * NV;

/// One step of the shared dimension in a packed B panel: `NR` consecutive columns of one row.
pub(crate) type BStep = [[f32; 4]; NV];

/// B (`depth` × `columns`) cut into panels of `NR` columns, each stored row after row so the
/// tile reads it front to back; the last panel is padded with zero columns.
#[derive(Clone, Debug)]
pub struct PackedB {
    depth: usize,
    columns: usize,
    steps: Vec<BStep>,
}

impl PackedB {
    /// Packs B given element by element, `at(row, column)`.
    pub fn new(depth: usize, columns: usize, at: impl Fn(usize, usize) -> f32) -> Self {
        let panels = columns.div_ceil(NR);
        let mut steps = vec![[[0.0; 4]; NV]; panels * depth];
        for (p, panel) in steps.chunks_exact_mut(depth.max(1)).enumerate().take(panels) {
            for (k, step) in panel.iter_mut().enumerate() {
                for (j, v) in step.as_flattened_mut().iter_mut().enumerate() {
                    let c = p * NR + j;
                    if c < columns {
                        *v = at(k, c);
                    }
                }
            }
        }
        PackedB { depth, columns, steps }
    }

    /// Packs a row-major `depth` × `columns` matrix; `None` when the length is not that.
    pub fn from_row_major(b: &[f32], depth: usize, columns: usize) -> Option<Self> {
        (b.len() == depth.checked_mul(columns)?).then(|| Self::new(depth, columns, |k, c| b[k * columns + c]))
    }

    pub fn depth(&self) -> usize {
        self.depth
    }

    pub fn columns(&self) -> usize {
        self.columns
    }

    fn panels(&self) -> impl Iterator<Item = &[BStep]> {
        // `depth` 0 leaves no steps; `max(1)` only keeps chunks_exact from refusing it.
        self.steps.chunks_exact(self.depth.max(1))
    }
}

/// The `MR` × `NR` product of a packed A block (`depth` steps of `MR` values) and one panel.
#[inline(always)]
fn tile(a: &[[f32; MR]], b: &[BStep]) -> [[F32x4; NV]; MR] {
    let mut acc = [[F32x4::zero(); NV]; MR];
    for (ak, bk) in a.iter().zip(b) {
        let bv: [F32x4; NV] = core::array::from_fn(|j| F32x4::load(&bk[j]));
        for (row, &av) in acc.iter_mut().zip(ak) {
            let s = F32x4::splat(av);
            for (r, b) in row.iter_mut().zip(&bv) {
                *r = r.mul_add(s, *b);
            }
        }
    }
    acc
}

/// A finished tile handed to the caller's store: `values[i][j]` is C[row + i][column + j] for
/// `i < rows` and `j < columns`; the rest is padding.
pub(crate) struct Tile {
    pub row: usize,
    pub rows: usize,
    pub column: usize,
    pub columns: usize,
    pub values: [[f32; NR]; MR],
}

/// Where a product goes: each tile as it is finished, then a call per chunk of rows once all
/// their columns are stored (the place to apply an activation while the rows are in cache).
pub(crate) trait TileSink {
    fn store(&mut self, tile: &Tile);
    fn finish_rows(&mut self, _rows: core::ops::Range<usize>) {}
}

/// How many A rows to pack at once: enough to amortise a panel's trip through the tile, few
/// enough (≈ 64 KiB) that the packed chunk stays in L2 while all panels pass over it.
fn chunk_rows(depth: usize) -> usize {
    let rows = 16_384 / depth.max(1);
    (rows / MR).max(1) * MR
}

/// C = A · B for `rows` rows of A. `pack_a(first_row, out)` fills `out[k][i]` with
/// A[first_row + i][k] for `k < depth` (rows past `rows` may be anything, they are dropped);
/// `sink` receives each finished tile. `scratch` is reused between calls.
#[cfg_attr(all(feature = "relaxed-simd", target_arch = "wasm32"), target_feature(enable = "relaxed-simd"))]
pub(crate) fn gemm(
    rows: usize,
    b: &PackedB,
    scratch: &mut Vec<[f32; MR]>,
    mut pack_a: impl FnMut(usize, &mut [[f32; MR]]),
    sink: &mut impl TileSink,
) {
    let depth = b.depth;
    let chunk = chunk_rows(depth);
    let mut first = 0;
    while first < rows {
        let end = (first + chunk).min(rows);
        let blocks = (end - first).div_ceil(MR);
        scratch.clear();
        scratch.resize(blocks * depth, [0.0; MR]);
        for (i, block) in scratch.chunks_exact_mut(depth.max(1)).enumerate().take(blocks) {
            pack_a(first + i * MR, block);
        }
        for (p, panel) in b.panels().enumerate() {
            let column = p * NR;
            let columns = (b.columns - column).min(NR);
            for (i, block) in scratch.chunks_exact(depth.max(1)).enumerate().take(blocks) {
                let acc = tile(block, panel);
                let row = first + i * MR;
                let values = acc.map(|r| {
                    let mut out = [0.0; NR];
                    for (v, o) in r.iter().zip(out.as_chunks_mut::<4>().0) {
                        v.store(o);
                    }
                    out
                });
                sink.store(&Tile { row, rows: (end - row).min(MR), column, columns, values });
            }
        }
        sink.finish_rows(first..end);
        first = end;
    }
}

/// y = x · B for a single row x (`depth` values): the m = 1 case, where the tile's broadcast
/// rows would be empty. Four panels at a time so eight independent accumulator chains hide the
/// add latency; `y` gets `columns` values.
#[cfg_attr(all(feature = "relaxed-simd", target_arch = "wasm32"), target_feature(enable = "relaxed-simd"))]
pub(crate) fn gemv(x: &[f32], b: &PackedB, y: &mut [f32]) {
    let depth = b.depth.max(1);
    for (g, group) in b.steps.chunks(4 * depth).enumerate() {
        let mut acc = [[F32x4::zero(); NV]; 4];
        if let Some([p0, p1, p2, p3]) = group.chunks_exact(depth).collect::<ArrayOf4>().0 {
            for ((((&xv, s0), s1), s2), s3) in x.iter().zip(p0).zip(p1).zip(p2).zip(p3) {
                let s = F32x4::splat(xv);
                for (a, step) in acc.iter_mut().zip([s0, s1, s2, s3]) {
                    for (r, v) in a.iter_mut().zip(step) {
                        *r = r.mul_add(s, F32x4::load(v));
                    }
                }
            }
        } else {
            for (a, p) in acc.iter_mut().zip(group.chunks_exact(depth)) {
                for (&xv, step) in x.iter().zip(p) {
                    let s = F32x4::splat(xv);
                    for (r, v) in a.iter_mut().zip(step) {
                        *r = r.mul_add(s, F32x4::load(v));
                    }
                }
            }
        }
        let mut flat = [0.0; 4 * NR];
        for (v, o) in acc.as_flattened().iter().zip(flat.as_chunks_mut::<4>().0) {
            v.store(o);
        }
        let start = g * 4 * NR;
        for (o, v) in y.iter_mut().skip(start).zip(flat).take(b.columns.saturating_sub(start)) {
            *o = v;
        }
    }
}

/// Up to four panels of a gemv group, without allocating: `Some` only when there are four.
struct ArrayOf4<'a>(Option<[&'a [BStep]; 4]>);

impl<'a> FromIterator<&'a [BStep]> for ArrayOf4<'a> {
    fn from_iter<I: IntoIterator<Item = &'a [BStep]>>(iter: I) -> Self {
        let mut it = iter.into_iter();
        let four = (|| Some([it.next()?, it.next()?, it.next()?, it.next()?]))();
        ArrayOf4(four)
    }
}
