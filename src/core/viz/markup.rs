//! SVG markup of the graph's neurons and edges, each built as one string.
//!
//! The browser parses a whole column (or every edge path) from one string in one call, instead
//! of one DOM call per element and attribute: 1,178 neurons of the default model cost ~8,000
//! calls through Leptos views.
//!
//! # What may enter this markup
//!
//! The app puts these strings into the DOM as HTML (`inner_html`: [`neurons_markup`] into each
//! column's `g.neurons`, [`edges_markup`] into the edges' `g`), so nothing is escaped, and
//! therefore only the following may enter them:
//! - the fixed tags and attribute names written here (`<circle`, `<rect`, `<path`, `id`,
//!   `data-neuron`, `tabindex`, `aria-label`, `role`, `cx`, `cy`, `r`, `x`, `y`, `width`,
//!   `height`, `fill`, `d`, `stroke`, `stroke-width`, `data-count`) and fixed words
//!   (`transparent`, `pixel`, `layer`, `neuron`, `img`);
//! - integers we format: layer and neuron indices (ids such as `nn-2-17`), edge counts;
//! - numbers we format from f32 (coordinates, sizes, stroke widths: digits, `-`, `.`) and
//!   colours from bytes (`#rrggbb`);
//! - edge path data built by `edges::edge_paths` from such numbers (`M`, `L`, digits, `-`, `.`,
//!   space); [`EdgePath`] cannot be built outside `core::viz`, so its `d` is always that.
//!
//! Never any text from outside: not a model file's note, not a file name, not a URL or query
//! parameter, not a dataset's bytes. Such text goes into the page only as text nodes or
//! attribute values through Leptos (which escapes them). A builder that needs text must take
//! an enum or a number, not a `&str`. The test `hostile_models_and_names_never_reach_the_markup`
//! checks every builder here with a hostile model and file name.

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

