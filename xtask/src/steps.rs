//! The commands: what `serve`, `test` and `train` run, in order.

use crate::setup::{self, Needs, Result, root, run, say};
use sha2::{Digest, Sha256};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

/// Build the app into dist/ with trunk (release profile; trunk never downloads anything).
fn build_app() -> Result {
    fetch_crates()?;
    run(&mut trunk_build())?;
    crate::offline::stamp_dist()
}

/// Download every crate Cargo.lock names, for every target. trunk runs cargo `--offline`
/// (Trunk.toml), and on a fresh machine nothing before it has needed the WebGPU module's crates
/// (cubecl, wgpu): without this the first build failed to find them.
fn fetch_crates() -> Result {
    run(cargo().args(["fetch", "--locked"]))
}

/// The build the browser tests run, with clippy linting this workspace's crates on wasm32 as
/// they compile. Its wasm is compiled at opt-level 1 without LTO: the tests check behaviour, not
/// speed (that is `bench`, which builds the shipped profile), and compiling burn for wasm twice
/// (the CPU and the WebGPU module) at opt-level 3 was the largest part of a fresh machine's run.
/// Rust's float semantics do not depend on the optimisation level, so pixels are the same.
fn build_app_for_tests(clippy: &Path) -> Result {
    fetch_crates()?;
    run(setup::with_clippy(&mut trunk_build(), clippy)
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "1")
        .env("CARGO_PROFILE_RELEASE_LTO", "false"))?;
    crate::offline::stamp_dist()
}

fn trunk_build() -> Command {
    let mut trunk = Command::new("trunk");
    trunk.args(["build", "--release", "--offline", "--skip-version-check"]);
    trunk
}

pub fn serve(args: &[String]) -> Result {
    let port = match args.iter().position(|a| a == "--port") {
        Some(i) => args.get(i + 1).and_then(|p| p.parse().ok()).ok_or("--port needs a number")?,
        None => 8080,
    };
    let optimise = !args.iter().any(|a| a == "--no-opt");
    setup::toolchain(Needs { browser: false, binaryen: optimise })?;
    build_app()?;
    if optimise {
        optimise_wasm(&root().join("dist"))?;
        crate::offline::stamp_dist()?;
        // Sent as a real host sends it: brotli or gzip, a few MB instead of tens.
        crate::dist::precompress(&root().join("dist"))?;
    }
    let server = devserver::Server::start(&root().join("dist"), port)
        .map_err(|e| format!("cannot listen on 127.0.0.1:{port}: {e}"))?;
    say(&format!("serving Latent Lab at {} (Ctrl-C to stop)", server.url()));
    server.wait();
    Ok(())
}

/// The folder to put online: what `serve` serves, with precompressed twins of every file.
/// `--reuse` takes the dist/ already built (by `cargo xtask test`, say) instead of building.
pub fn dist(args: &[String]) -> Result {
    setup::toolchain(Needs { browser: false, binaryen: true })?;
    if !args.iter().any(|a| a == "--reuse") {
        build_app()?;
    }
    optimise_wasm(&root().join("dist"))?;
    crate::offline::stamp_dist()?;
    crate::dist::precompress(&root().join("dist"))?;
    say("dist/ is ready for any static host: copy it as it is (README, \"Put it online\")");
    Ok(())
}

/// The wasm features rustc's output uses, for wasm-opt. SIMD is among them (.cargo/config.toml);
/// the stripped module has no target-features section for wasm-opt to detect them from.
pub(crate) const WASM_FEATURES: [&str; 7] = [
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-reference-types",
    "--enable-multivalue",
    "--enable-simd",
];

