//! How good an attribute vector is: how well the projection z·v tells the codes with the
//! attribute from those without (ROC AUC), and how much two vectors point the same way.

/// The probability that a random positive scores above a random negative (ties count half):
/// the area under the ROC curve, by the Mann–Whitney rank sum. None for an empty side or NaN.
pub fn roc_auc(positives: &[f32], negatives: &[f32]) -> Option<f64> {
    if positives.is_empty() || negatives.is_empty() || positives.iter().chain(negatives).any(|v| v.is_nan()) {
        return None;
    }
    let mut all: Vec<(f32, bool)> =
        positives.iter().map(|&v| (v, true)).chain(negatives.iter().map(|&v| (v, false))).collect();
    all.sort_by(|a, b| a.0.total_cmp(&b.0));
    // Average ranks (1-based) over runs of ties.
    let mut rank_sum = 0.0f64;
    let mut i = 0;
    while i < all.len() {
        let mut j = i;
        while j + 1 < all.len() && all[j + 1].0 == all[i].0 {
            j += 1;
        }
        let rank = (i + j) as f64 / 2.0 + 1.0;
        rank_sum += rank * all[i..=j].iter().filter(|x| x.1).count() as f64;
        i = j + 1;
    }
    let (n, m) = (positives.len() as f64, negatives.len() as f64);
    Some((rank_sum - n * (n + 1.0) / 2.0) / (n * m))
}

/// The AUC of the scores z·v, `has` saying which codes carry the attribute.
pub fn vector_auc(codes: &[Vec<f32>], has: &[bool], v: &[f32]) -> Option<f64> {
    if codes.len() != has.len() || codes.iter().any(|c| c.len() != v.len()) {
        return None;
    }
    let score = |c: &Vec<f32>| c.iter().zip(v).map(|(a, b)| a * b).sum::<f32>();
    let (mut pos, mut neg) = (Vec::new(), Vec::new());
    for (c, h) in codes.iter().zip(has) {
        if *h { pos.push(score(c)) } else { neg.push(score(c)) }
    }
    roc_auc(&pos, &neg)
}

/// The cosine of the angle between two vectors; None for a zero vector or unequal lengths.
pub fn cosine(a: &[f32], b: &[f32]) -> Option<f32> {
    if a.len() != b.len() || a.is_empty() {
        return None;
    }
    let dot: f64 = a.iter().zip(b).map(|(x, y)| f64::from(*x) * f64::from(*y)).sum();
    let na: f64 = a.iter().map(|x| f64::from(*x).powi(2)).sum::<f64>().sqrt();
    let nb: f64 = b.iter().map(|x| f64::from(*x).powi(2)).sum::<f64>().sqrt();
    let c = dot / (na * nb);
    (na > 0.0 && nb > 0.0 && c.is_finite()).then_some(c as f32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_is_one_for_perfect_separation_zero_reversed_and_a_half_for_ties() {
        assert_eq!(roc_auc(&[3.0, 4.0], &[1.0, 2.0]), Some(1.0));
        assert_eq!(roc_auc(&[1.0, 2.0], &[3.0, 4.0]), Some(0.0));
        assert_eq!(roc_auc(&[1.0, 1.0], &[1.0]), Some(0.5));
        // Pairs (pos, neg): (2,1) wins, (2,3) loses, (4,1) wins, (4,3) wins → 3/4.
        assert_eq!(roc_auc(&[2.0, 4.0], &[1.0, 3.0]), Some(0.75));
        // A tie inside: (2,2) counts half → (1 + 0.5 + 1 + 1) / 4.
        assert_eq!(roc_auc(&[2.0, 4.0], &[1.0, 2.0]), Some(0.875));
        assert_eq!(roc_auc(&[], &[1.0]), None);
        assert_eq!(roc_auc(&[f32::NAN], &[1.0]), None);
    }

    #[test]
    fn the_same_distribution_scores_about_a_half() {
        let mut rng = crate::rng::Rng::new(5);
        let a: Vec<f32> = (0..2000).map(|_| rng.normal()).collect();
        let b: Vec<f32> = (0..2000).map(|_| rng.normal()).collect();
        let auc = roc_auc(&a, &b).unwrap();
        assert!((auc - 0.5).abs() < 0.03, "{auc}");
    }

    #[test]
    fn a_vector_is_scored_by_its_projection() {
        let codes = vec![vec![2.0, 0.0], vec![1.0, 5.0], vec![-1.0, 5.0], vec![-2.0, 0.0]];
        let has = [true, true, false, false];
        assert_eq!(vector_auc(&codes, &has, &[1.0, 0.0]), Some(1.0));
        assert_eq!(vector_auc(&codes, &has, &[0.0, 1.0]), Some(0.5));
        assert_eq!(vector_auc(&codes, &has[..3], &[1.0, 0.0]), None);
        assert_eq!(vector_auc(&codes, &has, &[1.0]), None);
    }

    #[test]
    fn cosines() {
        assert!((cosine(&[1.0, 0.0], &[2.0, 0.0]).unwrap() - 1.0).abs() < 1e-6);
        assert!(cosine(&[1.0, 0.0], &[0.0, 3.0]).unwrap().abs() < 1e-6);
        assert!((cosine(&[1.0, 1.0], &[-1.0, -1.0]).unwrap() + 1.0).abs() < 1e-6);
        assert_eq!(cosine(&[0.0, 0.0], &[1.0, 0.0]), None);
        assert_eq!(cosine(&[1.0], &[1.0, 0.0]), None);
    }
}
