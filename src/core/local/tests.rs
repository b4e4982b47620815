use super::super::idx::fixtures::{gzip, header, image_bytes, label_bytes};
use super::*;

fn pair(images: Vec<u8>, labels: Vec<u8>) -> Vec<(String, Vec<u8>)> {
    vec![
        ("letters-images-idx3-ubyte.gz".to_string(), images),
        ("letters-labels-idx1-ubyte.gz".to_string(), labels),
    ]
}

fn only_error(r: Result<LocalSet, Vec<LoadError>>) -> LoadError {
    let errors = r.unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    errors.into_iter().next().unwrap()
}

#[test]
fn reads_odd_sizes_gzipped_or_raw_in_any_order() {
    // 12 images of 5 rows × 7 columns, 3 classes.
    let labels: Vec<u8> = (0..12).map(|i| (i % 3) as u8).collect();
    for (gz_images, gz_labels) in [(true, true), (false, false), (true, false), (false, true)] {
        let images = image_bytes(12, 5, 7);
        let images = if gz_images { gzip(&images) } else { images };
        let l = label_bytes(&labels);
        let l = if gz_labels { gzip(&l) } else { l };
        let mut files = pair(images, l);
        let set = read_pair(&files, &[]).unwrap();
        assert_eq!(set.name, "letters");
        assert_eq!(set.images_file, "letters-images-idx3-ubyte.gz");
        assert_eq!(set.labels_file, "letters-labels-idx1-ubyte.gz");
        assert_eq!((set.data.images.rows, set.data.images.cols), (5, 7));
        assert_eq!(set.data.len(), 12);
        assert_eq!(set.classes, 3);
        assert_eq!(set.data.image(1).len(), 35);
        // image_bytes fills pixel k of the file with k % 251.
        assert_eq!(set.data.image(1)[0], 35);
        assert_eq!(set.data.label(4), 1);
        assert_eq!(set.summary(), "12 images of 5×7 pixels, 3 classes");
        // The order of the files does not matter.
        files.reverse();
        assert_eq!(read_pair(&files, &[]).unwrap(), set);
    }
}

#[test]
fn any_size_from_one_pixel_up() {
    for (rows, cols) in [(1, 1), (1, 30), (30, 1), (28, 28), (64, 48), (3, 100)] {
        let files = pair(image_bytes(4, rows, cols), label_bytes(&[0, 1, 0, 1]));
        let set = read_pair(&files, &[]).unwrap();
        assert_eq!(
            (set.data.images.rows, set.data.images.cols),
            (rows as usize, cols as usize)
        );
        assert_eq!(set.data.images.pixels.len(), 4 * (rows * cols) as usize);
    }
}

#[test]
fn up_to_256_classes() {
    let labels: Vec<u8> = (0..=255).collect();
    let files = pair(image_bytes(256, 2, 3), label_bytes(&labels));
    let set = read_pair(&files, &[]).unwrap();
    assert_eq!(set.classes, MAX_CLASSES);
    assert_eq!(set.data.label(255), 255);
    // A set with one class (every label 0) and one whose labels skip values (max 200 → 201).
    let set = read_pair(&pair(image_bytes(2, 2, 2), label_bytes(&[0, 0])), &[]).unwrap();
    assert_eq!(set.classes, 1);
    assert_eq!(set.summary(), "2 images of 2×2 pixels, 1 class");
    let set = read_pair(&pair(image_bytes(2, 2, 2), label_bytes(&[7, 200])), &[]).unwrap();
    assert_eq!(set.classes, 201);
}

#[test]
fn text_is_not_idx() {
    let text = b"hello, these are not the files you are looking for".to_vec();
    let files = vec![
        ("notes.txt".to_string(), text),
        ("l.idx1".to_string(), label_bytes(&[1])),
    ];
    let e = only_error(read_pair(&files, &[]));
    assert_eq!(e.file, "notes.txt");
    assert!(e.problem.starts_with("it is not an IDX file"), "{e}");
    assert!(e.problem.contains("68 65 6c 6c"), "{e}");
    // Too short for a magic number.
    let e = kind_of("x", &[0, 0]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "x: it is not an IDX file: it has only 2 bytes, less than an IDX header"
    );
}

