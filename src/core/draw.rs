//! A digit drawn with the pointer, made into an MNIST-like 28×28 input, step by step.
//!
//! The MNIST digits were made this way (LeCun, Cortes, Burges): each scanned digit was
//! size-normalised to fit a 20×20 box keeping its aspect ratio, with anti-aliasing (grey
//! levels), then placed in a 28×28 field so that its centre of mass is at the field's centre.
//! [`preprocess`] does the same to a drawing, and keeps every step as a [`Grey`] image so the
//! page can show them:
//!
//! 1. [`rasterise`]: the strokes (polylines in canvas pixels, one width for all) as a grey
//!    bitmap the canvas' size, anti-aliased: each pixel's grey is the coverage of the
//!    round-capped thick line, estimated from the distance of the pixel's centre to the line.
//! 2. [`crop`]: the bitmap cut to its ink's bounding box (`None` when there is no ink).
//! 3. [`fit`]: scaled so that its longer side is [`FIT`] pixels and the shorter one in
//!    proportion, by area averaging (a box filter: each new pixel is the mean of the old area
//!    it covers, so grey levels are anti-aliased and the ink, weighted by area, is conserved).
//! 4. [`centre`]: placed in a [`FIELD`]×[`FIELD`] field by an integer shift that puts its centre
//!    of mass as near (14, 14) as a whole-pixel shift can — within 0.5 px on each axis.
//!
//! **Centre-of-mass convention** (the one MNIST follows): pixel (row r, column c) is a mass at
//! (x = c, y = r), its grey level its weight; the target is (x, y) = ([`CENTRE`], [`CENTRE`]) =
//! (14, 14). On the MNIST test set this holds for all 10,000 digits (the centre of mass of each
//! lies within 0.5 px of (14, 14) on both axes; their mean is (14.01, 13.99)). A fitted digit
//! whose centre of mass is so far to one side that the shift would push ink out of the field is
//! shifted only as far as keeps all of it inside (a 20-pixel box in a 28-pixel field).
//!
//! Coordinates that are NaN or infinite are skipped; finite ones of any size are handled (in
//! f64), so no drawing panics.

use crate::core::format::percent;

/// Side of the drawing canvas, in its own pixels (the page's canvas has this size).
pub const CANVAS_SIZE: usize = 280;
/// Stroke width for a digit on a [`CANVAS_SIZE`] canvas: a digit drawn ~200 px tall then has a
/// stroke ~2 px wide once fitted into 20 px, like MNIST's pens.
pub const STROKE_WIDTH: f32 = 20.0;
/// The box the digit is fitted into (its longer side), as in MNIST.
pub const FIT: usize = 20;
/// The side of the network's input image.
pub const FIELD: usize = 28;
/// Where the centre of mass goes, in pixel-index coordinates (see the module's convention).
pub const CENTRE: f64 = 14.0;
/// The largest canvas side [`rasterise`] accepts (larger sizes are cut to it).
pub const MAX_SIDE: usize = 4096;

/// A grey image: `width × height` bytes, row-major, 0 = paper, 255 = full ink.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grey {
    pub width: usize,
    pub height: usize,
    pub pixels: Vec<u8>,
}

impl Grey {
    /// A blank (all paper) image.
    pub fn blank(width: usize, height: usize) -> Grey {
        Grey {
            width,
            height,
            pixels: vec![0; width * height],
        }
    }

    /// The grey of pixel (x, y); 0 outside the image.
    pub fn get(&self, x: usize, y: usize) -> u8 {
        if x < self.width && y < self.height {
            self.pixels.get(y * self.width + x).copied().unwrap_or(0)
        } else {
            0
        }
    }

    /// The sum of all grey levels.
    pub fn ink(&self) -> u64 {
        self.pixels.iter().map(|&p| p as u64).sum()
    }

    /// The bounding box of the ink (pixels > 0): `(x0, y0, x1, y1)`, ends exclusive; None when
    /// the image has no ink.
    pub fn ink_box(&self) -> Option<(usize, usize, usize, usize)> {
        let mut found: Option<(usize, usize, usize, usize)> = None;
        for (y, row) in self.pixels.chunks(self.width.max(1)).enumerate() {
            let Some(first) = row.iter().position(|&p| p > 0) else {
                continue;
            };
            let last = row.iter().rposition(|&p| p > 0).unwrap_or(first);
            found = Some(match found {
                None => (first, y, last + 1, y + 1),
                Some((x0, y0, x1, _)) => (x0.min(first), y0, x1.max(last + 1), y + 1),
            });
        }
        found
    }
}

