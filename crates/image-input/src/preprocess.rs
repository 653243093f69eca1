//! Turning any picture into what a model was trained on, step by step, so the page can show
//! each step. Digits follow MNIST's own recipe: white ink on black, the digit scaled to fit
//! 20×20 and placed in 28×28 by its centre of mass. Garments fill the frame; faces are a square
//! crop (`crop.rs`: centred at first, moved by the user). Plain Rust on RGBA bytes: tested natively, run on the page.

use crate::crop::{Crop, cut};
use bundle::ImageShape;

/// Files larger than this are refused before they are read.
pub const MAX_FILE_BYTES: f64 = 20.0 * 1024.0 * 1024.0;
/// Images with more pixels than this are refused before they are decoded into memory.
pub const MAX_PIXELS: f64 = 40_000_000.0;
/// The page draws images no larger than this on their long side before preprocessing.
pub const WORKING_SIZE: u32 = 256;

/// An image as the browser hands it over: RGBA, 4 bytes per pixel, row-major.
#[derive(Clone, Debug, PartialEq)]
pub struct Rgba {
    pub width: usize,
    pub height: usize,
    pub data: Vec<u8>,
}

/// How a model wants its inputs prepared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputKind {
    Digit,
    Garment,
    Face,
    /// A model imported from PyTorch: nothing is known of how its images were prepared, so the
    /// picture is only squared (a centred crop), resized and made grey when the model is grey.
    /// A picture already at the model's size goes in exactly as it is.
    Plain,
}

impl InputKind {
    pub fn for_model(shape: &ImageShape, dataset: &str) -> Self {
        if dataset == bundle::IMPORTED_DATASET {
            InputKind::Plain
        } else if shape.channels == 3 {
            InputKind::Face
        } else if dataset.to_lowercase().contains("fashion") {
            InputKind::Garment
        } else {
            InputKind::Digit
        }
    }
}

/// The model input (values in [0, 1], the model's layout) and the steps taken, in words.
#[derive(Clone, Debug, PartialEq)]
pub struct Prepared {
    pub pixels: Vec<f32>,
    pub steps: Vec<String>,
}

pub fn prepare(img: &Rgba, shape: &ImageShape, kind: InputKind) -> Result<Prepared, String> {
    if img.width == 0 || img.height == 0 || img.data.len() != img.width * img.height * 4 {
        return Err("the image has no pixels".into());
    }
    match kind {
        InputKind::Face => Ok(face(img, shape, Crop::default())),
        InputKind::Plain => Ok(plain(img, shape)),
        InputKind::Digit | InputKind::Garment => grey_object(img, shape, kind),
    }
}

/// Channel values in [0, 1] over a white background (transparent pixels count as paper).
fn over_white(img: &Rgba) -> Vec<[f32; 3]> {
    img.data
        .chunks_exact(4)
        .map(|p| {
            let a = f32::from(p[3]) / 255.0;
            [0, 1, 2].map(|c| f32::from(p[c]) / 255.0 * a + (1.0 - a))
        })
        .collect()
}

/// A face photo cut at `crop` (the centred square unless the user moved it) and resized.
pub fn prepare_face(img: &Rgba, shape: &ImageShape, crop: Crop) -> Result<Prepared, String> {
    if img.width == 0 || img.height == 0 || img.data.len() != img.width * img.height * 4 {
        return Err("the image has no pixels".into());
    }
    Ok(face(img, shape, crop))
}

fn face(img: &Rgba, shape: &ImageShape, crop: Crop) -> Prepared {
    let rgb = over_white(img);
    let (square, side, padded) = cut(&rgb, img.width, img.height, crop);
    let pixels = resize_area(&square, side, side, 3, shape.width, shape.height);
    let mut steps = vec![];
    if crop == Crop::default() {
        if img.width != img.height {
            steps.push(format!("centre crop {side}×{side}"));
        }
    } else {
        let (left, top, _) = crop.in_pixels(img.width, img.height);
        steps.push(format!("crop {side}×{side} at ({:.0}, {:.0})", left, top));
    }
    if padded {
        steps.push("edges filled with the border colour".into());
    }
    steps.push(format!("resize to {}×{}", shape.width, shape.height));
    Prepared { pixels, steps }
}

