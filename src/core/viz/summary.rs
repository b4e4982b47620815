//! The words and numbers the network pages show about a layer or a neuron for the current
//! sample: titles, the neuron page's values line, the layer page's table rows and the graph's
//! one-line hover summary, the prediction line and the sample caption. Drawn layer numbering as in CONTRACTS.md (0 = input).

use super::layout::square_side;
use crate::core::dataset::{DatasetName, CLASSES};
use crate::core::nn::{argmax, Network, Trace};
use crate::core::url::SampleRef;

/// Words for drawn layer `layer` of a network drawn with `layers` layers (input included):
/// "input", "hidden layer 2", "output".
pub fn layer_name(layer: usize, layers: usize) -> String {
    if layer == 0 {
        "input".to_string()
    } else if layer + 1 == layers {
        "output".to_string()
    } else {
        format!("hidden layer {layer}")
    }
}

/// Row and column of input `index` when the input is a square image of `width` pixels
/// (784 → 28×28); `None` for an input that is not square.
pub fn pixel_position(index: usize, width: usize) -> Option<(usize, usize)> {
    let side = square_side(width)?;
    (index < width).then_some((index / side, index % side))
}

/// One neuron for one sample: what the neuron page and the graph's hover line say.
#[derive(Clone, Debug, PartialEq)]
pub struct NeuronSummary {
    pub layer: usize,
    pub neuron: usize,
    /// Layers drawn (the input included): `network.layers.len() + 1`.
    pub layers: usize,
    /// Activation for the sample (for the input: pixel / 255).
    pub a: f32,
    /// Pre-activation and bias; `None` for the input layer.
    pub z: Option<f32>,
    pub bias: Option<f32>,
    /// Row and column of an input pixel, when the input is a square image.
    pub pixel: Option<(usize, usize)>,
}

impl NeuronSummary {
    /// The values of neuron `neuron` of drawn layer `layer`; `None` if the trace or the
    /// network has no such neuron.
    pub fn of(network: &Network, trace: &Trace, layer: usize, neuron: usize) -> Option<Self> {
        let a = *trace.a.get(layer)?.get(neuron)?;
        let (z, bias, pixel) = if layer == 0 {
            (None, None, pixel_position(neuron, trace.a[0].len()))
        } else {
            let z = *trace.z.get(layer - 1)?.get(neuron)?;
            let bias = *network.layers.get(layer - 1)?.biases.get(neuron)?;
            (Some(z), Some(bias), None)
        };
        Some(NeuronSummary {
            layer,
            neuron,
            layers: network.layers.len() + 1,
            a,
            z,
            bias,
            pixel,
        })
    }

    /// The neuron page's heading: "Layer 1 (hidden layer 1), neuron 7".
    pub fn title(&self) -> String {
        format!(
            "Layer {} ({}), neuron {}",
            self.layer,
            layer_name(self.layer, self.layers),
            self.neuron
        )
    }

    /// The neuron page's values line.
    pub fn values(&self) -> String {
        let a = self.a;
        match (self.z, self.bias) {
            (Some(z), Some(b)) => {
                format!("activation a = {a:.4}, pre-activation z = {z:.4}, bias = {b:.4}")
            }
            _ => format!(
                "{}: activation a = {a:.3} (the pixel / 255). The input layer has no weights.",
                self.input_place()
            ),
        }
    }

    /// The graph's one-line summary (hover and focus).
    pub fn line(&self) -> String {
        let (l, j, a) = (self.layer, self.neuron, self.a);
        match (self.z, self.bias) {
            (Some(z), Some(b)) => format!(
                "Layer {l} ({}), neuron {j}: z = {z:.3}, a = {a:.3}, bias = {b:.3}",
                layer_name(l, self.layers)
            ),
            _ => match self.pixel {
                Some((row, col)) => {
                    format!("Input pixel {j} (row {row}, column {col}): value a = {a:.3}")
                }
                None => format!("Input {j}: value a = {a:.3}"),
            },
        }
    }

    /// "Pixel row 3, column 4", or "Input 17" when the input is not a square image.
    fn input_place(&self) -> String {
        match self.pixel {
            Some((row, col)) => format!("Pixel row {row}, column {col}"),
            None => format!("Input {}", self.neuron),
        }
    }
}

/// The layer page's heading: "Layer 1: hidden layer 1 (256 neurons)".
pub fn layer_title(network: &Network, layer: usize) -> String {
    let layers = network.layers.len() + 1;
    let width = network.sizes().get(layer).copied().unwrap_or(0);
    format!(
        "Layer {layer}: {} ({width} neurons)",
        layer_name(layer, layers)
    )
}

