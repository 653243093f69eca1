//! Codes for the lecture views: traversals (one dimension swept while the rest stay put), the
//! 2-D manifold grid, and reading a label off the latent space by its neighbours.

/// `n` evenly spaced values from `lo` to `hi` inclusive (one value, `lo`, when `n` is 1).
pub fn linspace(lo: f32, hi: f32, n: usize) -> Vec<f32> {
    match n {
        0 => vec![],
        1 => vec![lo],
        _ => (0..n).map(|i| lo + (hi - lo) * i as f32 / (n - 1) as f32).collect(),
    }
}

/// One row per dimension in `dims`: `z` with that dimension set to each of `values` in turn.
/// Row-major, so `codes[row * values.len() + col]`.
pub fn traversal(z: &[f32], dims: &[usize], values: &[f32]) -> Vec<Vec<f32>> {
    let mut codes = Vec::with_capacity(dims.len() * values.len());
    for &d in dims.iter().filter(|&&d| d < z.len()) {
        for &v in values {
            let mut c = z.to_vec();
            c[d] = v;
            codes.push(c);
        }
    }
    codes
}

/// The n×n grid over [-range, range]² of a 2-D latent space, as Kingma & Welling draw the
/// learned manifold: rows from top (+range on dimension 1) to bottom, columns left to right.
pub fn manifold(n: usize, range: f32) -> Vec<Vec<f32>> {
    let xs = linspace(-range, range, n);
    let ys: Vec<f32> = xs.iter().rev().copied().collect();
    ys.iter().flat_map(|&y| xs.iter().map(move |&x| vec![x, y])).collect()
}

/// The most common label among the `k` points nearest to `at` (`[x, y, label]` points, as the
/// latent map stores them), with how many of the `k` carry it. Ties go to the smaller label.
pub fn nearest_label(points: &[[f32; 3]], at: [f32; 2], k: usize) -> Option<(usize, usize)> {
    if points.is_empty() || k == 0 || !at.iter().all(|v| v.is_finite()) {
        return None;
    }
    let mut by_distance: Vec<(f32, usize)> = points
        .iter()
        .filter(|p| p[2].is_finite() && p[2] >= 0.0)
        .map(|p| ((p[0] - at[0]).powi(2) + (p[1] - at[1]).powi(2), p[2] as usize))
        .collect();
    by_distance.sort_by(|a, b| a.0.total_cmp(&b.0));
    let nearest = &by_distance[..k.min(by_distance.len())];
    let max_label = nearest.iter().map(|p| p.1).max()?;
    let mut votes = vec![0usize; max_label + 1];
    for p in nearest {
        votes[p.1] += 1;
    }
    let best = votes.iter().enumerate().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(&a.0)))?;
    Some((best.0, *best.1))
}

/// Index of the mean nearest to `z` (Euclidean): classification by the latent space alone.
pub fn nearest_mean(z: &[f32], means: &[Vec<f32>]) -> Option<usize> {
    means
        .iter()
        .enumerate()
        .filter(|(_, m)| m.len() == z.len())
        .map(|(i, m)| (i, m.iter().zip(z).map(|(a, b)| (a - b).powi(2)).sum::<f32>()))
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linspace_covers_both_ends() {
        assert_eq!(linspace(-3.0, 3.0, 7), vec![-3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0]);
        assert_eq!(linspace(1.0, 2.0, 1), vec![1.0]);
        assert!(linspace(0.0, 1.0, 0).is_empty());
    }

    #[test]
    fn traversal_changes_one_dimension_per_row() {
        let z = [0.5, -1.0, 2.0];
        let codes = traversal(&z, &[2, 0, 9], &[-1.0, 1.0]);
        // Dimension 9 does not exist and is skipped.
        assert_eq!(
            codes,
            vec![vec![0.5, -1.0, -1.0], vec![0.5, -1.0, 1.0], vec![-1.0, -1.0, 2.0], vec![1.0, -1.0, 2.0],]
        );
    }

    #[test]
    fn manifold_runs_top_left_to_bottom_right() {
        let g = manifold(3, 2.0);
        assert_eq!(g.len(), 9);
        assert_eq!(g[0], vec![-2.0, 2.0]);
        assert_eq!(g[2], vec![2.0, 2.0]);
        assert_eq!(g[4], vec![0.0, 0.0]);
        assert_eq!(g[8], vec![2.0, -2.0]);
    }

    #[test]
    fn nearest_label_votes_among_neighbours() {
        let points = [
            [0.0, 0.0, 1.0],
            [0.1, 0.0, 1.0],
            [0.0, 0.1, 2.0],
            [5.0, 5.0, 2.0],
            [5.1, 5.0, 2.0],
            [5.0, 5.1, 2.0],
        ];
        assert_eq!(nearest_label(&points, [0.0, 0.0], 3), Some((1, 2)));
        assert_eq!(nearest_label(&points, [5.0, 5.0], 3), Some((2, 3)));
        // A tie between labels goes to the smaller one.
        assert_eq!(nearest_label(&points, [0.05, 0.0], 2), Some((1, 2)));
        assert_eq!(nearest_label(&[], [0.0, 0.0], 3), None);
        assert_eq!(nearest_label(&points, [f32::NAN, 0.0], 3), None);
    }

    #[test]
    fn nearest_mean_ignores_means_of_another_size() {
        let means = vec![vec![0.0, 0.0], vec![3.0, 3.0], vec![1.0]];
        assert_eq!(nearest_mean(&[2.5, 2.0], &means), Some(1));
        assert_eq!(nearest_mean(&[0.1, -0.2], &means), Some(0));
        assert_eq!(nearest_mean(&[0.1], &[]), None);
    }
}