/// A point in canvas pixels (x to the right, y down, (0, 0) the canvas' top-left corner).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    pub x: f32,
    pub y: f32,
}

/// What was drawn: strokes (each a polyline: the points of one press of the pointer, a single
/// point being a dot) on a `width × height` canvas, all `stroke_width` wide.
#[derive(Clone, Debug, PartialEq)]
pub struct Drawing {
    pub width: usize,
    pub height: usize,
    pub stroke_width: f32,
    pub strokes: Vec<Vec<Point>>,
}

impl Drawing {
    /// An empty drawing on a [`CANVAS_SIZE`] square canvas with the [`STROKE_WIDTH`] pen.
    pub fn new() -> Drawing {
        Drawing {
            width: CANVAS_SIZE,
            height: CANVAS_SIZE,
            stroke_width: STROKE_WIDTH,
            strokes: Vec::new(),
        }
    }

    /// True when no stroke has a point.
    pub fn is_empty(&self) -> bool {
        self.strokes.iter().all(Vec::is_empty)
    }
}

impl Default for Drawing {
    fn default() -> Self {
        Drawing::new()
    }
}

/// Every step of [`preprocess`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Steps {
    /// The strokes, rasterised at the canvas' size.
    pub drawing: Grey,
    /// Cut to the ink's bounding box.
    pub cropped: Grey,
    /// Fitted into [`FIT`]×[`FIT`], aspect kept.
    pub fitted: Grey,
    /// In the [`FIELD`]×[`FIELD`] field, centre of mass at the centre: the network's input.
    pub centred: Grey,
}

/// The drawing made into a 28×28 digit the way MNIST's were, keeping every step; None when
/// nothing is drawn on the canvas (no ink: nothing to predict).
pub fn preprocess(drawing: &Drawing) -> Option<Steps> {
    preprocess_raster(rasterise(drawing))
}

/// Steps 2–4 of [`preprocess`] on a drawing already rasterised (step 1).
pub fn preprocess_raster(raster: Grey) -> Option<Steps> {
    let cropped = crop(&raster)?;
    let fitted = fit(&cropped, FIT);
    let centred = centre(&fitted, FIELD);
    Some(Steps {
        drawing: raster,
        cropped,
        fitted,
        centred,
    })
}

/// Step 1: the strokes as a grey bitmap of the canvas' size (each side cut to [`MAX_SIDE`]).
///
/// A pixel's coverage by a stroke of radius r (half the width) is estimated from the distance d
/// of its centre to the stroke's polyline: `clamp(r + ½ − d, 0, 1)` — 1 inside, 0 outside, a
/// linear ramp one pixel wide across the edge (the exact coverage of a straight edge crossing a
/// pixel at a right angle). Where strokes overlap the darker wins (a pen does not darken its
/// own ink). Grey = round(255 × coverage).
pub fn rasterise(drawing: &Drawing) -> Grey {
    Sketch::new(drawing.clone()).raster()
}

/// A drawing in progress with its coverage kept up to date point by point: a new point costs
/// one segment, not the whole drawing (the page's per-frame update). Its [`Sketch::raster`] is
/// always exactly [`rasterise`] of its [`Sketch::drawing`]: every stroke is its first point's
/// dot then one segment per pair of consecutive finite points, combined by max (which does not
/// depend on the order), whether drawn at once or point by point.
#[derive(Clone, Debug, PartialEq)]
pub struct Sketch {
    drawing: Drawing,
    width: usize,
    height: usize,
    radius: f64,
    coverage: Vec<f32>,
    /// The last finite point of the last stroke, where its next segment starts.
    last: Option<(f64, f64)>,
}

impl Sketch {
    /// A sketch of `drawing` (its strokes rasterised now).
    pub fn new(mut drawing: Drawing) -> Sketch {
        let width = drawing.width.min(MAX_SIDE);
        let height = drawing.height.min(MAX_SIDE);
        let pen = if drawing.stroke_width.is_finite() {
            drawing.stroke_width.clamp(1.0, MAX_SIDE as f32)
        } else {
            STROKE_WIDTH
        };
        let strokes = std::mem::take(&mut drawing.strokes);
        let mut sketch = Sketch {
            drawing,
            width,
            height,
            radius: pen as f64 / 2.0,
            coverage: vec![0f32; width * height],
            last: None,
        };
        for stroke in strokes {
            sketch
                .drawing
                .strokes
                .push(Vec::with_capacity(stroke.len()));
            sketch.last = None;
            for point in stroke {
                sketch.extend_stroke(point);
            }
        }
        sketch
    }

