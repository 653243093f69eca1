//! What a drag frame costs the page's main thread, the browser's own work included: a Chromium
//! trace (CDP `Tracing`) of the benchmark's 300-step drag, done `drags` times with the CPU
//! slowed, summed per event name over the frames, and the frames longer than 25 ms (missed
//! vsyncs) with what filled them. `page_profile` samples only script; layout, paint,
//! layerising and the compositor's commit are here. A tool for bench/OPTIMISATION.md, run by
//! hand (`cargo run -p e2e --bin page_trace -- [model] [cpu-slowdown] [drags] [moves]`), never a
//! test; the tracer's own cost is in its figures.
//!
//! With `moves` it traces instead the bench's sequential slider moves (`SEQUENTIAL`, each move
//! waiting for its pixels: the input→pixels figures), `moves` of them with the CPU slowed, each
//! move marked (`performance.mark`), and sets what filled the slowest moves against the others.
//! `PAGE_TRACE_PHASES=1` splits each untraced move instead (`phases.rs`): the page's input handler,
//! the wait for the worker's reply, the page's handling of it, and whether a rendering frame ran
//! inside, printed apart for moves with and without one.

mod phases;

use e2e::{Mode, Page};
use headless_chrome::protocol::cdp::Emulation;
use headless_chrome::protocol::cdp::types::{Event, Method};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// `Tracing.start`, written out: the typed call has no way to leave out its deprecated fields.
#[derive(Debug, serde::Serialize)]
struct TracingStart {
    #[serde(rename = "transferMode")]
    transfer_mode: &'static str,
    #[serde(rename = "traceConfig")]
    trace_config: Value,
}

impl Method for TracingStart {
    const NAME: &'static str = "Tracing.start";
    type ReturnObject = Value;
}

#[derive(Debug, serde::Serialize)]
struct TracingEnd {}

impl Method for TracingEnd {
    const NAME: &'static str = "Tracing.end";
    type ReturnObject = Value;
}

/// `IO.read` of the finished trace's stream (its data is text).
#[derive(Debug, serde::Serialize)]
struct IoRead {
    handle: String,
    size: u64,
}

impl Method for IoRead {
    const NAME: &'static str = "IO.read";
    type ReturnObject = Value;
}

const CATEGORIES: [&str; 8] = [
    "blink.user_timing",
    "devtools.timeline",
    "disabled-by-default-devtools.timeline",
    "blink",
    "cc",
    "v8",
    "toplevel",
    "benchmark",
];

/// A complete event (`ph: X`) of one thread, µs.
struct Slice {
    name: String,
    ts: f64,
    dur: f64,
}

