//! "Layer health" on `/train`: every layer's probe measurements ([`LayerPoint`]) kept over the
//! run as chart series, its activation histograms over time (thinned to a fixed bound), and the
//! geometry of the histogram views (the latest histogram as bars, the history as a heat strip).
//! The page's component only draws what this computes.

use std::collections::BTreeMap;
use std::sync::Mutex;

use super::chart::{Axes, Scale, Viewport};
use super::config::RunConfig;
use super::metrics::{evenly_spaced, LayerPoint, HISTOGRAM_BINS};
use super::page::{Points, Series};
use crate::core::format::thousands;

/// Histogram rows kept per layer. Once a layer has more, every other row is dropped and from
/// then on only every other probe is kept (the kept rows stay evenly spaced in steps), so a
/// layer never holds more than this many rows: ≤ 200 × [`HISTOGRAM_BINS`] counts, 25.6 kB.
pub const MAX_HISTOGRAM_ROWS: usize = 200;

/// One activation histogram of a layer: [`HISTOGRAM_BINS`] counts after `step`.
#[derive(Clone, Debug, PartialEq)]
pub struct HistogramRow {
    pub step: u64,
    pub counts: Vec<f32>,
}

/// One layer's measurements over the run.
#[derive(Clone, Debug, PartialEq)]
pub struct LayerTrack {
    /// Index into the network's layers (0 = first hidden layer).
    pub layer: usize,
    /// (step, value) of every probe.
    pub weight_norm: Points,
    pub gradient_norm: Points,
    pub update_ratio: Points,
    /// (step, fraction of dead units); `None` unless the layer is ReLU.
    pub dead_fraction: Option<Points>,
    /// The histograms' value range (bin `k` covers `lo + k·(hi − lo)/BINS ..`).
    pub histogram_range: (f32, f32),
    /// Evenly thinned histograms, ascending by step, at most [`MAX_HISTOGRAM_ROWS`].
    pub histograms: Vec<HistogramRow>,
    /// The newest histogram (also when thinning left it out of `histograms`).
    pub latest: Option<HistogramRow>,
    /// Probes seen with a histogram, and the spacing (in probes) of the kept rows.
    probes: u64,
    stride: u64,
}

impl LayerTrack {
    fn new(p: &LayerPoint) -> LayerTrack {
        LayerTrack {
            layer: p.layer,
            weight_norm: Vec::new(),
            gradient_norm: Vec::new(),
            update_ratio: Vec::new(),
            dead_fraction: None,
            histogram_range: p.histogram_range,
            histograms: Vec::new(),
            latest: None,
            probes: 0,
            stride: 1,
        }
    }

    fn push(&mut self, p: &LayerPoint, counts: Option<&[f32]>) {
        let step = p.step as f64;
        self.weight_norm.push((step, p.weight_norm as f64));
        self.gradient_norm.push((step, p.gradient_norm as f64));
        self.update_ratio.push((step, p.update_ratio as f64));
        if let Some(d) = p.dead_fraction {
            self.dead_fraction
                .get_or_insert_with(Vec::new)
                .push((step, d as f64));
        }
        self.histogram_range = p.histogram_range;
        let Some(counts) = counts else {
            return;
        };
        let row = HistogramRow {
            step: p.step,
            counts: counts.to_vec(),
        };
        if self.probes.is_multiple_of(self.stride) {
            self.histograms.push(row.clone());
            if self.histograms.len() > MAX_HISTOGRAM_ROWS {
                let mut i = 0;
                self.histograms.retain(|_| {
                    i += 1;
                    (i - 1) % 2 == 0
                });
                self.stride *= 2;
            }
        }
        self.probes += 1;
        self.latest = Some(row);
    }
}

impl LayerTrack {
    /// The moments the histogram's table lists: at most `count` rows spread evenly over the
    /// kept histograms, the newest always last.
    pub fn table_moments(&self, count: usize) -> Vec<&HistogramRow> {
        let mut rows = table_moments(&self.histograms, count);
        if let Some(latest) = &self.latest {
            match rows.last_mut() {
                Some(last) if last.step == latest.step => {}
                Some(last) => *last = latest,
                None => rows.push(latest),
            }
        }
        rows
    }
}

