//! Colour and width scales of the graph (the legend describes exactly these).
//!
//! - activation fill: 0 → white, the layer's scale → dark ink, negative values → orange;
//! - edge colour: positive weight → blue, negative → red;
//! - edge width: [`WIDTH_LEVELS`] steps of `|w|` relative to the largest drawn weight;
//! - weight heatmap: symmetric around 0 (white), blue for positive, red for negative.

/// An sRGB colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// `#rrggbb`.
    pub fn css(&self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }

    /// Linear blend from `self` (t = 0) to `to` (t = 1); t is clamped to [0, 1].
    pub fn mix(&self, to: Rgb, t: f32) -> Rgb {
        let t = if t.is_finite() {
            t.clamp(0.0, 1.0)
        } else {
            0.0
        };
        let ch = |a: u8, b: u8| (a as f32 + (b as f32 - a as f32) * t).round() as u8;
        Rgb(ch(self.0, to.0), ch(self.1, to.1), ch(self.2, to.2))
    }
}

pub const WHITE: Rgb = Rgb(255, 255, 255);
/// Fill of a fully active neuron (and of full ink in the input image).
pub const INK: Rgb = Rgb(20, 30, 60);
/// Fill of a fully negative neuron (tanh, or a pre-activation).
pub const NEGATIVE_FILL: Rgb = Rgb(214, 96, 0);
/// Edges / weights > 0.
pub const POSITIVE: Rgb = Rgb(33, 102, 172);
/// Edges / weights < 0.
pub const NEGATIVE: Rgb = Rgb(190, 30, 45);

/// Number of distinct edge widths.
pub const WIDTH_LEVELS: usize = 4;
/// Stroke width of the thinnest and thickest edges.
pub const MIN_STROKE: f32 = 0.5;
pub const MAX_STROKE: f32 = 3.5;

/// The value a layer's fills are relative to: 1, or the largest `|a|` if that is larger
/// (unbounded ReLU layers). Bounded activations (sigmoid, softmax, tanh) thus keep an absolute scale.
pub fn activation_scale(values: &[f32]) -> f32 {
    values
        .iter()
        .filter(|v| v.is_finite())
        .map(|v| v.abs())
        .fold(1.0, f32::max)
}

/// Fill of a neuron or pixel with activation `value` in a layer of scale `scale`.
pub fn activation_fill(value: f32, scale: f32) -> Rgb {
    let t = if scale > 0.0 { value / scale } else { 0.0 };
    if t >= 0.0 {
        WHITE.mix(INK, t)
    } else {
        WHITE.mix(NEGATIVE_FILL, -t)
    }
}

/// Colour of an edge or weight by its sign (0 counts as positive).
pub fn sign_colour(weight: f32) -> Rgb {
    if weight < 0.0 {
        NEGATIVE
    } else {
        POSITIVE
    }
}

/// Stroke width of width level 1..=[`WIDTH_LEVELS`] (clamped), evenly spaced.
pub fn stroke_width(level: usize) -> f32 {
    let level = level.clamp(1, WIDTH_LEVELS);
    MIN_STROKE + (MAX_STROKE - MIN_STROKE) * (level - 1) as f32 / (WIDTH_LEVELS - 1) as f32
}

/// The scale of a weight heatmap: the largest finite `|w|` (1 when all are 0).
pub fn heat_scale(weights: &[f32]) -> f32 {
    let m = weights
        .iter()
        .filter(|w| w.is_finite())
        .map(|w| w.abs())
        .fold(0.0, f32::max);
    if m > 0.0 {
        m
    } else {
        1.0
    }
}

/// Heatmap colour of weight `w` for a map of scale `scale` (see [`heat_scale`]).
pub fn heat_fill(w: f32, scale: f32) -> Rgb {
    let t = if scale > 0.0 { w / scale } else { 0.0 };
    WHITE.mix(sign_colour(w), t.abs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn css_is_lowercase_hex() {
        assert_eq!(Rgb(255, 0, 16).css(), "#ff0010");
        assert_eq!(INK.css(), "#141e3c");
    }

    #[test]
    fn activation_fill_runs_from_white_to_ink_and_to_orange_below_zero() {
        assert_eq!(activation_fill(0.0, 1.0), WHITE);
        assert_eq!(activation_fill(1.0, 1.0), INK);
        assert_eq!(activation_fill(7.0, 1.0), INK, "clamped");
        assert_eq!(activation_fill(-1.0, 1.0), NEGATIVE_FILL);
        assert_eq!(activation_fill(3.0, 6.0), WHITE.mix(INK, 0.5));
        assert_eq!(activation_fill(f32::NAN, 1.0), WHITE);
        assert_eq!(activation_fill(1.0, 0.0), WHITE);
        // Darker (smaller red channel) as the activation grows.
        let reds: Vec<u8> = (0..=10)
            .map(|i| activation_fill(i as f32 / 10.0, 1.0).0)
            .collect();
        assert!(reds.windows(2).all(|w| w[0] > w[1]), "{reds:?}");
    }

    #[test]
    fn activation_scale_is_one_unless_values_exceed_it() {
        assert_eq!(activation_scale(&[0.2, 0.9]), 1.0);
        assert_eq!(activation_scale(&[0.2, 4.5, -1.0]), 4.5);
        assert_eq!(activation_scale(&[-3.0]), 3.0);
        assert_eq!(activation_scale(&[f32::INFINITY, 2.0]), 2.0);
        assert_eq!(activation_scale(&[]), 1.0);
    }

    #[test]
    fn sign_and_width_scales() {
        assert_eq!(sign_colour(0.3), POSITIVE);
        assert_eq!(sign_colour(-0.3), NEGATIVE);
        assert_eq!(stroke_width(1), MIN_STROKE);
        assert_eq!(stroke_width(WIDTH_LEVELS), MAX_STROKE);
        assert_eq!(stroke_width(0), MIN_STROKE);
        assert_eq!(stroke_width(99), MAX_STROKE);
        let widths: Vec<f32> = (1..=WIDTH_LEVELS).map(stroke_width).collect();
        assert!(widths.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn heatmap_is_symmetric_around_white() {
        let ws = [-0.5, 0.25, 0.0];
        let s = heat_scale(&ws);
        assert_eq!(s, 0.5);
        assert_eq!(heat_fill(-0.5, s), NEGATIVE);
        assert_eq!(heat_fill(0.5, s), POSITIVE);
        assert_eq!(heat_fill(0.0, s), WHITE);
        assert_eq!(heat_fill(0.25, s), WHITE.mix(POSITIVE, 0.5));
        assert_eq!(heat_scale(&[0.0, 0.0]), 1.0);
        assert_eq!(heat_scale(&[f32::NAN, -2.0]), 2.0);
    }
}
