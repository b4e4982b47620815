//! Hand-written matrix kernels for the batched passes.
//!
//! Everything reduces to one product, `C (m×n) = / += alpha · A (m×k) · B (k×n)`, all row-major.
//! Each row of C is a combination of rows of B weighted by that row of A, so the kernel first
//! lists the non-zero entries of the A row (MNIST pixels are ~80 % zero and ReLU activations
//! ~50 %), then streams the chosen B rows through a block of SIMD accumulators that stays in
//! registers (64 columns = 8 AVX registers), and writes C once. B rows are contiguous, loads are
//! unit-stride, and the same B block is reused for every non-zero of the row while it is in L1/L2.
//!
//! Back-ends: AVX2+FMA on x86-64 (detected at run time), simd128 on wasm32 (when compiled with
//! `+simd128`, as `.cargo/config.toml` does), and portable chunked code the compiler vectorises.
//! With the `parallel` feature (native only) large products split their rows over the rayon
//! threads; every C element is still summed in the same order, so results do not depend on the
//! number of threads.

use std::sync::atomic::{AtomicBool, Ordering};

static THREADS_ENABLED: AtomicBool = AtomicBool::new(true);

/// Enables or disables multi-threaded kernels (no effect without the `parallel` feature).
pub fn set_parallel(enabled: bool) {
    THREADS_ENABLED.store(enabled, Ordering::Relaxed);
}

/// Whether kernels may currently use more than one thread.
pub fn parallel_enabled() -> bool {
    cfg!(all(feature = "parallel", not(target_arch = "wasm32")))
        && THREADS_ENABLED.load(Ordering::Relaxed)
}

/// The name of the SIMD back-end the kernels use on this machine.
pub fn backend_name() -> &'static str {
    #[cfg(target_arch = "x86_64")]
    if has_avx2_fma() {
        return "avx2+fma";
    }
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    return "simd128";
    #[allow(unreachable_code)]
    "portable"
}

#[cfg(target_arch = "x86_64")]
fn has_avx2_fma() -> bool {
    use std::sync::OnceLock;
    static DETECTED: OnceLock<bool> = OnceLock::new();
    *DETECTED.get_or_init(|| {
        std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
    })
}

/// Multiply-adds below which a product is not worth splitting over threads.
const PARALLEL_MIN_WORK: usize = 1 << 20;

/// Multiply-adds (non-zeros × columns) below which a sparse product stays on one thread.
/// A B1 training batch (32 MNIST digits × 100 hidden units, ≈ 0.5 M) stays serial: its
/// product takes ~0.1 ms, and a fork/join on a shared machine, where the second core is
/// often busy, cost more than it saved (epoch 0.65 s wall on both cores against 0.46 s on
/// one). Inference over many digits, and wide layers, still split.
#[cfg_attr(
    not(all(feature = "parallel", not(target_arch = "wasm32"))),
    allow(dead_code)
)]
const CSR_PARALLEL_MIN_WORK: usize = 1 << 22;

/// `C = alpha·A·B` (or `C += alpha·A·B` when `accumulate`), with A `m×k`, B `k×n`, C `m×n`,
/// all row-major. Zero entries of A are skipped.
///
/// # Panics
/// If a slice is shorter than its stated shape (a programming error, not a data error).
#[allow(clippy::too_many_arguments)]
pub fn gemm(
    m: usize,
    k: usize,
    n: usize,
    alpha: f32,
    a: &[f32],
    b: &[f32],
    c: &mut [f32],
    accumulate: bool,
) {
    assert!(
        a.len() >= m * k && b.len() >= k * n && c.len() >= m * n,
        "gemm shapes"
    );
    if m == 0 || n == 0 {
        return;
    }
    let c = &mut c[..m * n];
    #[cfg(all(feature = "parallel", not(target_arch = "wasm32")))]
    if parallel_enabled() && m >= 2 && m * k * n >= PARALLEL_MIN_WORK {
        use rayon::prelude::*;
        let parts = 2 * rayon::current_num_threads();
        let rows_per_part = m.div_ceil(parts);
        c.par_chunks_mut(rows_per_part * n)
            .enumerate()
            .for_each(|(p, c_part)| {
                let first = p * rows_per_part;
                let rows = c_part.len() / n;
                gemm_serial(rows, k, n, alpha, &a[first * k..], b, c_part, accumulate);
            });
        return;
    }
    let _ = PARALLEL_MIN_WORK;
    gemm_serial(m, k, n, alpha, a, b, c, accumulate);
}

