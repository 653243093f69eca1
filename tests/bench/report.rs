//! bench/RESULTS.md from the bench's results (`results.json`): the tables a reader compares
//! between commits. Also run alone (`cargo run -p e2e --bin bench -- report`) to write it anew
//! from a results file, as `chart` does for the picture.

use serde_json::Value;

use crate::{DECODES, DRAG_STEPS, SLOWED_RUNS, numbers, peer};

pub fn markdown(results: &Value) -> String {
    let text = |k: &str| results[k].as_str().unwrap_or_default().to_string();
    let (commit, browser, machine) = (text("commit"), text("browser"), text("machine"));
    let runs: Vec<Value> = results["runs"].as_array().cloned().unwrap_or_default();
    let sizes = &results["sizes"];
    let mut md = format!(
        "# In-browser measurements\n\nCommit `{commit}`, {browser}, {machine}. {}\n\n| model | backend | cold start (ms) | worker decode p50 / p95 (ms) | input→pixels p50 / p95 (ms) | drag frame p50 / p95 / max (ms) | drag frames missed (of {DRAG_STEPS}) |\n|---|---|---|---|---|---|---|\n",
        results["how"].as_str().unwrap_or_default()
    );
    for r in &runs {
        let f = |k: &str, q: &str| r[k][q].as_f64().unwrap_or(f64::NAN);
        md += &format!(
            "| {} | {} | {:.0} | {:.2} / {:.2} | {:.2} / {:.2} | {:.1} / {:.1} / {:.1} | {} |\n",
            r["model"].as_str().unwrap_or(""),
            r["backend"].as_str().unwrap_or(""),
            r["cold_start_ms"].as_f64().unwrap_or(f64::NAN),
            f("worker_decode_ms", "p50"),
            f("worker_decode_ms", "p95"),
            f("input_to_pixels_ms", "p50"),
            f("input_to_pixels_ms", "p95"),
            f("drag_frame_ms", "p50"),
            f("drag_frame_ms", "p95"),
            f("drag_frame_ms", "max"),
            r["drag_frames_missed"],
        );
    }
    md += &format!(
        "\nThe same slider moves with the page's CPU slowed 4× (CDP `Emulation.setCPUThrottlingRate`; {SLOWED_RUNS} runs of {} sequential moves, pooled, then a {DRAG_STEPS}-step drag):\n\n| model | input→pixels p50 / p95 (ms) | p95 of each run (ms) | drag frame p95 / max (ms) | drag frames missed |\n|---|---|---|---|---|\n",
        DECODES / 2
    );
    for r in runs.iter().filter(|r| r["cpu_slowed_4x"].is_object()) {
        let s = &r["cpu_slowed_4x"];
        let f = |k: &str, q: &str| s[k][q].as_f64().unwrap_or(f64::NAN);
        let runs: Vec<String> =
            numbers(&s["input_to_pixels_p95_per_run_ms"]).iter().map(|p| format!("{p:.2}")).collect();
        md += &format!(
            "| {} | {:.2} / {:.2} | {} | {:.1} / {:.1} | {} |\n",
            r["model"].as_str().unwrap_or(""),
            f("input_to_pixels_ms", "p50"),
            f("input_to_pixels_ms", "p95"),
            runs.join(", "),
            f("drag_frame_ms", "p95"),
            f("drag_frame_ms", "max"),
            s["drag_frames_missed"],
        );
    }
    md += &format!(
        "\nRound trips page → worker → page (ms, p50 / p95; {} runs each):\n\n| model | backend | decode batch of {} | encode one image |\n|---|---|---|---|\n",
        peer::REPS / 4,
        peer::BATCH
    );
    for r in &runs {
        let f = |k: &str, q: &str| r[k][q].as_f64().unwrap_or(f64::NAN);
        md += &format!(
            "| {} | {} | {:.2} / {:.2} | {:.2} / {:.2} |\n",
            r["model"].as_str().unwrap_or(""),
            r["backend"].as_str().unwrap_or(""),
            f("batch64_round_trip_ms", "p50"),
            f("batch64_round_trip_ms", "p95"),
            f("encode_round_trip_ms", "p50"),
            f("encode_round_trip_ms", "p95"),
        );
    }
    md += &format!(
        "\nThe peer: onnxruntime-web 1.30.0 (npm) running the same decoder weights exported to ONNX (`train onnx`: our MLP and conv decoders, and the imported VanillaVAE's graph), one thread, in the app's page. Single codes: {} timed runs after 20 warm-up runs on each side, back to back on the same codes, new each call (ours: the worker's own clock around the decode, sent through its protocol; theirs: `session.run` with its tensor wrapping and output copy; the slider loop's decode times are in the first table). Batch of 64: their `session.run` against the worker's own clock around our batch (the 64 pictures' bytes included); the round trip page → worker → page from the table above, which also carries the transfer both ways, is set against theirs in the last ratio column.\n\n| model | backend | their EP | their decode p50 / p95 (ms) | ours p50 (ms) | ratio ours / theirs (p50) | their batch-64 p50 (ms) | ours at 64, worker p50 (ms) | ratio at batch 64 | max abs diff vs native burn | max abs diff vs our bytes/255 | round trip at 64 / theirs |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n",
        peer::REPS
    );
    for r in &runs {
        let v = &r["onnxruntime_web"];
        if v.is_null() {
            continue;
        }
        if let Some(e) = v["error"].as_str() {
            md += &format!(
                "| {} | {} | {} | failed: {e} | | | | | | | | |\n",
                r["model"].as_str().unwrap_or(""),
                r["backend"].as_str().unwrap_or(""),
                v["ep"]
            );
            continue;
        }
        let their_batch = v["batch64_ms"]["p50"].as_f64().unwrap_or(f64::NAN);
        let native = v["max_abs_diff_vs_native_burn"]
            .as_f64()
            .map_or("(imported)".to_string(), |d| format!("{d:.2e}"));
        md += &format!(
            "| {} | {} | {} | {:.3} / {:.3} | {:.3} | {:.2} | {:.2} | {:.2} | {:.2} | {native} | {:.2e} | {:.2} |\n",
            r["model"].as_str().unwrap_or(""),
            r["backend"].as_str().unwrap_or(""),
            v["ep"].as_str().unwrap_or(""),
            v["decode_ms"]["p50"].as_f64().unwrap_or(f64::NAN),
            v["decode_ms"]["p95"].as_f64().unwrap_or(f64::NAN),
            v["ours_back_to_back_ms"]["p50"]
                .as_f64()
                .or_else(|| r["worker_decode_ms"]["p50"].as_f64())
                .unwrap_or(f64::NAN),
            v["ratio_ours_over_theirs_p50"].as_f64().unwrap_or(f64::NAN),
            their_batch,
            v["ours_batch64_worker_ms"]["p50"].as_f64().unwrap_or(f64::NAN),
            v["ratio_batch64_ours_over_theirs_p50"].as_f64().unwrap_or(f64::NAN),
            v["max_abs_diff_vs_our_browser_bytes"].as_f64().unwrap_or(f64::NAN),
            r["batch64_round_trip_ms"]["p50"].as_f64().unwrap_or(f64::NAN) / their_batch,
        );
    }
    for r in &runs {
        let Some(layers) = r["layers"].as_array() else { continue };
        let total = |k: &str| layers.iter().filter_map(|l| l[k].as_f64()).sum::<f64>();
        let (one, batch) = (total("ms_one"), total("ms_batch"));
        md += &format!(
            "\nWhere a decode's time goes: {} on the CPU, the model card's layer timings (the worker's clock around each layer; {one:.2} ms for one code, {batch:.1} ms for 64, summed over layers):\n\n| layer | op | 1 code (ms) | share | 64 codes (ms) |\n|---|---|---|---|---|\n",
            r["model"].as_str().unwrap_or("")
        );
        for l in layers {
            let ms = l["ms_one"].as_f64().unwrap_or(f64::NAN);
            md += &format!(
                "| {} | {} | {ms:.3} | {:.0}% | {:.2} |\n",
                l["layer"].as_str().unwrap_or(""),
                l["op"].as_str().unwrap_or(""),
                100.0 * ms / one,
                l["ms_batch"].as_f64().unwrap_or(f64::NAN)
            );
        }
    }
    md += "\nDownload sizes. `dist/` is the build the pages above ran (release, no wasm-opt); `target/served-wasm/` holds the same modules after wasm-opt -O3, as `cargo xtask serve` ships them.\n\n| file | raw (bytes) | gzip -9 (bytes) |\n|---|---|---|\n";
    for f in sizes.as_array().into_iter().flatten() {
        md += &format!("| {} | {} | {} |\n", f["file"].as_str().unwrap_or(""), f["raw"], f["gzip"]);
    }
    md
}
