//! What the training page (`/train`) computes, so its view stays thin: its settings over the URL
//! query (a light run when the link gives none), the form's edits of that query, the history
//! of a run gathered from the worker's reports, the status line, the charts' geometry, and the
//! line above the confusion matrix (the matrix's cells and galleries: [`super::confusion`]).

use std::sync::Arc;

use super::chart::{downsample, extent, nearest, Axes, Scale, Viewport};
use super::config::{ConfigError, OptimizerKind, RunConfig, CLASSES, INPUT};
use super::confusion::Confusion;
use super::layers::LayerHistory;
use super::metrics::{EpochPoint, Metrics};
use super::protocol::WeightsFor;
use super::snapshots::{unflatten, SnapshotKind, SnapshotMeta};
use crate::core::format::{percent, thousands};
use crate::core::nn::Network;

/// What `/train` means for the settings its link leaves out: a short run that still reads
/// ≥ 97.5 % of the test digits — 784-200-10, batch 32, 2 epochs, the learning rate halved after
/// the first — instead of the native trainer's defaults ([`RunConfig::default`]:
/// 784-256-128-10, 10 epochs). Every other default is [`RunConfig`]'s, but see
/// [`PAGE_ADAM_LR`]. (Natively, `train --arch 784-200-10 --batch 32 --epochs 2 --lr 0.002
/// --lr-decay 0.5` reached 97.56, 97.54, 97.95, 97.65 and 97.58 % with seeds 1–5.)
pub const PAGE_DEFAULTS: [(&str, &str); 4] = [
    ("hidden", "200"),
    ("batch", "32"),
    ("epochs", "2"),
    ("decay", "0.5"),
];

/// The page's learning rate for Adam when the link gives none (`RunConfig`'s is 0.001; with
/// only two epochs a larger step, decayed, reads more digits). Other optimisers keep theirs.
pub const PAGE_ADAM_LR: &str = "0.002";

/// The query's `(setting, value)` pairs in their order; `None` when it cannot be read.
fn pairs(query: &str) -> Option<Vec<(String, String)>> {
    serde_urlencoded::from_str(query.trim_start_matches('?')).ok()
}

/// The run a `/train` link describes: its settings, and [`PAGE_DEFAULTS`] for those it leaves
/// out; the error names the first setting that is not allowed.
pub fn page_config(query: &str) -> Result<RunConfig, ConfigError> {
    let Some(mut all) = pairs(query) else {
        return RunConfig::from_query(query);
    };
    for (name, value) in PAGE_DEFAULTS {
        if !all.iter().any(|(n, _)| n == name) {
            all.push((name.to_string(), value.to_string()));
        }
    }
    let adam = all
        .iter()
        .find(|(n, _)| n == "opt")
        .is_none_or(|(_, v)| v == OptimizerKind::Adam.name());
    if adam && !all.iter().any(|(n, _)| n == "lr") {
        all.push(("lr".to_string(), PAGE_ADAM_LR.to_string()));
    }
    let all: Vec<(&str, &str)> = all.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    RunConfig::from_pairs(&all)
}

/// What the form shows for `setting`: the link's value as written (even a wrong one, so the
/// user sees what to fix), else the value of the run the page would start.
pub fn form_value(query: &str, setting: &str) -> String {
    if let Some(v) = pairs(query)
        .unwrap_or_default()
        .into_iter()
        .find(|(n, _)| n == setting)
    {
        return v.1;
    }
    let config = page_config(query)
        .or_else(|_| page_config(""))
        .unwrap_or_default()
        .to_query();
    pairs(&config)
        .unwrap_or_default()
        .into_iter()
        .find(|(n, _)| n == setting)
        .map(|(_, v)| v)
        .unwrap_or_default()
}

