//! The three products a convolution needs in training, on plain NCHW slices, each image of the
//! batch on its own core with its own im2col buffer:
//!
//! - forward: `y = W · im2col(x)`;
//! - input gradient: `dx = col2im(Wᵀ · dy)`;
//! - weight gradient: `dW = Σ dy · im2col(x)ᵀ`, one partial sum per worker, added at the end.
//!
//! Why not burn-flex's: it implements only the forward; burn's default backward passes rebuild
//! the weight gradient as a convolution with batch and channels swapped (per input channel a
//! GEMM of 16 columns over batch × pixels, each with its own im2col, after activation-sized
//! copies and single-threaded transposes). bench/OPTIMISATION.md has the measurements.

use rayon::prelude::*;

use crate::Geometry;
use crate::im2col::Padded;
use crate::product::Product;

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
/// callers pass zeroed: a fresh zeroed buffer costs no second pass.
pub fn input_grad(g: &Geometry, dy: &[f32], weight: &[f32], dx: &mut [f32]) {
    let (depth, positions) = (g.depth(), g.positions());
    dx.par_chunks_mut(g.image_len()).zip(dy.par_chunks(g.out_len())).with_min_len(share(g)).for_each_init(
        || (vec![0.0f32; depth * positions], Padded::new(g)),
        |(cols, padded), (dx, dy)| {
            // Wᵀ: row `d` of it is column `d` of the filters × depth weight.
            let product = Product {
                m: depth,
                n: positions,
                k: g.filters,
                lhs: (weight, 1, depth),
                rhs: (dy, positions, 1),
            };
            product.on_this_thread(cols, false);
            padded.col2im(cols, positions, 0, dx);
        },
    );
}

/// `dW = Σ over images of dy · im2col(x)ᵀ`, `filters × depth` (the weight's layout).
pub fn weight_grad(g: &Geometry, x: &[f32], dy: &[f32]) -> Vec<f32> {
    let (depth, positions) = (g.depth(), g.positions());
    // Each thread sums its share of the images into its own gradient, so the partial sums to
    // add at the end are as few as the threads.
    let share = share(g);
    let partials: Vec<Vec<f32>> = x
        .par_chunks(g.image_len() * share)
        .zip(dy.par_chunks(g.out_len() * share))
        .map(|(xs, dys)| {
            let mut cols = vec![0.0f32; depth * positions];
            let mut padded = Padded::new(g);
            let mut dw = vec![0.0f32; g.weight_len()];
            for (i, (x, dy)) in xs.chunks_exact(g.image_len()).zip(dys.chunks_exact(g.out_len())).enumerate()
            {
                padded.im2col(x, &mut cols, positions, 0);
                // im2col(x)ᵀ: element (p, d) is cols[d · positions + p].
                let product = Product {
                    m: g.filters,
                    n: depth,
                    k: positions,
                    lhs: (dy, positions, 1),
                    rhs: (&cols, 1, positions),
                };
                product.on_this_thread(&mut dw, i > 0);
            }
            dw
        })
        .collect();
    let mut partials = partials.into_iter();
    let mut dw = partials.next().unwrap_or_else(|| vec![0.0; g.weight_len()]);
    for part in partials {
        dw.iter_mut().zip(part).for_each(|(a, b)| *a += b);
    }
    dw
}

/// Adds `bias[c]` to every value of plane `c` of each image (`batch × planes × plane_len`).
pub fn add_bias(t: &mut [f32], bias: &[f32], plane_len: usize) {
    t.par_chunks_mut(bias.len() * plane_len).for_each(|image| {
        for (plane, b) in image.chunks_exact_mut(plane_len).zip(bias) {
            plane.iter_mut().for_each(|v| *v += b);
        }
    });
}

/// The bias gradient: the sum of each plane over the batch.
pub fn bias_grad(t: &[f32], planes: usize, plane_len: usize) -> Vec<f32> {
    let mut sums = vec![0.0f32; planes];
    for image in t.chunks_exact(planes * plane_len) {
        for (s, plane) in sums.iter_mut().zip(image.chunks_exact(plane_len)) {
            *s += plane.iter().sum::<f32>();
        }
    }
    sums
}
