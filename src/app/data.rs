//! Fetching, decoding and caching the datasets.
//!
//! One [`DatasetSource`] per dataset/split, created on first use under the App's owner (so it
//! outlives the page that asked for it) and shared by every page through the [`DataCache`]
//! context. Any page gets a split with `use_dataset(DatasetName::Mnist, Split::Test)`:
//! `source.data` is a `LocalResource<Result<Arc<Dataset>, DataError>>` (use it in `<Suspense>`,
//! or wrap the page in [`crate::app::components::dataset_gate::WithDataset`]), `source.progress`
//! says how far the download and decoding are, `source.data.refetch()` retries.

use std::fmt;
use std::sync::Arc;

use js_sys::{Reflect, Uint8Array};
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{ReadableStreamDefaultReader, Response};

use super::perf::Span;
use crate::core::dataset::{
    data_path, images_file, labels_file, Dataset, DatasetName, LoadError, Split,
};

/// Where loading a split stands, for the progress indicator.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Progress {
    /// Requests sent, no answer yet.
    Waiting,
    /// `loaded` bytes of both files received; `total` when the server said how many.
    Downloading { loaded: u64, total: Option<u64> },
    /// Gunzipping and decoding the IDX files.
    Decoding,
    /// Done (or failed).
    Finished,
}

/// Why a split could not be loaded: the sentence to show the user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DataError {
    /// The file could not be downloaded (server down, 404 …).
    Download { file: String, problem: String },
    /// The file arrived but is not a valid IDX file (core's message names the file).
    Invalid(LoadError),
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DataError::Download { file, problem } => {
                write!(f, "Could not download {file}: {problem}")
            }
            DataError::Invalid(e) => write!(f, "The data file {e}"),
        }
    }
}

impl std::error::Error for DataError {}

/// What a page gets for a split: the data (once loaded) and the loading progress.
#[derive(Clone, Copy)]
pub struct DatasetSource {
    pub name: DatasetName,
    pub split: Split,
    pub data: LocalResource<Result<Arc<Dataset>, DataError>>,
    pub progress: RwSignal<Progress>,
}

/// The shared cache: provided once by the App (see [`provide_data_cache`]).
#[derive(Clone, Copy)]
pub struct DataCache {
    owner: StoredValue<Owner>,
    sources: StoredValue<Vec<DatasetSource>, LocalStorage>,
}

/// Provides the cache to everything below the current owner (call it in the App).
pub fn provide_data_cache() {
    let owner = Owner::current().unwrap_or_default();
    provide_context(DataCache {
        owner: StoredValue::new(owner),
        sources: StoredValue::new_local(Vec::new()),
    });
}

/// The split's source from the cache, starting its download the first time it is asked for.
/// Without a cache in context (e.g. a component test) a fresh source owned by the caller.
pub fn use_dataset(name: DatasetName, split: Split) -> DatasetSource {
    let Some(cache) = use_context::<DataCache>() else {
        return new_source(name, split);
    };
    let cached = cache.sources.with_value(|all| {
        all.iter()
            .find(|s| s.name == name && s.split == split)
            .copied()
    });
    if let Some(source) = cached {
        return source;
    }
    let source = cache
        .owner
        .with_value(|owner| owner.with(|| new_source(name, split)));
    cache.sources.update_value(|all| all.push(source));
    source
}

fn new_source(name: DatasetName, split: Split) -> DatasetSource {
    let progress = RwSignal::new(Progress::Waiting);
    let data = LocalResource::new(move || load_split(name, split, progress));
    DatasetSource {
        name,
        split,
        data,
        progress,
    }
}

/// Downloads both files of a split (measure `fetch:{dataset}/{split}`), then gunzips and decodes
/// them (measure `decode:{dataset}/{split}`).
async fn load_split(
    name: DatasetName,
    split: Split,
    progress: RwSignal<Progress>,
) -> Result<Arc<Dataset>, DataError> {
    progress.set(Progress::Waiting);
    let key = format!("{}/{}", name.id(), split.id());
    let fetch_span = Span::start(&format!("fetch:{key}"));
    let files = download_pair(name, split, progress).await;
    fetch_span.end();
    let (images_gz, labels_gz) = files.inspect_err(|_| progress.set(Progress::Finished))?;

    progress.set(Progress::Decoding);
    let_the_browser_paint().await;
    let decode_span = Span::start(&format!("decode:{key}"));
    let decoded = Dataset::from_gz(&images_gz, &labels_gz, split);
    decode_span.end();
    progress.set(Progress::Finished);
    decoded.map(Arc::new).map_err(DataError::Invalid)
}

