//! In-browser measurements of the app (run by `cargo xtask bench`, never as a test): decode
//! latency per backend and model, batch-64 and encode round trips, frame times during a scripted
//! 300-step slider drag, and onnxruntime-web on the same weights in the same page (`peer.rs`).
//! Writes `bench/results.json`, `bench/RESULTS.md` and the chart `bench/results.png`
//! (`bench chart` redraws the chart from the committed results alone).

mod chart;
mod peer;
mod report;

use e2e::{Mode, Page};
use serde_json::{Value, json};

const DECODES: usize = 200;
const DRAG_STEPS: usize = 300;

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn stats(mut v: Vec<f64>) -> Value {
    v.sort_by(f64::total_cmp);
    json!({ "n": v.len(), "p50": percentile(&v, 0.5), "p95": percentile(&v, 0.95), "max": v.last().copied().unwrap_or(f64::NAN) })
}

fn numbers(v: &Value) -> Vec<f64> {
    v.as_array().map(|a| a.iter().filter_map(Value::as_f64).collect()).unwrap_or_default()
}

/// Raw and gzip sizes of what a visitor downloads: the two wasm modules (as built for the tests,
/// and as `serve` ships them after wasm-opt when `LATENT_LAB_SERVED_WASM` names that folder) and
/// each model's weights.
fn sizes() -> Value {
    use std::io::Write;
    let root = e2e::workspace();
    let mut files: Vec<std::path::PathBuf> = [
        "dist/page_bg.wasm",
        "dist/worker_bg.wasm",
        "dist/worker_relaxed_bg.wasm",
        "dist/worker_gpu_bg.wasm",
    ]
    .iter()
    .map(|f| root.join(f))
    .collect();
    if let Some(served) = std::env::var_os("LATENT_LAB_SERVED_WASM").map(std::path::PathBuf::from) {
        files.extend(
            ["page_bg.wasm", "worker_bg.wasm", "worker_relaxed_bg.wasm", "worker_gpu_bg.wasm"]
                .iter()
                .map(|f| served.join(f)),
        );
    }
    for model in ["mnist-vae", "faces-vae"] {
        let manifest = e2e::native::manifest(model);
        let (decoder, encoder) = manifest.weight_files();
        files.extend(
            std::iter::once(decoder).chain(encoder).map(|f| root.join("web/models").join(model).join(f)),
        );
    }
    let rows: Vec<Value> = files
        .iter()
        .filter_map(|path| {
            let bytes = std::fs::read(path).ok()?;
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
            gz.write_all(&bytes).ok()?;
            let gzip = gz.finish().ok()?.len();
            let file = path.strip_prefix(&root).unwrap_or(path).display().to_string();
            Some(json!({ "file": file, "raw": bytes.len(), "gzip": gzip }))
        })
        .collect();
    Value::Array(rows)
}

/// onnxruntime-web beside our worker: the execution provider that matches the backend, its
/// outputs against ours and against native burn, and the p50 ratio (ours / theirs).
/// onnxruntime-web on `file` (the same decoder's ONNX) against our worker. `bundle`: the model is
/// one of ours, so native burn's decode is a third reference (an imported model has only ours).
fn side_by_side(
    page: &Page,
    ours: &Value,
    seq: &Value,
    bundle: Option<&str>,
    backend: &str,
    dim: usize,
    file: &str,
) -> Value {
    let ep = if backend == "webgpu" { "webgpu" } else { "wasm" };
    let theirs = peer::theirs(page, ep, dim, file);
    if theirs["error"].is_string() {
        return json!({ "ep": ep, "error": theirs["error"] });
    }
    let their_out = peer::floats(&theirs["outputs"]);
    let native: Option<Vec<Vec<f32>>> = bundle
        .map(|model| peer::check_codes(dim).iter().map(|z| e2e::native::decode_values(model, z)).collect());
    let our_bytes: Vec<Vec<f32>> =
        peer::floats(&ours["images"]).iter().map(|im| im.iter().map(|b| b / 255.0).collect()).collect();
    let mut their_single = numbers(&theirs["single"]);
    their_single.sort_by(f64::total_cmp);
    // Like for like: our single decodes timed back to back as theirs are (`peer::ours`); the
    // slider loop's decode times (`seq`), with page work between decodes, are the first table's.
    let mut our_single = numbers(&ours["single"]);
    if our_single.is_empty() {
        our_single = numbers(&seq["worker"]);
    }
    our_single.sort_by(f64::total_cmp);
    let mut their_batch = numbers(&theirs["batched"]);
    their_batch.sort_by(f64::total_cmp);
    let mut our_batch = numbers(&ours["batched"]);
    our_batch.sort_by(f64::total_cmp);
    // Like for like at 64 too: the worker's own clock around the batch (pixels included) against
    // their `session.run`; the round trip, which adds the transfer both ways, is kept beside it.
    let mut our_batch_worker = numbers(&ours["batchedWorker"]);
    our_batch_worker.sort_by(f64::total_cmp);
    json!({
        "ep": ep,
        "session_create_ms": theirs["loadMs"],
        "decode_ms": stats(their_single.clone()),
        "batch64_ms": stats(numbers(&theirs["batched"])),
        "max_abs_diff_vs_native_burn": native.map(|n| peer::max_abs_diff(&their_out, &n)),
        "max_abs_diff_vs_our_browser_bytes": peer::max_abs_diff(&their_out, &our_bytes),
        "ours_back_to_back_ms": stats(our_single.clone()),
        "ratio_ours_over_theirs_p50": percentile(&our_single, 0.5) / percentile(&their_single, 0.5),
        "ours_batch64_worker_ms": stats(our_batch_worker.clone()),
        "ratio_batch64_ours_over_theirs_p50": percentile(&our_batch_worker, 0.5) / percentile(&their_batch, 0.5),
        "ratio_batch64_round_trip_over_theirs_p50": percentile(&our_batch, 0.5) / percentile(&their_batch, 0.5),
        "cross_origin_isolated": theirs["isolated"],
    })
}

