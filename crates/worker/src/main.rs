//! The CPU-only inference worker (loaded by `worker_loader.js`).

fn main() {
    worker::main();
}
