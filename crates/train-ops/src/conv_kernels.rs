//! The products a convolution needs in training, on plain NCHW slices, each image of the
//! batch on its own core with its own im2col buffer:
//!
//! - forward: `y = W · im2col(x)`;
//! - input gradient: `dx = col2im(Wᵀ · dy)`;
//! - [`backward`]: a layer's whole backward pass image by image (the activation's derivative,
//!   the bias sums, the input gradient, and the weight gradient `dW = Σ dy · im2col(x)ᵀ` summed
//!   as its transpose, one partial sum per worker), each image's im2col made once for the
//!   products that read it.
//!
//! Why not burn-flex's: it implements only the forward; burn's default backward passes rebuild
//! the weight gradient as a convolution with batch and channels swapped (per input channel a
//! GEMM of 16 columns over batch × pixels, each with its own im2col, after activation-sized
//! copies and single-threaded transposes). bench/OPTIMISATION.md has the measurements.

use rayon::prelude::*;

use crate::im2col::Padded;
use crate::product::Product;
use crate::{Geometry, Then};

/// Which way a geometry runs: `conv2d` reads it forwards, `conv_transpose2d` backwards (its
/// input is the geometry's output), so the same kernels serve both layers.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Way {
    Conv,
    Transposed,
}

impl Way {
    /// The layer's output planes and the values in each.
    pub fn planes(self, g: &Geometry) -> (usize, usize) {
        match self {
            Way::Conv => (g.filters, g.positions()),
            Way::Transposed => (g.channels, g.height * g.width),
        }
    }

    pub fn output_shape(self, g: &Geometry) -> [usize; 4] {
        match self {
            Way::Conv => [g.batch, g.filters, g.out_height, g.out_width],
            Way::Transposed => [g.batch, g.channels, g.height, g.width],
        }
    }

    pub fn input_shape(self, g: &Geometry) -> [usize; 4] {
        match self {
            Way::Conv => [g.batch, g.channels, g.height, g.width],
            Way::Transposed => [g.batch, g.filters, g.out_height, g.out_width],
        }
    }

    /// The layer's product without its bias, in the output's layout.
    pub fn product(self, g: &Geometry, x: &[f32], weight: &[f32]) -> Vec<f32> {
        let (planes, len) = self.planes(g);
        let mut y = vec![0.0; g.batch * planes * len];
        match self {
            Way::Conv => forward(g, x, weight, &mut y),
            Way::Transposed => input_grad(g, x, weight, &mut y),
        }
        y
    }
}

/// Images per thread: one even share of the batch each, so each thread allocates one im2col
/// buffer per call (rayon would otherwise split the batch further and make one per piece).
fn share(g: &Geometry) -> usize {
    g.batch.div_ceil(rayon::current_num_threads().max(1)).max(1)
}

/// `y = W · im2col(x)` for every image; `y` (`batch × filters × positions`) is overwritten.
/// (Products over several images side by side, wider for the small layers, measured no faster.)
pub fn forward(g: &Geometry, x: &[f32], weight: &[f32], y: &mut [f32]) {
    let (depth, positions) = (g.depth(), g.positions());
    y.par_chunks_mut(g.out_len()).zip(x.par_chunks(g.image_len())).with_min_len(share(g)).for_each_init(
        || (vec![0.0f32; depth * positions], Padded::new(g)),
        |(cols, padded), (y, x)| {
            padded.im2col(x, cols, positions, 0);
            let product = Product {
                m: g.filters,
                n: positions,
                k: depth,
                lhs: (weight, depth, 1),
                rhs: (cols, positions, 1),
            };
            product.on_this_thread(y, false);
        },
    );
}

