//! The page's views. `App` lays out the page and wires the hooks (`web::hooks`); every other
//! component is a panel that gets what it shows through props (`web::handle`) and imports no
//! other panel but the small leaves it draws with (`thumb`, `webcam`, `canvas`, `crop`).

mod app;
mod beta;
mod canvas;
mod compare;
mod crop;
mod denoise;
mod drawpad;
mod family;
mod gallery;
mod interpolation;
mod latent_map;
mod layers;
mod map_layers;
mod melody_gallery;
mod melody_input;
mod melody_view;
mod model_import;
mod pad;
mod piano_roll;
mod shortcuts;
mod sliders;
mod thumb;
mod toolbar;
mod traversal;
mod units;
mod vector_quality;
mod vectors;
mod views;
mod webcam;

pub use app::App;
