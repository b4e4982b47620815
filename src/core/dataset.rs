//! Datasets, splits, file names, and per-class statistics.

use std::fmt;

use super::format::thousands;
use super::idx::{self, Images};

/// A digit classes count: labels are 0..=9.
pub const CLASSES: usize = 10;

/// Which dataset (URL segment `{dataset}`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DatasetName {
    Mnist,
    FashionMnist,
}

impl DatasetName {
    /// Datasets whose files are shipped in `data/` (the only ones URLs accept).
    pub const AVAILABLE: &'static [DatasetName] = &[DatasetName::Mnist, DatasetName::FashionMnist];

    /// URL and directory name: "mnist" / "fashion-mnist".
    pub fn id(self) -> &'static str {
        match self {
            DatasetName::Mnist => "mnist",
            DatasetName::FashionMnist => "fashion-mnist",
        }
    }

    /// Human name: "MNIST" / "Fashion-MNIST".
    pub fn title(self) -> &'static str {
        match self {
            DatasetName::Mnist => "MNIST",
            DatasetName::FashionMnist => "Fashion-MNIST",
        }
    }

    /// The dataset whose [`id`](Self::id) is `id`, available or not.
    pub fn from_id(id: &str) -> Option<DatasetName> {
        [DatasetName::Mnist, DatasetName::FashionMnist]
            .into_iter()
            .find(|d| d.id() == id)
    }

    /// The name of class `label` as shown wherever a label is: the digit itself for MNIST
    /// ("7"), the garment for Fashion-MNIST ("Ankle boot"); "?" for a label outside 0..=9.
    pub fn class_name(self, label: u8) -> &'static str {
        const DIGITS: [&str; CLASSES] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
        const FASHION: [&str; CLASSES] = [
            "T-shirt/top",
            "Trouser",
            "Pullover",
            "Dress",
            "Coat",
            "Sandal",
            "Shirt",
            "Sneaker",
            "Bag",
            "Ankle boot",
        ];
        let names = match self {
            DatasetName::Mnist => &DIGITS,
            DatasetName::FashionMnist => &FASHION,
        };
        names.get(label as usize).copied().unwrap_or("?")
    }

    /// "7" for MNIST, "9 Ankle boot" for Fashion-MNIST: the label number with its name where the
    /// name is not the number.
    pub fn numbered_class(self, label: u8) -> String {
        match self {
            DatasetName::Mnist => self.class_name(label).to_string(),
            _ => format!("{label} {}", self.class_name(label)),
        }
    }

    /// What one image is called: "digit" / "item".
    pub fn item_noun(self) -> &'static str {
        match self {
            DatasetName::Mnist => "digit",
            DatasetName::FashionMnist => "item",
        }
    }

    /// Whether its files are shipped (listed in [`AVAILABLE`](Self::AVAILABLE)).
    pub fn is_available(self) -> bool {
        Self::AVAILABLE.contains(&self)
    }
}

/// Which part of a dataset (URL segment `{split}`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Split {
    Test,
    Train,
}

impl Split {
    pub const ALL: [Split; 2] = [Split::Test, Split::Train];

    /// URL name: "test" / "train".
    pub fn id(self) -> &'static str {
        match self {
            Split::Test => "test",
            Split::Train => "train",
        }
    }

    /// Start of the file names: "t10k" / "train".
    pub fn file_stem(self) -> &'static str {
        match self {
            Split::Test => "t10k",
            Split::Train => "train",
        }
    }

    /// Words for messages: "test set" / "training set".
    pub fn noun(self) -> &'static str {
        match self {
            Split::Test => "test set",
            Split::Train => "training set",
        }
    }
}

/// File name of a split's images, e.g. "t10k-images-idx3-ubyte.gz".
pub fn images_file(split: Split) -> String {
    format!("{}-images-idx3-ubyte.gz", split.file_stem())
}

/// File name of a split's labels, e.g. "t10k-labels-idx1-ubyte.gz".
pub fn labels_file(split: Split) -> String {
    format!("{}-labels-idx1-ubyte.gz", split.file_stem())
}

/// Path of a file relative to the document base URL, e.g. "data/mnist/t10k-images-idx3-ubyte.gz".
pub fn data_path(dataset: DatasetName, file: &str) -> String {
    format!("data/{}/{file}", dataset.id())
}