/// The query with `setting` set to `value` (in place, or added at the end); an unreadable
/// query is replaced by that one setting.
pub fn with_setting(query: &str, setting: &str, value: &str) -> String {
    let mut all = pairs(query).unwrap_or_default();
    match all.iter_mut().find(|(n, _)| n == setting) {
        Some(pair) => pair.1 = value.to_string(),
        None => all.push((setting.to_string(), value.to_string())),
    }
    serde_urlencoded::to_string(&all).unwrap_or_default()
}

/// A duration as people read it: "45 s", "3 min 05 s", "2 h 07 min".
pub fn duration(seconds: f64) -> String {
    if !seconds.is_finite() || seconds < 0.0 {
        return "–".to_string();
    }
    let s = seconds.round() as u64;
    match s {
        0..60 => format!("{s} s"),
        60..3600 => format!("{} min {:02} s", s / 60, s % 60),
        _ => format!("{} h {:02} min", s / 3600, (s % 3600) / 60),
    }
}

/// Everything a run has reported so far, gathered from its `Progress` reports.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct History {
    /// (step, loss) and (step, smoothed loss) of every batch.
    pub loss: Vec<(f64, f64)>,
    pub smoothed: Vec<(f64, f64)>,
    /// (step, accuracy) of the frequent test estimate.
    pub estimates: Vec<(f64, f64)>,
    pub epochs: Vec<EpochPoint>,
    /// Where the run stands (the latest report's fields; its point lists are empty).
    pub latest: Metrics,
    /// Batches in the whole run (`epochs × batches_per_epoch`), once known.
    pub total_steps: u64,
    /// Every layer's probe measurements and activation histograms (bounded: see
    /// [`super::layers::MAX_HISTOGRAM_ROWS`]).
    pub layers: LayerHistory,
}

impl History {
    /// Adds a report's new points and takes its position.
    pub fn absorb(&mut self, m: Metrics) {
        for p in &m.losses {
            self.loss.push((p.step as f64, p.loss as f64));
            self.smoothed.push((p.step as f64, p.smoothed as f64));
        }
        self.estimates.extend(
            m.estimates
                .iter()
                .map(|e| (e.step as f64, e.accuracy as f64)),
        );
        self.epochs.extend(m.epochs_done.iter().cloned());
        self.layers.absorb(&m.layers, &m.histograms);
        self.total_steps = (m.epochs * m.batches_per_epoch) as u64;
        self.latest = Metrics {
            losses: Vec::new(),
            estimates: Vec::new(),
            epochs_done: Vec::new(),
            layers: Vec::new(),
            histograms: Vec::new(),
            ..m
        };
    }

    /// The latest test accuracy and whether it is the estimate (on the fixed subset) rather
    /// than a whole-test-set figure from an epoch's end: the more recent of the two.
    pub fn latest_test(&self) -> Option<(f32, bool)> {
        let epoch = self.epochs.last().map(|e| (e.step, e.test_accuracy));
        let estimate = self.estimates.last().map(|&(s, a)| (s as u64, a as f32));
        match (epoch, estimate) {
            (Some(e), Some(s)) if s.0 > e.0 => Some((s.1, true)),
            (Some(e), _) => Some((e.1, false)),
            (None, Some(s)) => Some((s.1, true)),
            (None, None) => None,
        }
    }

    /// "Epoch 1 of 2 · batches done: 120 · test accuracy: 91.3 % (estimate)": the epoch being
    /// trained (the last one once all are done), the optimiser steps taken, the latest test
    /// accuracy.
    pub fn status(&self) -> String {
        let m = &self.latest;
        let epoch = (m.epoch + 1).min(m.epochs.max(1));
        let test = match self.latest_test() {
            Some((a, true)) => format!("{} (estimate)", percent(a)),
            Some((a, false)) => percent(a),
            None => "not measured yet".to_string(),
        };
        format!(
            "Epoch {epoch} of {} · batches done: {} · test accuracy: {test}",
            m.epochs.max(1),
            m.step
        )
    }

