//! The page's components. `App` owns the one reducer and the worker; the rest are views.

mod app;
mod canvas;
mod sliders;
mod toolbar;

pub use app::App;
