//! The wasm32 kernels on 128-bit SIMD (compiled only with `target_feature = "simd128"`).
//! Each lane multiplies then adds (no fused multiply-add), in the portable kernels' order.

use super::RowSum;

use std::arch::wasm32::*;

/// [`super::list_nonzeros`] with two 4-lane compares and bitmasks per 8 entries.
///
/// # Safety
/// `idx` and `val` must be at least as long as `row`.
pub(super) unsafe fn list_nonzeros(row: &[f32], idx: &mut [u32], val: &mut [f32]) -> usize {
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
pub(super) unsafe fn combine_rows(job: &RowSum<'_>, out: &mut [f32]) {
    let (idx, val, b, n, alpha, accumulate) = job.parts();
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
    super::portable::combine_tail(idx, val, b, n, col, out, alpha, accumulate);
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
