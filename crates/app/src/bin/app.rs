//! The page's entry point.

fn main() {
    #[cfg(target_arch = "wasm32")]
    {
        app::run_static_constructors_once();
        app::web::start();
    }
}
