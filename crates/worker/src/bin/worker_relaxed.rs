//! The CPU inference worker with fused multiply-adds (wasm relaxed SIMD) in its kernels, loaded
//! by `worker_loader.js` instead of `worker` where the browser validates relaxed SIMD.

fn main() {
    worker::main();
}
