//! Component tests in a real browser (headless Chromium):
//! `CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown --test wasm_components`
//! Each test mounts one component into a fresh <div>, lets effects run, and inspects the DOM.
#![cfg(target_arch = "wasm32")]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use leptos::prelude::*;
use mnist_viz::app::components::digit_canvas::DigitCanvas;
use mnist_viz::app::components::digit_grid::DigitGrid;
use mnist_viz::app::components::error_view::ErrorView;
use mnist_viz::app::components::progress::LoadProgress;
use mnist_viz::app::data::Progress;
use mnist_viz::core::dataset::{Dataset, DatasetName, Split};
use mnist_viz::core::idx::Images;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

/// A fresh container attached to the document.
fn container() -> HtmlElement {
    let document = web_sys::window().unwrap().document().unwrap();
    let div: HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&div).unwrap();
    div
}

/// Lets the browser run pending tasks (Leptos effects run after the render).
async fn settle() {
    for _ in 0..3 {
        let promise = js_sys::Promise::new(&mut |resolve, _| {
            web_sys::window()
                .unwrap()
                .set_timeout_with_callback(resolve.unchecked_ref())
                .unwrap();
        });
        JsFuture::from(promise).await.unwrap();
    }
}

/// RGBA bytes of a canvas as drawn.
fn canvas_rgba(canvas: &HtmlCanvasElement) -> Vec<u8> {
    let context: CanvasRenderingContext2d =
        canvas.get_context("2d").unwrap().unwrap().unchecked_into();
    let (w, h) = (canvas.width() as f64, canvas.height() as f64);
    context.get_image_data(0.0, 0.0, w, h).unwrap().data().0
}

/// `count` 28×28 images: image i has its single ink pixel at position i % 784; label i % 10.
fn synthetic_dataset(count: usize) -> Dataset {
    let mut pixels = vec![0u8; count * 784];
    for i in 0..count {
        pixels[i * 784 + i % 784] = 255;
    }
    let images = Images {
        count,
        rows: 28,
        cols: 28,
        pixels,
    };
    let labels = (0..count).map(|i| (i % 10) as u8).collect();
    Dataset::new(images, labels).unwrap()
}

#[wasm_bindgen_test]
async fn digit_canvas_paints_ink_dark_and_paper_white() {
    let parent = container();
    let mut pixels = vec![0u8; 4 * 3];
    pixels[5] = 255; // row 1, column 1 of a 3 × 4 image
    pixels[11] = 128; // last pixel
    let handle = leptos::mount::mount_to(parent.clone(), move || {
        view! { <DigitCanvas pixels rows=3 cols=4 /> }
    });
    settle().await;
    let canvas: HtmlCanvasElement = parent
        .query_selector("canvas")
        .unwrap()
        .unwrap()
        .unchecked_into();
    assert_eq!((canvas.width(), canvas.height()), (4, 3));
    let rgba = canvas_rgba(&canvas);
    assert_eq!(&rgba[0..4], &[255, 255, 255, 255], "paper is white");
    assert_eq!(
        &rgba[5 * 4..5 * 4 + 4],
        &[0, 0, 0, 255],
        "full ink is black"
    );
    assert_eq!(&rgba[11 * 4..11 * 4 + 4], &[127, 127, 127, 255]);
    drop(handle);
}

#[wasm_bindgen_test]
async fn error_view_is_an_alert_with_a_working_retry_button() {
    let parent = container();
    let retries = Arc::new(AtomicUsize::new(0));
    let counter = retries.clone();
    let handle = leptos::mount::mount_to(parent.clone(), move || {
        let retry = Callback::new(move |_| {
            counter.fetch_add(1, Ordering::SeqCst);
        });
        view! {
            <ErrorView
                title="Could not load the MNIST test set"
                message="t10k-images-idx3-ubyte.gz: the file is not gzip."
                retry=retry
            />
        }
    });
    settle().await;
    let alert = parent
        .query_selector("[role=alert]")
        .unwrap()
        .expect("an alert");
    let text = alert.text_content().unwrap();
    assert!(text.contains("t10k-images-idx3-ubyte.gz"), "{text}");
    let button: HtmlElement = alert
        .query_selector("button")
        .unwrap()
        .expect("a retry button")
        .unchecked_into();
    assert_eq!(button.text_content().unwrap(), "Retry");
    button.click();
    button.click();
    assert_eq!(retries.load(Ordering::SeqCst), 2);
    drop(handle);
}

