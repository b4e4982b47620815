//! Accuracy, per-class accuracy, confusion matrix and misclassified samples.

use super::network::Network;
use super::train::Samples;

/// The outcome of classifying a labelled set.
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluation {
    /// Number of classes (the network's output size).
    pub classes: usize,
    /// `classes × classes`, row = true label, column = predicted class.
    pub confusion: Vec<usize>,
    /// Indices (into the evaluated set) of wrongly classified samples, ascending.
    pub misclassified: Vec<usize>,
    /// Number of samples evaluated.
    pub total: usize,
}

impl Evaluation {
    /// Tallies predictions against labels. Labels outside `0..classes` and missing predictions
    /// (`None`: an output without a finite value) count as errors, outside the confusion matrix.
    pub fn from_predictions(
        predictions: &[Option<usize>],
        labels: &[u8],
        classes: usize,
    ) -> Evaluation {
        let mut confusion = vec![0usize; classes * classes];
        let mut misclassified = Vec::new();
        for (i, (&p, &y)) in predictions.iter().zip(labels).enumerate() {
            let y = y as usize;
            match p {
                Some(p) if y < classes && p < classes => confusion[y * classes + p] += 1,
                _ => {}
            }
            if p != Some(y) {
                misclassified.push(i);
            }
        }
        Evaluation {
            classes,
            confusion,
            misclassified,
            total: predictions.len().min(labels.len()),
        }
    }

    /// Number of correct predictions.
    pub fn correct(&self) -> usize {
        self.total - self.misclassified.len()
    }

    /// Fraction correct, 0 for an empty set.
    pub fn accuracy(&self) -> f32 {
        if self.total == 0 {
            0.0
        } else {
            self.correct() as f32 / self.total as f32
        }
    }

    /// How often samples of `label` were predicted as `predicted`.
    pub fn count(&self, label: usize, predicted: usize) -> usize {
        self.confusion[label * self.classes + predicted]
    }

    /// Fraction of samples of class `c` classified correctly; `None` if there were none.
    pub fn class_accuracy(&self, c: usize) -> Option<f32> {
        let row = &self.confusion[c * self.classes..(c + 1) * self.classes];
        let n: usize = row.iter().sum();
        (n > 0).then(|| row[c] as f32 / n as f32)
    }

    /// [`Evaluation::class_accuracy`] for every class.
    pub fn per_class(&self) -> Vec<Option<f32>> {
        (0..self.classes).map(|c| self.class_accuracy(c)).collect()
    }

    /// A plain-text report: accuracy, per-class accuracy, confusion matrix.
    pub fn report(&self) -> String {
        let mut s = format!(
            "accuracy {:.2} % ({} / {})\nper class:",
            100.0 * self.accuracy(),
            self.correct(),
            self.total
        );
        for (c, a) in self.per_class().into_iter().enumerate() {
            match a {
                Some(a) => s += &format!(" {c}:{:.1}%", 100.0 * a),
                None => s += &format!(" {c}:-"),
            }
        }
        s += "\nconfusion (rows = true label, columns = predicted):\n      ";
        for p in 0..self.classes {
            s += &format!("{p:>6}");
        }
        for t in 0..self.classes {
            s += &format!("\n{t:>6}");
            for p in 0..self.classes {
                s += &format!("{:>6}", self.count(t, p));
            }
        }
        s.push('\n');
        s
    }
}

/// Classifies every sample with the batched forward pass.
pub fn evaluate(net: &Network, samples: &Samples) -> Evaluation {
    let predictions = net.predict_sparse(samples.sparse());
    Evaluation::from_predictions(&predictions, &samples.labels, net.output_size())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tallies_and_reports() {
        let predictions = [0, 1, 1, 2, 0].map(Some);
        let e = Evaluation::from_predictions(&predictions, &[0, 1, 2, 2, 1], 3);
        assert_eq!(e.total, 5);
        assert_eq!(e.correct(), 3);
        assert_eq!(e.misclassified, vec![2, 4]);
        assert!((e.accuracy() - 0.6).abs() < 1e-6);
        assert_eq!(e.count(2, 1), 1);
        assert_eq!(e.count(1, 0), 1);
        assert_eq!(e.per_class(), vec![Some(1.0), Some(0.5), Some(0.5)]);
        let r = e.report();
        assert!(r.starts_with("accuracy 60.00 % (3 / 5)"), "{r}");
        // No prediction (a NaN output) is an error, outside the confusion matrix.
        let e = Evaluation::from_predictions(&[None, Some(1)], &[0, 1], 2);
        assert_eq!(e.misclassified, vec![0]);
        assert_eq!(e.confusion, vec![0, 0, 0, 1]);
        let empty = Evaluation::from_predictions(&[], &[], 2);
        assert_eq!(empty.accuracy(), 0.0);
        assert_eq!(empty.class_accuracy(0), None);
    }
}
