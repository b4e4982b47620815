//! "Which test digits activate this neuron most": top-k rankings over a dataset.
//!
//! Order everywhere: activation descending, ties by sample index ascending; non-finite
//! activations are never ranked.

use std::cmp::Ordering;
use std::ops::Range;

use crate::core::idx::Images;
use crate::core::nn::{input_from_pixels, Network};

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

/// The samples ranked between two pauses (so that the page stays responsive): `0..size`,
/// `size..2·size`, …, the last one shorter; none for an empty set. A size of 0 counts as 1.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RankBatches {
    total: usize,
    size: usize,
    next: usize,
}

impl RankBatches {
    pub fn new(total: usize, size: usize) -> RankBatches {
        RankBatches {
            total,
            size: size.max(1),
            next: 0,
        }
    }
}

impl Iterator for RankBatches {
    type Item = Range<usize>;

    fn next(&mut self) -> Option<Range<usize>> {
        if self.next >= self.total {
            return None;
        }
        let start = self.next;
        self.next = start + self.size.min(self.total - start);
        Some(start..self.next)
    }
}

/// One batch of the ranking: runs `network` over images `range` of `images` in one batched
/// pass and pushes every hidden and output activation of each image (as sample `index`) into
/// `tops`. Returns how many images were ranked: 0 when the images do not fit the network's
/// input or the range is past the end (which is clipped to the number of images).
pub fn rank_batch(
    network: &Network,
    images: &Images,
    range: Range<usize>,
    tops: &mut TopActivations,
) -> usize {
    let dim = images.rows * images.cols;
    let end = range.end.min(images.count);
    if dim == 0 || dim != network.input_size() || range.start >= end {
        return 0;
    }
    let count = end - range.start;
    let input = input_from_pixels(&images.pixels[range.start * dim..end * dim]);
    let layers = network.forward_batch_layers(&input, count);
    if layers.is_empty() {
        return 0;
    }
    // a[0] (the input) is not ranked; a[l] for drawn layer l ≥ 1.
    let mut a = vec![Vec::new(); layers.len() + 1];
    for s in 0..count {
        for (l, out) in layers.iter().enumerate() {
            let w = out.len() / count;
            a[l + 1].clear();
            a[l + 1].extend_from_slice(&out[s * w..(s + 1) * w]);
        }
        tops.push(range.start + s, &a);
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::nn::{Activation, Rng};

    #[test]
    fn batches_cover_every_sample_once_in_order() {
        let all: Vec<_> = RankBatches::new(10_001, 500).collect();
        assert_eq!(all.len(), 21);
        assert_eq!(all[0], 0..500);
        assert_eq!(all[20], 10_000..10_001);
        assert!(all.windows(2).all(|w| w[0].end == w[1].start));
        assert_eq!(
            RankBatches::new(1000, 500).collect::<Vec<_>>(),
            [0..500, 500..1000]
        );
        let mut short = RankBatches::new(3, 500);
        assert_eq!((short.next(), short.next()), (Some(0..3), None));
        assert_eq!(RankBatches::new(0, 500).count(), 0);
        assert_eq!(
            RankBatches::new(3, 0).collect::<Vec<_>>(),
            [0..1, 1..2, 2..3]
        );
    }

    /// `count` random 3×3 images, about half the pixels blank.
    fn images(count: usize, seed: u64) -> Images {
        let mut rng = Rng::new(seed);
        let pixels = (0..count * 9)
            .map(|_| {
                if rng.below(2) == 0 {
                    0
                } else {
                    rng.below(256) as u8
                }
            })
            .collect();
        Images {
            count,
            rows: 3,
            cols: 3,
            pixels,
        }
    }

    #[test]
    fn ranking_in_batches_is_ranking_each_trace() {
        let net = Network::init(&[9, 5, 4], Activation::Relu, Activation::Softmax, 4).unwrap();
        let imgs = images(23, 8);
        let mut batched = TopActivations::new(&net.sizes(), 3);
        let mut ranked = 0;
        for range in RankBatches::new(imgs.count, 5) {
            ranked += rank_batch(&net, &imgs, range, &mut batched);
        }
        assert_eq!((ranked, batched.seen()), (23, 23));
        // The same in one batch: identical (each row's sums do not depend on the batch).
        let mut whole = TopActivations::new(&net.sizes(), 3);
        assert_eq!(rank_batch(&net, &imgs, 0..100, &mut whole), 23);
        assert_eq!(whole, batched);
        // And the same ranking as from one trace per image.
        let mut traced = TopActivations::new(&net.sizes(), 3);
        for i in 0..imgs.count {
            let x = input_from_pixels(&imgs.pixels[i * 9..(i + 1) * 9]);
            traced.push(i, &net.forward_trace(&x).a);
        }
        for (layer, &width) in net.sizes().iter().enumerate().skip(1) {
            for j in 0..width {
                let (b, t) = (batched.top(layer, j), traced.top(layer, j));
                assert_eq!(b.len(), t.len());
                for (x, y) in b.iter().zip(t) {
                    assert_eq!(x.0, y.0, "layer {layer} neuron {j}");
                    assert!((x.1 - y.1).abs() < 1e-5);
                }
            }
        }
        assert!(!batched.top(1, 0).is_empty());
    }

    #[test]
    fn images_that_do_not_fit_the_network_rank_nothing() {
        let net = Network::init(&[4, 2], Activation::Relu, Activation::Softmax, 1).unwrap();
        let mut tops = TopActivations::new(&net.sizes(), 3);
        assert_eq!(rank_batch(&net, &images(5, 1), 0..5, &mut tops), 0);
        let net = Network::init(&[9, 2], Activation::Relu, Activation::Softmax, 1).unwrap();
        assert_eq!(rank_batch(&net, &images(5, 1), 5..9, &mut tops), 0);
        assert_eq!(rank_batch(&net, &images(5, 1), 3..9, &mut tops), 2);
        assert_eq!(tops.seen(), 2);
    }

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