/// Single-threaded body of [`gemm`].
#[allow(clippy::too_many_arguments)]
fn gemm_serial(
    m: usize,
    k: usize,
    n: usize,
    alpha: f32,
    a: &[f32],
    b: &[f32],
    c: &mut [f32],
    accumulate: bool,
) {
    let mut idx = vec![0u32; k];
    let mut val = vec![0.0f32; k];
    for i in 0..m {
        let nonzero = list_nonzeros(&a[i * k..(i + 1) * k], &mut idx, &mut val);
        let out = &mut c[i * n..(i + 1) * n];
        if nonzero == 0 {
            if !accumulate {
                out.fill(0.0);
            }
            continue;
        }
        combine_rows(
            &idx[..nonzero],
            &val[..nonzero],
            &b[..k * n],
            n,
            out,
            alpha,
            accumulate,
        );
    }
}

/// Writes the positions and values of the non-zero entries of `row` to the front of `idx` and
/// `val` (each at least as long as `row`) and returns how many there are. Eight entries at a
/// time: a bit mask of the non-zeros is built without branches, and all-zero groups (most of
/// an MNIST image) cost one test.
fn list_nonzeros(row: &[f32], idx: &mut [u32], val: &mut [f32]) -> usize {
    assert!(
        idx.len() >= row.len() && val.len() >= row.len(),
        "list_nonzeros buffers"
    );
    #[cfg(target_arch = "x86_64")]
    if has_avx2_fma() {
        // SAFETY: AVX2 is available; the buffers are at least as long as the row (asserted).
        return unsafe { avx2::list_nonzeros(row, idx, val) };
    }
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        // SAFETY: simd128 is enabled at compile time; the buffers are long enough (asserted).
        return unsafe { wasm::list_nonzeros(row, idx, val) };
    }
    #[allow(unreachable_code)]
    let mut count = 0;
    for (g, group) in row.chunks(8).enumerate() {
        let mut bits = 0u32;
        for (j, &v) in group.iter().enumerate() {
            bits |= ((v != 0.0) as u32) << j;
        }
        count = emit_group(bits, g * 8, group, idx, val, count);
    }
    count
}

/// Appends the entries of `group` flagged in `bits` (positions from `base`) at `count`.
#[inline(always)]
fn emit_group(
    mut bits: u32,
    base: usize,
    group: &[f32],
    idx: &mut [u32],
    val: &mut [f32],
    mut count: usize,
) -> usize {
    while bits != 0 {
        let j = bits.trailing_zeros() as usize;
        idx[count] = (base + j) as u32;
        val[count] = group[j];
        count += 1;
        bits &= bits - 1;
    }
    count
}

/// A sparse matrix in compressed-row form: row `r`'s non-zeros are `idx[ptr[r]..ptr[r+1]]`
/// (column numbers, ascending) with values `val[..]` at the same positions.
/// The fields are private so that every column number is known to be `< cols` (the kernels
/// rely on it); build one with [`Csr::from_dense`], [`Csr::push_dense_row`] or
/// [`Csr::push_row_of`].
#[derive(Clone, Debug, Default)]
pub struct Csr {
    cols: usize,
    ptr: Vec<usize>,
    idx: Vec<u32>,
    val: Vec<f32>,
    /// Reused buffers of one row's non-zeros (length `cols`), so appending never zero-fills.
    row_idx: Vec<u32>,
    row_val: Vec<f32>,
}

impl PartialEq for Csr {
    fn eq(&self, other: &Csr) -> bool {
        self.cols == other.cols
            && self.ptr == other.ptr
            && self.idx == other.idx
            && self.val == other.val
    }
}