fn draw_chart(results: &Value) {
    let path = e2e::workspace().join("bench/results.png");
    match chart::write(results, &path) {
        Ok(()) => println!("wrote {}", path.display()),
        Err(e) => eprintln!("chart: {e}"),
    }
}

/// The decodes, the drag and our round trips on the model the page shows; `versus` adds the
/// peer's run when there is one for this model.
fn measure(
    page: &Page,
    model: &str,
    cold_start_ms: Option<f64>,
    latent_dim: usize,
    image_len: usize,
    versus: impl Fn(&Page, &Value, &Value, &str) -> Option<Value>,
) -> Value {
    let got = page.text("backend").unwrap_or_default();
    let seq = page.eval(&e2e::scripts::SEQUENTIAL.replace("__N__", &DECODES.to_string()));
    let frames = numbers(&page.eval(&e2e::scripts::DRAG.replace("__N__", &DRAG_STEPS.to_string())));
    page.wait_settled();
    // rAF intervals are multiples of the 16.7 ms vsync: a longer one is a dropped frame.
    let missed = frames.iter().filter(|f| **f > 16.7 * 1.5).count();
    let slowed = (got == "cpu").then(|| slowed_down(page));
    let ours = peer::ours(page, latent_dim, image_len);
    let versus = versus(page, &ours, &seq, &got);
    let layers = if got == "cpu" { layer_profile(page) } else { None };
    json!({
        "model": model,
        "backend": got,
        "cold_start_ms": cold_start_ms,
        "drag_frames_missed": missed,
        "worker_decode_ms": stats(numbers(&seq["worker"])),
        "input_to_pixels_ms": stats(numbers(&seq["total"])),
        "drag_frame_ms": stats(frames),
        "batch64_round_trip_ms": stats(numbers(&ours["batched"])),
        "encode_round_trip_ms": stats(numbers(&ours["encode"])),
        "cross_origin_isolated": ours["isolated"],
        "ours_error": ours["error"],
        "onnxruntime_web": versus,
        "layers": layers,
        "cpu_slowed_4x": slowed,
    })
}

/// Runs of sequential moves with the CPU slowed, pooled: one run's p95 is its fifth-slowest
/// move, and this machine's speed under the throttle swings two- to four-fold between minutes
/// (bench/OPTIMISATION.md), so three runs' moves are pooled and each run's p95 is kept beside.
const SLOWED_RUNS: usize = 3;

