//! A colour ramp for heat maps (viridis, eight stops): dark blue for little, yellow for much,
//! ordered in lightness so it reads in grey and for most kinds of colour vision.

const STOPS: [[u8; 3]; 8] = [
    [68, 1, 84],
    [70, 50, 127],
    [54, 92, 141],
    [39, 127, 142],
    [31, 161, 135],
    [74, 194, 109],
    [159, 218, 58],
    [253, 231, 37],
];

/// The colour of `t` in [0, 1] (clamped; NaN is the lowest).
pub fn ramp(t: f32) -> [u8; 3] {
    let t = if t.is_nan() { 0.0 } else { t.clamp(0.0, 1.0) };
    let x = t * (STOPS.len() - 1) as f32;
    let i = (x.floor() as usize).min(STOPS.len() - 2);
    let f = x - i as f32;
    let mix = |a: u8, b: u8| (f32::from(a) + (f32::from(b) - f32::from(a)) * f).round() as u8;
    [mix(STOPS[i][0], STOPS[i + 1][0]), mix(STOPS[i][1], STOPS[i + 1][1]), mix(STOPS[i][2], STOPS[i + 1][2])]
}

/// Opaque RGBA of `values` on the ramp from 0 to `max`.
pub fn rgba(values: &[f32], max: f32) -> Vec<u8> {
    values
        .iter()
        .flat_map(|v| {
            let [r, g, b] = ramp(if max > 0.0 { v / max } else { 0.0 });
            [r, g, b, 255]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ramp_runs_from_its_first_stop_to_its_last() {
        assert_eq!(ramp(0.0), STOPS[0]);
        assert_eq!(ramp(1.0), STOPS[7]);
        assert_eq!(ramp(-1.0), STOPS[0]);
        assert_eq!(ramp(f32::NAN), STOPS[0]);
        let lightness = |c: [u8; 3]| u32::from(c[0]) + u32::from(c[1]) + u32::from(c[2]);
        assert!((0..10).all(|i| lightness(ramp(i as f32 / 10.0)) < lightness(ramp((i + 1) as f32 / 10.0))));
        assert_eq!(
            rgba(&[0.5, 2.0], 0.0),
            [STOPS[0], STOPS[0]].iter().flat_map(|c| [c[0], c[1], c[2], 255]).collect::<Vec<_>>()
        );
        assert_eq!(rgba(&[1.0], 1.0)[..3], STOPS[7]);
    }
}
