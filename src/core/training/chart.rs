//! The geometry of the training charts, which the app draws as hand-written SVG: scales
//! (linear and log), "nice" axis ticks with labels, a series of (x, y) → an SVG path `d`,
//! smoothing, downsampling that keeps extremes, and the point nearest a pointer.
//!
//! Coordinates: data points are `(x, y)` in f64; the [`Viewport`] is in SVG user units with y
//! growing downward, so the largest y value is drawn at the top edge.

/// A rectangle in SVG user units (`x`, `y` = top-left corner).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Viewport {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

/// Maps data values to a fraction 0..=1 of an axis.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scale {
    /// `min < max`.
    Linear { min: f64, max: f64 },
    /// `0 < min < max`; values ≤ `min` (including 0 and negatives) sit at the floor `min`.
    Log { min: f64, max: f64 },
}

/// One axis tick: where (in data units) and what it says.
#[derive(Clone, Debug, PartialEq)]
pub struct Tick {
    pub value: f64,
    pub label: String,
}

/// The smallest and largest finite value, or `None` if there is none.
pub fn extent(values: impl IntoIterator<Item = f64>) -> Option<(f64, f64)> {
    values
        .into_iter()
        .filter(|v| v.is_finite())
        .fold(None, |acc, v| match acc {
            None => Some((v, v)),
            Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
        })
}

impl Scale {
    /// A linear scale over `[min, max]`; an empty span is widened by 1 on each side (or by 10 %
    /// of the value), so a flat series is drawn in the middle.
    pub fn linear(min: f64, max: f64) -> Scale {
        if max > min {
            return Scale::Linear { min, max };
        }
        let pad = if min == 0.0 { 1.0 } else { min.abs() * 0.1 };
        Scale::Linear {
            min: min - pad,
            max: min + pad,
        }
    }

    /// A log scale that fits the positive values. Non-positive values cannot be shown on a log
    /// axis; they are drawn at the floor, which is the smallest positive value (or 10⁻⁶ of the
    /// largest, if that is lower). With no positive value at all: `[0.1, 1]`.
    pub fn log_fit(values: impl IntoIterator<Item = f64>) -> Scale {
        match extent(values.into_iter().filter(|&v| v > 0.0)) {
            None => Scale::Log { min: 0.1, max: 1.0 },
            Some((lo, hi)) => {
                let min = lo.max(hi * 1e-6);
                let max = if hi > min { hi } else { min * 10.0 };
                Scale::Log { min, max }
            }
        }
    }

    /// Where `v` sits between the ends: 0 at `min`, 1 at `max` (outside values go past).
    pub fn fraction(&self, v: f64) -> f64 {
        match *self {
            Scale::Linear { min, max } => (v - min) / (max - min),
            Scale::Log { min, max } => (v.max(min).ln() - min.ln()) / (max.ln() - min.ln()),
        }
    }

    /// About `target` ticks inside the scale, labelled with `unit` ("" for none): steps of
    /// 1, 2 or 5 × 10ᵏ on a linear scale, powers of ten on a log scale (1, 2, 5 × 10ᵏ when it
    /// spans less than a decade or two).
    pub fn ticks(&self, target: usize, unit: &str) -> Vec<Tick> {
        match *self {
            Scale::Linear { min, max } => {
                let step = nice_step(max - min, target);
                multiples(min, max, step)
                    .into_iter()
                    .map(|value| Tick {
                        value,
                        label: tick_label(value, step, unit),
                    })
                    .collect()
            }
            Scale::Log { min, max } => log_ticks(min, max)
                .into_iter()
                .map(|value| Tick {
                    value,
                    label: tick_label(value, value, unit),
                })
                .collect(),
        }
    }
}

