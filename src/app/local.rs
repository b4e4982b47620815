//! The user's own datasets in the browser: read from chosen or dropped files (checked by
//! `core::local`), kept in IndexedDB's "local" store (`storage`) under their URL name, decoded
//! once per page load and shared by the pages of `/data/local/…`.
//!
//! A stored set is `{ name, count, rows, cols, classes, files: [{ name, bytes }, { name, bytes }] }`:
//! the two files as chosen (gzipped or raw), read again through `core::local::read_pair` when
//! opened, so a set is checked the same way whether it was just added or kept from before.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use idb::TransactionMode;
use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::app::storage::{with_store, LOCAL};
use crate::core::dataset::LoadError;
use crate::core::local::{self, LocalSet, MAX_LOCAL_BYTES};

/// What the list of sets shows of a stored set, without decoding it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetInfo {
    pub name: String,
    pub files: Vec<String>,
    pub count: usize,
    pub rows: usize,
    pub cols: usize,
    pub classes: usize,
}

impl SetInfo {
    pub fn summary(&self) -> String {
        local::summary(self.count, self.rows, self.cols, self.classes)
    }
}

thread_local! {
    /// Sets decoded since the page loaded, by name.
    static DECODED: RefCell<HashMap<String, Arc<LocalSet>>> = RefCell::new(HashMap::new());
}

fn get(value: &JsValue, key: &str) -> Option<JsValue> {
    Reflect::get(value, &JsValue::from_str(key)).ok()
}

fn number(value: &JsValue, key: &str) -> Option<usize> {
    get(value, key)?.as_f64().map(|n| n as usize)
}

fn info_of(value: &JsValue) -> Option<SetInfo> {
    let files = get(value, "files")?.dyn_into::<Array>().ok()?;
    Some(SetInfo {
        name: get(value, "name")?.as_string()?,
        files: files
            .iter()
            .filter_map(|f| get(&f, "name")?.as_string())
            .collect(),
        count: number(value, "count")?,
        rows: number(value, "rows")?,
        cols: number(value, "cols")?,
        classes: number(value, "classes")?,
    })
}

fn files_of(value: &JsValue) -> Option<Vec<(String, Vec<u8>)>> {
    let files = get(value, "files")?.dyn_into::<Array>().ok()?;
    files
        .iter()
        .map(|f| {
            let name = get(&f, "name")?.as_string()?;
            let bytes = get(&f, "bytes")?.dyn_into::<Uint8Array>().ok()?.to_vec();
            Some((name, bytes))
        })
        .collect()
}

/// Every stored set, in name order (entries that do not read are left out).
pub async fn list() -> Result<Vec<SetInfo>, String> {
    let values = with_store(
        LOCAL,
        TransactionMode::ReadOnly,
        "Reading your datasets",
        |s| async move { s.get_all(None, None)?.await },
    )
    .await?;
    let mut sets: Vec<SetInfo> = values.iter().filter_map(info_of).collect();
    sets.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(sets)
}

/// Keeps `set`, read from `files`, under its name.
pub async fn save(set: &LocalSet, files: &[(String, Vec<u8>)]) -> Result<(), String> {
    let value = Object::new();
    let list = Array::new();
    let built = (|| -> Result<(), JsValue> {
        for (name, bytes) in files {
            let file = Object::new();
            Reflect::set(&file, &"name".into(), &JsValue::from_str(name))?;
            Reflect::set(&file, &"bytes".into(), &Uint8Array::from(bytes.as_slice()))?;
            list.push(&file);
        }
        let images = &set.data.images;
        Reflect::set(&value, &"name".into(), &JsValue::from_str(&set.name))?;
        Reflect::set(&value, &"files".into(), &list)?;
        for (key, n) in [
            ("count", images.count),
            ("rows", images.rows),
            ("cols", images.cols),
            ("classes", set.classes),
        ] {
            Reflect::set(&value, &key.into(), &JsValue::from_f64(n as f64))?;
        }
        Ok(())
    })();
    if built.is_err() {
        return Err("Saving your dataset failed: its value could not be built".to_string());
    }
    let key = JsValue::from_str(&set.name);
    with_store(
        LOCAL,
        TransactionMode::ReadWrite,
        "Saving your dataset",
        |s| async move { s.put(&value, Some(&key))?.await.map(|_| ()) },
    )
    .await?;
    DECODED.with_borrow_mut(|m| m.insert(set.name.clone(), Arc::new(set.clone())));
    Ok(())
}

/// The set named `name`: `Ok(None)` when there is none; `Err` when storage fails or the stored
/// files no longer read (the sentence says which file and why).
pub async fn load(name: &str) -> Result<Option<Arc<LocalSet>>, String> {
    if let Some(set) = DECODED.with_borrow(|m| m.get(name).cloned()) {
        return Ok(Some(set));
    }
    let key = JsValue::from_str(name);
    let value = with_store(
        LOCAL,
        TransactionMode::ReadOnly,
        "Reading your dataset",
        |s| async move { s.get(key)?.await },
    )
    .await?;
    let Some(value) = value else { return Ok(None) };
    let Some(files) = files_of(&value) else {
        return Err(format!(
            "The stored dataset “{name}” does not read: remove it and add it again."
        ));
    };
    let mut set = local::read_pair(&files, &[]).map_err(|errors| {
        let problems: Vec<String> = errors.iter().map(LoadError::to_string).collect();
        format!(
            "The stored dataset “{name}” does not read: {}",
            problems.join("; ")
        )
    })?;
    set.name = name.to_string();
    let set = Arc::new(set);
    DECODED.with_borrow_mut(|m| m.insert(name.to_string(), set.clone()));
    Ok(Some(set))
}

/// Forgets the set named `name`.
pub async fn remove(name: &str) -> Result<(), String> {
    let key = JsValue::from_str(name);
    with_store(
        LOCAL,
        TransactionMode::ReadWrite,
        "Removing your dataset",
        |s| async move { s.delete(key)?.await },
    )
    .await?;
    DECODED.with_borrow_mut(|m| m.remove(name));
    Ok(())
}

/// Reads the chosen or dropped files: `(name, bytes)` for each, or the error of a file that is
/// over the limit (not read at all) or could not be read.
pub async fn read_files(files: &[web_sys::File]) -> Result<Vec<(String, Vec<u8>)>, Vec<LoadError>> {
    let mut read = Vec::new();
    let mut errors = Vec::new();
    for file in files {
        let name = file.name();
        // A gzip larger than the limit would unpack larger still: not read at all.
        if file.size() > MAX_LOCAL_BYTES as f64 {
            errors.push(LoadError {
                file: name,
                problem: format!(
                    "it is larger than {}, the limit for a file of your own",
                    local::limit_text()
                ),
            });
            continue;
        }
        match JsFuture::from(file.array_buffer()).await {
            Ok(buffer) => read.push((name, Uint8Array::new(&buffer).to_vec())),
            Err(_) => errors.push(LoadError {
                file: name,
                problem: "this browser could not read it".to_string(),
            }),
        }
    }
    if errors.is_empty() {
        Ok(read)
    } else {
        Err(errors)
    }
}