/// Every layer's measurements so far, gathered from the `Progress` reports.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LayerHistory {
    /// By layer index.
    pub layers: Vec<LayerTrack>,
}

impl LayerHistory {
    /// Adds a report's layer points and their histograms (`points.len() × HISTOGRAM_BINS`
    /// counts in the order of `points`; a point whose counts are missing keeps its series only).
    pub fn absorb(&mut self, points: &[LayerPoint], histograms: &[f32]) {
        for (i, p) in points.iter().enumerate() {
            let counts = histograms.get(i * HISTOGRAM_BINS..(i + 1) * HISTOGRAM_BINS);
            while self.layers.len() <= p.layer {
                let mut blank = LayerTrack::new(p);
                blank.layer = self.layers.len();
                self.layers.push(blank);
            }
            self.layers[p.layer].push(p, counts);
        }
    }

    /// Whether nothing was measured yet.
    pub fn is_empty(&self) -> bool {
        self.layers.iter().all(|l| l.weight_norm.is_empty())
    }

    /// Layer points absorbed so far (a cheap way to see that something new arrived).
    pub fn points(&self) -> usize {
        self.layers.iter().map(|l| l.weight_norm.len()).sum()
    }

    /// Whether some layer reports dead units (it is ReLU).
    pub fn has_relu(&self) -> bool {
        self.layers.iter().any(|l| l.dead_fraction.is_some())
    }

    /// Weight and gradient norm of every layer (in that order per layer), named with
    /// [`layer_name`] from the layer sizes `units` (`units[l]` = outputs of layer `l`).
    pub fn norm_series(&self, units: &[usize]) -> Vec<Series> {
        self.layers
            .iter()
            .flat_map(|l| {
                let name = layer_label(l.layer, units);
                [
                    Series {
                        name: intern(&format!("weights · {name}")),
                        points: l.weight_norm.clone(),
                    },
                    Series {
                        name: intern(&format!("gradient · {name}")),
                        points: l.gradient_norm.clone(),
                    },
                ]
            })
            .collect()
    }

    /// ‖ΔW‖/‖W‖ of every layer.
    pub fn ratio_series(&self, units: &[usize]) -> Vec<Series> {
        self.layers
            .iter()
            .map(|l| Series {
                name: intern(&layer_label(l.layer, units)),
                points: l.update_ratio.clone(),
            })
            .collect()
    }

    /// The dead fraction of every ReLU layer (empty when there is none).
    pub fn dead_series(&self, units: &[usize]) -> Vec<Series> {
        self.layers
            .iter()
            .filter_map(|l| {
                Some(Series {
                    name: intern(&layer_label(l.layer, units)),
                    points: l.dead_fraction.clone()?,
                })
            })
            .collect()
    }
}

/// Whether a run of `config` has ReLU layers (the dead-unit chart applies): ReLU hidden layers,
/// or a ReLU output. Known from the settings before anything is measured.
pub fn has_relu_layers(config: &RunConfig) -> bool {
    use crate::core::nn::Activation::Relu;
    (config.activation == Relu && !config.hidden.is_empty()) || config.output == Relu
}

/// "layer 1 (100 units)" for layer index 0 of a 784-100-10 network, "output layer (10 units)"
/// for the last one; "layer 3" when the sizes are unknown.
pub fn layer_label(layer: usize, units: &[usize]) -> String {
    match units.get(layer) {
        Some(u) if layer + 1 == units.len() => format!("output layer ({} units)", thousands(*u)),
        Some(u) => format!("layer {} ({} units)", layer + 1, thousands(*u)),
        None => format!("layer {}", layer + 1),
    }
}

/// Chart series are named by `&'static str`: a name is leaked once and then reused, so the
/// memory is bounded by the distinct names built (a few per network shape tried).
pub fn intern(name: &str) -> &'static str {
    static NAMES: Mutex<BTreeMap<String, &'static str>> = Mutex::new(BTreeMap::new());
    let Ok(mut names) = NAMES.lock() else {
        return "layer";
    };
    if let Some(&s) = names.get(name) {
        return s;
    }
    let s: &'static str = Box::leak(name.to_string().into_boxed_str());
    names.insert(name.to_string(), s);
    s
}