/// 1, 2 or 5 × 10ᵏ: the round step that cuts `span` into about `target` pieces.
pub fn nice_step(span: f64, target: usize) -> f64 {
    let raw = span.abs() / target.max(1) as f64;
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let power = 10f64.powf(raw.log10().floor());
    let mantissa = raw / power;
    let nice = if mantissa <= 1.0 {
        1.0
    } else if mantissa <= 2.0 {
        2.0
    } else if mantissa <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * power
}

/// The multiples of `step` in `[min, max]` (with a little tolerance for rounding).
fn multiples(min: f64, max: f64, step: f64) -> Vec<f64> {
    let first = (min / step - 1e-9).ceil() as i64;
    let last = (max / step + 1e-9).floor() as i64;
    (first..=last).map(|k| k as f64 * step).collect()
}

/// Powers of ten in `[min, max]`; with fewer than three of them, also 2 and 5 × 10ᵏ.
fn log_ticks(min: f64, max: f64) -> Vec<f64> {
    let (lo, hi) = (min.log10().floor() as i32, max.log10().ceil() as i32);
    let inside = |v: &f64| *v >= min * (1.0 - 1e-9) && *v <= max * (1.0 + 1e-9);
    let decades: Vec<f64> = (lo..=hi)
        .map(|k| times_power_of_ten(1.0, k))
        .filter(inside)
        .collect();
    if decades.len() >= 3 {
        return decades;
    }
    (lo..=hi)
        .flat_map(|k| [1.0, 2.0, 5.0].map(|m| times_power_of_ten(m, k)))
        .filter(inside)
        .collect()
}

/// m × 10ᵏ, dividing for negative k so that 5 × 10⁻² is the same f64 as `0.05`.
fn times_power_of_ten(m: f64, k: i32) -> f64 {
    if k < 0 {
        m / 10f64.powi(-k)
    } else {
        m * 10f64.powi(k)
    }
}

/// `value` written with as many decimals as `step` needs, thousands as "k" and millions as "M"
/// when the step allows, then the unit after a space: "0.25", "20k samples/s", "95 %".
pub fn tick_label(value: f64, step: f64, unit: &str) -> String {
    let (scaled, scaled_step, suffix) = if value == 0.0 {
        (0.0, step.abs().min(1.0), "")
    } else if step.abs() >= 1e6 {
        (value / 1e6, step / 1e6, "M")
    } else if step.abs() >= 1e3 {
        (value / 1e3, step / 1e3, "k")
    } else {
        (value, step, "")
    };
    let decimals = if scaled_step.abs() >= 1.0 || scaled_step == 0.0 {
        0
    } else {
        (-scaled_step.abs().log10().floor()) as usize
    };
    // + 0.0 turns -0 into 0.
    let number = format!("{:.*}", decimals.min(12), scaled + 0.0);
    let number = if number.starts_with('-') && number.trim_start_matches(['-', '0', '.']).is_empty()
    {
        number[1..].to_string()
    } else {
        number
    };
    if unit.is_empty() {
        format!("{number}{suffix}")
    } else {
        format!("{number}{suffix} {unit}")
    }
}

/// Two scales and the rectangle they draw into.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Axes {
    pub x: Scale,
    pub y: Scale,
    pub viewport: Viewport,
}

impl Axes {
    /// The SVG position of a data point (y grows downward).
    pub fn point(&self, x: f64, y: f64) -> (f64, f64) {
        let v = self.viewport;
        (
            v.x + self.x.fraction(x) * v.width,
            v.y + (1.0 - self.y.fraction(y)) * v.height,
        )
    }

    /// The path `d` of a polyline through `points`: `M x y L x y …`, two decimals at most. A
    /// point with a non-finite coordinate breaks the line (the next one starts a new `M`).
    pub fn path(&self, points: &[(f64, f64)]) -> String {
        let mut d = String::new();
        let mut pen_down = false;
        for &(x, y) in points {
            if !(x.is_finite() && y.is_finite()) {
                pen_down = false;
                continue;
            }
            let (px, py) = self.point(x, y);
            if !d.is_empty() {
                d.push(' ');
            }
            d.push(if pen_down { 'L' } else { 'M' });
            d.push_str(&svg_number(px));
            d.push(' ');
            d.push_str(&svg_number(py));
            pen_down = true;
        }
        d
    }
}