    /// The strokes drawn so far.
    pub fn drawing(&self) -> &Drawing {
        &self.drawing
    }

    /// Starts a new stroke at `point`.
    pub fn start_stroke(&mut self, point: Point) {
        self.drawing.strokes.push(Vec::new());
        self.last = None;
        self.extend_stroke(point);
    }

    /// Adds `point` to the last stroke (starts one when there is none). A point that is NaN or
    /// infinite is kept in the drawing but draws nothing.
    pub fn extend_stroke(&mut self, point: Point) {
        if self.drawing.strokes.is_empty() {
            self.drawing.strokes.push(Vec::new());
            self.last = None;
        }
        if let Some(stroke) = self.drawing.strokes.last_mut() {
            stroke.push(point);
        }
        if !(point.x.is_finite() && point.y.is_finite()) {
            return;
        }
        let p = (point.x as f64, point.y as f64);
        let from = self.last.unwrap_or(p);
        segment(
            &mut self.coverage,
            self.width,
            self.height,
            from,
            p,
            self.radius,
        );
        self.last = Some(p);
    }

    /// Removes the last stroke (and draws the others again); false when there was none.
    pub fn undo(&mut self) -> bool {
        let mut drawing = self.drawing.clone();
        if drawing.strokes.pop().is_none() {
            return false;
        }
        *self = Sketch::new(drawing);
        true
    }

    /// Removes every stroke.
    pub fn clear(&mut self) {
        self.drawing.strokes.clear();
        self.coverage.iter_mut().for_each(|c| *c = 0.0);
        self.last = None;
    }

    /// Step 1: the drawing's grey bitmap (see [`rasterise`]).
    pub fn raster(&self) -> Grey {
        Grey {
            width: self.width,
            height: self.height,
            pixels: self
                .coverage
                .iter()
                .map(|&c| (c * 255.0).round().clamp(0.0, 255.0) as u8)
                .collect(),
        }
    }

    /// Every step of [`preprocess`]; None when there is no ink.
    pub fn steps(&self) -> Option<Steps> {
        preprocess_raster(self.raster())
    }
}

/// Adds the round-capped segment a–b of radius `radius` to `coverage` (`width × height`).
fn segment(
    coverage: &mut [f32],
    width: usize,
    height: usize,
    a: (f64, f64),
    b: (f64, f64),
    radius: f64,
) {
    let reach = radius + 1.0;
    // Far-away ends are first moved onto a frame around the canvas, so that the arithmetic
    // below stays in the canvas' range whatever the coordinates.
    let frame = (-reach, width as f64 + reach, -reach, height as f64 + reach);
    let Some((a, b)) = clip(a, b, frame) else {
        return;
    };
    // The pixels the segment can touch, cut to the canvas (`as` saturates for huge values).
    let span = |lo: f64, hi: f64, side: usize| {
        let from = ((lo - reach).floor().max(0.0) as usize).min(side);
        let to = ((hi + reach).ceil().max(0.0) as usize).min(side);
        (from, to)
    };
    let (x0, x1) = span(a.0.min(b.0), a.0.max(b.0), width);
    let (y0, y1) = span(a.1.min(b.1), a.1.max(b.1), height);
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let length2 = dx * dx + dy * dy;
    for y in y0..y1 {
        let py = y as f64 + 0.5;
        for x in x0..x1 {
            let px = x as f64 + 0.5;
            // Distance from the pixel's centre to the nearest point of the segment.
            let t = if length2 > 0.0 {
                (((px - a.0) * dx + (py - a.1) * dy) / length2).clamp(0.0, 1.0)
            } else {
                0.0
            };
            let (nx, ny) = (a.0 + t * dx - px, a.1 + t * dy - py);
            let distance = (nx * nx + ny * ny).sqrt();
            let c = (radius + 0.5 - distance).clamp(0.0, 1.0) as f32;
            let cell = &mut coverage[y * width + x];
            if c > *cell {
                *cell = c;
            }
        }
    }
}

