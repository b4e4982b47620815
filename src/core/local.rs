//! The user's own datasets ("local" sets): a pair of IDX files chosen or dropped in the browser,
//! one of images (idx3, any `rows × cols`) and one of labels (idx1, any byte: up to 256 classes),
//! each gzipped or raw. Here they are unpacked, told apart by their magic numbers, checked
//! against each other and against [`MAX_LOCAL_BYTES`], and named for their URLs
//! (`/data/local/{name}`). Every defect is a [`LoadError`] naming the file at fault.
//!
//! Nothing here trusts the input: a header is checked against the limit before anything is
//! allocated for what it claims, and gunzip output is bounded by the limit too.

use super::dataset::{Dataset, LoadError};
use super::format::thousands;
use super::idx::{self, IdxError, Images, IMAGES_MAGIC, LABELS_MAGIC};
use super::paging::PAGE_SIZE;

/// The most bytes one file of the user's may hold once unpacked (64 MiB: the MNIST training
/// images are 45 MiB). The UI states it with [`limit_text`].
pub const MAX_LOCAL_BYTES: usize = 64 * 1024 * 1024;

/// The largest image side, in pixels: a grid page paints 100 images on one canvas (at 512×512,
/// 100 MiB of RGBA), and a canvas is at most 32,767 pixels wide.
pub const MAX_SIDE: usize = 512;

/// Labels are bytes, so at most 256 classes (0–255).
pub const MAX_CLASSES: usize = 256;

/// Longest name a set gets in its URL.
const MAX_NAME_LEN: usize = 40;

/// The file size limit in words, e.g. "64 MiB".
pub fn limit_text() -> String {
    format!("{} MiB", MAX_LOCAL_BYTES / (1024 * 1024))
}

/// Which kind of IDX file a file is, from its magic number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdxKind {
    Images,
    Labels,
}

/// A decoded user's set: its URL name, the names of its two files, its images and labels, and
/// how many classes it has (largest label + 1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocalSet {
    pub name: String,
    pub images_file: String,
    pub labels_file: String,
    pub data: Dataset,
    pub classes: usize,
}

impl LocalSet {
    /// "12 images of 8×6 pixels, 3 classes".
    pub fn summary(&self) -> String {
        summary(
            self.data.len(),
            self.data.images.rows,
            self.data.images.cols,
            self.classes,
        )
    }
}

/// "12 images of 8×6 pixels, 3 classes" (rows × columns).
pub fn summary(count: usize, rows: usize, cols: usize, classes: usize) -> String {
    let images = if count == 1 { "image" } else { "images" };
    let classes_word = if classes == 1 { "class" } else { "classes" };
    format!(
        "{} {images} of {rows}×{cols} pixels, {classes} {classes_word}",
        thousands(count)
    )
}

fn err(file: &str, problem: impl Into<String>) -> LoadError {
    LoadError {
        file: file.to_string(),
        problem: problem.into(),
    }
}

/// The file's IDX bytes: gunzipped when it starts with the gzip signature, else as it is.
/// Refuses more than [`MAX_LOCAL_BYTES`] either way.
pub fn unpack(file: &str, bytes: &[u8]) -> Result<Vec<u8>, LoadError> {
    let too_large = || {
        err(
            file,
            format!(
                "it is larger than {} once unpacked, the limit for a file of your own",
                limit_text()
            ),
        )
    };
    if bytes.starts_with(&[0x1f, 0x8b]) {
        idx::gunzip_bounded(bytes, MAX_LOCAL_BYTES).map_err(|e| match e {
            IdxError::TooLarge { .. } => too_large(),
            other => err(file, other.to_string()),
        })
    } else if bytes.len() > MAX_LOCAL_BYTES {
        Err(too_large())
    } else {
        Ok(bytes.to_vec())
    }
}

/// Which kind of IDX file `raw` (unpacked) is, or why it is none.
pub fn kind_of(file: &str, raw: &[u8]) -> Result<IdxKind, LoadError> {
    if raw.len() < 4 {
        return Err(err(
            file,
            format!(
                "it is not an IDX file: it has only {} bytes, less than an IDX header",
                raw.len()
            ),
        ));
    }
    match u32::from_be_bytes([raw[0], raw[1], raw[2], raw[3]]) {
        IMAGES_MAGIC => Ok(IdxKind::Images),
        LABELS_MAGIC => Ok(IdxKind::Labels),
        _ => Err(err(
            file,
            format!(
                "it is not an IDX file of bytes: it starts with {:02x} {:02x} {:02x} {:02x}, but \
                 image files (idx3) start with 00 00 08 03 and label files (idx1) with 00 00 08 01",
                raw[0], raw[1], raw[2], raw[3]
            ),
        )),
    }
}