/// wasm-opt the page's wasm in dist/, caching results by the input's hash (an unchanged build
/// should not pay for it again).
///
/// Chosen by measurement (dist/ of the two-worker build, bytes raw / gzip -9):
/// - page: as built 1,545,443 / 504,682; `-O3` 1,362,892 / 499,483; `-Oz` 1,303,009 / 499,230.
///   `-Oz`, the smallest either way.
/// - CPU worker: as built 3,371,070 / 617,244; `-O3` 2,833,564 / 721,126; `-Oz` 2,774,172 /
///   716,777. wasm-opt makes it smaller on disk but 16% larger on the wire (what compresses
///   well in LLVM's output is rewritten), so the workers ship as LLVM made them.
fn optimise_wasm(dist: &Path) -> Result {
    let wasm_opt = setup::wasm_opt().ok_or("wasm-opt is not installed")?;
    let cache = paths::target_dir().join("wasm-opt-cache");
    std::fs::create_dir_all(&cache).map_err(|e| e.to_string())?;
    for entry in std::fs::read_dir(dist).map_err(|e| e.to_string())? {
        let path = entry.map_err(|e| e.to_string())?.path();
        let is_page = path.file_name().is_some_and(|n| n.to_string_lossy().starts_with("page"));
        if path.extension().is_none_or(|e| e != "wasm") || !is_page {
            continue;
        }
        let bytes = std::fs::read(&path).map_err(|e| e.to_string())?;
        let cached = cache.join(format!("{:x}-Oz.wasm", Sha256::digest(&bytes)));
        if !cached.is_file() {
            say(&format!("optimising {} with wasm-opt -Oz", path.display()));
            run(Command::new(&wasm_opt).arg("-Oz").args(WASM_FEATURES).arg(&path).arg("-o").arg(&cached))?;
        }
        std::fs::copy(&cached, &path).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Test counts gathered from every `cargo test` run.
#[derive(Default)]
struct Tally {
    passed: usize,
    failed: usize,
    ignored: usize,
}

impl Tally {
    /// Run cargo test, streaming its output, and add up its `test result:` lines.
    fn cargo_test(&mut self, args: &[&str], clippy: &Path) -> Result {
        say(&format!("$ cargo {} (with clippy)", args.join(" ")));
        let mut child = setup::with_clippy(&mut cargo(), clippy)
            .args(args)
            .current_dir(root())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run cargo test: {e}"))?;
        if let Some(out) = child.stdout.take() {
            for line in BufReader::new(out).lines().map_while(std::result::Result::ok) {
                println!("{line}");
                if let Some(rest) = line.strip_prefix("test result: ") {
                    let count = |word: &str| {
                        rest.split(';')
                            .find_map(|p| p.trim().strip_suffix(word))
                            .and_then(|n| n.trim().split(' ').next_back()?.parse::<usize>().ok())
                    };
                    self.passed += count(" passed").unwrap_or(0);
                    self.failed += count(" failed").unwrap_or(0);
                    self.ignored += count(" ignored").unwrap_or(0);
                }
            }
        }
        let status = child.wait().map_err(|e| e.to_string())?;
        if status.success() { Ok(()) } else { Err(format!("cargo {} failed", args.join(" "))) }
    }
}

pub fn test() -> Result {
    setup::toolchain(Needs { browser: true, binaryen: false })?;
    setup::data()?;
    setup::axe_core()?;
    run(cargo().args(["fmt", "--all", "--check"]))?;
    crate::page_graph::page_has_no_burn()?;
    // Clippy runs inside the two builds the tests need anyway (the wasm build and the native
    // test build) as cargo's workspace wrapper, instead of in two `cargo clippy` passes of
    // their own: those compiled burn twice more (native and wasm32 check builds), a quarter of
    // a cold run. The wrapper applies to this workspace's crates only, so dependencies are
    // built once, exactly as without it.
    let clippy = setup::clippy_driver()?;
    // The browser tests need dist/, so the app is built first.
    build_app_for_tests(&clippy)?;
    // One `cargo test` for native and browser tests: selecting a different set of packages
    // (say `-p e2e` after `--exclude e2e`) unifies features differently, and cargo would build
    // all of burn a second time. One test at a time: two cores cannot run two Chromiums and a
    // wasm decode loop fairly, and the native tests take seconds either way.
    let mut tally = Tally::default();
    let tests = tally.cargo_test(
        &["test", "--workspace", "--all-targets", "--no-fail-fast", "--", "--test-threads=1"],
        &clippy,
    );
    println!();
    println!("xtask test summary: native and browser tests {}", if tests.is_ok() { "ok" } else { "FAILED" });
    println!("{} passed, {} failed, {} skipped", tally.passed, tally.failed, tally.ignored);
    tests
}

/// Measurements in the real browser: never a timed test, always on demand.
pub fn bench() -> Result {
    setup::toolchain(Needs { browser: true, binaryen: true })?;
    setup::apt_install(&["fonts-dejavu-core"], "the benchmark chart's labels are drawn with DejaVu Sans")?;
    build_app()?;
    crate::size_profile::write()?;
    // The pages run the test build (no wasm-opt, so a bench is minutes, not ten); the sizes are
    // also taken of what `serve` ships: the page through wasm-opt -Oz (cached by hash), the workers as built.
    let served = paths::target_dir().join("served-wasm");
    std::fs::create_dir_all(&served).map_err(|e| e.to_string())?;
    for module in ["page_bg.wasm", "worker_bg.wasm", "worker_relaxed_bg.wasm", "worker_gpu_bg.wasm"] {
        std::fs::copy(root().join("dist").join(module), served.join(module)).map_err(|e| e.to_string())?;
    }
    optimise_wasm(&served)?;
    // The peer: each decoder as ONNX (our MLP and conv ones, the imported VanillaVAE), run by
    // onnxruntime-web in the same page.
    let ort = setup::onnxruntime_web()?;
    let onnx = root().join(".tools/onnx");
    std::fs::create_dir_all(&onnx).map_err(|e| e.to_string())?;
    for (model, source) in [
        ("mnist-vae", "mnist-vae".to_string()),
        ("faces-vae", "faces-vae".to_string()),
        ("vanilla-vae-torch", root().join("tests/fixtures/torch/vanilla-vae").to_string_lossy().to_string()),
    ] {
        let to = onnx.join(format!("{model}.onnx"));
        run(cargo().args(["run", "-p", "train", "--", "onnx", &source, "--to"]).arg(&to))?;
    }
    // Dev profile: its dependencies are optimised (Cargo.toml) and it reuses the test build.
    run(cargo()
        .args(["run", "-p", "e2e", "--bin", "bench"])
        .env("LATENT_LAB_ONNX", &onnx)
        .env("LATENT_LAB_ORT", &ort)
        .env("LATENT_LAB_SERVED_WASM", &served))?;
    // 10,000 decodes and 50 model switches in one page: memory and errors over a long session.
    run(cargo().args(["run", "-p", "e2e", "--bin", "soak"]))?;
    // A new visitor's first image: the served build (wasm-opt, precompressed) in a cold browser.
    dist(&[])?;
    run(cargo().args(["run", "-p", "e2e", "--bin", "first_visit"]))?;
    training_against_torch()
}

/// The exporter against its committed fixtures: installs torch (as the benchmark does), then
/// `tools/reference_fixtures.py --check` loads each reference model's committed weights, runs
/// `tools/export_torch.py` on it again and fails unless graph.json, the weights and PyTorch's
/// outputs come out as committed (and the tiny fixture is remade as committed). Not part of
/// `test`: torch is a few GB.
pub fn check_exporter() -> Result {
    setup::data()?;
    let python = setup::torch_python()?;
    // The benchmark's venv has torch and numpy; the exporter also reads and writes safetensors
    // and the labelled examples are PNGs.
    let py = python.to_str().unwrap_or_default();
    if setup::output(py, &["-c", "import safetensors, PIL"]).is_none() {
        say(
            "installing safetensors and pillow into .tools/torch-venv: the exporter writes safetensors and reads PNGs",
        );
        run(Command::new(&python).args(["-m", "pip", "install", "--quiet", "safetensors", "pillow"]))?;
    }
    // The renders the labelled examples come from.
    run(cargo().args(["build", "--release", "-p", "train"]))?;
    run(Command::new(&python).arg(root().join("tools/reference_fixtures.py")).arg("--check"))
}

/// Our trainer and PyTorch, taking turns in one run, on the same architectures, batch sizes,
/// step counts and thread count; writes bench/TRAINING-TORCH.md.
pub fn training_against_torch() -> Result {
    // 200, not 40: forty MLP steps are half a second, and runs of them spread from 9.8k to 14k
    // samples/s on this machine; at 200 two runs were within 11%.
    const STEPS: &str = "200";
    // Turns, each side once per turn: this machine's speed drifts between minutes (PyTorch's
    // MLP alone gave 10.8k, 16.1k and 15.8k samples/s in three runs of one afternoon, and one
    // run of three turns had ratios of 1.20, 1.44 and 0.82), so one pass of each side could
    // compare a fast minute with a slow one; five turns and the medians.
    const TURNS: usize = 5;
    setup::data()?;
    let python = setup::torch_python()?;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).to_string();
    run(cargo().args(["build", "--release", "-p", "train"]))?;
    let trainer = paths::target_dir().join("release").join(if cfg!(windows) { "train.exe" } else { "train" });
    let wheel = root().join(".data").join(setup::MNIST_WHEEL);
    // PyTorch's script names the MLP "mnist-vae"; ours is the preset with the same loss.
    let models = [("mnist-vae-classic", "mnist-vae", 128), ("faces-vae", "faces-vae", 64)];
    let mut ours: Vec<Vec<f64>> = vec![Vec::new(); models.len()];
    let mut theirs: Vec<Vec<f64>> = vec![Vec::new(); models.len()];
    let mut torch_version = String::new();
    for turn in 1..=TURNS {
        say(&format!("training against PyTorch: turn {turn} of {TURNS}"));
        let out = Command::new(&trainer)
            .args(["backends", "--steps", STEPS])
            .current_dir(root())
            .output()
            .map_err(|e| format!("cannot run the trainer: {e}"))?;
        let out = String::from_utf8_lossy(&out.stdout).into_owned();
        let out_of = |model: &str| -> Option<f64> {
            out.lines()
                .find(|l| l.starts_with(&format!("| {model} | flex |")))
                .and_then(|l| l.split('|').nth(4))
                .and_then(|v| v.trim().parse().ok())
        };
        let torch = Command::new(&python)
            .arg(root().join("tests/bench/torch_train.py"))
            .arg(&wheel)
            .args([threads.as_str(), STEPS])
            .output()
            .map_err(|e| format!("cannot run PyTorch: {e}"))?;
        let torch: serde_json::Value = serde_json::from_slice(&torch.stdout).map_err(|e| {
            format!("PyTorch printed no result ({e}): {}", String::from_utf8_lossy(&torch.stderr))
        })?;
        torch_version = torch["torch"].as_str().unwrap_or("?").to_string();
        for (i, (model, theirs_as, _)) in models.iter().enumerate() {
            ours[i].push(out_of(model).ok_or(format!("the trainer printed no figure for {model}: {out}"))?);
            theirs[i]
                .push(torch[theirs_as].as_f64().ok_or(format!("PyTorch printed no figure for {model}"))?);
        }
    }
    let commit = setup::output("git", &["rev-parse", "--short", "HEAD"]).unwrap_or_default();
    let mut md = format!(
        "# Training throughput: our trainer (burn 0.22.1, flex) against PyTorch {torch_version} on the CPU\n\n\
         Taken by `cargo xtask bench` on commit `{}`, {threads} cores, x86_64, in one run of {TURNS} turns, each \
         turn `train backends --steps {STEPS}` (release build) and then `tests/bench/torch_train.py` with \
         `torch.set_num_threads({threads})`. Same architectures, β-ELBO, Adam 1e-3 and batch sizes; 3 warm-up \
         steps, then {STEPS} timed steps. MNIST batches for the MLP on both sides; our conv model trains on \
         rendered faces, PyTorch's on noise of the same shape. The table gives each side's median over the \
         turns and their ratio; the last column, each turn's own ratio, shows how far this machine's speed \
         moved between minutes.\n\n\
         | model | batch | ours (samples/s) | PyTorch (samples/s) | ratio ours / PyTorch | ratio in each turn |\n\
         |---|---|---|---|---|---|\n",
        commit.trim()
    );
    let median = |v: &[f64]| {
        let mut v = v.to_vec();
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    for (i, (model, _, batch)) in models.iter().enumerate() {
        let (a, b) = (median(&ours[i]), median(&theirs[i]));
        let turns: Vec<String> =
            ours[i].iter().zip(&theirs[i]).map(|(a, b)| format!("{:.2}", a / b)).collect();
        md += &format!("| {model} | {batch} | {a:.0} | {b:.0} | {:.2} | {} |\n", a / b, turns.join(", "));
    }
    std::fs::write(root().join("bench/TRAINING-TORCH.md"), &md)
        .map_err(|e| format!("cannot write bench/: {e}"))?;
    say(&md);
    Ok(())
}

pub fn train(args: &[String]) -> Result {
    let name = args
        .first()
        .ok_or("usage: cargo xtask train <model>|all  (`cargo run -p train -- list` names them)")?;
    setup::data()?;
    let names: Vec<String> = if name == "all" {
        [
            "mnist-vae",
            "mnist-vae-classic",
            "mnist-ae",
            "mnist-dae",
            "mnist-sae",
            "mnist-stacked",
            "mnist-vae-beta4",
            "mnist-vae-2d",
            "fashion-vae",
            "faces-vae",
            "melody-vae",
            "melody-ae",
        ]
        .map(String::from)
        .to_vec()
    } else {
        vec![name.clone()]
    };
    for n in names {
        // Release: dependencies are optimised in dev too, but the trainer's own code (face
        // rendering, batching, evaluation) is not.
        let train = || {
            let mut c = cargo();
            c.args(["run", "--release", "-p", "train", "--"]);
            c
        };
        if n.starts_with("melody-") {
            // A sequence model: trained, then measured and bundled from its weights.
            run(train().args(["melody", &n]).args(&args[1..]))?;
            run(train().args(["melody-bundle", &n]))?;
        } else {
            run(train().args(["train", &n]).args(&args[1..]))?;
        }
    }
    Ok(())
}
