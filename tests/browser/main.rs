//! Browser tests of the built app. Each test opens a fresh headless Chromium; the harness fails
//! a test on any console error or wasm panic and saves its screenshot to target/screenshots/.

mod accessibility;
mod backend;
mod family;
mod imported;
mod lecture;
mod links;
mod measures;
mod melody;
mod offline;
mod phone;
mod photos;
mod presenting;
mod privacy;
mod robustness;
mod sliders;
mod workbench;
