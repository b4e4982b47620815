//! `/`: what is here, links into both datasets and the drawing pad, and the credits for MNIST
//! and Fashion-MNIST.

use leptos::prelude::*;

use crate::app::data::use_dataset;
use crate::app::link;
use crate::core::dataset::{DatasetName, Split};
use crate::core::paths::{grid_path, network_path, stats_path};
use crate::core::url::SampleRef;

#[component]
pub fn Home() -> impl IntoView {
    let mnist = DatasetName::Mnist;
    let fashion = DatasetName::FashionMnist;
    let fashion_sample = SampleRef {
        dataset: fashion,
        ..SampleRef::default()
    };
    // The test set is where most visitors go next: start its download now (into the shared cache).
    use_dataset(mnist, Split::Test);
    view! {
        <section class="page home">
            <h1>"Handwritten digits, and a network that reads them"</h1>
            <p>
                "Browse the 70,000 handwritten digits of MNIST, one page of 100 at a time or one "
                "digit pixel by pixel, see what each class looks like on average, and watch a "
                "small neural network, written from scratch, read them."
            </p>
            <ul class="home-links">
                <li>
                    <a href=link(&grid_path(mnist, Split::Test, 1, None))>"Test set"</a>
                    " — 10,000 digits (loaded first, about 1.6 MB)."
                </li>
                <li>
                    <a href=link(&grid_path(mnist, Split::Train, 1, None))>"Training set"</a>
                    " — 60,000 digits (about 9.7 MB, loaded only when you open it)."
                </li>
                <li>
                    <a href=link(&stats_path(mnist, Split::Test))>"Statistics"</a>
                    " — how many digits of each class, and the mean image of each."
                </li>
                <li>
                    <a href=link("/network")>"Network"</a>
                    " — the layers and neurons of a trained network, for any digit."
                </li>
                <li data-testid="home-fashion">
                    "Fashion-MNIST, 70,000 pictures of clothes in ten classes (T-shirt/top, "
                    "Trouser, … Ankle boot), the same size and format: the "
                    <a href=link(&grid_path(fashion, Split::Test, 1, None))>"test set"</a> ", the "
                    <a href=link(&grid_path(fashion, Split::Train, 1, None))>"training set"</a>
                    ", its " <a href=link(&stats_path(fashion, Split::Test))>"statistics"</a>
                    " and " <a href=link(&network_path(None, None, &fashion_sample))>"its network"</a>
                    "."
                </li>
                <li>
                    <a href=link("/draw") data-testid="home-draw">"Draw a digit"</a>
                    " — draw one yourself and watch the network read it as you draw, with every "
                    "step that makes your drawing look like an MNIST digit."
                </li>
            </ul>
            <p class="hint">
                "Keys: ← and → (or Page Up / Page Down) turn grid pages and step through digits."
            </p>
            <section class="about">
                <h2>"About the data"</h2>
                <p>
                    "The MNIST database of handwritten digits was made by Yann LeCun, Corinna "
                    "Cortes and Christopher J. C. Burges. Yann LeCun and Corinna Cortes make it "
                    "available under the "
                    <a href="https://creativecommons.org/licenses/by-sa/3.0/" rel="external">
                        "Creative Commons Attribution-Share Alike 3.0"
                    </a> " licence. The files are served here unchanged (gzipped IDX)."
                </p>
                <p>
                    "Fashion-MNIST was made by Han Xiao, Kashif Rasul and Roland Vollgraf at "
                    "Zalando Research; Zalando SE makes it available under the "
                    <a href="https://opensource.org/license/mit" rel="external">"MIT licence"</a>
                    " (Copyright 2017 Zalando SE). Its files too are served unchanged."
                </p>
            </section>
        </section>
    }
}
