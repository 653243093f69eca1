//! Real photos through faces-vae: scikit-image's 100 LFW faces, which no model here trained on,
//! prepared as the page prepares an upload, encoded and decoded. Measured: does a face check
//! accept the reconstruction as a face, how like the photo it is (SSIM on grey), does the
//! glasses vector add glasses, and does the out-of-distribution score tell photos and non-face
//! patches from the drawn faces the model learned. `train photos` writes bench/PHOTOS.md.

use crate::classifier::{self, Classifier, argmax};
use crate::examples::{Examples, FACE_TEST_SEED, render_faces};
use crate::measure::{attribute_detector, decode_rows, encode_mu};
use burn::prelude::*;
use data::faces::SIZE;
use image_input::crop::Crop;
use image_input::preprocess::{Rgba, prepare_face};
use latent::rng::Rng;
use vae::Model;

const FACE: usize = SIZE * SIZE * 3;
/// Seeds of the face check's renders: apart from the VAE's training (below 24,000), test (from
/// 2^40) and the attribute detectors' (from 2^41) faces.
const CHECK_SEED: u64 = 3 << 40;
/// Renders (and as many non-faces) the face check learns from, and holds out.
const CHECK_TRAIN: usize = 3_000;
const CHECK_HELD: usize = 500;

/// A photo framing to measure: how the square is put over each photo.
pub struct Framing {
    pub name: &'static str,
    /// A fixed square, or `None` for the page's first guess: whichever of
    /// `image_input::crop::first_guesses` the model draws back best, photo by photo.
    pub crop: Option<Crop>,
}

/// The page's first guess; the largest centred square (what the page did before it chose); and
/// that square zoomed out 2×, so the tight LFW crop of a face sits in a frame about as the drawn
/// faces do (head a half of the width).
pub const FRAMINGS: [Framing; 3] = [
    Framing { name: "the page's first guess (of 1×, 1.5×, 2×, the one drawn back best)", crop: None },
    Framing { name: "centred square, 1×", crop: Some(Crop { cx: 0.5, cy: 0.5, side: 1.0 }) },
    Framing { name: "zoomed out 2× (edges filled)", crop: Some(Crop { cx: 0.5, cy: 0.5, side: 2.0 }) },
];

/// How the page judges one first guess (`image_input::crop::GuessScore`).
fn guess_score(
    model: &Model,
    manifest: &bundle::Manifest,
    pixels: &[f32],
    device: &Device,
) -> image_input::crop::GuessScore {
    let s = crate::score::score_input(model, manifest, pixels, device);
    [latent::ood::missed_share_seen(&s.input, &s.reconstruction, 3) as f32, s.rarity as f32]
}

/// The photos framed by `framing`, and the side of each one's square.
fn frame_photos(
    photos: &[Vec<u8>],
    framing: &Framing,
    model: &Model,
    manifest: &bundle::Manifest,
    device: &Device,
) -> (Examples, Vec<f32>) {
    if let Some(crop) = framing.crop {
        return (prepare_photos(photos, data::lfw::SIDE, crop), vec![crop.side; photos.len()]);
    }
    let guesses = image_input::crop::first_guesses();
    let tried: Vec<Examples> = guesses.iter().map(|&c| prepare_photos(photos, data::lfw::SIDE, c)).collect();
    let mut x = Vec::with_capacity(photos.len() * FACE);
    let mut sides = Vec::with_capacity(photos.len());
    for i in 0..photos.len() {
        let scores: Vec<Option<image_input::crop::GuessScore>> =
            tried.iter().map(|t| Some(guess_score(model, manifest, t.row(i), device))).collect();
        let k = image_input::crop::pick_guess(&scores);
        x.extend_from_slice(tried[k].row(i));
        sides.push(guesses[k].side);
    }
    (Examples { x, dim: FACE, labels: vec![0; photos.len()], binarise: false }, sides)
}