/// A bin edge as the views write it, three decimals at most: "0.25", "-1", "8".
pub fn value_text(v: f32) -> String {
    let s = format!("{:.3}", v as f64 + 0.0);
    let s = s.trim_end_matches('0').trim_end_matches('.').to_string();
    if s == "-0" {
        "0".to_string()
    } else {
        s
    }
}

/// The value range of bin `k` of `bins` over `range`.
pub fn bin_range((lo, hi): (f32, f32), bins: usize, k: usize) -> (f32, f32) {
    let w = (hi - lo) / bins.max(1) as f32;
    (lo + k as f32 * w, lo + (k + 1) as f32 * w)
}

/// One bar of a histogram, in SVG units, with what it counts.
#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
    /// The bin's value range and count.
    pub lo: f32,
    pub hi: f32,
    pub count: f32,
}

impl Bar {
    /// "value range 0.25…0.5: 12 activations".
    pub fn label(&self) -> String {
        format!(
            "value range {}…{}: {} activations",
            value_text(self.lo),
            value_text(self.hi),
            thousands(self.count.max(0.0) as usize)
        )
    }
}

/// A histogram's bars and its axes' ticks: (SVG x, label) along the bottom (activation value),
/// (SVG y, label) along the left (activations counted).
#[derive(Clone, Debug, PartialEq)]
pub struct HistogramLayout {
    pub bars: Vec<Bar>,
    pub x_ticks: Vec<(f64, String)>,
    pub y_ticks: Vec<(f64, String)>,
}

/// The bars of `counts` (equal bins over `range`) in `viewport`: heights proportional to the
/// counts, the fullest bar the viewport's height; no counts (or all 0) give flat bars, never NaN.
pub fn histogram_layout(counts: &[f32], range: (f32, f32), viewport: Viewport) -> HistogramLayout {
    let max = counts
        .iter()
        .copied()
        .filter(|c| c.is_finite())
        .fold(0.0f32, f32::max);
    let axes = Axes {
        x: Scale::linear(range.0 as f64, range.1 as f64),
        y: Scale::linear(0.0, (max as f64).max(1.0)),
        viewport,
    };
    let bottom = viewport.y + viewport.height;
    let bars = counts
        .iter()
        .enumerate()
        .map(|(k, &c)| {
            let (lo, hi) = bin_range(range, counts.len(), k);
            let c = if c.is_finite() { c.max(0.0) } else { 0.0 };
            let (x0, top) = axes.point(lo as f64, c as f64);
            let (x1, _) = axes.point(hi as f64, 0.0);
            Bar {
                x: x0,
                y: top,
                width: (x1 - x0).max(0.0),
                height: bottom - top,
                lo,
                hi,
                count: c,
            }
        })
        .collect();
    HistogramLayout {
        bars,
        x_ticks: x_ticks(&axes),
        y_ticks: axes
            .y
            .ticks(4, "")
            .into_iter()
            .map(|t| (axes.point(0.0, t.value).1, t.label))
            .collect(),
    }
}

fn x_ticks(axes: &Axes) -> Vec<(f64, String)> {
    axes.x
        .ticks(5, "")
        .into_iter()
        .map(|t| (axes.point(t.value, 0.0).0, t.label))
        .collect()
}

/// The histograms over time as an image, one pixel per (row, bin): `width` = rows (oldest
/// left), `height` = bins (highest values on top), RGBA. A pixel's shade is
/// √(count / the row's largest count), from paper (0) to ink (1), so every moment's spread
/// shows whatever the sample count. Placed over the plot area of `viewport`, whose x axis
/// is the step (each row a column centred on its step) and y axis the activation value.
#[derive(Clone, Debug, PartialEq)]
pub struct HeatStrip {
    pub width: usize,
    pub height: usize,
    pub rgba: Vec<u8>,
    pub x_ticks: Vec<(f64, String)>,
    pub y_ticks: Vec<(f64, String)>,
}

/// Paper and ink of the heat strip.
const PAPER: [f64; 3] = [255.0, 255.0, 255.0];
const INK: [f64; 3] = [31.0, 78.0, 156.0];

/// The shade 0..=1 of `count` in a row whose largest count is `max` (0 for an empty row).
pub fn shade(count: f32, max: f32) -> f64 {
    if max.is_nan() || count.is_nan() || max <= 0.0 || count <= 0.0 {
        return 0.0;
    }
    ((count / max) as f64).clamp(0.0, 1.0).sqrt()
}