/// `dx = col2im(Wᵀ · dy)` for every image, added into `dx` (`batch × channels × h × w`), which
/// callers pass zeroed: a fresh zeroed buffer costs no second pass. Wᵀ is written out once per
/// call: read through strides, gemm copied the weight into its panels again for every image.
pub fn input_grad(g: &Geometry, dy: &[f32], weight: &[f32], dx: &mut [f32]) {
    let (depth, positions) = (g.depth(), g.positions());
    let wt = transpose(weight, g.filters);
    dx.par_chunks_mut(g.image_len()).zip(dy.par_chunks(g.out_len())).with_min_len(share(g)).for_each_init(
        || (vec![0.0f32; depth * positions], Padded::new(g)),
        |(cols, padded), (dx, dy)| {
            let product = Product {
                m: depth,
                n: positions,
                k: g.filters,
                lhs: (&wt, g.filters, 1),
                rhs: (dy, positions, 1),
            };
            product.on_this_thread(cols, false);
            padded.col2im(cols, positions, 0, dx);
        },
    );
}

/// Which gradients a backward pass must give (an input that is data needs none).
#[derive(Clone, Copy, Debug)]
pub struct Wanted {
    pub dx: bool,
    pub dw: bool,
    pub db: bool,
}

/// A layer's gradients, `None` where not wanted.
pub struct Found {
    pub dx: Option<Vec<f32>>,
    pub dw: Option<Vec<f32>>,
    pub db: Option<Vec<f32>>,
}

/// A layer's whole backward pass from its input `x`, weight, output `y` (after `then`) and
/// the output's gradient `dy`, each thread taking its share of the images one at a time.
///
/// Why one pass: done as separate whole-batch passes (the activation's derivative, the bias
/// sums, the input gradient, the weight gradient), each pass read and wrote activation-sized
/// buffers from memory, and a transposed layer built the im2col of its `dz` twice, once for
/// each product that reads it. Here an image's `dz` and im2col are made once, in cache.
#[allow(clippy::too_many_arguments)] // the layer's four tensors, its shape and what to give
pub fn backward(
    way: Way,
    g: &Geometry,
    then: Then,
    x: &[f32],
    weight: &[f32],
    y: &[f32],
    dy: &[f32],
    want: Wanted,
) -> Found {
    let (depth, positions) = (g.depth(), g.positions());
    // Per image: the layer's input (and `dx`) and output (`y`, `dy`) lengths.
    let (in_len, out_len) = match way {
        Way::Conv => (g.image_len(), g.out_len()),
        Way::Transposed => (g.out_len(), g.image_len()),
    };
    let (planes, plane_len) = way.planes(g);
    let share = share(g);
    let mut dx = want.dx.then(|| vec![0.0f32; g.batch * in_len]);
    // A convolution's input gradient reads Wᵀ; see `input_grad`.
    let wt = if way == Way::Conv && want.dx { transpose(weight, g.filters) } else { Vec::new() };
    let parts: Vec<Option<&mut [f32]>> = match dx.as_mut() {
        Some(dx) => dx.chunks_mut(in_len * share).map(Some).collect(),
        None => (0..g.batch.div_ceil(share)).map(|_| None).collect(),
    };
    let partials: Vec<(Vec<f32>, Vec<f32>)> = parts
        .into_par_iter()
        .enumerate()
        .map(|(part, mut dx)| {
            let first = part * share;
            let mut cols = vec![0.0f32; depth * positions];
            let mut padded = Padded::new(g);
            let mut scratch = vec![0.0f32; out_len];
            let mut dw = vec![0.0f32; if want.dw { g.weight_len() } else { 0 }];
            let mut db = vec![0.0f32; if want.db { planes } else { 0 }];
            for (i, n) in (first..g.batch.min(first + share)).enumerate() {
                let x = &x[n * in_len..][..in_len];
                let dz = then.derivative(
                    &dy[n * out_len..][..out_len],
                    &y[n * out_len..][..out_len],
                    &mut scratch,
                );
                for (s, plane) in db.iter_mut().zip(dz.chunks_exact(plane_len)) {
                    *s += sum(plane);
                }
                let dx = dx.as_deref_mut().map(|dx| &mut dx[i * in_len..][..in_len]);
                // The weight gradient is `Σ g · im2col(a)ᵀ` with `(a, g)` the geometry's input and
                // output: `(x, dz)` for a convolution, `(dz, x)` for a transposed one.
                let (a, g_out) = match way {
                    Way::Conv => (x, dz),
                    Way::Transposed => (dz, x),
                };
                let needs_cols = want.dw || (way == Way::Transposed && dx.is_some());
                if needs_cols {
                    padded.im2col(a, &mut cols, positions, 0);
                }
                if want.dw {
                    // Summed as dWᵀ = im2col(a) · gᵀ (`depth × filters`), turned round once at the
                    // end: asked for dW itself, gemm first copied the whole im2col matrix into its
                    // own panels for every image (most of its packing time in a step); this way
                    // round it reads im2col in place and packs only `g`, a fraction of its size.
                    let product = Product {
                        m: depth,
                        n: g.filters,
                        k: positions,
                        lhs: (&cols, positions, 1),
                        rhs: (g_out, 1, positions),
                    };
                    product.on_this_thread(&mut dw, i > 0);
                }
                match (way, dx) {
                    (Way::Conv, Some(dx)) => {
                        Product {
                            m: depth,
                            n: positions,
                            k: g.filters,
                            lhs: (&wt, g.filters, 1),
                            rhs: (dz, positions, 1),
                        }
                        .on_this_thread(&mut cols, false);
                        padded.col2im(&cols, positions, 0, dx);
                    }
                    (Way::Transposed, Some(dx)) => {
                        Product {
                            m: g.filters,
                            n: positions,
                            k: depth,
                            lhs: (weight, depth, 1),
                            rhs: (&cols, positions, 1),
                        }
                        .on_this_thread(dx, false);
                    }
                    (_, None) => {}
                }
            }
            (dw, db)
        })
        .collect();
    let sum = |parts: Vec<Vec<f32>>| {
        parts.into_iter().reduce(|mut a, b| {
            a.iter_mut().zip(b).for_each(|(a, b)| *a += b);
            a
        })
    };
    let (dws, dbs): (Vec<_>, Vec<_>) = partials.into_iter().unzip();
    Found {
        dx,
        dw: want.dw.then(|| transpose(&sum(dws).unwrap_or_else(|| vec![0.0; g.weight_len()]), g.depth())),
        db: want.db.then(|| sum(dbs).unwrap_or_else(|| vec![0.0; planes])),
    }
}