/// The same slider moves with Chromium slowing the page's CPU 4× (CDP
/// `Emulation.setCPUThrottlingRate`), as on a slow laptop in a lecture hall: input to pixels and
/// the drag's missed frames.
fn slowed_down(page: &Page) -> Value {
    use headless_chrome::protocol::cdp::Emulation::SetCPUThrottlingRate;
    if page.tab.call_method(SetCPUThrottlingRate { rate: 4.0 }).is_err() {
        return Value::Null;
    }
    let (mut moves, mut p95s) = (Vec::new(), Vec::new());
    for _ in 0..SLOWED_RUNS {
        let seq = page.eval(&e2e::scripts::SEQUENTIAL.replace("__N__", &(DECODES / 2).to_string()));
        let mut run = numbers(&seq["total"]);
        run.sort_by(f64::total_cmp);
        p95s.push(percentile(&run, 0.95));
        moves.extend(run);
    }
    let frames = numbers(&page.eval(&e2e::scripts::DRAG.replace("__N__", &DRAG_STEPS.to_string())));
    // Everything measured after this must run at full speed.
    page.tab.call_method(SetCPUThrottlingRate { rate: 1.0 }).expect("end the CPU slow-down");
    page.wait_settled();
    json!({
        "input_to_pixels_ms": stats(moves),
        "input_to_pixels_p95_per_run_ms": p95s,
        "drag_frame_ms": stats(frames.clone()),
        "drag_frames_missed": frames.iter().filter(|f| **f > 16.7 * 1.5).count(),
    })
}

/// The page's own layer timings (the model card's "Time each layer", measured by the worker on
/// the CPU): each decoder layer's mean ms for one code and for 64. `None` for a model without
/// layers to show (our MLPs).
fn layer_profile(page: &Page) -> Option<Value> {
    let present = page.eval("!!document.querySelector('[data-testid=profile-layers]')");
    if present != Value::Bool(true) {
        return None;
    }
    page.eval("document.querySelector('[data-testid=profile-layers]').click()");
    page.wait_for(
        "the layer timings",
        "!!document.querySelector('[data-testid=layer-profile]')",
        std::time::Duration::from_secs(300),
    );
    Some(page.eval(
        "Array.from(document.querySelectorAll('[data-testid=layer-profile] tbody tr')).map(r => {
            const c = r.querySelectorAll('td'); return { layer: c[0].textContent, op: c[1].textContent,
                ms_one: Number(c[2].textContent), ms_batch: Number(c[3].textContent) }; })",
    ))
}

/// The heavy case: AntixK PyTorch-VAE's VanillaVAE (64×64×3, 128-D, a 1.8M-parameter decoder),
/// exported by `tools/export_torch.py` (tests/fixtures/torch/vanilla-vae) and opened through the
/// page's own import, then measured like our bundles. CPU only: on SwiftShader it would take
/// minutes and say nothing about a real GPU.
fn heavy_imported(
    site: &std::path::Path,
    mode: Mode,
    backend: &str,
    onnx_peer: Option<&peer::Peer>,
) -> Option<Value> {
    let fixture = e2e::workspace().join("tests/fixtures/torch/vanilla-vae");
    if backend != "cpu" || !fixture.is_dir() {
        return None;
    }
    let folder = site.join("fixtures/vanilla-vae");
    let _ = std::fs::create_dir_all(&folder);
    for f in ["graph.json", "weights.safetensors"] {
        std::fs::copy(fixture.join(f), folder.join(f)).ok()?;
    }
    let graph: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture.join("graph.json")).ok()?).ok()?;
    let dim = graph["latent_dim"].as_u64()? as usize;
    let image = &graph["image"];
    let len =
        ["channels", "height", "width"].iter().map(|k| image[*k].as_u64().unwrap_or(0) as usize).product();
    let page = Page::open_site(
        "bench-imported-vanilla-vae-cpu",
        mode,
        site,
        "?hooks=1&backend=cpu#m=mnist-vae",
        &[],
    );
    page.wait_ready();
    page.wait_settled();
    let started = std::time::Instant::now();
    page.import_model("fixtures/vanilla-vae", "vanilla-vae-torch", std::time::Duration::from_secs(300));
    let open_ms = started.elapsed().as_secs_f64() * 1000.0;
    let run =
        measure(&page, "vanilla-vae-torch (imported)", Some(open_ms), dim, len, |page, ours, seq, got| {
            let file = onnx_peer.and_then(|p| p.file("vanilla-vae-torch"))?;
            Some(side_by_side(page, ours, seq, None, got, dim, &file))
        });
    page.finish();
    Some(run)
}