/// The heat strip of `rows` (ascending by step, evenly spaced, as [`LayerTrack::histograms`])
/// over `range`, with its axes in `viewport`.
pub fn heat_strip(rows: &[HistogramRow], range: (f32, f32), viewport: Viewport) -> HeatStrip {
    let bins = rows.first().map_or(HISTOGRAM_BINS, |r| r.counts.len());
    let width = rows.len();
    let mut rgba = vec![0u8; width * bins * 4];
    for (col, row) in rows.iter().enumerate() {
        let max = row.counts.iter().copied().fold(0.0f32, f32::max);
        for (k, &c) in row.counts.iter().enumerate().take(bins) {
            let t = shade(c, max);
            let y = bins - 1 - k;
            let at = (y * width + col) * 4;
            for ch in 0..3 {
                rgba[at + ch] = (PAPER[ch] + (INK[ch] - PAPER[ch]) * t).round() as u8;
            }
            rgba[at + 3] = 255;
        }
    }
    let (first, last) = match (rows.first(), rows.last()) {
        (Some(a), Some(b)) => (a.step as f64, b.step as f64),
        _ => (0.0, 1.0),
    };
    let spacing = if width > 1 {
        (last - first) / (width - 1) as f64
    } else {
        first.max(1.0)
    };
    let axes = Axes {
        x: Scale::linear(first - spacing / 2.0, last + spacing / 2.0),
        y: Scale::linear(range.0 as f64, range.1 as f64),
        viewport,
    };
    HeatStrip {
        width,
        height: bins,
        rgba,
        x_ticks: x_ticks(&axes)
            .into_iter()
            .filter(|(x, _)| *x >= viewport.x && *x <= viewport.x + viewport.width)
            .collect(),
        y_ticks: axes
            .y
            .ticks(4, "")
            .into_iter()
            .map(|t| (axes.point(0.0, t.value).1, t.label))
            .collect(),
    }
}

/// At most `count` rows spread evenly over `rows`, always with the last one: the moments the
/// histogram's table lists.
pub fn table_moments(rows: &[HistogramRow], count: usize) -> Vec<&HistogramRow> {
    let mut picked: Vec<&HistogramRow> = evenly_spaced(rows.len(), count)
        .into_iter()
        .map(|i| &rows[i as usize])
        .collect();
    if let (Some(last), Some(kept)) = (rows.last(), picked.last_mut()) {
        *kept = last;
    }
    picked
}