fn main() {
    let mut args = std::env::args().skip(1);
    let model = args.next().unwrap_or_else(|| "mnist-vae".into());
    let slowdown: f64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(4.0);
    let drags: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(3);
    let moves: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(0);
    let dist = std::env::var_os("LATENT_LAB_DIST")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| e2e::workspace().join("dist"));
    let page = Page::open_site("trace", Mode::Cpu, &dist, &format!("?hooks=1&backend=cpu#m={model}"), &[]);
    page.wait_ready();
    // `PAGE_TRACE_CSS`: a style sheet added to the page first, to try a change of the page's
    // CSS on the trace without building the app again.
    if let Ok(css) = std::env::var("PAGE_TRACE_CSS") {
        let css = serde_json::to_string(&css).expect("a string");
        page.eval(&format!("(() => {{ const s = document.createElement('style'); s.textContent = {css}; document.head.append(s); }})()"));
    }
    // `PAGE_TRACE_JS`: a script run in the page first, likewise (a changed DOM, say).
    if let Ok(js) = std::env::var("PAGE_TRACE_JS") {
        println!("PAGE_TRACE_JS: {}", page.eval(&js));
    }
    page.wait_settled();
    // As the bench does: full-speed moves and a drag first, so what is traced is a warm page.
    page.eval(&e2e::scripts::SEQUENTIAL.replace("__N__", "100"));
    page.eval(&e2e::scripts::DRAG.replace("__N__", "300"));
    page.wait_settled();

    if moves > 0 {
        // The same moves untraced first (`PAGE_TRACE_ROUNDS` times, default once): the tracer's
        // own cost is in the traced figures.
        let rounds = std::env::var("PAGE_TRACE_ROUNDS").ok().and_then(|r| r.parse().ok()).unwrap_or(1);
        for _ in 0..rounds {
            untraced(&page, slowdown, moves);
        }
    }
    let stream: Arc<Mutex<Option<String>>> = Arc::default();
    let seen = stream.clone();
    page.tab
        .add_event_listener(Arc::new(move |e: &Event| {
            if let Event::TracingComplete(c) = e
                && let Ok(mut s) = seen.lock()
            {
                *s = c.params.stream.clone();
            }
        }))
        .expect("listen for the trace");
    let config = json!({ "includedCategories": CATEGORIES });
    page.tab
        .call_method(TracingStart { transfer_mode: "ReturnAsStream", trace_config: config })
        .expect("start tracing");
    if moves > 0 {
        page.tab.call_method(Emulation::SetCPUThrottlingRate { rate: slowdown }).expect("slow the CPU");
        let seq = page.eval(&marked_moves(moves));
        page.tab.call_method(Emulation::SetCPUThrottlingRate { rate: 1.0 }).expect("end the slow-down");
        print_moves("traced", &seq);
        page.wait_settled();
    }
    for drag in 0..(if moves > 0 { 0 } else { drags }) {
        page.tab.call_method(Emulation::SetCPUThrottlingRate { rate: slowdown }).expect("slow the CPU");
        let frames = page.eval(&e2e::scripts::DRAG.replace("__N__", "300"));
        page.tab.call_method(Emulation::SetCPUThrottlingRate { rate: 1.0 }).expect("end the slow-down");
        let long: Vec<String> = frames
            .as_array()
            .map(|a| {
                a.iter().filter_map(Value::as_f64).enumerate().filter(|(_, f)| *f > 25.0).collect::<Vec<_>>()
            })
            .unwrap_or_default()
            .into_iter()
            .map(|(i, f)| format!("{i}: {f:.0} ms"))
            .collect();
        println!("drag {drag}: {} frames longer than 25 ms [{}]", long.len(), long.join(", "));
        page.wait_settled();
    }
    page.tab.call_method(TracingEnd {}).expect("end tracing");
    let handle = wait_for_stream(&stream);
    let mut text = String::new();
    loop {
        let chunk =
            page.tab.call_method(IoRead { handle: handle.clone(), size: 1 << 20 }).expect("read the trace");
        text.push_str(chunk["data"].as_str().unwrap_or(""));
        if chunk["eof"].as_bool() != Some(false) {
            break;
        }
    }
    page.finish();
    // `PAGE_TRACE_SAVE`: keep the whole trace there too (for Chromium's own viewer, or scripts).
    if let Ok(path) = std::env::var("PAGE_TRACE_SAVE") {
        std::fs::write(&path, &text).expect("write the trace");
    }
    let trace: Value = serde_json::from_str(&text).expect("the trace is JSON");
    if moves > 0 { summarise_moves(&trace) } else { summarise(&trace) }
}

/// The complete events (`ph: X`) of one thread, in time order.
fn slices_of(events: &[Value], thread: (u64, u64)) -> Vec<Slice> {
    let mut slices: Vec<Slice> = events
        .iter()
        .filter(|e| {
            (e["pid"].as_u64().unwrap_or(0), e["tid"].as_u64().unwrap_or(0)) == thread && e["ph"] == "X"
        })
        .filter_map(|e| {
            Some(Slice {
                name: e["name"].as_str()?.to_string(),
                ts: e["ts"].as_f64()?,
                dur: e["dur"].as_f64()?,
            })
        })
        .collect();
    slices.sort_by(|a, b| a.ts.total_cmp(&b.ts));
    slices
}

/// `moves` of the bench's sequential moves with the CPU slowed, before tracing starts.
fn untraced(page: &Page, slowdown: f64, moves: usize) {
    page.tab.call_method(Emulation::SetCPUThrottlingRate { rate: slowdown }).expect("slow the CPU");
    // `PAGE_TRACE_PHASES`: each move split at the page's input handler's end and the reply's
    // arrival (`phases.rs`), to see which part a slow spell of the throttled machine lengthens.
    let split = std::env::var_os("PAGE_TRACE_PHASES").is_some();
    let script = if split { phases::SCRIPT } else { e2e::scripts::SEQUENTIAL };
    let seq = page.eval(&script.replace("__N__", &moves.to_string()));
    page.tab.call_method(Emulation::SetCPUThrottlingRate { rate: 1.0 }).expect("end the slow-down");
    print_moves("untraced", &seq);
    if split {
        phases::print(&seq);
    }
    page.wait_settled();
}

