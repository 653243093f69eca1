//! The side-by-side part of the benchmark: our worker against onnxruntime-web on the same
//! weights, in the same page, and the app's batch and encode round trips.
//!
//! `cargo xtask bench` writes an ONNX file per decoder (`train onnx`: `<model>.onnx` in one
//! folder) and installs onnxruntime-web from npm, then names them in `LATENT_LAB_ONNX` and
//! `LATENT_LAB_ORT`. Without them the peer is skipped and the results say so.

use e2e::Page;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

/// Codes whose outputs are compared, and the timed runs per side.
pub const CHECK_CODES: usize = 8;
pub const REPS: usize = 400;
pub const BATCH: usize = 64;

pub struct Peer {
    /// The folder of `<model>.onnx` files.
    pub onnx: PathBuf,
    pub ort_dist: PathBuf,
}

impl Peer {
    pub fn from_env() -> Option<Peer> {
        let onnx = PathBuf::from(std::env::var_os("LATENT_LAB_ONNX")?);
        let ort_dist = PathBuf::from(std::env::var_os("LATENT_LAB_ORT")?);
        (onnx.is_dir() && ort_dist.join("ort.all.min.mjs").is_file()).then_some(Peer { onnx, ort_dist })
    }

    /// The peer's file for `model`, as the site serves it, when there is one.
    pub fn file(&self, model: &str) -> Option<String> {
        let name = format!("{model}.onnx");
        self.onnx.join(&name).is_file().then_some(name)
    }
}

fn copy_dir(from: &Path, to: &Path, keep: impl Fn(&str) -> bool + Copy) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().to_string();
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &to.join(&name), keep)?;
        } else if keep(&name) {
            std::fs::copy(entry.path(), to.join(&name))?;
        }
    }
    Ok(())
}

/// A copy of the built app with the peer beside it: `peer/peer.js`, `peer/<model>.onnx` and
/// onnxruntime-web's module and wasm files under `ort/`.
pub fn site(peer: Option<&Peer>) -> std::io::Result<PathBuf> {
    let root = e2e::workspace();
    // LATENT_LAB_DIST: measure another build of the app (a before/after comparison).
    let dist = std::env::var_os("LATENT_LAB_DIST").map_or_else(|| root.join("dist"), PathBuf::from);
    let site = std::env::temp_dir().join(format!("latent-lab-bench-site-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&site);
    copy_dir(&dist, &site, |_| true)?;
    if let Some(p) = peer {
        std::fs::create_dir_all(site.join("peer"))?;
        std::fs::copy(root.join("tests/bench/peer/peer.js"), site.join("peer/peer.js"))?;
        copy_dir(&p.onnx, &site.join("peer"), |n| n.ends_with(".onnx"))?;
        copy_dir(&p.ort_dist, &site.join("ort"), |n| {
            n == "ort.all.min.mjs" || (n.starts_with("ort-wasm") && !n.ends_with(".map"))
        })?;
    }
    Ok(site)
}

/// Latent codes for the output check: fixed, spread over the prior's bulk.
pub fn check_codes(dim: usize) -> Vec<Vec<f32>> {
    (0..CHECK_CODES).map(|i| (0..dim).map(|k| ((i * dim + k) as f32 * 0.73).sin() * 1.5).collect()).collect()
}

/// Our side through the worker's own protocol (`?hooks=1` exposes the Worker): decodes of the
/// check codes, single decodes back to back (the worker's own time), round trips of a batch of
/// 64 and of one encode. Ids far above the app's own, so
/// the app ignores the replies.
const OURS: &str = "(async () => {
    const w = window.latentLabWorker;
    let next = 9e12;
    const ask = (type, body, reply) => new Promise(done => {
        const id = next++;
        const t = performance.now();
        const on = e => {
            const d = e.data || {};
            const r = d[reply] || d.Failed;
            // A message the worker could not read is refused without an id: fail at once.
            if (r && (r.id === id || (d.Failed && d.Failed.id == null))) {
                w.removeEventListener('message', on);
                done({ ms: performance.now() - t, reply: d[reply], failed: d.Failed && d.Failed.message });
            }
        };
        w.addEventListener('message', on);
        w.postMessage({ [type]: { id, ...body } });
    });
    const check = __CHECK__;
    const dim = check[0].length;
    const got = await ask('DecodeMany', { lane: 'Grid', model: null, zs: check }, 'DecodedMany');
    if (got.failed) return { error: got.failed };
    const many = Array.from({ length: __BATCH__ }, (_, i) => Array.from({ length: dim }, (_, k) => Math.sin((i * dim + k) * 0.11) * 2));
    // Single decodes back to back, as the peer's are timed (warm caches, nothing in between):
    // the worker's own clock, so both sides time the decode alone.
    // The peer's codes (peer.js `code`): new every call, as a dragged slider's are.
    // A code goes as the page sends one: its f32 values' bytes (`ToWorker::Decode`).
    const code = i => new Uint8Array(Float32Array.from({ length: dim }, (_, k) => Math.sin(i * 0.37 + k) * 2.5).buffer);
    const single = [];
    for (let i = 0; i < 20; i++) await ask('Decode', { z: code(i) }, 'Decoded');
    for (let i = 0; i < __REPS__; i++) {
        const r = await ask('Decode', { z: code(i) }, 'Decoded');
        if (r.failed) return { error: r.failed };
        single.push(r.reply.micros / 1000);
    }
    const batched = [], batchedWorker = [], encode = [];
    for (let i = 0; i < __REPS__ / 4; i++) {
        const r = await ask('DecodeMany', { lane: 'Grid', model: null, zs: many }, 'DecodedMany');
        batched.push(r.ms);
        batchedWorker.push(r.reply.micros / 1000);
    }
    const pixels = Array.from({ length: __PIXELS__ }, (_, j) => (Math.sin(j * 0.05) + 1) / 2);
    for (let i = 0; i < __REPS__ / 4; i++) encode.push((await ask('Encode', { model: null, pixels }, 'Encoded')).ms);
    return { images: got.reply.images.map(im => Array.from(im)), single, batched, batchedWorker, encode, isolated: self.crossOriginIsolated };
})()";

pub fn ours(page: &Page, dim: usize, pixels: usize) -> Value {
    let js = OURS
        .replace("__CHECK__", &serde_json::to_string(&check_codes(dim)).unwrap_or_default())
        .replace("__BATCH__", &BATCH.to_string())
        .replace("__REPS__", &REPS.to_string())
        .replace("__PIXELS__", &pixels.to_string());
    page.eval(&js)
}

pub fn theirs(page: &Page, ep: &str, dim: usize, file: &str) -> Value {
    let args = json!({ "ep": ep, "dim": dim, "file": file, "check": check_codes(dim), "reps": REPS, "batch": BATCH });
    page.eval(&format!(
        "import('./peer/peer.js').then(m => m.measure({args})).catch(e => ({{ error: String(e) }}))"
    ))
}

/// Largest absolute difference between two runs' pixel values, on the [0, 1] scale.
pub fn max_abs_diff(a: &[Vec<f32>], b: &[Vec<f32>]) -> f64 {
    a.iter()
        .zip(b)
        .flat_map(|(x, y)| x.iter().zip(y).map(|(p, q)| f64::from((p - q).abs())))
        .fold(0.0, f64::max)
}

pub fn floats(v: &Value) -> Vec<Vec<f32>> {
    v.as_array()
        .map(|rows| {
            rows.iter()
                .map(|r| {
                    r.as_array().into_iter().flatten().filter_map(Value::as_f64).map(|x| x as f32).collect()
                })
                .collect()
        })
        .unwrap_or_default()
}