#[test]
fn truncated_files_are_named() {
    let images = image_bytes(12, 8, 6);
    let labels = label_bytes(&[0; 12]);
    // A raw image file cut short.
    let e = only_error(read_pair(
        &pair(images[..100].to_vec(), labels.clone()),
        &[],
    ));
    assert_eq!(e.file, "letters-images-idx3-ubyte.gz");
    assert!(e.problem.starts_with("it is truncated"), "{e}");
    assert!(
        e.problem.contains("592 bytes") && e.problem.contains("only 100"),
        "{e}"
    );
    // A gzipped label file cut short.
    let gz = gzip(&labels);
    let e = only_error(read_pair(
        &pair(images.clone(), gz[..gz.len() / 2].to_vec()),
        &[],
    ));
    assert_eq!(e.file, "letters-labels-idx1-ubyte.gz");
    assert!(e.problem.contains("truncated"), "{e}");
    // A header cut short.
    let e = only_error(read_pair(&pair(images[..10].to_vec(), labels), &[]));
    assert!(e.problem.contains("too short"), "{e}");
}

#[test]
fn dimensions_that_do_not_match_the_length() {
    // The header says 8×6, the pixels are 8×7.
    let mut images = header(&[IMAGES_MAGIC, 12, 8, 6]);
    images.extend(vec![9u8; 12 * 8 * 7]);
    let e = only_error(read_pair(&pair(gzip(&images), label_bytes(&[0; 12])), &[]));
    assert_eq!(e.file, "letters-images-idx3-ubyte.gz");
    assert_eq!(
        e.problem,
        "its dimensions do not match its length: the header describes 592 bytes but the file has 688"
    );
    // A label file longer than its count.
    let mut labels = label_bytes(&[0; 12]);
    labels.push(1);
    let e = only_error(read_pair(&pair(image_bytes(12, 8, 6), labels), &[]));
    assert_eq!(e.file, "letters-labels-idx1-ubyte.gz");
    assert!(
        e.problem
            .starts_with("its dimensions do not match its length"),
        "{e}"
    );
}

#[test]
fn counts_must_agree() {
    let e = only_error(read_pair(
        &pair(image_bytes(12, 8, 6), label_bytes(&[0; 11])),
        &[],
    ));
    assert_eq!(e.file, "letters-labels-idx1-ubyte.gz");
    assert_eq!(
        e.problem,
        "it holds 11 labels, but letters-images-idx3-ubyte.gz holds 12 images: the counts must agree"
    );
}

#[test]
fn the_limit_is_checked_before_allocating() {
    // A 16-byte header claiming 100,000 images of 100×100 (a gigabyte): refused from the header.
    let images = header(&[IMAGES_MAGIC, 100_000, 100, 100]);
    let e = only_error(read_pair(&pair(images, label_bytes(&[0])), &[]));
    assert_eq!(e.file, "letters-images-idx3-ubyte.gz");
    assert!(e.problem.contains("1,000,000,000 bytes"), "{e}");
    assert!(e.problem.contains("64 MiB"), "{e}");
    // The largest claim that u32 dimensions allow does not overflow.
    let images = header(&[IMAGES_MAGIC, u32::MAX, u32::MAX, u32::MAX]);
    let e = only_error(read_pair(&pair(images, label_bytes(&[0])), &[]));
    assert!(e.problem.contains("more than the limit"), "{e}");
    // Exactly at the limit is allowed by the check (and then found truncated).
    let side = MAX_SIDE as u32; // 256 × 512 × 512 = 64 MiB
    let images = header(&[IMAGES_MAGIC, 256, side, side]);
    let e = only_error(read_pair(&pair(images, label_bytes(&[0; 256])), &[]));
    assert!(e.problem.starts_with("it is truncated"), "{e}");
    // A side over 512 pixels is refused, however few the images.
    for (rows, cols) in [(513, 1), (1, 513)] {
        let images = image_bytes(1, rows, cols);
        let e = only_error(read_pair(&pair(images, label_bytes(&[0])), &[]));
        assert_eq!(
            e.problem,
            format!("its images are {rows}×{cols} pixels, larger than the limit of 512×512 for images of your own")
        );
    }
    let set = read_pair(&pair(image_bytes(1, 512, 512), label_bytes(&[0])), &[]).unwrap();
    assert_eq!(set.data.images.image_len(), 512 * 512);
    // A gzip that unpacks past the limit is stopped at the limit.
    let big = gzip(&vec![0u8; MAX_LOCAL_BYTES + 1]);
    let e = unpack("zeros.gz", &big).unwrap_err();
    assert_eq!(e.file, "zeros.gz");
    assert!(e.problem.contains("larger than 64 MiB"), "{e}");
    assert_eq!(limit_text(), "64 MiB");
}