/// Adds `bias[c]` to every value of plane `c` of each image (`batch × planes × plane_len`).
pub fn add_bias(t: &mut [f32], bias: &[f32], plane_len: usize) {
    t.par_chunks_mut(bias.len() * plane_len).for_each(|image| {
        for (plane, b) in image.chunks_exact_mut(plane_len).zip(bias) {
            plane.iter_mut().for_each(|v| *v += b);
        }
    });
}

/// The sum of a slice in eight running sums: `iter().sum()` adds in order, one value at a
/// time, which the compiler may not reorder into vector lanes (a bias gradient's planes are
/// up to 4,096 values).
fn sum(v: &[f32]) -> f32 {
    let mut lanes = [0.0f32; 8];
    let mut chunks = v.chunks_exact(8);
    for c in &mut chunks {
        lanes.iter_mut().zip(c).for_each(|(l, x)| *l += x);
    }
    lanes.iter().sum::<f32>() + chunks.remainder().iter().sum::<f32>()
}

/// `rows × cols` (row-major) turned into `cols × rows`.
fn transpose(t: &[f32], rows: usize) -> Vec<f32> {
    let cols = t.len() / rows.max(1);
    let mut out = vec![0.0f32; t.len()];
    for (r, row) in t.chunks_exact(cols.max(1)).enumerate() {
        for (c, v) in row.iter().enumerate() {
            out[c * rows + r] = *v;
        }
    }
    out
}