impl Csr {
    /// Number of columns.
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.ptr.len().saturating_sub(1)
    }

    /// Number of stored non-zeros.
    pub fn nonzeros(&self) -> usize {
        self.idx.len()
    }

    /// Empties the matrix, keeping its buffers, for rows of `cols` columns.
    pub fn reset(&mut self, cols: usize) {
        self.cols = cols;
        self.ptr.clear();
        self.ptr.push(0);
        self.idx.clear();
        self.val.clear();
    }

    /// Appends a dense row (length `cols`), keeping only its non-zeros.
    /// Entries past `cols` are ignored, so every stored column number is `< cols`.
    pub fn push_dense_row(&mut self, row: &[f32]) {
        let row = &row[..row.len().min(self.cols)];
        if self.ptr.is_empty() {
            self.ptr.push(0);
        }
        if self.row_idx.len() < row.len() {
            self.row_idx.resize(row.len(), 0);
            self.row_val.resize(row.len(), 0.0);
        }
        let count = list_nonzeros(row, &mut self.row_idx, &mut self.row_val);
        self.idx.extend_from_slice(&self.row_idx[..count]);
        self.val.extend_from_slice(&self.row_val[..count]);
        self.ptr.push(self.idx.len());
    }

    /// Appends row `r` of `other` (which must have the same number of columns).
    pub fn push_row_of(&mut self, other: &Csr, r: usize) {
        assert_eq!(self.cols, other.cols, "push_row_of: column counts differ");
        if self.ptr.is_empty() {
            self.ptr.push(0);
        }
        let span = other.ptr[r]..other.ptr[r + 1];
        self.idx.extend_from_slice(&other.idx[span.clone()]);
        self.val.extend_from_slice(&other.val[span]);
        self.ptr.push(self.idx.len());
    }

    /// Asks the CPU to start loading row `r`'s non-zeros into cache (a hint: no effect on
    /// results, nothing on targets without a prefetch instruction). Gathering randomly
    /// chosen rows of a large matrix waits on memory otherwise.
    pub fn prefetch_row(&self, r: usize) {
        #[cfg(target_arch = "x86_64")]
        if r + 1 < self.ptr.len() {
            use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
            let span = self.ptr[r]..self.ptr[r + 1];
            const LINE: usize = 64 / 4;
            for t in span.step_by(LINE) {
                // SAFETY: SSE is part of x86-64; the addresses are inside the vectors.
                unsafe {
                    _mm_prefetch::<_MM_HINT_T0>(self.idx.as_ptr().add(t) as *const i8);
                    _mm_prefetch::<_MM_HINT_T0>(self.val.as_ptr().add(t) as *const i8);
                }
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = r;
    }

    /// A CSR copy of a dense `rows × cols` matrix.
    pub fn from_dense(m: &[f32], rows: usize, cols: usize) -> Csr {
        let mut c = Csr::default();
        c.reset(cols);
        for r in 0..rows {
            c.push_dense_row(&m[r * cols..(r + 1) * cols]);
        }
        c
    }

    /// Writes the transpose (`cols × rows`) into `out` by a counting sort: O(non-zeros + cols),
    /// no allocation once `out`'s buffers have grown. `out.ptr` first counts column `c`'s
    /// entries at `c + 2`, the prefix sum turns `ptr[c + 1]` into column `c`'s start, which then
    /// serves as its write cursor and ends as its end (= column `c + 1`'s start).
    pub fn transpose_into(&self, out: &mut Csr) {
        let (rows, cols, nnz) = (self.rows(), self.cols, self.idx.len());
        out.cols = rows;
        out.ptr.clear();
        out.ptr.resize(cols + 2, 0);
        for &c in &self.idx {
            out.ptr[c as usize + 2] += 1;
        }
        for c in 2..cols + 2 {
            out.ptr[c] += out.ptr[c - 1];
        }
        out.idx.resize(nnz, 0);
        out.val.resize(nnz, 0.0);
        for (r, span) in self.ptr.windows(2).enumerate() {
            for (&c, &v) in self.idx[span[0]..span[1]]
                .iter()
                .zip(&self.val[span[0]..span[1]])
            {
                let slot = &mut out.ptr[c as usize + 1];
                out.idx[*slot] = r as u32;
                out.val[*slot] = v;
                *slot += 1;
            }
        }
        out.ptr.truncate(cols + 1);
    }
}

/// `C = / += alpha · A · B` for a sparse A (`rows × cols`), B `cols × n`, C `rows × n`.
/// Rows of A without non-zeros leave C's row untouched when accumulating (zero otherwise).
pub fn gemm_csr(a: &Csr, b: &[f32], n: usize, alpha: f32, c: &mut [f32], accumulate: bool) {
    let m = a.rows();
    assert!(b.len() >= a.cols * n && c.len() >= m * n, "gemm_csr shapes");
    // Every column number is < cols by construction (private fields), so B's rows exist.
    debug_assert!(a.idx.iter().all(|&k| (k as usize) < a.cols));
    if m == 0 || n == 0 {
        return;
    }
    let c = &mut c[..m * n];
    let b = &b[..a.cols * n];
    #[cfg(all(feature = "parallel", not(target_arch = "wasm32")))]
    if parallel_enabled() && m >= 2 && a.nonzeros() * n >= CSR_PARALLEL_MIN_WORK {
        use rayon::prelude::*;
        let parts = 2 * rayon::current_num_threads();
        let rows_per_part = m.div_ceil(parts);
        c.par_chunks_mut(rows_per_part * n)
            .enumerate()
            .for_each(|(p, c_part)| {
                let first = p * rows_per_part;
                csr_rows(a, first, c_part.len() / n, b, n, alpha, c_part, accumulate);
            });
        return;
    }
    csr_rows(a, 0, m, b, n, alpha, c, accumulate);
}

/// Rows `first..first + count` of [`gemm_csr`], written to `c` (which starts at row `first`).
#[allow(clippy::too_many_arguments)]
fn csr_rows(
    a: &Csr,
    first: usize,
    count: usize,
    b: &[f32],
    n: usize,
    alpha: f32,
    c: &mut [f32],
    accumulate: bool,
) {
    for i in 0..count {
        let span = a.ptr[first + i]..a.ptr[first + i + 1];
        let out = &mut c[i * n..(i + 1) * n];
        if span.is_empty() {
            if !accumulate {
                out.fill(0.0);
            }
            continue;
        }
        combine_rows(
            &a.idx[span.clone()],
            &a.val[span],
            b,
            n,
            out,
            alpha,
            accumulate,
        );
    }
}

/// `out = / += alpha · Σ_t val[t] · B[idx[t], ..]`, B having rows of length `n`.
fn combine_rows(
    idx: &[u32],
    val: &[f32],
    b: &[f32],
    n: usize,
    out: &mut [f32],
    alpha: f32,
    accumulate: bool,
) {
    debug_assert!(idx.iter().all(|&r| (r as usize + 1) * n <= b.len()));
    #[cfg(target_arch = "x86_64")]
    if has_avx2_fma() {
        // SAFETY: the CPU supports AVX2 and FMA (checked above); every row index was taken
        // from A's row of length k and B holds k rows of n floats (asserted in `gemm`).
        unsafe { avx2::combine_rows(idx, val, b, n, out, alpha, accumulate) };
        return;
    }
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        // SAFETY: as above; simd128 is enabled at compile time.
        unsafe { wasm::combine_rows(idx, val, b, n, out, alpha, accumulate) };
        return;
    }
    #[allow(unreachable_code)]
    portable::combine_rows(idx, val, b, n, out, alpha, accumulate)
}