fn plain(img: &Rgba, shape: &ImageShape) -> Prepared {
    let rgb = over_white(img);
    let (mut pixels, mut steps): (Vec<f32>, Vec<String>) = (rgb.concat(), vec![]);
    if (img.width, img.height) != (shape.width, shape.height) {
        let (square, side, _) = cut(&rgb, img.width, img.height, Crop::default());
        if img.width != img.height {
            steps.push(format!("centre crop {side}×{side}"));
        }
        pixels = resize_area(&square, side, side, 3, shape.width, shape.height);
        steps.push(format!("resize to {}×{}", shape.width, shape.height));
    }
    if shape.channels == 1 {
        pixels = pixels.chunks_exact(3).map(|p| 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2]).collect();
        steps.push("grey".into());
    }
    if steps.is_empty() {
        steps.push("as it is".into());
    }
    Prepared { pixels, steps }
}

fn grey_object(img: &Rgba, shape: &ImageShape, kind: InputKind) -> Result<Prepared, String> {
    let (w, h) = (img.width, img.height);
    let mut grey: Vec<f32> =
        over_white(img).iter().map(|[r, g, b]| 0.299 * r + 0.587 * g + 0.114 * b).collect();
    let mut steps = vec!["greyscale".to_string()];
    // The model expects a light object on black. Judge the background by the border.
    let border: Vec<f32> = (0..w)
        .flat_map(|x| [grey[x], grey[(h - 1) * w + x]])
        .chain((0..h).flat_map(|y| [grey[y * w], grey[y * w + w - 1]]))
        .collect();
    let mut lo = median(&border);
    if border.iter().sum::<f32>() / border.len() as f32 > 0.5 {
        grey.iter_mut().for_each(|v| *v = 1.0 - *v);
        lo = 1.0 - lo;
        steps.push("invert (light background)".into());
    }
    // Stretch contrast: the background level becomes 0 and the brightest ink 1.
    let hi = grey.iter().copied().fold(0.0f32, f32::max);
    if hi - lo < 0.15 {
        return Err("the image is blank: no shape stands out from the background".into());
    }
    grey.iter_mut().for_each(|v| *v = ((*v - lo) / (hi - lo)).clamp(0.0, 1.0));
    let (bx0, by0, bx1, by1) = bounding_box(&grey, w, h, 0.2).ok_or("the image is blank")?;
    let (bw, bh) = (bx1 - bx0, by1 - by0);
    let mut crop = Vec::with_capacity(bw * bh);
    for y in by0..by1 {
        crop.extend_from_slice(&grey[y * w + bx0..y * w + bx1]);
    }
    steps.push(format!("crop to the shape ({bw}×{bh})"));
    let (tw, th) = (shape.width, shape.height);
    // MNIST digits fit a 20×20 box inside 28×28; garments fill the frame.
    let fit = if kind == InputKind::Digit { tw * 20 / 28 } else { tw };
    let scale = fit as f32 / bw.max(bh) as f32;
    let (sw, sh) = (
        ((bw as f32 * scale).round() as usize).clamp(1, tw),
        ((bh as f32 * scale).round() as usize).clamp(1, th),
    );
    let small = resize_area(&crop, bw, bh, 1, sw, sh);
    steps.push(format!("resize to {sw}×{sh}"));
    let (ox, oy) = if kind == InputKind::Digit {
        let (cx, cy) = centre_of_mass(&small, sw, sh);
        steps.push("centre by mass".into());
        let place = |c: f32, size: usize, span: usize| {
            ((size as f32 / 2.0 - c).round() as isize).clamp(0, (size - span) as isize) as usize
        };
        (place(cx, tw, sw), place(cy, th, sh))
    } else {
        ((tw - sw) / 2, (th - sh) / 2)
    };
    let mut pixels = vec![0.0f32; tw * th];
    for y in 0..sh {
        for x in 0..sw {
            pixels[(y + oy) * tw + x + ox] = small[y * sw + x];
        }
    }
    steps.push(format!("place in {tw}×{th}"));
    Ok(Prepared { pixels, steps })
}

