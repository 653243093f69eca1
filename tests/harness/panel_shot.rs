//! A screenshot of one panel alone, for the README.

use super::Page;
use headless_chrome::protocol::cdp::Page::CaptureScreenshotFormatOption;

impl Page {
    /// Save a screenshot of the first element matching `selector` alone, as
    /// target/screenshots/<test name><suffix>.png (README pictures of one panel).
    pub fn screenshot_element(&self, selector: &str, suffix: &str) {
        let dir = paths::target_dir().join("screenshots");
        let _ = std::fs::create_dir_all(&dir);
        // Scrolled to the top of the viewport, captured, and cut out of the capture (the
        // protocol's own clip came back as the whole viewport here).
        let r = self.eval(&format!(
            "(() => {{ const e = document.querySelector('{selector}'); if (!e) return null; e.scrollIntoView(); const r = e.getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; }})()"
        ));
        let Some(r) = r.as_array().filter(|a| a.len() == 4) else { return };
        let v = |i: usize| r[i].as_f64().unwrap_or(0.0).max(0.0).round() as usize;
        let Ok(png) = self.tab.capture_screenshot(CaptureScreenshotFormatOption::Png, None, None, true)
        else {
            return;
        };
        if let Some(cut) = crop_png(&png, v(0), v(1), v(2), v(3)) {
            let _ = std::fs::write(dir.join(format!("{}{suffix}.png", self.name)), cut);
        }
    }
}

/// The part of an RGB(A) PNG at (x, y) of w × h pixels (clamped to the picture), as a PNG.
fn crop_png(bytes: &[u8], x: usize, y: usize, w: usize, h: usize) -> Option<Vec<u8>> {
    let mut reader = png::Decoder::new(std::io::Cursor::new(bytes)).read_info().ok()?;
    let mut buf = vec![0; reader.output_buffer_size()?];
    let info = reader.next_frame(&mut buf).ok()?;
    let channels = info.color_type.samples();
    let (iw, ih) = (info.width as usize, info.height as usize);
    let (w, h) = (w.min(iw.saturating_sub(x)), h.min(ih.saturating_sub(y)));
    let mut out = Vec::with_capacity(w * h * channels);
    for row in y..y + h {
        out.extend_from_slice(&buf[(row * iw + x) * channels..(row * iw + x + w) * channels]);
    }
    let mut png_bytes = Vec::new();
    let mut enc = png::Encoder::new(&mut png_bytes, w as u32, h as u32);
    enc.set_color(info.color_type);
    enc.set_depth(png::BitDepth::Eight);
    enc.write_header().ok()?.write_image_data(&out).ok()?;
    Some(png_bytes)
}
