//! Hand-written matrix kernels for the batched passes.
//!
//! Everything reduces to one product, `C (m×n) = / += alpha · A (m×k) · B (k×n)`, all row-major.
//! Each row of C is a combination of rows of B weighted by that row of A, so the kernel first
//! lists the non-zero entries of the A row (MNIST pixels are ~80 % zero and ReLU activations
//! ~50 %), then streams the chosen B rows through a block of SIMD accumulators that stays in
//! registers (64 columns = 8 AVX registers), and writes C once. B rows are contiguous, loads are
//! unit-stride, and the same B block is reused for every non-zero of the row while it is in L1/L2.
//!
//! Back-ends, one file each: AVX2+FMA on x86-64 (`avx2.rs`, detected at run time), simd128 on
//! wasm32 (`simd128.rs`, when compiled with `+simd128`, as `.cargo/config.toml` does), and
//! portable chunked code the compiler vectorises (`portable.rs`). This file holds the public API,
//! the choice of back-end ([`Backend`]), the thread splitting and the sparse matrix [`Csr`];
//! `tests.rs` checks every back-end the machine can run against the portable one.
//! With the `parallel` feature (native only) large products split their rows over the rayon
//! threads; every C element is still summed in the same order, so results do not depend on the
//! number of threads.

use std::sync::atomic::{AtomicBool, Ordering};

#[cfg(target_arch = "x86_64")]
mod avx2;
mod portable;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd128;
#[cfg(test)]
mod tests;

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

static PORTABLE_ONLY: AtomicBool = AtomicBool::new(false);

/// Makes every kernel use the portable back-end (`true`) or the fastest one (`false`, the
/// default). The portable kernels round like the wasm simd128 ones (multiply, then add, in the
/// same order), so a native run with them can be compared bit for bit with a run in the browser.
pub fn set_portable_only(enabled: bool) {
    PORTABLE_ONLY.store(enabled, Ordering::Relaxed);
}

/// The name of the back-end the kernels use now.
pub fn backend_name() -> &'static str {
    Backend::chosen().name()
}

/// A set of kernels. A value naming a SIMD back-end is only made by [`Backend::detected`] or
/// [`Backend::available`], after checking that this machine can run it: the dispatch below
/// relies on that for its `unsafe` calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Backend {
    Portable,
    #[cfg(target_arch = "x86_64")]
    Avx2Fma,
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    Simd128,
}

impl Backend {
    /// The fastest back-end this machine runs (the one every public function uses).
    fn detected() -> Backend {
        #[cfg(target_arch = "x86_64")]
        if has_avx2_fma() {
            return Backend::Avx2Fma;
        }
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        return Backend::Simd128;
        #[allow(unreachable_code)]
        Backend::Portable
    }

    /// The back-end the public functions use: the detected one unless [`set_portable_only`].
    fn chosen() -> Backend {
        if PORTABLE_ONLY.load(Ordering::Relaxed) {
            Backend::Portable
        } else {
            Backend::detected()
        }
    }

    /// Every back-end this machine runs, the portable one first.
    #[cfg_attr(not(test), allow(dead_code))]
    fn available() -> Vec<Backend> {
        let mut all = vec![Backend::Portable];
        if Backend::detected() != Backend::Portable {
            all.push(Backend::detected());
        }
        all
    }

    fn name(self) -> &'static str {
        match self {
            Backend::Portable => "portable",
            #[cfg(target_arch = "x86_64")]
            Backend::Avx2Fma => "avx2+fma",
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            Backend::Simd128 => "simd128",
        }
    }
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
    gemm_on(Backend::chosen(), m, k, n, alpha, a, b, c, accumulate);
}

/// [`gemm`] with the given back-end.
#[allow(clippy::too_many_arguments)]
fn gemm_on(
    backend: Backend,
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
                let a = &a[first * k..];
                gemm_serial(backend, rows, k, n, alpha, a, b, c_part, accumulate);
            });
        return;
    }
    let _ = PARALLEL_MIN_WORK;
    gemm_serial(backend, m, k, n, alpha, a, b, c, accumulate);
}

/// Single-threaded body of [`gemm`].
#[allow(clippy::too_many_arguments)]
fn gemm_serial(
    backend: Backend,
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
        let nonzero = list_nonzeros(backend, &a[i * k..(i + 1) * k], &mut idx, &mut val);
        let out = &mut c[i * n..(i + 1) * n];
        if nonzero == 0 {
            if !accumulate {
                out.fill(0.0);
            }
            continue;
        }
        let job = RowSum {
            idx: &idx[..nonzero],
            val: &val[..nonzero],
            b: &b[..k * n],
            n,
            alpha,
            accumulate,
        };
        combine_rows(backend, &job, out);
    }
}

