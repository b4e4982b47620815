//! The confusion matrix of a labelled set, with the samples behind every cell (for a gallery).

use serde::{Deserialize, Serialize};

/// Counts `[true][predicted]` and, per cell, exactly the samples counted there.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Confusion {
    /// Number of classes (10 for MNIST).
    pub classes: usize,
    /// `classes × classes`, row = true label, column = predicted class: `counts[t * classes + p]`.
    pub counts: Vec<u32>,
    /// `classes × classes` lists, same order: the indices (into the evaluated set, e.g. the
    /// MNIST test set) of the samples in that cell, ascending.
    pub cells: Vec<Vec<u32>>,
}

impl Confusion {
    /// Tallies `predictions[i]` against `labels[i]` for sample number `indices[i]` (the three
    /// are read together, up to the shortest). Labels or predictions outside `0..classes`, and
    /// missing predictions (`None`: an output without a finite value), are not counted.
    pub fn from_predictions(
        predictions: &[Option<usize>],
        labels: &[u8],
        indices: &[u32],
        classes: usize,
    ) -> Confusion {
        let mut counts = vec![0u32; classes * classes];
        let mut cells = vec![Vec::new(); classes * classes];
        for ((&p, &t), &i) in predictions.iter().zip(labels).zip(indices) {
            let t = t as usize;
            let Some(p) = p else { continue };
            if t < classes && p < classes {
                counts[t * classes + p] += 1;
                cells[t * classes + p].push(i);
            }
        }
        for cell in &mut cells {
            cell.sort_unstable();
        }
        Confusion {
            classes,
            counts,
            cells,
        }
    }

    /// How many samples of class `truth` were predicted as `predicted`.
    pub fn count(&self, truth: usize, predicted: usize) -> u32 {
        self.counts[truth * self.classes + predicted]
    }

    /// The samples of class `truth` predicted as `predicted`.
    pub fn samples(&self, truth: usize, predicted: usize) -> &[u32] {
        &self.cells[truth * self.classes + predicted]
    }

    /// Samples counted.
    pub fn total(&self) -> u32 {
        self.counts.iter().sum()
    }

    /// Samples on the diagonal.
    pub fn correct(&self) -> u32 {
        (0..self.classes).map(|c| self.count(c, c)).sum()
    }

    /// Fraction on the diagonal, 0 for no samples.
    pub fn accuracy(&self) -> f32 {
        match self.total() {
            0 => 0.0,
            n => self.correct() as f32 / n as f32,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::nn::{Evaluation, Rng};

    #[test]
    fn counts_agree_with_the_evaluation_and_cells_hold_exactly_their_samples() {
        let mut rng = Rng::new(5);
        let n = 500;
        let labels: Vec<u8> = (0..n).map(|_| rng.below(10) as u8).collect();
        let predictions: Vec<Option<usize>> = labels
            .iter()
            .map(|&l| {
                Some(if rng.below(4) == 0 {
                    rng.below(10)
                } else {
                    l as usize
                })
            })
            .collect();
        // The evaluated set is every third sample of a larger set.
        let indices: Vec<u32> = (0..n as u32).map(|i| 3 * i).collect();
        let c = Confusion::from_predictions(&predictions, &labels, &indices, 10);
        let e = Evaluation::from_predictions(&predictions, &labels, 10);
        assert_eq!(
            c.counts.iter().map(|&x| x as usize).collect::<Vec<_>>(),
            e.confusion
        );
        assert_eq!(c.total() as usize, n);
        assert_eq!(c.correct() as usize, e.correct());
        assert_eq!(c.accuracy(), e.accuracy());
        let mut seen = Vec::new();
        for t in 0..10 {
            for p in 0..10 {
                let cell = c.samples(t, p);
                assert_eq!(cell.len() as u32, c.count(t, p));
                assert!(cell.windows(2).all(|w| w[0] < w[1]));
                for &i in cell {
                    let k = (i / 3) as usize;
                    assert_eq!((labels[k] as usize, predictions[k]), (t, Some(p)));
                }
                seen.extend_from_slice(cell);
            }
        }
        seen.sort_unstable();
        assert_eq!(seen, indices);
    }

    #[test]
    fn out_of_range_and_empty() {
        // In range, a prediction out of range, a label out of range, no prediction at all.
        let c = Confusion::from_predictions(
            &[Some(0), Some(5), Some(1), None],
            &[0, 1, 9, 1],
            &[7, 8, 9, 10],
            2,
        );
        assert_eq!(c.total(), 1);
        assert_eq!(c.samples(0, 0), &[7]);
        let empty = Confusion::from_predictions(&[], &[], &[], 3);
        assert_eq!(empty.accuracy(), 0.0);
    }
}
