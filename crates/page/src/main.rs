//! The page's entry point.

fn main() {
    #[cfg(target_arch = "wasm32")]
    page::web::start();
}