/// Columns `from..n` of a row combination, one scalar at a time.
#[allow(clippy::too_many_arguments)]
fn combine_tail(
    idx: &[u32],
    val: &[f32],
    b: &[f32],
    n: usize,
    from: usize,
    out: &mut [f32],
    alpha: f32,
    accumulate: bool,
) {
    for col in from..n {
        let mut s = 0.0f32;
        for (&r, &v) in idx.iter().zip(val) {
            s += v * b[r as usize * n + col];
        }
        out[col] = if accumulate {
            out[col] + alpha * s
        } else {
            alpha * s
        };
    }
}

mod portable {
    /// Blocks of 16 columns with array accumulators (vectorised by the compiler).
    pub fn combine_rows(
        idx: &[u32],
        val: &[f32],
        b: &[f32],
        n: usize,
        out: &mut [f32],
        alpha: f32,
        accumulate: bool,
    ) {
        const W: usize = 16;
        let mut col = 0;
        while col + W <= n {
            let mut acc = [0.0f32; W];
            for (&r, &v) in idx.iter().zip(val) {
                let row = &b[r as usize * n + col..r as usize * n + col + W];
                for i in 0..W {
                    acc[i] += v * row[i];
                }
            }
            for i in 0..W {
                let o = &mut out[col + i];
                *o = if accumulate {
                    *o + alpha * acc[i]
                } else {
                    alpha * acc[i]
                };
            }
            col += W;
        }
        super::combine_tail(idx, val, b, n, col, out, alpha, accumulate);
    }
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use std::arch::x86_64::*;

