//! Attribute vectors and latent arithmetic.
//!
//! An attribute vector is `mean(z | with) - mean(z | without)`; adding it to a code moves the
//! decoded image towards the attribute while (ideally) keeping everything else.

use std::fmt;

/// Why a vector could not be computed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VectorError {
    /// A set of codes was empty.
    Empty(&'static str),
    /// Codes of different dimensionality were mixed.
    DimMismatch { expected: usize, found: usize },
}

impl fmt::Display for VectorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VectorError::Empty(which) => write!(f, "the \"{which}\" set is empty: mark at least one item"),
            VectorError::DimMismatch { expected, found } => {
                write!(f, "codes have {found} dimensions where {expected} were expected")
            }
        }
    }
}

impl std::error::Error for VectorError {}

/// Mean of a set of codes of equal dimension.
pub fn mean<'a, I>(codes: I, which: &'static str) -> Result<Vec<f32>, VectorError>
where
    I: IntoIterator<Item = &'a [f32]>,
{
    let mut sum: Option<Vec<f64>> = None;
    let mut count = 0usize;
    for code in codes {
        let acc = sum.get_or_insert_with(|| vec![0.0; code.len()]);
        if acc.len() != code.len() {
            return Err(VectorError::DimMismatch { expected: acc.len(), found: code.len() });
        }
        for (s, v) in acc.iter_mut().zip(code) {
            *s += f64::from(*v);
        }
        count += 1;
    }
    let sum = sum.ok_or(VectorError::Empty(which))?;
    Ok(sum.into_iter().map(|s| (s / count as f64) as f32).collect())
}

/// `mean(with) - mean(without)`.
pub fn mean_difference<'a, A, B>(with: A, without: B) -> Result<Vec<f32>, VectorError>
where
    A: IntoIterator<Item = &'a [f32]>,
    B: IntoIterator<Item = &'a [f32]>,
{
    let a = mean(with, "with")?;
    let b = mean(without, "without")?;
    if a.len() != b.len() {
        return Err(VectorError::DimMismatch { expected: a.len(), found: b.len() });
    }
    Ok(a.iter().zip(&b).map(|(x, y)| x - y).collect())
}

/// `z + strength * v`.
pub fn add_scaled(z: &[f32], v: &[f32], strength: f32) -> Vec<f32> {
    z.iter().zip(v).map(|(a, b)| a + strength * b).collect()
}

/// The analogy `a - b + c` ("a is to b as ? is to c").
pub fn analogy(a: &[f32], b: &[f32], c: &[f32]) -> Vec<f32> {
    a.iter().zip(b).zip(c).map(|((x, y), w)| x - y + w).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_difference_of_two_sets() {
        let with: Vec<Vec<f32>> = vec![vec![1.0, 2.0], vec![3.0, 4.0]];
        let without: Vec<Vec<f32>> = vec![vec![0.0, 1.0]];
        let v = mean_difference(with.iter().map(Vec::as_slice), without.iter().map(Vec::as_slice)).unwrap();
        assert_eq!(v, vec![2.0, 2.0]);
    }

    #[test]
    fn empty_and_mismatched_sets_are_errors_not_panics() {
        let none: Vec<Vec<f32>> = vec![];
        let one = [vec![1.0f32]];
        assert_eq!(
            mean_difference(none.iter().map(Vec::as_slice), one.iter().map(Vec::as_slice)),
            Err(VectorError::Empty("with"))
        );
        let mixed = [vec![1.0f32], vec![1.0, 2.0]];
        assert!(matches!(
            mean(mixed.iter().map(Vec::as_slice), "with"),
            Err(VectorError::DimMismatch { expected: 1, found: 2 })
        ));
        assert!(VectorError::Empty("without").to_string().contains("without"));
    }

    #[test]
    fn arithmetic() {
        assert_eq!(add_scaled(&[1.0, 1.0], &[2.0, -1.0], -0.5), vec![0.0, 1.5]);
        assert_eq!(analogy(&[5.0], &[3.0], &[1.0]), vec![3.0]);
    }
}