/// Images and labels that belong together.
#[derive(Debug, PartialEq, Eq)]
pub enum DatasetError {
    /// As many labels as images are needed.
    CountMismatch { images: usize, labels: usize },
    /// `images.pixels` does not hold `count × rows × cols` bytes.
    PixelLength { expected: usize, actual: usize },
}

impl fmt::Display for DatasetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DatasetError::CountMismatch { images, labels } => write!(
                f,
                "the images and labels do not match: {} images but {} labels",
                thousands(*images),
                thousands(*labels)
            ),
            DatasetError::PixelLength { expected, actual } => {
                write!(
                    f,
                    "the images should hold {} pixels but hold {}",
                    thousands(*expected),
                    thousands(*actual)
                )
            }
        }
    }
}

impl std::error::Error for DatasetError {}

/// A file that could not be loaded, and why. Display: "t10k-images-idx3-ubyte.gz: problem".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadError {
    pub file: String,
    pub problem: String,
}

impl LoadError {
    fn new(file: String, problem: impl fmt::Display) -> LoadError {
        LoadError {
            file,
            problem: problem.to_string(),
        }
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file, self.problem)
    }
}

impl std::error::Error for LoadError {}

/// A decoded split: image `i` has label `labels[i]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dataset {
    pub images: Images,
    pub labels: Vec<u8>,
}

impl Dataset {
    /// Pairs images with labels; the counts must agree and the pixels must fill the images.
    pub fn new(images: Images, labels: Vec<u8>) -> Result<Dataset, DatasetError> {
        if images.count != labels.len() {
            return Err(DatasetError::CountMismatch {
                images: images.count,
                labels: labels.len(),
            });
        }
        let expected = images.count.checked_mul(images.image_len());
        if expected != Some(images.pixels.len()) {
            return Err(DatasetError::PixelLength {
                expected: expected.unwrap_or(usize::MAX),
                actual: images.pixels.len(),
            });
        }
        Ok(Dataset { images, labels })
    }

    /// Gunzips and decodes a split's two files; the error names the file at fault.
    pub fn from_gz(images_gz: &[u8], labels_gz: &[u8], split: Split) -> Result<Dataset, LoadError> {
        let mut decoder = SplitDecoder::new(split, Some(images_gz.len()), Some(labels_gz.len()));
        decoder.push_images(images_gz)?;
        decoder.end_images()?;
        decoder.push_labels(labels_gz)?;
        decoder.finish()
    }

    /// Pairs a split's decoded files; a count mismatch is blamed on the labels file.
    fn from_files(images: Images, labels: Vec<u8>, split: Split) -> Result<Dataset, LoadError> {
        let (image_count, label_count) = (images.count, labels.len());
        Dataset::new(images, labels).map_err(|e| match e {
            DatasetError::CountMismatch { .. } => LoadError::new(
                labels_file(split),
                format!(
                    "it holds {} labels, but {} holds {} images",
                    thousands(label_count),
                    images_file(split),
                    thousands(image_count)
                ),
            ),
            DatasetError::PixelLength { .. } => LoadError::new(images_file(split), e),
        })
    }

    /// Number of images.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Pixels of image `i` (`rows × cols`, row-major). Panics unless `i < len()`:
    /// check indices from URLs with `url::parse_index` first, or use [`get_image`](Self::get_image).
    pub fn image(&self, i: usize) -> &[u8] {
        let n = self.images.image_len();
        &self.images.pixels[i * n..(i + 1) * n]
    }

    /// Pixels of image `i`, or None when there is no such image.
    pub fn get_image(&self, i: usize) -> Option<&[u8]> {
        (i < self.len()).then(|| self.image(i))
    }

    /// Label of image `i`. Panics unless `i < len()`.
    pub fn label(&self, i: usize) -> u8 {
        self.labels[i]
    }

    /// Indices of all images (label None) or of those with one label, ascending.
    pub fn indices(&self, label: Option<u8>) -> Vec<usize> {
        match label {
            None => (0..self.len()).collect(),
            Some(l) => (0..self.len()).filter(|&i| self.labels[i] == l).collect(),
        }
    }
}

/// A split's images file, still arriving or decoded.
enum ImagesStage {
    Arriving(idx::IdxStream),
    Decoded(Images),
    /// Only while moving from one stage to the other.
    Moving,
}