    /// 64-, 32- then 8-column register blocks, then a scalar tail.
    ///
    /// # Safety
    /// AVX2 and FMA must be available; `(idx[t] + 1) * n <= b.len()` for every t;
    /// `out.len() >= n`; `val.len() >= idx.len()`.
    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn combine_rows(
        idx: &[u32],
        val: &[f32],
        b: &[f32],
        n: usize,
        out: &mut [f32],
        alpha: f32,
        accumulate: bool,
    ) {
        // Up to 13 vectors (104 columns, e.g. B1's 100 hidden units or a 10-class output)
        // fit the registers at once: one pass over the non-zeros instead of up to four.
        // Each column still sums its terms in the same order, so the result is the same.
        macro_rules! single_pass {
            ($($r:literal)*) => {
                match n / 8 {
                    $($r => return single_pass::<$r>(idx, val, b, n, out, alpha, accumulate),)*
                    _ => {}
                }
            };
        }
        if n <= 104 {
            single_pass!(0 1 2 3 4 5 6 7 8 9 10 11 12 13);
        }
        let mut col = 0;
        while col + 64 <= n {
            block::<8>(idx, val, b, n, col, out, alpha, accumulate);
            col += 64;
        }
        while col + 32 <= n {
            block::<4>(idx, val, b, n, col, out, alpha, accumulate);
            col += 32;
        }
        while col + 8 <= n {
            block::<1>(idx, val, b, n, col, out, alpha, accumulate);
            col += 8;
        }
        if col < n {
            masked_tail(idx, val, b, n, col, out, alpha, accumulate);
        }
    }

    /// [`super::list_nonzeros`] with a vector compare and a movemask per 8 entries.
    ///
    /// # Safety
    /// AVX2 must be available.
    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn list_nonzeros(row: &[f32], idx: &mut [u32], val: &mut [f32]) -> usize {
        let zero = _mm256_setzero_ps();
        let mut count = 0;
        let mut groups = row.chunks_exact(8);
        let mut base = 0;
        for group in &mut groups {
            let v = _mm256_loadu_ps(group.as_ptr());
            let bits = _mm256_movemask_ps(_mm256_cmp_ps::<_CMP_NEQ_UQ>(v, zero)) as u32;
            if bits != 0 {
                count = super::emit_group(bits, base, group, idx, val, count);
            }
            base += 8;
        }
        let rest = groups.remainder();
        let mut bits = 0u32;
        for (j, &v) in rest.iter().enumerate() {
            bits |= ((v != 0.0) as u32) << j;
        }
        super::emit_group(bits, base, rest, idx, val, count)
    }

    /// The last `n - col` (< 8) columns, with masked loads and stores.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    #[allow(clippy::too_many_arguments)]
    unsafe fn masked_tail(
        idx: &[u32],
        val: &[f32],
        b: &[f32],
        n: usize,
        col: usize,
        out: &mut [f32],
        alpha: f32,
        accumulate: bool,
    ) {
        const LANES: [i32; 16] = [-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0];
        let rest = n - col;
        let mask = _mm256_loadu_si256(LANES.as_ptr().add(8 - rest) as *const __m256i);
        let mut acc = _mm256_setzero_ps();
        let bp = b.as_ptr();
        for t in 0..idx.len() {
            let v = _mm256_set1_ps(*val.get_unchecked(t));
            let row = bp.add(*idx.get_unchecked(t) as usize * n + col);
            acc = _mm256_fmadd_ps(v, _mm256_maskload_ps(row, mask), acc);
        }
        let p = out.as_mut_ptr().add(col);
        let va = _mm256_set1_ps(alpha);
        let x = if accumulate {
            _mm256_fmadd_ps(acc, va, _mm256_maskload_ps(p, mask))
        } else {
            _mm256_mul_ps(acc, va)
        };
        _mm256_maskstore_ps(p, mask, x);
    }