#[test]
fn empty_sets_and_wrong_pairs() {
    let e = only_error(read_pair(
        &pair(image_bytes(0, 2, 2), label_bytes(&[0])),
        &[],
    ));
    assert_eq!(e.problem, "it holds no images");
    let e = only_error(read_pair(
        &pair(image_bytes(1, 2, 2), label_bytes(&[])),
        &[],
    ));
    assert_eq!(e.problem, "it holds no labels");
    let e = only_error(read_pair(
        &pair(header(&[IMAGES_MAGIC, 1, 0, 3]), label_bytes(&[0])),
        &[],
    ));
    assert!(e.problem.contains("0×3"), "{e}");
    // Two image files: the second is named.
    let files = vec![
        ("a.idx3".to_string(), image_bytes(1, 2, 2)),
        ("b.idx3".to_string(), image_bytes(1, 2, 2)),
    ];
    let e = only_error(read_pair(&files, &[]));
    assert_eq!(e.file, "b.idx3");
    assert!(e.problem.contains("second image file"));
    // One file, or three.
    let e = only_error(read_pair(&files[..1], &[]));
    assert_eq!(e.file, "a.idx3");
    assert!(e.problem.contains("not 1"));
    // Both files bad: both are named.
    let files = vec![
        ("a.txt".to_string(), b"plain text".to_vec()),
        ("b.idx1".to_string(), label_bytes(&[1, 2])[..9].to_vec()),
    ];
    let errors = read_pair(&files, &[]).unwrap_err();
    let named: Vec<&str> = errors.iter().map(|e| e.file.as_str()).collect();
    assert_eq!(named, ["a.txt", "b.idx1"]);
}

#[test]
fn names_for_urls() {
    assert_eq!(name_from_file("train-images-idx3-ubyte.gz"), "train");
    assert_eq!(name_from_file("My Letters_images.idx3-ubyte"), "my-letters");
    assert_eq!(
        name_from_file("emnist-letters-train-images-idx3-ubyte"),
        "emnist-letters-train"
    );
    assert_eq!(name_from_file("idx3-ubyte.gz"), "set");
    assert_eq!(name_from_file("Ünïcode!!.bin"), "n-code-bin");
    assert_eq!(name_from_file(&"x".repeat(100)).len(), 40);
    for f in [
        "train-images-idx3-ubyte.gz",
        "My Letters_images.idx3-ubyte",
        "??",
        "a--b",
    ] {
        assert!(is_valid_name(&name_from_file(f)), "{f}");
    }
    assert!(!is_valid_name("Bad Name"));
    assert!(!is_valid_name(""));
    assert!(!is_valid_name("-a"));
    let taken = vec!["train".to_string(), "train-2".to_string()];
    assert_eq!(unique_name("train", &taken), "train-3");
    assert_eq!(unique_name("test", &taken), "test");
    let set = read_pair(
        &pair(image_bytes(1, 1, 1), label_bytes(&[0])),
        &["letters".into()],
    )
    .unwrap();
    assert_eq!(set.name, "letters-2");
}