fn main() {
    if std::env::args().nth(1).as_deref() == Some("chart") {
        let path = e2e::workspace().join("bench/results.json");
        let results = std::fs::read_to_string(&path)
            .ok()
            .and_then(|t| serde_json::from_str::<Value>(&t).ok())
            .unwrap_or_else(|| panic!("{} is missing or not JSON: run `cargo xtask bench`", path.display()));
        draw_chart(&results);
        return;
    }
    if std::env::args().nth(1).as_deref() == Some("report") {
        let dir = e2e::workspace().join("bench");
        let results = std::fs::read_to_string(dir.join("results.json"))
            .ok()
            .and_then(|t| serde_json::from_str::<Value>(&t).ok())
            .unwrap_or_else(|| panic!("bench/results.json is missing or not JSON: run `cargo xtask bench`"));
        let _ = std::fs::write(dir.join("RESULTS.md"), report::markdown(&results));
        println!("wrote bench/RESULTS.md");
        return;
    }
    let mut runs = Vec::new();
    let mut browser = String::new();
    let onnx_peer = peer::Peer::from_env();
    if onnx_peer.is_none() {
        eprintln!(
            "no onnxruntime-web peer (LATENT_LAB_ONNX / LATENT_LAB_ORT unset): `cargo xtask bench` sets them"
        );
    }
    let site = peer::site(onnx_peer.as_ref()).expect("copy dist/ and the peer into a temporary site");
    // `LATENT_LAB_BENCH_BACKENDS=cpu` leaves out the (slow, software) WebGPU runs, for quick
    // comparisons of CPU builds; `cargo xtask bench` always runs both.
    let backends = std::env::var("LATENT_LAB_BENCH_BACKENDS").unwrap_or_else(|_| "cpu,webgpu".into());
    for (mode, backend) in [(Mode::Cpu, "cpu"), (Mode::WebGpu, "webgpu")] {
        if !backends.split(',').any(|b| b == backend) {
            continue;
        }
        for model in ["mnist-vae", "faces-vae"] {
            if !e2e::workspace().join("web/models").join(model).is_dir() {
                eprintln!("skipping {model}: no bundle");
                continue;
            }
            let page = Page::open_site(
                &format!("bench-{model}-{backend}"),
                mode,
                &site,
                &format!("?hooks=1&backend={backend}#m={model}"),
                &[],
            );
            page.wait_ready();
            // A fresh profile, so nothing is cached: navigation start to the first decoded pixels.
            let cold_start_ms = page
                .eval("Number(document.querySelector('[data-testid=decoded]')?.dataset.firstDrawnMs)")
                .as_f64();
            // Let the bundled examples finish encoding so they do not share the worker with us.
            let examples = e2e::native::manifest(model).examples.len();
            page.wait_for(
                "the examples",
                &format!("document.querySelectorAll('[data-testid=gallery-item]').length >= {examples}"),
                std::time::Duration::from_secs(120),
            );
            page.wait_settled();
            browser = page.eval("navigator.userAgent").as_str().unwrap_or_default().to_string();
            let manifest = e2e::native::manifest(model);
            let run = measure(
                &page,
                model,
                cold_start_ms,
                manifest.latent_dim,
                manifest.image.len(),
                |page, ours, seq, got| {
                    let file = onnx_peer.as_ref().and_then(|p| p.file(model))?;
                    Some(side_by_side(page, ours, seq, Some(model), got, manifest.latent_dim, &file))
                },
            );
            println!("{run}");
            runs.push(run);
            page.finish();
        }
        if let Some(run) = heavy_imported(&site, mode, backend, onnx_peer.as_ref()) {
            println!("{run}");
            runs.push(run);
        }
    }
    let sizes = sizes();
    let commit = std::process::Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    let machine = format!(
        "{} cores, {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        std::env::consts::ARCH
    );
    let results = json!({ "commit": commit, "browser": browser, "machine": machine, "runs": runs, "sizes": sizes,
        "how": "headless Chromium driven over CDP; WebGPU through --enable-unsafe-webgpu (SwiftShader software adapter), CPU = the worker's compiled decoders (crates/vae/src/cpu_plan.rs) for every batch; release build without wasm-opt" });
    // `LATENT_LAB_BENCH_OUT`: write the results elsewhere (a variant build's run, say).
    let dir = std::env::var_os("LATENT_LAB_BENCH_OUT")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| e2e::workspace().join("bench"));
    let _ = std::fs::create_dir_all(&dir);
    let _ =
        std::fs::write(dir.join("results.json"), serde_json::to_string_pretty(&results).unwrap_or_default());
    let _ = std::fs::write(dir.join("RESULTS.md"), report::markdown(&results));
    println!("wrote bench/results.json and bench/RESULTS.md");
    draw_chart(&results);
}
