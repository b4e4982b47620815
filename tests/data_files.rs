//! The shipped MNIST and Fashion-MNIST files: intact (SHA256SUMS) and decoded to the known sizes
//! and class counts.

use std::path::{Path, PathBuf};

use mnist_viz::core::dataset::{
    class_stats, images_file, labels_file, Dataset, DatasetName, Split,
};
use sha2::{Digest, Sha256};

fn dataset_dir(d: DatasetName) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("data/{}", d.id()))
}

fn read(file: &str) -> Vec<u8> {
    read_in(DatasetName::Mnist, file)
}

fn read_in(d: DatasetName, file: &str) -> Vec<u8> {
    let path = dataset_dir(d).join(file);
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// (expected sha256, file name) for every line of a dataset's SHA256SUMS.
fn checksums(d: DatasetName) -> Vec<(String, String)> {
    let sums = String::from_utf8(read_in(d, "SHA256SUMS")).expect("SHA256SUMS is text");
    sums.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let (hash, name) = l
                .split_once(char::is_whitespace)
                .expect("`hash  name` lines");
            (
                hash.to_string(),
                name.trim().trim_start_matches('*').to_string(),
            )
        })
        .collect()
}

#[test]
fn files_match_their_checksums() {
    check_sums(DatasetName::Mnist);
}

#[test]
fn fashion_files_match_their_checksums() {
    check_sums(DatasetName::FashionMnist);
}

fn check_sums(d: DatasetName) {
    let sums = checksums(d);
    assert_eq!(sums.len(), 4, "{}: four files", d.id());
    for split in Split::ALL {
        for file in [images_file(split), labels_file(split)] {
            assert!(
                sums.iter().any(|(_, name)| *name == file),
                "{file} missing from SHA256SUMS"
            );
        }
    }
    for (expected, name) in sums {
        let actual = hex(&Sha256::digest(read_in(d, &name)));
        assert_eq!(actual, expected, "{name} does not match SHA256SUMS");
    }
}

fn load(split: Split) -> Dataset {
    Dataset::from_gz(
        &read(&images_file(split)),
        &read(&labels_file(split)),
        split,
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

fn check_split(split: Split, count: usize, class_counts: [usize; 10]) {
    let d = load(split);
    assert_eq!(d.len(), count);
    assert_eq!(
        (d.images.count, d.images.rows, d.images.cols),
        (count, 28, 28)
    );
    assert_eq!(d.images.pixels.len(), count * 28 * 28);
    let stats = class_stats(&d);
    assert_eq!(stats.counts, class_counts);
    for (digit, &n) in class_counts.iter().enumerate() {
        assert_eq!(d.indices(Some(digit as u8)).len(), n);
    }
    // Mean images are real averages: within 0..=255, with ink in the middle and none in the corner.
    for mean in &stats.means {
        assert_eq!(mean.len(), 28 * 28);
        assert!(mean.iter().all(|&v| (0.0..=255.0).contains(&v)));
        assert_eq!(mean[0], 0.0);
    }
    let centre = 14 * 28 + 14;
    assert!(
        stats.means[1][centre] > 200.0,
        "ones are drawn through the centre"
    );
    assert!(stats.means[0][centre] < 100.0, "zeros are hollow");
}

#[test]
fn test_split_decodes_to_known_counts() {
    check_split(
        Split::Test,
        10_000,
        [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009],
    );
}

#[test]
fn train_split_decodes_to_known_counts() {
    check_split(
        Split::Train,
        60_000,
        [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949],
    );
}

#[test]
fn swapped_files_are_reported_by_name() {
    let split = Split::Test;
    let err = Dataset::from_gz(
        &read(&labels_file(split)),
        &read(&images_file(split)),
        split,
    )
    .unwrap_err();
    assert_eq!(err.file, "t10k-images-idx3-ubyte.gz");
    assert!(
        err.problem
            .starts_with("wrong magic number 2049: expected 2051"),
        "{err}"
    );
}

#[test]
fn mismatched_splits_are_refused() {
    let err = Dataset::from_gz(
        &read(&images_file(Split::Test)),
        &read(&labels_file(Split::Train)),
        Split::Test,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "t10k-labels-idx1-ubyte.gz: it holds 60,000 labels, but t10k-images-idx3-ubyte.gz holds 10,000 images"
    );
}

/// flate2's gunzip of a shipped file: the reference the app's own gunzip is checked against.
fn reference_gunzip(file: &str) -> Vec<u8> {
    let mut raw = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&read(file)[..]), &mut raw)
        .expect("flate2 gunzips the shipped file");
    raw
}

#[test]
fn gunzip_of_the_shipped_files_matches_flate2() {
    for split in Split::ALL {
        for file in [images_file(split), labels_file(split)] {
            let ours = mnist_viz::core::idx::gunzip(&read(&file)).unwrap();
            assert!(
                ours == reference_gunzip(&file),
                "{file} differs from flate2's gunzip"
            );
        }
    }
}

#[test]
fn a_split_decoded_piece_by_piece_as_it_downloads_equals_the_whole_file_decode() {
    use mnist_viz::core::dataset::SplitDecoder;
    let split = Split::Test;
    let (images, labels) = (read(&images_file(split)), read(&labels_file(split)));
    let whole = load(split);
    // Uneven pieces like a network delivers (from 1 byte to 100 KB), the sizes known or not.
    let sizes = [1usize, 7, 4093, 65_536, 17, 100_000, 3];
    for known in [true, false] {
        let mut decoder = SplitDecoder::new(
            split,
            known.then_some(images.len()),
            known.then_some(labels.len()),
        );
        let mut at = 0;
        for k in 0.. {
            if at == images.len() {
                break;
            }
            let end = (at + sizes[k % sizes.len()]).min(images.len());
            decoder.push_images(&images[at..end]).unwrap();
            at = end;
        }
        decoder.end_images().unwrap();
        for piece in labels.chunks(999) {
            decoder.push_labels(piece).unwrap();
        }
        assert!(decoder.finish().unwrap() == whole);
    }
}

fn load_fashion(split: Split) -> Dataset {
    let d = DatasetName::FashionMnist;
    Dataset::from_gz(
        &read_in(d, &images_file(split)),
        &read_in(d, &labels_file(split)),
        split,
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

/// SOURCE.md: each class has 6000 training and 1000 test images of 28×28.
#[test]
fn fashion_splits_decode_to_known_counts() {
    for (split, count) in [(Split::Test, 10_000), (Split::Train, 60_000)] {
        let d = load_fashion(split);
        assert_eq!((d.len(), d.images.rows, d.images.cols), (count, 28, 28));
        let stats = class_stats(&d);
        assert_eq!(stats.counts, [count / 10; 10], "{}", split.id());
        // Garments, not digits: trousers (1) leave a gap between the legs at the bottom
        // centre that dresses (3) fill; bags (8) are wider than trousers at mid-height.
        let at = |class: usize, row: usize, col: usize| stats.means[class][row * 28 + col];
        assert!(at(1, 24, 14) < at(3, 24, 14), "trousers have two legs");
        assert!(at(8, 14, 3) > at(1, 14, 3), "bags are wide");
    }
}