fn print_moves(what: &str, seq: &Value) {
    let mut total: Vec<f64> =
        seq["total"].as_array().map(|a| a.iter().filter_map(Value::as_f64).collect()).unwrap_or_default();
    total.sort_by(f64::total_cmp);
    let at = |q: f64| total.get(((total.len() as f64 - 1.0) * q).round() as usize).copied().unwrap_or(0.0);
    println!(
        "{} moves {what}, input→pixels ms: p50 {:.2}, p95 {:.2}, max {:.2}",
        total.len(),
        at(0.5),
        at(0.95),
        at(1.0)
    );
}

/// The bench's `SEQUENTIAL` with a mark at each move's input and one at its pixels.
fn marked_moves(moves: usize) -> String {
    let script = e2e::scripts::SEQUENTIAL.replace("__N__", &moves.to_string());
    let (start, end) = ("const t0 = performance.now();", "total.push(performance.now() - t0);");
    assert!(script.contains(start) && script.contains(end), "SEQUENTIAL changed: mark its moves anew");
    script
        .replace(start, &format!("performance.mark('move-start'); {start}"))
        .replace(end, &format!("performance.mark('move-end'); {end}"))
}

/// Each marked move's main-thread events: the slowest moves one by one (what their top-level
/// tasks held), then per-move means of each event name in the slowest tenth against the rest.
fn summarise_moves(trace: &Value) {
    let events = trace["traceEvents"].as_array().or_else(|| trace.as_array()).cloned().unwrap_or_default();
    let thread = |e: &Value| (e["pid"].as_u64().unwrap_or(0), e["tid"].as_u64().unwrap_or(0));
    let marks = |name: &str| -> Vec<(f64, (u64, u64))> {
        events
            .iter()
            .filter(|e| e["name"] == name)
            .filter_map(|e| Some((e["ts"].as_f64()?, thread(e))))
            .collect()
    };
    let (starts, ends) = (marks("move-start"), marks("move-end"));
    let Some(main) = starts.first().map(|s| s.1) else {
        println!("no marked moves in the trace");
        return;
    };
    let slices = slices_of(&events, main);
    let mut moves: Vec<(f64, f64)> = starts.iter().zip(&ends).map(|(s, e)| (s.0, e.0)).collect();
    moves.sort_by(|a, b| (b.1 - b.0).total_cmp(&(a.1 - a.0)));
    let slow = (moves.len() / 10).max(1);
    println!("\nthe {slow} slowest moves (ms) and the main thread's events inside them, longest first:");
    for (from, to) in moves.iter().take(slow) {
        let mut inside: Vec<&Slice> =
            slices.iter().filter(|s| s.ts >= *from && s.ts + s.dur <= *to).collect();
        inside.sort_by(|a, b| b.dur.total_cmp(&a.dur));
        let what: Vec<String> =
            inside.iter().take(8).map(|s| format!("{} {:.1}", s.name, s.dur / 1000.0)).collect();
        println!("{:5.1}: {}", (to - from) / 1000.0, what.join(", "));
    }
    let mean_per_name = |group: &[(f64, f64)]| {
        let mut per: HashMap<&str, f64> = HashMap::new();
        for (from, to) in group {
            for s in slices.iter().filter(|s| s.ts >= *from && s.ts + s.dur <= *to) {
                *per.entry(&s.name).or_default() += s.dur / 1000.0 / group.len().max(1) as f64;
            }
        }
        per
    };
    // What a frame did, counted: the whole page layerised again, and layouts of the whole page
    // against those of a contained part (Chromium's own `partialLayout`).
    let count = |name: &str| slices.iter().filter(|s| s.name == name).count();
    let layouts: Vec<bool> = events
        .iter()
        .filter(|e| thread(e) == main && e["name"] == "Layout" && e["ph"] == "X")
        .map(|e| e["args"]["beginData"]["partialLayout"] == true)
        .collect();
    println!(
        "\nframes: {}; the page layerised again (PaintArtifactCompositor::Update) in {}; layouts: {} of a contained part, {} of the whole page",
        count("ProxyMain::BeginMainFrame"),
        count("PaintArtifactCompositor::Update"),
        layouts.iter().filter(|p| **p).count(),
        layouts.iter().filter(|p| !**p).count()
    );
    let (slowest, rest) = moves.split_at(slow);
    let (a, b) = (mean_per_name(slowest), mean_per_name(rest));
    let mut names: Vec<&str> = a.keys().chain(b.keys()).copied().collect();
    names.sort();
    names.dedup();
    names.sort_by(|x, y| {
        let d = |n: &str| a.get(n).unwrap_or(&0.0) - b.get(n).unwrap_or(&0.0);
        d(y).total_cmp(&d(x))
    });
    let mean = |g: &[(f64, f64)]| g.iter().map(|(f, t)| t - f).sum::<f64>() / 1000.0 / g.len().max(1) as f64;
    println!(
        "\nms per move by event (nested inside their parents): slowest tenth (mean {:.1} ms) against the rest ({:.1} ms)",
        mean(slowest),
        mean(rest)
    );
    for n in names.iter().take(30) {
        println!("{:7.2} {:7.2}  {n}", a.get(n).unwrap_or(&0.0), b.get(n).unwrap_or(&0.0));
    }
}

