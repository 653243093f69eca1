//! Measurements that judge decoded images with a trained classifier:
//! - `gaps`: what share of prior samples z ~ N(0, I) decode to a confident digit. An autoencoder's
//!   codes do not fill the prior, so most random points land in a gap; a VAE's do.
//! - `edits`: add an attribute vector (glasses, smile) to faces that lack it, decode, and ask a
//!   detector whether the attribute is now there, and where the pixels changed.

use crate::classifier::{self, Classifier, argmax};
use crate::examples::{Examples, FACE_TEST_SEED, render_faces};
use burn::prelude::*;
use data::Split;
use data::faces::{ATTRIBUTES, FaceSpec, SIZE};
use latent::prior::Prior;
use latent::rng::Rng;
use serde::Serialize;
use vae::Model;

/// Seeds for the faces a detector learns from: disjoint from the VAE's training range (below
/// 24,000), its test range (from 2^40) and the faces that get edited.
const DETECTOR_SEED: u64 = 1 << 41;
/// Held-out faces to edit: far from the 5,000 test faces the vectors were computed on.
const EDIT_SEED: u64 = FACE_TEST_SEED + 1_000_000;
const PRIOR_SEED: u64 = 2024;
/// Passes over the training set for the digit and garment classifiers that judge prior
/// samples.
const CLASSIFIER_EPOCHS: usize = 12;
/// Passes over the 12,000 detector images (6,000 renders and their reconstructions).
const DETECTOR_EPOCHS: usize = 6;

pub(crate) fn decode_rows(model: &Model, z: &[f32], dim: usize, device: &Device) -> Vec<f32> {
    let mut out = Vec::with_capacity(z.len() / dim * model_len(model));
    for chunk in z.chunks(256 * dim) {
        let t = Tensor::<1>::from_floats(chunk, device).reshape([chunk.len() / dim, dim]);
        out.extend(model.decode(t).into_data().try_to_vec::<f32>().unwrap_or_default());
    }
    out
}

fn model_len(model: &Model) -> usize {
    match model {
        Model::Mlp(_) => 784,
        Model::Conv(m) => m.image_len(),
    }
}

pub(crate) fn encode_mu(model: &Model, ex: &Examples, device: &Device) -> Vec<f32> {
    let mut out = Vec::new();
    for chunk in ex.x.chunks(256 * ex.dim) {
        let t = Tensor::<1>::from_floats(chunk, device).reshape([chunk.len() / ex.dim, ex.dim]);
        out.extend(model.encode(t).0.into_data().try_to_vec::<f32>().unwrap_or_default());
    }
    out
}

/// The digit classifier the gap measurement trusts, with its own MNIST test accuracy.
pub fn digit_classifier(device: &Device) -> Result<(Classifier, f64), data::DatasetError> {
    classifier_for(crate::examples::Source::Mnist, device)
}

/// A classifier of `source`'s ten classes (digits or garments), trained here, with its test
/// accuracy: the judge of prior samples.
pub fn classifier_for(
    source: crate::examples::Source,
    device: &Device,
) -> Result<(Classifier, f64), data::DatasetError> {
    let train = source.load(Split::Train, 0)?;
    let test = source.load(Split::Test, 0)?;
    let labels = |ex: &Examples| ex.labels.iter().map(|&l| usize::from(l)).collect::<Vec<_>>();
    let model = classifier::train(&train, &labels(&train), 10, CLASSIFIER_EPOCHS, 11);
    let accuracy = model.accuracy(&test.x, test.dim, &labels(&test), device);
    Ok((model, accuracy))
}

#[derive(Clone, Debug, Serialize)]
pub struct PriorConfidence {
    pub samples: usize,
    /// Share of samples the classifier labels with probability ≥ 0.9.
    pub confident_share: f64,
    pub mean_max_probability: f64,
    /// How many confident samples fell in each digit class.
    pub per_class: Vec<usize>,
}