/// Both files of a split, requested at once; progress counts the bytes of both.
async fn download_pair(
    name: DatasetName,
    split: Split,
    progress: RwSignal<Progress>,
) -> Result<(Vec<u8>, Vec<u8>), DataError> {
    let images = images_file(split);
    let labels = labels_file(split);
    let images_request = request(&data_path(name, &images));
    let labels_request = request(&data_path(name, &labels));
    let images_response = answer(images_request, &images).await?;
    let labels_response = answer(labels_request, &labels).await?;

    let total = content_length(&images_response)
        .zip(content_length(&labels_response))
        .map(|(a, b)| a + b);
    progress.set(Progress::Downloading { loaded: 0, total });
    let count = move |n: u64| {
        progress.update(|p| {
            if let Progress::Downloading { loaded, .. } = p {
                *loaded += n;
            }
        })
    };
    let images_bytes = read_body(images_response, &images, count).await?;
    let labels_bytes = read_body(labels_response, &labels, count).await?;
    Ok((images_bytes, labels_bytes))
}

/// Starts a GET of `path` (relative to the document base URL).
fn request(path: &str) -> Result<JsFuture, JsValue> {
    let window = web_sys::window().ok_or_else(|| JsValue::from_str("no window"))?;
    Ok(JsFuture::from(window.fetch_with_str(path)))
}

/// Waits for the server's answer to a request; anything but 2xx is an error naming `file`.
async fn answer(request: Result<JsFuture, JsValue>, file: &str) -> Result<Response, DataError> {
    let unreachable = || DataError::Download {
        file: file.to_string(),
        problem: "the server could not be reached (check your connection, then retry).".into(),
    };
    let value = request
        .map_err(|_| unreachable())?
        .await
        .map_err(|_| unreachable())?;
    let response: Response = value.dyn_into().map_err(|_| unreachable())?;
    if !response.ok() {
        let status = match response.status_text() {
            text if text.is_empty() => response.status().to_string(),
            text => format!("{} {text}", response.status()),
        };
        return Err(DataError::Download {
            file: file.to_string(),
            problem: format!("the server answered {status}."),
        });
    }
    Ok(response)
}

fn content_length(response: &Response) -> Option<u64> {
    let header = response.headers().get("content-length").ok()??;
    header.trim().parse().ok()
}

/// The whole body, chunk by chunk as it streams in, calling `count(bytes)` after each chunk.
async fn read_body(
    response: Response,
    file: &str,
    count: impl Fn(u64),
) -> Result<Vec<u8>, DataError> {
    let broken = || DataError::Download {
        file: file.to_string(),
        problem: "the download was interrupted (retry).".into(),
    };
    let Some(body) = response.body() else {
        return Ok(Vec::new());
    };
    let reader: ReadableStreamDefaultReader = body.get_reader().unchecked_into();
    let mut bytes = Vec::with_capacity(content_length(&response).unwrap_or(0) as usize);
    loop {
        let chunk = JsFuture::from(reader.read()).await.map_err(|_| broken())?;
        let done = Reflect::get(&chunk, &JsValue::from_str("done"))
            .ok()
            .and_then(|d| d.as_bool())
            .unwrap_or(true);
        if done {
            break;
        }
        let value = Reflect::get(&chunk, &JsValue::from_str("value")).map_err(|_| broken())?;
        let array: Uint8Array = value.dyn_into().map_err(|_| broken())?;
        let start = bytes.len();
        bytes.resize(start + array.length() as usize, 0);
        array.copy_to(&mut bytes[start..]);
        count(array.length() as u64);
    }
    Ok(bytes)
}

/// Resolves after the next frame has been painted, so "Decoding…" shows before the main thread
/// is busy decoding.
async fn let_the_browser_paint() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let resolve_later = wasm_bindgen::closure::Closure::once_into_js(move || {
            if let Some(w) = web_sys::window() {
                let _ = w.set_timeout_with_callback(resolve.unchecked_ref());
            }
        });
        let _ = window.request_animation_frame(resolve_later.unchecked_ref());
    });
    let _ = JsFuture::from(promise).await;
}
