//! What `/train` keeps of a run in the browser (IndexedDB, `src/app/storage.rs`) and of its
//! model: a bounded record of the run's curves that survives a reload and can be overlaid on
//! another run's, the `.mnn` file name and note of a downloaded model, and the lines that
//! describe a run or a model. Pure Rust, so all of it is tested natively.

use serde::{Deserialize, Serialize};

use super::chart::downsample;
use super::config::{RunConfig, CLASSES, INPUT};
use super::metrics::{EpochPoint, Metrics};
use super::page::{History, Series};
use crate::core::dataset::DatasetName;
use crate::core::format::percent;
use crate::core::format::thousands;
use crate::core::nn::Network;

/// Points kept per curve in a record (a long run's record stays a few tens of KB).
pub const MAX_RECORD_POINTS: usize = 500;
/// Runs kept in the browser; saving one more drops the oldest.
pub const MAX_RECORDS: usize = 30;
/// Runs that can be overlaid at once (each gets a letter).
pub const OVERLAY_MAX: usize = 4;
/// The letters of overlaid runs, in the order they were checked.
pub const OVERLAY_LETTERS: [&str; OVERLAY_MAX] = ["A", "B", "C", "D"];
const LOSS_NAMES: [&str; OVERLAY_MAX] = ["loss A", "loss B", "loss C", "loss D"];
const ACCURACY_NAMES: [&str; OVERLAY_MAX] = ["test A", "test B", "test C", "test D"];

/// One run as the browser keeps it: its settings, when, and its curves (downsampled).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    /// When the run started, in ms since 1970 (UTC); also its key in the store.
    pub id: u64,
    /// The run's link query ([`RunConfig::to_query`]).
    pub config: String,
    /// When the record was last written, in ms since 1970.
    pub saved_at: u64,
    /// Batches trained, of `total_steps`.
    pub step: u64,
    pub total_steps: u64,
    /// Every epoch is done.
    pub finished: bool,
    /// (step, smoothed loss): the chart's smoothed line, finite values only. Stored as the
    /// f32 they were measured in (their JSON text reads back exactly).
    pub smoothed: Vec<(u64, f32)>,
    /// (step, accuracy) of the frequent test estimate.
    pub estimates: Vec<(u64, f32)>,
    /// The ends of epochs (at most [`MAX_RECORD_POINTS`], the last always kept).
    pub epochs: Vec<EpochPoint>,
    /// The last whole-test-set accuracy (an epoch's end), if any.
    pub final_test_accuracy: Option<f32>,
}

/// `points` without non-finite values (JSON has no NaN), at most `max` of them.
fn bounded(points: &[(f64, f64)], max: usize) -> Vec<(u64, f32)> {
    let finite: Vec<(f64, f64)> = points
        .iter()
        .copied()
        .filter(|(x, y)| x.is_finite() && *x >= 0.0 && (*y as f32).is_finite())
        .collect();
    downsample(&finite, max)
        .into_iter()
        .map(|(x, y)| (x as u64, y as f32))
        .collect()
}

/// A record's curve as a chart's points.
pub fn points(curve: &[(u64, f32)]) -> Vec<(f64, f64)> {
    curve
        .iter()
        .map(|&(x, y)| (x as f64, f64::from(y)))
        .collect()
}

impl RunRecord {
    /// The record of a run of `config` that started at `id` (ms), saved at `now` (ms).
    pub fn from_history(
        id: u64,
        now: u64,
        config: &RunConfig,
        history: &History,
        finished: bool,
    ) -> RunRecord {
        let epochs = if history.epochs.len() > MAX_RECORD_POINTS {
            // Evenly spread, the last one kept.
            let n = history.epochs.len();
            (0..MAX_RECORD_POINTS)
                .map(|i| history.epochs[(i * (n - 1)) / (MAX_RECORD_POINTS - 1)].clone())
                .collect()
        } else {
            history.epochs.clone()
        };
        RunRecord {
            id,
            config: config.to_query(),
            saved_at: now,
            step: history.latest.step,
            total_steps: history.total_steps,
            finished,
            smoothed: bounded(&history.smoothed, MAX_RECORD_POINTS),
            estimates: bounded(&history.estimates, MAX_RECORD_POINTS),
            epochs,
            final_test_accuracy: history.epochs.last().map(|e| e.test_accuracy),
        }
    }