/// The share of `n` prior samples of faces-vae that the face check (`photos::face_check`)
/// takes for a face.
pub fn prior_faces(model: &Model, dim: usize, check: &Classifier, n: usize, device: &Device) -> f64 {
    let mut rng = Rng::new(PRIOR_SEED);
    let z: Vec<f32> = (0..n * dim).map(|_| rng.normal()).collect();
    let images = decode_rows(model, &z, dim, device);
    let faces = crate::photos::is_face(check, &images, device);
    faces.iter().filter(|f| **f).count() as f64 / n.max(1) as f64
}

/// The share of `n` codes drawn from the model's prior (N(0, I), or the mixture it learned) at
/// T = 1 that `clf` labels with p ≥ 0.9.
pub fn prior_confidence(
    model: &Model,
    dim: usize,
    prior: Prior,
    clf: &Classifier,
    n: usize,
    device: &Device,
) -> PriorConfidence {
    let mut rng = Rng::new(PRIOR_SEED);
    let z: Vec<f32> = (0..n).flat_map(|_| prior.sample(dim, &mut rng, 1.0)).collect();
    let images = decode_rows(model, &z, dim, device);
    let probs = clf.probabilities(&images, 784, device);
    let mut per_class = vec![0; 10];
    let mut confident = 0;
    let mut max_sum = 0.0f64;
    for p in &probs {
        let best = argmax(p);
        max_sum += f64::from(p[best]);
        if p[best] >= 0.9 {
            confident += 1;
            per_class[best] += 1;
        }
    }
    PriorConfidence {
        samples: n,
        confident_share: confident as f64 / n as f64,
        mean_max_probability: max_sum / n as f64,
        per_class,
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct EditResult {
    pub attribute: String,
    /// Detector accuracy on held-out rendered faces and on their VAE reconstructions.
    pub detector_accuracy_renders: f64,
    pub detector_accuracy_reconstructions: f64,
    pub faces: usize,
    pub strength: f32,
    /// Share of the edited faces' plain reconstructions the detector already calls positive.
    pub before_share: f64,
    /// Share after adding the vector: the figure the goal is about.
    pub after_share: f64,
    /// Mean absolute pixel change (0..1) inside the attribute's band of rows, and outside it.
    pub change_inside: f64,
    pub change_outside: f64,
    /// Where the edit works and where it misses: the after share among edited faces that carry
    /// each other attribute, and among those that do not.
    pub by_label: Vec<LabelSplit>,
}

#[derive(Clone, Debug, Serialize)]
pub struct LabelSplit {
    pub label: String,
    pub with: usize,
    pub after_share_with: f64,
    pub after_share_without: f64,
}

/// The share of `hit` faces among those with and without each label other than `skip`.
fn split_by_label(specs: &[FaceSpec], hit: &[bool], skip: usize) -> Vec<LabelSplit> {
    let share = |pick: &dyn Fn(&FaceSpec) -> bool| {
        let (n, h) = specs
            .iter()
            .zip(hit)
            .filter(|(s, _)| pick(s))
            .fold((0usize, 0usize), |(n, h), (_, &hit)| (n + 1, h + usize::from(hit)));
        (n, h as f64 / n.max(1) as f64)
    };
    (0..ATTRIBUTES.len())
        .filter(|&j| j != skip)
        .map(|j| {
            let (with, after_share_with) = share(&|s| s.labels()[j]);
            let (_, after_share_without) = share(&|s| !s.labels()[j]);
            LabelSplit { label: ATTRIBUTES[j].into(), with, after_share_with, after_share_without }
        })
        .collect()
}

/// One attribute's edits at every strength asked for, and a picture of the first strength's.
pub struct AttributeEdits {
    pub results: Vec<EditResult>,
    /// The first [`GRID_FACES`] faces as one RGB image (0..1), `GRID_FACES * SIZE` wide: the
    /// rendered faces, their reconstructions and the edited decodes, one row each.
    pub picture: Vec<f32>,
}

/// Faces shown side by side in an edit's picture.
pub const GRID_FACES: usize = 8;

/// `rows` of `GRID_FACES` faces each, laid out as one image `GRID_FACES * SIZE` wide.
pub(crate) fn grid(rows: &[&[f32]]) -> Vec<f32> {
    let face = SIZE * SIZE * 3;
    let mut out = Vec::with_capacity(rows.len() * GRID_FACES * face);
    for images in rows {
        for y in 0..SIZE {
            for i in 0..GRID_FACES {
                let at = i * face + y * SIZE * 3;
                out.extend_from_slice(&images[at..at + SIZE * 3]);
            }
        }
    }
    out
}

fn attribute_index(name: &str) -> Option<usize> {
    ATTRIBUTES.iter().position(|a| *a == name)
}

/// The rows a detector looks at: every face's eye band (or mouth band) lies inside them for any
/// pose the generator makes. Cropping keeps a small detector from learning hair and shirts.
fn detector_rows(attribute: &str) -> std::ops::Range<usize> {
    if attribute == "smile" { 32..52 } else { 20..42 }
}

fn crop_rows(x: &[f32], rows: &std::ops::Range<usize>) -> Vec<f32> {
    let (row, img) = (SIZE * 3, SIZE * SIZE * 3);
    x.chunks_exact(img).flat_map(|face| face[rows.start * row..rows.end * row].iter().copied()).collect()
}

fn band(spec: &FaceSpec, attribute: &str) -> std::ops::Range<usize> {
    if attribute == "smile" { spec.mouth_band() } else { spec.eye_band() }
}

/// A trained detector for one face attribute, with its accuracy on 1,000 held-out renders and
/// on their reconstructions.
pub struct Detector {
    classifier: Classifier,
    rows: std::ops::Range<usize>,
    pub accuracy_renders: f64,
    pub accuracy_reconstructions: f64,
}

impl Detector {
    /// Whether the attribute is there, for each 64×64 RGB image of `images` (values in 0..1).
    pub fn detects(&self, images: &[f32], device: &Device) -> Vec<bool> {
        let crop_dim = self.rows.len() * SIZE * 3;
        let probs = self.classifier.probabilities(&crop_rows(images, &self.rows), crop_dim, device);
        probs.iter().map(|p| argmax(p) == 1).collect()
    }
}

/// Train a detector for `attribute` on renders *and* their reconstructions by `model`
/// (decoded images are smoother than renders; a detector that never saw one would judge the
/// blur, not the attribute). `dim` is the model's latent size.
pub fn attribute_detector(
    model: &Model,
    dim: usize,
    attribute: &str,
    device: &Device,
) -> Result<Detector, String> {
    let k = attribute_index(attribute).ok_or_else(|| format!("unknown attribute {attribute}"))?;
    let has = |l: u16| usize::from(l & (1 << k) != 0);
    let reconstruct = |ex: &Examples| Examples {
        x: decode_rows(model, &encode_mu(model, ex, device), dim, device),
        ..ex.clone()
    };
    let train_renders = render_faces(DETECTOR_SEED, 6_000);
    let train_recons = reconstruct(&train_renders);
    let rows = detector_rows(attribute);
    let crop = |x: &[f32]| crop_rows(x, &rows);
    let crop_dim = rows.len() * SIZE * 3;
    let both = Examples {
        x: crop(&[train_renders.x.as_slice(), train_recons.x.as_slice()].concat()),
        labels: [train_renders.labels.as_slice(), train_recons.labels.as_slice()].concat(),
        dim: crop_dim,
        ..train_renders.clone()
    };
    let labels: Vec<usize> = both.labels.iter().map(|&l| has(l)).collect();
    let classifier = classifier::train_conv(&both, &labels, rows.len(), 2, DETECTOR_EPOCHS, 17 + k as u64);
    let held = render_faces(DETECTOR_SEED + 100_000, 1_000);
    let held_labels: Vec<usize> = held.labels.iter().map(|&l| has(l)).collect();
    let accuracy_renders = classifier.accuracy(&crop(&held.x), crop_dim, &held_labels, device);
    let accuracy_reconstructions =
        classifier.accuracy(&crop(&reconstruct(&held).x), crop_dim, &held_labels, device);
    Ok(Detector { classifier, rows, accuracy_renders, accuracy_reconstructions })
}

/// Train a detector for one attribute on renders *and* their reconstructions (decoded images
/// are smoother than renders; a detector that never saw one would judge the blur, not the
/// attribute), then edit `faces` held-out faces that lack the attribute, once per strength.
pub fn attribute_edit(
    model: &Model,
    manifest: &bundle::Manifest,
    attribute: &str,
    faces: usize,
    strengths: &[f32],
    device: &Device,
) -> Result<AttributeEdits, String> {
    let k = attribute_index(attribute).ok_or_else(|| format!("unknown attribute {attribute}"))?;
    let vector = &manifest
        .vectors
        .iter()
        .find(|v| v.name == attribute)
        .ok_or_else(|| format!("{} has no {attribute} vector", manifest.name))?
        .vector;
    let dim = manifest.latent_dim;
    let detector = attribute_detector(model, dim, attribute, device)?;
    let (acc_renders, acc_recons) = (detector.accuracy_renders, detector.accuracy_reconstructions);

    // The first `faces` held-out faces without the attribute.
    let mut specs = Vec::new();
    let mut seed = EDIT_SEED;
    while specs.len() < faces {
        let spec = FaceSpec::random(seed);
        if !spec.labels()[k] {
            specs.push(spec);
        }
        seed += 1;
    }
    let x: Vec<f32> =
        specs.iter().flat_map(|s| s.render().into_iter().map(|p| f32::from(p) / 255.0)).collect();
    let ex = Examples { x, dim: SIZE * SIZE * 3, labels: vec![0; faces], binarise: false };
    let mu = encode_mu(model, &ex, device);
    let before = decode_rows(model, &mu, dim, device);
    let detected = |imgs: &[f32]| detector.detects(imgs, device);
    let share = |hits: &[bool]| hits.iter().filter(|&&h| h).count() as f64 / faces as f64;
    let before_share = share(&detected(&before));
    let mut picture = None;
    let mut results = Vec::new();
    for &strength in strengths {
        let edited_z: Vec<f32> =
            mu.chunks_exact(dim).flat_map(|m| latent::add_scaled(m, vector, strength)).collect();
        let after = decode_rows(model, &edited_z, dim, device);
        let (inside, outside) = change_in_and_outside(&specs, attribute, &before, &after);
        picture.get_or_insert_with(|| grid(&[&ex.x, &before, &after]));
        let hits = detected(&after);
        results.push(EditResult {
            attribute: attribute.into(),
            detector_accuracy_renders: acc_renders,
            detector_accuracy_reconstructions: acc_recons,
            faces,
            strength,
            before_share,
            after_share: share(&hits),
            change_inside: inside,
            change_outside: outside,
            by_label: split_by_label(&specs, &hits, k),
        });
    }
    Ok(AttributeEdits { results, picture: picture.unwrap_or_default() })
}

/// Mean absolute pixel change inside each face's attribute band, and outside it.
fn change_in_and_outside(specs: &[FaceSpec], attribute: &str, before: &[f32], after: &[f32]) -> (f64, f64) {
    let (row_len, img) = (SIZE * 3, SIZE * SIZE * 3);
    let (mut inside, mut n_in, mut outside, mut n_out) = (0.0f64, 0usize, 0.0f64, 0usize);
    for (i, spec) in specs.iter().enumerate() {
        let rows = band(spec, attribute);
        for y in 0..SIZE {
            let at = i * img + y * row_len;
            let change: f64 = (at..at + row_len).map(|j| f64::from((after[j] - before[j]).abs())).sum();
            if rows.contains(&y) {
                inside += change;
                n_in += row_len;
            } else {
                outside += change;
                n_out += row_len;
            }
        }
    }
    (inside / n_in.max(1) as f64, outside / n_out.max(1) as f64)
}