    /// Fraction of the run done, 0..=1.
    pub fn done(&self) -> f64 {
        if self.total_steps == 0 {
            return 0.0;
        }
        (self.latest.step as f64 / self.total_steps as f64).clamp(0.0, 1.0)
    }

    /// Per-epoch (epoch, accuracy) on the training subset and on the test set.
    pub fn epoch_accuracy(&self) -> (Points, Points) {
        let at = |f: fn(&EpochPoint) -> f32| {
            self.epochs
                .iter()
                .map(|e| (e.step as f64, f(e) as f64))
                .collect()
        };
        (at(|e| e.train_accuracy), at(|e| e.test_accuracy))
    }

    /// When the weights of `step` were taken, as the confusion matrix says it: "after epoch 2"
    /// when an epoch ended at that step, else "after batch 120".
    pub fn moment(&self, step: u64) -> String {
        match self.epochs.iter().find(|e| e.step == step) {
            Some(e) => format!("after epoch {}", e.epoch),
            None => format!("after batch {}", thousands(step as usize)),
        }
    }
}

/// A confusion matrix as `/train` shows it: the matrix and when its weights were taken
/// ([`History::moment`]).
#[derive(Clone, Debug, PartialEq)]
pub struct ShownConfusion {
    pub when: String,
    pub confusion: Arc<Confusion>,
}

/// The line above the matrix: "Test set after epoch 2: 10,000 digits evaluated, 9,123 right ·
/// accuracy 91.2 %".
pub fn confusion_summary(c: &Confusion, when: &str) -> String {
    format!(
        "Test set {when}: {} digits evaluated, {} right · accuracy {}",
        thousands(c.total() as usize),
        thousands(c.correct() as usize),
        percent(c.accuracy())
    )
}

/// A snapshot's weights as the page received them, for what it asked them for.
#[derive(Clone, Debug, PartialEq)]
pub struct ReceivedWeights {
    pub meta: SnapshotMeta,
    pub purpose: WeightsFor,
    pub network: Arc<Network>,
}

/// The network of `config`'s shape with the parameters of a snapshot (`snapshots::flatten`
/// layout); `None` if their number does not fit the shape.
pub fn weights_from(config: &RunConfig, flat: &[f32]) -> Option<Network> {
    let sizes = config.sizes(INPUT, CLASSES);
    let mut activations = vec![config.activation; sizes.len().saturating_sub(2)];
    activations.push(config.output);
    unflatten(&sizes, &activations, flat)
}

/// The line under the progress bar: "42 % done", and while training also "· 20,000 samples/s
/// · epoch: about 3 s left · run: about 9 s left".
pub fn speed_line(h: &History, running: bool) -> String {
    let percent = format!("{:.0} % done", h.done() * 100.0);
    let m = &h.latest;
    match (m.samples_per_sec, m.eta_epoch_seconds, m.eta_run_seconds) {
        (Some(rate), Some(epoch), Some(run)) if running => format!(
            "{percent} · {} samples/s · epoch: about {} left · run: about {} left",
            thousands(rate.round() as usize),
            duration(epoch),
            duration(run)
        ),
        _ => percent,
    }
}

/// Bytes as megabytes with one decimal: "18.1 MB" (10⁶ bytes).
pub fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

/// The line on memory: "Worker memory: 95.2 MB · snapshots: 57, 18.1 MB of 67.1 MB".
pub fn memory_line(worker: Option<u64>, snapshots: usize, bytes: usize, budget: usize) -> String {
    let worker = worker.map_or("not reported".to_string(), megabytes);
    format!(
        "Worker memory: {worker} · snapshots: {snapshots}, {} of {}",
        megabytes(bytes as u64),
        megabytes(budget as u64)
    )
}

/// Time travel's scrubber: one stop per snapshot held (ascending by step) and a last stop,
/// "now", for the live weights. The stop showing `travel` (`None`: now); a step no longer held
/// (thinned away) shows at the latest snapshot before it.
pub fn scrub_position(snapshots: &[SnapshotMeta], travel: Option<u64>) -> usize {
    match travel {
        None => snapshots.len(),
        Some(step) => snapshots
            .partition_point(|s| s.step <= step)
            .saturating_sub(1),
    }
}

