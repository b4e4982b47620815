//! Which connections are drawn for one sample, and as which SVG paths.
//!
//! Between drawn layers `l-1` and `l`, the connection k → j carries the contribution
//! `c_jk = w_jk · a_k` to neuron j's pre-activation. Drawing every one of them (78,400 from a
//! 784-wide input) is useless, so we draw the `limit` largest `|c|`, in a stable order:
//! `|c|` descending, ties by `(j, k)` ascending. Zero and non-finite contributions are never
//! drawn (a blank pixel contributes nothing).

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::fmt::Write;

use super::layout::Column;
use super::scale::{stroke_width, WIDTH_LEVELS};

/// One drawn connection: from neuron `from` (= k) of layer l-1 to neuron `to` (= j) of layer l.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Edge {
    pub from: usize,
    pub to: usize,
    pub weight: f32,
    /// `weight · a_from` for the sample.
    pub contribution: f32,
}

/// Ranking key: "better" edges come first in the drawn order.
#[derive(Clone, Copy, Debug)]
struct Ranked(Edge);

impl Ranked {
    /// Ordering in the drawn list: |c| descending, then j ascending, then k ascending.
    fn drawn_order(&self, other: &Self) -> Ordering {
        other
            .0
            .contribution
            .abs()
            .total_cmp(&self.0.contribution.abs())
            .then(self.0.to.cmp(&other.0.to))
            .then(self.0.from.cmp(&other.0.from))
    }
}