/// Grey 8-bit photos as the page prepares them for a 64×64 RGB model, at `crop`.
pub fn prepare_photos(photos: &[Vec<u8>], side: usize, crop: Crop) -> Examples {
    let shape = bundle::ImageShape { width: SIZE, height: SIZE, channels: 3 };
    let mut x = Vec::with_capacity(photos.len() * FACE);
    for p in photos {
        let data = p.iter().flat_map(|&g| [g, g, g, 255]).collect();
        let rgba = Rgba { width: side, height: side, data };
        let prepared =
            prepare_face(&rgba, &shape, crop).map(|p| p.pixels).unwrap_or_else(|_| vec![0.0; FACE]);
        // The page sends the worker what it shows: the 8-bit input.
        x.extend(prepared.iter().map(|v| (v * 255.0).round() / 255.0));
    }
    Examples { x, dim: FACE, labels: vec![0; photos.len()], binarise: false }
}

/// Images that are not faces but share the renders' colours and smoothness: renders cut into
/// 8×8 tiles and shuffled, smooth random colour fields, and blurred colour noise. The face
/// check must tell a face's *structure* from these.
fn non_faces(seed: u64, n: usize) -> Examples {
    let renders = render_faces(seed, n);
    let mut rng = Rng::new(seed ^ 0x5eed);
    let mut x = Vec::with_capacity(n * FACE);
    for i in 0..n {
        let img: Vec<f32> = match i % 3 {
            0 => shuffled_tiles(renders.row(i), &mut rng),
            1 => colour_field(&mut rng),
            _ => blurred_noise(&mut rng),
        };
        x.extend(img);
    }
    Examples { x, dim: FACE, labels: vec![0; n], binarise: false }
}

fn shuffled_tiles(face: &[f32], rng: &mut Rng) -> Vec<f32> {
    const T: usize = 8;
    let per = SIZE / T;
    let mut order: Vec<usize> = (0..per * per).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, rng.below(i + 1));
    }
    let mut out = vec![0.0; FACE];
    for (dst, &src) in order.iter().enumerate() {
        let (dy, dx, sy, sx) = (dst / per * T, dst % per * T, src / per * T, src % per * T);
        for y in 0..T {
            for x in 0..T {
                for c in 0..3 {
                    out[((dy + y) * SIZE + dx + x) * 3 + c] = face[((sy + y) * SIZE + sx + x) * 3 + c];
                }
            }
        }
    }
    out
}

/// A linear gradient between two colours with a few soft blobs of others on it.
fn colour_field(rng: &mut Rng) -> Vec<f32> {
    let colour = |rng: &mut Rng| [rng.unit(), rng.unit(), rng.unit()];
    let (a, b) = (colour(rng), colour(rng));
    let angle = rng.unit() * std::f32::consts::TAU;
    let blobs: Vec<([f32; 3], f32, f32, f32)> = (0..1 + rng.below(4))
        .map(|_| (colour(rng), rng.unit() * 64.0, rng.unit() * 64.0, 4.0 + rng.unit() * 16.0))
        .collect();
    let mut out = Vec::with_capacity(FACE);
    for y in 0..SIZE {
        for x in 0..SIZE {
            let t = (0.5 + ((x as f32 - 32.0) * angle.cos() + (y as f32 - 32.0) * angle.sin()) / 90.0)
                .clamp(0.0, 1.0);
            let mut p = [0, 1, 2].map(|c| a[c] * (1.0 - t) + b[c] * t);
            for (col, bx, by, r) in &blobs {
                let w = (-((x as f32 - bx).powi(2) + (y as f32 - by).powi(2)) / (2.0 * r * r)).exp();
                (0..3).for_each(|c| p[c] = p[c] * (1.0 - w) + col[c] * w);
            }
            out.extend(p);
        }
    }
    out
}

/// Colour noise box-blurred at a random radius (1 to 4 pixels), rows then columns.
fn blurred_noise(rng: &mut Rng) -> Vec<f32> {
    let noise: Vec<f32> = (0..FACE).map(|_| rng.unit()).collect();
    let r = 1 + rng.below(4);
    let along = |img: &[f32], horizontal: bool| -> Vec<f32> {
        let mut out = vec![0.0; FACE];
        for y in 0..SIZE {
            for x in 0..SIZE {
                let at = if horizontal { x } else { y };
                let (lo, hi) = (at.saturating_sub(r), (at + r).min(SIZE - 1));
                for c in 0..3 {
                    let s: f32 = (lo..=hi)
                        .map(|k| {
                            if horizontal { img[(y * SIZE + k) * 3 + c] } else { img[(k * SIZE + x) * 3 + c] }
                        })
                        .sum();
                    out[(y * SIZE + x) * 3 + c] = s / (hi - lo + 1) as f32;
                }
            }
        }
        out
    };
    along(&along(&noise, true), false)
}

