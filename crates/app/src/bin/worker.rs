//! The inference worker's entry point (loaded by `worker_loader.js`).

fn main() {
    #[cfg(target_arch = "wasm32")]
    {
        app::run_static_constructors_once();
        app::worker::start();
    }
}
