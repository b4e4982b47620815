//! Fetching, decoding and caching the datasets.
//!
//! One [`DatasetSource`] per dataset/split, created on first use under the App's owner (so it
//! outlives the page that asked for it) and shared by every page through the [`DataCache`]
//! context. Any page gets a split with `use_dataset(DatasetName::Mnist, Split::Test)`:
//! `source.data` is a `LocalResource<Result<Arc<Dataset>, DataError>>` (use it in `<Suspense>`,
//! or wrap the page in [`crate::app::components::dataset_gate::WithDataset`]), `source.progress`
//! says how far the download and decoding are, `source.data.refetch()` retries.
//!
//! The files are gunzipped and decoded piece by piece while they download (no second pass over
//! them afterwards). When index.html's inline script already started downloading a split's files
//! (it does so for the MNIST test set before the wasm has even loaded), those responses are
//! adopted instead of requesting the files again.

use std::fmt;
use std::sync::Arc;

use js_sys::{Reflect, Uint8Array};
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{ReadableStreamDefaultReader, Response};

use super::perf::{now, record_measure, Span};
use crate::core::dataset::{
    data_path, images_file, labels_file, Dataset, DatasetName, LoadError, Split, SplitDecoder,
};

/// Where loading a split stands, for the progress indicator.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Progress {
    /// Requests sent, no answer yet.
    Waiting,
    /// `loaded` bytes of both files received and decoded (each piece is gunzipped and decoded
    /// as it arrives); `total` when the server said how many.
    Downloading { loaded: u64, total: Option<u64> },
    /// Checking the decoded IDX files once both are complete.
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

/// Downloads both files of a split and decodes them while they arrive.
///
/// Measures: `fetch:{dataset}/{split}` from the requests to the last byte of both files read;
/// `decode:{dataset}/{split}` starts when the first piece is decoded and lasts the *sum* of the
/// time spent gunzipping and decoding (the pieces are decoded between the reads, so the wall
/// time of the fetch includes this work).
async fn load_split(
    name: DatasetName,
    split: Split,
    progress: RwSignal<Progress>,
) -> Result<Arc<Dataset>, DataError> {
    progress.set(Progress::Waiting);
    let key = format!("{}/{}", name.id(), split.id());
    let fetch_span = Span::start(&format!("fetch:{key}"));
    let mut clock = WorkClock::default();
    let loaded = download_and_decode(name, split, progress, &mut clock).await;
    let loaded = match loaded {
        Ok(decoder) => {
            fetch_span.end();
            progress.set(Progress::Decoding);
            clock.time(|| decoder.finish()).map_err(DataError::Invalid)
        }
        Err(e) => Err(e),
    };
    if let (true, Some(start)) = (loaded.is_ok(), clock.first_start) {
        record_measure(&format!("decode:{key}"), start, clock.total);
    }
    progress.set(Progress::Finished);
    loaded.map(Arc::new)
}

/// Time spent in decoding work done in slices: when the first slice started and the sum of all.
#[derive(Default)]
struct WorkClock {
    first_start: Option<f64>,
    total: f64,
}

impl WorkClock {
    fn time<T>(&mut self, work: impl FnOnce() -> T) -> T {
        let start = now();
        let out = work();
        self.first_start.get_or_insert(start);
        self.total += now() - start;
        out
    }
}

/// Requests both files of a split at once, then reads the images, then the labels, handing each
/// piece to the decoder as it arrives; progress counts the bytes of both.
async fn download_and_decode(
    name: DatasetName,
    split: Split,
    progress: RwSignal<Progress>,
    clock: &mut WorkClock,
) -> Result<SplitDecoder, DataError> {
    let images = images_file(split);
    let labels = labels_file(split);
    let images_request = Request::start(&data_path(name, &images));
    let labels_request = Request::start(&data_path(name, &labels));
    let images_response = images_request.answer(&images).await?;
    let labels_response = labels_request.answer(&labels).await?;

    let images_len = content_length(&images_response);
    let labels_len = content_length(&labels_response);
    let total = images_len.zip(labels_len).map(|(a, b)| a + b);
    progress.set(Progress::Downloading { loaded: 0, total });
    let mut counter = ProgressCounter::new(progress);
    let mut decoder = SplitDecoder::new(
        split,
        images_len.map(|n| n as usize),
        labels_len.map(|n| n as usize),
    );
    read_body(images_response, &images, |piece| {
        let decoded = clock.time(|| decoder.push_images(piece));
        counter.add(piece.len() as u64);
        decoded
    })
    .await?;
    clock
        .time(|| decoder.end_images())
        .map_err(DataError::Invalid)?;
    read_body(labels_response, &labels, |piece| {
        let decoded = clock.time(|| decoder.push_labels(piece));
        counter.add(piece.len() as u64);
        decoded
    })
    .await?;
    counter.flush();
    Ok(decoder)
}

/// Counts downloaded bytes into the progress signal, at most every [`PROGRESS_EVERY_MS`].
struct ProgressCounter {
    progress: RwSignal<Progress>,
    loaded: u64,
    shown_at: f64,
}