/// Decodes an unpacked image file: the header's dimensions must fit the limit (checked before
/// anything is allocated for them) and match the file's length.
pub fn decode_images(file: &str, raw: Vec<u8>) -> Result<Images, LoadError> {
    if let Some((count, rows, cols)) = idx::images_header(&raw) {
        let claimed = (count as u128) * (rows as u128) * (cols as u128);
        if claimed > MAX_LOCAL_BYTES as u128 {
            return Err(err(
                file,
                format!(
                    "its header describes {} images of {rows}×{cols} pixels, {} bytes, more than \
                     the limit of {} for a file of your own",
                    thousands(count),
                    thousands_u128(claimed),
                    limit_text()
                ),
            ));
        }
        if rows > MAX_SIDE || cols > MAX_SIDE {
            return Err(err(
                file,
                format!(
                    "its images are {rows}×{cols} pixels, larger than the limit of \
                     {MAX_SIDE}×{MAX_SIDE} for images of your own"
                ),
            ));
        }
        if count == 0 {
            return Err(err(file, "it holds no images"));
        }
    }
    idx::decode_images_vec(raw).map_err(|e| err(file, dimension_problem(e)))
}

/// Decodes an unpacked label file; any byte is a label.
pub fn decode_labels(file: &str, raw: &[u8]) -> Result<Vec<u8>, LoadError> {
    let labels = idx::decode_labels_any(raw).map_err(|e| err(file, dimension_problem(e)))?;
    if labels.is_empty() {
        return Err(err(file, "it holds no labels"));
    }
    Ok(labels)
}

/// An IDX error as said of a user's file: a length that disagrees with the header is a
/// mismatch between the dimensions and the length, whichever way round.
fn dimension_problem(e: IdxError) -> String {
    match e {
        IdxError::Truncated { expected, actual } => format!(
            "it is truncated, or its dimensions do not match its length: the header describes {} \
             bytes but the file has only {}",
            thousands(expected),
            thousands(actual)
        ),
        IdxError::TrailingBytes { expected, actual } => format!(
            "its dimensions do not match its length: the header describes {} bytes but the file \
             has {}",
            thousands(expected),
            thousands(actual)
        ),
        other => other.to_string(),
    }
}

fn thousands_u128(n: u128) -> String {
    match usize::try_from(n) {
        Ok(n) => thousands(n),
        Err(_) => n.to_string(),
    }
}

