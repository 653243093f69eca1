//! The page's components. `App` owns the one reducer and the worker; the rest are views.

mod app;
mod canvas;
mod drawpad;
mod gallery;
mod interpolation;
mod sliders;
mod startup;
mod thumb;
mod toolbar;
mod vectors;

pub use app::App;
