//! Four f32 lanes, the width of wasm simd128 and of SSE. The kernels are written once against
//! this type: on wasm32 with `+simd128` it is a `v128` and every method is one instruction; on
//! any other target it is a plain array whose element-wise loops LLVM turns into SSE/NEON, which
//! is what the native tests run. Explicit intrinsics on wasm because autovectorisation of the
//! register tiles is fragile (one missed unroll and the accumulators go through memory).

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod imp {
    use core::arch::wasm32::*;

    #[derive(Clone, Copy)]
    pub struct F32x4(v128);

    impl F32x4 {
        #[inline(always)]
        pub fn zero() -> Self {
            F32x4(f32x4_splat(0.0))
        }
        #[inline(always)]
        pub fn splat(v: f32) -> Self {
            F32x4(f32x4_splat(v))
        }
        #[inline(always)]
        pub fn load(v: &[f32; 4]) -> Self {
            // SAFETY: the reference covers 16 readable bytes; v128_load has no alignment demand.
            F32x4(unsafe { v128_load(v.as_ptr().cast::<v128>()) })
        }
        #[inline(always)]
        pub fn store(self, out: &mut [f32; 4]) {
            // SAFETY: as in `load`, 16 writable bytes.
            unsafe { v128_store(out.as_mut_ptr().cast::<v128>(), self.0) }
        }
        /// `self + a · b`; one fused instruction with the `relaxed-simd` feature (rounding then
        /// may differ in the last bit, which is within what relaxed SIMD promises and what the
        /// tests allow). The loops calling it carry the target feature (`hot!`), so the
        /// intrinsic inlines into them.
        #[inline(always)]
        pub fn mul_add(self, a: F32x4, b: F32x4) -> Self {
            #[cfg(feature = "relaxed-simd")]
            {
                F32x4(f32x4_relaxed_madd(a.0, b.0, self.0))
            }
            #[cfg(not(feature = "relaxed-simd"))]
            {
                F32x4(f32x4_add(self.0, f32x4_mul(a.0, b.0)))
            }
        }
    }
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
mod imp {
    #[derive(Clone, Copy)]
    pub struct F32x4([f32; 4]);

    impl F32x4 {
        #[inline(always)]
        pub fn zero() -> Self {
            F32x4([0.0; 4])
        }
        #[inline(always)]
        pub fn splat(v: f32) -> Self {
            F32x4([v; 4])
        }
        #[inline(always)]
        pub fn load(v: &[f32; 4]) -> Self {
            F32x4(*v)
        }
        #[inline(always)]
        pub fn store(self, out: &mut [f32; 4]) {
            *out = self.0;
        }
        #[inline(always)]
        pub fn mul_add(self, a: F32x4, b: F32x4) -> Self {
            F32x4(core::array::from_fn(|i| self.0[i] + a.0[i] * b.0[i]))
        }
    }
}

pub(crate) use imp::F32x4;