// The heap keeps the worst kept edge on top: "greater" = later in the drawn order.
impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> Ordering {
        self.drawn_order(other)
    }
}
impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl PartialEq for Ranked {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Ranked {}

/// The `limit` strongest contributions of one dense layer for one sample, in drawn order.
///
/// `weights`: outputs × inputs, row-major (`w[j * inputs + k]`); `a_prev`: the `inputs`
/// activations of the previous drawn layer. Rows or activations beyond the shorter of the two
/// are ignored, so inconsistent shapes give fewer edges, never a panic.
pub fn strongest_edges(weights: &[f32], inputs: usize, a_prev: &[f32], limit: usize) -> Vec<Edge> {
    if inputs == 0 || limit == 0 {
        return Vec::new();
    }
    let active: Vec<(usize, f32)> = a_prev
        .iter()
        .take(inputs)
        .copied()
        .enumerate()
        .filter(|&(_, a)| a != 0.0 && a.is_finite())
        .collect();
    // Never more than one candidate per weight (and `limit` may be usize::MAX: "all of them").
    let capacity = limit.min(weights.len()).saturating_add(1);
    let mut kept: BinaryHeap<Ranked> = BinaryHeap::with_capacity(capacity);
    // |c| of the worst kept edge once `limit` are kept: most candidates fall below it and are
    // rejected by one comparison, without building and ordering a candidate (the heap's full
    // order is only needed for larger |c| and for ties).
    let mut floor = -1.0f32;
    for (j, row) in weights.chunks_exact(inputs).enumerate() {
        for &(k, a) in &active {
            let weight = row[k];
            let contribution = weight * a;
            if contribution == 0.0 || !contribution.is_finite() || contribution.abs() < floor {
                continue;
            }
            let candidate = Ranked(Edge {
                from: k,
                to: j,
                weight,
                contribution,
            });
            if kept.len() < limit {
                kept.push(candidate);
            } else if kept.peek().is_some_and(|worst| candidate < *worst) {
                kept.pop();
                kept.push(candidate);
            } else {
                continue;
            }
            if kept.len() == limit {
                floor = kept
                    .peek()
                    .map_or(floor, |worst| worst.0.contribution.abs());
            }
        }
    }
    kept.into_sorted_vec().into_iter().map(|r| r.0).collect()
}

/// All edges of one width level and one sign, as a single SVG path (`M x y L x y` segments).
/// Made only by [`edge_paths`] (`d` is private to `core::viz`): the markup trusts its `d`.
#[derive(Clone, Debug, PartialEq)]
pub struct EdgePath {
    /// Sign of the weights in this path.
    pub positive: bool,
    /// 1 (thinnest) ..= [`WIDTH_LEVELS`] (thickest).
    pub level: usize,
    pub stroke_width: f32,
    /// Number of edges in the path.
    pub count: usize,
    /// The path data: numbers we formatted, `M`, `L` and spaces only (see `markup`'s docs).
    pub(super) d: String,
}

impl EdgePath {
    /// The path data (`M x y L x y …`).
    pub fn d(&self) -> &str {
        &self.d
    }
}

/// Groups `edges` between columns `from` and `to` into one path per (sign, width level), levels
/// relative to the largest `|w|` among them; thin paths first so thick ones are drawn on top.
/// Edges naming neurons the columns do not have are skipped.
pub fn edge_paths(edges: &[Edge], from: &Column, to: &Column) -> Vec<EdgePath> {
    let max_w = edges.iter().map(|e| e.weight.abs()).fold(0.0f32, f32::max);
    let mut paths: Vec<EdgePath> = Vec::new();
    for level in 1..=WIDTH_LEVELS {
        for positive in [true, false] {
            let mut d = String::with_capacity(edges.len() * 28);
            let mut count = 0;
            for e in edges {
                let (Some(a), Some(b)) = (from.neurons.get(e.from), to.neurons.get(e.to)) else {
                    continue;
                };
                if (e.weight > 0.0) != positive || width_level(e.weight, max_w) != level {
                    continue;
                }
                d.push('M');
                push_tenths(&mut d, a.x);
                d.push(' ');
                push_tenths(&mut d, a.y);
                d.push('L');
                push_tenths(&mut d, b.x);
                d.push(' ');
                push_tenths(&mut d, b.y);
                count += 1;
            }
            if count > 0 {
                let stroke_width = stroke_width(level);
                paths.push(EdgePath {
                    positive,
                    level,
                    stroke_width,
                    count,
                    d,
                });
            }
        }
    }
    paths
}

/// Appends `v` with one decimal, the same text as `format!("{v:.1}")` (ties to even), through
/// integer formatting: float formatting was the largest cost of rebuilding the edge paths.
pub fn push_tenths(out: &mut String, v: f32) {
    push_fixed(out, v, 1);
}

/// Appends `v` with `places` (at most 6) decimals, the same text as `format!("{v:.places$}")`
/// (ties to even), written digit by digit without the float formatting machinery (slow and
/// large in the size-optimised wasm build); SVG coordinates of the graph go through it.
pub fn push_fixed(out: &mut String, v: f32, places: u32) {
    let places = places.min(6);
    if !v.is_finite() || v.abs() >= 1.0e9 {
        let _ = write!(out, "{v:.*}", places as usize);
        return;
    }
    // v × 10^places is exact in f64 (24 + 20 bits < 53), so rounding it rounds the exact decimal.
    let scale = 10u64.pow(places);
    let scaled = (v as f64 * scale as f64).round_ties_even().abs() as u64;
    if v.is_sign_negative() {
        out.push('-');
    }
    push_digits(out, scaled / scale, 1);
    if places > 0 {
        out.push('.');
        push_digits(out, scaled % scale, places as usize);
    }
}

/// Appends the decimal digits of `n` (what `write!(out, "{n}")` writes).
pub fn push_uint(out: &mut String, n: usize) {
    push_digits(out, n as u64, 1);
}

/// Appends the decimal digits of `n`, zero-padded to at least `width` digits.
fn push_digits(out: &mut String, mut n: u64, width: usize) {
    let mut digits = [b'0'; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    let i = i.min(digits.len() - width.min(digits.len()));
    for &d in &digits[i..] {
        out.push(d as char);
    }
}

/// Width level 1..=[`WIDTH_LEVELS`] of a weight: `⌈LEVELS · |w| / max_w⌉`, clamped.
pub fn width_level(weight: f32, max_w: f32) -> usize {
    if max_w.is_nan() || max_w <= 0.0 || !weight.is_finite() {
        return 1;
    }
    let share = (weight.abs() / max_w).clamp(0.0, 1.0);
    ((share * WIDTH_LEVELS as f32).ceil() as usize).clamp(1, WIDTH_LEVELS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::viz::layout::{layout, Frame};
    use proptest::prelude::*;

    fn pairs(edges: &[Edge]) -> Vec<(usize, usize)> {
        edges.iter().map(|e| (e.to, e.from)).collect()
    }

    #[test]
    fn picks_the_largest_contributions_not_the_largest_weights() {
        // 2 outputs × 3 inputs. Input 0 is blank, so its huge weights contribute nothing.
        let w = [9.0, 1.0, -2.0, /* j=1 */ -9.0, 0.5, 3.0];
        let a = [0.0, 1.0, 0.5];
        let e = strongest_edges(&w, 3, &a, 2);
        // c: (0,1)=1, (0,2)=-1, (1,1)=0.5, (1,2)=1.5
        assert_eq!(pairs(&e), [(1, 2), (0, 1)]);
        assert_eq!(e[0].contribution, 1.5);
        assert_eq!(e[0].weight, 3.0);
        // No limit at all: every non-zero contribution, not an overflow.
        assert_eq!(strongest_edges(&w, 3, &a, usize::MAX).len(), 4);
    }

    #[test]
    fn ties_are_ordered_by_target_then_source() {
        let w = [1.0, -1.0, /* j=1 */ 1.0, 1.0];
        let a = [1.0, 1.0];
        let e = strongest_edges(&w, 2, &a, 10);
        assert_eq!(pairs(&e), [(0, 0), (0, 1), (1, 0), (1, 1)]);
        // Cut in the middle of a tie: the earliest (j, k) win.
        assert_eq!(
            pairs(&strongest_edges(&w, 2, &a, 3)),
            [(0, 0), (0, 1), (1, 0)]
        );
    }

    #[test]
    fn zero_nan_and_infinite_contributions_are_never_drawn() {
        let w = [0.0, f32::NAN, 2.0, 1.0];
        let a = [1.0, 1.0, f32::INFINITY, 0.25];
        let e = strongest_edges(&w, 4, &a, 10);
        assert_eq!(pairs(&e), [(0, 3)]);
        assert_eq!(e[0].contribution, 0.25);
    }

    #[test]
    fn limit_zero_and_bad_shapes_give_no_panic() {
        assert!(strongest_edges(&[1.0, 2.0], 2, &[1.0, 1.0], 0).is_empty());
        assert!(strongest_edges(&[1.0, 2.0], 0, &[1.0, 1.0], 5).is_empty());
        // Short activations: only the inputs present are used.
        assert_eq!(pairs(&strongest_edges(&[1.0, 2.0], 2, &[1.0], 5)), [(0, 0)]);
        // A ragged weight buffer: the incomplete last row is ignored.
        assert_eq!(
            strongest_edges(&[1.0, 2.0, 3.0], 2, &[1.0, 1.0], 5).len(),
            2
        );
    }

    proptest! {
        #[test]
        fn equals_sorting_every_contribution(
            w in prop::collection::vec(-4i8..4, 24),
            a in prop::collection::vec(0u8..3, 6),
            limit in 0usize..30,
        ) {
            let w: Vec<f32> = w.into_iter().map(|x| x as f32 * 0.5).collect();
            let a: Vec<f32> = a.into_iter().map(|x| x as f32).collect();
            let mut all: Vec<(f32, usize, usize)> = Vec::new();
            for j in 0..4 {
                for k in 0..6 {
                    let c = w[j * 6 + k] * a[k];
                    if c != 0.0 { all.push((c.abs(), j, k)); }
                }
            }
            all.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)).then(x.2.cmp(&y.2)));
            all.truncate(limit);
            let got: Vec<(f32, usize, usize)> = strongest_edges(&w, 6, &a, limit)
                .iter().map(|e| (e.contribution.abs(), e.to, e.from)).collect();
            prop_assert_eq!(got, all);
        }
    }

    #[test]
    fn tenths_are_written_like_the_float_formatter() {
        let mut values = vec![
            0.0,
            -0.0,
            0.05,
            0.15,
            0.25,
            0.35,
            -0.25,
            -0.04,
            2.5,
            12.25,
            999.95,
            1e9,
            -3e12,
            f32::NAN,
            f32::INFINITY,
            f32::NEG_INFINITY,
            f32::MIN_POSITIVE,
            0.949_999_9,
        ];
        let mut x = -1200.0f32;
        while x < 1200.0 {
            values.push(x);
            x += 0.012_345;
        }
        for v in values {
            let mut s = String::new();
            push_tenths(&mut s, v);
            assert_eq!(s, format!("{v:.1}"), "{v:e}");
        }
    }

    proptest! {
        #[test]
        fn tenths_match_for_any_float(bits in any::<u32>()) {
            let v = f32::from_bits(bits);
            let mut s = String::new();
            push_tenths(&mut s, v);
            prop_assert_eq!(s, format!("{v:.1}"));
        }
    }

    #[test]
    fn fixed_decimals_are_written_like_the_float_formatter() {
        let mut values = vec![
            0.0,
            -0.0,
            0.005,
            0.015,
            0.125,
            -0.125,
            0.004,
            -0.004,
            1.005,
            512.345,
            999.995,
            123_456.78,
            1e9,
            f32::NAN,
            f32::NEG_INFINITY,
        ];
        let mut x = -1200.0f32;
        while x < 1200.0 {
            values.push(x);
            x += 0.001_234_5;
        }
        for v in values {
            for places in 0..=3u32 {
                let mut s = String::new();
                push_fixed(&mut s, v, places);
                assert_eq!(s, format!("{v:.*}", places as usize), "{v:e} with {places}");
            }
        }
    }

    proptest! {
        #[test]
        fn fixed_decimals_match_for_any_float(bits in any::<u32>(), places in 0u32..=6) {
            let v = f32::from_bits(bits);
            let mut s = String::new();
            push_fixed(&mut s, v, places);
            prop_assert_eq!(s, format!("{v:.*}", places as usize));
        }
    }

    #[test]
    fn width_levels_split_the_largest_weight_in_equal_steps() {
        assert_eq!(width_level(1.0, 1.0), WIDTH_LEVELS);
        assert_eq!(width_level(-1.0, 1.0), WIDTH_LEVELS);
        assert_eq!(width_level(0.01, 1.0), 1);
        assert_eq!(width_level(0.0, 1.0), 1);
        assert_eq!(width_level(0.5, 0.0), 1);
        let levels: Vec<usize> = (1..=20)
            .map(|i| width_level(i as f32 / 20.0, 1.0))
            .collect();
        assert!(levels.windows(2).all(|w| w[0] <= w[1]));
    }

    #[test]
    fn paths_group_edges_by_sign_and_level_thin_first() {
        let l = layout(
            &[4, 3],
            Frame {
                width: 600.0,
                height: 400.0,
            },
            None,
        );
        let edges = [
            Edge {
                from: 0,
                to: 0,
                weight: 2.0,
                contribution: 2.0,
            },
            Edge {
                from: 1,
                to: 0,
                weight: -2.0,
                contribution: -2.0,
            },
            Edge {
                from: 2,
                to: 1,
                weight: 0.1,
                contribution: 0.1,
            },
            Edge {
                from: 3,
                to: 2,
                weight: 0.2,
                contribution: 0.2,
            },
            Edge {
                from: 9,
                to: 0,
                weight: 1.0,
                contribution: 1.0,
            }, // no neuron 9: skipped
        ];
        let paths = edge_paths(&edges, &l.columns[0], &l.columns[1]);
        let summary: Vec<(bool, usize, usize)> = paths
            .iter()
            .map(|p| (p.positive, p.level, p.count))
            .collect();
        assert_eq!(
            summary,
            [
                (true, 1, 2),
                (true, WIDTH_LEVELS, 1),
                (false, WIDTH_LEVELS, 1)
            ]
        );
        assert!(paths[0].stroke_width < paths[1].stroke_width);
        let (a, b) = (l.columns[0].neurons[0], l.columns[1].neurons[0]);
        assert_eq!(
            paths[1].d,
            format!("M{:.1} {:.1}L{:.1} {:.1}", a.x, a.y, b.x, b.y)
        );
        assert_eq!(paths[0].d.matches('M').count(), 2);
    }
}