    /// The record as JSON text (what the store holds).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// A record from its JSON text; the error says what is wrong.
    pub fn from_json(text: &str) -> Result<RunRecord, String> {
        serde_json::from_str(text).map_err(|e| format!("a saved run could not be read ({e})"))
    }

    /// The run's settings, if its query still reads.
    pub fn run_config(&self) -> Option<RunConfig> {
        RunConfig::from_query(&self.config).ok()
    }

    /// A history that draws this record's curves on the page's charts (the raw loss is not
    /// kept: only the smoothed line comes back).
    pub fn to_history(&self) -> History {
        let epochs = self.run_config().map_or(0, |c| c.epochs);
        History {
            loss: Vec::new(),
            smoothed: points(&self.smoothed),
            estimates: points(&self.estimates),
            epochs: self.epochs.clone(),
            latest: Metrics {
                step: self.step,
                epoch: self.epochs.last().map_or(0, |e| e.epoch),
                epochs,
                ..Metrics::default()
            },
            total_steps: 0,
            // Layer health is not kept in a record.
            ..History::default()
        }
    }

    /// "784–16–10 · relu · adam, lr 0.001 · batch 100 · 1 epoch · 2,000 digits".
    pub fn summary(&self) -> String {
        match self.run_config() {
            Some(c) => config_summary(&c),
            None => self.config.clone(),
        }
    }

    /// "91.3 % on the test set", or how far it got without an epoch's end.
    pub fn result(&self) -> String {
        match self.final_test_accuracy {
            Some(a) => format!("{} on the test set", percent(a)),
            None => format!(
                "{} batches, no epoch finished",
                thousands(self.step as usize)
            ),
        }
    }
}

/// A run's settings in one line: "784–16–10 · relu · adam, lr 0.001 · batch 100 · 1 epoch ·
/// 2,000 digits".
pub fn config_summary(c: &RunConfig) -> String {
    let epochs = if c.epochs == 1 {
        "1 epoch".to_string()
    } else {
        format!("{} epochs", c.epochs)
    };
    let digits = c.subset.map_or("all digits".to_string(), |n| {
        format!("{} digits", thousands(n))
    });
    format!(
        "{} · {} · {}, lr {} · batch {} · {epochs} · {digits}",
        sizes_text(&c.sizes(INPUT, CLASSES)),
        c.activation.name(),
        c.optimizer.name(),
        c.lr,
        c.batch
    )
}

/// Layer sizes as "784–16–10".
pub fn sizes_text(sizes: &[usize]) -> String {
    sizes
        .iter()
        .map(|n| n.to_string())
        .collect::<Vec<_>>()
        .join("–")
}

/// A model in one line: "784–16–10 · 12,730 parameters".
pub fn model_summary(n: &Network) -> String {
    format!(
        "{} · {} parameters",
        sizes_text(&n.sizes()),
        thousands(n.parameter_count())
    )
}

/// The file name of a downloaded model: "mnist-100-50-step1875.mnn" (hidden layer widths;
/// "linear" when there is none).
pub fn model_file_name(config: &RunConfig, step: u64) -> String {
    let hidden = if config.hidden.is_empty() {
        "linear".to_string()
    } else {
        config
            .hidden
            .iter()
            .map(|h| h.to_string())
            .collect::<Vec<_>>()
            .join("-")
    };
    format!("mnist-{hidden}-step{step}.mnn")
}

/// The note written into a downloaded model: how to train it again.
pub fn model_note(config: &RunConfig, step: u64) -> String {
    format!(
        "Trained in the browser by mnist-viz: /train?{} · weights after step {step}",
        config.to_query()
    )
}

