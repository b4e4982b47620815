//! Tests of the gunzip and the IDX decoders (fixtures: `super::fixtures`).

use super::fixtures::*;
use super::*;

#[test]
fn gunzip_round_trips() {
    let raw = image_bytes(3, 4, 5);
    assert_eq!(gunzip(&gzip(&raw)).unwrap(), raw);
}

#[test]
fn gunzip_of_empty_payload_is_empty() {
    assert_eq!(gunzip(&gzip(&[])).unwrap(), Vec::<u8>::new());
}

#[test]
fn plain_bytes_are_not_gzip() {
    assert_eq!(gunzip(&image_bytes(1, 2, 2)), Err(IdxError::NotGzip));
    assert_eq!(gunzip(&[]), Err(IdxError::NotGzip));
    assert_eq!(gunzip(&[0x1f]), Err(IdxError::NotGzip));
    assert!(IdxError::NotGzip.to_string().contains("not a gzip file"));
}

#[test]
fn truncated_gzip_is_reported_as_truncated() {
    let gz = gzip(&image_bytes(10, 8, 8));
    for cut in [3, 10, gz.len() / 2, gz.len() - 4, gz.len() - 1] {
        assert_eq!(
            gunzip(&gz[..cut]),
            Err(IdxError::TruncatedGzip),
            "cut at {cut}"
        );
    }
}

#[test]
fn damaged_checksum_is_corrupt() {
    let mut gz = gzip(&image_bytes(10, 8, 8));
    let crc_at = gz.len() - 8;
    gz[crc_at] ^= 0xff;
    assert!(matches!(gunzip(&gz), Err(IdxError::CorruptGzip { .. })));
}

#[test]
fn damaged_deflate_data_is_corrupt() {
    let mut gz = gzip(&image_bytes(10, 8, 8));
    // Byte 10 starts the deflate stream; block type 11 is reserved, so always invalid.
    gz[10] |= 0b110;
    let err = gunzip(&gz).unwrap_err();
    assert!(matches!(err, IdxError::CorruptGzip { .. }), "{err:?}");
    assert!(err.to_string().starts_with("the gzip data is corrupt"));
}

#[test]
fn bad_gzip_method_is_corrupt() {
    let mut gz = gzip(&[1, 2, 3]);
    gz[2] = 7; // compression method must be 8 (deflate)
    assert!(matches!(gunzip(&gz), Err(IdxError::CorruptGzip { .. })));
}

#[test]
fn output_beyond_the_bound_is_refused() {
    let gz = gzip(&vec![0u8; 10_000]);
    assert_eq!(
        gunzip_bounded(&gz, 9_999),
        Err(IdxError::TooLarge { limit: 9_999 })
    );
    assert_eq!(gunzip_bounded(&gz, 10_000).unwrap().len(), 10_000);
}

#[test]
fn bound_holds_for_a_compression_bomb() {
    // 100 MiB of zeros compresses to about 100 KiB.
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..100 {
        std::io::Write::write_all(&mut enc, &zeros).unwrap();
    }
    let gz = enc.finish().unwrap();
    assert!(gz.len() < 1 << 20);
    assert_eq!(
        gunzip(&gz),
        Err(IdxError::TooLarge {
            limit: MAX_DECOMPRESSED
        })
    );
}

#[test]
fn capacity_hint_trusts_the_trailer_only_within_reason() {
    let gz = gzip(&vec![3u8; 5000]);
    assert_eq!(capacity_hint(&gz, MAX_DECOMPRESSED), 5000);
    let mut liar = gz.clone();
    let n = liar.len();
    liar[n - 4..].copy_from_slice(&u32::MAX.to_le_bytes());
    assert_eq!(
        capacity_hint(&liar, MAX_DECOMPRESSED),
        n * MAX_DEFLATE_RATIO
    );
    assert_eq!(capacity_hint(&liar, 100), 100);
    // The wrong size is then caught by the decoder's own check.
    assert!(matches!(gunzip(&liar), Err(IdxError::CorruptGzip { .. })));
}

#[test]
fn decodes_images() {
    let raw = image_bytes(3, 2, 4);
    let images = decode_images(&raw).unwrap();
    assert_eq!((images.count, images.rows, images.cols), (3, 2, 4));
    assert_eq!(images.image_len(), 8);
    assert_eq!(images.pixels, raw[16..]);
    assert_eq!(decode_images_vec(raw), Ok(images));
}

