//! Where the page's main thread spends a slider drag: Chromium's sampling profiler over the
//! benchmark's 300-step drag, printed as the functions with the most self time (and the
//! inclusive time of Yew's render and our reducer). A tool for bench/OPTIMISATION.md, run by
//! hand (`cargo run -p e2e --bin page_profile -- [model] [cpu-slowdown]`), never as a test.
//!
//! Function names need a build whose wasm keeps its name section: build the app with
//! `CARGO_PROFILE_RELEASE_STRIP=false` into a folder and point `LATENT_LAB_DIST` at it
//! (otherwise wasm functions show as `$func123`).

use e2e::{Mode, Page};
use headless_chrome::protocol::cdp::types::Method;
use headless_chrome::protocol::cdp::{Emulation, Profiler};
use serde_json::Value;
use std::collections::HashMap;
use std::time::Duration;

/// `Profiler.stop`, read as plain JSON: the typed call refuses the `-1` line numbers Chromium
/// gives wasm frames.
#[derive(Debug, serde::Serialize)]
struct StopRaw {}

impl Method for StopRaw {
    const NAME: &'static str = "Profiler.stop";
    type ReturnObject = Value;
}

/// One node of the profile's call tree.
struct Node {
    id: u64,
    function: String,
    url: String,
    children: Vec<u64>,
}

fn main() {
    let mut args = std::env::args().skip(1);
    let model = args.next().unwrap_or_else(|| "mnist-vae".into());
    let slowdown: f64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(1.0);
    let dist = std::env::var_os("LATENT_LAB_DIST")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| e2e::workspace().join("dist"));
    let page = Page::open_site("profile", Mode::Cpu, &dist, &format!("?backend=cpu#m={model}"), &[]);
    page.wait_ready();
    page.wait_settled();
    std::thread::sleep(Duration::from_secs(2));
    if slowdown > 1.0 {
        page.tab.call_method(Emulation::SetCPUThrottlingRate { rate: slowdown }).expect("throttle the CPU");
    }
    page.tab.call_method(Profiler::Enable(None)).expect("enable the profiler");
    page.tab.call_method(Profiler::SetSamplingInterval { interval: 100 }).expect("sampling interval");
    page.tab.call_method(Profiler::Start(None)).expect("start profiling");
    let frames = page.eval(&e2e::scripts::DRAG.replace("__N__", "300"));
    let profile = page.tab.call_method(StopRaw {}).expect("stop profiling");
    let profile = &profile["profile"];
    let frames: Vec<f64> =
        frames.as_array().map(|a| a.iter().filter_map(Value::as_f64).collect()).unwrap_or_default();
    let missed = frames.iter().filter(|f| **f > 16.7 * 1.5).count();
    println!("{model}, CPU slowed {slowdown}×: {} frames, {missed} longer than 25 ms", frames.len());
    let nodes: Vec<Node> = profile["nodes"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|n| Node {
                    id: n["id"].as_u64().unwrap_or(0),
                    function: n["callFrame"]["functionName"].as_str().unwrap_or("").to_string(),
                    url: n["callFrame"]["url"].as_str().unwrap_or("").to_string(),
                    children: n["children"]
                        .as_array()
                        .map(|c| c.iter().filter_map(Value::as_u64).collect())
                        .unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default();
    // Self time per node from the samples and their time deltas (µs): a sample's time is the
    // delta to the next one.
    let ints = |k: &str| -> Vec<u64> {
        profile[k]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_i64).map(|v| v.max(0) as u64).collect())
            .unwrap_or_default()
    };
    let (samples, deltas) = (ints("samples"), ints("timeDeltas"));
    let mut self_us: HashMap<u64, f64> = HashMap::new();
    for (i, node) in samples.iter().enumerate() {
        *self_us.entry(*node).or_default() += deltas.get(i + 1).copied().unwrap_or(0) as f64;
    }
    let total: f64 = self_us.values().sum();
    let name = |n: &Node| {
        let file = n.url.rsplit('/').next().unwrap_or("");
        format!("{} ({file})", if n.function.is_empty() { "(anonymous)" } else { &n.function })
    };
    let mut by_name: HashMap<String, f64> = HashMap::new();
    for n in &nodes {
        *by_name.entry(name(n)).or_default() += self_us.get(&n.id).copied().unwrap_or(0.0);
    }
    let mut rows: Vec<(String, f64)> = by_name.into_iter().collect();
    rows.sort_by(|a, b| b.1.total_cmp(&a.1));
    println!("sampled {:.0} ms; self time by function:", total / 1000.0);
    for (n, us) in rows.iter().take(45) {
        println!("{:8.1} ms {:5.1}%  {n}", us / 1000.0, 100.0 * us / total.max(1.0));
    }

    // Inclusive time of the functions whose names contain these words (the render, the reducer).
    let children: HashMap<u64, Vec<u64>> = nodes.iter().map(|n| (n.id, n.children.clone())).collect();
    let words: Vec<String> = std::env::var("PROFILE_WORDS")
        .unwrap_or_else(|_| "render,reduce,apply,eq,clone,put_image_data,draw,diff,reconcile,Callback".into())
        .split(',')
        .map(str::to_string)
        .collect();
    for word in &words {
        // Only outermost matches, so nested calls of the same kind are not counted twice.
        let matching: Vec<&Node> = nodes.iter().filter(|n| n.function.contains(word.as_str())).collect();
        let ids: std::collections::HashSet<u64> = matching.iter().map(|n| n.id).collect();
        let nested: std::collections::HashSet<u64> =
            matching.iter().flat_map(|n| descendants(n.id, &children)).filter(|d| ids.contains(d)).collect();
        let incl: f64 = matching
            .iter()
            .filter(|n| !nested.contains(&n.id))
            .map(|n| subtree(n.id, &children, &self_us))
            .sum();
        println!("inclusive, functions named *{word}*: {:.1} ms", incl / 1000.0);
    }
    page.finish();
}

fn subtree(id: u64, children: &HashMap<u64, Vec<u64>>, self_us: &HashMap<u64, f64>) -> f64 {
    self_us.get(&id).copied().unwrap_or(0.0)
        + children.get(&id).map_or(0.0, |c| c.iter().map(|k| subtree(*k, children, self_us)).sum())
}

fn descendants(id: u64, children: &HashMap<u64, Vec<u64>>) -> Vec<u64> {
    let mut out = Vec::new();
    let mut stack = children.get(&id).cloned().unwrap_or_default();
    while let Some(c) = stack.pop() {
        out.push(c);
        stack.extend(children.get(&c).cloned().unwrap_or_default());
    }
    out
}
