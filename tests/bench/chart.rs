//! `bench/results.png`: the latency figures of `bench/results.json` as horizontal bars on a log
//! scale (p50 as the bar, p95 as the whisker), so CPU, WebGPU and onnxruntime-web can be
//! compared at a glance. Text needs a TrueType font; DejaVu Sans is read from the system
//! (`cargo xtask bench` installs `fonts-dejavu-core`).

use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;
use serde_json::Value;
use std::path::Path;

const FONT_PATHS: [&str; 2] =
    ["/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/TTF/DejaVuSans.ttf"];

/// One bar: its label, p50 and p95 (ms), and which kind of figure it is (picks the colour).
struct Bar {
    label: String,
    p50: f64,
    p95: f64,
    kind: usize,
}

/// Short name (row label), long name (legend) and colour of each kind of figure.
const KINDS: [(&str, &str, RGBColor); 6] = [
    ("decode", "decode in the worker", RGBColor(31, 119, 180)),
    ("input → pixels", "slider input to pixels on screen", RGBColor(255, 127, 14)),
    ("batch of 64", "64 decodes, page → worker → page", RGBColor(44, 160, 44)),
    ("encode", "encode one image, round trip", RGBColor(148, 103, 189)),
    ("onnxruntime-web", "onnxruntime-web, same decoder", RGBColor(214, 39, 40)),
    ("cold start", "navigation to first pixels", RGBColor(127, 127, 127)),
];

fn bars(results: &Value) -> Vec<Bar> {
    let mut out = Vec::new();
    let f = |v: &Value| v.as_f64().unwrap_or(f64::NAN);
    for r in results["runs"].as_array().into_iter().flatten() {
        let name =
            format!("{} · {}", r["model"].as_str().unwrap_or("?"), r["backend"].as_str().unwrap_or("?"));
        for (kind, key) in
            ["worker_decode_ms", "input_to_pixels_ms", "batch64_round_trip_ms", "encode_round_trip_ms"]
                .iter()
                .enumerate()
        {
            let label = format!("{name} · {}", KINDS[kind].0);
            out.push(Bar { label, p50: f(&r[key]["p50"]), p95: f(&r[key]["p95"]), kind });
        }
        let peer = &r["onnxruntime_web"];
        if peer["decode_ms"].is_object() {
            out.push(Bar {
                label: format!("{name} · onnxruntime-web ({})", peer["ep"].as_str().unwrap_or("")),
                p50: f(&peer["decode_ms"]["p50"]),
                p95: f(&peer["decode_ms"]["p95"]),
                kind: 4,
            });
        }
        let cold = f(&r["cold_start_ms"]);
        out.push(Bar { label: format!("{name} · cold start"), p50: cold, p95: cold, kind: 5 });
    }
    out.retain(|b| b.p50.is_finite() && b.p50 > 0.0);
    out
}

/// Draw `results` into `path`. Errors say what is missing (the font, say); the bench goes on.
pub fn write(results: &Value, path: &Path) -> Result<(), String> {
    let font = FONT_PATHS
        .iter()
        .find_map(|p| std::fs::read(p).ok())
        .ok_or("no DejaVu Sans font (apt install fonts-dejavu-core): chart not drawn")?;
    // plotters keeps registered fonts for the life of the process.
    plotters::style::register_font("sans-serif", FontStyle::Normal, Box::leak(font.into_boxed_slice()))
        .map_err(|_| "the DejaVu Sans file is not a font")?;
    let bars = bars(results);
    if bars.is_empty() {
        return Err("no figures to draw".into());
    }
    let n = bars.len() as i32;
    let height = 140 + 26 * bars.len() as u32;
    let root = BitMapBackend::new(path, (1280, height)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let (plot, legend) = root.split_horizontally(1000);
    let caption = format!(
        "Latent Lab in headless Chromium — commit {} — p50 bar, p95 whisker (ms, log scale)",
        results["commit"].as_str().unwrap_or("?")
    );
    let mut chart = ChartBuilder::on(&plot)
        .caption(caption, ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(330)
        .build_cartesian_2d((0.01f64..3_000f64).log_scale(), (0..n).into_segmented())
        .map_err(|e| e.to_string())?;
    let labels: Vec<String> = bars.iter().map(|b| b.label.clone()).collect();
    chart
        .configure_mesh()
        .y_labels(bars.len())
        .y_label_formatter(&|v| match v {
            // Row 0 is at the bottom: count from the top, so the first run reads first.
            SegmentValue::CenterOf(i) => labels.get((n - 1 - *i) as usize).cloned().unwrap_or_default(),
            _ => String::new(),
        })
        .x_label_formatter(&|v| format!("{v}"))
        .x_desc("milliseconds")
        .label_style(("sans-serif", 13))
        .light_line_style(WHITE)
        .draw()
        .map_err(|e| e.to_string())?;
    for (i, b) in bars.iter().enumerate() {
        let (i, colour) = (n - 1 - i as i32, KINDS[b.kind].2);
        let corners = [(0.01, SegmentValue::Exact(i)), (b.p50, SegmentValue::Exact(i + 1))];
        chart
            .draw_series([
                Rectangle::new(corners.clone(), colour.mix(0.85).filled()),
                // A white rim keeps neighbouring rows apart.
                Rectangle::new(corners, WHITE.stroke_width(3)),
            ])
            .map_err(|e| e.to_string())?;
        if b.p95 > b.p50 {
            chart
                .draw_series(LineSeries::new(
                    [(b.p50, SegmentValue::CenterOf(i)), (b.p95, SegmentValue::CenterOf(i))],
                    BLACK.stroke_width(2),
                ))
                .map_err(|e| e.to_string())?;
        }
    }
    // The bar for mnist-vae on the CPU, and one frame at 60 Hz.
    for x in [0.5, 16.7] {
        chart
            .draw_series(LineSeries::new(
                [(x, SegmentValue::Exact(0)), (x, SegmentValue::Exact(n))],
                BLACK.mix(0.6).stroke_width(1),
            ))
            .map_err(|e| e.to_string())?;
    }
    let text = ("sans-serif", 14).into_font();
    let mut y = 60;
    for (_, name, colour) in KINDS {
        legend
            .draw(&Rectangle::new([(10, y - 7), (30, y + 7)], colour.filled()))
            .map_err(|e| e.to_string())?;
        legend.draw(&Text::new(name, (38, y - 8), text.clone())).map_err(|e| e.to_string())?;
        y += 26;
    }
    for line in [
        "black whisker: p95",
        "thin lines: the 0.5 ms bar",
        "for mnist-vae on the CPU, and",
        "one 60 Hz frame (16.7 ms)",
    ] {
        y += 20;
        legend.draw(&Text::new(line, (10, y), text.clone())).map_err(|e| e.to_string())?;
    }
    root.present().map_err(|e| e.to_string())
}
