//! Where each drawn layer and neuron goes in the SVG (user units, y grows downwards).
//!
//! Rules:
//! - the input layer, when its width is a perfect square (784 = 28×28), is drawn as an image:
//!   one square [`Shape::Pixel`] per input, row-major, in a square box at the left;
//! - any other layer is a column; it is drawn as circles when they fit with a pitch of at least
//!   [`MIN_CIRCLE_PITCH`], otherwise compactly as a column-major grid of small square cells
//!   (pitch ≥ [`MIN_CELL_PITCH`]) so that 512 neurons never overlap;
//! - the output column keeps [`LABEL_SPACE`] free on its right for class labels;
//! - a focused layer gets larger neurons.

/// Outer margin on every side.
pub const MARGIN: f32 = 20.0;
/// Room right of the output column for "7  99.1 %" labels.
pub const LABEL_SPACE: f32 = 90.0;
/// Largest side of the input image box.
pub const MAX_IMAGE_SIDE: f32 = 280.0;
/// Largest circle radius (unfocused / focused layer).
pub const MAX_RADIUS: f32 = 10.0;
pub const MAX_RADIUS_FOCUSED: f32 = 16.0;
/// Below this vertical pitch a layer is drawn compactly as cells, not circles.
pub const MIN_CIRCLE_PITCH: f32 = 9.0;
/// Smallest pitch of compact cells (unfocused / focused layer).
pub const MIN_CELL_PITCH: f32 = 7.0;
pub const MIN_CELL_PITCH_FOCUSED: f32 = 11.0;

/// The drawing area, in SVG user units (the view uses it as the viewBox).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Frame {
    pub width: f32,
    pub height: f32,
}

/// How the neurons of a column are drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// A square pixel of the input image; `size` is its side.
    Pixel,
    /// A circle; `size` is its radius.
    Circle,
    /// A small square cell of a compact layer; `size` is its side.
    Cell,
}

/// One neuron: its centre and its size (radius for circles, side for squares).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NeuronPos {
    pub x: f32,
    pub y: f32,
    pub size: f32,
}

impl NeuronPos {
    /// Half the extent of the neuron's bounding box.
    pub fn half_extent(&self, shape: Shape) -> f32 {
        match shape {
            Shape::Circle => self.size,
            Shape::Pixel | Shape::Cell => self.size / 2.0,
        }
    }
}

/// One drawn layer.
#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    /// Drawn layer number (0 = input).
    pub layer: usize,
    /// Horizontal centre of the column (of the image box for the input).
    pub x: f32,
    pub shape: Shape,
    /// Grid columns (28 for the image, ≥ 1 for compact cells, 1 for circles).
    pub grid_cols: usize,
    /// Grid rows (28 for the image, rows of cells, or the neuron count for circles).
    pub grid_rows: usize,
    /// Distance between neighbouring neuron centres.
    pub pitch: f32,
    /// One position per neuron, index = neuron number.
    pub neurons: Vec<NeuronPos>,
}

impl Column {
    /// The bounding box (x0, y0, x1, y1) of all neurons of the column.
    pub fn bounds(&self) -> Option<(f32, f32, f32, f32)> {
        let first = self.neurons.first()?;
        let h = first.half_extent(self.shape);
        let init = (first.x - h, first.y - h, first.x + h, first.y + h);
        Some(self.neurons.iter().fold(init, |(x0, y0, x1, y1), n| {
            let h = n.half_extent(self.shape);
            (
                x0.min(n.x - h),
                y0.min(n.y - h),
                x1.max(n.x + h),
                y1.max(n.y + h),
            )
        }))
    }
}

/// The whole graph: one column per drawn layer.
#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    pub frame: Frame,
    pub columns: Vec<Column>,
}

/// Lays out a network of drawn layer widths `sizes` (e.g. `[784, 256, 128, 10]`) in `frame`,
/// with `focus` the drawn layer to enlarge, if any.
pub fn layout(sizes: &[usize], frame: Frame, focus: Option<usize>) -> Layout {
    let inner_h = (frame.height - 2.0 * MARGIN).max(1.0);
    let top = MARGIN;
    let image_side = sizes.first().and_then(|&n| square_side(n));
    let first_x_end = match image_side {
        Some(_) => MARGIN + image_box_side(frame, inner_h),
        None => MARGIN,
    };
    let xs = column_xs(sizes.len(), first_x_end, frame);
    let columns = sizes
        .iter()
        .enumerate()
        .map(|(l, &n)| {
            let focused = focus == Some(l);
            match (l, image_side) {
                (0, Some(side)) => {
                    image_column(side, MARGIN, top, image_box_side(frame, inner_h), inner_h)
                }
                _ => neuron_column(l, n, xs[l], top, inner_h, focused),
            }
        })
        .collect();
    Layout { frame, columns }
}