/// The neurons of `col`, one focusable element each (`id`, `data-neuron`, `aria-label` and
/// `role="img"`: ARIA allows a name only on an element with a role, and a shape has none).
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
        s.push_str("\" role=\"img\" ");
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
    use crate::core::viz::edges::{edge_paths, strongest_edges, Edge};
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
        assert!(out.contains(r#"aria-label="layer 3 neuron 0" role="img""#));
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
            s.push_str(r#"role="img" "#);
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

    /// A file name (and model note) written to break out of markup.
    const HOSTILE: &str = "<img src=x onerror=alert(1)>\"'&amp;</svg><script>x</script>";

    /// Fragments of [`HOSTILE`] that must never appear in the markup.
    const HOSTILE_PARTS: [&str; 7] = ["<img", "onerror", "alert", "</svg", "<script", "&", "'"];

    /// Whether `value` may be the value of attribute `name` (see the module docs).
    fn value_allowed(name: &str, value: &str) -> bool {
        let integer = |v: &str| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit());
        let number = |v: &str| {
            let v = v.strip_prefix('-').unwrap_or(v);
            let (whole, frac) = v.split_once('.').unwrap_or((v, "0"));
            integer(whole) && integer(frac)
        };
        let colour = |v: &str| {
            v.len() == 7
                && v.starts_with('#')
                && v[1..]
                    .bytes()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        };
        match name {
            "id" => value
                .strip_prefix("nn-")
                .and_then(|v| v.split_once('-'))
                .is_some_and(|(l, j)| integer(l) && integer(j)),
            "data-neuron" | "data-count" => integer(value),
            "tabindex" => value == "-1",
            "role" => value == "img",
            "aria-label" => {
                let words: Vec<&str> = value.split(' ').collect();
                matches!(words.as_slice(), ["pixel", j] if integer(j))
                    || matches!(words.as_slice(), ["layer", l, "neuron", j] if integer(l) && integer(j))
            }
            "cx" | "cy" | "r" | "x" | "y" | "width" | "height" | "stroke-width" => number(value),
            "fill" => value == "transparent" || colour(value),
            "stroke" => colour(value),
            "d" => {
                value.starts_with('M')
                    && value
                        .split(['M', 'L', ' '])
                        .filter(|t| !t.is_empty())
                        .all(number)
            }
            _ => false,
        }
    }

    /// Tokenizes `markup` as a run of self-closing elements and checks every tag name,
    /// attribute name and value against the allow-lists: no text outside tags, no `<`, `>`,
    /// quote or `&` that the builder did not write itself. Returns the number of elements.
    fn check_markup(markup: &str) -> usize {
        for part in HOSTILE_PARTS {
            assert!(!markup.contains(part), "{part:?} in the markup");
        }
        let mut rest = markup;
        let mut elements = 0;
        while !rest.is_empty() {
            assert!(rest.starts_with('<'), "text outside a tag: {:.60}", rest);
            let end = rest.find('>').expect("an unclosed tag");
            let tag = rest[1..end]
                .strip_suffix('/')
                .unwrap_or_else(|| panic!("not self-closing: {:.60}", &rest[..end]));
            rest = &rest[end + 1..];
            let (name, mut attrs) = tag.split_once(' ').unwrap_or((tag, ""));
            assert!(["circle", "rect", "path"].contains(&name), "tag {name:?}");
            loop {
                attrs = attrs.trim_start_matches(' ');
                if attrs.is_empty() {
                    break;
                }
                let (attr, after) = attrs
                    .split_once("=\"")
                    .unwrap_or_else(|| panic!("not name=\"value\": {attrs:.60}"));
                let (value, after) = after.split_once('"').expect("an unclosed value");
                assert!(
                    value_allowed(attr, value),
                    "<{name}> {attr}=\"{value:.60}\" not allowed"
                );
                assert!(after.is_empty() || after.starts_with(' '), "{after:.60}");
                attrs = after;
            }
            elements += 1;
        }
        elements
    }

    #[test]
    fn the_markup_checker_rejects_what_it_should() {
        // The checker itself must be able to fail, or the hostile test below proves nothing.
        let good = r##"<circle id="nn-1-2" data-neuron="2" tabindex="-1" aria-label="layer 1 neuron 2" role="img" cx="1.50" cy="-2.00" r="3.00" fill="#0a0b0c"/><path d="M1.0 2.0L3.5 -4.0" stroke="#ffffff" stroke-width="0.6" data-count="1"/>"##;
        assert_eq!(check_markup(good), 2);
        for bad in [
            r#"<img src="x"/>"#,
            r#"<rect onload="x"/>"#,
            r#"<rect fill="red"/>"#,
            r#"<rect x="NaN"/>"#,
            r#"<rect aria-label="pixel 1 <b>"/>"#,
            r#"<rect x="1"/>text"#,
            r#"<rect x="1">"#,
            r#"<path d="M1 2Z"/>"#,
            r#"<rect id="nn-1-x"/>"#,
            r#"<rect role="button"/>"#,
        ] {
            let caught = std::panic::catch_unwind(|| check_markup(bad)).is_err();
            assert!(caught, "accepted {bad}");
        }
    }

    /// The values a hostile model puts into weights and biases: huge, tiny, subnormal, signed
    /// zeros. (NaN and ±∞ are refused by `from_bytes`; they still arise in the activations,
    /// as overflow: f32::MAX · 2 = ∞, ∞ − ∞ = NaN.)
    const EXTREMES: [f32; 9] = [
        f32::MAX,
        -f32::MAX,
        f32::MIN_POSITIVE,
        -f32::MIN_POSITIVE,
        1e-45,
        -1e-45,
        0.0,
        -0.0,
        1.0,
    ];

    /// A model file built byte by byte from `sizes`, weights and biases cycling through
    /// [`EXTREMES`], and a note holding [`HOSTILE`]; read back with `from_bytes`.
    fn hostile_model(sizes: &[usize], hidden: u8, seed: usize) -> crate::core::nn::Network {
        let mut b = Vec::new();
        b.extend_from_slice(b"MNNF");
        b.extend_from_slice(&1u16.to_le_bytes());
        b.extend_from_slice(&((sizes.len() - 1) as u16).to_le_bytes());
        b.extend_from_slice(&(sizes[0] as u32).to_le_bytes());
        for (l, &out) in sizes[1..].iter().enumerate() {
            b.extend_from_slice(&(out as u32).to_le_bytes());
            // Softmax (3) on the output, `hidden` elsewhere; three reserved zero bytes.
            let code = if l + 2 == sizes.len() { 3 } else { hidden };
            b.extend_from_slice(&[code, 0, 0, 0]);
        }
        let note = format!("trained on {HOSTILE}");
        b.extend_from_slice(&(note.len() as u32).to_le_bytes());
        b.extend_from_slice(note.as_bytes());
        let mut k = seed;
        for w in sizes.windows(2) {
            for _ in 0..w[0] * w[1] + w[1] {
                b.extend_from_slice(&EXTREMES[k % EXTREMES.len()].to_le_bytes());
                k = k.wrapping_mul(31).wrapping_add(7);
            }
        }
        let sum = crate::core::nn::model::fnv1a(&b);
        b.extend_from_slice(&sum.to_le_bytes());
        let (net, read_note) = crate::core::nn::model::read(&b).expect("a valid hostile model");
        assert_eq!(read_note, note, "the note is kept as text");
        assert_eq!(crate::core::nn::model::from_bytes(&b).unwrap(), net);
        net
    }

    #[test]
    fn hostile_models_and_names_never_reach_the_markup() {
        // 784 inputs (the image), the widest layer the layout still draws one element per
        // neuron for, a one-neuron layer, and an input that is not square.
        let models = [
            hostile_model(&[784, 16, 10], 2, 1),
            hostile_model(&[784, 5000, 1, 10], 1, 2),
            hostile_model(&[3, 1, 2], 0, 3),
        ];
        let (mut checked, mut non_finite) = (0, 0);
        for net in &models {
            let sizes = net.sizes();
            let dim = sizes[0];
            let inputs = [
                vec![0.0; dim],
                vec![1.0; dim],
                (0..dim).map(|i| EXTREMES[i % EXTREMES.len()]).collect(),
            ];
            for (x, focus) in inputs.iter().zip([None, Some(1), Some(sizes.len() - 1)]) {
                let trace = net.forward_trace(x);
                non_finite += trace.a.iter().flatten().filter(|v| !v.is_finite()).count();
                let lay = layout(&sizes, FRAME, focus);
                for (l, col) in lay.columns.iter().enumerate() {
                    let fills = layer_fills(&trace.a[l]);
                    assert_eq!(check_markup(&neurons_markup(col, Some(&fills))), sizes[l]);
                    assert_eq!(check_markup(&neurons_markup(col, None)), sizes[l]);
                    let run = css_run(&fills);
                    assert_eq!(run.len(), 7 * sizes[l]);
                    assert!(run
                        .as_bytes()
                        .chunks(7)
                        .all(|c| value_allowed("fill", std::str::from_utf8(c).unwrap())));
                    checked += 1;
                }
                for (l, dense) in net.layers.iter().enumerate() {
                    // All edges (usize::MAX) only where that is a few thousand.
                    let all = if dense.weights.len() <= 20_000 {
                        usize::MAX
                    } else {
                        3000
                    };
                    for limit in [1, 50, all] {
                        let edges =
                            strongest_edges(&dense.weights, dense.inputs, &trace.a[l], limit);
                        let paths = edge_paths(&edges, &lay.columns[l], &lay.columns[l + 1]);
                        assert_eq!(check_markup(&edges_markup(&paths)), paths.len());
                    }
                }
            }
        }
        assert_eq!(checked, 3 * (3 + 4 + 3));
        assert!(non_finite > 0, "the models overflow to ∞ and NaN somewhere");
        // The other pieces that end up in the same markup or in element ids.
        for (l, j) in [(0, 0), (3, 783), (usize::MAX, usize::MAX)] {
            let id = neuron_id(l, j);
            assert!(value_allowed("id", &id), "{id}");
        }
        for v in EXTREMES.into_iter().chain([1e9, -1e9]) {
            assert!(value_allowed("x", &coord(v)), "{}", coord(v));
        }
    }
}
