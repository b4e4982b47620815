//! Benchmark of gunzip + IDX decode of the MNIST test split in headless Chromium, printed
//! through the browser console. Run each test on its own so that each starts on a freshly
//! loaded page, with every wasm function still in the engine's baseline tier ("cold"):
//! `CHROMEDRIVER=/usr/bin/chromedriver cargo test --profile web --target wasm32-unknown-unknown \
//!     --test wasm_decode_bench -- --nocapture <test name>` (scripts/bench.sh does so).
//! `--profile web` is the app's own build profile.
//!
//! It compares three ways of gunzipping the t10k files (7.8 MB of pixels):
//! - `cold_app`: the app's gunzip ([`Dataset::from_gz`]) on our own inflater, `core::inflate`;
//! - `cold_miniz`: miniz_oxide's inflater called once per 32 KiB of compressed input (the app's
//!   way until it had its own inflater);
//! - `cold_flate2`: flate2's `GzDecoder` (the app's way before that).
//!
//! Why the difference matters: V8 first runs a wasm function as baseline (Liftoff) code and
//! compiles an optimised (TurboFan) version in the background once it is hot, but a call already
//! running keeps its baseline code to the end. One long call therefore never benefits, many short
//! calls do (the app's fast loop returns after every 64 KiB of output). Each test prints the first ("cold") run and the median of the next runs
//! ("warm"). It is also a test: every way must decode the split to the same 10,000 digits.
#![cfg(target_arch = "wasm32")]

use miniz_oxide::inflate::core::{decompress, inflate_flags, DecompressorOxide};
use miniz_oxide::inflate::TINFLStatus;
use mnist_viz::core::crc32::crc32;
use mnist_viz::core::dataset::{Dataset, Split};
use mnist_viz::core::idx;
use wasm_bindgen_test::*;

mod common;
use common::now_ms;

wasm_bindgen_test_configure!(run_in_browser);

const IMAGES: &[u8] = include_bytes!("../data/mnist/t10k-images-idx3-ubyte.gz");
const LABELS: &[u8] = include_bytes!("../data/mnist/t10k-labels-idx1-ubyte.gz");
const WARM_RUNS: usize = 7;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Length of the gzip header of one of the shipped files (only FNAME among the optional fields).
fn header_len(gz: &[u8]) -> usize {
    assert_eq!(gz[..3], [0x1f, 0x8b, 8]);
    assert_eq!(gz[3] & !0x08, 0, "only FNAME is expected");
    if gz[3] & 0x08 == 0 {
        return 10;
    }
    10 + gz[10..].iter().position(|&b| b == 0).expect("a file name") + 1
}

/// miniz_oxide's inflater (what the app used before its own) called once per 32 KiB of compressed
/// input, as the app did, into a buffer sized from the trailer, then the same checks as the app
/// (CRC-32 and length).
fn gunzip_miniz(gz: &[u8]) -> Vec<u8> {
    let n = gz.len();
    let size = u32::from_le_bytes(gz[n - 4..].try_into().unwrap()) as usize;
    let mut out = vec![0u8; size + 1];
    let mut state = Box::<DecompressorOxide>::default();
    let body = &gz[header_len(gz)..n - 8];
    let (mut read, mut written) = (0, 0);
    loop {
        let piece = &body[read..body.len().min(read + 32 * 1024)];
        let more = read + piece.len() < body.len();
        let flags = inflate_flags::TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF
            | if more {
                inflate_flags::TINFL_FLAG_HAS_MORE_INPUT
            } else {
                0
            };
        let (status, r, w) = decompress(&mut state, piece, &mut out, written, flags);
        read += r;
        written += w;
        match status {
            TINFLStatus::Done => break,
            TINFLStatus::NeedsMoreInput => {}
            other => panic!("miniz_oxide: {other:?}"),
        }
    }
    assert_eq!(written, size);
    out.truncate(size);
    assert_eq!(
        crc32(&out),
        u32::from_le_bytes(gz[n - 8..n - 4].try_into().unwrap())
    );
    out
}

fn gunzip_flate2(gz: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    std::io::Read::read_to_end(&mut flate2::bufread::GzDecoder::new(gz), &mut out).unwrap();
    out
}

