//! Photo-like versions of a rendered face, for teaching an encoder to meet real photos: the
//! gap between a drawn face on a flat background and a grey, tightly cropped, unevenly lit,
//! low-resolution photo is what each step here spans. The target stays the clean render's code,
//! so a photo lands where the face it most resembles would.

use data::faces::{FaceSpec, SIZE};
use image_input::crop::{Crop, cut};
use image_input::preprocess::resize_area;
use latent::rng::Rng;

const FACE: usize = SIZE * SIZE * 3;

/// Which steps `photo_like` may take, and how often (a step is skipped with `1 - p`).
#[derive(Clone, Copy, Debug)]
pub struct Recipe {
    pub background: f32,
    pub reframe: f32,
    pub light: f32,
    pub grey: f32,
    pub low_resolution: f32,
    pub noise: f32,
}

/// The recipe `train photo-encoder` uses: each step about as often as photos need it (LFW's are
/// all grey, tight and 25 pixels wide; others are colour and framed loosely).
pub const PHOTO_RECIPE: Recipe =
    Recipe { background: 0.6, reframe: 0.8, light: 0.7, grey: 0.5, low_resolution: 0.6, noise: 0.5 };

/// A photo-like version of `spec`'s render `clean` (64×64 RGB, values in 0..1).
pub fn photo_like(spec: &FaceSpec, clean: &[f32], recipe: &Recipe, rng: &mut Rng) -> Vec<f32> {
    let mut img = clean.to_vec();
    if rng.chance(recipe.background) {
        textured_background(&mut img, spec.background, rng);
    }
    if rng.chance(recipe.reframe) {
        img = reframe(&img, spec, rng);
    }
    if rng.chance(recipe.light) {
        uneven_light(&mut img, rng);
    }
    if rng.chance(recipe.grey) {
        to_grey(&mut img);
    }
    if rng.chance(recipe.low_resolution) {
        let side = 16 + rng.below(33);
        img = low_resolution(&img, side);
    }
    if rng.chance(recipe.noise) {
        let sigma = rng.range(0.005, 0.05);
        img.iter_mut().for_each(|v| *v = (*v + sigma * rng.normal()).clamp(0.0, 1.0));
    }
    img
}

/// The flat background replaced by a blotchy texture around a random colour: photos have walls,
/// rooms and out-of-focus scenes behind a face, not one colour.
fn textured_background(img: &mut [f32], background: [f32; 3], rng: &mut Rng) {
    let base = [rng.unit(), rng.unit(), rng.unit()];
    let coarse = blotches(rng);
    for (i, px) in img.chunks_exact_mut(3).enumerate() {
        if is_background(px, background, i / SIZE) {
            (0..3).for_each(|c| px[c] = (base[c] * coarse[i]).clamp(0.0, 1.0));
        }
    }
}

/// Brightness between 0.6 and 1.3 that varies smoothly over the image: a 5×5 grid of random
/// values, interpolated bilinearly (blocks would look like tiles, not like a room).
fn blotches(rng: &mut Rng) -> Vec<f32> {
    const CELLS: usize = 4;
    let grid: Vec<f32> = (0..(CELLS + 1) * (CELLS + 1)).map(|_| rng.range(0.6, 1.3)).collect();
    let at = |gx: usize, gy: usize| grid[gy * (CELLS + 1) + gx];
    let mut out = Vec::with_capacity(SIZE * SIZE);
    for y in 0..SIZE {
        for x in 0..SIZE {
            let (fx, fy) =
                (x as f32 / (SIZE - 1) as f32 * CELLS as f32, y as f32 / (SIZE - 1) as f32 * CELLS as f32);
            let (gx, gy) = ((fx as usize).min(CELLS - 1), (fy as usize).min(CELLS - 1));
            let (tx, ty) = (fx - gx as f32, fy - gy as f32);
            let top = at(gx, gy) * (1.0 - tx) + at(gx + 1, gy) * tx;
            let bottom = at(gx, gy + 1) * (1.0 - tx) + at(gx + 1, gy + 1) * tx;
            out.push(top * (1.0 - ty) + bottom * ty);
        }
    }
    out
}

