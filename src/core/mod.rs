//! Everything that can be computed without a browser. No web-sys, no Leptos.

pub mod dataset;
pub mod grid;
pub mod idx;
pub mod links;
pub mod nn;
pub mod paging;
pub mod route;
pub mod routes;
pub mod viz;