/// The step of the scrubber's stop `position`; `None` for "now" (or beyond).
pub fn scrub_step(snapshots: &[SnapshotMeta], position: usize) -> Option<u64> {
    snapshots.get(position).map(|s| s.step)
}

/// The words beside the scrubber: "Now: batch 1,234" or "Weights after epoch 1 (batch 938)" /
/// "Weights at batch 400 (epoch 1)", with how many snapshots are held.
pub fn scrub_label(snapshots: &[SnapshotMeta], travel: Option<u64>, now_step: u64) -> String {
    let held = format!(
        "{} snapshot{} held",
        snapshots.len(),
        if snapshots.len() == 1 { "" } else { "s" }
    );
    let position = scrub_position(snapshots, travel);
    match (travel, snapshots.get(position)) {
        (Some(_), Some(s)) => {
            let batch = thousands(s.step as usize);
            let at = match s.kind {
                SnapshotKind::Epoch => format!("after epoch {} (batch {batch})", s.epoch),
                SnapshotKind::Step => format!("at batch {batch} (epoch {})", s.epoch + 1),
            };
            format!("Weights {at} · {held}")
        }
        _ => format!("Now: batch {} · {held}", thousands(now_step as usize)),
    }
}

/// A chart's points: (step, value).
pub type Points = Vec<(f64, f64)>;

/// One line of a chart.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub name: &'static str,
    pub points: Vec<(f64, f64)>,
}

/// The y axis of a chart.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum YAxis {
    /// Fitted to the values (linear).
    Fit,
    /// Fitted to the values, logarithmic.
    Log,
    /// A fixed range (accuracy: 0 to 1).
    Fixed(f64, f64),
}

/// What a chart draws: the axes, each series' path, the ticks with their SVG positions, and
/// each series' points as drawn (downsampled), for the hover values and the table.
#[derive(Clone, Debug, PartialEq)]
pub struct ChartLayout {
    pub axes: Axes,
    pub paths: Vec<String>,
    pub drawn: Vec<Vec<(f64, f64)>>,
    /// (SVG x, label) along the bottom; (SVG y, label) along the left.
    pub x_ticks: Vec<(f64, String)>,
    pub y_ticks: Vec<(f64, String)>,
}

/// Points kept per series (the SVG stays small however long the run).
pub const MAX_DRAWN: usize = 400;

/// Lays out `series` in `viewport`: x is the step (from 0), y as `y`, ticks labelled with
/// `y_unit` (accuracy: pass "%" with values in 0..1 shown as percentages).
pub fn layout(series: &[Series], y: YAxis, y_unit: &str, viewport: Viewport) -> ChartLayout {
    let drawn: Vec<Vec<(f64, f64)>> = series
        .iter()
        .map(|s| downsample(&s.points, MAX_DRAWN))
        .collect();
    let xs = drawn.iter().flatten().map(|p| p.0);
    let x_max = extent(xs).map_or(1.0, |(_, hi)| hi.max(1.0));
    let ys = || drawn.iter().flatten().map(|p| p.1);
    let y_scale = match y {
        YAxis::Fixed(lo, hi) => Scale::linear(lo, hi),
        YAxis::Log => Scale::log_fit(ys()),
        YAxis::Fit => {
            let (lo, hi) = extent(ys()).unwrap_or((0.0, 1.0));
            Scale::linear(lo.min(0.0), hi)
        }
    };
    let axes = Axes {
        x: Scale::linear(0.0, x_max),
        y: y_scale,
        viewport,
    };
    let percent = y_unit == "%";
    let y_ticks = axes
        .y
        .ticks(5, if percent { "" } else { y_unit })
        .into_iter()
        .map(|t| {
            let label = if percent {
                format!("{:.0} %", t.value * 100.0)
            } else {
                t.label
            };
            (axes.point(0.0, t.value).1, label)
        })
        .collect();
    let x_ticks = axes
        .x
        .ticks(6, "")
        .into_iter()
        .map(|t| (axes.point(t.value, 0.0).0, t.label))
        .collect();
    ChartLayout {
        paths: drawn.iter().map(|p| axes.path(p)).collect(),
        drawn,
        axes,
        x_ticks,
        y_ticks,
    }
}