/// A coordinate with at most two decimals and no trailing zeros ("12.5", "3", "-0.25").
pub fn svg_number(v: f64) -> String {
    let s = format!("{:.2}", v + 0.0);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

/// A running exponential moving average with bias correction: `s_t = β·s_{t−1} + (1−β)·x_t`,
/// reported as `s_t / (1 − β^t)`, so the first value is the first sample and early values are
/// not pulled towards 0. Non-finite samples are skipped (the previous value repeats; NaN
/// before the first finite sample).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Ema {
    beta: f64,
    sum: f64,
    weight: f64,
}

impl Ema {
    /// `smoothing` β in [0, 1) (0 = raw; clamped).
    pub fn new(smoothing: f64) -> Ema {
        Ema {
            beta: smoothing.clamp(0.0, 0.999_999),
            sum: 0.0,
            weight: 0.0,
        }
    }

    /// Adds a sample and returns the smoothed value.
    pub fn push(&mut self, x: f64) -> f64 {
        if x.is_finite() {
            self.sum = self.beta * self.sum + (1.0 - self.beta) * x;
            self.weight = self.beta * self.weight + (1.0 - self.beta);
        }
        if self.weight > 0.0 {
            self.sum / self.weight
        } else {
            f64::NAN
        }
    }
}

/// [`Ema`] over a whole series (for re-smoothing a chart with another β).
pub fn ema(values: &[f64], smoothing: f64) -> Vec<f64> {
    let mut e = Ema::new(smoothing);
    values.iter().map(|&x| e.push(x)).collect()
}

/// At most `max_points` of `points` (sorted by x), keeping the first and the last and, from
/// each of the equal runs between them, the point with the lowest and the one with the highest
/// y (in x order), so spikes survive. `max_points` below 4 is treated as 4.
pub fn downsample(points: &[(f64, f64)], max_points: usize) -> Vec<(f64, f64)> {
    let max_points = max_points.max(4);
    if points.len() <= max_points {
        return points.to_vec();
    }
    let (first, last) = (points[0], points[points.len() - 1]);
    let middle = &points[1..points.len() - 1];
    let buckets = (max_points - 2) / 2;
    let mut out = Vec::with_capacity(max_points);
    out.push(first);
    for b in 0..buckets {
        let run = &middle[b * middle.len() / buckets..(b + 1) * middle.len() / buckets];
        let lowest = run
            .iter()
            .enumerate()
            .min_by(|a, b| a.1 .1.total_cmp(&b.1 .1));
        let highest = run
            .iter()
            .enumerate()
            .max_by(|a, b| a.1 .1.total_cmp(&b.1 .1));
        if let (Some((i, &lo)), Some((j, &hi))) = (lowest, highest) {
            match i.cmp(&j) {
                std::cmp::Ordering::Less => out.extend([lo, hi]),
                std::cmp::Ordering::Greater => out.extend([hi, lo]),
                std::cmp::Ordering::Equal => out.push(lo),
            }
        }
    }
    out.push(last);
    out
}

