//! Soak (run by `cargo xtask bench`, never as a test): 10,000 decodes driven by slider moves,
//! then 50 model switches, in one page per backend (CPU and WebGPU). Records the worker's and
//! the page's wasm memory, the GPU allocator's buffers and the JS heap along the way, and every
//! error. Writes `bench/soak.json` and
//! `bench/SOAK.md`.

use e2e::{Mode, Page};
use serde_json::json;
use std::time::{Duration, Instant};

const DECODES: usize = 10_000;
const SWITCHES: usize = 50;
/// Where memory is read during the decodes.
const CHECKPOINTS: [usize; 5] = [100, 1_000, 2_500, 5_000, 10_000];

/// Installed once, so every checkpoint runs the same compiled code: a fresh script per
/// checkpoint would itself be heap that grows (the inspector keeps every script it saw).
/// `next(n)`: n decodes, each a random slider set to a random value (a fixed seed) and waited
/// for until drawn. `memory()`: both wasm memories, the GPU allocator's bytes and the page's JS
/// heap, read after three rounds of gc() with a pause between them, so that finalizers
/// (wasm-bindgen frees Rust objects from a FinalizationRegistry) have run; the lowest heap of
/// the three rounds is the reading.
const INSTALL: &str = "(() => { let seed = 7; window.__soak = {
    next: async n => {
        const canvas = document.querySelector('[data-testid=decoded]');
        const sliders = Array.from(document.querySelectorAll('[data-testid=latent-slider]'));
        const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
        const drawnAfter = prev => new Promise(done => {
            const o = new MutationObserver(() => { if (Number(canvas.dataset.drawn) > prev) { o.disconnect(); done(); } });
            o.observe(canvas, { attributes: true, attributeFilter: ['data-drawn'] });
        });
        for (let i = 0; i < n; i++) {
            const wait = drawnAfter(Number(canvas.dataset.drawn));
            const s = sliders[Math.floor(rand() * sliders.length)];
            let v = (rand() * 6 - 3).toFixed(2);
            if (v === s.value) v = (Number(v) > 0 ? Number(v) - 0.5 : Number(v) + 0.5).toFixed(2);
            s.value = v;
            s.dispatchEvent(new Event('input', { bubbles: true }));
            await wait;
        }
    },
    memory: async () => {
        let heap = Infinity;
        for (let round = 0; round < 3; round++) {
            window.gc?.();
            await new Promise(r => setTimeout(r, 200));
            heap = Math.min(heap, performance.memory?.usedJSHeapSize ?? NaN);
        }
        const a = document.querySelector('[data-testid=app]');
        return { worker: Number(a.dataset.workerMemory), page: Number(a.dataset.pageMemory),
                 gpu: Number(a.dataset.gpuMemory), heap };
    },
}; })()";

/// One soak on one backend: its memory readings, timings and errors.
fn soak(mode: Mode, backend: &str) -> serde_json::Value {
    let page = Page::open_with(
        &format!("soak-{backend}"),
        mode,
        &format!("?backend={backend}#m=mnist-vae"),
        &["--enable-precise-memory-info", "--js-flags=--expose-gc"],
    );
    page.wait_ready();
    page.wait_settled();
    let got = page.text("backend").unwrap_or_default();
    page.eval(INSTALL);
    let started = Instant::now();
    let mut done = 0;
    let mut memory = Vec::new();
    for &at in &CHECKPOINTS {
        page.eval(&format!("__soak.next({})", at - done));
        done = at;
        page.wait_settled();
        let m = page.eval("__soak.memory()");
        println!("{backend}: after {at} decodes: {m}");
        memory.push(json!({ "decodes": at, "memory": m }));
    }
    let decode_seconds = started.elapsed().as_secs_f64();
    let models = ["mnist-vae-2d", "fashion-vae", "mnist-vae-beta4", "mnist-ae", "mnist-vae"];
    let mut failed_switches = Vec::new();
    let switch_start = Instant::now();
    for i in 0..SWITCHES {
        let model = models[i % models.len()];
        page.eval(&format!("(() => {{ const s = document.querySelector('[data-testid=model-picker]'); s.value = '{model}'; s.dispatchEvent(new Event('change', {{ bubbles: true }})); }})()"));
        page.wait_for(
            &format!("switch {i} to {model}"),
            &format!(
                "location.hash.includes('m={model}&') && !document.querySelector('[data-testid=loading]')"
            ),
            Duration::from_secs(120),
        );
        page.wait_settled();
        if let Some(n) = page.text("notice") {
            failed_switches.push(format!("{model}: {n}"));
        }
    }
    let switch_seconds = switch_start.elapsed().as_secs_f64();
    // One more decode on the model the run started with, so the worker reports its memory.
    page.set_slider(0, 0.5);
    page.wait_settled();
    let after_switches = page.eval("__soak.memory()");
    println!("{backend}: after {SWITCHES} switches: {after_switches}");
    let errors = page.errors();
    let browser = page.eval("navigator.userAgent").as_str().unwrap_or_default().to_string();
    page.finish();
    let at = |i: usize, k: &str| memory[i]["memory"][k].as_f64().unwrap_or(f64::NAN);
    let last = CHECKPOINTS.len() - 1;
    // From `from` (an index into CHECKPOINTS) to the end; 0 when both readings are 0 (no GPU).
    let growth = |from: usize, k: &str| {
        let (a, b) = (at(from, k), at(last, k));
        if a == 0.0 && b == 0.0 { 0.0 } else { (b - a) / a * 100.0 }
    };
    let growth_from = |from: usize| {
        json!({ "worker_wasm": growth(from, "worker"), "page_wasm": growth(from, "page"),
                "gpu_buffers": growth(from, "gpu"), "js_heap": growth(from, "heap") })
    };
    json!({
        "backend": got, "browser": browser, "decodes": DECODES, "switches": SWITCHES,
        "decode_seconds": decode_seconds, "switch_seconds": switch_seconds,
        "memory": memory, "after_switches": after_switches,
        "growth_percent_100_to_10000": growth_from(0),
        "growth_percent_1000_to_10000": growth_from(1),
        "console_errors": errors, "switch_notices": failed_switches,
    })
}