/// The part of segment a–b inside the rectangle `(x_min, x_max, y_min, y_max)` (Cohen–Sutherland),
/// None when it misses it. An end outside is moved along the segment onto the edge it crosses:
/// the coordinate along that edge is set exactly, the other interpolated.
fn clip(
    mut a: (f64, f64),
    mut b: (f64, f64),
    (x_min, x_max, y_min, y_max): (f64, f64, f64, f64),
) -> Option<((f64, f64), (f64, f64))> {
    let code = |p: (f64, f64)| {
        (p.0 < x_min) as u8
            | ((p.0 > x_max) as u8) << 1
            | ((p.1 < y_min) as u8) << 2
            | ((p.1 > y_max) as u8) << 3
    };
    // Each pass moves one end onto an edge of the rectangle; a few passes always suffice.
    for _ in 0..8 {
        let (ca, cb) = (code(a), code(b));
        if ca | cb == 0 {
            return Some((a, b));
        }
        if ca & cb != 0 {
            return None;
        }
        let (out, other) = if ca != 0 { (a, b) } else { (b, a) };
        let c = code(out);
        let onto_x = |x: f64| {
            (
                x,
                out.1 + (other.1 - out.1) * ((x - out.0) / (other.0 - out.0)),
            )
        };
        let onto_y = |y: f64| {
            (
                out.0 + (other.0 - out.0) * ((y - out.1) / (other.1 - out.1)),
                y,
            )
        };
        let moved = if c & 1 != 0 {
            onto_x(x_min)
        } else if c & 2 != 0 {
            onto_x(x_max)
        } else if c & 4 != 0 {
            onto_y(y_min)
        } else {
            onto_y(y_max)
        };
        if !(moved.0.is_finite() && moved.1.is_finite()) {
            return None;
        }
        if ca != 0 {
            a = moved;
        } else {
            b = moved;
        }
    }
    (code(a) | code(b) == 0).then_some((a, b))
}

/// Step 2: the image cut to its ink's bounding box; None when it has no ink.
pub fn crop(image: &Grey) -> Option<Grey> {
    let (x0, y0, x1, y1) = image.ink_box()?;
    let mut pixels = Vec::with_capacity((x1 - x0) * (y1 - y0));
    for y in y0..y1 {
        pixels.extend_from_slice(&image.pixels[y * image.width + x0..y * image.width + x1]);
    }
    Some(Grey {
        width: x1 - x0,
        height: y1 - y0,
        pixels,
    })
}

/// The size [`fit`] gives an image of `width × height` (both ≥ 1) fitted into `size`: the longer
/// side becomes `size`, the other its proportion of it, rounded, at least 1.
pub fn fitted_size(width: usize, height: usize, size: usize) -> (usize, usize) {
    let (w, h, size) = (width.max(1) as f64, height.max(1) as f64, size.max(1));
    let scale = size as f64 / w.max(h);
    let side = |s: f64| ((s * scale).round() as usize).clamp(1, size);
    (side(w), side(h))
}

/// Step 3: the image scaled to [`fitted_size`] by area averaging (each new pixel is the mean of
/// the part of the old image it covers, weighted by the overlap; up or down). Summed over the
/// image, grey × area is conserved up to the rounding of each new pixel to a whole grey.
pub fn fit(image: &Grey, size: usize) -> Grey {
    let (width, height) = fitted_size(image.width, image.height, size);
    if image.width == 0 || image.height == 0 {
        return Grey::blank(width, height);
    }
    let columns = box_weights(image.width, width);
    let rows = box_weights(image.height, height);
    // Rows first (old height × new width), then columns.
    let mut narrow = vec![0f64; image.height * width];
    for y in 0..image.height {
        let row = &image.pixels[y * image.width..(y + 1) * image.width];
        for (x, weights) in columns.iter().enumerate() {
            narrow[y * width + x] = weights.iter().map(|&(i, w)| w * row[i] as f64).sum();
        }
    }
    let mut pixels = vec![0u8; width * height];
    for (y, weights) in rows.iter().enumerate() {
        for x in 0..width {
            let v: f64 = weights
                .iter()
                .map(|&(i, w)| w * narrow[i * width + x])
                .sum();
            pixels[y * width + x] = v.round().clamp(0.0, 255.0) as u8;
        }
    }
    Grey {
        width,
        height,
        pixels,
    }
}

/// For each of `to` new pixels along an axis of `from` old ones, the old pixels it covers and
/// their weights (overlap / new pixel's length: they sum to 1).
fn box_weights(from: usize, to: usize) -> Vec<Vec<(usize, f64)>> {
    let step = from as f64 / to as f64;
    (0..to)
        .map(|j| {
            let (start, end) = (j as f64 * step, (j + 1) as f64 * step);
            let first = start.floor() as usize;
            let last = (end.ceil() as usize).min(from);
            (first..last)
                .filter_map(|i| {
                    let overlap = (end.min(i as f64 + 1.0) - start.max(i as f64)).max(0.0);
                    (overlap > 0.0).then_some((i, overlap / step))
                })
                .collect()
        })
        .collect()
}