/// One row of the layer page's table, as shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LayerRow {
    pub neuron: usize,
    pub z: String,
    pub a: String,
    pub bias: String,
}

/// The layer page's table for one sample: every neuron of drawn layer `layer` (for the input,
/// only the pixels with ink, a ≠ 0), z / a / bias with three decimals ("–" where the input
/// has none). Empty when the trace has no such layer.
pub fn layer_rows(network: &Network, trace: &Trace, layer: usize) -> Vec<LayerRow> {
    let Some(acts) = trace.a.get(layer) else {
        return Vec::new();
    };
    acts.iter()
        .enumerate()
        .filter(|&(_, &a)| layer > 0 || a != 0.0)
        .map(|(j, &a)| {
            let summary = NeuronSummary::of(network, trace, layer, j);
            let three = |v: Option<f32>| v.map_or("–".to_string(), |v| format!("{v:.3}"));
            LayerRow {
                neuron: j,
                z: three(summary.as_ref().and_then(|s| s.z)),
                a: format!("{a:.3}"),
                bias: three(summary.as_ref().and_then(|s| s.bias)),
            }
        })
        .collect()
}

/// The line above the graph: "Predicted: 7 (99.1 %)" for a network's output; `None` when no
/// output is finite.
/// Classes are named with `dataset`'s class names ("Predicted: Ankle boot (97.0 %)").
pub fn prediction_line(dataset: DatasetName, output: &[f32]) -> Option<String> {
    let class = argmax(output)?;
    Some(format!(
        "Predicted: {} ({:.1} %)",
        output_class(dataset, class),
        output[class] * 100.0
    ))
}

/// The name of output neuron `class`: the dataset's class name, or the number past its classes.
pub fn output_class(dataset: DatasetName, class: usize) -> String {
    match u8::try_from(class) {
        Ok(c) if (c as usize) < CLASSES => dataset.class_name(c).to_string(),
        _ => class.to_string(),
    }
}

