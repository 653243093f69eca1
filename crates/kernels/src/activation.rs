//! The element-wise functions that follow a layer, applied in place to a slice that is still in
//! cache from the store before it. Sigmoid, tanh, ELU and SiLU go through [`exp`], a branch-free
//! polynomial that LLVM vectorises (std's `f32::exp` is a libm call per element, which on wasm
//! is most of a tanh layer's time).

/// What a layer applies to its output before storing it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Activation {
    Identity,
    Relu,
    LeakyRelu(f32),
    Sigmoid,
    Tanh,
    Elu(f32),
    Silu,
    /// `ln(1 + e^{βx}) / β`, and `x` itself where `βx > threshold` (PyTorch's definition).
    Softplus {
        beta: f32,
        threshold: f32,
    },
}

impl Activation {
    /// Applies the function to every element of `v`.
    pub fn apply(&self, v: &mut [f32]) {
        match *self {
            Activation::Identity => {}
            Activation::Relu => v.iter_mut().for_each(|x| *x = if *x > 0.0 { *x } else { 0.0 }),
            Activation::LeakyRelu(slope) => {
                v.iter_mut().for_each(|x| *x = if *x > 0.0 { *x } else { *x * slope })
            }
            Activation::Sigmoid => v.iter_mut().for_each(|x| *x = sigmoid(*x)),
            Activation::Tanh => v.iter_mut().for_each(|x| *x = tanh(*x)),
            Activation::Elu(alpha) => {
                v.iter_mut().for_each(|x| *x = if *x > 0.0 { *x } else { alpha * (exp(*x) - 1.0) })
            }
            Activation::Silu => v.iter_mut().for_each(|x| *x *= sigmoid(*x)),
            Activation::Softplus { beta, threshold } => v.iter_mut().for_each(|x| {
                let bx = beta * *x;
                // Not on a decoder's hot path, so std's ln_1p rather than another polynomial.
                *x = if bx > threshold { *x } else { exp(bx).ln_1p() / beta };
            }),
        }
    }
}

/// `e^x` to about one ulp (Cephes' expf): x = n·ln2 + r with |r| ≤ ln2/2, a degree-6
/// polynomial for e^r, and 2^n built in the exponent bits. Inputs are clamped to where the
/// result is a finite normal float, so large |x| gives 0 or ~3.4e38 rather than inf.
#[inline(always)]
pub fn exp(x: f32) -> f32 {
    const HI: f32 = 88.37626;
    const LO: f32 = -87.33654;
    let x = if x > HI { HI } else { x };
    let x = if x < LO { LO } else { x };
    // Round to nearest by the 1.5·2^23 trick: vectorises everywhere, unlike f32::round.
    const MAGIC: f32 = 12_582_912.0;
    let n = (x * core::f32::consts::LOG2_E + MAGIC) - MAGIC;
    let r = x - n * 0.693_359_4 - n * -2.121_944_4e-4;
    let p = 1.987_569_1e-4_f32;
    let p = p * r + 1.398_199_9e-3;
    let p = p * r + 8.333_452e-3;
    let p = p * r + 4.166_579_6e-2;
    let p = p * r + 1.666_666_5e-1;
    let p = p * r + 0.5;
    let e_r = p * r * r + r + 1.0;
    // n is in [-126, 127] after the clamp, so n + 127 is a valid biased exponent.
    let two_n = f32::from_bits((((n as i32) + 127) as u32) << 23);
    e_r * two_n
}

#[inline(always)]
pub(crate) fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + exp(-x))
}

/// tanh: Cephes' odd polynomial below |x| = 0.625, where 1 − 2/(e^{2x} + 1) would lose the
/// relative precision of small values, and that formula above it. Both are computed and one
/// selected, so the loop stays branch-free.
#[inline(always)]
pub(crate) fn tanh(x: f32) -> f32 {
    let a = if x < 0.0 { -x } else { x };
    let z = x * x;
    let p = -5.704_988_7e-3_f32;
    let p = p * z + 2.063_909e-2;
    let p = p * z - 5.373_971_6e-2;
    let p = p * z + 1.333_144_2e-1;
    let p = p * z - 3.333_328e-1;
    let small = p * z * x + x;
    let large = 1.0 - 2.0 / (exp(2.0 * a) + 1.0);
    let large = if x < 0.0 { -large } else { large };
    if a < 0.625 { small } else { large }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn relative(got: f32, want: f32) -> f32 {
        (got - want).abs() / want.abs().max(f32::MIN_POSITIVE)
    }

    fn grid() -> impl Iterator<Item = f32> {
        (-20_000..=20_000)
            .map(|i| i as f32 * 1e-3)
            .chain([1e-6, -1e-6, 1e-20, 0.0, 50.0, -50.0, 100.0, -100.0])
    }

    #[test]
    fn exp_matches_std_to_a_couple_of_ulps() {
        for x in grid().chain((-87..88).map(|i| i as f32 + 0.3)).filter(|x| x.abs() < 87.0) {
            let r = relative(exp(x), x.exp());
            assert!(r < 1e-6, "exp({x}): {} vs {}, relative {r}", exp(x), x.exp());
        }
    }

    #[test]
    fn sigmoid_and_tanh_match_std_to_a_millionth() {
        for x in grid() {
            let s = 1.0 / (1.0 + (-x).exp());
            assert!(relative(sigmoid(x), s) < 1e-6 || (sigmoid(x) - s).abs() < 1e-30, "sigmoid({x})");
            let r = relative(tanh(x), x.tanh());
            assert!(
                r < 1e-6 || (tanh(x) - x.tanh()).abs() < 1e-12,
                "tanh({x}): {} vs {}, {r}",
                tanh(x),
                x.tanh()
            );
        }
    }

    #[test]
    fn every_activation_is_its_definition() {
        let xs: Vec<f32> = (-40..40).map(|i| i as f32 * 0.37).collect();
        type Definition = (Activation, fn(f32) -> f32);
        let cases: [Definition; 8] = [
            (Activation::Identity, |x| x),
            (Activation::Relu, |x| x.max(0.0)),
            (Activation::LeakyRelu(0.01), |x| if x > 0.0 { x } else { 0.01 * x }),
            (Activation::Sigmoid, |x| 1.0 / (1.0 + (-x).exp())),
            (Activation::Tanh, f32::tanh),
            (Activation::Elu(1.5), |x| if x > 0.0 { x } else { 1.5 * x.exp_m1() }),
            (Activation::Silu, |x| x / (1.0 + (-x).exp())),
            (Activation::Softplus { beta: 2.0, threshold: 20.0 }, |x| {
                if 2.0 * x > 20.0 { x } else { (2.0 * x).exp().ln_1p() / 2.0 }
            }),
        ];
        for (act, f) in cases {
            let mut got = xs.clone();
            act.apply(&mut got);
            for (g, x) in got.iter().zip(&xs) {
                let w = f(*x);
                assert!((g - w).abs() <= 1e-6 * w.abs().max(1.0), "{act:?}({x}): {g} vs {w}");
            }
        }
    }
}
