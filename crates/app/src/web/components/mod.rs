//! The page's components. `App` owns the one reducer and the worker; the rest are views.

mod app;
mod beta;
mod canvas;
mod compare;
mod denoise;
mod drawpad;
mod gallery;
mod interpolation;
mod latent_map;
mod lecture_requests;
mod navigation;
mod persist;
mod shortcuts;
mod sliders;
mod startup;
mod thumb;
mod toolbar;
mod traversal;
mod vectors;
mod views;
mod webcam;

pub use app::App;