/// How often the progress indicator is updated while bytes stream in.
const PROGRESS_EVERY_MS: f64 = 50.0;

impl ProgressCounter {
    fn new(progress: RwSignal<Progress>) -> ProgressCounter {
        ProgressCounter {
            progress,
            loaded: 0,
            shown_at: now(),
        }
    }

    fn add(&mut self, bytes: u64) {
        self.loaded += bytes;
        let t = now();
        if t - self.shown_at >= PROGRESS_EVERY_MS {
            self.shown_at = t;
            self.flush();
        }
    }

    fn flush(&self) {
        let loaded = self.loaded;
        self.progress.update(|p| {
            if let Progress::Downloading { loaded: shown, .. } = p {
                *shown = loaded;
            }
        });
    }
}

/// Name of the object index.html's inline script fills with the responses it started early:
/// relative path of a data file → Promise<Response>.
const PREFETCH_GLOBAL: &str = "__mnistPrefetch";

/// A GET of a data file in flight: adopted from the page's early prefetch (index.html), or
/// started now.
struct Request {
    path: String,
    pending: Result<JsFuture, JsValue>,
    prefetched: bool,
}

impl Request {
    /// Adopts the prefetch of `path` (relative to the document base URL) if the page started
    /// one — each prefetch is adopted once, so a retry fetches anew — else starts a fetch.
    fn start(path: &str) -> Request {
        match take_prefetched(path) {
            Some(promise) => Request {
                path: path.to_string(),
                pending: Ok(JsFuture::from(promise)),
                prefetched: true,
            },
            None => Request {
                path: path.to_string(),
                pending: fetch(path),
                prefetched: false,
            },
        }
    }

    /// Waits for the server's answer; anything but 2xx is an error naming `file`. A prefetch
    /// that failed (network error) is retried once with a fresh fetch.
    async fn answer(self, file: &str) -> Result<Response, DataError> {
        let unreachable = || DataError::Download {
            file: file.to_string(),
            problem: "the server could not be reached (check your connection, then retry).".into(),
        };
        let mut value = match self.pending {
            Ok(future) => future.await,
            Err(e) => Err(e),
        };
        if value.is_err() && self.prefetched {
            value = match fetch(&self.path) {
                Ok(future) => future.await,
                Err(e) => Err(e),
            };
        }
        let response: Response = value
            .map_err(|_| unreachable())?
            .dyn_into()
            .map_err(|_| unreachable())?;
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
}

/// Starts a GET of `path` (relative to the document base URL).
fn fetch(path: &str) -> Result<JsFuture, JsValue> {
    let window = web_sys::window().ok_or_else(|| JsValue::from_str("no window"))?;
    Ok(JsFuture::from(window.fetch_with_str(path)))
}

/// The page's prefetch of `path`, removed from the page's list so it is adopted only once.
fn take_prefetched(path: &str) -> Option<js_sys::Promise> {
    let window = web_sys::window()?;
    let started = Reflect::get(&window, &JsValue::from_str(PREFETCH_GLOBAL)).ok()?;
    if !started.is_object() {
        return None;
    }
    let key = JsValue::from_str(path);
    let promise = Reflect::get(&started, &key).ok()?;
    let _ = Reflect::delete_property(started.unchecked_ref::<js_sys::Object>(), &key);
    promise.dyn_into().ok()
}

fn content_length(response: &Response) -> Option<u64> {
    let header = response.headers().get("content-length").ok()??;
    header.trim().parse().ok()
}

/// Reads the body chunk by chunk as it streams in, handing each chunk to `take` (which decodes
/// it); stops at the first chunk `take` refuses.
async fn read_body(
    response: Response,
    file: &str,
    mut take: impl FnMut(&[u8]) -> Result<(), LoadError>,
) -> Result<(), DataError> {
    let broken = || DataError::Download {
        file: file.to_string(),
        problem: "the download was interrupted (retry).".into(),
    };
    let Some(body) = response.body() else {
        return Ok(());
    };
    let reader: ReadableStreamDefaultReader = body.get_reader().unchecked_into();
    loop {
        let chunk = JsFuture::from(reader.read()).await.map_err(|_| broken())?;
        let done = Reflect::get(&chunk, &JsValue::from_str("done"))
            .ok()
            .and_then(|d| d.as_bool())
            .unwrap_or(true);
        if done {
            return Ok(());
        }
        let value = Reflect::get(&chunk, &JsValue::from_str("value")).map_err(|_| broken())?;
        let array: Uint8Array = value.dyn_into().map_err(|_| broken())?;
        // Copied out of JS memory straight into fresh space (zeroing a reused buffer first cost
        // more than the copy: a whole prefetched file arrives as one chunk).
        let chunk_bytes = array.to_vec();
        if let Err(e) = take(&chunk_bytes) {
            // The file is bad: no need for the rest of it.
            let _ = reader.cancel();
            return Err(DataError::Invalid(e));
        }
    }
}