/// Whether a pixel of row `y` shows the render's background, which `data::faces` paints with a
/// soft vertical gradient (1.05 at the top to 0.90 at the bottom of the colour).
fn is_background(px: &[f32], background: [f32; 3], y: usize) -> bool {
    let shade = 1.05 - 0.15 * (y as f32 + 0.5) / SIZE as f32;
    (0..3).all(|c| (px[c] - (background[c] * shade).clamp(0.0, 1.0)).abs() < 1.5 / 255.0)
}

/// Cut a square round the face at a random scale (from tight on the face, as LFW's crops are,
/// to looser than the render) and a little off centre, as the page would, and resize it back.
fn reframe(img: &[f32], spec: &FaceSpec, rng: &mut Rng) -> Vec<f32> {
    let side = rng.range(tight_side(spec) * 0.9, 1.2);
    let jitter = |rng: &mut Rng| rng.range(-0.08, 0.08) * side;
    let (dx, dy) = (jitter(rng), jitter(rng));
    reframe_at(img, spec, side, dx, dy)
}

/// The side (in image widths) of a square tight on the face: about the face's own height.
fn tight_side(spec: &FaceSpec) -> f32 {
    (2.0 * spec.ry / SIZE as f32).clamp(0.3, 1.0)
}

/// The square of `side` image widths centred on the face, moved by (`dx`, `dy`), resized back.
fn reframe_at(img: &[f32], spec: &FaceSpec, side: f32, dx: f32, dy: f32) -> Vec<f32> {
    let rgb: Vec<[f32; 3]> = img.chunks_exact(3).map(|p| [p[0], p[1], p[2]]).collect();
    let crop = Crop {
        cx: (spec.cx / SIZE as f32 + dx).clamp(0.0, 1.0),
        cy: (spec.cy / SIZE as f32 + dy).clamp(0.0, 1.0),
        side,
    };
    let (square, n, _) = cut(&rgb, SIZE, SIZE, crop);
    resize_area(&square, n, n, 3, SIZE, SIZE)
}

/// Light from one side and a contrast curve: a linear brightness ramp in a random direction
/// and a random gamma.
fn uneven_light(img: &mut [f32], rng: &mut Rng) {
    let angle = rng.range(0.0, std::f32::consts::TAU);
    let strength = rng.range(0.1, 0.45);
    let gamma = rng.range(0.7, 1.4);
    let (dx, dy) = (angle.cos(), angle.sin());
    for y in 0..SIZE {
        for x in 0..SIZE {
            let t = ((x as f32 / SIZE as f32 - 0.5) * dx + (y as f32 / SIZE as f32 - 0.5) * dy) * 2.0;
            let gain = 1.0 + strength * t;
            for c in 0..3 {
                let v = &mut img[(y * SIZE + x) * 3 + c];
                *v = (v.powf(gamma) * gain).clamp(0.0, 1.0);
            }
        }
    }
}

/// Luminance in all three channels (the page copies a grey photo's value into R, G and B).
fn to_grey(img: &mut [f32]) {
    for px in img.chunks_exact_mut(3) {
        let g = 0.299 * px[0] + 0.587 * px[1] + 0.114 * px[2];
        px.iter_mut().for_each(|v| *v = g);
    }
}

/// Down to `side`×`side` and back up as the page enlarges a small photo (area resampling, which
/// enlarges in blocks).
fn low_resolution(img: &[f32], side: usize) -> Vec<f32> {
    let small = resize_area(img, SIZE, SIZE, 3, side, side);
    resize_area(&small, side, side, 3, SIZE, SIZE)
}