#[test]
fn decodes_zero_images() {
    let images = decode_images(&image_bytes(0, 28, 28)).unwrap();
    assert_eq!(images.count, 0);
    assert!(images.pixels.is_empty());
}

#[test]
fn decodes_labels() {
    assert_eq!(
        decode_labels(&label_bytes(&[0, 9, 5])).unwrap(),
        vec![0, 9, 5]
    );
}

#[test]
fn label_file_given_as_images_has_wrong_magic() {
    let err = decode_images(&label_bytes(&[1; 20])).unwrap_err();
    assert_eq!(
        err,
        IdxError::WrongMagic {
            found: 2049,
            expected: 2051
        }
    );
    assert_eq!(
        err.to_string(),
        "wrong magic number 2049: expected 2051 (an IDX image file); this looks like a label file, not an image file"
    );
}

#[test]
fn image_file_given_as_labels_has_wrong_magic() {
    let err = decode_labels(&image_bytes(1, 2, 2)).unwrap_err();
    assert_eq!(
        err,
        IdxError::WrongMagic {
            found: 2051,
            expected: 2049
        }
    );
    assert!(err
        .to_string()
        .starts_with("wrong magic number 2051: expected 2049 (an IDX label file)"));
}

#[test]
fn unknown_magic_is_wrong() {
    let mut raw = image_bytes(1, 2, 2);
    raw[2] = 0x0d; // type f64
    let err = decode_images(&raw).unwrap_err();
    assert_eq!(
        err,
        IdxError::WrongMagic {
            found: 0x0d03,
            expected: 2051
        }
    );
    assert_eq!(
        err.to_string(),
        "wrong magic number 3331: expected 2051 (an IDX image file)"
    );
}

#[test]
fn short_headers_are_reported() {
    let raw = image_bytes(1, 2, 2);
    assert_eq!(
        decode_images(&raw[..10]),
        Err(IdxError::HeaderTooShort {
            kind: "image",
            needed: 16,
            actual: 10
        })
    );
    assert_eq!(
        decode_labels(&[0, 0]),
        Err(IdxError::HeaderTooShort {
            kind: "label",
            needed: 8,
            actual: 2
        })
    );
    let msg = decode_labels(&[]).unwrap_err().to_string();
    assert_eq!(
        msg,
        "too short to be an IDX label file: 0 bytes, but the header alone needs 8"
    );
}

#[test]
fn images_shorter_than_header_says_are_truncated() {
    let raw = image_bytes(3, 2, 2);
    let err = decode_images(&raw[..raw.len() - 1]).unwrap_err();
    assert_eq!(
        err,
        IdxError::Truncated {
            expected: 28,
            actual: 27
        }
    );
    assert!(err.to_string().contains("truncated"));
    let big = IdxError::Truncated {
        expected: 47_040_016,
        actual: 1000,
    };
    assert_eq!(
        big.to_string(),
        "the file is truncated: its header promises 47,040,016 bytes but it has 1,000"
    );
}

#[test]
fn images_longer_than_header_says_have_trailing_bytes() {
    let mut raw = image_bytes(3, 2, 2);
    raw.extend_from_slice(&[7, 7]);
    let err = decode_images(&raw).unwrap_err();
    assert_eq!(
        err,
        IdxError::TrailingBytes {
            expected: 28,
            actual: 30
        }
    );
    assert!(err.to_string().contains("2 unexpected trailing bytes"));
}

#[test]
fn labels_shorter_or_longer_than_header_says() {
    let raw = label_bytes(&[1, 2, 3]);
    assert_eq!(
        decode_labels(&raw[..10]),
        Err(IdxError::Truncated {
            expected: 11,
            actual: 10
        })
    );
    let mut long = raw.clone();
    long.push(4);
    assert_eq!(
        decode_labels(&long),
        Err(IdxError::TrailingBytes {
            expected: 11,
            actual: 12
        })
    );
}

#[test]
fn huge_counts_are_checked_against_the_length_not_trusted() {
    let raw = header(&[IMAGES_MAGIC, u32::MAX, u32::MAX, u32::MAX]);
    let err = decode_images(&raw).unwrap_err();
    assert!(
        matches!(err, IdxError::SizeOverflow | IdxError::Truncated { .. }),
        "{err:?}"
    );
    let raw = header(&[LABELS_MAGIC, u32::MAX]);
    assert!(matches!(
        decode_labels(&raw),
        Err(IdxError::Truncated { .. })
    ));
}