fn decode_miniz() -> Dataset {
    let images = idx::decode_images_vec(gunzip_miniz(IMAGES)).unwrap();
    let labels = idx::decode_labels(&gunzip_miniz(LABELS)).unwrap();
    Dataset::new(images, labels).unwrap()
}

fn decode_app() -> Dataset {
    Dataset::from_gz(IMAGES, LABELS, Split::Test).unwrap()
}

fn decode_flate2() -> Dataset {
    let images = idx::decode_images_vec(gunzip_flate2(IMAGES)).unwrap();
    let labels = idx::decode_labels(&gunzip_flate2(LABELS)).unwrap();
    Dataset::new(images, labels).unwrap()
}

/// Times the first run and WARM_RUNS more of `decode`, checks the result, prints the figures.
fn bench(way: &str, decode: fn() -> Dataset) {
    let mut times = Vec::new();
    let mut first = None;
    for _ in 0..=WARM_RUNS {
        let t = now_ms();
        let d = decode();
        times.push(now_ms() - t);
        assert_eq!(d.len(), 10_000);
        assert_eq!(d.images.pixels.len(), 10_000 * 28 * 28);
        let first =
            first.get_or_insert_with(|| (d.labels.clone(), d.images.pixels[..78_400].to_vec()));
        assert_eq!(d.labels, first.0);
        assert_eq!(d.images.pixels[..78_400], first.1[..]);
        // The known first test digit is a 7.
        assert_eq!(d.label(0), 7);
    }
    console_log!(
        "wasm decode t10k ({way}): cold {:.1} ms, warm {:.1} ms (median of {WARM_RUNS}); runs {:?}",
        times[0],
        median(times[1..].to_vec()),
        times.iter().map(|t| t.round() as i64).collect::<Vec<_>>()
    );
}

#[wasm_bindgen_test]
fn cold_app() {
    bench("the app: core::inflate", decode_app);
}

#[wasm_bindgen_test]
fn cold_miniz() {
    bench("miniz_oxide in 32 KiB pieces, the app before", decode_miniz);
}

#[wasm_bindgen_test]
fn cold_flate2() {
    bench("flate2 GzDecoder, the app before", decode_flate2);
}

/// What the CRC-32 and the header move cost inside the warm figures.
#[wasm_bindgen_test]
fn parts_of_the_work() {
    let raw = idx::gunzip(IMAGES).unwrap();
    let mut crc_times = Vec::new();
    let mut move_times = Vec::new();
    for _ in 0..WARM_RUNS {
        let t = now_ms();
        std::hint::black_box(crc32(std::hint::black_box(&raw)));
        crc_times.push(now_ms() - t);
        let copy = raw.clone();
        let t = now_ms();
        std::hint::black_box(idx::decode_images_vec(copy).unwrap());
        move_times.push(now_ms() - t);
    }
    console_log!(
        "wasm t10k parts: crc32 of {:.1} MB {:.1} ms; IDX decode (header check + moving the pixels over it) {:.1} ms (medians of {WARM_RUNS})",
        raw.len() as f64 / 1e6,
        median(crc_times),
        median(move_times)
    );
}

/// The three ways alternated on one page (all warm by now), so that the machine's load at the
/// time weighs on each alike: the cost of the pieces themselves.
#[wasm_bindgen_test]
fn warm_alternating() {
    type Way = (&'static str, fn() -> Dataset);
    let ways: [Way; 3] = [
        ("the app", decode_app),
        ("miniz_oxide", decode_miniz),
        ("flate2", decode_flate2),
    ];
    let mut times = vec![Vec::new(); ways.len()];
    for round in 0..=WARM_RUNS {
        for (k, (_, decode)) in ways.iter().enumerate() {
            let t = now_ms();
            assert_eq!(decode().len(), 10_000);
            if round > 0 {
                times[k].push(now_ms() - t);
            }
        }
    }
    let shown: Vec<String> = ways
        .iter()
        .zip(times)
        .map(|((way, _), t)| format!("{way} {:.1} ms", median(t)))
        .collect();
    console_log!(
        "wasm decode t10k warm, alternated (medians of {WARM_RUNS}): {}",
        shown.join(", ")
    );
}
