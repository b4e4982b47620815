//! The portable kernels: plain Rust in fixed-width chunks that the compiler vectorises. Every
//! target runs them; they are what the SIMD back-ends are checked against (`tests.rs`).

use super::RowSum;

/// [`super::list_nonzeros`] eight entries at a time, with a branch-free bit mask per group.
pub(super) fn list_nonzeros(row: &[f32], idx: &mut [u32], val: &mut [f32]) -> usize {
    let mut count = 0;
    for (g, group) in row.chunks(8).enumerate() {
        let mut bits = 0u32;
        for (j, &v) in group.iter().enumerate() {
            bits |= ((v != 0.0) as u32) << j;
        }
        count = super::emit_group(bits, g * 8, group, idx, val, count);
    }
    count
}

/// Blocks of 16 columns with array accumulators (vectorised by the compiler).
pub(super) fn combine_rows(job: &RowSum<'_>, out: &mut [f32]) {
    let (idx, val, b, n, alpha, accumulate) = job.parts();
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
    combine_tail(idx, val, b, n, col, out, alpha, accumulate);
}

/// Columns `from..n` of a row combination, one scalar at a time.
#[allow(clippy::too_many_arguments)]
pub(super) fn combine_tail(
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
