//! Everything that can be computed without a browser. No web-sys, no Leptos.

pub mod dataset;
pub mod draw;
pub mod format;
pub mod grid;
pub mod idx;
pub mod input_code;
pub mod local;
pub mod nn;
pub mod paging;
pub mod paths;
pub mod training;
pub mod url;
pub mod viz;
