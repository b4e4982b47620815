//! Geometry and visual choices of the network graph, as plain tested Rust.
//!
//! The view (`app::pages::network`) only maps what is computed here into SVG elements:
//! - [`layout`]: where every column and neuron goes (image grid, circles, or compact cells);
//! - [`edges`]: which connections are drawn for a sample (the strongest `|w·a|`) and as which paths;
//! - [`scale`]: colours for activations, signs and weights, and stroke widths;
//! - [`rank`]: the test digits that activate a neuron most;
//! - [`nav`]: keyboard moves between neurons, and the text description for screen readers;
//! - [`summary`]: the words and numbers shown about a layer or a neuron (titles, values, tables);
//! - [`tiles`]: the first layer's weights as a sheet of 28×28 images (the training page's heatmaps).
//!
//! Drawn layer numbering follows CONTRACTS.md: layer 0 is the input, layer `l ≥ 1` is the
//! output of `Network::layers[l - 1]`.

pub mod edges;
pub mod layout;
pub mod markup;
pub mod nav;
pub mod rank;
pub mod scale;
pub mod summary;
pub mod tiles;

pub use edges::{edge_paths, strongest_edges, Edge, EdgePath};
pub use layout::{layout, Column, Frame, Layout, NeuronPos, Shape};
pub use nav::{describe, step_focus, Move};
pub use rank::{rank_batch, top_k, RankBatches, TopActivations};
pub use scale::{activation_fill, activation_scale, heat_fill, sign_colour, stroke_width, Rgb};
pub use summary::{
    layer_name, layer_rows, layer_title, output_class, prediction_line, sample_caption, LayerRow,
    NeuronSummary,
};