/// The centre of mass (x, y) of the ink, pixel (r, c) weighing its grey at (c, r); None when
/// there is no ink.
pub fn centre_of_mass(image: &Grey) -> Option<(f64, f64)> {
    let (mut mass, mut mx, mut my) = (0f64, 0f64, 0f64);
    for (i, &p) in image.pixels.iter().enumerate() {
        if p > 0 {
            let (x, y) = ((i % image.width) as f64, (i / image.width) as f64);
            mass += p as f64;
            mx += p as f64 * x;
            my += p as f64 * y;
        }
    }
    (mass > 0.0).then(|| (mx / mass, my / mass))
}

/// Step 4: `image` placed in a `field × field` image by the whole-pixel shift that brings its
/// centre of mass nearest to (`field`/2, `field`/2), limited so that an image that fits stays
/// whole inside. An image without ink is placed in the middle.
pub fn centre(image: &Grey, field: usize) -> Grey {
    let target = field as f64 / 2.0;
    let (cx, cy) =
        centre_of_mass(image).unwrap_or((image.width as f64 / 2.0, image.height as f64 / 2.0));
    let offset = |com: f64, side: usize| -> i64 {
        let room = field as i64 - side as i64;
        let (lo, hi) = (room.min(0), room.max(0));
        ((target - com).round() as i64).clamp(lo, hi)
    };
    let (ox, oy) = (offset(cx, image.width), offset(cy, image.height));
    let mut out = Grey::blank(field, field);
    for y in 0..image.height {
        let ty = y as i64 + oy;
        if ty < 0 || ty >= field as i64 {
            continue;
        }
        for x in 0..image.width {
            let tx = x as i64 + ox;
            if tx >= 0 && tx < field as i64 {
                out.pixels[ty as usize * field + tx as usize] = image.pixels[y * image.width + x];
            }
        }
    }
    out
}