/// Decodes a split's two gzipped files while they download: push the images file's pieces as
/// they arrive, then [`end_images`](Self::end_images), then the labels file's pieces, then
/// [`finish`](Self::finish). Accepts and rejects exactly what [`Dataset::from_gz`] does (which
/// is built on it), with the same errors naming the file at fault.
pub struct SplitDecoder {
    split: Split,
    images: ImagesStage,
    labels: idx::IdxStream,
}

impl SplitDecoder {
    /// `images_len`, `labels_len`: the compressed sizes when known (they bound the memory
    /// reserved from what the files' headers claim).
    pub fn new(split: Split, images_len: Option<usize>, labels_len: Option<usize>) -> SplitDecoder {
        SplitDecoder {
            split,
            images: ImagesStage::Arriving(idx::IdxStream::images(images_len)),
            labels: idx::IdxStream::labels(labels_len),
        }
    }

    fn images_error(&self, e: idx::IdxError) -> LoadError {
        LoadError::new(images_file(self.split), e)
    }

    fn images_error_text(&self, problem: &str) -> LoadError {
        LoadError::new(images_file(self.split), problem)
    }

    /// The next piece of the images file. Calling it after [`end_images`](Self::end_images) is a
    /// programming error, reported as an error of the images file.
    pub fn push_images(&mut self, piece: &[u8]) -> Result<(), LoadError> {
        match &mut self.images {
            ImagesStage::Arriving(stream) => stream
                .push(piece)
                .map_err(|e| LoadError::new(images_file(self.split), e)),
            _ => Err(self.images_error_text("more data arrived after the end of the file")),
        }
    }

    /// The images file is complete: decodes and checks it (idempotent).
    pub fn end_images(&mut self) -> Result<(), LoadError> {
        match std::mem::replace(&mut self.images, ImagesStage::Moving) {
            ImagesStage::Arriving(stream) => {
                let images = stream.finish_images().map_err(|e| self.images_error(e))?;
                self.images = ImagesStage::Decoded(images);
                Ok(())
            }
            ImagesStage::Decoded(images) => {
                self.images = ImagesStage::Decoded(images);
                Ok(())
            }
            ImagesStage::Moving => Err(self.images_error_text("its decoding failed earlier")),
        }
    }

    /// The next piece of the labels file.
    pub fn push_labels(&mut self, piece: &[u8]) -> Result<(), LoadError> {
        self.labels
            .push(piece)
            .map_err(|e| LoadError::new(labels_file(self.split), e))
    }

    /// Both files are complete: the split (images checked first, then labels, then the counts).
    pub fn finish(mut self) -> Result<Dataset, LoadError> {
        self.end_images()?;
        let images = match std::mem::replace(&mut self.images, ImagesStage::Moving) {
            ImagesStage::Decoded(images) => images,
            _ => return Err(self.images_error_text("its decoding failed earlier")),
        };
        let labels = self
            .labels
            .finish_labels()
            .map_err(|e| LoadError::new(labels_file(self.split), e))?;
        Dataset::from_files(images, labels, self.split)
    }
}

/// Per-class counts and mean images.
#[derive(Clone, Debug, PartialEq)]
pub struct ClassStats {
    /// `counts[d]` images have label d.
    pub counts: [usize; CLASSES],
    /// `means[d]`: the mean of the images of class d, `rows × cols` values in 0..=255
    /// (all zero for a class without images).
    pub means: Vec<Vec<f32>>,
}

/// Counts the images of each class and averages them pixel by pixel.
pub fn class_stats(d: &Dataset) -> ClassStats {
    let n = d.images.image_len();
    let mut counts = [0usize; CLASSES];
    // u32 sums: up to 16.8 million images of 255 fit.
    let mut sums = vec![vec![0u32; n]; CLASSES];
    for i in 0..d.len() {
        let class = d.label(i) as usize;
        counts[class] += 1;
        for (sum, &p) in sums[class].iter_mut().zip(d.image(i)) {
            *sum += p as u32;
        }
    }
    let means = sums
        .iter()
        .zip(counts)
        .map(|(sum, count)| mean_of(sum, count))
        .collect();
    ClassStats { counts, means }
}

fn mean_of(sum: &[u32], count: usize) -> Vec<f32> {
    if count == 0 {
        return vec![0.0; sum.len()];
    }
    sum.iter()
        .map(|&s| (s as f64 / count as f64) as f32)
        .collect()
}