impl ChartLayout {
    /// The step under an SVG x coordinate (the x axis is linear from step 0).
    pub fn step_at(&self, svg_x: f64) -> f64 {
        let v = self.axes.viewport;
        match self.axes.x {
            Scale::Linear { min, max } => min + (svg_x - v.x) / v.width * (max - min),
            Scale::Log { min, .. } => min,
        }
    }

    /// What the chart says at `step`: every series' drawn point nearest to it,
    /// "step 120 · loss 0.4521 · smoothed 0.5013" (`percent`: values as "91.3 %"), and the
    /// SVG x of the first such point (where the guide line goes). `None` with no points.
    pub fn readout(
        &self,
        names: &[&str],
        step: f64,
        percent_values: bool,
    ) -> Option<(f64, String)> {
        let mut text = String::new();
        let mut guide = None;
        for (points, name) in self.drawn.iter().zip(names) {
            let Some(i) = nearest(points, step) else {
                continue;
            };
            let (x, y) = points[i];
            if guide.is_none() {
                guide = Some(self.axes.point(x, 0.0).0);
                text = format!("step {x}");
            }
            let value = if percent_values {
                percent(y as f32)
            } else {
                format!("{y:.4}")
            };
            text.push_str(&format!(" · {name} {value}"));
        }
        guide.map(|g| (g, text))
    }
}

/// At most `rows` points of a series for its table (extremes kept, as in the chart).
pub fn table_rows(points: &[(f64, f64)], rows: usize) -> Vec<(f64, f64)> {
    downsample(points, rows)
}

#[cfg(test)]
mod tests {
    #[test]
    fn speed_line_gives_rate_and_both_times_left_while_training() {
        let mut h = History::default();
        h.absorb(Metrics {
            step: 50,
            epochs: 2,
            batches_per_epoch: 100,
            samples_per_sec: Some(20_000.4),
            eta_epoch_seconds: Some(3.0),
            eta_run_seconds: Some(9.0),
            ..Metrics::default()
        });
        assert_eq!(
            speed_line(&h, true),
            "25 % done · 20,000 samples/s · epoch: about 3 s left · run: about 9 s left"
        );
        assert_eq!(speed_line(&h, false), "25 % done");
        assert_eq!(speed_line(&History::default(), true), "0 % done");
    }

    #[test]
    fn memory_line_states_worker_and_snapshot_bytes() {
        assert_eq!(
            memory_line(Some(95_200_000), 57, 18_100_000, 64 << 20),
            "Worker memory: 95.2 MB · snapshots: 57, 18.1 MB of 67.1 MB"
        );
        assert_eq!(
            memory_line(None, 0, 0, 0),
            "Worker memory: not reported · snapshots: 0, 0.0 MB of 0.0 MB"
        );
    }

