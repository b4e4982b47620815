//! Reusable pieces of the views.

pub mod chart;
pub mod chosen_note;
pub mod confusion;
pub mod dataset_gate;
pub mod digit_canvas;
pub mod digit_grid;
pub mod error_view;
pub mod layer_health;
pub mod model_panel;
pub mod network_graph;
pub mod progress;
pub mod run_history;
pub mod theme_toggle;
pub mod time_travel;
pub mod weight_tiles;
