//! SVG markup of the graph's neurons and edges, each built as one string.
//!
//! The browser parses a whole column (or every edge path) from one string in one call, instead
//! of one DOM call per element and attribute: 1,178 neurons of the default model cost ~8,000
//! calls through Leptos views. Only numbers and fixed words go into the markup (nothing to escape).

use std::fmt::Write;

use super::edges::{push_fixed, push_uint, EdgePath};
use super::layout::{Column, Shape};
use super::scale::{activation_fill, activation_scale, Rgb, NEGATIVE, POSITIVE};

/// The element id of neuron `j` of drawn layer `l`.
pub fn neuron_id(l: usize, j: usize) -> String {
    format!("nn-{l}-{j}")
}

/// Appends `#rrggbb` to `out`.
fn push_css(out: &mut String, c: Rgb) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('#');
    for v in [c.0, c.1, c.2] {
        out.push(HEX[(v >> 4) as usize] as char);
        out.push(HEX[(v & 15) as usize] as char);
    }
}

/// The fill of every neuron of one drawn layer for its activations `a` (scaled to the layer's
/// largest |a|, at least 1).
pub fn layer_fills(a: &[f32]) -> Vec<Rgb> {
    let scale = activation_scale(a);
    a.iter().map(|&v| activation_fill(v, scale)).collect()
}