/// A mean image (values 0..=255) as drawable bytes, rounded and clamped.
pub fn mean_image_u8(mean: &[f32]) -> Vec<u8> {
    mean.iter()
        .map(|&v| {
            if v.is_nan() {
                0
            } else {
                v.round().clamp(0.0, 255.0) as u8
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::idx::fixtures::*;
    use super::*;

    fn images(count: usize, rows: usize, cols: usize, pixels: Vec<u8>) -> Images {
        Images {
            count,
            rows,
            cols,
            pixels,
        }
    }

    fn small() -> Dataset {
        // Four 1×2 images.
        let pixels = vec![0, 10, 255, 255, 4, 20, 1, 1];
        Dataset::new(images(4, 1, 2, pixels), vec![3, 7, 3, 0]).unwrap()
    }

    #[test]
    fn names_and_files() {
        assert_eq!(DatasetName::Mnist.id(), "mnist");
        assert_eq!(DatasetName::FashionMnist.id(), "fashion-mnist");
        assert_eq!(DatasetName::Mnist.title(), "MNIST");
        assert_eq!(
            DatasetName::from_id("fashion-mnist"),
            Some(DatasetName::FashionMnist)
        );
        assert_eq!(DatasetName::from_id("MNIST"), None);
        assert!(DatasetName::Mnist.is_available());
        assert!(DatasetName::FashionMnist.is_available());
        assert_eq!(Split::Test.id(), "test");
        assert_eq!(Split::Train.file_stem(), "train");
        assert_eq!(images_file(Split::Test), "t10k-images-idx3-ubyte.gz");
        assert_eq!(labels_file(Split::Train), "train-labels-idx1-ubyte.gz");
        assert_eq!(
            data_path(DatasetName::Mnist, &labels_file(Split::Test)),
            "data/mnist/t10k-labels-idx1-ubyte.gz"
        );
    }

    #[test]
    fn class_names_per_dataset() {
        assert_eq!(DatasetName::Mnist.class_name(7), "7");
        assert_eq!(DatasetName::Mnist.class_name(0), "0");
        assert_eq!(DatasetName::FashionMnist.class_name(0), "T-shirt/top");
        assert_eq!(DatasetName::FashionMnist.class_name(9), "Ankle boot");
        assert_eq!(DatasetName::FashionMnist.class_name(10), "?");
        assert_eq!(DatasetName::Mnist.class_name(255), "?");
        assert_eq!(DatasetName::Mnist.numbered_class(3), "3");
        assert_eq!(DatasetName::FashionMnist.numbered_class(5), "5 Sandal");
        assert_eq!(DatasetName::FashionMnist.item_noun(), "item");
        // Ten distinct names for each dataset.
        for d in DatasetName::AVAILABLE {
            let mut names: Vec<&str> = (0..CLASSES as u8).map(|l| d.class_name(l)).collect();
            names.sort();
            names.dedup();
            assert_eq!(names.len(), CLASSES, "{}", d.id());
        }
    }

    #[test]
    fn count_mismatch_is_refused() {
        let err = Dataset::new(images(2, 1, 1, vec![0, 0]), vec![1]).unwrap_err();
        assert_eq!(
            err,
            DatasetError::CountMismatch {
                images: 2,
                labels: 1
            }
        );
        assert_eq!(
            err.to_string(),
            "the images and labels do not match: 2 images but 1 labels"
        );
    }

    #[test]
    fn pixel_length_is_checked() {
        let err = Dataset::new(images(2, 2, 2, vec![0; 7]), vec![1, 2]).unwrap_err();
        assert_eq!(
            err,
            DatasetError::PixelLength {
                expected: 8,
                actual: 7
            }
        );
    }

    #[test]
    fn images_and_labels_by_index() {
        let d = small();
        assert_eq!(d.len(), 4);
        assert_eq!(d.image(1), &[255, 255]);
        assert_eq!(d.label(3), 0);
        assert_eq!(d.get_image(3), Some(&[1u8, 1][..]));
        assert_eq!(d.get_image(4), None);
    }

    #[test]
    fn indices_filter_by_label() {
        let d = small();
        assert_eq!(d.indices(None), vec![0, 1, 2, 3]);
        assert_eq!(d.indices(Some(3)), vec![0, 2]);
        assert_eq!(d.indices(Some(5)), Vec::<usize>::new());
    }

    #[test]
    fn class_stats_count_and_average() {
        let s = class_stats(&small());
        assert_eq!(s.counts, [1, 0, 0, 2, 0, 0, 0, 1, 0, 0]);
        assert_eq!(s.means.len(), 10);
        assert_eq!(s.means[3], vec![2.0, 15.0]);
        assert_eq!(s.means[7], vec![255.0, 255.0]);
        assert_eq!(s.means[5], vec![0.0, 0.0]);
    }

    #[test]
    fn mean_image_rounds_and_clamps() {
        assert_eq!(
            mean_image_u8(&[0.4, 0.5, 254.6, 300.0, -3.0, f32::NAN]),
            vec![0, 1, 255, 255, 0, 0]
        );
    }

    #[test]
    fn from_gz_loads_a_split() {
        let d = Dataset::from_gz(
            &gzip(&image_bytes(3, 2, 2)),
            &gzip(&label_bytes(&[1, 2, 3])),
            Split::Test,
        )
        .unwrap();
        assert_eq!(d.len(), 3);
        assert_eq!(d.images.rows, 2);
    }

    #[test]
    fn from_gz_names_the_broken_image_file() {
        let err = Dataset::from_gz(b"hello", &gzip(&label_bytes(&[1])), Split::Test).unwrap_err();
        assert_eq!(err.file, "t10k-images-idx3-ubyte.gz");
        assert_eq!(
            err.to_string(),
            "t10k-images-idx3-ubyte.gz: not a gzip file (it does not start with the bytes 1f 8b)"
        );
    }

    #[test]
    fn from_gz_names_the_broken_label_file() {
        let labels = gzip(&label_bytes(&[1, 12]));
        let err =
            Dataset::from_gz(&gzip(&image_bytes(2, 2, 2)), &labels, Split::Train).unwrap_err();
        assert_eq!(err.file, "train-labels-idx1-ubyte.gz");
        assert!(
            err.problem.contains("label number 1 is 12"),
            "{}",
            err.problem
        );
    }

    #[test]
    fn split_decoder_names_the_file_whose_piece_is_bad() {
        let mut d = SplitDecoder::new(Split::Train, None, None);
        let err = d.push_images(b"not gzip").unwrap_err();
        assert_eq!(
            err.to_string(),
            "train-images-idx3-ubyte.gz: not a gzip file (it does not start with the bytes 1f 8b)"
        );
        let mut d = SplitDecoder::new(Split::Test, None, None);
        d.push_images(&gzip(&image_bytes(1, 2, 2))).unwrap();
        d.end_images().unwrap();
        let err = d.push_labels(&[0x1f, 0x8b, 9]).unwrap_err();
        assert_eq!(err.file, "t10k-labels-idx1-ubyte.gz");
        assert!(err.problem.starts_with("the gzip data is corrupt"), "{err}");
    }

    #[test]
    fn split_decoder_checks_the_images_when_they_end_and_refuses_later_pieces() {
        let images = gzip(&image_bytes(2, 2, 2));
        let mut d = SplitDecoder::new(Split::Test, Some(images.len()), None);
        d.push_images(&images[..images.len() - 3]).unwrap();
        let err = d.end_images().unwrap_err();
        assert_eq!(
            err.to_string(),
            "t10k-images-idx3-ubyte.gz: the gzip data is truncated: the download stopped early or the file is cut off"
        );
        assert!(d.push_images(&images).is_err());
        assert!(d.finish().is_err());
    }

    #[test]
    fn split_decoder_finishes_without_an_explicit_end_of_the_images() {
        let mut d = SplitDecoder::new(Split::Test, None, None);
        d.push_images(&gzip(&image_bytes(3, 2, 2))).unwrap();
        d.push_labels(&gzip(&label_bytes(&[1, 2, 3]))).unwrap();
        let data = d.finish().unwrap();
        assert_eq!(data.len(), 3);
        assert_eq!(data.label(2), 3);
    }

    #[test]
    fn from_gz_reports_count_mismatch() {
        let labels = gzip(&label_bytes(&[1, 2]));
        let err = Dataset::from_gz(&gzip(&image_bytes(3, 2, 2)), &labels, Split::Test).unwrap_err();
        assert_eq!(err.file, "t10k-labels-idx1-ubyte.gz");
        assert_eq!(
            err.to_string(),
            "t10k-labels-idx1-ubyte.gz: it holds 2 labels, but t10k-images-idx3-ubyte.gz holds 3 images"
        );
    }
}