    /// All `n` columns in one pass: R full vectors (8R ≤ n < 8R + 8) and, when n is not a
    /// multiple of 8, a masked vector for the last `n − 8R`, all held in registers.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn single_pass<const R: usize>(
        idx: &[u32],
        val: &[f32],
        b: &[f32],
        n: usize,
        out: &mut [f32],
        alpha: f32,
        accumulate: bool,
    ) {
        const LANES: [i32; 16] = [-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0];
        let rest = n - 8 * R;
        let mask = _mm256_loadu_si256(LANES.as_ptr().add(8 - rest) as *const __m256i);
        let mut acc = [_mm256_setzero_ps(); R];
        let mut tail = _mm256_setzero_ps();
        let bp = b.as_ptr();
        for t in 0..idx.len() {
            let v = _mm256_set1_ps(*val.get_unchecked(t));
            let row = bp.add(*idx.get_unchecked(t) as usize * n);
            for (r, a) in acc.iter_mut().enumerate() {
                *a = _mm256_fmadd_ps(v, _mm256_loadu_ps(row.add(8 * r)), *a);
            }
            if rest > 0 {
                tail = _mm256_fmadd_ps(v, _mm256_maskload_ps(row.add(8 * R), mask), tail);
            }
        }
        let va = _mm256_set1_ps(alpha);
        let op = out.as_mut_ptr();
        for (r, a) in acc.iter().enumerate() {
            let p = op.add(8 * r);
            let x = if accumulate {
                _mm256_fmadd_ps(*a, va, _mm256_loadu_ps(p))
            } else {
                _mm256_mul_ps(*a, va)
            };
            _mm256_storeu_ps(p, x);
        }
        if rest > 0 {
            let p = op.add(8 * R);
            let x = if accumulate {
                _mm256_fmadd_ps(tail, va, _mm256_maskload_ps(p, mask))
            } else {
                _mm256_mul_ps(tail, va)
            };
            _mm256_maskstore_ps(p, mask, x);
        }
    }

    /// Columns `col..col + 8R` with R accumulators held in registers.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    #[allow(clippy::too_many_arguments)]
    unsafe fn block<const R: usize>(
        idx: &[u32],
        val: &[f32],
        b: &[f32],
        n: usize,
        col: usize,
        out: &mut [f32],
        alpha: f32,
        accumulate: bool,
    ) {
        let mut acc = [_mm256_setzero_ps(); R];
        let bp = b.as_ptr();
        for t in 0..idx.len() {
            let v = _mm256_set1_ps(*val.get_unchecked(t));
            let row = bp.add(*idx.get_unchecked(t) as usize * n + col);
            for (r, a) in acc.iter_mut().enumerate() {
                *a = _mm256_fmadd_ps(v, _mm256_loadu_ps(row.add(8 * r)), *a);
            }
        }
        let va = _mm256_set1_ps(alpha);
        let op = out.as_mut_ptr().add(col);
        for (r, a) in acc.iter().enumerate() {
            let p = op.add(8 * r);
            let x = if accumulate {
                _mm256_fmadd_ps(*a, va, _mm256_loadu_ps(p))
            } else {
                _mm256_mul_ps(*a, va)
            };
            _mm256_storeu_ps(p, x);
        }
    }
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod wasm {
    use std::arch::wasm32::*;

    /// [`super::list_nonzeros`] with two 4-lane compares and bitmasks per 8 entries.
    ///
    /// # Safety
    /// `idx` and `val` must be at least as long as `row`.
    pub unsafe fn list_nonzeros(row: &[f32], idx: &mut [u32], val: &mut [f32]) -> usize {
        let zero = f32x4_splat(0.0);
        let mut count = 0;
        let mut groups = row.chunks_exact(8);
        let mut base = 0;
        for group in &mut groups {
            let p = group.as_ptr() as *const v128;
            let lo = i32x4_bitmask(f32x4_ne(v128_load(p), zero)) as u32;
            let hi = i32x4_bitmask(f32x4_ne(v128_load(p.add(1)), zero)) as u32;
            let bits = lo | (hi << 4);
            if bits != 0 {
                count = super::emit_group(bits, base, group, idx, val, count);
            }
            base += 8;
        }
        let rest = groups.remainder();
        let mut bits = 0u32;
        for (j, &v) in rest.iter().enumerate() {
            bits |= ((v != 0.0) as u32) << j;
        }
        super::emit_group(bits, base, rest, idx, val, count)
    }

    /// 32-, 16- then 4-column register blocks, then a scalar tail.
    ///
    /// # Safety
    /// `(idx[t] + 1) * n <= b.len()` for every t; `out.len() >= n`; `val.len() >= idx.len()`.
    pub unsafe fn combine_rows(
        idx: &[u32],
        val: &[f32],
        b: &[f32],
        n: usize,
        out: &mut [f32],
        alpha: f32,
        accumulate: bool,
    ) {
        let mut col = 0;
        while col + 32 <= n {
            block::<8>(idx, val, b, n, col, out, alpha, accumulate);
            col += 32;
        }
        while col + 16 <= n {
            block::<4>(idx, val, b, n, col, out, alpha, accumulate);
            col += 16;
        }
        while col + 4 <= n {
            block::<1>(idx, val, b, n, col, out, alpha, accumulate);
            col += 4;
        }
        super::combine_tail(idx, val, b, n, col, out, alpha, accumulate);
    }

    /// Columns `col..col + 4R` with R accumulators.
    #[inline]
    #[allow(clippy::too_many_arguments)]
    unsafe fn block<const R: usize>(
        idx: &[u32],
        val: &[f32],
        b: &[f32],
        n: usize,
        col: usize,
        out: &mut [f32],
        alpha: f32,
        accumulate: bool,
    ) {
        let mut acc = [f32x4_splat(0.0); R];
        let bp = b.as_ptr();
        for t in 0..idx.len() {
            let v = f32x4_splat(*val.get_unchecked(t));
            let row = bp.add(*idx.get_unchecked(t) as usize * n + col);
            for (r, a) in acc.iter_mut().enumerate() {
                let x = v128_load(row.add(4 * r) as *const v128);
                *a = f32x4_add(*a, f32x4_mul(v, x));
            }
        }
        let va = f32x4_splat(alpha);
        let op = out.as_mut_ptr().add(col);
        for (r, a) in acc.iter().enumerate() {
            let p = op.add(4 * r) as *mut v128;
            let mut x = f32x4_mul(*a, va);
            if accumulate {
                x = f32x4_add(x, v128_load(p as *const v128));
            }
            v128_store(p, x);
        }
    }
}