/// The neurons of `col`, one focusable element each (`id`, `data-neuron`, `aria-label`).
/// `fills`: one colour per neuron; a neuron without one is drawn `transparent` (still a hover
/// and focus target, e.g. over the input image painted on a canvas).
///
/// Written with `push_str` and integer digits, not `write!`: the formatting machinery was most
/// of the cost of the ~170 KB of markup of the default model, in code that runs once per graph
/// (so in the browser's baseline wasm tier).
pub fn neurons_markup(col: &Column, fills: Option<&[Rgb]>) -> String {
    let l = col.layer;
    let mut s = String::with_capacity(col.neurons.len() * 140);
    let tag = match col.shape {
        Shape::Circle => "<circle",
        Shape::Pixel | Shape::Cell => "<rect",
    };
    // `id="nn-{l}-` and the aria-label's start are the same for every neuron of the column.
    let mut id_prefix = String::from(r#" id="nn-"#);
    push_uint(&mut id_prefix, l);
    id_prefix.push('-');
    let label_prefix = if l == 0 {
        String::from(r#"aria-label="pixel "#)
    } else {
        let mut p = String::from(r#"aria-label="layer "#);
        push_uint(&mut p, l);
        p.push_str(" neuron ");
        p
    };
    for (j, p) in col.neurons.iter().enumerate() {
        s.push_str(tag);
        s.push_str(&id_prefix);
        push_uint(&mut s, j);
        s.push_str(r#"" data-neuron=""#);
        push_uint(&mut s, j);
        s.push_str(r#"" tabindex="-1" "#);
        s.push_str(&label_prefix);
        push_uint(&mut s, j);
        s.push_str("\" ");
        match col.shape {
            Shape::Circle => push_attrs(&mut s, &[("cx", p.x), ("cy", p.y), ("r", p.size)]),
            Shape::Pixel | Shape::Cell => {
                let h = p.size / 2.0;
                push_attrs(
                    &mut s,
                    &[
                        ("x", p.x - h),
                        ("y", p.y - h),
                        ("width", p.size),
                        ("height", p.size),
                    ],
                );
            }
        }
        s.push_str(r#"fill=""#);
        match fills.and_then(|f| f.get(j)) {
            Some(&c) => push_css(&mut s, c),
            None => s.push_str("transparent"),
        }
        s.push_str("\"/>");
    }
    s
}

/// Decimals of the graph's coordinates and sizes (user units; 0.01 is far below a screen pixel).
pub const COORD_PLACES: u32 = 2;

/// Appends `name="value" ` for each pair, values with [`COORD_PLACES`] decimals.
fn push_attrs(out: &mut String, attrs: &[(&str, f32)]) {
    for &(name, value) in attrs {
        out.push_str(name);
        out.push_str("=\"");
        push_fixed(out, value, COORD_PLACES);
        out.push_str("\" ");
    }
}

/// `v` as written in the graph's markup (with [`COORD_PLACES`] decimals).
pub fn coord(v: f32) -> String {
    let mut s = String::with_capacity(12);
    push_fixed(&mut s, v, COORD_PLACES);
    s
}

/// The edge paths as `<path>` elements (colour by sign, width by level, `data-count` edges each).
pub fn edges_markup(paths: &[EdgePath]) -> String {
    let len: usize = paths.iter().map(|p| p.d.len() + 80).sum();
    let mut s = String::with_capacity(len);
    for p in paths {
        s.push_str(r#"<path d=""#);
        s.push_str(&p.d);
        s.push_str(r#"" stroke=""#);
        push_css(&mut s, if p.positive { POSITIVE } else { NEGATIVE });
        let _ = write!(
            s,
            r#"" stroke-width="{}" data-count="{}"/>"#,
            p.stroke_width, p.count
        );
    }
    s
}

/// Every colour as `#rrggbb`, run together (7 characters per colour, colour j at 7j).
pub fn css_run(fills: &[Rgb]) -> String {
    let mut s = String::with_capacity(fills.len() * 7);
    for &c in fills {
        push_css(&mut s, c);
    }
    s
}

/// RGBA bytes (4 per colour, in order) of `fills`, e.g. the 28×28 input image for `putImageData`.
pub fn rgba_of(fills: &[Rgb]) -> Vec<u8> {
    let mut out = Vec::with_capacity(fills.len() * 4);
    for c in fills {
        out.extend_from_slice(&[c.0, c.1, c.2, 255]);
    }
    out
}

/// Whether `col` is a full `grid_cols × grid_rows` image of square pixels (drawn as one image).
pub fn is_image(col: &Column) -> bool {
    col.shape == Shape::Pixel && col.grid_cols * col.grid_rows == col.neurons.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::viz::edges::{edge_paths, Edge};
    use crate::core::viz::layout::{layout, Frame};
    use crate::core::viz::scale::{INK, WHITE};

    const FRAME: Frame = Frame {
        width: 1000.0,
        height: 560.0,
    };

    #[test]
    fn every_neuron_gets_one_element_with_its_hooks() {
        let l = layout(&[784, 256, 128, 10], FRAME, None);
        let fills = layer_fills(&[0.0; 10]);
        let out = neurons_markup(&l.columns[3], Some(&fills));
        assert_eq!(out.matches("<circle ").count(), 10);
        assert_eq!(out.matches("/>").count(), 10);
        assert!(out.contains(r#"id="nn-3-9" data-neuron="9""#), "{out}");
        assert!(out.contains(r#"aria-label="layer 3 neuron 0""#));
        assert_eq!(out.matches(r##"fill="#ffffff""##).count(), 10);
        let p = l.columns[3].neurons[4];
        assert!(out.contains(&format!(
            r##"cx="{:.2}" cy="{:.2}" r="{:.2}" fill="#"##,
            p.x, p.y, p.size
        )));
    }

    /// `neurons_markup` as first written, with `write!` (the reference for the faster one).
    fn neurons_markup_reference(col: &Column, fills: Option<&[Rgb]>) -> String {
        let l = col.layer;
        let mut s = String::new();
        for (j, p) in col.neurons.iter().enumerate() {
            let tag = match col.shape {
                Shape::Circle => "circle",
                Shape::Pixel | Shape::Cell => "rect",
            };
            let _ = write!(
                s,
                r#"<{tag} id="nn-{l}-{j}" data-neuron="{j}" tabindex="-1" "#
            );
            if l == 0 {
                let _ = write!(s, r#"aria-label="pixel {j}" "#);
            } else {
                let _ = write!(s, r#"aria-label="layer {l} neuron {j}" "#);
            }
            let h = p.size / 2.0;
            match col.shape {
                Shape::Circle => {
                    let _ = write!(s, r#"cx="{:.2}" cy="{:.2}" r="{:.2}" "#, p.x, p.y, p.size);
                }
                Shape::Pixel | Shape::Cell => {
                    let _ = write!(
                        s,
                        r#"x="{:.2}" y="{:.2}" width="{:.2}" height="{:.2}" "#,
                        p.x - h,
                        p.y - h,
                        p.size,
                        p.size
                    );
                }
            }
            match fills.and_then(|f| f.get(j)) {
                Some(c) => {
                    let _ = write!(s, r##"fill="#{:02x}{:02x}{:02x}"/>"##, c.0, c.1, c.2);
                }
                None => s.push_str(r#"fill="transparent"/>"#),
            }
        }
        s
    }

    #[test]
    fn neuron_markup_is_what_write_formatting_gives() {
        for (sizes, focus) in [
            (vec![784, 256, 128, 10], None),
            (vec![784, 256, 128, 10], Some(2)),
            (vec![784, 16, 16, 10], Some(0)),
            (vec![30, 12, 3], Some(1)),
            (vec![1, 1], None),
        ] {
            let l = layout(&sizes, FRAME, focus);
            for col in &l.columns {
                let a: Vec<f32> = (0..col.neurons.len())
                    .map(|j| ((j * 37 % 101) as f32 - 20.0) / 40.0)
                    .collect();
                let fills = layer_fills(&a);
                for f in [None, Some(&fills[..]), Some(&fills[..fills.len() / 2])] {
                    assert_eq!(
                        neurons_markup(col, f),
                        neurons_markup_reference(col, f),
                        "sizes {sizes:?}, focus {focus:?}, layer {}",
                        col.layer
                    );
                }
            }
        }
    }

    #[test]
    fn input_pixels_without_fills_are_transparent_rects() {
        let l = layout(&[784, 16, 10], FRAME, None);
        let col = &l.columns[0];
        assert!(is_image(col));
        let out = neurons_markup(col, None);
        assert_eq!(out.matches("<rect ").count(), 784);
        assert_eq!(out.matches(r#"fill="transparent""#).count(), 784);
        assert!(
            out.contains(r#"id="nn-0-783" data-neuron="783" tabindex="-1" aria-label="pixel 783""#)
        );
        let p = col.neurons[29];
        let h = p.size / 2.0;
        assert!(out.contains(&format!(r#"x="{:.2}" y="{:.2}""#, p.x - h, p.y - h)));
    }

    #[test]
    fn a_column_that_is_not_a_square_image_is_not_drawn_as_one() {
        let l = layout(&[30, 10], FRAME, None);
        assert!(!is_image(&l.columns[0]));
        assert!(!is_image(&l.columns[1]));
        assert_eq!(
            neurons_markup(&l.columns[0], None)
                .matches("data-neuron")
                .count(),
            30
        );
    }

    #[test]
    fn fills_scale_to_the_layer_and_become_rgba_bytes() {
        let f = layer_fills(&[0.0, 2.0, 1.0]);
        assert_eq!(f[0], WHITE);
        assert_eq!(f[1], INK);
        assert_eq!(f[2], WHITE.mix(INK, 0.5));
        let rgba = rgba_of(&f);
        assert_eq!(rgba.len(), 12);
        assert_eq!(&rgba[..4], &[255, 255, 255, 255]);
        assert_eq!(&rgba[4..8], &[INK.0, INK.1, INK.2, 255]);
        assert!(rgba_of(&[]).is_empty());
        let run = css_run(&f);
        assert_eq!(run.len(), 21);
        assert_eq!(&run[7..14], INK.css());
        assert_eq!(&run[..7], "#ffffff");
        assert!(layer_fills(&[]).is_empty());
    }

    #[test]
    fn edges_become_one_path_element_per_group() {
        let l = layout(&[4, 3], FRAME, None);
        let edges = [
            Edge {
                from: 0,
                to: 0,
                weight: 2.0,
                contribution: 2.0,
            },
            Edge {
                from: 1,
                to: 2,
                weight: -2.0,
                contribution: -2.0,
            },
            Edge {
                from: 2,
                to: 1,
                weight: 0.1,
                contribution: 0.1,
            },
        ];
        let paths = edge_paths(&edges, &l.columns[0], &l.columns[1]);
        let out = edges_markup(&paths);
        assert_eq!(out.matches("<path ").count(), paths.len());
        for p in &paths {
            assert!(out.contains(&format!(r#"d="{}""#, p.d)));
        }
        assert!(out.contains(&format!(r#"stroke="{}""#, NEGATIVE.css())));
        assert!(out.contains(&format!(r#"stroke="{}""#, POSITIVE.css())));
        let total: usize = out
            .split("data-count=\"")
            .skip(1)
            .map(|s| s.split('"').next().unwrap().parse::<usize>().unwrap())
            .sum();
        assert_eq!(total, 3);
        assert_eq!(edges_markup(&[]), "");
    }
}
