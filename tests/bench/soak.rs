//! Soak (run by `cargo xtask bench`, never as a test): 10,000 decodes driven by slider moves,
//! then 50 model switches, in one page on the CPU path. Records the worker's and the page's
//! wasm memory and the JS heap along the way, and every error. Writes `bench/soak.json` and
//! `bench/SOAK.md`.

use e2e::{Mode, Page};
use serde_json::json;
use std::time::{Duration, Instant};

const DECODES: usize = 10_000;
const SWITCHES: usize = 50;
/// Where memory is read during the decodes.
const CHECKPOINTS: [usize; 5] = [100, 1_000, 2_500, 5_000, 10_000];

/// Memory as the page sees it: both wasm memories (bytes) and the page's JS heap.
const MEMORY: &str = "(() => { window.gc?.(); const a = document.querySelector('[data-testid=app]');
    return { worker: Number(a.dataset.workerMemory), page: Number(a.dataset.pageMemory), heap: performance.memory?.usedJSHeapSize ?? null }; })()";

/// `__N__` decodes, each waited for: a random slider to a random value (a fixed seed).
const DECODE_LOOP: &str = "(async () => {
    const canvas = document.querySelector('[data-testid=decoded]');
    const sliders = Array.from(document.querySelectorAll('[data-testid=latent-slider]'));
    let seed = __SEED__;
    const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const drawnAfter = prev => new Promise(done => {
        const o = new MutationObserver(() => { if (Number(canvas.dataset.drawn) > prev) { o.disconnect(); done(); } });
        o.observe(canvas, { attributes: true, attributeFilter: ['data-drawn'] });
    });
    for (let i = 0; i < __N__; i++) {
        const wait = drawnAfter(Number(canvas.dataset.drawn));
        const s = sliders[Math.floor(rand() * sliders.length)];
        let v = (rand() * 6 - 3).toFixed(2);
        if (v === s.value) v = (Number(v) > 0 ? Number(v) - 0.5 : Number(v) + 0.5).toFixed(2);
        s.value = v;
        s.dispatchEvent(new Event('input', { bubbles: true }));
        await wait;
    }
})()";

fn main() {
    let page = Page::open_with(
        "soak",
        Mode::Cpu,
        "?backend=cpu#m=mnist-vae",
        &["--enable-precise-memory-info", "--js-flags=--expose-gc"],
    );
    page.wait_ready();
    page.wait_settled();
    let started = Instant::now();
    let mut done = 0;
    let mut memory = Vec::new();
    for (k, &at) in CHECKPOINTS.iter().enumerate() {
        page.eval(
            &DECODE_LOOP.replace("__N__", &(at - done).to_string()).replace("__SEED__", &(7 + k).to_string()),
        );
        done = at;
        page.wait_settled();
        let m = page.eval(MEMORY);
        println!("after {at} decodes: {m}");
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
    let after_switches = page.eval(MEMORY);
    println!("after {SWITCHES} switches: {after_switches}");
    let errors = page.errors();
    let browser = page.eval("navigator.userAgent").as_str().unwrap_or_default().to_string();
    page.finish();

    let at = |i: usize, k: &str| memory[i]["memory"][k].as_f64().unwrap_or(f64::NAN);
    let last = CHECKPOINTS.len() - 1;
    let growth = |k: &str| (at(last, k) - at(0, k)) / at(0, k) * 100.0;
    let commit = std::process::Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    let results = json!({
        "commit": commit, "browser": browser, "decodes": DECODES, "switches": SWITCHES,
        "decode_seconds": decode_seconds, "switch_seconds": switch_seconds,
        "memory": memory, "after_switches": after_switches,
        "growth_percent_100_to_10000": { "worker_wasm": growth("worker"), "page_wasm": growth("page"), "js_heap": growth("heap") },
        "console_errors": errors, "switch_notices": failed_switches,
        "how": "one headless Chromium page, CPU backend (burn flex in the worker), release build without wasm-opt; each decode is a random slider set to a random value, waited for until drawn; heap read after gc() (--js-flags=--expose-gc, --enable-precise-memory-info)"
    });
    let dir = e2e::workspace().join("bench");
    let _ = std::fs::write(dir.join("soak.json"), serde_json::to_string_pretty(&results).unwrap_or_default());
    let mb = |v: f64| v / 1_048_576.0;
    let mut md = format!(
        "# Soak\n\nCommit `{commit}`, {browser}. {}\n\n{DECODES} decodes took {decode_seconds:.0} s; then {SWITCHES} model switches took {switch_seconds:.0} s.\n\n| after | worker wasm (MB) | page wasm (MB) | JS heap (MB) |\n|---|---|---|---|\n",
        results["how"].as_str().unwrap_or_default()
    );
    for (i, c) in CHECKPOINTS.iter().enumerate() {
        md += &format!(
            "| {c} decodes | {:.2} | {:.2} | {:.2} |\n",
            mb(at(i, "worker")),
            mb(at(i, "page")),
            mb(at(i, "heap"))
        );
    }
    let f = |k: &str| after_switches[k].as_f64().unwrap_or(f64::NAN);
    md += &format!(
        "| {SWITCHES} switches later | {:.2} | {:.2} | {:.2} |\n\nGrowth from 100 to {DECODES} decodes: worker wasm {:+.2}%, page wasm {:+.2}%, JS heap {:+.2}%. Console errors: {}. Notices during switches: {}.\n",
        mb(f("worker")),
        mb(f("page")),
        mb(f("heap")),
        growth("worker"),
        growth("page"),
        growth("heap"),
        errors.len(),
        failed_switches.len()
    );
    let _ = std::fs::write(dir.join("SOAK.md"), md);
    println!("wrote bench/soak.json and bench/SOAK.md");
}
