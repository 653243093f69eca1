//! A look at a file's bytes before the browser decodes it: is it an image format we read, is
//! it whole, and how many pixels does its header declare? A header that claims 30000×30000 is
//! refused here, before any decoder allocates gigabytes; a cut-off file gets a message that
//! says so, instead of a half-grey picture.

use crate::preprocess::MAX_PIXELS;

/// The formats the page reads (what Chromium's decoders handle and people actually have).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Png,
    Jpeg,
    Gif,
    Webp,
    Bmp,
}

/// A PNG's closing IEND chunk: empty, so its CRC is always the same.
const PNG_END: [u8; 12] = [0, 0, 0, 0, b'I', b'E', b'N', b'D', 0xAE, 0x42, 0x60, 0x82];

/// What a file is, or why it will not be read, in words for the notice.
pub fn sniff(bytes: &[u8]) -> Result<Format, String> {
    if bytes.is_empty() {
        return Err("is empty (0 bytes)".into());
    }
    let format = format_of(bytes).ok_or_else(|| {
        format!(
            "is not an image Latent Lab can read (it looks like {}); use a PNG, JPEG, GIF, WebP or BMP file",
            kind_of(bytes)
        )
    })?;
    let whole = match format {
        // The IEND chunk (empty, fixed CRC) anywhere after the header: some tools append bytes
        // after it, which browsers ignore, so it need not be last.
        Format::Png => bytes.len() >= 20 && bytes[8..].windows(12).any(|w| w == PNG_END),
        // Some cameras pad after the end marker; look for it near the end.
        Format::Jpeg => {
            bytes.len() >= 4 && bytes[bytes.len().saturating_sub(64)..].windows(2).any(|w| w == [0xFF, 0xD9])
        }
        Format::Gif => bytes.last() == Some(&0x3B),
        Format::Webp => {
            bytes.len() >= 12
                && u64::from(u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]])) + 8
                    <= bytes.len() as u64
        }
        Format::Bmp => {
            bytes.len() >= 6
                && u64::from(u32::from_le_bytes([bytes[2], bytes[3], bytes[4], bytes[5]]))
                    <= bytes.len() as u64
        }
    };
    if !whole {
        return Err("ends early: the file was cut off (an interrupted download or copy?)".into());
    }
    if let Some((w, h)) = dimensions(format, bytes) {
        if w == 0 || h == 0 {
            return Err(format!("declares a {w}×{h} image: it has no pixels"));
        }
        if w as f64 * h as f64 > MAX_PIXELS {
            return Err(format!(
                "declares {w}×{h} pixels; images up to {:.0} megapixels are accepted",
                MAX_PIXELS / 1e6
            ));
        }
    }
    Ok(format)
}

fn format_of(b: &[u8]) -> Option<Format> {
    if b.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(Format::Png)
    } else if b.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(Format::Jpeg)
    } else if b.starts_with(b"GIF87a") || b.starts_with(b"GIF89a") {
        Some(Format::Gif)
    } else if b.len() >= 12 && &b[..4] == b"RIFF" && &b[8..12] == b"WEBP" {
        Some(Format::Webp)
    } else if b.starts_with(b"BM") && b.len() >= 26 {
        Some(Format::Bmp)
    } else {
        None
    }
}

/// A guess at what a non-image is, so the message can say "a PDF" rather than "unknown".
fn kind_of(b: &[u8]) -> &'static str {
    let head = String::from_utf8_lossy(&b[..b.len().min(512)]).to_lowercase();
    if b.starts_with(b"%PDF") {
        "a PDF document"
    } else if b.starts_with(b"PK\x03\x04") || b.starts_with(b"PK\x05\x06") {
        "a ZIP archive"
    } else if b.starts_with(b"MZ") || b.starts_with(b"\x7fELF") {
        "a program, which is never run here"
    } else if b.starts_with(b"II*\0") || b.starts_with(b"MM\0*") {
        "a TIFF image, which browsers do not decode"
    } else if head.contains("<svg") {
        "an SVG drawing, which is refused: it can carry scripts"
    } else if head.contains("<html") || head.contains("<!doctype") || head.contains("<script") {
        "a web page"
    } else if b.starts_with(b"\x89PNG") {
        "a damaged PNG"
    } else if std::str::from_utf8(&b[..b.len().min(512)]).is_ok() {
        "text"
    } else {
        "unknown binary data"
    }
}