/// The face check: a small conv net that says whether a 64×64 image is a face as faces-vae
/// draws them. Trained on renders and their reconstructions (faces) against [`non_faces`];
/// returns it with its accuracy on held-out faces and held-out non-faces.
pub fn face_check(model: &Model, dim: usize, device: &Device) -> (Classifier, f64, f64) {
    let reconstruct = |ex: &Examples| Examples {
        x: decode_rows(model, &encode_mu(model, ex, device), dim, device),
        ..ex.clone()
    };
    let renders = render_faces(CHECK_SEED, CHECK_TRAIN);
    let recons = reconstruct(&renders);
    let others = non_faces(CHECK_SEED + 10_000, 2 * CHECK_TRAIN);
    let x = [renders.x.as_slice(), recons.x.as_slice(), others.x.as_slice()].concat();
    let labels: Vec<usize> = (0..4 * CHECK_TRAIN).map(|i| usize::from(i < 2 * CHECK_TRAIN)).collect();
    let all = Examples { x, dim: FACE, labels: vec![0; labels.len()], binarise: false };
    let check = classifier::train_conv(&all, &labels, SIZE, 2, 4, 23);
    let held = reconstruct(&render_faces(CHECK_SEED + 20_000, CHECK_HELD));
    let held_others = non_faces(CHECK_SEED + 30_000, CHECK_HELD);
    let faces_ok = check.accuracy(&held.x, FACE, &vec![1; CHECK_HELD], device);
    let others_ok = check.accuracy(&held_others.x, FACE, &vec![0; CHECK_HELD], device);
    (check, faces_ok, others_ok)
}

/// Where `train photos --save-check` keeps the face check, relative to the workspace: the browser
/// tests judge the page's reconstructions of photos with it.
pub const FACE_CHECK_FILE: &str = "tests/fixtures/face-check.bpk";

/// A face check saved with [`Classifier::to_bytes`].
pub fn load_face_check(bytes: Vec<u8>, device: &Device) -> Result<Classifier, String> {
    Classifier::conv_from_bytes(SIZE, SIZE, 2, bytes, device)
}

/// Whether the face check takes each image for a face.
pub fn is_face(check: &Classifier, images: &[f32], device: &Device) -> Vec<bool> {
    check.probabilities(images, FACE, device).iter().map(|p| argmax(p) == 1).collect()
}

/// SSIM of two grey images (values in 0..1) over 7×7 windows, averaged: 1 is identical.
pub fn ssim(a: &[f32], b: &[f32], width: usize, height: usize) -> f64 {
    const W: usize = 7;
    let (c1, c2) = (0.01f64.powi(2), 0.03f64.powi(2));
    let (mut sum, mut n) = (0.0, 0.0);
    for y in 0..=height.saturating_sub(W) {
        for x in 0..=width.saturating_sub(W) {
            let px = |img: &[f32]| -> Vec<f64> {
                (0..W * W).map(|k| f64::from(img[(y + k / W) * width + x + k % W])).collect()
            };
            let (pa, pb) = (px(a), px(b));
            let m = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
            let (ma, mb) = (m(&pa), m(&pb));
            let cov = |u: &[f64], mu: f64, v: &[f64], mv: f64| {
                u.iter().zip(v).map(|(p, q)| (p - mu) * (q - mv)).sum::<f64>() / (u.len() - 1) as f64
            };
            let (va, vb, ab) = (cov(&pa, ma, &pa, ma), cov(&pb, mb, &pb, mb), cov(&pa, ma, &pb, mb));
            sum += ((2.0 * ma * mb + c1) * (2.0 * ab + c2)) / ((ma * ma + mb * mb + c1) * (va + vb + c2));
            n += 1.0;
        }
    }
    if n > 0.0 { sum / n } else { f64::NAN }
}

/// An RGB image's grey (the mean of its channels).
pub fn grey(rgb: &[f32]) -> Vec<f32> {
    rgb.chunks_exact(3).map(|p| (p[0] + p[1] + p[2]) / 3.0).collect()
}

/// ROC AUC of telling `positives` from `negatives` by a higher score: the chance that a random
/// positive scores above a random negative (ties count half).
pub fn auc(positives: &[f64], negatives: &[f64]) -> f64 {
    let mut wins = 0.0;
    for p in positives {
        for n in negatives {
            wins += if p > n {
                1.0
            } else if p == n {
                0.5
            } else {
                0.0
            };
        }
    }
    wins / (positives.len() * negatives.len()).max(1) as f64
}

