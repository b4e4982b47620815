//! Every download of the app, in one place (gloo-net): the data splits (read piece by piece as
//! they stream in, so they can be decoded while downloading), the shipped model (whole), and one
//! wording for what went wrong.
//!
//! Paths are relative to the document's base URL (`data/mnist/…`), so the same code works at the
//! site root and under a sub-path. A download can be given an [`Abort`] handle: aborting it (the
//! user left the page that wanted it) ends the request and its body stream.
//!
//! index.html starts the downloads of the current route's files before the wasm has loaded
//! (`window.__mnistPrefetch`: relative path → `Promise<Response>`); [`get`] adopts such a response
//! once instead of requesting the file again.

use std::fmt;

use crate::app::perf::now;
use gloo_net::http::{Request, Response};
use js_sys::{Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal, ReadableStreamDefaultReader};

/// What went wrong with a download. Display: "Could not download {file}: {what}".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DownloadError {
    /// The file's name as the user knows it (e.g. `t10k-images-idx3-ubyte.gz`).
    pub file: String,
    pub problem: Problem,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// No answer: offline, the server is down, or the request was refused.
    Unreachable,
    /// The server answered, but not with the file (404, 500 …): status and its text.
    Status(u16, String),
    /// The body stopped arriving before its end.
    Interrupted,
    /// We stopped it: nobody needs the file any more.
    Aborted,
}

impl fmt::Display for DownloadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Could not download {}: ", self.file)?;
        match &self.problem {
            Problem::Unreachable => write!(
                f,
                "the server could not be reached (check your connection, then retry)."
            ),
            Problem::Status(code, text) if text.is_empty() => {
                write!(f, "the server answered {code}.")
            }
            Problem::Status(code, text) => write!(f, "the server answered {code} {text}."),
            Problem::Interrupted => write!(f, "the download was interrupted (retry)."),
            Problem::Aborted => write!(f, "the download was stopped."),
        }
    }
}

impl std::error::Error for DownloadError {}

/// Stops the downloads it was given to, when [`Abort::abort`] is called.
#[derive(Clone)]
pub struct Abort(Option<AbortController>);

impl Abort {
    pub fn new() -> Abort {
        Abort(AbortController::new().ok())
    }

    fn signal(&self) -> Option<AbortSignal> {
        self.0.as_ref().map(AbortController::signal)
    }

    pub fn abort(&self) {
        if let Some(controller) = &self.0 {
            controller.abort();
        }
    }

    pub fn is_aborted(&self) -> bool {
        self.signal().is_some_and(|s| s.aborted())
    }
}

impl Default for Abort {
    fn default() -> Self {
        Abort::new()
    }
}

/// A GET of `path` (relative to the document base URL) that answered 2xx; `file` names it in
/// errors. Adopts index.html's prefetch of the same path once, and retries a prefetch that
/// failed with a fresh request.
pub async fn get(path: &str, file: &str, abort: &Abort) -> Result<Response, DownloadError> {
    let error = |problem| DownloadError {
        file: file.to_string(),
        problem,
    };
    let answer = match take_prefetched(path) {
        Some(promise) => match JsFuture::from(promise).await {
            Ok(raw) => raw.dyn_into::<web_sys::Response>().ok().map(Response::from),
            Err(_) => None,
        },
        None => None,
    };
    let response = match answer {
        Some(response) => response,
        None => Request::get(path)
            .abort_signal(abort.signal().as_ref())
            .send()
            .await
            .map_err(|_| {
                error(if abort.is_aborted() {
                    Problem::Aborted
                } else {
                    Problem::Unreachable
                })
            })?,
    };
    if !response.ok() {
        return Err(error(Problem::Status(
            response.status(),
            response.status_text(),
        )));
    }
    Ok(response)
}

/// The whole body of `path` as bytes (see [`get`]).
pub async fn bytes(path: &str, file: &str, abort: &Abort) -> Result<Vec<u8>, DownloadError> {
    let response = get(path, file, abort).await?;
    response.binary().await.map_err(|_| DownloadError {
        file: file.to_string(),
        problem: if abort.is_aborted() {
            Problem::Aborted
        } else {
            Problem::Interrupted
        },
    })
}

/// The body's length in bytes, when the server said it (`Content-Length`).
pub fn content_length(response: &Response) -> Option<u64> {
    response
        .headers()
        .get("content-length")?
        .trim()
        .parse()
        .ok()
}

/// Why reading a body in pieces stopped early: the download failed, or `take` refused a piece.
pub enum PiecesError<E> {
    Download(DownloadError),
    Refused(E),
}

/// Reads the body of `response` piece by piece as it streams in, handing each piece to `take`
/// (which decodes it); stops, and cancels the rest of the download, at the first piece `take`
/// refuses.
pub async fn read_pieces<E>(
    response: Response,
    file: &str,
    abort: &Abort,
    mut take: impl FnMut(&[u8]) -> Result<(), E>,
) -> Result<(), PiecesError<E>> {
    let broken = || {
        PiecesError::Download(DownloadError {
            file: file.to_string(),
            problem: if abort.is_aborted() {
                Problem::Aborted
            } else {
                Problem::Interrupted
            },
        })
    };
    let Some(body) = response.body() else {
        return Ok(());
    };
    let reader: ReadableStreamDefaultReader = body.get_reader().unchecked_into();
    // On the page (not in a worker) no task may run long: a piece is handed over in slices, and
    // after SLICE_MS of work the reader waits for the next task. A read of data already there
    // resolves without leaving the task (a cached file comes as one piece).
    let on_page = web_sys::window().is_some();
    let mut working_since = now();
    loop {
        let asked = now();
        let chunk = JsFuture::from(reader.read()).await.map_err(|_| broken())?;
        if now() - asked >= 1.0 {
            // The read waited: the page had its turn.
            working_since = now();
        }
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
        // more than the copy: a whole prefetched file arrives as one piece).
        let piece = array.to_vec();
        for slice in piece.chunks(SLICE_BYTES) {
            if let Err(e) = take(slice) {
                let _ = reader.cancel();
                return Err(PiecesError::Refused(e));
            }
            if on_page && now() - working_since >= SLICE_MS {
                next_task().await;
                working_since = now();
            }
        }
    }
}

/// Bytes of a download handed to the decoder at once, and the work (ms) after which the page's
/// reader lets other tasks run (a long task is one over 50 ms).
const SLICE_BYTES: usize = 64 << 10;
const SLICE_MS: f64 = 25.0;

/// Name of the object index.html's inline script fills with the responses it started early.
const PREFETCH_GLOBAL: &str = "__mnistPrefetch";

/// The page's prefetch of `path`, removed from the page's list so it is adopted only once (a
/// retry requests the file anew).
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

/// Resolves in a later task (`setTimeout(0)`): after the browser had a chance to handle events
/// and paint, and after whatever the current task still does (e.g. mounting the next page).
pub async fn next_task() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback(&resolve);
        }
    });
    let _ = JsFuture::from(promise).await;
}
