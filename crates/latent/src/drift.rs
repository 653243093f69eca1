//! Round-trip drift: decode z, encode the picture, and see how far μ lands from z. A VAE is
//! trained to make its decoder and encoder agree near the codes the prior draws; a plain
//! autoencoder only on its training codes, so between them a round trip wanders off.

/// The Euclidean distance between two codes; None for unequal lengths.
pub fn distance(a: &[f32], b: &[f32]) -> Option<f32> {
    (a.len() == b.len() && !a.is_empty())
        .then(|| a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum::<f32>().sqrt())
        .filter(|d| d.is_finite())
}

/// The distance over the dimensions `dims` only: the ones the decoder uses. A VAE's unused
/// dimensions are ignored by its decoder and set to about 0 by its encoder, so a round trip can
/// never bring a prior sample's value there back, and it changes nothing in the picture: counted,
/// it would measure the collapse of those dimensions, not whether decoder and encoder agree.
/// All dimensions when `dims` is empty.
pub fn distance_in(a: &[f32], b: &[f32], dims: &[usize]) -> Option<f32> {
    if dims.is_empty() {
        return distance(a, b);
    }
    if a.len() != b.len() || dims.iter().any(|&d| d >= a.len()) {
        return None;
    }
    Some(dims.iter().map(|&d| (a[d] - b[d]) * (a[d] - b[d])).sum::<f32>().sqrt()).filter(|d| d.is_finite())
}

/// The mean drift of codes `zs` whose round trips gave `mus`.
pub fn mean_drift(zs: &[Vec<f32>], mus: &[Vec<f32>]) -> Option<f32> {
    if zs.is_empty() || zs.len() != mus.len() {
        return None;
    }
    let total = zs.iter().zip(mus).map(|(z, m)| distance(z, m)).sum::<Option<f32>>()?;
    Some(total / zs.len() as f32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drift_is_the_distance_of_the_round_trip() {
        assert_eq!(distance(&[0.0, 0.0], &[3.0, 4.0]), Some(5.0));
        assert_eq!(distance(&[0.0], &[3.0, 4.0]), None);
        assert_eq!(mean_drift(&[vec![0.0], vec![1.0]], &[vec![1.0], vec![4.0]]), Some(2.0));
        assert_eq!(mean_drift(&[vec![0.0]], &[]), None);
    }

    #[test]
    fn drift_in_the_used_dimensions_leaves_the_others_out() {
        assert_eq!(distance_in(&[0.0, 9.0, 0.0], &[3.0, 0.0, 4.0], &[0, 2]), Some(5.0));
        assert_eq!(distance_in(&[0.0, 0.0], &[3.0, 4.0], &[]), Some(5.0));
        assert_eq!(distance_in(&[0.0, 0.0], &[3.0, 4.0], &[2]), None);
    }
}
