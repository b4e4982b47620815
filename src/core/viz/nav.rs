//! Keyboard moves between neurons and the text description of the graph (with the predicted
//! class, [`argmax`]).

use super::summary::output_class;
use crate::core::dataset::DatasetName;
use crate::core::nn::argmax;

/// A keyboard move inside the graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Move {
    /// Previous / next neuron of the same layer (ArrowUp / ArrowDown).
    Up,
    Down,
    /// Previous / next layer, at the same relative height (ArrowLeft / ArrowRight).
    Left,
    Right,
    /// First / last neuron of the layer (Home / End).
    First,
    Last,
}

impl Move {
    /// The move of a `KeyboardEvent.key`, if any.
    pub fn from_key(key: &str) -> Option<Move> {
        Some(match key {
            "ArrowUp" => Move::Up,
            "ArrowDown" => Move::Down,
            "ArrowLeft" => Move::Left,
            "ArrowRight" => Move::Right,
            "Home" => Move::First,
            "End" => Move::Last,
            _ => return None,
        })
    }
}

/// Where the keyboard focus goes from neuron `(layer, neuron)` in a network of drawn widths
/// `sizes`. Moves never leave the graph; across layers the neuron keeps its relative position
/// (`j' = ⌊j · n' / n⌋`). Empty layers are skipped; an empty network returns `(0, 0)`.
pub fn step_focus(sizes: &[usize], (layer, neuron): (usize, usize), mv: Move) -> (usize, usize) {
    let Some(last_layer) = sizes.len().checked_sub(1) else {
        return (0, 0);
    };
    let layer = layer.min(last_layer);
    let width = sizes[layer];
    let neuron = neuron.min(width.saturating_sub(1));
    match mv {
        Move::Up => (layer, neuron.saturating_sub(1)),
        Move::Down => (layer, (neuron + 1).min(width.saturating_sub(1))),
        Move::First => (layer, 0),
        Move::Last => (layer, width.saturating_sub(1)),
        Move::Left | Move::Right => {
            let mut target = layer;
            loop {
                let next = match mv {
                    Move::Left => target.checked_sub(1),
                    _ => (target < last_layer).then_some(target + 1),
                };
                match next {
                    None => return (layer, neuron),
                    Some(t) if sizes[t] == 0 => target = t,
                    Some(t) => return (t, (neuron * sizes[t] / width.max(1)).min(sizes[t] - 1)),
                }
            }
        }
    }
}

/// A text description of the graph for screen readers, e.g.
/// "A network with 4 layers: 784 inputs (a 28×28 image), hidden layers of 256 and 128
/// neurons, and 10 outputs. Test digit 1234 (labelled 7) is predicted as 7 with probability
/// 99.1 %."
/// Labels and predicted classes are named with `dataset`'s class names.
pub fn describe(
    sizes: &[usize],
    dataset: DatasetName,
    sample: &str,
    label: Option<u8>,
    output: &[f32],
) -> String {
    let mut s = architecture(sizes);
    let labelled = label
        .map(|l| format!(" (labelled {})", dataset.class_name(l)))
        .unwrap_or_default();
    match argmax(output) {
        Some(c) => s.push_str(&format!(
            " {sample}{labelled} is predicted as {} with probability {:.1} %.",
            output_class(dataset, c),
            output[c] * 100.0
        )),
        None => s.push_str(&format!(" {sample}{labelled} has no prediction.")),
    }
    s
}

