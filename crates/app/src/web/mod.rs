//! The page: Yew components, the worker client and small browser helpers.

mod browser;
mod client;
mod components;
mod store;

pub fn start() {
    console_error_panic_hook::set_once();
    yew::Renderer::<components::App>::new().render();
}