/// Writes the transpose of `src` (`rows × cols`) into `dst` (`cols × rows`), in 8×8 tiles.
pub fn transpose(src: &[f32], rows: usize, cols: usize, dst: &mut [f32]) {
    assert!(
        src.len() >= rows * cols && dst.len() >= rows * cols,
        "transpose shapes"
    );
    const T: usize = 8;
    for r0 in (0..rows).step_by(T) {
        for c0 in (0..cols).step_by(T) {
            for r in r0..(r0 + T).min(rows) {
                for c in c0..(c0 + T).min(cols) {
                    dst[c * rows + r] = src[r * cols + c];
                }
            }
        }
    }
}

/// Adds the column sums of `m` (`rows × cols`) times `alpha` into `out` (length `cols`).
pub fn add_column_sums(m: &[f32], rows: usize, cols: usize, alpha: f32, out: &mut [f32]) {
    let mut sums = vec![0.0f32; cols];
    for row in m[..rows * cols].chunks_exact(cols) {
        for (s, &v) in sums.iter_mut().zip(row) {
            *s += v;
        }
    }
    for (o, s) in out.iter_mut().zip(sums) {
        *o += alpha * s;
    }
}

#[cfg(test)]
mod tests {
    use super::super::rng::Rng;
    use super::*;

    fn naive(m: usize, k: usize, n: usize, a: &[f32], b: &[f32]) -> Vec<f32> {
        let mut c = vec![0.0f32; m * n];
        for i in 0..m {
            for j in 0..n {
                c[i * n + j] = (0..k).map(|p| a[i * k + p] * b[p * n + j]).sum();
            }
        }
        c
    }

    fn random(len: usize, zero_fraction: f32, rng: &mut Rng) -> Vec<f32> {
        (0..len)
            .map(|_| {
                if rng.next_f32() < zero_fraction {
                    0.0
                } else {
                    rng.uniform(1.0)
                }
            })
            .collect()
    }