/// The index of the point whose x is nearest `x` (points sorted by x; the earlier on a tie),
/// or `None` for no points: the value shown under a pointer or a keyboard focus.
pub fn nearest(points: &[(f64, f64)], x: f64) -> Option<usize> {
    if points.is_empty() || x.is_nan() {
        return None;
    }
    let after = points.partition_point(|p| p.0 < x);
    if after == 0 {
        return Some(0);
    }
    if after == points.len() {
        return Some(points.len() - 1);
    }
    let (left, right) = (x - points[after - 1].0, points[after].0 - x);
    Some(if left <= right { after - 1 } else { after })
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOX: Viewport = Viewport {
        x: 10.0,
        y: 5.0,
        width: 100.0,
        height: 50.0,
    };

    fn axes(y: Scale) -> Axes {
        Axes {
            x: Scale::linear(0.0, 10.0),
            y,
            viewport: BOX,
        }
    }

    #[test]
    fn linear_path_corners_and_breaks() {
        let a = axes(Scale::linear(0.0, 1.0));
        assert_eq!(a.point(0.0, 0.0), (10.0, 55.0));
        assert_eq!(a.point(10.0, 1.0), (110.0, 5.0));
        let d = a.path(&[
            (0.0, 0.0),
            (5.0, 0.5),
            (f64::NAN, 1.0),
            (10.0, 1.0),
            (7.5, 0.123),
        ]);
        assert_eq!(d, "M10 55 L60 30 M110 5 L85 48.85");
        assert_eq!(a.path(&[]), "");
    }

    #[test]
    fn log_scale_copes_with_zero_and_negative_values() {
        let s = Scale::log_fit([0.0, -2.0, 0.01, 0.1, 1.0]);
        assert_eq!(
            s,
            Scale::Log {
                min: 0.01,
                max: 1.0
            }
        );
        assert!((s.fraction(0.1) - 0.5).abs() < 1e-12);
        assert_eq!(s.fraction(0.0), 0.0);
        assert_eq!(s.fraction(-5.0), 0.0);
        let d = axes(s).path(&[(0.0, 0.0), (10.0, 1.0)]);
        assert_eq!(d, "M10 55 L110 5");
        assert_eq!(
            Scale::log_fit([0.0, -1.0]),
            Scale::Log { min: 0.1, max: 1.0 }
        );
        // A huge dynamic range is cut at 10⁻⁶ of the largest value.
        assert_eq!(
            Scale::log_fit([1e-20, 1.0]),
            Scale::Log {
                min: 1e-6,
                max: 1.0
            }
        );
        // One positive value gives a decade above it.
        assert_eq!(
            Scale::log_fit([2.0, 2.0]),
            Scale::Log {
                min: 2.0,
                max: 20.0
            }
        );
    }

    #[test]
    fn flat_series_get_a_span() {
        assert_eq!(
            Scale::linear(3.0, 3.0),
            Scale::Linear { min: 2.7, max: 3.3 }
        );
        assert_eq!(
            Scale::linear(0.0, 0.0),
            Scale::Linear {
                min: -1.0,
                max: 1.0
            }
        );
        assert_eq!(axes(Scale::linear(0.0, 0.0)).point(0.0, 0.0).1, 30.0);
    }

    #[test]
    fn nice_linear_ticks_with_units() {
        let labels = |s: Scale, n, unit| -> Vec<String> {
            s.ticks(n, unit).into_iter().map(|t| t.label).collect()
        };
        assert_eq!(
            labels(Scale::linear(0.0, 1.0), 5, ""),
            ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"].map(String::from)
        );
        assert_eq!(labels(Scale::linear(0.0, 1.0), 5, "").len(), 6);
        assert_eq!(
            labels(Scale::linear(90.0, 100.0), 4, "%"),
            ["90 %", "95 %", "100 %"].map(String::from)
        );
        assert_eq!(
            labels(Scale::linear(0.0, 38_000.0), 4, "samples/s"),
            [
                "0 samples/s",
                "10k samples/s",
                "20k samples/s",
                "30k samples/s"
            ]
            .map(String::from)
        );
        assert_eq!(
            labels(Scale::linear(-0.3, 0.3), 3, ""),
            ["-0.2", "0.0", "0.2"].map(String::from)
        );
        assert_eq!(
            labels(Scale::linear(0.0013, 0.0031), 4, ""),
            ["0.0015", "0.0020", "0.0025", "0.0030"].map(String::from)
        );
        let t = Scale::linear(0.0, 937.0).ticks(5, "steps");
        assert_eq!(
            t.iter().map(|t| t.value).collect::<Vec<_>>(),
            vec![0.0, 200.0, 400.0, 600.0, 800.0]
        );
        assert_eq!(nice_step(0.0, 5), 1.0);
        assert_eq!(nice_step(7.0, 1), 10.0);
    }

    #[test]
    fn log_ticks_are_decades_or_one_two_five() {
        let values =
            |s: Scale| -> Vec<f64> { s.ticks(5, "").into_iter().map(|t| t.value).collect() };
        assert_eq!(
            values(Scale::Log {
                min: 0.001,
                max: 10.0
            }),
            vec![0.001, 0.01, 0.1, 1.0, 10.0]
        );
        assert_eq!(
            values(Scale::Log {
                min: 0.05,
                max: 0.6
            }),
            vec![0.05, 0.1, 0.2, 0.5]
        );
        let labels: Vec<String> = Scale::Log {
            min: 0.001,
            max: 1.0,
        }
        .ticks(4, "")
        .into_iter()
        .map(|t| t.label)
        .collect();
        assert_eq!(labels, ["0.001", "0.01", "0.1", "1"].map(String::from));
    }

    #[test]
    fn ema_is_bias_corrected() {
        let s = ema(&[2.0, 2.0, 2.0], 0.9);
        assert!(s.iter().all(|v| (v - 2.0).abs() < 1e-12), "{s:?}");
        let s = ema(&[0.0, 1.0], 0.5);
        // s1 = 0, s2 = 0.5·0 + 0.5·1 = 0.5, corrected by 1 − 0.25.
        assert_eq!(s, vec![0.0, 0.5 / 0.75]);
        assert_eq!(ema(&[1.0, 5.0], 0.0), vec![1.0, 5.0]);
        let s = ema(&[f64::NAN, 4.0, f64::NAN], 0.9);
        assert!(s[0].is_nan() && s[1] == 4.0 && s[2] == 4.0);
    }

    #[test]
    fn downsampling_keeps_extremes_and_order() {
        let mut points: Vec<(f64, f64)> = (0..10_000)
            .map(|i| (i as f64, (i as f64 * 0.01).sin()))
            .collect();
        points[4321].1 = 9.0;
        points[777].1 = -7.0;
        let d = downsample(&points, 200);
        assert!(d.len() <= 200, "{}", d.len());
        assert!(d.len() >= 190);
        assert_eq!(d[0], points[0]);
        assert_eq!(*d.last().unwrap(), points[9999]);
        assert!(d.contains(&points[4321]) && d.contains(&points[777]));
        assert!(d.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(downsample(&points[..50], 200), points[..50].to_vec());
        assert!(downsample(&points, 1).len() <= 4);
    }

    #[test]
    fn nearest_point_to_a_pointer() {
        let p = [(0.0, 1.0), (10.0, 2.0), (20.0, 3.0)];
        assert_eq!(nearest(&p, -5.0), Some(0));
        assert_eq!(nearest(&p, 4.9), Some(0));
        assert_eq!(nearest(&p, 5.0), Some(0));
        assert_eq!(nearest(&p, 5.1), Some(1));
        assert_eq!(nearest(&p, 19.0), Some(2));
        assert_eq!(nearest(&p, 99.0), Some(2));
        assert_eq!(nearest(&[], 1.0), None);
        assert_eq!(nearest(&p, f64::NAN), None);
    }

    #[test]
    fn svg_numbers_are_short() {
        assert_eq!(svg_number(12.5), "12.5");
        assert_eq!(svg_number(3.0), "3");
        assert_eq!(svg_number(-0.001), "0");
        assert_eq!(svg_number(1.005_9), "1.01");
        assert_eq!(extent([f64::NAN, 3.0, -1.0]), Some((-1.0, 3.0)));
        assert_eq!(extent([f64::NAN]), None);
    }
}