#[test]
fn zero_sized_images_are_refused() {
    let raw = header(&[IMAGES_MAGIC, 1_000_000, 0, 28]);
    assert_eq!(
        decode_images(&raw),
        Err(IdxError::EmptyImages { rows: 0, cols: 28 })
    );
}

#[test]
fn label_above_nine_is_reported_with_its_index() {
    let err = decode_labels(&label_bytes(&[3, 9, 0, 10, 200])).unwrap_err();
    assert_eq!(
        err,
        IdxError::BadLabel {
            index: 3,
            value: 10
        }
    );
    assert_eq!(
        err.to_string(),
        "label number 3 is 10, but labels must be digits 0–9"
    );
}

/// Checks the invariants of any decode result: no panic got here, and sizes agree.
fn check_decoded(raw: &[u8]) {
    let decoded = decode_images(raw);
    assert_eq!(decode_images_vec(raw.to_vec()), decoded);
    if let Ok(images) = decoded {
        assert_eq!(
            images.pixels.len(),
            images.count * images.rows * images.cols
        );
        assert_eq!(images.pixels.len() + 16, raw.len());
    }
    if let Ok(labels) = decode_labels(raw) {
        assert_eq!(labels.len() + 8, raw.len());
        assert!(labels.iter().all(|&l| l <= 9));
    }
}

/// A small valid gzipped image file (5 images of 6×6) to damage.
fn small_gz() -> Vec<u8> {
    gzip(&image_bytes(5, 6, 6))
}

const PROP_LIMIT: usize = 1 << 16;

/// `bytes` with each `(at, mask)` XORed in (`at` wrapped to the length), then cut to
/// `cut` (wrapped to the length + 1) if given.
fn damaged(mut bytes: Vec<u8>, flips: &[(usize, u8)], cut: Option<usize>) -> Vec<u8> {
    for &(at, mask) in flips {
        let at = at % bytes.len();
        bytes[at] ^= mask;
    }
    if let Some(cut) = cut {
        bytes.truncate(cut % (bytes.len() + 1));
    }
    bytes
}

proptest::proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..600)) {
        if let Ok(out) = gunzip_bounded(&bytes, PROP_LIMIT) {
            proptest::prop_assert!(out.len() <= PROP_LIMIT);
            check_decoded(&out);
        }
        check_decoded(&bytes);
    }

    #[test]
    fn arbitrary_bytes_after_a_gzip_signature_never_panic(
        tail in proptest::collection::vec(proptest::num::u8::ANY, 0..600)
    ) {
        let mut bytes = vec![0x1f, 0x8b, 8, 0];
        bytes.extend(tail);
        if let Ok(out) = gunzip_bounded(&bytes, PROP_LIMIT) {
            proptest::prop_assert!(out.len() <= PROP_LIMIT);
        }
    }

    #[test]
    fn damaged_gzip_files_never_panic(
        flips in proptest::collection::vec((proptest::num::usize::ANY, 1u8..=255), 0..6),
        cut in proptest::option::of(proptest::num::usize::ANY),
    ) {
        let gz = damaged(small_gz(), &flips, cut);
        match gunzip_bounded(&gz, PROP_LIMIT) {
            Ok(out) => {
                proptest::prop_assert!(out.len() <= PROP_LIMIT);
                check_decoded(&out);
            }
            Err(e) => proptest::prop_assert!(!e.to_string().is_empty()),
        }
    }

    #[test]
    fn damaged_gzip_in_any_pieces_is_judged_like_the_whole_and_like_flate2(
        flips in proptest::collection::vec((proptest::num::usize::ANY, 1u8..=255), 0..4),
        cut in proptest::option::of(proptest::num::usize::ANY),
        piece in 1usize..200,
    ) {
        let gz = damaged(small_gz(), &flips, cut);
        let whole = gunzip_bounded(&gz, PROP_LIMIT);
        proptest::prop_assert_eq!(&gunzip_in_pieces(&gz, piece, PROP_LIMIT), &whole);
        if let Ok(out) = whole {
            proptest::prop_assert_eq!(flate2_gunzip(&gz), Some(out));
        }
    }

    #[test]
    fn damaged_idx_files_never_panic(
        flips in proptest::collection::vec((proptest::num::usize::ANY, 1u8..=255), 0..6),
        cut in proptest::option::of(proptest::num::usize::ANY),
        labels in proptest::bool::ANY,
    ) {
        let raw = if labels { label_bytes(&[1, 2, 3, 9, 0]) } else { image_bytes(3, 4, 4) };
        check_decoded(&damaged(raw, &flips, cut));
    }
}