    #[test]
    fn scrubber_stops_are_the_snapshots_then_now() {
        let meta = |step, epoch, kind| SnapshotMeta {
            step,
            epoch,
            kind,
            bytes: 4,
        };
        let held = vec![
            meta(0, 0, SnapshotKind::Step),
            meta(200, 0, SnapshotKind::Step),
            meta(938, 1, SnapshotKind::Epoch),
        ];
        assert_eq!(scrub_position(&held, None), 3);
        assert_eq!(scrub_position(&held, Some(200)), 1);
        assert_eq!(
            scrub_position(&held, Some(500)),
            1,
            "thinned: the one before"
        );
        assert_eq!(scrub_position(&held, Some(5000)), 2);
        assert_eq!(scrub_position(&[], Some(3)), 0);
        assert_eq!(scrub_step(&held, 2), Some(938));
        assert_eq!(scrub_step(&held, 3), None);
        assert_eq!(scrub_step(&held, 99), None);
        assert_eq!(
            scrub_label(&held, None, 1200),
            "Now: batch 1,200 · 3 snapshots held"
        );
        assert_eq!(
            scrub_label(&held, Some(938), 1200),
            "Weights after epoch 1 (batch 938) · 3 snapshots held"
        );
        assert_eq!(
            scrub_label(&held, Some(200), 1200),
            "Weights at batch 200 (epoch 1) · 3 snapshots held"
        );
        assert_eq!(
            scrub_label(&held[..1], None, 0),
            "Now: batch 0 · 1 snapshot held"
        );
    }

    #[test]
    fn weights_from_rebuilds_a_flattened_network_of_the_config() {
        let config = page_config("hidden=5,3&act=tanh&seed=9").unwrap();
        let mut trained = config.network(INPUT, CLASSES);
        trained.layers[1].biases[2] = 0.75;
        let flat = super::super::snapshots::flatten(&trained);
        assert_eq!(weights_from(&config, &flat), Some(trained));
        assert_eq!(weights_from(&config, &flat[1..]), None);
        let other = page_config("hidden=6").unwrap();
        assert_eq!(weights_from(&other, &flat), None);
    }

    use super::*;
    use crate::core::training::metrics::{EstimatePoint, LossPoint};
    use crate::core::training::OptimizerKind;

    #[test]
    fn a_bare_link_is_a_light_run_and_settings_in_the_link_win() {
        let c = page_config("").unwrap();
        assert_eq!((c.hidden.clone(), c.batch, c.epochs), (vec![200], 32, 2));
        assert_eq!(
            (c.optimizer, c.lr, c.lr_decay, c.subset),
            (OptimizerKind::Adam, 0.002, 0.5, None)
        );
        // Adam named in the link gets the page's rate too; a rate in the link wins.
        assert_eq!(page_config("opt=adam").unwrap().lr, 0.002);
        assert_eq!(page_config("lr=0.01").unwrap().lr, 0.01);
        assert_eq!(page_config("opt=momentum").unwrap().lr, 0.1);
        let c = page_config("?hidden=32&batch=50&epochs=1&subset=2000&opt=sgd").unwrap();
        assert_eq!((c.hidden.clone(), c.batch, c.epochs), (vec![32], 50, 1));
        assert_eq!((c.lr, c.subset), (0.1, Some(2000)));
        // No hidden layer is a setting too.
        assert!(page_config("hidden=").unwrap().hidden.is_empty());
    }

    #[test]
    fn a_bad_link_names_the_setting_and_what_is_allowed() {
        for (query, setting) in [
            ("lr=-1", "lr"),
            ("lr=0", "lr"),
            ("batch=0", "batch"),
            ("hidden=100000", "hidden"),
            ("opt=nope", "opt"),
            ("epochs=1000000", "epochs"),
        ] {
            let e = page_config(query).unwrap_err().to_string();
            assert!(e.contains(&format!("{setting}=")), "{query}: {e}");
            assert!(e.contains("use ") || e.contains("list "), "{query}: {e}");
        }
        let e = page_config("speed=9").unwrap_err().to_string();
        assert!(e.contains("speed") && e.contains("hidden, act"), "{e}");
        assert!(page_config("%zz=1&=").is_err());
    }