/// The side of a square image with `n` pixels, if `n` is a perfect square (> 0).
pub fn square_side(n: usize) -> Option<usize> {
    let side = (n as f64).sqrt().round() as usize;
    (n > 0 && side * side == n).then_some(side)
}

/// Side of the input image box: a share of the width, never taller than the drawing.
fn image_box_side(frame: Frame, inner_h: f32) -> f32 {
    (frame.width * 0.25).min(inner_h).clamp(1.0, MAX_IMAGE_SIDE)
}

/// Centre x of every column: the input column starts at the margin (or is the image box); the
/// others are spread evenly between the end of the first and the label space at the right.
fn column_xs(count: usize, first_x_end: f32, frame: Frame) -> Vec<f32> {
    let right = (frame.width - MARGIN - LABEL_SPACE).max(first_x_end + 1.0);
    let image_drawn = first_x_end > MARGIN;
    (0..count)
        .map(|l| {
            if l == 0 {
                if image_drawn {
                    (MARGIN + first_x_end) / 2.0
                } else {
                    MARGIN + MAX_RADIUS
                }
            } else {
                let start = if image_drawn {
                    first_x_end
                } else {
                    MARGIN + MAX_RADIUS
                };
                let step = (right - start) / (count - 1) as f32;
                start + step * l as f32
            }
        })
        .collect()
}

/// The input image: `side × side` square pixels in a box of side `box_side` starting at `left`,
/// centred vertically in `[top, top + inner_h]`; pixel k is at row `k / side`, column `k % side`.
fn image_column(side: usize, left: f32, top: f32, box_side: f32, inner_h: f32) -> Column {
    let pitch = box_side / side as f32;
    let y0 = top + (inner_h - box_side) / 2.0;
    let neurons = (0..side * side)
        .map(|k| NeuronPos {
            x: left + pitch * ((k % side) as f32 + 0.5),
            y: y0 + pitch * ((k / side) as f32 + 0.5),
            size: pitch,
        })
        .collect();
    Column {
        layer: 0,
        x: left + box_side / 2.0,
        shape: Shape::Pixel,
        grid_cols: side,
        grid_rows: side,
        pitch,
        neurons,
    }
}

/// A column of `n` neurons centred at `x`: circles if they fit, else compact cells.
fn neuron_column(layer: usize, n: usize, x: f32, top: f32, inner_h: f32, focused: bool) -> Column {
    let fit_pitch = inner_h / n.max(1) as f32;
    if fit_pitch >= MIN_CIRCLE_PITCH {
        circle_column(layer, n, x, top, inner_h, focused)
    } else {
        cell_column(layer, n, x, top, inner_h, focused)
    }
}

/// Circles one above the other, centred vertically; radius 40 % of the pitch, capped.
fn circle_column(layer: usize, n: usize, x: f32, top: f32, inner_h: f32, focused: bool) -> Column {
    let max_r = if focused {
        MAX_RADIUS_FOCUSED
    } else {
        MAX_RADIUS
    };
    let pitch = (inner_h / n.max(1) as f32).min(max_r * 2.6);
    let radius = (pitch * 0.4).min(max_r);
    let y0 = top + (inner_h - pitch * n as f32) / 2.0;
    let neurons = (0..n)
        .map(|j| NeuronPos {
            x,
            y: y0 + pitch * (j as f32 + 0.5),
            size: radius,
        })
        .collect();
    Column {
        layer,
        x,
        shape: Shape::Circle,
        grid_cols: 1,
        grid_rows: n,
        pitch,
        neurons,
    }
}

/// Compact layer: a column-major grid of square cells, as many rows as fit at the minimum
/// pitch, then as few grid columns as hold all `n`; neuron j is at row `j % rows`, column `j / rows`.
fn cell_column(layer: usize, n: usize, x: f32, top: f32, inner_h: f32, focused: bool) -> Column {
    let min_pitch = if focused {
        MIN_CELL_PITCH_FOCUSED
    } else {
        MIN_CELL_PITCH
    };
    let (cols, rows) = cell_grid(n, inner_h, min_pitch);
    let pitch = inner_h / rows as f32;
    let pitch = pitch.min(min_pitch * 1.5);
    let x0 = x - pitch * cols as f32 / 2.0;
    let y0 = top + (inner_h - pitch * rows as f32) / 2.0;
    let neurons = (0..n)
        .map(|j| NeuronPos {
            x: x0 + pitch * ((j / rows) as f32 + 0.5),
            y: y0 + pitch * ((j % rows) as f32 + 0.5),
            size: pitch * 0.8,
        })
        .collect();
    Column {
        layer,
        x,
        shape: Shape::Cell,
        grid_cols: cols,
        grid_rows: rows,
        pitch,
        neurons,
    }
}