fn wait_for_stream(stream: &Mutex<Option<String>>) -> String {
    for _ in 0..600 {
        if let Some(h) = stream.lock().ok().and_then(|s| s.clone()) {
            return h;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("the trace never finished");
}

/// Per-frame means of every event name on the renderer's main thread (the one that ran the
/// drags' animation frames), then each long frame's longest tasks.
fn summarise(trace: &Value) {
    let events = trace["traceEvents"].as_array().or_else(|| trace.as_array()).cloned().unwrap_or_default();
    let thread = |e: &Value| (e["pid"].as_u64().unwrap_or(0), e["tid"].as_u64().unwrap_or(0));
    let mut rafs_per_thread: HashMap<(u64, u64), usize> = HashMap::new();
    for e in events.iter().filter(|e| e["name"] == "FireAnimationFrame") {
        *rafs_per_thread.entry(thread(e)).or_default() += 1;
    }
    let Some(main) = rafs_per_thread.into_iter().max_by_key(|(_, n)| *n).map(|(t, _)| t) else {
        println!("no animation frames in the trace");
        return;
    };
    let slices = slices_of(&events, main);
    let frames: Vec<f64> = slices.iter().filter(|s| s.name == "FireAnimationFrame").map(|s| s.ts).collect();
    let (Some(first), Some(last)) = (frames.first(), frames.last()) else { return };
    let mut per_name: HashMap<&str, f64> = HashMap::new();
    for s in slices.iter().filter(|s| s.ts >= *first && s.ts <= *last) {
        *per_name.entry(&s.name).or_default() += s.dur;
    }
    let mut rows: Vec<(&str, f64)> = per_name.into_iter().collect();
    rows.sort_by(|a, b| b.1.total_cmp(&a.1));
    let n = frames.len() as f64;
    println!(
        "\n{} animation frames; ms per frame by event (nested events are inside their parents):",
        frames.len()
    );
    for (name, us) in rows.iter().take(40) {
        println!("{:8.2}  {name}", us / 1000.0 / n);
    }
    // Top-level tasks (not inside an earlier one) between two long-apart animation frames.
    let mut tops: Vec<&Slice> = Vec::new();
    let mut end = f64::MIN;
    for s in &slices {
        if s.ts >= end {
            end = s.ts + s.dur;
            tops.push(s);
        }
    }
    println!(
        "\nframes longer than 25 ms: the main thread's busy time in them and its longest tasks' contents"
    );
    for pair in frames.windows(2).filter(|w| w[1] - w[0] > 25_000.0 && w[1] - w[0] < 200_000.0) {
        let inside: Vec<&&Slice> = tops.iter().filter(|t| t.ts >= pair[0] && t.ts < pair[1]).collect();
        let busy: f64 = inside.iter().map(|t| t.dur).sum();
        let longest = inside.iter().max_by(|a, b| a.dur.total_cmp(&b.dur));
        let mut within: Vec<(&str, f64)> = longest
            .map(|l| {
                slices
                    .iter()
                    .filter(|s| s.ts > l.ts && s.ts + s.dur <= l.ts + l.dur)
                    .map(|s| (s.name.as_str(), s.dur))
                    .collect()
            })
            .unwrap_or_default();
        within.sort_by(|a, b| b.1.total_cmp(&a.1));
        let what: Vec<String> =
            within.iter().take(5).map(|(n, d)| format!("{n} {:.1}", d / 1000.0)).collect();
        println!(
            "{:5.1} ms frame, busy {:4.1} ms; longest task {:4.1} ms: {}",
            (pair[1] - pair[0]) / 1000.0,
            busy / 1000.0,
            longest.map_or(0.0, |l| l.dur / 1000.0),
            what.join(", ")
        );
    }
}
