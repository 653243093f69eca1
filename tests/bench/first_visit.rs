//! A first visit, as a new student makes it: a fresh Chromium profile (nothing cached), the
//! precompressed `dist/` of `cargo xtask dist` through the devserver (brotli or gzip, as a real
//! host sends it), a link to one model. Measured from navigation to the first decoded pixels:
//! the bytes on the wire (as the server sent them) of every request asked before those pixels,
//! split into page, worker(s), weights and other, and the time, on loopback and through a
//! throttled link (10 Mbit/s shared, 40 ms). Run by `cargo xtask bench`; writes
//! `bench/FIRST-VISIT.md` and `bench/first-visit.json`.

use devserver::Throttle;
use e2e::network::{self, LECTURE_HALL_WIFI};
use e2e::{Mode, Page};
use serde_json::{Value, json};
use std::time::Duration;

const MODELS: [&str; 2] = ["mnist-vae", "faces-vae"];

fn visit(dist: &std::path::Path, model: &str, mode: Mode, throttle: Option<Throttle>) -> Value {
    let link = if throttle.is_some() { "slow" } else { "local" };
    let page = Page::open_throttled(
        &format!("first-visit-{model}-{link}-{mode:?}"),
        mode,
        dist,
        &format!("#m={model}"),
        &[],
        throttle,
    );
    page.wait_for(
        "the first image",
        "Number(document.querySelector('[data-testid=decoded]')?.dataset.firstDrawnMs) > 0",
        Duration::from_secs(180),
    );
    let first_ms = page
        .eval("Number(document.querySelector('[data-testid=decoded]').dataset.firstDrawnMs)")
        .as_f64()
        .unwrap_or(f64::NAN);
    let first_wall = page.eval("performance.timeOrigin").as_f64().unwrap_or(f64::NAN) + first_ms;
    let mut split = serde_json::Map::new();
    let mut files = Vec::new();
    let mut total = 0.0;
    for s in page.served().iter().filter(|s| s.asked_wall_ms <= first_wall) {
        let kind = network::kind(&s.target);
        let bytes = s.bytes as f64;
        let entry = split.entry(kind).or_insert(json!(0.0));
        *entry = json!(entry.as_f64().unwrap_or(0.0) + bytes);
        total += bytes;
        files.push(json!({ "file": s.target, "bytes": bytes }));
    }
    let backend = page.text("backend").unwrap_or_default();
    page.finish();
    json!({ "model": model, "link": link, "mode": format!("{mode:?}"), "backend": backend,
            "first_image_ms": first_ms, "bytes": total, "split": split, "files": files })
}

fn mb(v: &Value) -> String {
    v.as_f64().map_or("–".into(), |b| format!("{:.2}", b / 1e6))
}

pub fn run(dist: &std::path::Path, commit: &str) -> Value {
    let mut visits = Vec::new();
    for model in MODELS {
        for (mode, throttle) in
            [(Mode::Cpu, None), (Mode::Cpu, Some(LECTURE_HALL_WIFI)), (Mode::WebGpu, None)]
        {
            let v = visit(dist, model, mode, throttle);
            println!("{v}");
            visits.push(v);
        }
    }
    let mut md = format!(
        "# First visit: bytes and time to the first image\n\nCommit `{commit}`. A fresh headless Chromium profile per visit (nothing cached), \
         `dist/` as `cargo xtask dist` writes it (wasm-opt, brotli and gzip twins) served by `crates/devserver`, \
         the link `#m=<model>` with no other parameter. Bytes are what the server wrote (headers and body, compressed \
         as sent) for every request, page and workers, asked before the first decoded pixels; time is navigation \
         start to those pixels (`data-first-drawn-ms`). \"slow\" is the devserver's link: {} Mbit/s shared by all \
         responses and {} ms before each (CDP's `Network.emulateNetworkConditions` throttles the page's own requests \
         only, and the worker fetches its module and the weights itself); CPU mode is Chromium without \
         `--enable-unsafe-webgpu` (no adapter, like a phone without WebGPU), WebGPU mode has SwiftShader's adapter.\n\n\
         | model | link | mode | backend | MB on the wire | page | worker | weights | other | first image (ms) |\n|---|---|---|---|---|---|---|---|---|---|\n",
        LECTURE_HALL_WIFI.bytes_per_second * 8.0 / 1e6,
        LECTURE_HALL_WIFI.latency.as_millis()
    );
    for v in &visits {
        md += &format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {:.0} |\n",
            v["model"].as_str().unwrap_or(""),
            v["link"].as_str().unwrap_or(""),
            v["mode"].as_str().unwrap_or(""),
            v["backend"].as_str().unwrap_or(""),
            mb(&v["bytes"]),
            mb(&v["split"]["page"]),
            mb(&v["split"]["worker"]),
            mb(&v["split"]["weights"]),
            mb(&v["split"]["other"]),
            v["first_image_ms"].as_f64().unwrap_or(f64::NAN),
        );
    }
    let dir = e2e::workspace().join("bench");
    let results = json!({ "commit": commit, "visits": visits });
    let _ = std::fs::write(
        dir.join("first-visit.json"),
        serde_json::to_string_pretty(&results).unwrap_or_default(),
    );
    let _ = std::fs::write(dir.join("FIRST-VISIT.md"), &md);
    println!("{md}");
    results
}
