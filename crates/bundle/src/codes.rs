//! A sample of the test set's posteriors, shipped beside a bundle as `codes.bin`: q(z|x) =
//! N(μ, diag σ²) and the label of each of the first test images. The latent map's points are
//! only their projections; the views that measure the latent space need the codes whole: the
//! aggregate posterior (the mixture of these q(z|x)) against the prior, and how well an
//! attribute vector's projection z·v separates the codes with the attribute from those without.
//!
//! Binary, not JSON: 1,000 codes of 32 dimensions are 64,000 numbers, 256 KB as f32 and about
//! three times that as text, fetched only when a view needs them. The layout is fixed and read
//! without any dependency: every μ (count × latent_dim f32, little-endian), every log σ² (the
//! same), then every label (count u16, little-endian).

use crate::BundleError;
use serde::{Deserialize, Serialize};

/// The file's name inside a bundle.
pub const CODES_FILE: &str = "codes.bin";
/// How many test images the trainer writes: enough for a smooth density on a 48×48 plane and
/// ROC AUCs good to about ±0.02, small enough to fetch on a phone.
pub const CODES_COUNT: usize = 1_000;

/// What the manifest says of its codes file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CodesFile {
    pub file: String,
    pub count: usize,
    pub labels: LabelKind,
}

/// How a code's label reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LabelKind {
    /// An index into the manifest's `label_names` (a digit, a garment).
    Class,
    /// A set of bits, bit i for `label_names[i]` (a face's attributes).
    Attributes,
}

/// The codes themselves, as the page and the trainer hold them.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Codes {
    pub mu: Vec<Vec<f32>>,
    pub logvar: Vec<Vec<f32>>,
    pub labels: Vec<u16>,
}

impl Codes {
    pub fn len(&self) -> usize {
        self.mu.len()
    }

    pub fn is_empty(&self) -> bool {
        self.mu.is_empty()
    }

    /// The file's bytes (see the module's comment for the layout).
    pub fn to_bytes(&self) -> Vec<u8> {
        let floats = self.mu.iter().chain(&self.logvar).flatten();
        let mut out: Vec<u8> = floats.flat_map(|v| v.to_le_bytes()).collect();
        out.extend(self.labels.iter().flat_map(|l| l.to_le_bytes()));
        out
    }

    /// Read `count` codes of `latent_dim` numbers, refusing a file of any other size or one with
    /// a number that is not finite.
    pub fn from_bytes(bytes: &[u8], latent_dim: usize, count: usize) -> Result<Codes, BundleError> {
        let floats = count.checked_mul(latent_dim).and_then(|n| n.checked_mul(2));
        let expected = floats.and_then(|f| f.checked_mul(4)).and_then(|b| b.checked_add(count * 2));
        if expected != Some(bytes.len()) || latent_dim == 0 {
            return Err(BundleError::Codes(format!(
                "the codes file has {} bytes, not the {} that {count} codes of {latent_dim} numbers take",
                bytes.len(),
                expected.map_or("many".into(), |e| e.to_string())
            )));
        }
        let (numbers, labels) = bytes.split_at(count * latent_dim * 8);
        let values: Vec<f32> =
            numbers.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
        if values.iter().any(|v| !v.is_finite()) {
            return Err(BundleError::Codes("the codes file holds a number that is not finite".into()));
        }
        let rows = |half: &[f32]| half.chunks_exact(latent_dim).map(<[f32]>::to_vec).collect::<Vec<_>>();
        let (mu, logvar) = values.split_at(count * latent_dim);
        Ok(Codes {
            mu: rows(mu),
            logvar: rows(logvar),
            labels: labels.chunks_exact(2).map(|b| u16::from_le_bytes([b[0], b[1]])).collect(),
        })
    }

    /// Whether each code carries label `label`: is of that class, or has that attribute.
    pub fn has(&self, kind: LabelKind, label: usize) -> Vec<bool> {
        self.labels
            .iter()
            .map(|&l| match kind {
                LabelKind::Class => usize::from(l) == label,
                LabelKind::Attributes => label < 16 && l & (1 << label) != 0,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes() -> Codes {
        Codes {
            mu: vec![vec![0.5, -1.0], vec![2.0, 0.25], vec![0.0, 3.0]],
            logvar: vec![vec![-2.0, 0.0], vec![-1.0, -0.5], vec![0.0, 0.0]],
            labels: vec![0b01, 0b10, 0b11],
        }
    }

    #[test]
    fn codes_read_back_as_written() {
        let c = codes();
        let bytes = c.to_bytes();
        assert_eq!(bytes.len(), 3 * 2 * 8 + 3 * 2);
        assert_eq!(Codes::from_bytes(&bytes, 2, 3).unwrap(), c);
    }

    #[test]
    fn a_file_of_another_size_or_with_nan_is_refused_with_its_size() {
        let bytes = codes().to_bytes();
        let short = Codes::from_bytes(&bytes[..bytes.len() - 1], 2, 3).unwrap_err().to_string();
        assert!(short.contains(&format!("{} bytes", bytes.len() - 1)), "{short}");
        assert!(Codes::from_bytes(&bytes, 3, 3).is_err());
        assert!(Codes::from_bytes(&bytes, 0, 3).is_err());
        assert!(Codes::from_bytes(&bytes, usize::MAX, usize::MAX).is_err());
        let mut nan = bytes.clone();
        nan[..4].copy_from_slice(&f32::NAN.to_le_bytes());
        assert!(Codes::from_bytes(&nan, 2, 3).unwrap_err().to_string().contains("not finite"));
    }

    #[test]
    fn labels_read_as_classes_or_as_attribute_bits() {
        let c = codes();
        assert_eq!(c.has(LabelKind::Class, 1), vec![true, false, false]);
        assert_eq!(c.has(LabelKind::Attributes, 0), vec![true, false, true]);
        assert_eq!(c.has(LabelKind::Attributes, 1), vec![false, true, true]);
        assert_eq!(c.has(LabelKind::Attributes, 40), vec![false; 3]);
    }
}
