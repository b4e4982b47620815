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

use leptos::prelude::*;

use super::api::{self, Abort, DownloadError, PiecesError, Problem};
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
    Download(DownloadError),
    /// The file arrived but is not a valid IDX file (core's message names the file).
    Invalid(LoadError),
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DataError::Download(e) => e.fmt(f),
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
    /// How many live views use this split; when the last one goes while the download is
    /// still running, the download is stopped (see [`use_dataset`]).
    users: StoredValue<usize, LocalStorage>,
    /// Stops the current download.
    abort: StoredValue<Abort, LocalStorage>,
}

impl DatasetSource {
    /// Whether the files are still downloading or being decoded.
    fn loading(&self) -> bool {
        self.progress.get_untracked() != Progress::Finished
    }

    /// A view starts using the split: a download stopped earlier (everyone had left) starts
    /// again.
    fn enter(self) {
        self.users.update_value(|n| *n += 1);
        let stopped = self
            .data
            .with_untracked(|d| matches!(d, Some(Err(e)) if e.is_aborted()));
        if stopped {
            self.data.refetch();
        }
    }

    /// A view stops using the split. When nobody uses it a moment later (a page being
    /// replaced by another that wants the same split enters in between) and it is still
    /// loading, the download is stopped.
    fn leave(self) {
        self.users.update_value(|n| *n = n.saturating_sub(1));
        leptos::task::spawn_local(async move {
            api::next_task().await;
            let idle = self.users.try_get_value() == Some(0);
            if idle && self.loading() {
                self.abort.with_value(Abort::abort);
            }
        });
    }
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

/// The split's source from the cache, starting its download the first time it is asked for;
/// the calling view counts as its user until it is disposed (a download that every user left
/// is stopped, and starts again when a view asks for it). Without a cache in context (e.g. a
/// component test) a fresh source owned by the caller.
pub fn use_dataset(name: DatasetName, split: Split) -> DatasetSource {
    let Some(cache) = use_context::<DataCache>() else {
        return new_source(name, split);
    };
    let cached = cache.sources.with_value(|all| {
        all.iter()
            .find(|s| s.name == name && s.split == split)
            .copied()
    });
    let source = cached.unwrap_or_else(|| {
        let source = cache
            .owner
            .with_value(|owner| owner.with(|| new_source(name, split)));
        cache.sources.update_value(|all| all.push(source));
        source
    });
    source.enter();
    on_cleanup(move || source.leave());
    source
}

fn new_source(name: DatasetName, split: Split) -> DatasetSource {
    let progress = RwSignal::new(Progress::Waiting);
    let abort = StoredValue::new_local(Abort::new());
    let data = LocalResource::new(move || {
        let fresh = Abort::new();
        abort.set_value(fresh.clone());
        load_split(name, split, progress, fresh)
    });
    DatasetSource {
        name,
        split,
        data,
        progress,
        users: StoredValue::new_local(0),
        abort,
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
    abort: Abort,
) -> Result<Arc<Dataset>, DataError> {
    progress.set(Progress::Waiting);
    let key = format!("{}/{}", name.id(), split.id());
    let fetch_span = Span::start(&format!("fetch:{key}"));
    let mut clock = WorkClock::default();
    let mut show = |p| progress.set(p);
    let loaded = download_and_decode("", name, split, &mut show, &abort, &mut clock).await;
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

/// Downloads and decodes a split outside the page: the training worker's way to its data.
/// `root` is the site's absolute URL ending in '/' (the page's `document.baseURI`: a worker's
/// relative URLs would resolve against the worker script, not the page's base).
pub async fn fetch_split(
    root: &str,
    name: DatasetName,
    split: Split,
) -> Result<Dataset, DataError> {
    let mut clock = WorkClock::default();
    let decoder =
        download_and_decode(root, name, split, &mut |_| {}, &Abort::new(), &mut clock).await?;
    decoder.finish().map_err(DataError::Invalid)
}

/// Requests both files of a split at once (at `root` + the data path: `root` is "" for the
/// document's base), then reads the images, then the labels, handing each piece to the decoder
/// as it arrives; `progress` hears of the bytes of both.
async fn download_and_decode(
    root: &str,
    name: DatasetName,
    split: Split,
    progress: &mut dyn FnMut(Progress),
    abort: &Abort,
    clock: &mut WorkClock,
) -> Result<SplitDecoder, DataError> {
    let images = images_file(split);
    let labels = labels_file(split);
    let (images_path, labels_path) = (
        format!("{root}{}", data_path(name, &images)),
        format!("{root}{}", data_path(name, &labels)),
    );
    let (images_response, labels_response) = futures::join!(
        api::get(&images_path, &images, abort),
        api::get(&labels_path, &labels, abort)
    );
    let (images_response, labels_response) = (images_response?, labels_response?);

    let images_len = api::content_length(&images_response);
    let labels_len = api::content_length(&labels_response);
    let total = images_len.zip(labels_len).map(|(a, b)| a + b);
    progress(Progress::Downloading { loaded: 0, total });
    let mut counter = ProgressCounter::new(progress, total);
    let mut decoder = SplitDecoder::new(
        split,
        images_len.map(|n| n as usize),
        labels_len.map(|n| n as usize),
    );
    api::read_pieces(images_response, &images, abort, |piece| {
        let decoded = clock.time(|| decoder.push_images(piece));
        counter.add(piece.len() as u64);
        decoded
    })
    .await?;
    clock
        .time(|| decoder.end_images())
        .map_err(DataError::Invalid)?;
    api::read_pieces(labels_response, &labels, abort, |piece| {
        let decoded = clock.time(|| decoder.push_labels(piece));
        counter.add(piece.len() as u64);
        decoded
    })
    .await?;
    counter.flush();
    Ok(decoder)
}

impl From<DownloadError> for DataError {
    fn from(e: DownloadError) -> Self {
        DataError::Download(e)
    }
}

impl From<PiecesError<LoadError>> for DataError {
    fn from(e: PiecesError<LoadError>) -> Self {
        match e {
            PiecesError::Download(e) => DataError::Download(e),
            PiecesError::Refused(e) => DataError::Invalid(e),
        }
    }
}

impl DataError {
    /// Whether the download was stopped because nobody needed it any more.
    pub fn is_aborted(&self) -> bool {
        matches!(
            self,
            DataError::Download(DownloadError {
                problem: Problem::Aborted,
                ..
            })
        )
    }
}

/// Counts downloaded bytes into the progress report, at most every [`PROGRESS_EVERY_MS`].
struct ProgressCounter<'a> {
    progress: &'a mut dyn FnMut(Progress),
    total: Option<u64>,
    loaded: u64,
    shown_at: f64,
}

/// How often the progress indicator is updated while bytes stream in.
const PROGRESS_EVERY_MS: f64 = 50.0;

impl<'a> ProgressCounter<'a> {
    fn new(progress: &'a mut dyn FnMut(Progress), total: Option<u64>) -> ProgressCounter<'a> {
        ProgressCounter {
            progress,
            total,
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

    fn flush(&mut self) {
        (self.progress)(Progress::Downloading {
            loaded: self.loaded,
            total: self.total,
        });
    }
}
