//! Any file as a dropped image, through the Rust the page runs on it: `sniff` on the raw bytes
//! (format, truncation, declared size), then `prepare` on RGBA pixels of any size and content,
//! for each kind of model. Neither may panic; `prepare` either says why it cannot use the image
//! (a blank page, say) or returns the model's input: the right length, every value in [0, 1].
#![no_main]

use image_input::preprocess::{InputKind, Rgba, prepare};
use image_input::sniff::sniff;
use libfuzzer_sys::fuzz_target;
use bundle::ImageShape;

fuzz_target!(|data: &[u8]| {
    let _ = sniff(data);
    // The first two bytes pick a width and height (the page draws at most 256 on a side), the
    // rest are the pixels, repeated to fill the image.
    let [w, h, rest @ ..] = data else { return };
    let (width, height) = (usize::from(*w) + 1, usize::from(*h) + 1);
    if rest.is_empty() {
        return;
    }
    let pixels: Vec<u8> = rest.iter().copied().cycle().take(width * height * 4).collect();
    let img = Rgba { width, height, data: pixels };
    let models = [
        (ImageShape { width: 28, height: 28, channels: 1 }, InputKind::Digit),
        (ImageShape { width: 28, height: 28, channels: 1 }, InputKind::Garment),
        (ImageShape { width: 64, height: 64, channels: 3 }, InputKind::Face),
    ];
    for (shape, kind) in models {
        let prepared = match prepare(&img, &shape, kind) {
            Ok(p) => p,
            Err(why) => {
                assert!(!why.is_empty(), "a refusal must say why");
                continue;
            }
        };
        assert_eq!(prepared.pixels.len(), shape.len());
        assert!(prepared.pixels.iter().all(|v| (0.0..=1.0).contains(v)), "{kind:?}: values outside [0, 1]");
    }
});
