//! What the app keeps in the browser, in IndexedDB (through the `idb` crate): database
//! "mnist-viz", version 2 (version 1 had no "local" store; the upgrade adds whichever store is
//! missing), three object stores with out-of-line keys:
//! - "runs": one run of /train per key, the key its start time in ms (a number), the value the
//!   JSON text of a `core::training::record::RunRecord`; at most `MAX_RECORDS` are kept.
//! - "models": `{ name: string, bytes: Uint8Array }` (a `.mnn` file) under "trained" (the last
//!   weights kept from a run on /train) and "chosen" (the model the network view shows instead
//!   of the shipped one).
//! - "local": the user's own datasets, one per URL name (see `app::local`).
//!
//! Every call answers `Err(sentence)` when IndexedDB is missing, blocked or full: the pages say
//! so and go on without it.

use idb::{Database, Factory, ObjectStoreParams, TransactionMode};
use js_sys::{Object, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};

use crate::core::training::record::{ids_to_drop, RunRecord, MAX_RECORDS};

const DATABASE: &str = "mnist-viz";
const VERSION: u32 = 2;
const RUNS: &str = "runs";
const MODELS: &str = "models";
pub(crate) const LOCAL: &str = "local";

/// Where a model is kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModelSlot {
    /// The last weights kept from a run on /train.
    Trained,
    /// The model the network view shows instead of the shipped one.
    Chosen,
}

impl ModelSlot {
    fn key(self) -> JsValue {
        JsValue::from_str(match self {
            ModelSlot::Trained => "trained",
            ModelSlot::Chosen => "chosen",
        })
    }
}

/// A model file as kept: its name and its `.mnn` bytes.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredModel {
    pub name: String,
    pub bytes: Vec<u8>,
}

fn failed(what: &str, e: impl std::fmt::Display) -> String {
    format!("{what} failed in this browser's storage (IndexedDB): {e}")
}

/// Opens the database, creating its stores on the first visit.
async fn open() -> Result<Database, String> {
    let factory = Factory::new().map_err(|e| failed("Opening the saved runs", e))?;
    let mut request = factory
        .open(DATABASE, Some(VERSION))
        .map_err(|e| failed("Opening the saved runs", e))?;
    request.on_upgrade_needed(|event| {
        use idb::DatabaseEvent;
        let Ok(db) = event.database() else {
            return;
        };
        let names = db.store_names();
        for store in [RUNS, MODELS, LOCAL] {
            if !names.iter().any(|n| n == store) {
                // An error here aborts the upgrade: the open request then fails and says so.
                let _ = db.create_object_store(store, ObjectStoreParams::new());
            }
        }
    });
    request
        .await
        .map_err(|e| failed("Opening the saved runs", e))
}

/// Runs `body` on `store` in a transaction of `mode` and waits for the transaction to commit.
pub(crate) async fn with_store<T, F, Fut>(
    store: &str,
    mode: TransactionMode,
    what: &str,
    body: F,
) -> Result<T, String>
where
    F: FnOnce(idb::ObjectStore) -> Fut,
    Fut: std::future::Future<Output = Result<T, idb::Error>>,
{
    let db = open().await?;
    let result = async {
        let tx = db.transaction(&[store], mode)?;
        let value = body(tx.object_store(store)?).await?;
        let done = tx.await?;
        Ok::<_, idb::Error>((value, done.is_committed()))
    }
    .await;
    db.close();
    match result {
        Ok((value, true)) => Ok(value),
        Ok((_, false)) => Err(failed(what, "the transaction was aborted")),
        Err(e) => Err(failed(what, e)),
    }
}

/// Saves (or replaces) a run's record, then drops the oldest beyond `MAX_RECORDS`.
pub async fn save_run(record: &RunRecord) -> Result<(), String> {
    let json = record.to_json();
    let key = JsValue::from_f64(record.id as f64);
    with_store(
        RUNS,
        TransactionMode::ReadWrite,
        "Saving the run",
        |s| async move {
            s.put(&JsValue::from_str(&json), Some(&key))?.await?;
            let keys = s.get_all_keys(None, None)?.await?;
            let ids: Vec<u64> = keys
                .iter()
                .filter_map(|k| k.as_f64())
                .map(|k| k as u64)
                .collect();
            for id in ids_to_drop(&ids, MAX_RECORDS) {
                s.delete(JsValue::from_f64(id as f64))?.await?;
            }
            Ok(())
        },
    )
    .await
}

/// Every saved run that reads, oldest first, and how many did not read.
pub async fn load_runs() -> Result<(Vec<RunRecord>, usize), String> {
    let values = with_store(
        RUNS,
        TransactionMode::ReadOnly,
        "Reading the saved runs",
        |s| async move { s.get_all(None, None)?.await },
    )
    .await?;
    let mut runs = Vec::new();
    let mut unreadable = 0;
    for v in values {
        match v.as_string().map(|t| RunRecord::from_json(&t)) {
            Some(Ok(r)) => runs.push(r),
            _ => unreadable += 1,
        }
    }
    runs.sort_by_key(|r| r.id);
    Ok((runs, unreadable))
}

/// Deletes a saved run.
pub async fn delete_run(id: u64) -> Result<(), String> {
    with_store(
        RUNS,
        TransactionMode::ReadWrite,
        "Deleting the run",
        |s| async move { s.delete(JsValue::from_f64(id as f64))?.await },
    )
    .await
}

/// Keeps a model in `slot` (replacing the one there).
pub async fn save_model(slot: ModelSlot, model: &StoredModel) -> Result<(), String> {
    let value = Object::new();
    let bytes = Uint8Array::from(model.bytes.as_slice());
    let set = Reflect::set(&value, &"name".into(), &JsValue::from_str(&model.name))
        .and_then(|_| Reflect::set(&value, &"bytes".into(), &bytes));
    if set.is_err() {
        return Err(failed("Saving the model", "its value could not be built"));
    }
    with_store(
        MODELS,
        TransactionMode::ReadWrite,
        "Saving the model",
        |s| async move { s.put(&value, Some(&slot.key()))?.await.map(|_| ()) },
    )
    .await
}

/// The model kept in `slot`, if any (one that does not read as `{name, bytes}` is none).
pub async fn load_model(slot: ModelSlot) -> Result<Option<StoredModel>, String> {
    let value = with_store(
        MODELS,
        TransactionMode::ReadOnly,
        "Reading the saved model",
        |s| async move { s.get(slot.key())?.await },
    )
    .await?;
    Ok(value.and_then(|v| {
        let name = Reflect::get(&v, &"name".into()).ok()?.as_string()?;
        let bytes = Reflect::get(&v, &"bytes".into())
            .ok()?
            .dyn_into::<Uint8Array>()
            .ok()?
            .to_vec();
        Some(StoredModel { name, bytes })
    }))
}

/// Forgets the model in `slot`.
pub async fn delete_model(slot: ModelSlot) -> Result<(), String> {
    with_store(
        MODELS,
        TransactionMode::ReadWrite,
        "Forgetting the model",
        |s| async move { s.delete(slot.key())?.await },
    )
    .await
}