fn main() {
    // `soak cpu` or `soak webgpu` runs one; no argument runs both.
    let only = std::env::args().nth(1);
    let mut runs = Vec::new();
    for (mode, backend) in [(Mode::Cpu, "cpu"), (Mode::WebGpu, "webgpu")] {
        if only.as_deref().is_none_or(|o| o == backend) {
            runs.push(soak(mode, backend));
        }
    }
    let commit = std::process::Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    let how = "one headless Chromium page per backend (CPU: burn flex in the worker; WebGPU: the SwiftShader software adapter, --enable-unsafe-webgpu), release build without wasm-opt; each decode is a random slider set to a random value, waited for until drawn. Wasm memories are the modules' memory sizes; GPU buffers are what burn's allocator holds on the device (reserved bytes, from Device::memory_pool_usage); the JS heap is usedJSHeapSize, the lowest of three readings each after gc() and a 200 ms pause (--js-flags=--expose-gc, --enable-precise-memory-info).";
    let browser =
        runs.first().map(|r| r["browser"].as_str().unwrap_or_default().to_string()).unwrap_or_default();
    let results = json!({ "commit": commit, "browser": browser, "how": how, "runs": runs });
    let dir = e2e::workspace().join("bench");
    let _ = std::fs::write(dir.join("soak.json"), serde_json::to_string_pretty(&results).unwrap_or_default());
    let mb = |v: f64| v / 1_048_576.0;
    let mut md = format!("# Soak\n\nCommit `{commit}`, {browser}. {how}\n");
    for r in &runs {
        let m = |i: usize, k: &str| r["memory"][i]["memory"][k].as_f64().unwrap_or(f64::NAN);
        md += &format!(
            "\n## {}\n\n{DECODES} decodes took {:.0} s; then {SWITCHES} model switches took {:.0} s.\n\n| after | worker wasm (MB) | page wasm (MB) | GPU buffers (MB) | JS heap (MB) |\n|---|---|---|---|---|\n",
            r["backend"].as_str().unwrap_or_default(),
            r["decode_seconds"].as_f64().unwrap_or(f64::NAN),
            r["switch_seconds"].as_f64().unwrap_or(f64::NAN),
        );
        for (i, c) in CHECKPOINTS.iter().enumerate() {
            md += &format!(
                "| {c} decodes | {:.2} | {:.2} | {:.2} | {:.3} |\n",
                mb(m(i, "worker")),
                mb(m(i, "page")),
                mb(m(i, "gpu")),
                mb(m(i, "heap"))
            );
        }
        let f = |k: &str| r["after_switches"][k].as_f64().unwrap_or(f64::NAN);
        md += &format!(
            "| {SWITCHES} switches later | {:.2} | {:.2} | {:.2} | {:.3} |\n\n",
            mb(f("worker")),
            mb(f("page")),
            mb(f("gpu")),
            mb(f("heap"))
        );
        for (span, key) in [("100", "growth_percent_100_to_10000"), ("1000", "growth_percent_1000_to_10000")]
        {
            let g = |k: &str| r[key][k].as_f64().unwrap_or(f64::NAN);
            md += &format!(
                "Growth from {span} to {DECODES} decodes: worker wasm {:+.2}%, page wasm {:+.2}%, GPU buffers {:+.2}%, JS heap {:+.2}%.\n",
                g("worker_wasm"),
                g("page_wasm"),
                g("gpu_buffers"),
                g("js_heap")
            );
        }
        md += &format!(
            "Console errors: {}. Notices during switches: {}.\n",
            r["console_errors"].as_array().map_or(0, Vec::len),
            r["switch_notices"].as_array().map_or(0, Vec::len)
        );
    }
    let _ = std::fs::write(dir.join("SOAK.md"), md);
    println!("wrote bench/soak.json and bench/SOAK.md");
}
