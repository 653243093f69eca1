//! `cargo xtask <command>` — everything a newcomer runs, in Rust.
//!
//! - `serve [--port N] [--no-opt]`: set up, build the app (release, wasm-opt) and serve it on 127.0.0.1.
//! - `dist [--reuse]`: the same optimised build, precompressed (brotli and gzip beside each
//!   file), in `dist/`: a static folder for any web host (README, "Put it online"). `--reuse`
//!   optimises and compresses the dist/ already there instead of building it.
//! - `test`: set up (plus Chromium and the data sets) and run every check: rustfmt, clippy
//!   (native and wasm32), native tests, the wasm build and the browser tests.
//! - `train <model>|all`: reproduce a shipped bundle in `web/models/`.
//! - `bench`: measure the app in headless Chromium and write `bench/` (then `bench-train`),
//!   with a size profile of each wasm module (`size_profile.rs`).
//! - `bench-train`: our trainer against PyTorch on the CPU, into `bench/TRAINING-TORCH.md`.
//! - `size-settings`: the CPU worker and the page under other opt-levels, LTO and without SIMD,
//!   measured for size and decode speed, into `bench/SIZE-SETTINGS.md`.
//! - `stamp-sw`: write dist/sw.js's build stamp again (every build does it; for a dist/ built
//!   by trunk directly).
//! - `size-profile`: where each module's bytes go (twiggy), into `bench/SIZE-PROFILE.md`; `bench`
//!   runs it too, after its release build.
//! - `data`: fetch the data sets.
//!
//! Set-up is idempotent: each step checks first and says what it installs and why.

mod dist;
mod offline;
mod page_graph;
mod setup;
mod size_profile;
mod size_settings;
mod steps;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("serve") => steps::serve(&args[1..]),
        Some("test") => steps::test(),
        Some("dist") => steps::dist(&args[1..]),
        Some("train") => steps::train(&args[1..]),
        Some("bench") => steps::bench(),
        Some("bench-train") => steps::training_against_torch(),
        Some("check-exporter") => steps::check_exporter(),
        Some("size-settings") => size_settings::run_all(),
        Some("size-profile") => size_profile::write(),
        Some("data") => setup::data(),
        Some("stamp-sw") => offline::stamp_dist(),
        Some("setup") => setup::toolchain(setup::Needs { browser: true, binaryen: true }),
        _ => {
            Err("usage: cargo xtask serve [--port N] [--no-opt] | dist [--reuse] | test | bench | bench-train | check-exporter | size-settings | size-profile | train <model>|all | data | setup"
                .into())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}