/// The prediction line of the drawing page: the class first, then its probability,
/// "7 — 98.2 %"; None when the output names no class.
pub fn prediction_text(probabilities: &[f32]) -> Option<String> {
    let class = crate::core::nn::argmax(probabilities)?;
    Some(format!("{class} — {}", percent(probabilities[class])))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(x: f32, y: f32) -> Point {
        Point { x, y }
    }

    fn drawing(strokes: Vec<Vec<Point>>) -> Drawing {
        Drawing {
            strokes,
            ..Drawing::new()
        }
    }

    /// A "0": an ellipse around (cx, cy), as one closed stroke.
    fn ring(cx: f32, cy: f32) -> Vec<Point> {
        (0..=48)
            .map(|k| {
                let a = k as f32 / 48.0 * std::f32::consts::TAU;
                p(cx + 45.0 * a.cos(), cy + 75.0 * a.sin())
            })
            .collect()
    }

    /// A "7": a top bar then a diagonal down to the left, starting at (x, y).
    fn seven(x: f32, y: f32) -> Vec<Vec<Point>> {
        vec![vec![p(x, y), p(x + 90.0, y), p(x + 40.0, y + 160.0)]]
    }

    fn assert_centred(grey: &Grey) {
        let (cx, cy) = centre_of_mass(grey).expect("ink");
        assert!(
            (cx - CENTRE).abs() <= 0.5 && (cy - CENTRE).abs() <= 0.5,
            "centre of mass ({cx:.3}, {cy:.3}) not within 0.5 px of (14, 14)"
        );
    }

    #[test]
    fn a_thick_line_is_solid_inside_empty_outside_and_grey_at_its_edge() {
        let g = rasterise(&drawing(vec![vec![p(50.0, 100.5), p(200.0, 100.5)]]));
        assert_eq!((g.width, g.height, g.pixels.len()), (280, 280, 280 * 280));
        // Radius 10 around y = 100: the row of centres 100.5 is inside, 130.5 far outside.
        assert_eq!(g.get(120, 100), 255);
        assert_eq!(g.get(120, 91), 255, "1 px inside the edge");
        assert_eq!(g.get(120, 130), 0);
        assert_eq!(g.get(10, 100), 0, "before the start cap");
        // The edge is anti-aliased: pixel centres 10 px from the axis are half covered.
        assert_eq!(
            g.get(120, 110),
            128,
            "distance 10 from the axis: coverage ½"
        );
        assert!(g.pixels.iter().any(|&v| v > 0 && v < 255));
        // Round caps: beyond the end, the pixel on the axis is covered, the corner is not.
        assert_eq!(g.get(205, 100), 255);
        assert_eq!(
            g.get(208, 108),
            0,
            "corner of a square cap, outside the round one"
        );
    }

    #[test]
    fn the_ink_of_a_stroke_is_its_area() {
        // A capsule: 2rL + πr².
        let r = 10.0f64;
        let g = rasterise(&drawing(vec![vec![p(60.0, 70.5), p(210.0, 190.5)]]));
        let len = ((150.0f64).powi(2) + (120.0f64).powi(2)).sqrt();
        let area = 2.0 * r * len + std::f64::consts::PI * r * r;
        let ink = g.ink() as f64 / 255.0;
        assert!(
            (ink - area).abs() / area < 0.01,
            "ink {ink:.1} vs area {area:.1}"
        );
    }

    #[test]
    fn a_shifted_digit_ends_up_the_same_and_centred() {
        let top_left = preprocess(&drawing(vec![ring(60.0, 90.0)])).expect("drawn");
        // Shifted by whole pixels: the same raster, moved, so the same digit.
        let bottom_right = preprocess(&drawing(vec![ring(60.0 + 157.0, 90.0 + 103.0)])).unwrap();
        assert_eq!(top_left.centred, bottom_right.centred);
        assert_eq!(top_left.cropped, bottom_right.cropped);
        assert_centred(&top_left.centred);
        let seven_left = preprocess(&drawing(seven(20.0, 10.0))).unwrap();
        let seven_right = preprocess(&drawing(seven(160.0, 100.0))).unwrap();
        assert_eq!(seven_left.centred, seven_right.centred);
        assert_centred(&seven_left.centred);
        // The 7's top bar pulls its mass up and right of its box: it is not simply boxed in the middle.
        let (x0, y0, x1, y1) = seven_left.centred.ink_box().unwrap();
        assert_eq!(y1 - y0, 20);
        assert!(x1 - x0 < 20);
    }

    #[test]
    fn an_off_centre_line_has_its_centre_of_mass_in_the_middle() {
        for line in [
            vec![p(10.0, 15.0), p(120.0, 15.0)],
            vec![p(270.0, 30.0), p(200.0, 260.0)],
            vec![p(15.0, 265.0), p(60.0, 250.0)],
        ] {
            let steps = preprocess(&drawing(vec![line.clone()])).expect("ink");
            assert_centred(&steps.centred);
        }
    }

    #[test]
    fn aspect_is_kept_a_tall_thin_stroke_stays_tall() {
        // Pixel centres exactly 10 px (the radius) away are half covered: 2·10 + 1 px wide.
        let steps = preprocess(&drawing(vec![vec![p(140.5, 30.5), p(140.5, 250.5)]])).unwrap();
        let (cw, ch) = (steps.cropped.width, steps.cropped.height);
        assert_eq!(
            (cw, ch),
            (21, 241),
            "the stroke's box, its edge pixels included"
        );
        assert_eq!((steps.fitted.width, steps.fitted.height), (2, 20));
        let expected = (cw as f64 * 20.0 / ch as f64).round() as usize;
        assert_eq!(steps.fitted.width, expected.max(1));
        let (x0, y0, x1, y1) = steps.centred.ink_box().unwrap();
        assert_eq!((x1 - x0, y1 - y0), (2, 20));
        assert_centred(&steps.centred);
        // And a wide one stays wide.
        let wide = preprocess(&drawing(vec![vec![p(20.0, 200.0), p(260.0, 230.0)]])).unwrap();
        assert_eq!(wide.fitted.width, 20);
        assert!(wide.fitted.height < 10, "{}", wide.fitted.height);
    }

    #[test]
    fn scaling_conserves_ink_up_to_rounding() {
        for strokes in [
            vec![ring(140.0, 140.0)],
            seven(50.0, 50.0),
            vec![vec![p(140.0, 140.0)]],
            vec![vec![p(100.0, 30.0), p(130.0, 250.0)], vec![p(20.0, 140.0)]],
        ] {
            let steps = preprocess(&drawing(strokes)).unwrap();
            let (c, f) = (&steps.cropped, &steps.fitted);
            let area = (c.width as f64 / f.width as f64) * (c.height as f64 / f.height as f64);
            let before = c.ink() as f64;
            let after = f.ink() as f64 * area;
            let rounding = 0.5 * (f.width * f.height) as f64 * area;
            assert!(
                (after - before).abs() <= rounding + 1e-6,
                "ink {before} → {after} (±{rounding})"
            );
            // Centring moves whole pixels and keeps all of them.
            assert_eq!(steps.centred.ink(), f.ink());
            assert!(f.pixels.iter().any(|&v| v > 200), "solid ink stays dark");
        }
    }

    #[test]
    fn box_weights_sum_to_one_and_fit_is_an_average() {
        for (from, to) in [(242, 20), (22, 2), (7, 20), (20, 20), (1, 3)] {
            for w in box_weights(from, to) {
                let total: f64 = w.iter().map(|&(_, x)| x).sum();
                assert!((total - 1.0).abs() < 1e-9, "{from}→{to}: {total}");
            }
        }
        // A 4×2 image halved: each new pixel is the mean of a 2×2 block... of one row pair.
        let g = Grey {
            width: 4,
            height: 2,
            pixels: vec![255, 255, 0, 100, 255, 255, 0, 0],
        };
        let f = fit(&g, 2);
        assert_eq!((f.width, f.height, f.pixels.clone()), (2, 1, vec![255, 25]));
        // Enlarging keeps the grey levels.
        let f = fit(
            &Grey {
                width: 1,
                height: 1,
                pixels: vec![77],
            },
            20,
        );
        assert_eq!((f.width, f.height), (20, 20));
        assert!(f.pixels.iter().all(|&v| v == 77));
    }

    #[test]
    fn an_empty_drawing_gives_nothing_to_predict() {
        assert_eq!(preprocess(&Drawing::new()), None);
        assert_eq!(preprocess(&drawing(vec![vec![], vec![]])), None);
        assert_eq!(
            preprocess(&drawing(vec![vec![
                p(f32::NAN, 3.0),
                p(f32::INFINITY, 9.0)
            ]])),
            None
        );
        // Entirely off the canvas: no ink.
        assert_eq!(preprocess(&drawing(vec![vec![p(-500.0, -500.0)]])), None);
        assert!(Drawing::new().is_empty());
        assert!(!drawing(vec![vec![p(1.0, 1.0)]]).is_empty());
    }

    #[test]
    fn a_single_dot_is_a_centred_disc() {
        let steps = preprocess(&drawing(vec![vec![p(37.5, 211.5)]])).expect("a dot is ink");
        assert_eq!((steps.cropped.width, steps.cropped.height), (21, 21));
        assert_eq!((steps.fitted.width, steps.fitted.height), (20, 20));
        assert_centred(&steps.centred);
        assert_eq!(steps.centred.get(14, 14), 255);
        assert_eq!(steps.centred.get(0, 0), 0);
    }

    #[test]
    fn huge_or_nan_coordinates_do_not_panic() {
        let wild = [
            p(f32::MAX, f32::MAX),
            p(-f32::MAX, 0.0),
            p(1e30, -1e30),
            p(f32::NAN, 5.0),
            p(f32::NEG_INFINITY, f32::INFINITY),
            p(140.0, 140.0),
        ];
        for k in 0..wild.len() {
            for j in 0..wild.len() {
                let d = drawing(vec![vec![wild[k], wild[j]], vec![wild[j]]]);
                if let Some(s) = preprocess(&d) {
                    assert_eq!(s.centred.pixels.len(), 28 * 28);
                }
            }
        }
        // A line from far away through the canvas draws its visible part.
        let through = preprocess(&drawing(vec![vec![p(-1e30, 140.0), p(1e30, 140.0)]])).unwrap();
        assert_eq!(through.cropped.width, 280);
        // Odd pens and canvas sizes.
        for width in [f32::NAN, -3.0, 0.0, 1e9] {
            let d = Drawing {
                stroke_width: width,
                ..drawing(vec![vec![p(10.0, 10.0), p(30.0, 40.0)]])
            };
            assert!(preprocess(&d).is_some());
        }
        let tiny = Drawing {
            width: 0,
            height: 3,
            ..drawing(vec![vec![p(1.0, 1.0)]])
        };
        assert_eq!(preprocess(&tiny), None);
    }

    #[test]
    fn centring_keeps_an_extreme_digit_whole_in_the_field() {
        // An "L" whose mass sits in one corner of its box: a full shift would push ink out.
        let mut g = Grey::blank(20, 20);
        for i in 0..20 {
            g.pixels[19 * 20 + i] = 255;
            g.pixels[i * 20] = 255;
        }
        g.pixels[19 * 20 + 19] = 255;
        let c = centre(&g, 28);
        assert_eq!(c.ink(), g.ink());
    }

    #[test]
    fn prediction_text_starts_with_the_class() {
        let mut p = [0.001f32; 10];
        p[7] = 0.982;
        assert_eq!(prediction_text(&p).as_deref(), Some("7 — 98.2 %"));
        assert_eq!(prediction_text(&[]), None);
        assert_eq!(percent(0.0), "0.0 %");
        assert_eq!(percent(f32::NAN), "–");
    }

    #[test]
    fn a_sketch_drawn_point_by_point_is_the_drawing_rasterised() {
        let mut sketch = Sketch::new(Drawing::new());
        assert_eq!(sketch.steps(), None);
        for stroke in seven(30.0, 40.0).into_iter().chain([ring(150.0, 150.0)]) {
            sketch.start_stroke(stroke[0]);
            for &point in &stroke[1..] {
                sketch.extend_stroke(point);
            }
        }
        sketch.extend_stroke(p(f32::NAN, 1.0));
        assert_eq!(sketch.drawing().strokes.len(), 2);
        assert_eq!(sketch.raster(), rasterise(sketch.drawing()));
        assert_eq!(sketch.steps(), preprocess(sketch.drawing()));
        assert!(sketch.undo());
        assert_eq!(sketch.drawing().strokes.len(), 1);
        assert_eq!(sketch.steps(), preprocess(&drawing(seven(30.0, 40.0))));
        assert!(sketch.undo());
        assert!(!sketch.undo());
        assert_eq!(sketch.steps(), None);
        sketch.start_stroke(p(10.0, 10.0));
        sketch.clear();
        assert!(sketch.drawing().is_empty());
        assert_eq!(sketch.raster().ink(), 0);
    }

    proptest::proptest! {
        #[test]
        fn a_sketch_matches_rasterise_point_by_point(
            strokes in proptest::collection::vec(
                proptest::collection::vec((-50f32..330.0, -50f32..330.0), 1..8), 0..4),
        ) {
            let strokes: Vec<Vec<Point>> =
                strokes.iter().map(|s| s.iter().map(|&(x, y)| p(x, y)).collect()).collect();
            let mut sketch = Sketch::new(Drawing::new());
            for stroke in &strokes {
                sketch.start_stroke(stroke[0]);
                for &point in &stroke[1..] {
                    sketch.extend_stroke(point);
                }
            }
            proptest::prop_assert_eq!(&sketch.drawing().strokes, &strokes);
            proptest::prop_assert_eq!(sketch.raster(), rasterise(&drawing(strokes.clone())));
            sketch.undo();
            let fewer = strokes[..strokes.len().saturating_sub(1)].to_vec();
            proptest::prop_assert_eq!(sketch.raster(), rasterise(&drawing(fewer)));
        }

        #[test]
        fn any_drawing_gives_a_field_with_the_fitted_ink(
            strokes in proptest::collection::vec(
                proptest::collection::vec((-50f32..330.0, -50f32..330.0), 0..8), 0..4),
            pen in 1f32..40.0,
        ) {
            let d = Drawing {
                stroke_width: pen,
                strokes: strokes.iter().map(|s| s.iter().map(|&(x, y)| p(x, y)).collect()).collect(),
                ..Drawing::new()
            };
            if let Some(s) = preprocess(&d) {
                proptest::prop_assert_eq!(s.centred.pixels.len(), 28 * 28);
                proptest::prop_assert!(s.fitted.width == 20 || s.fitted.height == 20);
                proptest::prop_assert!(s.fitted.width <= 20 && s.fitted.height <= 20);
                proptest::prop_assert_eq!(s.centred.ink(), s.fitted.ink());
                let (c, f) = (&s.cropped, &s.fitted);
                let area = (c.width as f64 / f.width as f64) * (c.height as f64 / f.height as f64);
                let rounding = 0.5 * (f.width * f.height) as f64 * area;
                proptest::prop_assert!((f.ink() as f64 * area - c.ink() as f64).abs() <= rounding + 1e-6);
            } else {
                proptest::prop_assert_eq!(rasterise(&d).ink(), 0);
            }
        }
    }
}