/// Reads a pair of the user's files (`(file name, bytes)`, in any order) into a set named from
/// the image file's name, unique among `taken`. Every file at fault gets its own error.
pub fn read_pair(
    files: &[(String, Vec<u8>)],
    taken: &[String],
) -> Result<LocalSet, Vec<LoadError>> {
    if files.len() != 2 {
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        let file = if names.is_empty() {
            "(no file)".to_string()
        } else {
            names.join(", ")
        };
        return Err(vec![err(
            &file,
            format!(
                "choose two files at once, one of images (idx3) and one of labels (idx1), not {}",
                files.len()
            ),
        )]);
    }
    let mut errors = Vec::new();
    let mut images: Option<(&str, Images)> = None;
    let mut labels: Option<(&str, Vec<u8>)> = None;
    for (file, bytes) in files {
        let read = unpack(file, bytes).and_then(|raw| match kind_of(file, &raw)? {
            IdxKind::Images => decode_images(file, raw).map(Decoded::Images),
            IdxKind::Labels => decode_labels(file, &raw).map(Decoded::Labels),
        });
        match read {
            Err(e) => errors.push(e),
            Ok(Decoded::Images(i)) if images.is_none() => images = Some((file, i)),
            Ok(Decoded::Labels(l)) if labels.is_none() => labels = Some((file, l)),
            Ok(Decoded::Images(_)) => errors.push(err(
                file,
                "it is a second image file: choose one image file (idx3) and one label file (idx1)",
            )),
            Ok(Decoded::Labels(_)) => errors.push(err(
                file,
                "it is a second label file: choose one image file (idx3) and one label file (idx1)",
            )),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let (Some((images_file, images)), Some((labels_file, labels))) = (images, labels) else {
        return Err(vec![err(
            &files[0].0,
            "the pair needs an image file and a label file",
        )]);
    };
    if images.count != labels.len() {
        return Err(vec![err(
            labels_file,
            format!(
                "it holds {} labels, but {images_file} holds {} images: the counts must agree",
                thousands(labels.len()),
                thousands(images.count)
            ),
        )]);
    }
    let classes = labels.iter().max().map_or(0, |&m| m as usize + 1);
    let data = Dataset::new(images, labels).map_err(|e| vec![err(images_file, e.to_string())])?;
    Ok(LocalSet {
        name: unique_name(&name_from_file(images_file), taken),
        images_file: images_file.to_string(),
        labels_file: labels_file.to_string(),
        data,
        classes,
    })
}

enum Decoded {
    Images(Images),
    Labels(Vec<u8>),
}

/// A URL name from an image file's name: lower case, without ".gz" and IDX suffixes, letters and
/// digits joined by single '-', e.g. "My Letters-images-idx3-ubyte.gz" → "my-letters".
pub fn name_from_file(file: &str) -> String {
    let mut stem = file.to_ascii_lowercase();
    for suffix in [".gz", ".gzip"] {
        if let Some(s) = stem.strip_suffix(suffix) {
            stem = s.to_string();
        }
    }
    for suffix in ["idx3-ubyte", "idx3", "ubyte", "images", "image"] {
        let trimmed = stem.trim_end_matches(['-', '_', '.', ' ']);
        if let Some(s) = trimmed.strip_suffix(suffix) {
            stem = s.to_string();
        } else {
            stem = trimmed.to_string();
        }
    }
    let mut name = String::new();
    for c in stem.chars() {
        if c.is_ascii_alphanumeric() {
            name.push(c);
        } else if !name.is_empty() && !name.ends_with('-') {
            name.push('-');
        }
    }
    let mut name: String = name.trim_matches('-').chars().take(MAX_NAME_LEN).collect();
    name = name.trim_end_matches('-').to_string();
    if name.is_empty() {
        "set".to_string()
    } else {
        name
    }
}

/// `base`, or `base-2`, `base-3`, … : the first not in `taken`.
pub fn unique_name(base: &str, taken: &[String]) -> String {
    if !taken.iter().any(|t| t == base) {
        return base.to_string();
    }
    (2..)
        .map(|k| format!("{base}-{k}"))
        .find(|n| !taken.iter().any(|t| t == n))
        .unwrap_or_else(|| base.to_string())
}

/// Whether `name` could be a set's URL name (what [`name_from_file`] makes).
pub fn is_valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_NAME_LEN + 8
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-')
}

/// Whether /train can train on `set`: its networks take 28×28 inputs into at most 10 classes
/// (the page's charts, heatmaps and confusion matrix are made for those). The error says why not.
pub fn trainable(set: &LocalSet) -> Result<(), String> {
    let (rows, cols) = (set.data.images.rows, set.data.images.cols);
    if (rows, cols) != (28, 28) {
        return Err(format!(
            "Its images are {cols}×{rows} pixels: the training page trains networks with 28×28 \
             inputs, and images are never resized."
        ));
    }
    if set.classes > 10 {
        return Err(format!(
            "It has {} classes: the training page trains networks with at most 10 outputs.",
            set.classes
        ));
    }
    if set.data.len() < 2 {
        return Err(
            "It has one image: training needs at least one to learn from and one to test on."
                .into(),
        );
    }
    Ok(())
}

/// The images of `data` split for training: the last ⌈n/7⌉ are the test set (MNIST holds out
/// 10,000 of 70,000 the same way), the others the training set. Needs at least 2 images.
pub fn training_split(data: &Dataset) -> Option<(Dataset, Dataset)> {
    let n = data.len();
    if n < 2 {
        return None;
    }
    let test = n.div_ceil(7).clamp(1, n - 1);
    let part = |range: std::ops::Range<usize>| {
        let size = data.images.rows * data.images.cols;
        let images = Images {
            count: range.len(),
            rows: data.images.rows,
            cols: data.images.cols,
            pixels: data.images.pixels[range.start * size..range.end * size].to_vec(),
        };
        Dataset::new(images, data.labels[range].to_vec()).ok()
    };
    Some((part(0..n - test)?, part(n - test..n)?))
}

/// `/data/local`: the user's sets and the form to add one.
pub const LIST_PATH: &str = "/data/local";

/// `/data/local/{name}` with `?page=N` (left out for page 1).
pub fn grid_path(name: &str, page: usize) -> String {
    filtered_grid_path(name, page, None)
}

/// `/data/local/{name}` with `?page=N` (left out for page 1) and `&label=L` (left out for all).
pub fn filtered_grid_path(name: &str, page: usize, label: Option<u8>) -> String {
    let mut query = Vec::new();
    if page != 1 {
        query.push(format!("page={page}"));
    }
    if let Some(l) = label {
        query.push(format!("label={l}"));
    }
    if query.is_empty() {
        format!("{LIST_PATH}/{name}")
    } else {
        format!("{LIST_PATH}/{name}?{}", query.join("&"))
    }
}

/// The `?label=` of a local grid, checked against a set of `classes` classes (None or "": all).
pub fn parse_class(text: Option<&str>, classes: usize) -> Result<Option<u8>, String> {
    let text = match text {
        None | Some("") => return Ok(None),
        Some(t) => t,
    };
    let valid = text.bytes().all(|b| b.is_ascii_digit()) && text.len() <= 3;
    match text.parse::<usize>() {
        Ok(l) if valid && l < classes => Ok(Some(l as u8)),
        _ => Err(format!(
            "Label {text:?} does not exist: the labels of this set are 0–{}.",
            classes.saturating_sub(1)
        )),
    }
}

/// `/data/local/{name}/{index}`: one image.
pub fn item_path(name: &str, index: usize) -> String {
    format!("{LIST_PATH}/{name}/{index}")
}

/// `/network?sample=local/{name}/{index}`: one of the user's images in the network view.
pub fn network_path(name: &str, index: usize) -> String {
    format!("/network?sample=local/{name}/{index}")
}

/// A `?sample=` value that names one of the user's images, `local/{name}/{index}`: its name and
/// index text (checked when the set is loaded). None for any other sample.
pub fn parse_network_sample(sample: &str) -> Option<(String, String)> {
    let rest = sample.strip_prefix("local/")?;
    let (name, index) = rest.rsplit_once('/').unwrap_or((rest, ""));
    Some((name.to_string(), index.to_string()))
}

/// The page of the grid that shows image `index`.
pub fn page_of(index: usize) -> usize {
    index / PAGE_SIZE + 1
}

/// The `{index}` segment of an item URL, checked against a set of `len` images.
pub fn parse_item(text: &str, len: usize) -> Result<usize, String> {
    let fail = || {
        let range = match len {
            0 => "the set is empty".to_string(),
            1 => "the set has only image 0".to_string(),
            n => format!("the set has images 0–{}", thousands(n - 1)),
        };
        format!("There is no image {text:?}: {range}.")
    };
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(fail());
    }
    match text.parse::<usize>() {
        Ok(i) if i < len => Ok(i),
        _ => Err(fail()),
    }
}

/// Whether a network of `inputs` inputs (a square image of `inputs` pixels) can read images of
/// `rows × cols`; if not, the sentence that explains why (images are never resized).
pub fn network_fit(rows: usize, cols: usize, inputs: usize) -> Result<(), String> {
    if rows.checked_mul(cols) == Some(inputs) && is_square_side(inputs, rows) {
        return Ok(());
    }
    let side = (inputs as f64).sqrt().round() as usize;
    let shape = if side * side == inputs {
        format!("{side}×{side} = {} pixels", thousands(inputs))
    } else {
        format!("{} pixels", thousands(inputs))
    };
    Err(format!(
        "The network takes images of {shape}, but the images of this set are {rows}×{cols} = {} \
         pixels. They are not resized, so the network cannot read them.",
        thousands(rows.saturating_mul(cols))
    ))
}

/// A network's input is a square: `rows` must be its side when `inputs` is a square.
fn is_square_side(inputs: usize, rows: usize) -> bool {
    let side = (inputs as f64).sqrt().round() as usize;
    side * side != inputs || side == rows
}

#[cfg(test)]
mod tests;
