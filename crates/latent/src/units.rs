//! A code's units one at a time, for the sparse autoencoder's view: which units fire for a code,
//! how often each fires over a set of codes, and how strongly it fires when it does (the value
//! its picture is drawn at).

/// A unit of a signed code counts as firing above this size; a ReLU code's above zero.
pub const SIGNED_ON: f32 = 0.05;

/// Whether each unit of `z` fires: above zero for a ReLU code (a negative value cannot come
/// from its encoder), above `SIGNED_ON` in size for a signed one.
pub fn firing(z: &[f32], relu: bool) -> Vec<bool> {
    z.iter().map(|&v| if relu { v > 0.0 } else { v.abs() > SIGNED_ON }).collect()
}

/// For each of `dim` units: the share of `codes` in which it fires, and its mean value when it
/// does (1.0 for a unit that never fires, so its picture still shows which way it draws).
pub fn statistics(codes: &[Vec<f32>], dim: usize, relu: bool) -> (Vec<f32>, Vec<f32>) {
    let (mut count, mut sum) = (vec![0usize; dim], vec![0.0f64; dim]);
    for z in codes.iter().filter(|z| z.len() == dim && z.iter().all(|v| v.is_finite())) {
        for (i, on) in firing(z, relu).into_iter().enumerate() {
            if on {
                count[i] += 1;
                sum[i] += f64::from(z[i]);
            }
        }
    }
    let n = codes.len().max(1) as f32;
    let rate = count.iter().map(|&c| c as f32 / n).collect();
    let typical =
        count.iter().zip(&sum).map(|(&c, &s)| if c == 0 { 1.0 } else { (s / c as f64) as f32 }).collect();
    (rate, typical)
}

/// One code per unit: that unit at its typical value, every other at 0 (what the unit draws
/// alone, over the decoder's output for the zero code).
pub fn one_hot_codes(typical: &[f32]) -> Vec<Vec<f32>> {
    (0..typical.len())
        .map(|i| {
            let mut z = vec![0.0; typical.len()];
            z[i] = typical[i];
            z
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_relu_code_fires_above_zero_and_a_signed_one_by_size() {
        assert_eq!(firing(&[0.0, 0.3, -0.4], true), vec![false, true, false]);
        assert_eq!(firing(&[0.0, 0.3, -0.4, 0.01], false), vec![false, true, true, false]);
    }

    #[test]
    fn rates_and_typical_values_count_only_firing_codes() {
        let codes =
            vec![vec![2.0, 0.0, 0.0], vec![4.0, 1.0, 0.0], vec![0.0, 0.0, 0.0], vec![f32::NAN, 9.0, 9.0]];
        let (rate, typical) = statistics(&codes, 3, true);
        assert_eq!(rate, vec![0.5, 0.25, 0.0]);
        assert_eq!(typical, vec![3.0, 1.0, 1.0], "a silent unit is drawn at 1");
        assert_eq!(
            one_hot_codes(&typical),
            vec![vec![3.0, 0.0, 0.0], vec![0.0, 1.0, 0.0], vec![0.0, 0.0, 1.0]]
        );
    }
}
