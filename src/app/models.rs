//! The app's models besides the shipped one, shared by /train and /network (a context provided
//! by [`crate::app::App`]): the last weights kept from a run on /train ("trained") and the model
//! the network view shows instead of the shipped one ("chosen"). Both are also kept in
//! IndexedDB (`storage`), so a reload finds them; where IndexedDB fails the pages say so.

use std::sync::Arc;
use std::time::Duration;

use futures::future::{FutureExt, LocalBoxFuture, Shared};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::app::api::{self, Abort};
use crate::app::storage::{self, ModelSlot, StoredModel};
use crate::core::dataset::DatasetName;
use crate::core::nn::{model, Network};

/// The shipped MNIST model, relative to the document base URL.
pub const SHIPPED_MODEL: &str = "data/models/default.mnn";
/// The shipped Fashion-MNIST model, relative to the document base URL.
pub const SHIPPED_FASHION_MODEL: &str = "data/models/fashion.mnn";

/// The shipped model trained on `dataset` (relative to the document base URL).
pub fn shipped_model(dataset: DatasetName) -> &'static str {
    match dataset {
        DatasetName::Mnist => SHIPPED_MODEL,
        DatasetName::FashionMnist => SHIPPED_FASHION_MODEL,
    }
}
/// Input and output widths a model must have to read MNIST digits.
const INPUTS: usize = 784;
const OUTPUTS: usize = 10;

/// Parses model bytes and checks that the model reads 28×28 digits into 10 classes.
pub fn read_model(bytes: &[u8]) -> Result<Network, String> {
    let network = model::from_bytes(bytes).map_err(|e| e.to_string())?;
    model::check_shape(&network, INPUTS, OUTPUTS).map_err(|e| e.to_string())?;
    Ok(network)
}

/// Downloads and reads the shipped MNIST model (the download stops when `abort` does).
pub async fn download_shipped(abort: &Abort) -> Result<Network, String> {
    download_shipped_for(DatasetName::Mnist, abort).await
}

/// Downloads and reads the shipped model trained on `dataset`.
pub async fn download_shipped_for(dataset: DatasetName, abort: &Abort) -> Result<Network, String> {
    let path = shipped_model(dataset);
    let file = path.rsplit('/').next().unwrap_or(path);
    let bytes = api::bytes(path, file, abort)
        .await
        .map_err(|e| e.to_string())?;
    read_model(&bytes).map_err(|e| format!("Could not load the shipped model ({path}): {e}"))
}

/// The bytes of the file chosen in a file input (the input is emptied, so choosing the same
/// file again fires `change` again); its name, and `None` for the bytes if it could not be read.
pub async fn chosen_file(input: &web_sys::HtmlInputElement) -> Option<(String, Option<Vec<u8>>)> {
    let file = input.files().and_then(|files| files.get(0))?;
    input.set_value("");
    let bytes = wasm_bindgen_futures::JsFuture::from(file.array_buffer())
        .await
        .ok()
        .map(|b| js_sys::Uint8Array::new(&b).to_vec());
    Some((file.name(), bytes))
}

/// A model the app holds: its name (a file name), the network, and its `.mnn` bytes.
#[derive(Clone, Debug)]
pub struct AppModel {
    pub name: String,
    pub network: Arc<Network>,
    pub bytes: Arc<Vec<u8>>,
}

impl PartialEq for AppModel {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && Arc::ptr_eq(&self.network, &other.network)
    }
}

impl AppModel {
    /// A model from `.mnn` bytes that reads 28×28 digits into 10 classes; the error says why not.
    pub fn from_bytes(name: String, bytes: Vec<u8>) -> Result<AppModel, String> {
        let network = read_model(&bytes)?;
        Ok(AppModel {
            name,
            network: Arc::new(network),
            bytes: Arc::new(bytes),
        })
    }

    fn stored(&self) -> StoredModel {
        StoredModel {
            name: self.name.clone(),
            bytes: self.bytes.to_vec(),
        }
    }
}

/// The app-level models (a context).
#[derive(Clone, Copy)]
pub struct AppModels {
    /// The model the network view shows instead of the shipped one.
    pub chosen: RwSignal<Option<AppModel>>,
    /// The last weights kept from a run on /train.
    pub trained: RwSignal<Option<AppModel>>,
    /// Why the browser's storage cannot be used (reading failed): one line on the page.
    pub storage_off: RwSignal<Option<String>>,
    /// Why /network does not show the model its link asked for (`model=trained`).
    pub notice: RwSignal<Option<String>>,
    /// The last write that failed (the model or run is kept in memory only).
    pub write_error: RwSignal<Option<String>>,
    /// Reading the saved models from storage (once per page load; every caller waits for it).
    restored: StoredValue<Option<Shared<LocalBoxFuture<'static, ()>>>, LocalStorage>,
}