    #[test]
    fn the_form_edits_one_setting_of_the_link() {
        assert_eq!(with_setting("", "lr", "0.01"), "lr=0.01");
        assert_eq!(
            with_setting("hidden=100%2C50&lr=0.1", "lr", "0.5"),
            "hidden=100%2C50&lr=0.5"
        );
        assert_eq!(
            with_setting("?opt=sgd", "hidden", "32,16"),
            "opt=sgd&hidden=32%2C16"
        );
        let q = with_setting("opt=sgd", "hidden", "32,16");
        assert_eq!(page_config(&q).unwrap().hidden, vec![32, 16]);
        // The form shows a wrong value as written, and the run's value otherwise.
        assert_eq!(form_value("lr=-1", "lr"), "-1");
        assert_eq!(form_value("", "hidden"), "200");
        assert_eq!(form_value("", "lr"), "0.002");
        assert_eq!(form_value("", "epochs"), "2");
        assert_eq!(form_value("", "opt"), "adam");
        assert_eq!(form_value("opt=sgd", "lr"), "0.1");
    }

    #[test]
    fn durations_read_as_people_say_them() {
        for (seconds, said) in [
            (0.4, "0 s"),
            (45.0, "45 s"),
            (185.0, "3 min 05 s"),
            (7620.0, "2 h 07 min"),
            (f64::NAN, "–"),
            (-1.0, "–"),
        ] {
            assert_eq!(duration(seconds), said, "{seconds}");
        }
        assert_eq!(percent(0.9134), "91.3 %");
    }

    fn report(step: u64, estimate: Option<f32>, epoch_end: Option<f32>) -> Metrics {
        Metrics {
            step,
            epoch: usize::from(epoch_end.is_some()),
            epochs: 2,
            batches_per_epoch: 40,
            losses: vec![LossPoint {
                step,
                loss: 2.0 / step as f32,
                smoothed: 1.0,
            }],
            estimates: estimate
                .map(|accuracy| EstimatePoint { step, accuracy })
                .into_iter()
                .collect(),
            epochs_done: epoch_end
                .map(|test_accuracy| EpochPoint {
                    epoch: 1,
                    step,
                    mean_loss: 0.5,
                    train_accuracy: 0.95,
                    test_accuracy,
                    learning_rate: 0.1,
                })
                .into_iter()
                .collect(),
            ..Metrics::default()
        }
    }

    #[test]
    fn the_history_gathers_reports_and_the_status_says_where_the_run_stands() {
        let mut h = History::default();
        assert_eq!(h.latest_test(), None);
        h.absorb(report(1, None, None));
        assert_eq!(
            h.status(),
            "Epoch 1 of 2 · batches done: 1 · test accuracy: not measured yet"
        );
        h.absorb(report(20, Some(0.8), None));
        assert!(h.status().ends_with("80.0 % (estimate)"), "{}", h.status());
        h.absorb(report(40, None, Some(0.9)));
        assert_eq!(
            h.status(),
            "Epoch 2 of 2 · batches done: 40 · test accuracy: 90.0 %"
        );
        h.absorb(report(60, Some(0.93), None));
        assert_eq!(h.latest_test(), Some((0.93, true)));
        assert_eq!(h.loss.len(), 4);
        assert_eq!(h.loss[1], (20.0, f64::from(2.0f32 / 20.0)));
        assert_eq!(h.done(), 60.0 / 80.0);
        let (train, test) = h.epoch_accuracy();
        assert_eq!((train[0].0, test[0].1 as f32), (40.0, 0.9));
        assert!(h.latest.losses.is_empty());
    }

    #[test]
    fn the_history_keeps_the_layer_probes_and_their_histograms() {
        use crate::core::training::metrics::{LayerPoint, HISTOGRAM_BINS};
        let mut h = History::default();
        let mut m = report(50, None, None);
        m.layers = vec![LayerPoint {
            step: 50,
            layer: 0,
            weight_norm: 3.0,
            gradient_norm: 0.25,
            update_ratio: 0.001,
            dead_fraction: Some(0.5),
            histogram_range: (0.0, 8.0),
        }];
        m.histograms = vec![2.0; HISTOGRAM_BINS];
        h.absorb(m);
        assert_eq!(h.layers.layers.len(), 1);
        assert_eq!(h.layers.layers[0].weight_norm, vec![(50.0, 3.0)]);
        assert_eq!(
            h.layers.layers[0].histograms[0].counts,
            vec![2.0; HISTOGRAM_BINS]
        );
        assert!(h.latest.layers.is_empty() && h.latest.histograms.is_empty());
    }