/// "A network with N layers: …" for drawn widths `sizes`.
fn architecture(sizes: &[usize]) -> String {
    let Some((&input, rest)) = sizes.split_first() else {
        return "An empty network.".to_string();
    };
    let side = super::layout::square_side(input);
    let image = side
        .map(|s| format!(" (a {s}×{s} image)"))
        .unwrap_or_default();
    let mut s = format!(
        "A network with {} layers: {input} inputs{image}",
        sizes.len()
    );
    if let Some((&output, hidden)) = rest.split_last() {
        if !hidden.is_empty() {
            let widths: Vec<String> = hidden.iter().map(|n| n.to_string()).collect();
            let list = match widths.split_last() {
                Some((last, [])) => format!("a hidden layer of {last} neurons"),
                Some((last, init)) => {
                    format!("hidden layers of {} and {last} neurons", init.join(", "))
                }
                None => String::new(),
            };
            s.push_str(&format!(", {list}"));
        }
        s.push_str(&format!(", and {output} outputs."));
    } else {
        s.push('.');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIZES: [usize; 4] = [784, 256, 128, 10];

    #[test]
    fn keys_map_to_moves() {
        assert_eq!(Move::from_key("ArrowLeft"), Some(Move::Left));
        assert_eq!(Move::from_key("End"), Some(Move::Last));
        assert_eq!(Move::from_key("a"), None);
    }

    #[test]
    fn up_and_down_stay_in_the_layer() {
        assert_eq!(step_focus(&SIZES, (1, 5), Move::Up), (1, 4));
        assert_eq!(step_focus(&SIZES, (1, 0), Move::Up), (1, 0));
        assert_eq!(step_focus(&SIZES, (3, 9), Move::Down), (3, 9));
        assert_eq!(step_focus(&SIZES, (3, 3), Move::Down), (3, 4));
        assert_eq!(step_focus(&SIZES, (2, 50), Move::First), (2, 0));
        assert_eq!(step_focus(&SIZES, (2, 50), Move::Last), (2, 127));
    }

    #[test]
    fn left_and_right_keep_the_relative_position() {
        assert_eq!(step_focus(&SIZES, (1, 128), Move::Right), (2, 64));
        assert_eq!(step_focus(&SIZES, (2, 127), Move::Right), (3, 9));
        assert_eq!(
            step_focus(&SIZES, (3, 9), Move::Right),
            (3, 9),
            "the output is the last"
        );
        assert_eq!(step_focus(&SIZES, (1, 255), Move::Left), (0, 780));
        assert_eq!(step_focus(&SIZES, (0, 10), Move::Left), (0, 10));
        assert_eq!(step_focus(&SIZES, (3, 5), Move::Left), (2, 64));
    }

    #[test]
    fn out_of_range_positions_and_empty_layers_are_handled() {
        assert_eq!(step_focus(&SIZES, (9, 999), Move::Up), (3, 8));
        assert_eq!(step_focus(&[], (1, 1), Move::Down), (0, 0));
        assert_eq!(step_focus(&[4, 0, 2], (0, 3), Move::Right), (2, 1));
        assert_eq!(step_focus(&[4, 0, 2], (2, 0), Move::Left), (0, 0));
    }

    #[test]
    fn the_description_names_layers_and_prediction() {
        let mut out = vec![0.001; 10];
        out[7] = 0.991;
        let d = describe(&SIZES, DatasetName::Mnist, "Test digit 1234", Some(7), &out);
        assert_eq!(
            d,
            "A network with 4 layers: 784 inputs (a 28×28 image), hidden layers of 256 and 128 \
             neurons, and 10 outputs. Test digit 1234 (labelled 7) is predicted as 7 with \
             probability 99.1 %."
        );
        let d = describe(
            &SIZES,
            DatasetName::FashionMnist,
            "Test item 0",
            Some(9),
            &out,
        );
        assert!(
            d.ends_with("Test item 0 (labelled Ankle boot) is predicted as Sneaker with probability 99.1 %."),
            "{d}"
        );
        let d = describe(
            &[784, 16, 10],
            DatasetName::Mnist,
            "Test digit 3",
            None,
            &out,
        );
        assert!(
            d.contains("a hidden layer of 16 neurons, and 10 outputs."),
            "{d}"
        );
        let d = describe(&[784, 300, 100, 50, 10], DatasetName::Mnist, "x", None, &[]);
        assert!(
            d.contains("hidden layers of 300, 100 and 50 neurons"),
            "{d}"
        );
        assert!(d.ends_with("x has no prediction."), "{d}");
        assert_eq!(
            describe(&[], DatasetName::Mnist, "x", None, &[]),
            "An empty network. x has no prediction."
        );
    }
}