/// Writes the positions and values of the non-zero entries of `row` to the front of `idx` and
/// `val` (each at least as long as `row`) and returns how many there are. Eight entries at a
/// time: a bit mask of the non-zeros is built without branches, and all-zero groups (most of
/// an MNIST image) cost one test.
fn list_nonzeros(backend: Backend, row: &[f32], idx: &mut [u32], val: &mut [f32]) -> usize {
    assert!(
        idx.len() >= row.len() && val.len() >= row.len(),
        "list_nonzeros buffers"
    );
    match backend {
        Backend::Portable => portable::list_nonzeros(row, idx, val),
        // SAFETY: a Backend::Avx2Fma exists only when the CPU has AVX2 and FMA; the buffers
        // are at least as long as the row (asserted).
        #[cfg(target_arch = "x86_64")]
        Backend::Avx2Fma => unsafe { avx2::list_nonzeros(row, idx, val) },
        // SAFETY: simd128 is enabled at compile time; the buffers are long enough (asserted).
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        Backend::Simd128 => unsafe { simd128::list_nonzeros(row, idx, val) },
    }
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

    /// Makes room for `rows` more rows holding `nonzeros` more non-zeros in all (a large matrix
    /// built row by row would otherwise end in buffers up to twice its size).
    pub fn reserve(&mut self, rows: usize, nonzeros: usize) {
        self.ptr.reserve_exact(rows + 1);
        self.idx.reserve_exact(nonzeros);
        self.val.reserve_exact(nonzeros);
    }

    /// Appends a dense row (length `cols`), keeping only its non-zeros.
    /// Entries past `cols` are ignored, so every stored column number is `< cols`.
    pub fn push_dense_row(&mut self, row: &[f32]) {
        self.push_dense_row_on(Backend::chosen(), row);
    }

    /// [`Csr::push_dense_row`] listing the non-zeros with the given back-end.
    fn push_dense_row_on(&mut self, backend: Backend, row: &[f32]) {
        let row = &row[..row.len().min(self.cols)];
        if self.ptr.is_empty() {
            self.ptr.push(0);
        }
        if self.row_idx.len() < row.len() {
            self.row_idx.resize(row.len(), 0);
            self.row_val.resize(row.len(), 0.0);
        }
        let count = list_nonzeros(backend, row, &mut self.row_idx, &mut self.row_val);
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

    /// Adds row `r`'s non-zeros into the dense `out` (of at least `cols` values).
    pub fn add_row_to(&self, r: usize, out: &mut [f32]) {
        for t in self.ptr[r]..self.ptr[r + 1] {
            out[self.idx[t] as usize] += self.val[t];
        }
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
    gemm_csr_on(Backend::chosen(), a, b, n, alpha, c, accumulate);
}

/// [`gemm_csr`] with the given back-end.
fn gemm_csr_on(
    backend: Backend,
    a: &Csr,
    b: &[f32],
    n: usize,
    alpha: f32,
    c: &mut [f32],
    accumulate: bool,
) {
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
                let rows = c_part.len() / n;
                csr_rows(backend, a, first, rows, b, n, alpha, c_part, accumulate);
            });
        return;
    }
    csr_rows(backend, a, 0, m, b, n, alpha, c, accumulate);
}

/// Rows `first..first + count` of [`gemm_csr`], written to `c` (which starts at row `first`).
#[allow(clippy::too_many_arguments)]
fn csr_rows(
    backend: Backend,
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
        let job = RowSum {
            idx: &a.idx[span.clone()],
            val: &a.val[span],
            b,
            n,
            alpha,
            accumulate,
        };
        combine_rows(backend, &job, out);
    }
}

/// One row of a sparse × dense product: `out = / += alpha · Σ_t val[t] · B[idx[t], ..]`, B
/// having rows of length `n` (what each back-end's `combine_rows` computes).
#[derive(Clone, Copy)]
pub(super) struct RowSum<'a> {
    pub idx: &'a [u32],
    pub val: &'a [f32],
    pub b: &'a [f32],
    pub n: usize,
    pub alpha: f32,
    /// Add to `out` instead of overwriting it.
    pub accumulate: bool,
}

impl<'a> RowSum<'a> {
    /// `(idx, val, b, n, alpha, accumulate)`.
    #[inline]
    pub fn parts(&self) -> (&'a [u32], &'a [f32], &'a [f32], usize, f32, bool) {
        (
            self.idx,
            self.val,
            self.b,
            self.n,
            self.alpha,
            self.accumulate,
        )
    }
}

/// `out = / += alpha · Σ_t val[t] · B[idx[t], ..]` on `backend`.
fn combine_rows(backend: Backend, job: &RowSum<'_>, out: &mut [f32]) {
    debug_assert!(job
        .idx
        .iter()
        .all(|&r| (r as usize + 1) * job.n <= job.b.len()));
    match backend {
        Backend::Portable => portable::combine_rows(job, out),
        // SAFETY: a Backend::Avx2Fma exists only when the CPU has AVX2 and FMA; every row
        // index was taken from A's row of length k (or is < cols for a Csr) and B holds k
        // rows of n floats (asserted in `gemm_on` / `gemm_csr_on`).
        #[cfg(target_arch = "x86_64")]
        Backend::Avx2Fma => unsafe { avx2::combine_rows(job, out) },
        // SAFETY: as above; simd128 is enabled at compile time.
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        Backend::Simd128 => unsafe { simd128::combine_rows(job, out) },
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
