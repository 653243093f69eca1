//! The inference worker with WebGPU beside the CPU (loaded by `worker_loader.js?gpu`).

fn main() {
    worker::main();
}