/// `n` faces from `first_seed`: their clean renders and one photo-like version of each.
pub fn pairs(first_seed: u64, n: usize, recipe: &Recipe, rng: &mut Rng) -> (Vec<f32>, Vec<f32>) {
    let (mut clean, mut photo) = (Vec::with_capacity(n * FACE), Vec::with_capacity(n * FACE));
    for seed in first_seed..first_seed + n as u64 {
        let spec = FaceSpec::random(seed);
        let render: Vec<f32> = spec.render().iter().map(|&p| f32::from(p) / 255.0).collect();
        photo.extend(photo_like(&spec, &render, recipe, rng));
        clean.extend(render);
    }
    (clean, photo)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn face(seed: u64) -> (FaceSpec, Vec<f32>) {
        let spec = FaceSpec::random(seed);
        let render = spec.render().iter().map(|&p| f32::from(p) / 255.0).collect();
        (spec, render)
    }

    const NONE: Recipe =
        Recipe { background: 0.0, reframe: 0.0, light: 0.0, grey: 0.0, low_resolution: 0.0, noise: 0.0 };

    #[test]
    fn with_no_step_the_render_is_unchanged_and_every_step_stays_in_range() {
        let (spec, render) = face(3);
        let mut rng = Rng::new(1);
        assert_eq!(photo_like(&spec, &render, &NONE, &mut rng), render);
        let all =
            Recipe { background: 1.0, reframe: 1.0, light: 1.0, grey: 1.0, low_resolution: 1.0, noise: 1.0 };
        for seed in 0..5 {
            let out = photo_like(&spec, &render, &all, &mut Rng::new(seed));
            assert_eq!(out.len(), FACE);
            assert!(out.iter().all(|v| (0.0..=1.0).contains(v)));
            assert_ne!(out, render);
        }
    }

    #[test]
    fn grey_makes_the_channels_equal_and_the_background_gets_a_texture() {
        let (spec, render) = face(5);
        let grey = photo_like(&spec, &render, &Recipe { grey: 1.0, ..NONE }, &mut Rng::new(2));
        assert!(grey.chunks_exact(3).all(|p| p[0] == p[1] && p[1] == p[2]));
        let textured = photo_like(&spec, &render, &Recipe { background: 1.0, ..NONE }, &mut Rng::new(2));
        // The corner is background in every render: it is no longer the flat colour.
        let corner = |img: &[f32]| {
            (0..8)
                .flat_map(|y| (0..8).map(move |x| (y, x)))
                .map(|(y, x)| img[(y * SIZE + x) * 3])
                .collect::<Vec<_>>()
        };
        let c = corner(&textured);
        assert!(c.iter().any(|v| (v - c[0]).abs() > 1e-3), "a texture varies");
        assert!(c.iter().zip(corner(&render)).any(|(a, b)| (a - b).abs() > 1.5 / 255.0));
    }

    #[test]
    fn a_tight_reframe_fills_the_frame_with_the_face() {
        let (spec, _) = face(11);
        // A white disc the size of the face on black, where the face is.
        let disc: Vec<f32> = (0..SIZE * SIZE)
            .flat_map(|i| {
                let (x, y) = ((i % SIZE) as f32 + 0.5, (i / SIZE) as f32 + 0.5);
                let inside = (x - spec.cx).powi(2) + (y - spec.cy).powi(2) < (0.8 * spec.ry).powi(2);
                [if inside { 1.0 } else { 0.0 }; 3]
            })
            .collect();
        let white = |img: &[f32]| img.iter().sum::<f32>() / img.len() as f32;
        let tight = reframe_at(&disc, &spec, tight_side(&spec), 0.0, 0.0);
        let loose = reframe_at(&disc, &spec, 1.2, 0.0, 0.0);
        let (w_tight, w_disc) = (white(&tight), white(&disc));
        assert!(w_tight > w_disc * 1.5, "tight {w_tight} against {w_disc}");
        assert!(white(&loose) < w_disc, "a loose frame makes the face smaller");
    }

    #[test]
    fn the_background_is_found_under_its_gradient() {
        let (spec, render) = face(5);
        let found = render
            .chunks_exact(3)
            .enumerate()
            .filter(|(i, px)| is_background(px, spec.background, i / SIZE))
            .count();
        // The top corners are background in every render.
        assert!(is_background(&render[..3], spec.background, 0), "{:?} {:?}", &render[..3], spec.background);
        assert!(found > 100, "{found} background pixels");
    }
}