/// (grid columns, rows) for `n` cells in height `inner_h` at pitch ≥ `min_pitch`:
/// rows ≤ inner_h / min_pitch, cols = ⌈n / max_rows⌉, rows = ⌈n / cols⌉.
pub fn cell_grid(n: usize, inner_h: f32, min_pitch: f32) -> (usize, usize) {
    let max_rows = ((inner_h / min_pitch).floor() as usize).max(1);
    let cols = n.div_ceil(max_rows).max(1);
    let rows = n.div_ceil(cols).max(1);
    (cols, rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FRAME: Frame = Frame {
        width: 1200.0,
        height: 640.0,
    };

    fn inside(frame: Frame, col: &Column) -> bool {
        match col.bounds() {
            None => true,
            Some((x0, y0, x1, y1)) => {
                x0 >= 0.0 && y0 >= 0.0 && x1 <= frame.width && y1 <= frame.height
            }
        }
    }

    /// True when no two neurons of the column overlap (boxes for squares, discs for circles).
    fn no_overlap(col: &Column) -> bool {
        let ns = &col.neurons;
        (0..ns.len()).all(|i| {
            (i + 1..ns.len()).all(|k| {
                let (a, b) = (ns[i], ns[k]);
                match col.shape {
                    Shape::Circle => {
                        ((a.x - b.x).powi(2) + (a.y - b.y).powi(2)).sqrt() >= a.size + b.size
                    }
                    Shape::Pixel | Shape::Cell => {
                        (a.x - b.x).abs() >= (a.size + b.size) / 2.0 - 1e-3
                            || (a.y - b.y).abs() >= (a.size + b.size) / 2.0 - 1e-3
                    }
                }
            })
        })
    }

    #[test]
    fn one_column_per_layer_left_to_right() {
        let l = layout(&[784, 256, 128, 10], FRAME, None);
        assert_eq!(l.columns.len(), 4);
        let xs: Vec<f32> = l.columns.iter().map(|c| c.x).collect();
        assert!(xs.windows(2).all(|w| w[0] < w[1]), "{xs:?}");
        for (i, c) in l.columns.iter().enumerate() {
            assert_eq!(c.layer, i);
        }
        assert_eq!(
            l.columns
                .iter()
                .map(|c| c.neurons.len())
                .collect::<Vec<_>>(),
            [784, 256, 128, 10]
        );
    }

    #[test]
    fn the_output_column_leaves_room_for_labels() {
        let l = layout(&[784, 64, 10], FRAME, None);
        let (_, _, x1, _) = l.columns[2].bounds().unwrap();
        assert!(
            x1 <= FRAME.width - MARGIN - LABEL_SPACE + MAX_RADIUS + 1e-3,
            "{x1}"
        );
    }

    #[test]
    fn the_input_is_a_row_major_28_by_28_image() {
        let l = layout(&[784, 16, 10], FRAME, None);
        let img = &l.columns[0];
        assert_eq!(img.shape, Shape::Pixel);
        assert_eq!((img.grid_cols, img.grid_rows), (28, 28));
        let p = |k: usize| img.neurons[k];
        // 1 is right of 0 on the same row; 28 is below 0 in the same column.
        assert!(p(1).x > p(0).x && p(1).y == p(0).y);
        assert!(p(28).y > p(0).y && (p(28).x - p(0).x).abs() < 1e-4);
        assert!((p(27).x - p(0).x - 27.0 * img.pitch).abs() < 1e-3);
        assert!((p(783).y - p(0).y - 27.0 * img.pitch).abs() < 1e-3);
        assert!(no_overlap(img));
        // The image is square.
        let (x0, y0, x1, y1) = img.bounds().unwrap();
        assert!(((x1 - x0) - (y1 - y0)).abs() < 1e-3);
    }

    #[test]
    fn a_non_square_input_is_drawn_as_a_column() {
        let l = layout(&[50, 10], FRAME, None);
        assert_ne!(l.columns[0].shape, Shape::Pixel);
        assert!(l.columns[0].x < l.columns[1].x);
        assert!(inside(FRAME, &l.columns[0]));
    }

    #[test]
    fn narrow_layers_are_circles_wide_layers_are_compact_cells() {
        let l = layout(&[784, 512, 64, 10], FRAME, None);
        assert_eq!(l.columns[1].shape, Shape::Cell);
        assert_eq!(l.columns[2].shape, Shape::Circle);
        assert_eq!(l.columns[3].shape, Shape::Circle);
        let wide = &l.columns[1];
        assert!(wide.grid_cols > 1 && wide.grid_cols * wide.grid_rows >= 512);
        assert!(wide.pitch >= MIN_CELL_PITCH - 1e-4);
        // Column-major: neuron 1 is below neuron 0; neuron `rows` starts the next grid column.
        assert!(wide.neurons[1].y > wide.neurons[0].y);
        assert!(wide.neurons[wide.grid_rows].x > wide.neurons[0].x);
        assert_eq!(wide.neurons[wide.grid_rows].y, wide.neurons[0].y);
    }

    #[test]
    fn the_compact_rule_switches_exactly_at_the_minimum_circle_pitch() {
        let inner = FRAME.height - 2.0 * MARGIN;
        let fits = (inner / MIN_CIRCLE_PITCH).floor() as usize;
        let l = layout(&[784, fits, fits + 1, 10], FRAME, None);
        assert_eq!(l.columns[1].shape, Shape::Circle);
        assert_eq!(l.columns[2].shape, Shape::Cell);
    }

    #[test]
    fn cell_grid_holds_every_neuron_within_the_height() {
        for n in [1, 10, 67, 100, 255, 256, 511, 512, 1000] {
            for h in [100.0f32, 333.0, 600.0] {
                let (cols, rows) = cell_grid(n, h, 7.0);
                assert!(cols * rows >= n, "{n} {h}");
                assert!(rows as f32 * 7.0 <= h, "{n} {h}: {rows}");
                // No wasted grid column.
                assert!((cols - 1) * rows < n, "{n} {h}");
            }
        }
    }

    #[test]
    fn every_supported_architecture_fits_without_overlap() {
        let archs: [&[usize]; 6] = [
            &[784, 10, 10, 10],
            &[784, 16, 16, 10],
            &[784, 256, 128, 10],
            &[784, 512, 512, 512, 512, 512, 10],
            &[784, 300, 100, 50, 30, 10],
            &[784, 128, 10],
        ];
        for frame in [
            FRAME,
            Frame {
                width: 900.0,
                height: 480.0,
            },
        ] {
            for sizes in archs {
                let l = layout(sizes, frame, None);
                for c in &l.columns {
                    assert!(inside(frame, c), "{sizes:?} layer {}", c.layer);
                    assert!(no_overlap(c), "{sizes:?} layer {}", c.layer);
                }
                // Columns do not overlap each other either.
                for w in l.columns.windows(2) {
                    let (_, _, a1, _) = w[0].bounds().unwrap();
                    let (b0, _, _, _) = w[1].bounds().unwrap();
                    assert!(a1 < b0, "{sizes:?}: {a1} ≥ {b0}");
                }
            }
        }
    }

    #[test]
    fn a_focused_layer_gets_larger_neurons() {
        let plain = layout(&[784, 32, 10], FRAME, None);
        let focused = layout(&[784, 32, 10], FRAME, Some(2));
        assert!(focused.columns[2].neurons[0].size > plain.columns[2].neurons[0].size);
        assert_eq!(focused.columns[1], plain.columns[1]);
        let wide_plain = layout(&[784, 512, 10], FRAME, None);
        let wide_focus = layout(&[784, 512, 10], FRAME, Some(1));
        assert!(wide_focus.columns[1].pitch > wide_plain.columns[1].pitch);
        assert!(no_overlap(&wide_focus.columns[1]));
    }

    #[test]
    fn degenerate_inputs_do_not_panic() {
        assert!(layout(&[], FRAME, None).columns.is_empty());
        let l = layout(&[784], FRAME, Some(0));
        assert_eq!(l.columns[0].neurons.len(), 784);
        let l = layout(
            &[784, 0, 10],
            Frame {
                width: 10.0,
                height: 10.0,
            },
            Some(9),
        );
        assert_eq!(l.columns[1].neurons.len(), 0);
        assert!(l.columns[1].bounds().is_none());
    }
}
