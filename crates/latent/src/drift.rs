//! Round-trip drift: decode z, encode the picture, and see how far μ lands from z. A VAE is
//! trained to make its decoder and encoder agree near the codes the prior draws; a plain
//! autoencoder only on its training codes, so between them a round trip wanders off.

/// The Euclidean distance between two codes; None for unequal lengths.
pub fn distance(a: &[f32], b: &[f32]) -> Option<f32> {
    (a.len() == b.len() && !a.is_empty())
        .then(|| a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum::<f32>().sqrt())
        .filter(|d| d.is_finite())
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
}