/// The background level: the median of the border, so a stray dark pixel does not count.
fn median(border: &[f32]) -> f32 {
    let mut b = border.to_vec();
    b.sort_by(f32::total_cmp);
    b[b.len() / 2]
}

fn bounding_box(v: &[f32], w: usize, h: usize, threshold: f32) -> Option<(usize, usize, usize, usize)> {
    let (mut x0, mut y0, mut x1, mut y1) = (w, h, 0, 0);
    for y in 0..h {
        for x in 0..w {
            if v[y * w + x] > threshold {
                (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x + 1), y1.max(y + 1));
            }
        }
    }
    (x1 > x0 && y1 > y0).then_some((x0, y0, x1, y1))
}

/// Centre of mass in pixel coordinates (pixel centres at +0.5).
pub fn centre_of_mass(v: &[f32], w: usize, h: usize) -> (f32, f32) {
    let (mut sx, mut sy, mut m) = (0.0f32, 0.0f32, 0.0f32);
    for y in 0..h {
        for x in 0..w {
            let p = v[y * w + x];
            sx += p * (x as f32 + 0.5);
            sy += p * (y as f32 + 0.5);
            m += p;
        }
    }
    if m <= 0.0 { (w as f32 / 2.0, h as f32 / 2.0) } else { (sx / m, sy / m) }
}