/// Pushes `gz` into a stream in pieces of `piece` bytes.
fn gunzip_in_pieces(gz: &[u8], piece: usize, limit: usize) -> Result<Vec<u8>, IdxError> {
    let mut stream = GunzipStream::new(limit, 0);
    for p in gz.chunks(piece.max(1)) {
        stream.push(p)?;
    }
    stream.finish()
}

#[test]
fn gunzip_agrees_with_flate2_and_with_itself_in_any_pieces() {
    let raw = image_bytes(40, 28, 28);
    for gz in [gzip(&raw), gzip_with_all_header_fields(&raw)] {
        assert_eq!(flate2_gunzip(&gz).as_deref(), Some(&raw[..]));
        assert_eq!(gunzip(&gz).unwrap(), raw);
        for piece in [1, 2, 9, 10, 11, 100, 4096, 65_536] {
            assert_eq!(
                gunzip_in_pieces(&gz, piece, MAX_DECOMPRESSED).unwrap(),
                raw,
                "pieces of {piece}"
            );
        }
    }
}

#[test]
fn header_fields_are_checked() {
    let raw = image_bytes(2, 3, 3);
    let mut bad_header_crc = gzip_with_all_header_fields(&raw);
    let crc_at = 10 + 5 + 11 + 10;
    bad_header_crc[crc_at] ^= 1;
    assert!(matches!(
        gunzip(&bad_header_crc),
        Err(IdxError::CorruptGzip { .. })
    ));
    let mut reserved_flag = gzip(&raw);
    reserved_flag[3] |= 0x20;
    assert!(matches!(
        gunzip(&reserved_flag),
        Err(IdxError::CorruptGzip { .. })
    ));
    // A header cut inside its file name is a truncated file, in one piece or many.
    let cut = &gzip_with_all_header_fields(&raw)[..20];
    assert_eq!(gunzip(cut), Err(IdxError::TruncatedGzip));
    assert_eq!(
        gunzip_in_pieces(cut, 3, MAX_DECOMPRESSED),
        Err(IdxError::TruncatedGzip)
    );
}

#[test]
fn a_wrong_first_byte_is_not_gzip_even_in_pieces() {
    assert_eq!(gunzip_in_pieces(b"hello", 1, 100), Err(IdxError::NotGzip));
    assert_eq!(
        gunzip_in_pieces(&[0x1f, 0x00, 8], 1, 100),
        Err(IdxError::NotGzip)
    );
    assert_eq!(gunzip_in_pieces(&[0x1f], 1, 100), Err(IdxError::NotGzip));
    assert_eq!(
        gunzip_in_pieces(&[0x1f, 0x8b], 1, 100),
        Err(IdxError::TruncatedGzip)
    );
    assert_eq!(gunzip_in_pieces(&[], 1, 100), Err(IdxError::NotGzip));
}

#[test]
fn damaged_length_in_the_trailer_is_corrupt() {
    let mut gz = gzip(&image_bytes(10, 8, 8));
    let n = gz.len();
    gz[n - 1] ^= 0x01;
    let err = gunzip(&gz).unwrap_err();
    assert!(matches!(err, IdxError::CorruptGzip { .. }), "{err:?}");
    assert!(flate2_gunzip(&gz).is_none(), "flate2 refuses it too");
}

#[test]
fn bytes_after_the_member_are_ignored_as_flate2_does() {
    let raw = label_bytes(&[1, 2, 3]);
    let mut gz = gzip(&raw);
    gz.extend_from_slice(b"junk");
    assert_eq!(flate2_gunzip(&gz).as_deref(), Some(&raw[..]));
    assert_eq!(gunzip(&gz).unwrap(), raw);
    assert_eq!(gunzip_in_pieces(&gz, 5, MAX_DECOMPRESSED).unwrap(), raw);
}