#[wasm_bindgen_test]
async fn error_view_without_retry_has_no_button() {
    let parent = container();
    let handle = leptos::mount::mount_to(parent.clone(), || {
        view! { <ErrorView title="Nothing here" message="Page 0 does not exist." /> }
    });
    settle().await;
    assert!(parent.query_selector("[role=alert]").unwrap().is_some());
    assert!(parent.query_selector("button").unwrap().is_none());
    drop(handle);
}

#[wasm_bindgen_test]
async fn digit_grid_renders_linked_cells_over_one_painted_sheet() {
    let parent = container();
    let dataset = Arc::new(synthetic_dataset(150));
    let indices: Vec<usize> = (20..120).collect();
    let handle = leptos::mount::mount_to(parent.clone(), move || {
        view! { <DigitGrid dataset name=DatasetName::Mnist split=Split::Test indices /> }
    });
    settle().await;
    let grid = parent
        .query_selector("[data-testid=digit-grid]")
        .unwrap()
        .expect("the grid");
    // The n-th cell (1-based): the cells are the grid's <a> children, after its one <canvas>.
    let cell_at = |n: usize| {
        grid.query_selector(&format!("a[data-testid=digit-cell]:nth-of-type({n})"))
            .unwrap()
    };
    assert!(
        cell_at(100).is_some() && cell_at(101).is_none(),
        "100 cells"
    );
    let sheet: HtmlCanvasElement = grid
        .query_selector("canvas")
        .unwrap()
        .expect("one canvas for the page")
        .unchecked_into();
    assert!(
        grid.query_selector("canvas:nth-of-type(2)")
            .unwrap()
            .is_none(),
        "one canvas"
    );
    assert_eq!((sheet.width(), sheet.height()), (300, 300));
    let rgba = canvas_rgba(&sheet);
    let pixel = |x: usize, y: usize| {
        let i = (y * 300 + x) * 4;
        [rgba[i], rgba[i + 1], rgba[i + 2], rgba[i + 3]]
    };
    for n in 0..100usize {
        let cell = cell_at(n + 1).unwrap();
        let index = 20 + n;
        assert_eq!(cell.get_attribute("data-index").unwrap(), index.to_string());
        assert_eq!(
            cell.get_attribute("data-label").unwrap(),
            (index % 10).to_string()
        );
        assert_eq!(cell.tag_name(), "A");
        let href = cell.get_attribute("href").unwrap();
        assert!(
            href.ends_with(&format!("/data/mnist/test/{index}")),
            "{href}"
        );
        // Tile n of the sheet (10 a row, 30 × 30 with a 1-pixel frame) shows digit `index`,
        // whose only ink pixel is at position index % 784.
        let (tile_x, tile_y) = ((n % 10) * 30 + 1, (n / 10) * 30 + 1);
        let ink = index % 784;
        let paper = (ink + 1) % 784;
        let ink_px = pixel(tile_x + ink % 28, tile_y + ink / 28);
        let paper_px = pixel(tile_x + paper % 28, tile_y + paper / 28);
        assert_eq!(&ink_px[..3], &[0, 0, 0], "cell {index} ink");
        assert_eq!(&paper_px[..3], &[255, 255, 255], "cell {index} paper");
        assert_eq!(
            &pixel(tile_x - 1, tile_y - 1)[..3],
            &[226, 226, 226],
            "frame"
        );
    }
    drop(handle);
}

#[wasm_bindgen_test]
async fn load_progress_shows_bytes_then_decoding() {
    let parent = container();
    let progress = RwSignal::new(Progress::Downloading {
        loaded: 1_000_000,
        total: Some(2_000_000),
    });
    let handle = leptos::mount::mount_to(parent.clone(), move || {
        view! { <LoadProgress progress what="the MNIST test set" /> }
    });
    settle().await;
    let status = parent.query_selector("[role=status]").unwrap().unwrap();
    let text = status.text_content().unwrap();
    assert!(text.contains("1.0 of 2.0 MB"), "{text}");
    let bar = status.query_selector("progress").unwrap().unwrap();
    assert_eq!(bar.get_attribute("max").as_deref(), Some("2000000"));

    progress.set(Progress::Decoding);
    settle().await;
    let text = status.text_content().unwrap();
    assert!(text.contains("Decoding the MNIST test set"), "{text}");
    let bar = status.query_selector("progress").unwrap().unwrap();
    assert!(!bar.has_attribute("value"), "decoding has no known end");
    drop(handle);
}
