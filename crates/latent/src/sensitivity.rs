//! What a slider moves: decode z a little below and a little above along a direction (a
//! latent dimension, or an attribute vector) and see how much each pixel changes per unit,
//! by central finite differences.

/// The half-step of the finite difference, in latent units: small enough to be local, large
/// enough that 8-bit pixels still resolve the change.
pub const STEP: f32 = 0.25;

/// The unit vector of dimension `dim` in `len` dimensions.
pub fn axis(dim: usize, len: usize) -> Option<Vec<f32>> {
    (dim < len).then(|| (0..len).map(|i| if i == dim { 1.0 } else { 0.0 }).collect())
}

/// z − step·d and z + step·d, the two codes the worker decodes in one batch.
pub fn probes(z: &[f32], direction: &[f32], step: f32) -> Option<[Vec<f32>; 2]> {
    if z.len() != direction.len() || z.is_empty() || !step.is_finite() {
        return None;
    }
    let at = |s: f32| z.iter().zip(direction).map(|(a, d)| a + s * d).collect::<Vec<f32>>();
    let [minus, plus] = [at(-step), at(step)];
    minus.iter().chain(&plus).all(|v| v.is_finite()).then_some([minus, plus])
}

/// Per pixel (channels averaged), |plus − minus| / 255 / (2·step): the change in intensity, as
/// a share of full brightness, per latent unit.
pub fn pixel_change(minus: &[u8], plus: &[u8], channels: usize, step: f32) -> Option<Vec<f32>> {
    if channels == 0 || minus.len() != plus.len() || !minus.len().is_multiple_of(channels) || step <= 0.0 {
        return None;
    }
    let scale = 1.0 / (255.0 * 2.0 * step * channels as f32);
    Some(
        minus
            .chunks_exact(channels)
            .zip(plus.chunks_exact(channels))
            .map(|(a, b)| a.iter().zip(b).map(|(x, y)| f32::from(x.abs_diff(*y))).sum::<f32>() * scale)
            .collect(),
    )
}

/// The mean and the largest change.
pub fn summary(change: &[f32]) -> (f32, f32) {
    if change.is_empty() {
        return (0.0, 0.0);
    }
    let mean = change.iter().sum::<f32>() / change.len() as f32;
    (mean, change.iter().copied().fold(0.0, f32::max))
}

/// An RGBA overlay for the decoded image: clear where nothing changes, a warm red rising to
/// opaque at `scale`.
pub fn overlay_rgba(change: &[f32], scale: f32) -> Vec<u8> {
    change
        .iter()
        .flat_map(|c| {
            let t = if scale > 0.0 && c.is_finite() { (c / scale).clamp(0.0, 1.0) } else { 0.0 };
            // From orange at small changes to deep red at large ones.
            let g = (140.0 * (1.0 - t)).round() as u8;
            [230, g, 20, (t * 255.0).round() as u8]
        })
        .collect()
}

/// A pixel whose intensity changes by this much per latent unit is drawn fully red: a slider
/// that redraws a stroke moves its pixels by about this much per unit.
pub const FULL_RED: f32 = 1.0;

/// Blend the overlay of `change` (one value a pixel) over an RGBA picture in place, as the page
/// draws it and exports it. A picture of another size is left as it is.
pub fn blend(rgba: &mut [u8], change: &[f32]) {
    if rgba.len() != change.len() * 4 {
        return;
    }
    let over = overlay_rgba(change, FULL_RED);
    for (px, o) in rgba.chunks_exact_mut(4).zip(over.chunks_exact(4)) {
        let a = f32::from(o[3]) / 255.0;
        for c in 0..3 {
            px[c] = (f32::from(px[c]) * (1.0 - a) + f32::from(o[c]) * a).round() as u8;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probes_straddle_z_along_the_direction() {
        let [m, p] = probes(&[1.0, 2.0], &axis(1, 2).unwrap(), 0.5).unwrap();
        assert_eq!((m, p), (vec![1.0, 1.5], vec![1.0, 2.5]));
        assert_eq!(axis(2, 2), None);
        assert!(probes(&[1.0], &[1.0, 0.0], 0.5).is_none());
        assert!(probes(&[f32::MAX], &[1.0], f32::MAX).is_none());
    }

    #[test]
    fn change_is_per_unit_and_averaged_over_channels() {
        // 51 of 255 over 2 × 0.25 units: 0.2 / 0.5 = 0.4 per unit.
        let c = pixel_change(&[0, 10], &[51, 10], 1, 0.25).unwrap();
        assert!((c[0] - 0.4).abs() < 1e-6 && c[1] == 0.0);
        let rgb = pixel_change(&[0, 0, 0], &[51, 0, 0], 3, 0.25).unwrap();
        assert!((rgb[0] - 0.4 / 3.0).abs() < 1e-6);
        assert!(pixel_change(&[0, 0], &[0], 1, 0.25).is_none());
        assert!(pixel_change(&[0, 0], &[0, 0], 0, 0.25).is_none());
        assert!(pixel_change(&[0, 0], &[0, 0], 3, 0.25).is_none());
        let (mean, max) = summary(&c);
        assert!((mean - 0.2).abs() < 1e-6 && (max - 0.4).abs() < 1e-6);
        assert_eq!(summary(&[]), (0.0, 0.0));
    }

    #[test]
    fn the_overlay_is_clear_where_nothing_changes_and_opaque_at_the_scale() {
        let o = overlay_rgba(&[0.0, 0.5, 2.0, f32::NAN], 1.0);
        assert_eq!(o.len(), 16);
        assert_eq!((o[3], o[7], o[11], o[15]), (0, 128, 255, 0));
    }

    #[test]
    fn blending_reddens_moving_pixels_only() {
        let mut rgba = vec![255u8; 8];
        blend(&mut rgba, &[0.0, FULL_RED]);
        assert_eq!(&rgba[..4], &[255, 255, 255, 255], "a still pixel keeps its colour");
        assert_eq!(&rgba[4..7], &[230, 0, 20], "a fast pixel is full red");
        let mut wrong = vec![7u8; 4];
        blend(&mut wrong, &[1.0, 1.0]);
        assert_eq!(wrong, vec![7; 4]);
    }
}
