//! The decoders' layers timed in a wasm engine (node, or Chromium as the page has it), one way at a time, to choose between the ways a
//! layer can run (bench/OPTIMISATION.md has the figures). Built as a bare wasm module so node can
//! run it without the page:
//!
//! ```sh
//! cargo build -p kernels --example layer_bench --release --target wasm32-unknown-unknown
//! node crates/kernels/examples/layer_bench_node.mjs $CARGO_TARGET_DIR/wasm32-unknown-unknown/release/examples/layer_bench.wasm
//! cargo run -p e2e --bin layer_bench -- $CARGO_TARGET_DIR/wasm32-unknown-unknown/release/examples/layer_bench.wasm
//! ```
//!
//! Add `-C target-feature=+simd128,+relaxed-simd` (and node's `--experimental-wasm-relaxed-simd`)
//! for the fused multiply-add build.

use kernels::{Activation, Conv2d, ConvTranspose2d, ConvTransposeOptions, Dense, Way};

unsafe extern "C" {
    /// Milliseconds, from the host (`performance.now`).
    fn now() -> f64;
}

/// c_in, c_out, h, w, kernel, stride, padding, output_padding.
type Shape = (usize, usize, usize, usize, usize, usize, usize, usize);

/// Every transposed convolution of faces-vae and of AntixK's VanillaVAE, in decoder order.
const TRANSPOSED: [Shape; 10] = [
    (128, 64, 4, 4, 4, 2, 1, 0),
    (64, 32, 8, 8, 4, 2, 1, 0),
    (32, 16, 16, 16, 4, 2, 1, 0),
    (16, 3, 32, 32, 4, 2, 1, 0),
    (512, 256, 2, 2, 3, 2, 1, 1),
    (256, 128, 4, 4, 3, 2, 1, 1),
    (128, 64, 8, 8, 3, 2, 1, 1),
    (64, 32, 16, 16, 3, 2, 1, 1),
    (32, 32, 32, 32, 3, 2, 1, 1),
    (32, 32, 32, 32, 3, 2, 1, 1),
];

fn values(n: usize) -> Vec<f32> {
    (0..n).map(|i| ((i * 7919) % 1000) as f32 / 500.0 - 1.0).collect()
}

fn time(runs: u32, mut f: impl FnMut()) -> f64 {
    f();
    let start = unsafe { now() };
    for _ in 0..runs {
        f();
    }
    (unsafe { now() } - start) / runs as f64
}

/// Mean ms of transposed layer `layer` run `way` (0 col2im, 1 sub-pixel, 2 class GEMM, 3 the
/// layer's own choice) on `batch` images; negative when the layer or way does not exist.
#[unsafe(no_mangle)]
pub extern "C" fn transposed(layer: u32, way: u32, batch: u32, runs: u32) -> f64 {
    let Some(&(ci, co, h, w, k, s, p, op)) = TRANSPOSED.get(layer as usize) else { return -1.0 };
    let options = ConvTransposeOptions { stride: [s, s], padding: [p, p], output_padding: [op, op] };
    let Some(conv) =
        ConvTranspose2d::new(&values(ci * co * k * k), None, ci, co, [k, k], options, Activation::Relu)
    else {
        return -1.0;
    };
    let conv = match way {
        0 => conv.with_way(Way::Col2Im),
        1 => conv.with_way(Way::SubPixel),
        2 => conv.with_way(Way::ClassGemm),
        _ => conv,
    };
    let x = values(batch as usize * ci * h * w);
    let mut y = Vec::new();
    time(runs, || {
        conv.forward(&x, batch as usize, h, w, &mut y);
    })
}

/// Mean ms of VanillaVAE's RGB head (3×3, 32 → 3 at 64×64) on `batch` images.
#[unsafe(no_mangle)]
pub extern "C" fn head(batch: u32, runs: u32) -> f64 {
    let Some(conv) = Conv2d::new(&values(3 * 32 * 9), None, 32, 3, [3, 3], [1, 1], [1, 1], Activation::Tanh)
    else {
        return -1.0;
    };
    let x = values(batch as usize * 32 * 64 * 64);
    let mut y = Vec::new();
    time(runs, || {
        conv.forward(&x, batch as usize, 64, 64, &mut y);
    })
}

/// Mean ms of mnist-vae's decoder MLP (32 → 256 → 512 → 784) on `batch` codes.
#[unsafe(no_mangle)]
pub extern "C" fn mlp(batch: u32, runs: u32) -> f64 {
    let layers: Vec<Dense> = [(32, 256), (256, 512), (512, 784)]
        .iter()
        .filter_map(|&(i, o)| Dense::new(&values(i * o), None, i, o, Activation::Relu))
        .collect();
    let x = values(batch as usize * 32);
    let (mut a, mut b) = (Vec::new(), Vec::new());
    time(runs, || {
        layers[0].forward(&x, batch as usize, &mut a);
        layers[1].forward(&a, batch as usize, &mut b);
        layers[2].forward(&b, batch as usize, &mut a);
    })
}

