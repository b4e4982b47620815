//! The confusion matrix of a labelled set, with the samples behind every cell (for a gallery),
//! and what `/train` shows of it: each cell's shade and spoken label, and a cell's gallery.

use serde::{Deserialize, Serialize};

use crate::core::dataset::DatasetName;
use crate::core::format::thousands;
use crate::core::viz::output_class;

/// Shades of a cell that holds samples: 1 (fewest) to `SHADES` (most); an empty cell is 0.
pub const SHADES: u8 = 5;

/// Samples a cell's gallery shows at most; the rest are counted ("… and 23 more").
pub const GALLERY_CAP: usize = 100;

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

    /// The count of the fullest cell (0 for no samples).
    pub fn max_count(&self) -> u32 {
        self.counts.iter().copied().max().unwrap_or(0)
    }

    /// The cell's shade against the fullest cell: see [`shade`].
    pub fn shade(&self, truth: usize, predicted: usize) -> u8 {
        shade(self.count(truth, predicted), self.max_count())
    }

    /// What a screen reader says for a cell: "true 3, predicted 5: 12 digits" (", correct" on
    /// the diagonal); classes named as `dataset` names them ("true Shirt, predicted Coat: 9 items").
    pub fn cell_label(&self, dataset: DatasetName, truth: usize, predicted: usize) -> String {
        // The count as the cell shows it (no thousands separator): a control's name must contain
        // its visible text (WCAG 2.5.3; axe label-content-name-mismatch).
        let count = match (self.count(truth, predicted), dataset.item_noun()) {
            (1, noun) => format!("1 {noun}"),
            (n, noun) => format!("{n} {noun}s"),
        };
        let correct = if truth == predicted { ", correct" } else { "" };
        let (t, p) = (
            output_class(dataset, truth),
            output_class(dataset, predicted),
        );
        format!("true {t}, predicted {p}: {count}{correct}")
    }

    /// The first `cap` samples of a cell (ascending) and how many more it holds.
    pub fn gallery(&self, truth: usize, predicted: usize, cap: usize) -> Gallery {
        let all = self.samples(truth, predicted);
        let shown = all[..all.len().min(cap)].to_vec();
        Gallery {
            truth,
            predicted,
            more: all.len() - shown.len(),
            shown,
        }
    }
}

/// The shade of a cell holding `count` samples when the fullest holds `max`: 0 when empty, else
/// 1 to [`SHADES`] on a log scale (one sample is 1, `max` is `SHADES`), so that an off-diagonal
/// cell's few mistakes still show beside the diagonal's thousands.
pub fn shade(count: u32, max: u32) -> u8 {
    if count == 0 {
        return 0;
    }
    if max <= 1 || count >= max {
        return SHADES;
    }
    let fraction = (count as f64).ln() / (max as f64).ln();
    1 + (fraction * f64::from(SHADES - 1)).round() as u8
}

/// "1 digit", "12 digits", "1,135 digits" (with `noun` "digit").
fn items(noun: &str, n: u32) -> String {
    match n {
        1 => format!("1 {noun}"),
        n => format!("{} {noun}s", thousands(n as usize)),
    }
}

/// The samples of one cell a gallery shows.
#[derive(Clone, Debug, PartialEq)]
pub struct Gallery {
    pub truth: usize,
    pub predicted: usize,
    /// The first samples of the cell, ascending, at most the cap.
    pub shown: Vec<u32>,
    /// Samples of the cell not shown.
    pub more: usize,
}

impl Gallery {
    /// "Labelled 3, predicted 5: 12 digits" ("Labelled Shirt, predicted Coat: 9 items").
    pub fn title(&self, dataset: DatasetName) -> String {
        self.title_counting(dataset, dataset.item_noun())
    }

    /// [`title`](Self::title) counting the samples as `noun`s (e.g. "image" for a user's set).
    pub fn title_counting(&self, dataset: DatasetName, noun: &str) -> String {
        let count = items(noun, (self.shown.len() + self.more) as u32);
        format!(
            "Labelled {}, predicted {}: {count}",
            output_class(dataset, self.truth),
            output_class(dataset, self.predicted)
        )
    }

    /// "… and 23 more" when the cell holds more than the gallery shows.
    pub fn more_text(&self) -> Option<String> {
        (self.more > 0).then(|| format!("… and {} more", thousands(self.more)))
    }

    /// What an empty cell's gallery says instead of digits.
    pub fn empty_text(&self, dataset: DatasetName) -> Option<String> {
        (self.shown.is_empty() && self.more == 0).then(|| {
            format!(
                "No test {} labelled {} was predicted as {}.",
                dataset.item_noun(),
                output_class(dataset, self.truth),
                output_class(dataset, self.predicted)
            )
        })
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
        assert_eq!((empty.max_count(), empty.shade(1, 2)), (0, 0));
    }