#[test]
fn paths_and_items() {
    assert_eq!(grid_path("letters", 1), "/data/local/letters");
    assert_eq!(grid_path("letters", 3), "/data/local/letters?page=3");
    assert_eq!(item_path("letters", 11), "/data/local/letters/11");
    assert_eq!(
        filtered_grid_path("letters", 1, Some(200)),
        "/data/local/letters?label=200"
    );
    assert_eq!(
        filtered_grid_path("letters", 2, Some(0)),
        "/data/local/letters?page=2&label=0"
    );
    assert_eq!(parse_class(None, 3), Ok(None));
    assert_eq!(parse_class(Some(""), 3), Ok(None));
    assert_eq!(parse_class(Some("2"), 3), Ok(Some(2)));
    assert_eq!(parse_class(Some("255"), 256), Ok(Some(255)));
    assert_eq!(
        parse_class(Some("3"), 3),
        Err("Label \"3\" does not exist: the labels of this set are 0–2.".to_string())
    );
    assert!(parse_class(Some("256"), 256).is_err());
    assert!(parse_class(Some("+1"), 3).is_err());
    assert!(parse_class(Some("x"), 3).is_err());
    assert_eq!(page_of(0), 1);
    assert_eq!(page_of(99), 1);
    assert_eq!(page_of(100), 2);
    assert_eq!(parse_item("11", 12), Ok(11));
    assert_eq!(
        parse_item("12", 12),
        Err("There is no image \"12\": the set has images 0–11.".to_string())
    );
    assert!(parse_item("-1", 12).is_err());
    assert!(parse_item("+1", 12).is_err());
    assert!(parse_item("99999999999999999999999", 12).is_err());
    assert_eq!(
        parse_item("1", 1),
        Err("There is no image \"1\": the set has only image 0.".to_string())
    );
}

#[test]
fn network_samples() {
    assert_eq!(
        network_path("letters", 5),
        "/network?sample=local/letters/5"
    );
    assert_eq!(
        parse_network_sample("local/letters/5"),
        Some(("letters".to_string(), "5".to_string()))
    );
    assert_eq!(
        parse_network_sample("local/letters"),
        Some(("letters".to_string(), String::new()))
    );
    assert_eq!(parse_network_sample("mnist/test/5"), None);
    assert_eq!(parse_network_sample("localx/a/1"), None);
}

#[test]
fn the_network_reads_only_its_own_size() {
    assert_eq!(network_fit(28, 28, 784), Ok(()));
    assert_eq!(
        network_fit(8, 6, 784),
        Err(
            "The network takes images of 28×28 = 784 pixels, but the images of this set are \
             8×6 = 48 pixels. They are not resized, so the network cannot read them."
                .to_string()
        )
    );
    // Same pixel count, other shape: still refused.
    assert!(network_fit(16, 49, 784).is_err());
    assert!(network_fit(5, 7, 35).is_ok());
    assert!(network_fit(7, 5, 35).is_ok());
}

fn set_of(count: usize, rows: usize, cols: usize, classes: u8) -> LocalSet {
    let labels: Vec<u8> = (0..count).map(|i| (i % classes as usize) as u8).collect();
    let images = image_bytes(count as u32, rows as u32, cols as u32);
    read_pair(&pair(images, label_bytes(&labels)), &[]).unwrap()
}

#[test]
fn only_28_by_28_sets_of_at_most_10_classes_train() {
    assert_eq!(trainable(&set_of(20, 28, 28, 3)), Ok(()));
    assert_eq!(trainable(&set_of(20, 28, 28, 10)), Ok(()));
    let e = trainable(&set_of(20, 5, 7, 3)).unwrap_err();
    assert!(e.contains("7×5") && e.contains("28×28"), "{e}");
    let e = trainable(&set_of(30, 28, 28, 12)).unwrap_err();
    assert!(e.contains("12 classes"), "{e}");
    let e = trainable(&set_of(1, 28, 28, 1)).unwrap_err();
    assert!(e.contains("one image"), "{e}");
}

#[test]
fn the_last_seventh_is_held_out_for_testing() {
    let set = set_of(70, 4, 3, 5);
    let (train, test) = training_split(&set.data).unwrap();
    assert_eq!((train.len(), test.len()), (60, 10));
    assert_eq!(train.image(0), set.data.image(0));
    assert_eq!(test.image(0), set.data.image(60));
    assert_eq!(test.image(9), set.data.image(69));
    assert_eq!(test.label(3), set.data.label(63));
    // Small sets keep at least one image on each side.
    for n in 2..20 {
        let (train, test) = training_split(&set_of(n, 2, 2, 2).data).unwrap();
        assert!(
            !train.is_empty() && !test.is_empty() && train.len() + test.len() == n,
            "{n}"
        );
    }
    assert!(training_split(&set_of(1, 2, 2, 1).data).is_none());
}
