//! The first layer's weights as a sheet of images: unit `j`'s 784 incoming weights drawn as a
//! 28×28 tile (white at 0, blue for positive, red for negative, each tile scaled to its own
//! largest `|w|`, see [`super::scale::heat_fill`]), tiles in rows of [`Tiles::columns`] with a
//! transparent gap between them. One RGBA buffer: the view paints it with one `putImageData`.

use super::scale::{heat_fill, heat_scale};
use crate::core::nn::Network;

/// Transparent pixels between two tiles.
pub const GAP: usize = 2;

/// Where the tiles go: `units` tiles of `side × side` in `columns` columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tiles {
    pub units: usize,
    pub side: usize,
    pub columns: usize,
    pub rows: usize,
}

impl Tiles {
    /// A sheet for the first layer of `network`, `None` unless its inputs form a square image.
    /// At most `max_units` tiles (the first units), in at most `max_columns` columns.
    pub fn first_layer(network: &Network, max_units: usize, max_columns: usize) -> Option<Tiles> {
        let layer = network.layers.first()?;
        let side = (layer.inputs as f64).sqrt().round() as usize;
        if side * side != layer.inputs || side == 0 {
            return None;
        }
        let units = layer.outputs.min(max_units);
        if units == 0 || max_columns == 0 {
            return None;
        }
        let columns = units.min(max_columns);
        Some(Tiles {
            units,
            side,
            columns,
            rows: units.div_ceil(columns),
        })
    }

    /// Width and height in pixels.
    pub fn size(&self) -> (usize, usize) {
        let extent = |n: usize| n * self.side + n.saturating_sub(1) * GAP;
        (extent(self.columns), extent(self.rows))
    }

    /// The top-left pixel of unit `j`'s tile.
    pub fn origin(&self, j: usize) -> (usize, usize) {
        let step = self.side + GAP;
        ((j % self.columns) * step, (j / self.columns) * step)
    }

    /// The unit whose tile holds pixel `(x, y)`; `None` in a gap or outside.
    pub fn unit_at(&self, x: f64, y: f64) -> Option<usize> {
        if !(x >= 0.0 && y >= 0.0) {
            return None;
        }
        let step = (self.side + GAP) as f64;
        let (cx, cy) = ((x / step) as usize, (y / step) as usize);
        let inside = |v: f64, c: usize| v - c as f64 * step < self.side as f64;
        let j = cy * self.columns + cx;
        (cx < self.columns && inside(x, cx) && inside(y, cy) && j < self.units).then_some(j)
    }
}

/// The sheet's pixels, `height × width × 4` RGBA, row-major; gaps are transparent.
pub fn rgba(network: &Network, tiles: &Tiles) -> Vec<u8> {
    let (width, height) = tiles.size();
    let mut out = vec![0u8; width * height * 4];
    let Some(layer) = network.layers.first() else {
        return out;
    };
    let n = tiles.side * tiles.side;
    for j in 0..tiles.units.min(layer.outputs) {
        let row = &layer.weights[j * layer.inputs..j * layer.inputs + n];
        let scale = heat_scale(row);
        let (x0, y0) = tiles.origin(j);
        for (k, &w) in row.iter().enumerate() {
            let (x, y) = (x0 + k % tiles.side, y0 + k / tiles.side);
            let c = heat_fill(w, scale);
            let at = (y * width + x) * 4;
            out[at..at + 4].copy_from_slice(&[c.0, c.1, c.2, 255]);
        }
    }
    out
}