/// Each image's rarity as the page's badge shows it (`score.rs`: the higher of its negative
/// ELBO's and its missed share's percentiles among the test set's, in the manifest).
pub fn ood_scores(model: &Model, manifest: &bundle::Manifest, ex: &Examples, device: &Device) -> Vec<f64> {
    (0..ex.len()).map(|i| crate::score::score_input(model, manifest, ex.row(i), device).rarity).collect()
}

/// What one framing of the photos gives.
pub struct PhotoResult {
    pub framing: &'static str,
    /// How many photos were framed at 1×, 1.5× and 2×.
    pub sides: [usize; 3],
    pub faces_accepted: f64,
    pub ssim: [f64; 4],
    pub glasses_before: f64,
    pub glasses_after: f64,
    pub auc_photos: f64,
    pub auc_non_faces: f64,
    /// Photos, their reconstructions and with glasses added: the first eight of each, one row each.
    pub picture: Vec<f32>,
}

/// Mean, first quartile, median and third quartile.
fn summary(mut v: Vec<f64>) -> [f64; 4] {
    v.sort_by(f64::total_cmp);
    let q = |p: f64| v.get(((v.len().max(1) - 1) as f64 * p).round() as usize).copied().unwrap_or(f64::NAN);
    [v.iter().sum::<f64>() / v.len().max(1) as f64, q(0.25), q(0.5), q(0.75)]
}

/// What judges the photos' reconstructions: the face check and the glasses detector, trained
/// once on the bundle being measured and then used for every bundle compared with it (the
/// decoder, which the checks learn from, is the same in all of them), with their accuracies.
pub struct Judges {
    pub check: Classifier,
    pub check_faces: f64,
    pub check_non_faces: f64,
    pub check_lfw_non_faces: f64,
    pub glasses: crate::measure::Detector,
}

pub fn judges(
    model: &Model,
    manifest: &bundle::Manifest,
    device: &Device,
) -> Result<Judges, Box<dyn std::error::Error>> {
    let dim = manifest.latent_dim;
    let lfw = data::lfw::subset()?;
    let (check, check_faces, check_non_faces) = face_check(model, dim, device);
    let glasses = attribute_detector(model, dim, "glasses", device)?;
    let lfw_non_faces = prepare_photos(&lfw.non_faces, data::lfw::SIDE, Crop::default());
    let refused = is_face(&check, &lfw_non_faces.x, device).iter().filter(|f| !**f).count();
    let check_lfw_non_faces = refused as f64 / lfw.non_faces.len() as f64;
    Ok(Judges { check, check_faces, check_non_faces, check_lfw_non_faces, glasses })
}

/// Every framing of the 100 LFW faces, and where the first guess puts held-out renders.
pub struct PhotoResults {
    pub framings: Vec<PhotoResult>,
    pub render_sides: [usize; 3],
}