/// Area-average resampling (every source pixel contributes by its overlap): no aliasing when
/// shrinking, plain nearest blocks when enlarging.
pub fn resize_area(src: &[f32], w: usize, h: usize, c: usize, tw: usize, th: usize) -> Vec<f32> {
    let mut out = vec![0.0f32; tw * th * c];
    let (fx, fy) = (w as f32 / tw as f32, h as f32 / th as f32);
    for ty in 0..th {
        let (y0, y1) = (ty as f32 * fy, (ty + 1) as f32 * fy);
        for tx in 0..tw {
            let (x0, x1) = (tx as f32 * fx, (tx + 1) as f32 * fx);
            let mut acc = [0.0f32; 4];
            let mut area = 0.0f32;
            for sy in y0.floor() as usize..(y1.ceil() as usize).min(h) {
                let oy = (y1.min(sy as f32 + 1.0) - y0.max(sy as f32)).max(0.0);
                for sx in x0.floor() as usize..(x1.ceil() as usize).min(w) {
                    let a = oy * (x1.min(sx as f32 + 1.0) - x0.max(sx as f32)).max(0.0);
                    for k in 0..c {
                        acc[k] += a * src[(sy * w + sx) * c + k];
                    }
                    area += a;
                }
            }
            for k in 0..c {
                out[(ty * tw + tx) * c + k] = if area > 0.0 { acc[k] / area } else { 0.0 };
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const MNIST: ImageShape = ImageShape { width: 28, height: 28, channels: 1 };

    /// A dark bar drawn on white paper, off centre, in a large photo-sized image.
    fn dark_bar_on_white() -> Rgba {
        let (w, h) = (200, 120);
        let mut data = vec![255u8; w * h * 4];
        for y in 20..80 {
            for x in 130..145 {
                let i = (y * w + x) * 4;
                data[i..i + 3].copy_from_slice(&[10, 10, 10]);
            }
        }
        Rgba { width: w, height: h, data }
    }

    #[test]
    fn a_digit_photo_is_inverted_cropped_and_centred() {
        let p = prepare(&dark_bar_on_white(), &MNIST, InputKind::Digit).unwrap();
        assert_eq!(p.pixels.len(), 784);
        assert!(p.steps.iter().any(|s| s.starts_with("invert")), "{:?}", p.steps);
        // The bar is 60 tall: scaled to 20 rows, centred by mass in 28×28.
        let rows: Vec<usize> = (0..28).filter(|y| (0..28).any(|x| p.pixels[y * 28 + x] > 0.5)).collect();
        assert_eq!(rows.len(), 20, "{rows:?}");
        let (cx, cy) = centre_of_mass(&p.pixels, 28, 28);
        assert!((cx - 14.0).abs() < 1.0 && (cy - 14.0).abs() < 1.0, "centre ({cx}, {cy})");
        // Background is black after inversion.
        assert_eq!(p.pixels[0], 0.0);
    }

    #[test]
    fn an_imported_model_takes_a_picture_of_its_size_as_it_is_and_squares_others() {
        let img = Rgba { width: 28, height: 28, data: (0..28 * 28 * 4).map(|i| (i % 251) as u8).collect() };
        let grey = prepare(&img, &MNIST, InputKind::Plain).unwrap();
        let want: Vec<f32> = img
            .data
            .chunks_exact(4)
            .map(|p| {
                let a = f32::from(p[3]) / 255.0;
                let c = |v: u8| f32::from(v) / 255.0 * a + (1.0 - a);
                0.299 * c(p[0]) + 0.587 * c(p[1]) + 0.114 * c(p[2])
            })
            .collect();
        assert_eq!((grey.pixels, grey.steps), (want, vec!["grey".to_string()]));
        let wide = dark_bar_on_white();
        let p = prepare(&wide, &MNIST, InputKind::Plain).unwrap();
        assert_eq!(p.pixels.len(), 784);
        assert_eq!(p.steps, ["centre crop 120×120", "resize to 28×28", "grey"]);
        // Not inverted, not centred by mass: nothing digit-like is assumed.
        assert!(p.pixels[0] > 0.9, "{}", p.pixels[0]);
    }

    #[test]
    fn white_ink_on_black_is_not_inverted() {
        let mut img = dark_bar_on_white();
        img.data.chunks_exact_mut(4).for_each(|p| {
            p[0] = 255 - p[0];
            p[1] = 255 - p[1];
            p[2] = 255 - p[2];
        });
        let p = prepare(&img, &MNIST, InputKind::Digit).unwrap();
        assert!(!p.steps.iter().any(|s| s.starts_with("invert")));
        assert!(p.pixels.iter().any(|v| *v > 0.9));
    }

    #[test]
    fn blank_and_empty_images_are_refused() {
        let blank = Rgba { width: 10, height: 10, data: vec![255; 400] };
        assert!(prepare(&blank, &MNIST, InputKind::Digit).unwrap_err().contains("blank"));
        let empty = Rgba { width: 0, height: 0, data: vec![] };
        assert!(prepare(&empty, &MNIST, InputKind::Digit).is_err());
        let short = Rgba { width: 10, height: 10, data: vec![0; 12] };
        assert!(prepare(&short, &MNIST, InputKind::Digit).is_err());
    }

    #[test]
    fn faces_are_centre_cropped_to_the_model_size() {
        let shape = ImageShape { width: 64, height: 64, channels: 3 };
        // Left third red, the rest blue: the centre crop of a 300×100 image is all blue.
        let (w, h) = (300, 100);
        let mut data = Vec::new();
        for _ in 0..h {
            for x in 0..w {
                data.extend_from_slice(if x < 100 { &[255, 0, 0, 255] } else { &[0, 0, 255, 255] });
            }
        }
        let p = prepare(&Rgba { width: w, height: h, data }, &shape, InputKind::Face).unwrap();
        assert_eq!(p.pixels.len(), 64 * 64 * 3);
        assert!(p.pixels.chunks_exact(3).all(|c| c[0] < 0.01 && c[2] > 0.99));
        assert!(p.steps[0].contains("100×100"));
    }

    #[test]
    fn area_resize_keeps_the_mean() {
        let src: Vec<f32> = (0..36).map(|i| (i % 7) as f32 / 6.0).collect();
        let out = resize_area(&src, 6, 6, 1, 4, 4);
        let mean = |v: &[f32]| v.iter().sum::<f32>() / v.len() as f32;
        assert!((mean(&src) - mean(&out)).abs() < 1e-4);
        assert_eq!(resize_area(&[0.25, 0.75], 2, 1, 1, 1, 1), vec![0.5]);
    }

    #[test]
    fn kind_follows_the_model() {
        let face = ImageShape { width: 64, height: 64, channels: 3 };
        assert_eq!(InputKind::for_model(&face, "faces"), InputKind::Face);
        assert_eq!(InputKind::for_model(&MNIST, "Fashion-MNIST (Debian)"), InputKind::Garment);
        assert_eq!(InputKind::for_model(&MNIST, "MNIST"), InputKind::Digit);
    }
}
