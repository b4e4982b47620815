//! "Which test digits activate this neuron most": top-k rankings over a dataset.
//!
//! Order everywhere: activation descending, ties by sample index ascending; non-finite
//! activations are never ranked.

use std::cmp::Ordering;

/// Indices of the `k` largest finite values, in ranking order.
pub fn top_k(values: &[f32], k: usize) -> Vec<usize> {
    let mut best = Best::new(k);
    for (i, &v) in values.iter().enumerate() {
        best.offer(i, v);
    }
    best.items.into_iter().map(|(i, _)| i).collect()
}

/// A bounded, sorted list of (sample index, value), best first.
#[derive(Clone, Debug, Default, PartialEq)]
struct Best {
    k: usize,
    items: Vec<(usize, f32)>,
}

fn ranks_before(a: (usize, f32), b: (usize, f32)) -> Ordering {
    b.1.total_cmp(&a.1).then(a.0.cmp(&b.0))
}

impl Best {
    fn new(k: usize) -> Best {
        Best {
            k,
            items: Vec::with_capacity(k),
        }
    }

    /// Keeps `(index, value)` if it ranks among the best k seen so far.
    fn offer(&mut self, index: usize, value: f32) {
        if self.k == 0 || !value.is_finite() {
            return;
        }
        if self.items.len() == self.k {
            let worst = self.items[self.k - 1];
            if ranks_before((index, value), worst) != Ordering::Less {
                return;
            }
            self.items.pop();
        }
        let at = self
            .items
            .partition_point(|&it| ranks_before(it, (index, value)) == Ordering::Less);
        self.items.insert(at, (index, value));
    }
}

/// The best `k` samples of every neuron of every drawn layer ≥ 1, fed one sample at a time.
///
/// `widths` are the drawn layer widths (`Network::sizes()`); layer 0 (the input) is not ranked.
#[derive(Clone, Debug, PartialEq)]
pub struct TopActivations {
    widths: Vec<usize>,
    /// `best[l][j]` for drawn layer l (layer 0 left empty).
    best: Vec<Vec<Best>>,
    seen: usize,
}

impl TopActivations {
    pub fn new(widths: &[usize], k: usize) -> TopActivations {
        let best = widths
            .iter()
            .enumerate()
            .map(|(l, &n)| {
                if l == 0 {
                    Vec::new()
                } else {
                    vec![Best::new(k); n]
                }
            })
            .collect();
        TopActivations {
            widths: widths.to_vec(),
            best,
            seen: 0,
        }
    }

    /// Records sample `index` with activations `a` (`a[l]` = drawn layer l, as in `Trace::a`).
    /// Layers or neurons missing from `a` are skipped.
    pub fn push(&mut self, index: usize, a: &[Vec<f32>]) {
        for (layer, values) in self.best.iter_mut().zip(a).skip(1) {
            for (best, &v) in layer.iter_mut().zip(values) {
                best.offer(index, v);
            }
        }
        self.seen += 1;
    }

    /// How many samples were pushed.
    pub fn seen(&self) -> usize {
        self.seen
    }

    /// The ranked (sample index, activation) of neuron `neuron` of drawn layer `layer`;
    /// empty for the input layer or an unknown neuron.
    pub fn top(&self, layer: usize, neuron: usize) -> &[(usize, f32)] {
        self.best
            .get(layer)
            .and_then(|l| l.get(neuron))
            .map(|b| b.items.as_slice())
            .unwrap_or(&[])
    }

    pub fn widths(&self) -> &[usize] {
        &self.widths
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_k_ranks_by_value_then_index() {
        let v = [0.1, 0.9, 0.5, 0.9, f32::NAN, 0.7];
        assert_eq!(top_k(&v, 3), [1, 3, 5]);
        assert_eq!(top_k(&v, 10), [1, 3, 5, 2, 0]);
        assert!(top_k(&v, 0).is_empty());
        assert!(top_k(&[], 4).is_empty());
    }

    #[test]
    fn top_k_matches_a_full_sort() {
        // A deterministic pseudo-random sequence with many ties.
        let values: Vec<f32> = (0..500u32)
            .map(|i| ((i * 7919) % 37) as f32 / 4.0)
            .collect();
        let mut all: Vec<usize> = (0..values.len()).collect();
        all.sort_by(|&a, &b| values[b].total_cmp(&values[a]).then(a.cmp(&b)));
        for k in [1, 5, 12, 37, 499, 500, 600] {
            assert_eq!(top_k(&values, k), all[..k.min(500)], "k = {k}");
        }
    }

    #[test]
    fn top_activations_ranks_each_neuron_separately() {
        let mut t = TopActivations::new(&[3, 2, 1], 2);
        t.push(0, &[vec![0.0; 3], vec![0.5, 0.1], vec![0.3]]);
        t.push(1, &[vec![0.0; 3], vec![0.7, 0.1], vec![0.2]]);
        t.push(2, &[vec![0.0; 3], vec![0.6, 0.9], vec![0.3]]);
        assert_eq!(t.seen(), 3);
        assert_eq!(t.top(1, 0), [(1, 0.7), (2, 0.6)]);
        assert_eq!(t.top(1, 1), [(2, 0.9), (0, 0.1)]);
        assert_eq!(t.top(2, 0), [(0, 0.3), (2, 0.3)]);
        assert!(t.top(0, 0).is_empty(), "the input is not ranked");
        assert!(t.top(1, 5).is_empty());
        assert!(t.top(7, 0).is_empty());
    }

    #[test]
    fn a_short_trace_is_skipped_not_a_panic() {
        let mut t = TopActivations::new(&[3, 2, 1], 2);
        t.push(0, &[vec![0.0; 3], vec![0.5]]);
        assert_eq!(t.top(1, 0), [(0, 0.5)]);
        assert!(t.top(1, 1).is_empty());
        assert!(t.top(2, 0).is_empty());
    }
}