/// Every framing of the 100 LFW faces through `model`, judged by `judges`.
pub fn measure(
    judges: &Judges,
    model: &Model,
    manifest: &bundle::Manifest,
    device: &Device,
) -> Result<PhotoResults, Box<dyn std::error::Error>> {
    let dim = manifest.latent_dim;
    let lfw = data::lfw::subset()?;
    let glasses = &manifest
        .vectors
        .iter()
        .find(|v| v.name == "glasses")
        .ok_or("faces-vae has no glasses vector")?
        .vector;
    let lfw_non_faces = prepare_photos(&lfw.non_faces, data::lfw::SIDE, Crop::default());
    let renders = render_faces(FACE_TEST_SEED + 2_000_000, 200);
    let render_scores = ood_scores(model, manifest, &renders, device);
    let render_sides = guessed_sides_of_renders(&renders, model, manifest, device);
    let non_face_scores = ood_scores(model, manifest, &lfw_non_faces, device);
    let mut results = Vec::new();
    for framing in &FRAMINGS {
        let (photos, sides) = frame_photos(&lfw.faces, framing, model, manifest, device);
        let mu = encode_mu(model, &photos, device);
        let recon = decode_rows(model, &mu, dim, device);
        let n = lfw.faces.len() as f64;
        let share = |hits: &[bool]| hits.iter().filter(|h| **h).count() as f64 / n;
        let faces_accepted = share(&is_face(&judges.check, &recon, device));
        let ssims: Vec<f64> = (0..lfw.faces.len())
            .map(|i| {
                let (p, r) = (&photos.x[i * FACE..(i + 1) * FACE], &recon[i * FACE..(i + 1) * FACE]);
                ssim(&grey(p), &grey(r), SIZE, SIZE)
            })
            .collect();
        let edited: Vec<f32> =
            mu.chunks_exact(dim).flat_map(|m| latent::add_scaled(m, glasses, 1.0)).collect();
        let with_glasses = decode_rows(model, &edited, dim, device);
        let photo_scores = ood_scores(model, manifest, &photos, device);
        results.push(PhotoResult {
            framing: framing.name,
            sides: [1.0, 1.5, 2.0].map(|s| sides.iter().filter(|&&x| x == s).count()),
            faces_accepted,
            ssim: summary(ssims),
            glasses_before: share(&judges.glasses.detects(&recon, device)),
            glasses_after: share(&judges.glasses.detects(&with_glasses, device)),
            auc_photos: auc(&photo_scores, &render_scores),
            auc_non_faces: auc(&non_face_scores, &render_scores),
            picture: crate::measure::grid(&[&photos.x, &recon, &with_glasses]),
        });
    }
    Ok(PhotoResults { framings: results, render_sides })
}

/// The side the first guess picks for each of `renders` (drawn faces at the model's own
/// framing, which it should keep at 1×), counted at 1×, 1.5× and 2×.
fn guessed_sides_of_renders(
    renders: &Examples,
    model: &Model,
    manifest: &bundle::Manifest,
    device: &Device,
) -> [usize; 3] {
    let guesses = image_input::crop::first_guesses();
    let mut counts = [0; 3];
    for i in 0..renders.len() {
        let rgba = Rgba {
            width: SIZE,
            height: SIZE,
            data: renders
                .row(i)
                .chunks_exact(3)
                .flat_map(|p| [p[0], p[1], p[2], 1.0].map(|v| (v * 255.0).round() as u8))
                .collect(),
        };
        let shape = bundle::ImageShape { width: SIZE, height: SIZE, channels: 3 };
        let scores: Vec<Option<image_input::crop::GuessScore>> = guesses
            .iter()
            .map(|&c| {
                Some(guess_score(model, manifest, &prepare_face(&rgba, &shape, c).ok()?.pixels, device))
            })
            .collect();
        counts[image_input::crop::pick_guess(&scores)] += 1;
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ssim_is_one_for_the_same_image_and_lower_for_another() {
        // A texture: every 7×7 window varies.
        let mut rng = Rng::new(3);
        let a: Vec<f32> = (0..64 * 64).map(|_| rng.unit()).collect();
        assert!((ssim(&a, &a, 64, 64) - 1.0).abs() < 1e-9);
        let b: Vec<f32> = a.iter().map(|v| 1.0 - v).collect();
        assert!(ssim(&a, &b, 64, 64) < 0.0, "an inverted image anticorrelates");
        let flat = vec![0.5f32; 64 * 64];
        assert!(ssim(&a, &flat, 64, 64) < 0.1);
    }

    #[test]
    fn auc_counts_how_often_positives_score_higher() {
        assert_eq!(auc(&[3.0, 4.0], &[1.0, 2.0]), 1.0);
        assert_eq!(auc(&[1.0], &[2.0]), 0.0);
        assert_eq!(auc(&[1.0, 3.0], &[2.0, 2.0]), 0.5);
        assert_eq!(auc(&[2.0], &[2.0]), 0.5);
    }

    #[test]
    fn non_faces_keep_the_colours_but_not_the_face() {
        let ex = non_faces(7, 6);
        assert_eq!(ex.x.len(), 6 * FACE);
        assert!(ex.x.iter().all(|v| (0.0..=1.0).contains(v)));
        // A shuffled render has the render's pixels, in another order.
        let render = render_faces(7, 1);
        let mut a = render.row(0).to_vec();
        let mut b = ex.row(0).to_vec();
        assert_ne!(a, b);
        a.sort_by(f32::total_cmp);
        b.sort_by(f32::total_cmp);
        assert_eq!(a, b);
    }
}