/// The bin's value range as the table writes it: "0.25…0.5".
pub fn bin_text(range: (f32, f32), bins: usize, k: usize) -> String {
    let (lo, hi) = bin_range(range, bins, k);
    format!("{}…{}", value_text(lo), value_text(hi))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(step: u64, layer: usize, relu: bool) -> LayerPoint {
        LayerPoint {
            step,
            layer,
            weight_norm: 10.0 + step as f32,
            gradient_norm: 0.5,
            update_ratio: 1e-3,
            dead_fraction: relu.then_some(0.25),
            histogram_range: if relu { (0.0, 8.0) } else { (-1.0, 1.0) },
        }
    }

    /// A probe of a ReLU hidden layer and a softmax output layer after `step`; the hidden
    /// layer's histogram has `step` in its first bin.
    fn probe(step: u64) -> (Vec<LayerPoint>, Vec<f32>) {
        let mut h = vec![0.0; 2 * HISTOGRAM_BINS];
        h[0] = step as f32;
        h[HISTOGRAM_BINS + 3] = 7.0;
        let mut out = point(step, 1, false);
        out.histogram_range = (0.0, 1.0);
        (vec![point(step, 0, true), out], h)
    }

    #[test]
    fn points_are_appended_per_layer_and_dead_units_only_for_relu() {
        let mut h = LayerHistory::default();
        assert!(h.is_empty() && !h.has_relu());
        for step in [50, 100, 150] {
            let (p, c) = probe(step);
            h.absorb(&p, &c);
        }
        assert_eq!(h.layers.len(), 2);
        assert_eq!(h.points(), 6);
        let hidden = &h.layers[0];
        assert_eq!(
            hidden.weight_norm,
            vec![(50.0, 60.0), (100.0, 110.0), (150.0, 160.0)]
        );
        assert_eq!(hidden.update_ratio.len(), 3);
        assert_eq!(hidden.dead_fraction.as_ref().map(Vec::len), Some(3));
        assert_eq!(h.layers[1].dead_fraction, None);
        assert!(h.has_relu());
        assert_eq!(hidden.histograms.len(), 3);
        assert_eq!(h.layers[1].histograms[2].counts[3], 7.0);
        assert_eq!(hidden.latest.as_ref().map(|r| r.step), Some(150));
        // Names from the layer sizes; the dead chart has only the ReLU layer.
        let units = [100, 10];
        let norms = h.norm_series(&units);
        assert_eq!(
            norms.iter().map(|s| s.name).collect::<Vec<_>>(),
            vec![
                "weights · layer 1 (100 units)",
                "gradient · layer 1 (100 units)",
                "weights · output layer (10 units)",
                "gradient · output layer (10 units)"
            ]
        );
        assert_eq!(h.dead_series(&units).len(), 1);
        assert_eq!(h.dead_series(&units)[0].name, "layer 1 (100 units)");
        assert_eq!(h.ratio_series(&[])[1].name, "layer 2");
        assert_eq!(h.ratio_series(&units)[0].points[0], (50.0, 1e-3f32 as f64));
    }

    #[test]
    fn the_settings_say_whether_dead_units_apply() {
        use crate::core::training::page::page_config;
        assert!(has_relu_layers(&page_config("act=relu").unwrap()));
        assert!(!has_relu_layers(&page_config("act=tanh").unwrap()));
        // No hidden layer: the hidden activation is never used.
        assert!(!has_relu_layers(&page_config("act=relu&hidden=").unwrap()));
    }

    #[test]
    fn a_tanh_network_has_no_dead_series() {
        let mut h = LayerHistory::default();
        h.absorb(
            &[point(10, 0, false), point(10, 1, false)],
            &[1.0; 2 * HISTOGRAM_BINS],
        );
        assert!(!h.has_relu());
        assert!(h.dead_series(&[32, 10]).is_empty());
        assert_eq!(h.ratio_series(&[32, 10]).len(), 2);
    }

    #[test]
    fn histograms_are_thinned_evenly_to_the_bound() {
        let mut h = LayerHistory::default();
        for probe_no in 1..=1000u64 {
            let (p, c) = probe(probe_no * 50);
            h.absorb(&p, &c);
            for l in &h.layers {
                assert!(l.histograms.len() <= MAX_HISTOGRAM_ROWS);
            }
        }
        let rows = &h.layers[0].histograms;
        assert!(rows.len() > MAX_HISTOGRAM_ROWS / 2, "{}", rows.len());
        // Evenly spaced in steps, from the first probe on.
        let gaps: Vec<u64> = rows.windows(2).map(|w| w[1].step - w[0].step).collect();
        assert!(gaps.iter().all(|&g| g == gaps[0]), "{gaps:?}");
        assert_eq!(rows[0].step, 50);
        assert_eq!(rows[0].counts[0], 50.0);
        // The newest histogram is always at hand, and every series point kept.
        assert_eq!(h.layers[0].latest.as_ref().map(|r| r.step), Some(50_000));
        assert_eq!(h.layers[0].weight_norm.len(), 1000);
        // The table's moments end with the newest histogram.
        let moments = h.layers[0].table_moments(4);
        assert_eq!(moments.len(), 4);
        assert_eq!(moments[0].step, 50);
        assert_eq!(moments[3].step, 50_000);
        // Missing counts keep the series going without a histogram.
        h.absorb(&[point(50_050, 0, true)], &[]);
        assert_eq!(h.layers[0].weight_norm.len(), 1001);
        assert_eq!(h.layers[0].latest.as_ref().map(|r| r.step), Some(50_000));
    }

    const V: Viewport = Viewport {
        x: 40.0,
        y: 10.0,
        width: 320.0,
        height: 100.0,
    };

    #[test]
    fn bars_sit_in_the_plot_with_heights_proportional_to_the_counts() {
        let mut counts = vec![0.0; 32];
        counts[0] = 40.0;
        counts[1] = 10.0;
        counts[31] = 20.0;
        let l = histogram_layout(&counts, (0.0, 8.0), V);
        assert_eq!(l.bars.len(), 32);
        for b in &l.bars {
            assert!(
                b.x >= V.x - 1e-9 && b.x + b.width <= V.x + V.width + 1e-9,
                "{b:?}"
            );
            assert!(
                b.y >= V.y - 1e-9 && b.y + b.height <= V.y + V.height + 1e-9,
                "{b:?}"
            );
            assert!((b.width - 10.0).abs() < 1e-9);
        }
        assert_eq!(l.bars[0].height, 100.0);
        assert_eq!(l.bars[1].height, 25.0);
        assert_eq!(l.bars[31].height, 50.0);
        assert_eq!(l.bars[5].height, 0.0);
        assert_eq!(l.bars[1].label(), "value range 0.25…0.5: 10 activations");
        assert_eq!(l.x_ticks.first(), Some(&(40.0, "0".to_string())));
        assert!(l.x_ticks.iter().any(|t| t.1 == "8" && t.0 == 360.0));
        assert!(l.y_ticks.iter().any(|t| t.1 == "40" && t.0 == 10.0));
        let tanh = histogram_layout(&counts, (-1.0, 1.0), V);
        assert_eq!(
            tanh.bars[0].label(),
            "value range -1…-0.938: 40 activations"
        );
        assert_eq!(bin_text((-1.0, 1.0), 32, 16), "0…0.062");
    }

    #[test]
    fn an_empty_histogram_gives_no_nan() {
        for counts in [vec![], vec![0.0; 32], vec![f32::NAN; 32]] {
            let l = histogram_layout(&counts, (0.0, 8.0), V);
            for b in &l.bars {
                for v in [b.x, b.y, b.width, b.height] {
                    assert!(v.is_finite(), "{b:?}");
                }
                assert_eq!(b.height, 0.0);
            }
            assert!(!l.y_ticks.is_empty());
        }
        let s = heat_strip(&[], (0.0, 8.0), V);
        assert_eq!((s.width, s.rgba.len()), (0, 0));
        assert!(s.x_ticks.iter().all(|t| t.0.is_finite()));
        assert_eq!(shade(0.0, 0.0), 0.0);
        assert_eq!(shade(f32::NAN, 3.0), 0.0);
    }

    #[test]
    fn the_heat_strip_shades_each_moment_by_its_fullest_bin() {
        let rows: Vec<HistogramRow> = (1..=4)
            .map(|i| {
                let mut counts = vec![0.0; 32];
                counts[0] = 100.0;
                counts[i] = 25.0;
                HistogramRow {
                    step: i as u64 * 100,
                    counts,
                }
            })
            .collect();
        let s = heat_strip(&rows, (0.0, 8.0), V);
        assert_eq!((s.width, s.height, s.rgba.len()), (4, 32, 4 * 32 * 4));
        let pixel = |col: usize, bin: usize| {
            let at = ((31 - bin) * 4 + col) * 4;
            s.rgba[at..at + 4].to_vec()
        };
        // Bin 0 (bottom) is full ink in every column; 25 of 100 is half way (√¼); empty is paper.
        assert_eq!(pixel(0, 0), vec![31, 78, 156, 255]);
        assert_eq!(pixel(2, 3), vec![143, 167, 206, 255]);
        assert_eq!(pixel(0, 3), vec![255, 255, 255, 255]);
        // Steps 100..400, each column 100 wide: the x axis spans 50..450.
        assert!(s
            .x_ticks
            .iter()
            .any(|t| t.1 == "100" && (t.0 - 80.0).abs() < 1e-9));
        assert!(s.y_ticks.iter().any(|t| t.1 == "8" && t.0 == 10.0));
        let moments = table_moments(&rows, 3);
        assert_eq!(
            moments.iter().map(|r| r.step).collect::<Vec<_>>(),
            vec![100, 200, 400]
        );
        assert!(table_moments(&[], 3).is_empty());
    }

    #[test]
    fn names_are_interned_once() {
        let a = intern(&format!("layer {}", 7));
        let b = intern("layer 7");
        assert!(std::ptr::eq(a, b));
        assert_eq!(layer_label(0, &[1000, 10]), "layer 1 (1,000 units)");
    }
}