    #[test]
    fn a_chart_fits_its_series_and_labels_its_axes() {
        let v = Viewport {
            x: 40.0,
            y: 10.0,
            width: 400.0,
            height: 200.0,
        };
        let series = [Series {
            name: "loss",
            points: vec![(1.0, 2.0), (50.0, 1.0), (100.0, 0.5)],
        }];
        let l = layout(&series, YAxis::Fit, "", v);
        assert_eq!(l.paths[0], "M44 10 L240 110 L440 160");
        assert_eq!(l.x_ticks.first().map(|t| t.1.as_str()), Some("0"));
        assert!(l
            .y_ticks
            .iter()
            .any(|t| t.1 == "1.0" && (t.0 - 110.0).abs() < 1e-9));
        let l = layout(&series, YAxis::Log, "", v);
        assert_eq!(l.axes.y, Scale::Log { min: 0.5, max: 2.0 });
        let acc = [Series {
            name: "test",
            points: vec![(10.0, 0.5)],
        }];
        let l = layout(&acc, YAxis::Fixed(0.0, 1.0), "%", v);
        assert!(
            l.y_ticks.iter().any(|t| t.1 == "100 %" && t.0 == 10.0),
            "{:?}",
            l.y_ticks
        );
        // Long series are thinned; an empty chart still has axes.
        let long: Vec<(f64, f64)> = (0..5000).map(|i| (i as f64, (i % 7) as f64)).collect();
        let l = layout(
            &[Series {
                name: "loss",
                points: long,
            }],
            YAxis::Fit,
            "",
            v,
        );
        assert!(l.drawn[0].len() <= MAX_DRAWN);
        let l = layout(&series, YAxis::Fit, "", v);
        assert_eq!(l.step_at(240.0), 50.0);
        assert_eq!(
            l.readout(&["loss"], 48.0, false),
            Some((240.0, "step 50 · loss 1.0000".to_string()))
        );
        let l = layout(&acc, YAxis::Fixed(0.0, 1.0), "%", v);
        assert_eq!(
            l.readout(&["test"], 0.0, true).map(|r| r.1),
            Some("step 10 · test 50.0 %".to_string())
        );
        let l = layout(&[], YAxis::Fit, "", v);
        assert_eq!(l.readout(&[], 3.0, false), None);
        assert!(l.paths.is_empty() && !l.x_ticks.is_empty());
    }

    #[test]
    fn the_matrix_says_when_and_how_well() {
        let mut h = History::default();
        h.epochs.push(EpochPoint {
            epoch: 2,
            step: 80,
            mean_loss: 0.3,
            train_accuracy: 0.95,
            test_accuracy: 0.9,
            learning_rate: 0.1,
        });
        assert_eq!(h.moment(80), "after epoch 2");
        assert_eq!(h.moment(1234), "after batch 1,234");
        let labels: Vec<u8> = (0..10_000).map(|i| (i % 10) as u8).collect();
        // 9,123 right: the first 877 are predicted one class off.
        let predictions: Vec<Option<usize>> = labels
            .iter()
            .enumerate()
            .map(|(i, &l)| {
                Some(if i < 877 {
                    (l as usize + 1) % 10
                } else {
                    l as usize
                })
            })
            .collect();
        let indices: Vec<u32> = (0..10_000).collect();
        let c = Confusion::from_predictions(&predictions, &labels, &indices, 10);
        assert_eq!(
            confusion_summary(&c, &h.moment(80)),
            "Test set after epoch 2: 10,000 digits evaluated, 9,123 right · accuracy 91.2 %"
        );
    }
}
