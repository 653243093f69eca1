//! `cargo xtask size-settings`: the CPU worker (the module every visitor downloads first) and
//! the page built under other size settings, each measured for bytes and, in the real browser,
//! for decode speed, into bench/SIZE-SETTINGS.md. What Cargo.toml's release profile and the
//! worker's `simd` feature are set to is chosen from this table.

use crate::dist::{brotli_of, gzip_of};
use crate::setup::{self, Result, root, run, say};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

struct Variant {
    name: &'static str,
    what: &'static str,
    /// Profile overrides (cargo reads `CARGO_PROFILE_RELEASE_*` over Cargo.toml).
    env: &'static [(&'static str, &'static str)],
    /// Build the worker without its default `simd` feature.
    no_simd: bool,
}

/// `LATENT_LAB_SIZE_VARIANTS=shipped,no-simd` measures only those (a variant's worker build
/// compiles burn anew, minutes each); the table says which were left out.
fn chosen() -> Vec<&'static Variant> {
    let only = std::env::var("LATENT_LAB_SIZE_VARIANTS").ok();
    VARIANTS.iter().filter(|v| only.as_ref().is_none_or(|o| o.split(',').any(|n| n == v.name))).collect()
}

const VARIANTS: [Variant; 5] = [
    Variant {
        name: "shipped",
        what: "opt-level 3, thin LTO, 16 codegen units, simd",
        env: &[],
        no_simd: false,
    },
    Variant {
        name: "opt-s",
        what: "opt-level \"s\"",
        env: &[("CARGO_PROFILE_RELEASE_OPT_LEVEL", "s")],
        no_simd: false,
    },
    Variant {
        name: "opt-z",
        what: "opt-level \"z\"",
        env: &[("CARGO_PROFILE_RELEASE_OPT_LEVEL", "z")],
        no_simd: false,
    },
    Variant {
        name: "fat-lto",
        what: "fat LTO, 1 codegen unit",
        env: &[("CARGO_PROFILE_RELEASE_LTO", "fat"), ("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "1")],
        no_simd: false,
    },
    Variant { name: "no-simd", what: "burn-flex without `simd`", env: &[], no_simd: true },
];

fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

/// raw, gzip -9 and brotli -11 bytes of a file.
fn sizes(path: &Path) -> Result<[usize; 3]> {
    let bytes = std::fs::read(path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    Ok([bytes.len(), gzip_of(&bytes)?.len(), brotli_of(&bytes)?.len()])
}

/// Build `bin` of `package` for wasm under `v` and run wasm-bindgen on it into `out`.
fn build(v: &Variant, package: &str, bin: &str, target: &str, out: &Path) -> Result<f64> {
    let start = std::time::Instant::now();
    let mut cmd = cargo();
    cmd.args(["build", "--release", "--target", "wasm32-unknown-unknown", "-p", package, "--bin", bin]);
    if v.no_simd {
        cmd.arg("--no-default-features");
    }
    for (k, val) in v.env {
        cmd.env(k, val);
    }
    run(&mut cmd)?;
    let seconds = start.elapsed().as_secs_f64();
    let wasm = paths::target_dir().join("wasm32-unknown-unknown/release").join(format!("{bin}.wasm"));
    run(Command::new("wasm-bindgen")
        .args(["--target", target, "--no-typescript", "--out-name", bin, "--out-dir"])
        .arg(out)
        .arg(&wasm))?;
    Ok(seconds)
}

/// A copy of dist/ with this variant's CPU worker in place of the shipped one.
fn site(out: &Path) -> Result<PathBuf> {
    let site = out.join("site");
    let _ = std::fs::remove_dir_all(&site);
    copy_dir(&root().join("dist"), &site)?;
    for f in ["worker.js", "worker_bg.wasm"] {
        std::fs::copy(out.join(f), site.join(f)).map_err(|e| format!("copying {f}: {e}"))?;
        // The server prefers a precompressed twin: the shipped one must not be served instead.
        for twin in [".br", ".gz"] {
            let _ = std::fs::remove_file(site.join(format!("{f}{twin}")));
        }
    }
    Ok(site)
}

fn copy_dir(from: &Path, to: &Path) -> Result {
    std::fs::create_dir_all(to).map_err(|e| e.to_string())?;
    for entry in std::fs::read_dir(from).map_err(|e| e.to_string())? {
        let path = entry.map_err(|e| e.to_string())?.path();
        let dest = to.join(path.file_name().unwrap_or_default());
        if path.is_dir() {
            copy_dir(&path, &dest)?;
        } else {
            std::fs::copy(&path, &dest).map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}

/// The CPU-only browser benchmark on `site`; (mnist-vae decode p50, faces-vae decode p50,
/// faces-vae batch-64 p50) in ms.
fn speed(site: &Path, out: &Path) -> Result<[f64; 3]> {
    let results = out.join("bench");
    // The bench binary `cargo xtask test` built, when there is one: `cargo run` would build it
    // again in the dev profile, whose dependencies the test build does not share.
    let built = paths::target_dir().join("debug/bench");
    let mut cmd = if built.is_file() {
        Command::new(&built)
    } else {
        let mut c = cargo();
        c.args(["run", "-p", "e2e", "--bin", "bench"]);
        c
    };
    run(cmd
        .env("LATENT_LAB_DIST", site)
        .env("LATENT_LAB_BENCH_BACKENDS", "cpu")
        .env("LATENT_LAB_BENCH_OUT", &results))?;
    let json: serde_json::Value = serde_json::from_slice(
        &std::fs::read(results.join("results.json")).map_err(|e| format!("no bench results: {e}"))?,
    )
    .map_err(|e| e.to_string())?;
    let run_of = |model: &str| {
        json["runs"]
            .as_array()
            .and_then(|r| r.iter().find(|r| r["model"] == model).cloned())
            .unwrap_or_default()
    };
    let p50 = |r: &serde_json::Value, key: &str| r[key]["p50"].as_f64().unwrap_or(f64::NAN);
    let (mnist, faces) = (run_of("mnist-vae"), run_of("faces-vae"));
    Ok([
        p50(&mnist, "worker_decode_ms"),
        p50(&faces, "worker_decode_ms"),
        p50(&faces, "batch64_round_trip_ms"),
    ])
}

pub fn run_all() -> Result {
    setup::toolchain(setup::Needs { browser: true, binaryen: true })?;
    let wasm_opt = setup::wasm_opt().ok_or("wasm-opt is not installed")?;
    if !root().join("dist/worker_bg.wasm").is_file() {
        return Err("build the app first (`cargo xtask dist`): the variants are measured inside dist/".into());
    }
    let dir = paths::target_dir().join("size-settings");
    let kb = |b: usize| format!("{:.0}", b as f64 / 1024.0);
    let ms = |v: f64, digits: usize| if v.is_nan() { "—".to_string() } else { format!("{v:.digits$}") };
    let mut rows = String::new();
    for v in chosen() {
        say(&format!("size settings: {} ({})", v.name, v.what));
        let out = dir.join(v.name);
        std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
        let seconds = build(v, "worker", "worker", "no-modules", &out)?;
        // Speed only where the code can differ in kind (SIMD or not, the shipped profile); an
        // opt-level or LTO variant is measured for bytes.
        let timed = v.name == "shipped" || v.no_simd;
        let worker = sizes(&out.join("worker_bg.wasm"))?;
        // The page has no burn and no simd switch; it ships through wasm-opt -Oz (`optimise_wasm`).
        let page = if v.no_simd {
            None
        } else {
            build(v, "page", "page", "web", &out)?;
            let opt = out.join("page-Oz.wasm");
            run(Command::new(&wasm_opt)
                .arg("-Oz")
                .args(crate::steps::WASM_FEATURES)
                .arg(out.join("page_bg.wasm"))
                .arg("-o")
                .arg(&opt))?;
            Some(sizes(&opt)?)
        };
        let [mnist, faces, batch] = if timed { speed(&site(&out)?, &out)? } else { [f64::NAN; 3] };
        let _ = writeln!(
            rows,
            "| {} | {} | {} / {} / {} | {} | {} | {} | {} | {seconds:.0} |",
            v.name,
            v.what,
            kb(worker[0]),
            kb(worker[1]),
            kb(worker[2]),
            page.map_or("—".into(), |p| format!("{} / {}", kb(p[0]), kb(p[2]))),
            ms(mnist, 3),
            ms(faces, 2),
            ms(batch, 1),
        );
    }
    let commit = setup::output("git", &["rev-parse", "--short", "HEAD"]).unwrap_or_default();
    let md = format!(
        "# Size settings, measured\n\n\
         Taken by `cargo xtask size-settings` on commit `{}`: the CPU worker and the page built with each \
         variant's settings (everything else as Cargo.toml's release profile), the worker put into a copy of \
         dist/ in place of the shipped one, and the browser benchmark's CPU runs (`LATENT_LAB_BENCH_BACKENDS=cpu`) \
         measured on it (for the shipped settings and without SIMD; the others for bytes only), one variant after the other on this machine. Sizes in KiB; the page's after \
         wasm-opt -Oz, as `serve` ships it. The build time is the worker's, from a cache holding the other \
         variants' dependencies (so each variant compiles burn anew).\n\n\
         | variant | settings | CPU worker raw / gzip / brotli | page -Oz raw / brotli | mnist-vae decode p50 (ms) | faces-vae decode p50 (ms) | faces-vae batch of 64 p50 (ms) | worker build (s) |\n\
         |---|---|---|---|---|---|---|---|\n{rows}",
        commit.trim()
    );
    std::fs::write(root().join("bench/SIZE-SETTINGS.md"), &md)
        .map_err(|e| format!("cannot write bench/: {e}"))?;
    say(&md);
    Ok(())
}
