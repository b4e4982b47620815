//! Reusable pieces of the views.

pub mod chart;
pub mod confusion;
pub mod dataset_gate;
pub mod digit_canvas;
pub mod digit_grid;
pub mod error_view;
pub mod layer_health;
pub mod network_graph;
pub mod progress;
