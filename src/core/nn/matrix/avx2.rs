//! The x86-64 kernels on AVX2 with fused multiply-add, chosen at run time when the CPU has
//! both (`Backend::detected`).

use super::RowSum;

use std::arch::x86_64::*;

/// 64-, 32- then 8-column register blocks, then a scalar tail.
///
/// # Safety
/// AVX2 and FMA must be available; `(idx[t] + 1) * n <= b.len()` for every t;
/// `out.len() >= n`; `val.len() >= idx.len()`.
#[target_feature(enable = "avx2,fma")]
pub(super) unsafe fn combine_rows(job: &RowSum<'_>, out: &mut [f32]) {
    let (idx, val, b, n, alpha, accumulate) = job.parts();
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
pub(super) unsafe fn list_nonzeros(row: &[f32], idx: &mut [u32], val: &mut [f32]) -> usize {
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
