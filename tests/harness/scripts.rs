//! The benchmark's scripted slider moves, shared by `bench` and `page_profile` (`__N__` is the
//! number of steps).

/// Sequential decodes: move the top slider, wait until its image is drawn, repeat. Returns the
/// worker's own decode times and the page's input-to-pixels times, in ms.
pub const SEQUENTIAL: &str = "(async () => {
    const s = document.querySelector('[data-testid=latent-slider]');
    const canvas = document.querySelector('[data-testid=decoded]');
    const worker = [], total = [];
    // Resolves when the canvas has drawn a decode newer than `prev` (a mutation observer, so
    // the timing is not rounded to a timer's 4 ms clamp).
    const drawnAfter = prev => new Promise(done => {
        const o = new MutationObserver(() => {
            if (Number(canvas.dataset.drawn) > prev) { o.disconnect(); done(); }
        });
        o.observe(canvas, { attributes: true, attributeFilter: ['data-drawn'] });
    });
    for (let i = 0; i < __N__; i++) {
        const prev = Number(canvas.dataset.drawn);
        const wait = drawnAfter(prev);
        const t0 = performance.now();
        s.value = (Math.sin(i * 0.37) * 2.5).toFixed(2);
        s.dispatchEvent(new Event('input', { bubbles: true }));
        await wait;
        total.push(performance.now() - t0);
        worker.push(Number(canvas.dataset.decodeUs) / 1000);
    }
    return { worker, total };
})()";

/// One slider step per animation frame, as a dragging hand makes them; returns frame intervals.
pub const DRAG: &str = "(async () => {
    const s = document.querySelector('[data-testid=latent-slider]');
    const frames = [];
    let last = null;
    await new Promise(done => {
        let i = 0;
        const step = t => {
            if (last !== null) frames.push(t - last);
            last = t;
            if (i++ >= __N__) return done();
            s.value = (Math.sin(i * 0.05) * 3).toFixed(2);
            s.dispatchEvent(new Event('input', { bubbles: true }));
            requestAnimationFrame(step);
        };
        requestAnimationFrame(step);
    });
    return frames;
})()";

/// Defines `pixelsOf(el)`: a promise of the RGBA `ImageData` of a canvas, or of an `<img>` once
/// it is decoded, at its own size (the page's thumbnails are images; the decoded picture, the
/// map and the pad are canvases). Put it first in an `async` snippet.
pub const PIXELS_OF: &str = "const pixelsOf = async el => {
    if (el instanceof HTMLCanvasElement) return el.getContext('2d').getImageData(0, 0, el.width, el.height);
    await el.decode();
    const c = document.createElement('canvas');
    c.width = el.naturalWidth;
    c.height = el.naturalHeight;
    const g = c.getContext('2d');
    g.drawImage(el, 0, 0);
    return g.getImageData(0, 0, c.width, c.height);
};";