/// Mean ms of faces-vae's whole decoder (32 → 128×4×4 → four transposed layers → 3×64×64) on
/// `batch` codes run `chunk` codes at a time: whether a batch is faster layer by layer over all
/// codes (each weight read once) or a few codes at a time (each code's maps stay in cache).
#[unsafe(no_mangle)]
pub extern "C" fn faces_decoder(batch: u32, chunk: u32, runs: u32) -> f64 {
    let dense = Dense::new(&values(32 * 2048), None, 32, 2048, Activation::Relu);
    let convs: Vec<ConvTranspose2d> = TRANSPOSED[..4]
        .iter()
        .filter_map(|&(ci, co, _, _, k, s, p, op)| {
            let options = ConvTransposeOptions { stride: [s, s], padding: [p, p], output_padding: [op, op] };
            ConvTranspose2d::new(&values(ci * co * k * k), None, ci, co, [k, k], options, Activation::Relu)
        })
        .collect();
    let (Some(dense), 4) = (dense, convs.len()) else { return -1.0 };
    let (batch, chunk) = (batch as usize, chunk.max(1) as usize);
    let z = values(batch * 32);
    let (mut a, mut b) = (Vec::new(), Vec::new());
    time(runs, || {
        for codes in z.chunks(chunk * 32) {
            let n = codes.len() / 32;
            dense.forward(codes, n, &mut a);
            let mut side = 4;
            for conv in &convs {
                conv.forward(&a, n, side, side, &mut b);
                std::mem::swap(&mut a, &mut b);
                side *= 2;
            }
        }
    })
}

/// Mean ms to turn 64 faces' decoder output (3×64×64 each, channels first, tanh range) into
/// the page's interleaved bytes: `fused` = one pass (`vae::CpuDecoder::decode_images` with
/// `worker_protocol::pixels::to_byte`), otherwise the earlier four passes with `f32::round`.
#[unsafe(no_mangle)]
pub extern "C" fn faces_to_bytes(fused: u32, runs: u32) -> f64 {
    let (c, plane, batch) = (3, 64 * 64, 64);
    let out = values(batch * c * plane);
    let to_byte = |v: f32| -> u8 {
        if v.is_nan() {
            return 0;
        }
        let x = v.clamp(0.0, 1.0) * 255.0;
        let t = x.trunc();
        (if x - t >= 0.5 { t + 1.0 } else { t }) as u8
    };
    let mut sink = 0u32;
    let ms = time(runs, || {
        let images: Vec<Vec<u8>> = if fused == 2 {
            out.chunks_exact(c * plane)
                .map(|src| {
                    let mut dst = vec![0u8; c * plane];
                    let planes: Vec<&[f32]> = src.chunks_exact(plane).collect();
                    for (p, px) in dst.chunks_exact_mut(c).enumerate() {
                        for (d, values) in px.iter_mut().zip(&planes) {
                            *d = to_byte(((values[p] + 1.0) / 2.0).clamp(0.0, 1.0));
                        }
                    }
                    dst
                })
                .collect()
        } else if fused == 3 {
            out.chunks_exact(c * plane)
                .map(|src| {
                    let mut mapped = vec![0u8; c * plane];
                    for (d, &v) in mapped.iter_mut().zip(src) {
                        *d = to_byte(((v + 1.0) / 2.0).clamp(0.0, 1.0));
                    }
                    let mut dst = vec![0u8; c * plane];
                    let planes: Vec<&[u8]> = mapped.chunks_exact(plane).collect();
                    for (p, px) in dst.chunks_exact_mut(c).enumerate() {
                        for (d, values) in px.iter_mut().zip(&planes) {
                            *d = values[p];
                        }
                    }
                    dst
                })
                .collect()
        } else if fused == 1 {
            out.chunks_exact(c * plane)
                .map(|src| {
                    let mut dst = vec![0u8; c * plane];
                    for (ch, values) in src.chunks_exact(plane).enumerate() {
                        for (d, &v) in dst.iter_mut().skip(ch).step_by(c).zip(values) {
                            *d = to_byte(((v + 1.0) / 2.0).clamp(0.0, 1.0));
                        }
                    }
                    dst
                })
                .collect()
        } else {
            let mut o = out.clone();
            o.iter_mut().for_each(|v| *v = (*v + 1.0) / 2.0);
            o.iter_mut().for_each(|v| *v = v.clamp(0.0, 1.0));
            let mut pixels = vec![0.0; o.len()];
            for (src, dst) in o.chunks_exact(c * plane).zip(pixels.chunks_exact_mut(c * plane)) {
                for ch in 0..c {
                    for p in 0..plane {
                        dst[p * c + ch] = src[ch * plane + p];
                    }
                }
            }
            pixels
                .chunks_exact(c * plane)
                .map(|im| {
                    im.iter()
                        .map(|v| if v.is_nan() { 0 } else { (v.clamp(0.0, 1.0) * 255.0).round() as u8 })
                        .collect()
                })
                .collect()
        };
        sink = sink.wrapping_add(u32::from(images[7][100]));
    });
    if sink == u32::MAX { -2.0 } else { ms }
}