/// A time as "2026-12-01 13:45 UTC" (ms since 1970).
pub fn date_utc(ms: u64) -> String {
    let secs = ms / 1000;
    let (days, rest) = (secs / 86_400, secs % 86_400);
    // Days since 1970-01-01 to a civil date (proleptic Gregorian).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
        rest / 3600,
        (rest % 3600) / 60
    )
}

/// The overlay of up to [`OVERLAY_MAX`] runs (more are ignored), letters in the given order:
/// their smoothed losses, and their test accuracies (the estimate, then each epoch's end,
/// merged by step).
pub fn overlay(records: &[&RunRecord]) -> (Vec<Series>, Vec<Series>) {
    let mut loss = Vec::new();
    let mut accuracy = Vec::new();
    for (i, r) in records.iter().take(OVERLAY_MAX).enumerate() {
        loss.push(Series {
            name: LOSS_NAMES[i],
            points: points(&r.smoothed),
        });
        let mut merged: Vec<(f64, f64)> = points(&r.estimates)
            .into_iter()
            .chain(
                r.epochs
                    .iter()
                    .map(|e| (e.step as f64, f64::from(e.test_accuracy))),
            )
            .filter(|(x, y)| x.is_finite() && y.is_finite())
            .collect();
        merged.sort_by(|a, b| a.0.total_cmp(&b.0));
        accuracy.push(Series {
            name: ACCURACY_NAMES[i],
            points: merged,
        });
    }
    (loss, accuracy)
}

/// The network view of test image `index` of `dataset` with the last model trained on /train
/// (the confusion matrix's galleries link there):
/// `/network?sample=mnist/test/{index}&model=trained`.
pub fn trained_network_path(dataset: DatasetName, index: usize) -> String {
    format!(
        "/network?sample={}/test/{index}&model=trained",
        dataset.id()
    )
}

/// `query` (with or without its '?') without the parameter `name`; the others as they were.
pub fn query_without(query: &str, name: &str) -> String {
    query
        .trim_start_matches('?')
        .split('&')
        .filter(|pair| !pair.is_empty() && pair.split('=').next() != Some(name))
        .collect::<Vec<_>>()
        .join("&")
}

