//! Conversions between the model's pixels and the canvas's RGBA.

/// Decoder output in [0, 1] to bytes (NaN becomes 0 rather than poisoning the canvas).
pub fn to_bytes(values: &[f32]) -> Vec<u8> {
    values.iter().map(|&v| to_byte(v)).collect()
}

/// One value in [0, 1] to a byte, rounding halves up: `(v.clamp(0, 1) · 255).round()`, NaN
/// to 0. Written without `round` and without a branch: wasm has no instruction for `round`
/// (halves away from zero; it was a call to libm's `roundf` per pixel), and a branch on each
/// value's fraction was mispredicted about every other pixel in V8, which made a batch of 64
/// faces' pixels 4 ms slower on real codes than on zeros (bench/OPTIMISATION.md). For x in
/// [0, 255], `2x` is exact and `⌊(⌊2x⌋ + 1) / 2⌋ = ⌊x + ½⌋`, so this is `round` to the bit, in
/// operations a loop of them vectorises to. NaN stays NaN through both and casts to 0.
#[inline]
pub fn to_byte(v: f32) -> u8 {
    let x = v.clamp(0.0, 1.0) * 255.0;
    (((x * 2.0) as u32 + 1) >> 1) as u8
}

/// Grey (1 channel) or RGB (3 channels) bytes to opaque RGBA for `ImageData`.
pub fn to_rgba(pixels: &[u8], channels: usize) -> Vec<u8> {
    match channels {
        1 => pixels.iter().flat_map(|&g| [g, g, g, 255]).collect(),
        3 => pixels.chunks_exact(3).flat_map(|c| [c[0], c[1], c[2], 255]).collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn to_byte_is_clamp_scale_and_round() {
        let round = |v: f32| if v.is_nan() { 0 } else { (v.clamp(0.0, 1.0) * 255.0).round() as u8 };
        // Floats from just below 0 to just above 1 (all 10⁹ are too many for a test: every
        // 61st bit pattern), and every float near each byte's rounding edge.
        let (lo, hi) = ((-0.01f32).to_bits(), 1.01f32.to_bits());
        for bits in (0..hi).step_by(61).chain((0x8000_0000..=lo).step_by(7_777)) {
            let v = f32::from_bits(bits);
            assert_eq!(to_byte(v), round(v), "{v:e}");
        }
        for k in 0..=255u32 {
            let edge = (k as f32 + 0.5) / 255.0;
            let mut v = f32::from_bits(edge.to_bits() - 64);
            while v <= f32::from_bits(edge.to_bits() + 64) {
                assert_eq!(to_byte(v), round(v), "{v:e}");
                v = f32::from_bits(v.to_bits() + 1);
            }
        }
        for v in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY, -0.0, 2.0, f32::MAX] {
            assert_eq!(to_byte(v), round(v), "{v:e}");
        }
    }

    #[test]
    fn bytes_and_rgba() {
        assert_eq!(to_bytes(&[0.0, 0.5, 1.0, 2.0, -1.0, f32::NAN]), vec![0, 128, 255, 255, 0, 0]);
        assert_eq!(to_rgba(&[7], 1), vec![7, 7, 7, 255]);
        assert_eq!(to_rgba(&[1, 2, 3, 4, 5, 6], 3), vec![1, 2, 3, 255, 4, 5, 6, 255]);
        assert!(to_rgba(&[1, 2], 2).is_empty());
    }
}