    #[test]
    fn shades_grow_with_the_count_on_a_log_scale() {
        assert_eq!(shade(0, 1000), 0);
        assert_eq!(shade(1, 1000), 1);
        assert_eq!(shade(1000, 1000), SHADES);
        // A lone sample in a matrix of single samples is as full as it gets.
        assert_eq!(shade(1, 1), SHADES);
        // A few mistakes are visibly shaded beside a full diagonal: ~32 is the log midpoint.
        assert_eq!(shade(32, 1000), 3);
        let levels: Vec<u8> = (0..=1000).map(|n| shade(n, 1000)).collect();
        assert!(
            levels.windows(2).all(|w| w[0] <= w[1]),
            "never lighter for more"
        );
        for level in 0..=SHADES {
            assert!(levels.contains(&level), "level {level} is used");
        }
    }

    /// 3 classes: label 0 → [0, 0, 1], label 1 → [1] * 150, label 2 → [2].
    fn example() -> Confusion {
        let mut labels = vec![0u8, 0, 0, 2];
        let mut predictions = vec![Some(0), Some(0), Some(1), Some(2)];
        labels.extend([1; 150]);
        predictions.extend([Some(1); 150]);
        let indices: Vec<u32> = (0..labels.len() as u32).map(|i| 10 + i).collect();
        Confusion::from_predictions(&predictions, &labels, &indices, 3)
    }

    #[test]
    fn cells_are_spoken_with_their_count() {
        let c = example();
        assert_eq!(
            c.cell_label(DatasetName::Mnist, 0, 1),
            "true 0, predicted 1: 1 digit"
        );
        assert_eq!(
            c.cell_label(DatasetName::Mnist, 0, 0),
            "true 0, predicted 0: 2 digits, correct"
        );
        assert_eq!(
            c.cell_label(DatasetName::Mnist, 1, 1),
            "true 1, predicted 1: 150 digits, correct"
        );
        assert_eq!(
            c.cell_label(DatasetName::Mnist, 2, 0),
            "true 2, predicted 0: 0 digits"
        );
        assert_eq!(c.max_count(), 150);
        assert_eq!(
            (c.shade(1, 1), c.shade(0, 1), c.shade(2, 0)),
            (SHADES, 1, 0)
        );
        let big = Confusion::from_predictions(&[Some(0); 1234], &[0; 1234], &[0; 1234], 1);
        assert_eq!(
            big.cell_label(DatasetName::Mnist, 0, 0),
            "true 0, predicted 0: 1234 digits, correct"
        );
    }

    #[test]
    fn a_gallery_holds_exactly_its_cell_up_to_the_cap() {
        let c = example();
        let g = c.gallery(0, 0, GALLERY_CAP);
        assert_eq!((g.shown.clone(), g.more), (vec![10, 11], 0));
        assert_eq!(
            g.title(DatasetName::Mnist),
            "Labelled 0, predicted 0: 2 digits"
        );
        assert_eq!(
            (g.more_text(), g.empty_text(DatasetName::Mnist)),
            (None, None)
        );
        let g = c.gallery(1, 1, GALLERY_CAP);
        assert_eq!(g.shown.len(), GALLERY_CAP);
        assert_eq!(g.shown, c.samples(1, 1)[..GALLERY_CAP]);
        assert_eq!(g.more, 50);
        assert_eq!(
            g.title(DatasetName::Mnist),
            "Labelled 1, predicted 1: 150 digits"
        );
        assert_eq!(g.more_text().as_deref(), Some("… and 50 more"));
        let g = c.gallery(2, 1, GALLERY_CAP);
        assert!(g.shown.is_empty());
        assert_eq!(
            g.empty_text(DatasetName::Mnist).as_deref(),
            Some("No test digit labelled 2 was predicted as 1.")
        );
        let f = DatasetName::FashionMnist;
        assert_eq!(
            g.empty_text(f).as_deref(),
            Some("No test item labelled Pullover was predicted as Trouser.")
        );
        assert_eq!(
            c.gallery(1, 1, GALLERY_CAP).title(f),
            "Labelled Trouser, predicted Trouser: 150 items"
        );
        assert_eq!(
            c.cell_label(f, 0, 1),
            "true T-shirt/top, predicted Trouser: 1 item"
        );
        assert_eq!(
            c.gallery(0, 1, 0).more_text().as_deref(),
            Some("… and 1 more")
        );
    }
}
