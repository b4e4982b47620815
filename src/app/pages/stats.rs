//! `/data/{dataset}/{split}/stats`: how many digits of each class, and each class's mean image.

use std::sync::Arc;

use leptos::prelude::*;

use super::grid::dataset_route;
use crate::app::components::digit_canvas::DigitCanvas;
use crate::app::link;
use crate::core::dataset::{class_stats, mean_image_u8, Dataset, DatasetName, Split};
use crate::core::format::thousands;
use crate::core::paths::{grid_path, stats_path};

#[component]
pub fn StatsPage() -> impl IntoView {
    dataset_route(|dataset, name, split| view! { <StatsView dataset name split /> })
}

#[component]
fn StatsView(dataset: Arc<Dataset>, name: DatasetName, split: Split) -> impl IntoView {
    let stats = class_stats(&dataset);
    let rows = dataset.images.rows;
    let cols = dataset.images.cols;
    let classes = stats
        .counts
        .iter()
        .zip(&stats.means)
        .enumerate()
        .map(|(class, (&count, mean))| {
            let class = class as u8;
            let class_name = name.class_name(class);
            view! {
                <li class="class-card" data-testid="class-stats" data-label=class data-count=count>
                    <a href=link(&grid_path(name, split, 1, Some(class)))>
                        <DigitCanvas
                            pixels=mean_image_u8(mean)
                            rows
                            cols
                            class="digit-canvas mean"
                            label=format!("Mean image of the {}s labelled {class_name}", name.item_noun())
                        />
                        <span class="class-name">{class_name}</span>
                    </a>
                    <span class="class-count">{format!("{} {}s", thousands(count), name.item_noun())}</span>
                </li>
            }
        })
        .collect_view();
    let other = match split {
        Split::Test => Split::Train,
        Split::Train => Split::Test,
    };
    view! {
        <section class="page stats-page">
            <header class="page-header">
                <h1>{format!("{} {}: classes", name.title(), split.noun())}</h1>
                <a class="side-link" href=link(&stats_path(name, other))>
                    {format!("Statistics of the {}", other.noun())}
                </a>
            </header>
            <p>
                {format!(
                    "{} {}s. Each picture is the mean of all the {}s of its class; click it to see them.",
                    thousands(dataset.len()),
                    name.item_noun(),
                    name.item_noun()
                )}
            </p>
            <ul class="class-list">{classes}</ul>
        </section>
    }
}
