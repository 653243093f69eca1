//! The one matrix product every kernel here is built on.

/// `dst (m × n) = [dst +] lhs (m × k) · rhs (k × n)`, each operand given by its row and column
/// strides so a transposed operand is read in place.
pub struct Product<'a> {
    pub m: usize,
    pub n: usize,
    pub k: usize,
    pub lhs: (&'a [f32], usize, usize),
    pub rhs: (&'a [f32], usize, usize),
}

impl Product<'_> {
    /// On the calling thread: for callers that spread a batch over the cores themselves.
    pub fn on_this_thread(self, dst: &mut [f32], accumulate: bool) {
        self.run(dst, accumulate, gemm::Parallelism::None);
    }

    /// Spread over rayon's threads by gemm itself: one large product.
    pub fn on_all_threads(self, dst: &mut [f32], accumulate: bool) {
        self.run(dst, accumulate, gemm::Parallelism::Rayon(0));
    }

    fn run(self, dst: &mut [f32], accumulate: bool, parallelism: gemm::Parallelism) {
        let Product { m, n, k, lhs: (a, a_rs, a_cs), rhs: (b, b_rs, b_cs) } = self;
        // The strides must stay inside the slices gemm reads through raw pointers.
        let last = |rows: usize, cols: usize, rs: usize, cs: usize| {
            (rows.max(1) - 1) * rs + (cols.max(1) - 1) * cs + 1
        };
        assert!(dst.len() >= m * n && a.len() >= last(m, k, a_rs, a_cs) && b.len() >= last(k, n, b_rs, b_cs));
        if m == 0 || n == 0 {
            return;
        }
        if k == 0 {
            if !accumulate {
                dst[..m * n].fill(0.0);
            }
            return;
        }
        // SAFETY: every index gemm forms, (i·rs + j·cs) for i, j inside the stated sizes, is
        // within the slices checked above; dst does not alias lhs or rhs (a &mut and two &).
        unsafe {
            gemm::gemm(
                m,
                n,
                k,
                dst.as_mut_ptr(),
                1,
                n as isize,
                accumulate,
                a.as_ptr(),
                a_cs as isize,
                a_rs as isize,
                b.as_ptr(),
                b_cs as isize,
                b_rs as isize,
                1.0,
                1.0,
                false,
                false,
                false,
                parallelism,
            );
        }
    }
}
