//! Conversions between the model's pixels and the canvas's RGBA.

/// Decoder output in [0, 1] to bytes (NaN becomes 0 rather than poisoning the canvas).
pub fn to_bytes(values: &[f32]) -> Vec<u8> {
    values.iter().map(|v| if v.is_nan() { 0 } else { (v.clamp(0.0, 1.0) * 255.0).round() as u8 }).collect()
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
    fn bytes_and_rgba() {
        assert_eq!(to_bytes(&[0.0, 0.5, 1.0, 2.0, -1.0, f32::NAN]), vec![0, 128, 255, 255, 0, 0]);
        assert_eq!(to_rgba(&[7], 1), vec![7, 7, 7, 255]);
        assert_eq!(to_rgba(&[1, 2, 3, 4, 5, 6], 3), vec![1, 2, 3, 255, 4, 5, 6, 255]);
        assert!(to_rgba(&[1, 2], 2).is_empty());
    }
}