/// The smallest and largest finite weight into unit `j` of the first layer.
pub fn weight_range(network: &Network, j: usize) -> Option<(f32, f32)> {
    let layer = network.layers.first()?;
    let row = layer
        .weights
        .get(j * layer.inputs..(j + 1) * layer.inputs)?;
    row.iter()
        .filter(|w| w.is_finite())
        .fold(None, |acc: Option<(f32, f32)>, &w| match acc {
            None => Some((w, w)),
            Some((lo, hi)) => Some((lo.min(w), hi.max(w))),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::nn::Activation;
    use crate::core::viz::scale::{NEGATIVE, POSITIVE, WHITE};

    fn network(inputs: usize, units: usize) -> Network {
        Network::init(
            &[inputs, units, 10],
            Activation::Relu,
            Activation::Softmax,
            3,
        )
        .unwrap()
    }

    #[test]
    fn sheet_wraps_units_into_rows_and_sizes_with_gaps() {
        let s = Tiles::first_layer(&network(784, 100), 256, 16).unwrap();
        assert_eq!((s.units, s.side, s.columns, s.rows), (100, 28, 16, 7));
        assert_eq!(s.size(), (16 * 28 + 15 * GAP, 7 * 28 + 6 * GAP));
        assert_eq!(s.origin(17), (28 + GAP, 28 + GAP));
        let few = Tiles::first_layer(&network(784, 3), 256, 16).unwrap();
        assert_eq!((few.columns, few.rows), (3, 1));
        let capped = Tiles::first_layer(&network(784, 300), 64, 16).unwrap();
        assert_eq!((capped.units, capped.rows), (64, 4));
    }

    #[test]
    fn no_sheet_for_non_square_inputs_or_nothing_to_draw() {
        assert_eq!(Tiles::first_layer(&network(20, 5), 10, 4), None);
        assert_eq!(Tiles::first_layer(&network(784, 5), 0, 4), None);
        assert_eq!(Tiles::first_layer(&network(784, 5), 5, 0), None);
    }

    #[test]
    fn unit_at_finds_tiles_and_not_gaps() {
        let s = Tiles::first_layer(&network(784, 20), 20, 8).unwrap();
        assert_eq!(s.unit_at(0.0, 0.0), Some(0));
        assert_eq!(s.unit_at(27.9, 27.9), Some(0));
        assert_eq!(s.unit_at(28.5, 3.0), None, "in the gap");
        assert_eq!(s.unit_at(30.0 + 1.0, 0.0), Some(1));
        assert_eq!(s.unit_at(0.0, 31.0), Some(8));
        // Row 2 has units 16..20 only.
        assert_eq!(s.unit_at(4.0 * 30.0, 2.0 * 30.0), None);
        assert_eq!(s.unit_at(-1.0, 0.0), None);
        assert_eq!(s.unit_at(f64::NAN, 0.0), None);
        assert_eq!(s.unit_at(1e9, 0.0), None);
    }

    #[test]
    fn pixels_follow_each_units_weights() {
        let mut n = network(784, 2);
        let layer = &mut n.layers[0];
        layer.weights.iter_mut().for_each(|w| *w = 0.0);
        layer.weights[0] = 2.0; // unit 0, pixel (0, 0): its largest → full blue
        layer.weights[1] = -1.0; // unit 0, pixel (1, 0): half red
        layer.weights[784 + 28] = -0.5; // unit 1, pixel (0, 1): its largest → full red
        let s = Tiles::first_layer(&n, 10, 10).unwrap();
        let (w, h) = s.size();
        let px = rgba(&n, &s);
        assert_eq!(px.len(), w * h * 4);
        let at = |x: usize, y: usize| {
            let i = (y * w + x) * 4;
            [px[i], px[i + 1], px[i + 2], px[i + 3]]
        };
        assert_eq!(at(0, 0), [POSITIVE.0, POSITIVE.1, POSITIVE.2, 255]);
        let half = WHITE.mix(NEGATIVE, 0.5);
        assert_eq!(at(1, 0), [half.0, half.1, half.2, 255]);
        assert_eq!(at(5, 5), [255, 255, 255, 255], "zero weight: white");
        assert_eq!(at(28, 0), [0, 0, 0, 0], "gap: transparent");
        let (x1, _) = s.origin(1);
        assert_eq!(at(x1, 1), [NEGATIVE.0, NEGATIVE.1, NEGATIVE.2, 255]);
        assert_eq!(weight_range(&n, 0), Some((-1.0, 2.0)));
        assert_eq!(weight_range(&n, 1), Some((-0.5, 0.0)));
        assert_eq!(weight_range(&n, 2), None);
    }
}