/// Provides the context (in `App`).
pub fn provide_models() {
    provide_context(AppModels {
        chosen: RwSignal::new(None),
        trained: RwSignal::new(None),
        storage_off: RwSignal::new(None),
        write_error: RwSignal::new(None),
        notice: RwSignal::new(None),
        restored: StoredValue::new_local(None),
    });
}

pub fn use_models() -> AppModels {
    expect_context::<AppModels>()
}

/// A model read back from storage, or why it cannot be.
async fn restore(slot: ModelSlot) -> Result<Option<AppModel>, String> {
    let Some(saved) = storage::load_model(slot).await? else {
        return Ok(None);
    };
    AppModel::from_bytes(saved.name.clone(), saved.bytes)
        .map(Some)
        .map_err(|e| format!("The saved model {} could not be read: {e}", saved.name))
}

impl AppModels {
    /// Reads the saved models from storage, once per page load (a second caller waits for the
    /// first reading), unless newer ones are in memory already. A storage that cannot be read
    /// sets `storage_off`.
    pub async fn restore_saved(self) {
        let reading = match self.restored.with_value(Clone::clone) {
            Some(reading) => reading,
            None => {
                let reading = self.read_saved().boxed_local().shared();
                self.restored.set_value(Some(reading.clone()));
                reading
            }
        };
        reading.await
    }

    async fn read_saved(self) {
        for (slot, signal) in [
            (ModelSlot::Trained, self.trained),
            (ModelSlot::Chosen, self.chosen),
        ] {
            match restore(slot).await {
                Ok(Some(m)) => {
                    let _ = signal.try_update(|s| {
                        if s.is_none() {
                            *s = Some(m);
                        }
                    });
                }
                Ok(None) => {}
                Err(e) => {
                    let _ = self.storage_off.try_set(Some(e));
                    return;
                }
            }
        }
    }

    /// Makes `model` the network view's model, and keeps it.
    pub fn choose(self, model: AppModel) {
        self.chosen.set(Some(model.clone()));
        self.write(ModelSlot::Chosen, model);
    }

    /// Keeps `model` as the last trained one.
    pub fn keep_trained(self, model: AppModel) {
        self.trained.set(Some(model.clone()));
        self.write(ModelSlot::Trained, model);
    }

    /// The network view shows the shipped model again (and forgets the chosen one).
    pub fn back_to_shipped(self) {
        self.chosen.set(None);
        leptos::task::spawn_local(async move {
            if let Err(e) = storage::delete_model(ModelSlot::Chosen).await {
                let _ = self.write_error.try_set(Some(e));
            }
        });
    }

    fn write(self, slot: ModelSlot, model: AppModel) {
        leptos::task::spawn_local(async move {
            let result = storage::save_model(slot, &model.stored()).await;
            let _ = self.write_error.try_set(result.err());
        });
    }

    /// The model `/network` should show: with `trained` (the link asks for the trained model)
    /// the last trained one, which becomes the chosen one; else the chosen one. `Err`: the link
    /// asked for the trained model and there is none (the sentence to show).
    pub async fn for_network(self, trained: bool) -> Result<Option<AppModel>, String> {
        self.restore_saved().await;
        if !trained {
            return Ok(self.chosen.get_untracked());
        }
        match self.trained.get_untracked() {
            Some(m) => {
                if self.chosen.get_untracked().as_ref() != Some(&m) {
                    self.choose(m.clone());
                }
                Ok(Some(m))
            }
            None => Err(match self.storage_off.get_untracked() {
                Some(why) => format!(
                    "The trained model is not available in this browser ({why}). Showing the shipped model."
                ),
                None => "The trained model is not available in this browser: none was kept from /train here. Showing the shipped model.".to_string(),
            }),
        }
    }
}

/// Saves `bytes` as a file called `name` (a temporary object URL and `<a download>`).
pub fn save_file(name: &str, bytes: &[u8]) -> Result<(), String> {
    let fail = |_| format!("{name} could not be offered for download");
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| format!("{name} could not be offered for download (no document)"))?;
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/octet-stream");
    let blob =
        web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options).map_err(fail)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(fail)?;
    let anchor = document
        .create_element("a")
        .map_err(fail)?
        .dyn_into::<web_sys::HtmlAnchorElement>()
        .map_err(|_| format!("{name} could not be offered for download"))?;
    anchor.set_href(&url);
    anchor.set_download(name);
    anchor.click();
    // The download has started from the click; the URL goes a moment later.
    set_timeout(
        move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        },
        Duration::from_secs(2),
    );
    Ok(())
}
