//! `page_trace`'s phases mode (`PAGE_TRACE_PHASES=1`): the bench's sequential moves, untraced,
//! each split where the page's work ends and the worker's reply arrives, to tell the page's own
//! cost from the waits CDP's CPU throttle puts between (bench/OPTIMISATION.md).

use serde_json::Value;

/// The bench's sequential moves, each split in three: the page's input handler (`input`:
/// dispatch to its return), the wait for the worker's reply (`wait`: to the reply's arrival at
/// the page's message handler, a rendering frame included when one ran in between), and the
/// page's handling of it (`handler`: the draw). `frame`: whether a rendering frame (a
/// `requestAnimationFrame` tick) began inside the move. The worker is the one `?hooks=1` hands
/// to page scripts.
pub const SCRIPT: &str = "(async () => {
    const s = document.querySelector('[data-testid=latent-slider]');
    const canvas = document.querySelector('[data-testid=decoded]');
    // The page's own handler wrapped (an event handler property keeps its place among the
    // listeners when it is set again): when each reply arrives, and when the page is done with it.
    const w = window.latentLabWorker, own = w.onmessage, arrived = [], handled = [];
    w.onmessage = e => { arrived.push(performance.now()); own.call(w, e); handled.push(performance.now()); };
    const ticks = [];
    let ticking = true;
    const tick = () => { ticks.push(performance.now()); if (ticking) requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
    const drawnAfter = prev => new Promise(done => {
        const o = new MutationObserver(() => {
            if (Number(canvas.dataset.drawn) > prev) { o.disconnect(); done(); }
        });
        o.observe(canvas, { attributes: true, attributeFilter: ['data-drawn'] });
    });
    const total = [], input = [], wait = [], handler = [], frame = [], decode = [];
    for (let i = 0; i < __N__; i++) {
        const prev = Number(canvas.dataset.drawn);
        const drawn = drawnAfter(prev);
        const t0 = performance.now();
        s.value = (Math.sin(i * 0.37) * 2.5).toFixed(2);
        s.dispatchEvent(new Event('input', { bubbles: true }));
        const t1 = performance.now();
        const from = arrived.length;
        await drawn;
        const t2 = performance.now();
        // The reply that drew: the last to arrive before the drawn attribute changed.
        const at = arrived.slice(from).filter(a => a <= t2).pop() ?? t1;
        const done = handled.slice(from).filter(h => h >= at).shift() ?? t2;
        total.push(t2 - t0); input.push(t1 - t0); wait.push(at - t1); handler.push(done - at);
        frame.push(ticks.some(t => t >= t0 && t <= t2) ? 1 : 0);
        decode.push(Number(canvas.dataset.decodeUs) / 1000);
    }
    ticking = false;
    w.onmessage = own;
    return { total, input, wait, handler, frame, decode };
})()";

/// Medians and 95th percentiles of each phase, over moves with and without a frame inside.
pub fn print(seq: &Value) {
    let list = |k: &str| -> Vec<f64> {
        seq[k].as_array().map(|a| a.iter().filter_map(Value::as_f64).collect()).unwrap_or_default()
    };
    let framed = list("frame");
    for (label, with) in [("no frame", 0.0), ("a frame ", 1.0)] {
        let mut line = format!("  {label}:");
        let n = framed.iter().filter(|f| **f == with).count();
        for k in ["total", "input", "wait", "handler", "decode"] {
            let mut v: Vec<f64> =
                list(k).into_iter().zip(&framed).filter(|(_, f)| **f == with).map(|(x, _)| x).collect();
            v.sort_by(f64::total_cmp);
            let at = |q: f64| v.get(((v.len() as f64 - 1.0) * q).round() as usize).copied().unwrap_or(0.0);
            line.push_str(&format!(" {k} {:.2}/{:.2}", at(0.5), at(0.95)));
        }
        println!("{line}  ({n} moves; p50/p95 ms)");
    }
}
