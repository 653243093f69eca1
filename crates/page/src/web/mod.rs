//! The page on wasm32: Yew views (`components`), the hooks that connect them to the worker, the
//! address bar and storage (`hooks`), the page's fetches and file reading (`io`), the worker
//! client and small browser helpers.

mod browser;
mod client;
mod components;
mod handle;
mod hooks;
mod io;
mod store;

pub fn start() {
    console_error_panic_hook::set_once();
    yew::Renderer::<components::App>::new().render();
}