#[test]
fn the_bound_holds_in_pieces() {
    let gz = gzip(&vec![0u8; 10_000]);
    for piece in [1, 7, 1000, 20_000] {
        assert_eq!(
            gunzip_in_pieces(&gz, piece, 9_999),
            Err(IdxError::TooLarge { limit: 9_999 })
        );
        assert_eq!(gunzip_in_pieces(&gz, piece, 10_000).unwrap().len(), 10_000);
    }
}

#[test]
fn idx_streams_decode_like_the_whole_file_helpers() {
    let images_raw = image_bytes(50, 28, 28);
    let labels_raw = label_bytes(&[7; 50]);
    let (images_gz, labels_gz) = (gzip(&images_raw), gzip(&labels_raw));
    for piece in [1, 13, 1000, 1 << 20] {
        let mut images = IdxStream::images(Some(images_gz.len()));
        let mut labels = IdxStream::labels(None);
        for p in images_gz.chunks(piece) {
            images.push(p).unwrap();
        }
        for p in labels_gz.chunks(piece) {
            labels.push(p).unwrap();
        }
        assert_eq!(images.decompressed(), images_raw.len());
        assert_eq!(images.finish_images(), decode_images_gz(&images_gz));
        assert_eq!(labels.finish_labels(), decode_labels_gz(&labels_gz));
    }
}

#[test]
fn idx_stream_errors_are_those_of_the_whole_file_helpers() {
    let mut cut = image_bytes(3, 4, 4);
    cut.pop();
    let mut bad_label = label_bytes(&[1, 2]);
    bad_label[9] = 10;
    let cases: Vec<(Vec<u8>, bool)> = vec![
        (gzip(&cut), true),
        (gzip(&label_bytes(&[1])), true),
        (gzip(&image_bytes(1, 2, 2)), false),
        (gzip(&bad_label), false),
        (b"plain".to_vec(), true),
        (gzip(&image_bytes(3, 4, 4))[..30].to_vec(), true),
    ];
    for (gz, is_images) in cases {
        if is_images {
            let mut s = IdxStream::images(Some(gz.len()));
            let result = s.push(&gz).and_then(|_| s.finish_images());
            assert_eq!(result, decode_images_gz(&gz));
            assert!(result.is_err());
        } else {
            let mut s = IdxStream::labels(Some(gz.len()));
            let result = s.push(&gz).and_then(|_| s.finish_labels());
            assert_eq!(result, decode_labels_gz(&gz));
            assert!(result.is_err());
        }
    }
}

#[test]
fn an_idx_header_reserves_no_more_than_the_compressed_bytes_could_unpack_to() {
    // A tiny file whose header claims 60,000 images of 28×28 (47 MB).
    let mut raw = header(&[IMAGES_MAGIC, 60_000, 28, 28]);
    raw.extend_from_slice(&[0; 100]);
    let gz = gzip(&raw);
    let mut known = IdxStream::images(Some(gz.len()));
    known.push(&gz).unwrap();
    assert!(known.gunzip.out.len() <= gz.len() * MAX_DEFLATE_RATIO + 1);
    assert!(matches!(
        known.finish_images(),
        Err(IdxError::Truncated { .. })
    ));
    // Without the compressed size the claim is still bounded by MAX_DECOMPRESSED.
    let mut unknown = IdxStream::images(None);
    unknown.push(&gz).unwrap();
    assert!(unknown.gunzip.out.len() <= MAX_DECOMPRESSED + 1);
    // A truthful header reserves exactly what the file needs, once.
    let good = gzip(&image_bytes(300, 28, 28));
    let mut s = IdxStream::images(Some(good.len()));
    s.push(&good).unwrap();
    assert_eq!(s.gunzip.out.len(), 16 + 300 * 28 * 28 + 1);
}

#[test]
fn gz_helpers_chain_gunzip_and_decode() {
    let images = decode_images_gz(&gzip(&image_bytes(2, 3, 3))).unwrap();
    assert_eq!(images.count, 2);
    assert_eq!(
        decode_labels_gz(&gzip(&label_bytes(&[4, 2]))).unwrap(),
        vec![4, 2]
    );
    assert_eq!(
        decode_labels_gz(&label_bytes(&[4, 2])),
        Err(IdxError::NotGzip)
    );
}