/// "MNIST test digit 12 of 10000 (labelled 7)": which sample the graph shows
/// ("Fashion-MNIST test item 0 of 10000 (labelled Ankle boot)").
pub fn sample_caption(sample: &SampleRef, len: usize, label: u8) -> String {
    format!(
        "{} {} {} {} of {len} (labelled {})",
        sample.dataset.title(),
        sample.split.id(),
        sample.dataset.item_noun(),
        sample.index,
        sample.dataset.class_name(label)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prediction_line_names_the_class_and_its_probability() {
        assert_eq!(
            prediction_line(DatasetName::Mnist, &[0.1, 0.7, 0.2]).as_deref(),
            Some("Predicted: 1 (70.0 %)")
        );
        assert_eq!(
            prediction_line(DatasetName::FashionMnist, &[0.1, 0.7, 0.2]).as_deref(),
            Some("Predicted: Trouser (70.0 %)")
        );
        assert_eq!(prediction_line(DatasetName::Mnist, &[]), None);
        assert_eq!(
            prediction_line(DatasetName::Mnist, &[f32::NAN, f32::NAN]),
            None
        );
        assert_eq!(output_class(DatasetName::FashionMnist, 12), "12");
    }

    #[test]
    fn sample_caption_names_set_index_and_label() {
        use crate::core::dataset::{DatasetName, Split};
        let s = SampleRef {
            dataset: DatasetName::Mnist,
            split: Split::Test,
            index: 12,
        };
        assert_eq!(
            sample_caption(&s, 10_000, 7),
            "MNIST test digit 12 of 10000 (labelled 7)"
        );
        let f = SampleRef {
            dataset: DatasetName::FashionMnist,
            ..s
        };
        assert_eq!(
            sample_caption(&f, 10_000, 9),
            "Fashion-MNIST test item 12 of 10000 (labelled Ankle boot)"
        );
    }
    use crate::core::nn::{Activation, Dense};

    /// 4 inputs (a 2×2 image) → 3 hidden (ReLU) → 2 outputs (softmax).
    fn net() -> Network {
        let dense = |inputs, outputs, activation, bias: f32| Dense {
            inputs,
            outputs,
            weights: (0..inputs * outputs)
                .map(|k| k as f32 * 0.1 - 0.3)
                .collect(),
            biases: (0..outputs).map(|j| bias + j as f32).collect(),
            activation,
        };
        Network {
            layers: vec![
                dense(4, 3, Activation::Relu, 0.25),
                dense(3, 2, Activation::Softmax, -0.5),
            ],
        }
    }

    #[test]
    fn layer_names_and_pixel_positions() {
        assert_eq!(layer_name(0, 4), "input");
        assert_eq!(layer_name(2, 4), "hidden layer 2");
        assert_eq!(layer_name(3, 4), "output");
        assert_eq!(pixel_position(0, 784), Some((0, 0)));
        assert_eq!(pixel_position(783, 784), Some((27, 27)));
        assert_eq!(pixel_position(29, 784), Some((1, 1)));
        assert_eq!(pixel_position(5, 9), Some((1, 2)));
        assert_eq!(pixel_position(784, 784), None);
        assert_eq!(pixel_position(3, 10), None, "10 inputs are no square image");
    }

    #[test]
    fn a_hidden_neuron_shows_a_z_and_its_bias() {
        let net = net();
        let t = net.forward_trace(&[1.0, 0.0, 0.5, 0.2]);
        let s = NeuronSummary::of(&net, &t, 1, 2).unwrap();
        assert_eq!((s.a, s.z, s.bias), (t.a[1][2], Some(t.z[0][2]), Some(2.25)));
        assert_eq!(s.title(), "Layer 1 (hidden layer 1), neuron 2");
        let (a, z) = (t.a[1][2], t.z[0][2]);
        assert_eq!(
            s.values(),
            format!("activation a = {a:.4}, pre-activation z = {z:.4}, bias = 2.2500")
        );
        assert_eq!(
            s.line(),
            format!("Layer 1 (hidden layer 1), neuron 2: z = {z:.3}, a = {a:.3}, bias = 2.250")
        );
        let out = NeuronSummary::of(&net, &t, 2, 1).unwrap();
        assert_eq!(out.title(), "Layer 2 (output), neuron 1");
        assert_eq!(out.bias, Some(0.5));
    }

    #[test]
    fn an_input_neuron_is_a_pixel_of_the_square_image() {
        let net = net();
        let t = net.forward_trace(&[1.0, 0.0, 0.5, 0.2]);
        let s = NeuronSummary::of(&net, &t, 0, 2).unwrap();
        assert_eq!((s.z, s.bias, s.pixel), (None, None, Some((1, 0))));
        assert_eq!(
            s.values(),
            "Pixel row 1, column 0: activation a = 0.500 (the pixel / 255). \
             The input layer has no weights."
        );
        assert_eq!(s.line(), "Input pixel 2 (row 1, column 0): value a = 0.500");
        assert_eq!(s.title(), "Layer 0 (input), neuron 2");
    }

    #[test]
    fn an_input_that_is_not_square_has_no_rows_and_columns() {
        let mut net = net();
        net.layers[0].inputs = 3;
        net.layers[0].weights.truncate(9);
        let t = net.forward_trace(&[1.0, 0.0, 0.5]);
        let s = NeuronSummary::of(&net, &t, 0, 2).unwrap();
        assert_eq!(s.pixel, None);
        assert!(s.values().starts_with("Input 2: activation a = 0.500"));
        assert_eq!(s.line(), "Input 2: value a = 0.500");
    }

    #[test]
    fn unknown_neurons_and_layers_give_nothing() {
        let net = net();
        let t = net.forward_trace(&[1.0, 0.0, 0.5, 0.2]);
        assert_eq!(NeuronSummary::of(&net, &t, 1, 3), None);
        assert_eq!(NeuronSummary::of(&net, &t, 3, 0), None);
        assert_eq!(NeuronSummary::of(&net, &t, 0, 4), None);
        assert!(layer_rows(&net, &t, 3).is_empty());
    }

    #[test]
    fn layer_tables_list_every_neuron_or_the_inked_pixels() {
        let net = net();
        let t = net.forward_trace(&[1.0, 0.0, 0.5, 0.0]);
        assert_eq!(layer_title(&net, 1), "Layer 1: hidden layer 1 (3 neurons)");
        assert_eq!(layer_title(&net, 0), "Layer 0: input (4 neurons)");
        let input = layer_rows(&net, &t, 0);
        assert_eq!(input.iter().map(|r| r.neuron).collect::<Vec<_>>(), [0, 2]);
        assert_eq!(
            input[1],
            LayerRow {
                neuron: 2,
                z: "–".into(),
                a: "0.500".into(),
                bias: "–".into()
            }
        );
        let hidden = layer_rows(&net, &t, 1);
        assert_eq!(hidden.len(), 3);
        assert_eq!(hidden[1].bias, "1.250");
        assert_eq!(hidden[1].z, format!("{:.3}", t.z[0][1]));
        assert_eq!(hidden[1].a, format!("{:.3}", t.a[1][1]));
    }
}