    #[test]
    fn gemm_matches_naive_product_for_awkward_shapes() {
        let mut rng = Rng::new(11);
        for &(m, k, n) in &[
            (1, 1, 1),
            (3, 5, 7),
            (32, 784, 100),
            (5, 100, 10),
            (7, 33, 130),
            (2, 9, 64),
            (4, 20, 104),
            (3, 17, 8),
            (6, 40, 97),
            (2, 30, 105),
        ] {
            let a = random(m * k, 0.5, &mut rng);
            let b = random(k * n, 0.0, &mut rng);
            let want = naive(m, k, n, &a, &b);
            let mut c = vec![f32::NAN; m * n];
            gemm(m, k, n, 1.0, &a, &b, &mut c, false);
            for (x, y) in c.iter().zip(&want) {
                assert!(
                    (x - y).abs() < 1e-4 * (1.0 + y.abs()),
                    "{m}x{k}x{n}: {x} vs {y}"
                );
            }
            // Accumulate with a scale: c + 2·AB = 3·AB.
            gemm(m, k, n, 2.0, &a, &b, &mut c, true);
            for (x, y) in c.iter().zip(&want) {
                assert!(
                    (x - 3.0 * y).abs() < 1e-3 * (1.0 + y.abs()),
                    "acc {x} vs {y}"
                );
            }
        }
    }

    #[test]
    fn zero_rows_give_zero_or_leave_output() {
        let a = vec![0.0f32; 2 * 3];
        let b = vec![1.0f32; 3 * 4];
        let mut c = vec![5.0f32; 8];
        gemm(2, 3, 4, 1.0, &a, &b, &mut c, true);
        assert!(c.iter().all(|&v| v == 5.0));
        gemm(2, 3, 4, 1.0, &a, &b, &mut c, false);
        assert!(c.iter().all(|&v| v == 0.0));
    }

    #[test]
    fn parallel_and_serial_agree_bit_for_bit() {
        let mut rng = Rng::new(5);
        let (m, k, n) = (64, 784, 100);
        let a = random(m * k, 0.8, &mut rng);
        let b = random(k * n, 0.0, &mut rng);
        let mut c1 = vec![0.0; m * n];
        let mut c2 = vec![0.0; m * n];
        gemm(m, k, n, 1.0, &a, &b, &mut c1, false);
        gemm_serial(m, k, n, 1.0, &a, &b, &mut c2, false);
        assert_eq!(c1, c2);
    }

    #[test]
    fn sparse_product_split_over_threads_matches_serial_bit_for_bit() {
        let mut rng = Rng::new(6);
        let (m, k, n) = (300, 784, 100);
        let a = Csr::from_dense(&random(m * k, 0.8, &mut rng), m, k);
        assert!(
            a.nonzeros() * n >= CSR_PARALLEL_MIN_WORK,
            "large enough to split"
        );
        let b = random(k * n, 0.0, &mut rng);
        let mut split = vec![0.5; m * n];
        let mut serial = split.clone();
        set_parallel(true);
        gemm_csr(&a, &b, n, -0.1, &mut split, true);
        csr_rows(&a, 0, m, &b, n, -0.1, &mut serial, true);
        assert_eq!(split, serial);
    }

    #[test]
    fn csr_products_and_transpose_match_dense() {
        let mut rng = Rng::new(8);
        let (m, k, n) = (13, 50, 37);
        let a = random(m * k, 0.7, &mut rng);
        let b = random(k * n, 0.0, &mut rng);
        let csr = Csr::from_dense(&a, m, k);
        assert_eq!(csr.rows(), m);
        assert_eq!(csr.nonzeros(), a.iter().filter(|&&v| v != 0.0).count());
        let want = naive(m, k, n, &a, &b);
        let mut c = vec![0.0; m * n];
        gemm_csr(&csr, &b, n, 1.0, &mut c, false);
        for (x, y) in c.iter().zip(&want) {
            assert!((x - y).abs() < 1e-4);
        }
        let mut t = Csr::default();
        csr.transpose_into(&mut t);
        let mut at = vec![0.0; m * k];
        transpose(&a, m, k, &mut at);
        assert_eq!(t, Csr::from_dense(&at, k, m));
    }

    #[test]
    fn transpose_and_column_sums() {
        let src: Vec<f32> = (0..30).map(|v| v as f32).collect();
        let mut dst = vec![0.0; 30];
        transpose(&src, 3, 10, &mut dst);
        assert_eq!(dst[0..3], [0.0, 10.0, 20.0]);
        assert_eq!(dst[27..30], [9.0, 19.0, 29.0]);
        let mut sums = vec![1.0; 10];
        add_column_sums(&src, 3, 10, 0.5, &mut sums);
        assert_eq!(sums[0], 1.0 + 0.5 * 30.0);
        assert_eq!(sums[9], 1.0 + 0.5 * 57.0);
    }
}