/// Width and height as the header declares them, where the header is simple to read.
fn dimensions(format: Format, b: &[u8]) -> Option<(u64, u64)> {
    let be32 = |i: usize| Some(u32::from_be_bytes(b.get(i..i + 4)?.try_into().ok()?) as u64);
    let le16 = |i: usize| Some(u16::from_le_bytes(b.get(i..i + 2)?.try_into().ok()?) as u64);
    let le32 = |i: usize| Some(i32::from_le_bytes(b.get(i..i + 4)?.try_into().ok()?).unsigned_abs() as u64);
    match format {
        // IHDR is always the first chunk.
        Format::Png => Some((be32(16)?, be32(20)?)),
        Format::Gif => Some((le16(6)?, le16(8)?)),
        Format::Bmp => Some((le32(18)?, le32(22)?)),
        Format::Jpeg => jpeg_dimensions(b),
        Format::Webp => None,
    }
}

/// Walk the JPEG markers to the first start-of-frame, which holds the size.
fn jpeg_dimensions(b: &[u8]) -> Option<(u64, u64)> {
    let mut i = 2;
    while i + 9 < b.len() {
        if b[i] != 0xFF {
            return None;
        }
        let marker = b[i + 1];
        let len = u16::from_be_bytes([b[i + 2], b[i + 3]]) as usize;
        // SOF0..SOF15, except DHT (C4), JPG (C8) and DAC (CC).
        if (0xC0..=0xCF).contains(&marker) && ![0xC4, 0xC8, 0xCC].contains(&marker) {
            let h = u16::from_be_bytes([b[i + 5], b[i + 6]]) as u64;
            let w = u16::from_be_bytes([b[i + 7], b[i + 8]]) as u64;
            return Some((w, h));
        }
        i = i.saturating_add(2 + len);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn fixture(name: &str) -> Vec<u8> {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/bad").join(name);
        std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    #[test]
    fn the_bad_corpus_is_refused_with_reasons() {
        for (name, says) in [
            ("empty.png", "empty"),
            ("text-renamed.png", "text"),
            ("html-renamed.jpg", "web page"),
            ("pdf-renamed.png", "PDF"),
            ("zip-renamed.png", "ZIP"),
            ("random-bytes.png", "unknown binary"),
            ("truncated.png", "cut off"),
            ("truncated.jpg", "cut off"),
            ("png-signature-only.png", "cut off"),
            ("bomb-30000x30000.png", "30000×30000"),
            ("huge-dimensions-small-file.png", "7000×7000"),
            ("zero-width.png", "no pixels"),
            ("script.svg", "SVG"),
            ("tiff.tif", "TIFF"),
            ("truncated.gif", "cut off"),
            ("truncated.webp", "cut off"),
            ("truncated.bmp", "cut off"),
            ("bomb-30000x30000.gif", "30000×30000"),
            ("exe-renamed.png", "a program"),
        ] {
            let e = sniff(&fixture(name)).expect_err(name);
            assert!(e.contains(says), "{name}: {e}");
        }
    }

    #[test]
    fn odd_but_valid_images_pass() {
        for (name, format) in [
            ("16-bit.png", Format::Png),
            ("cmyk.jpg", Format::Jpeg),
            ("exif-rotated.jpg", Format::Jpeg),
            ("animated.gif", Format::Gif),
            ("image.webp", Format::Webp),
            ("grey-alpha.png", Format::Png),
            ("bmp.bmp", Format::Bmp),
            ("1x1.png", Format::Png),
            ("10000x10.png", Format::Png),
            ("progressive.jpg", Format::Jpeg),
            ("trailing-bytes.png", Format::Png),
            // Whole in structure, broken inside: passing here, it is the browser's decoder that
            // refuses it (tests/browser/robustness.rs).
            ("corrupt-pixels.png", Format::Png),
        ] {
            assert_eq!(sniff(&fixture(name)), Ok(format), "{name}");
        }
        assert_eq!(jpeg_dimensions(&fixture("cmyk.jpg")), Some((120, 160)));
    }
}