/// The ids to delete so that at most `keep` records remain (the oldest go first).
pub fn ids_to_drop(ids: &[u64], keep: usize) -> Vec<u64> {
    let mut sorted = ids.to_vec();
    sorted.sort_unstable();
    let extra = sorted.len().saturating_sub(keep);
    sorted.truncate(extra);
    sorted
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::training::metrics::{EstimatePoint, LossPoint};
    use crate::core::training::page::page_config;

    fn epoch(epoch: usize, step: u64, test: f32) -> EpochPoint {
        EpochPoint {
            epoch,
            step,
            mean_loss: 0.5,
            train_accuracy: 0.9,
            test_accuracy: test,
            learning_rate: 0.1,
        }
    }

    fn long_history(batches: u64) -> History {
        let mut h = History::default();
        for step in 1..=batches {
            h.absorb(Metrics {
                step,
                epoch: (step / 100) as usize,
                epochs: 3,
                batches_per_epoch: 100,
                losses: vec![LossPoint {
                    step,
                    loss: if step == 7 {
                        f32::NAN
                    } else {
                        1.0 / step as f32
                    },
                    smoothed: if step == 9 {
                        f32::INFINITY
                    } else {
                        2.0 / step as f32
                    },
                }],
                estimates: if step % 10 == 0 {
                    vec![EstimatePoint {
                        step,
                        accuracy: 0.5 + step as f32 / 1000.0,
                    }]
                } else {
                    Vec::new()
                },
                epochs_done: if step % 100 == 0 {
                    vec![epoch(
                        (step / 100) as usize,
                        step,
                        0.8 + step as f32 / 10_000.0,
                    )]
                } else {
                    Vec::new()
                },
                ..Metrics::default()
            });
        }
        h
    }

    #[test]
    fn a_record_is_bounded_finite_and_survives_json() {
        let config = page_config("hidden=16&batch=100&epochs=3&subset=2000").unwrap();
        let h = long_history(300);
        let r = RunRecord::from_history(1_700_000_000_000, 1_700_000_060_000, &config, &h, true);
        assert_eq!(r.smoothed.len(), 299, "every finite point of a short run");
        assert!(r.smoothed.iter().all(|p| p.1.is_finite()));
        // The infinite point at step 9 is gone; first and last are kept.
        assert!(!r.smoothed.iter().any(|p| p.0 == 9));
        assert_eq!(r.smoothed.first().unwrap().0, 1);
        assert_eq!(r.smoothed.last().unwrap().0, 300);
        assert_eq!(r.estimates.len(), 30);
        assert_eq!(r.epochs.len(), 3);
        assert_eq!((r.step, r.total_steps), (300, 300));
        assert_eq!(r.final_test_accuracy, Some(0.8 + 300.0 / 10_000.0));
        let json = r.to_json();
        assert!(!json.contains("NaN") && !json.contains("null,"), "{json}");
        assert_eq!(RunRecord::from_json(&json).unwrap(), r);
        assert!(RunRecord::from_json("{\"id\":1}")
            .unwrap_err()
            .contains("could not be read"));
        assert!(RunRecord::from_json("not json").is_err());
        // A long run keeps at most MAX_RECORD_POINTS of every curve.
        let h = long_history(5000);
        let r = RunRecord::from_history(1, 2, &config, &h, false);
        assert!(
            r.smoothed.len() <= MAX_RECORD_POINTS,
            "{}",
            r.smoothed.len()
        );
        assert!(r.estimates.len() <= MAX_RECORD_POINTS);
        assert_eq!(r.epochs.len(), 50);
        let many = History {
            epochs: (1..=1200).map(|e| epoch(e, e as u64 * 10, 0.9)).collect(),
            ..History::default()
        };
        let r = RunRecord::from_history(1, 2, &config, &many, false);
        assert_eq!(r.epochs.len(), MAX_RECORD_POINTS);
        assert_eq!(r.epochs.last().unwrap().epoch, 1200);
        assert_eq!(r.epochs[0].epoch, 1);
    }

    #[test]
    fn a_record_draws_again_as_a_history() {
        let config = page_config("hidden=16&batch=100&epochs=3&subset=2000").unwrap();
        let h = long_history(250);
        let r = RunRecord::from_history(5, 6, &config, &h, false);
        let back = r.to_history();
        assert_eq!(back.smoothed, points(&r.smoothed));
        assert_eq!(back.smoothed[3], h.smoothed[3]);
        assert!(back.loss.is_empty());
        assert_eq!(back.estimates, h.estimates);
        assert_eq!(back.epochs, h.epochs);
        assert_eq!(back.epoch_accuracy(), h.epoch_accuracy());
        assert_eq!(back.latest.step, 250);
        assert_eq!(
            back.status(),
            "Epoch 3 of 3 · batches done: 250 · test accuracy: 75.0 % (estimate)"
        );
        assert_eq!(back.done(), 0.0);
    }

    #[test]
    fn runs_and_models_are_described_in_one_line() {
        let config = page_config("hidden=16&batch=100&epochs=1&subset=2000").unwrap();
        assert_eq!(
            config_summary(&config),
            "784–16–10 · relu · adam, lr 0.002 · batch 100 · 1 epoch · 2,000 digits"
        );
        let two = page_config("hidden=100,50&opt=sgd").unwrap();
        assert_eq!(
            config_summary(&two),
            "784–100–50–10 · relu · sgd, lr 0.1 · batch 32 · 2 epochs · all digits"
        );
        let mut r = RunRecord::from_history(1, 2, &config, &History::default(), false);
        assert_eq!(r.result(), "0 batches, no epoch finished");
        r.final_test_accuracy = Some(0.9134);
        assert_eq!(r.result(), "91.3 % on the test set");
        assert_eq!(r.summary(), config_summary(&config));
        r.config = "hidden=oops".into();
        assert_eq!(r.summary(), "hidden=oops");
        let n = config.network(INPUT, CLASSES);
        assert_eq!(model_summary(&n), "784–16–10 · 12,730 parameters");
    }

    #[test]
    fn a_downloaded_model_is_named_after_its_layers_and_step() {
        let c = page_config("hidden=100,50").unwrap();
        assert_eq!(model_file_name(&c, 1875), "mnist-100-50-step1875.mnn");
        let c = page_config("hidden=16&batch=100").unwrap();
        assert_eq!(model_file_name(&c, 20), "mnist-16-step20.mnn");
        let c = page_config("hidden=").unwrap();
        assert_eq!(model_file_name(&c, 0), "mnist-linear-step0.mnn");
        let note = model_note(&c, 7);
        assert!(
            note.contains("/train?hidden=&") && note.ends_with("after step 7"),
            "{note}"
        );
        // The note's query trains the same network again.
        let query = note
            .split("/train?")
            .nth(1)
            .unwrap()
            .split(' ')
            .next()
            .unwrap();
        assert_eq!(RunConfig::from_query(query).unwrap(), c);
    }

    #[test]
    fn dates_are_utc_calendar_dates() {
        assert_eq!(date_utc(0), "1970-01-01 00:00 UTC");
        // 2000-02-29 12:34:56 UTC (a leap day).
        assert_eq!(date_utc(951_827_696_000), "2000-02-29 12:34 UTC");
        // 2026-12-01 13:25:56 UTC.
        assert_eq!(date_utc(1_796_131_556_000), "2026-12-01 13:25 UTC");
        assert_eq!(date_utc(4_102_444_799_000), "2099-12-31 23:59 UTC");
    }

    #[test]
    fn overlaid_runs_get_a_letter_each_and_merged_accuracy() {
        let config = page_config("hidden=16&batch=100&epochs=3").unwrap();
        let a = RunRecord::from_history(1, 2, &config, &long_history(300), true);
        let b = RunRecord::from_history(3, 4, &config, &long_history(120), false);
        let (loss, accuracy) = overlay(&[&b, &a]);
        assert_eq!(loss.len(), 2);
        assert_eq!((loss[0].name, loss[1].name), ("loss A", "loss B"));
        assert_eq!(loss[0].points, points(&b.smoothed));
        assert_eq!(accuracy[1].name, "test B");
        // 30 estimates and 3 epoch ends, by step.
        assert_eq!(accuracy[1].points.len(), 33);
        assert!(accuracy[1].points.windows(2).all(|w| w[0].0 <= w[1].0));
        assert!(accuracy[1]
            .points
            .contains(&(300.0, f64::from(0.8f32 + 0.03))));
        let five = [&a, &a, &a, &a, &a];
        assert_eq!(overlay(&five).0.len(), OVERLAY_MAX);
        assert!(overlay(&[]).0.is_empty());
    }

    #[test]
    fn the_gallery_links_to_the_trained_model_and_back_drops_it() {
        assert_eq!(
            trained_network_path(DatasetName::FashionMnist, 7),
            "/network?sample=fashion-mnist/test/7&model=trained"
        );
        let path = trained_network_path(DatasetName::Mnist, 42);
        assert_eq!(path, "/network?sample=mnist/test/42&model=trained");
        let query = path.split('?').nth(1).unwrap();
        assert_eq!(query_without(query, "model"), "sample=mnist/test/42");
        assert_eq!(
            query_without("?model=trained&sample=mnist/test/1&modelx=2", "model"),
            "sample=mnist/test/1&modelx=2"
        );
        assert_eq!(query_without("", "model"), "");
        assert_eq!(query_without("model=trained", "model"), "");
    }

    #[test]
    fn the_oldest_runs_go_first() {
        assert_eq!(ids_to_drop(&[5, 1, 9, 3], 2), vec![1, 3]);
        assert!(ids_to_drop(&[5, 1], 2).is_empty());
        assert_eq!(ids_to_drop(&[5, 1], 0), vec![1, 5]);
    }
}
