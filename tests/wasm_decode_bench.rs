//! Benchmark of gunzip in headless Chromium, printed through the browser console: the app's
//! gunzip (`core::idx`: miniz_oxide in our gzip framing) against maintained pure-Rust inflaters
//! called directly, cold and warm, on the real MNIST files. (It chose the app's inflater: our own,
//! crates/inflate, did not clear 1.3x miniz_oxide cold; README, "Gunzip: miniz_oxide".)
//!
//! Run each test on its own so that each starts on a freshly loaded page, with every wasm
//! function still in the engine's baseline tier ("cold"):
//! `CHROMEDRIVER=/usr/bin/chromedriver cargo test --profile web --target wasm32-unknown-unknown \
//!     --test wasm_decode_bench -- --nocapture <test name>`.
//! `scripts/bench_gunzip.sh [rounds]` runs every `cold_*` test that way, alternating the decoders
//! round by round, and prints the medians over the rounds (scripts/bench.sh calls it).
//! `--profile web` is the app's own build profile.
//!
//! Why cold matters: V8 first runs a wasm function as baseline (Liftoff) code and compiles an
//! optimised (TurboFan) version in the background once it is hot, but a call already running
//! keeps its baseline code to the end. In the app the files are gunzipped once, on a fresh page.
//!
//! Each `cold_<mode>_<decoder>` test gunzips `data/mnist/t10k-images-idx3-ubyte.gz` (1.6 MB →
//! 7.8 MB) once on the fresh page ("cold"), then [`WARM_RUNS`] more times ("warm", the median),
//! and prints one line per test. Modes:
//! - `whole`: the whole file in one call, output reserved from the gzip trailer's length;
//! - `pieces`: as the app does it while downloading: the file pushed in [`PIECE`]-byte pieces,
//!   the output reserved once the IDX header (its first 16 bytes) says how large it is.
//!   zune-inflate takes only a whole input: it collects the pieces and decodes after the last.
//!
//! `cold_train_<decoder>` does the same in pieces on `train-images` (9.7 MB → 47 MB).
//! Every way checks the CRC-32 and the length in the trailer, and every result is compared with
//! flate2's, so these are also tests.
#![cfg(target_arch = "wasm32")]

use std::io::Write;

use miniz_oxide::inflate::core::{decompress, inflate_flags, DecompressorOxide};
use miniz_oxide::inflate::TINFLStatus;
use mnist_viz::core::dataset::{Dataset, Split};
use mnist_viz::core::idx::{self, GunzipStream, MAX_DECOMPRESSED};
use wasm_bindgen_test::*;

mod common;
use common::now_ms;

wasm_bindgen_test_configure!(run_in_browser);

const IMAGES: &[u8] = include_bytes!("../data/mnist/t10k-images-idx3-ubyte.gz");
const LABELS: &[u8] = include_bytes!("../data/mnist/t10k-labels-idx1-ubyte.gz");
const TRAIN_IMAGES: &[u8] = include_bytes!("../data/mnist/train-images-idx3-ubyte.gz");
/// Runs after the cold one in each test.
const WARM_RUNS: usize = 7;
/// Size of a downloaded piece in the `pieces` mode.
const PIECE: usize = 64 * 1024;
/// Output reserved before anything is known about the size (as the app's stream).
const FIRST_OUTPUT: usize = 64 * 1024;
/// Compressed bytes per call of miniz_oxide in the `pieces` mode.
const MINIZ_CALL: usize = 32 * 1024;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// The length the gzip trailer claims (ISIZE).
fn trailer_len(gz: &[u8]) -> usize {
    u32::from_le_bytes(gz[gz.len() - 4..].try_into().unwrap()) as usize
}

/// The length an IDX image file's header claims, from the first 16 bytes of the output.
fn idx_images_len(raw: &[u8]) -> Option<usize> {
    let word = |at: usize| Some(u32::from_be_bytes(raw.get(at..at + 4)?.try_into().ok()?) as usize);
    (word(0)? == 2051).then_some(())?;
    word(4)?
        .checked_mul(word(8)?)?
        .checked_mul(word(12)?)?
        .checked_add(16)
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

/// Checks the trailer (`t`, 8 bytes) against the output's CRC-32 and length.
fn check_trailer(t: &[u8], crc: u32, len: usize) {
    assert_eq!(
        u32::from_le_bytes(t[..4].try_into().unwrap()),
        crc,
        "CRC-32"
    );
    assert_eq!(
        u32::from_le_bytes(t[4..8].try_into().unwrap()),
        len as u32,
        "ISIZE"
    );
}

// ---- the app's gunzip (core::idx) --------------------------------------------------------

fn app_whole(gz: &[u8]) -> Vec<u8> {
    idx::gunzip(gz).unwrap()
}

/// The app's stream (what `IdxStream::images` does, without the IDX decode).
fn app_pieces(gz: &[u8]) -> Vec<u8> {
    let bound = gz.len().saturating_mul(1032).min(MAX_DECOMPRESSED);
    let mut s =
        GunzipStream::new(MAX_DECOMPRESSED, FIRST_OUTPUT).with_sizer(16, idx_images_len, bound);
    for piece in gz.chunks(PIECE) {
        s.push(piece).unwrap();
    }
    s.finish().unwrap()
}

// ---- miniz_oxide, its core API into one non-wrapping buffer ------------------------------

/// The whole deflate body in one call, into a buffer sized from the trailer; CRC-32 by crc32fast.
fn miniz_whole(gz: &[u8]) -> Vec<u8> {
    let n = gz.len();
    let size = trailer_len(gz);
    let mut out = vec![0u8; size + 1];
    let mut state = Box::<DecompressorOxide>::default();
    let body = &gz[header_len(gz)..];
    let flags = inflate_flags::TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF;
    let (status, read, written) = decompress(&mut state, body, &mut out, 0, flags);
    assert_eq!(status, TINFLStatus::Done);
    assert_eq!(header_len(gz) + read, n - 8);
    out.truncate(written);
    check_trailer(&gz[n - 8..], crc32fast::hash(&out), written);
    out
}

/// Each downloaded piece in calls of at most [`MINIZ_CALL`] input bytes (more when the output
/// buffer fills), the CRC-32 updated with each call's output; the buffer starts at 64 KiB and is
/// sized once from the IDX header. (The app's stream works this way: many short calls let the
/// engine's optimised code take over early.)
fn miniz_pieces(gz: &[u8]) -> Vec<u8> {
    let mut state = Box::<DecompressorOxide>::default();
    let mut crc = crc32fast::Hasher::new();
    let mut out = vec![0u8; FIRST_OUTPUT];
    let mut sized = false;
    let mut written = 0;
    let mut trailer = Vec::new();
    let mut done = false;
    let head = header_len(gz);
    let mut offset = 0;
    for piece in gz.chunks(PIECE) {
        let start = offset;
        offset += piece.len();
        // The shipped headers are a few dozen bytes: all in the first piece.
        let mut input = if start == 0 { &piece[head..] } else { piece };
        while !done && !input.is_empty() {
            let call = &input[..input.len().min(MINIZ_CALL)];
            let more = offset < gz.len() || call.len() < input.len();
            let flags = inflate_flags::TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF
                | if more {
                    inflate_flags::TINFL_FLAG_HAS_MORE_INPUT
                } else {
                    0
                };
            let (status, read, w) = decompress(&mut state, call, &mut out, written, flags);
            crc.update(&out[written..written + w]);
            written += w;
            input = &input[read..];
            match status {
                TINFLStatus::Done => done = true,
                // miniz_oxide keeps the bits of a cut-short step: it used the whole call.
                TINFLStatus::NeedsMoreInput => assert_eq!(read, call.len()),
                TINFLStatus::HasMoreOutput => {
                    let mut want = out.len() * 2;
                    if !sized && written >= 16 {
                        sized = true;
                        want = want.max(idx_images_len(&out[..written]).unwrap() + 1);
                    }
                    let mut bigger = vec![0u8; want];
                    bigger[..written].copy_from_slice(&out[..written]);
                    out = bigger;
                }
                other => panic!("miniz_oxide: {other:?}"),
            }
        }
        if done {
            trailer.extend_from_slice(input);
        }
    }
    assert!(done);
    out.truncate(written);
    check_trailer(&trailer, crc.finalize(), written);
    out
}

// ---- zune-inflate: a whole input only ----------------------------------------------------

fn zune(gz: &[u8], size_hint: usize) -> Vec<u8> {
    let options = zune_inflate::DeflateOptions::default()
        .set_limit(MAX_DECOMPRESSED)
        .set_size_hint(size_hint)
        .set_confirm_checksum(true);
    zune_inflate::DeflateDecoder::new_with_options(gz, options)
        .decode_gzip()
        .unwrap()
}

fn zune_whole(gz: &[u8]) -> Vec<u8> {
    zune(gz, trailer_len(gz).min(MAX_DECOMPRESSED))
}

/// Collects the pieces (the compressed length is known, as from Content-Length), then decodes.
fn zune_pieces(gz: &[u8]) -> Vec<u8> {
    let mut all = Vec::with_capacity(gz.len());
    for piece in gz.chunks(PIECE) {
        all.extend_from_slice(piece);
    }
    zune(&all, trailer_len(&all).min(MAX_DECOMPRESSED))
}

// ---- flate2 (rust backend: miniz_oxide with its 32 KiB window, CRC-32 by crc32fast) ------

fn flate2_whole(gz: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(trailer_len(gz));
    std::io::Read::read_to_end(&mut flate2::bufread::GzDecoder::new(gz), &mut out).unwrap();
    out
}

/// `flate2::write::GzDecoder` fed each piece: how the app would use it while downloading.
fn flate2_pieces(gz: &[u8]) -> Vec<u8> {
    let mut d = flate2::write::GzDecoder::new(Vec::with_capacity(FIRST_OUTPUT));
    let mut sized = false;
    for piece in gz.chunks(PIECE) {
        d.write_all(piece).unwrap();
        if !sized && d.get_ref().len() >= 16 {
            sized = true;
            let total = idx_images_len(d.get_ref()).unwrap();
            let have = d.get_ref().len();
            d.get_mut().reserve_exact(total - have);
        }
    }
    d.finish().unwrap()
}

// ---- the benchmark -----------------------------------------------------------------------

type Gunzip = fn(&[u8]) -> Vec<u8>;

/// Gunzips `gz` once cold and WARM_RUNS times warm, checks the cold and the last result against
/// flate2's, and prints one line (read by scripts/bench_gunzip.sh).
fn bench(file: &str, gz: &[u8], mode: &str, decoder: &str, gunzip: Gunzip) {
    let mut times = Vec::new();
    let mut outputs = Vec::new();
    for run in 0..=WARM_RUNS {
        let t = now_ms();
        let out = gunzip(std::hint::black_box(gz));
        times.push(now_ms() - t);
        if run == 0 || run == WARM_RUNS {
            outputs.push(out);
        }
    }
    let reference = flate2_whole(gz);
    assert_eq!(reference.len(), trailer_len(gz));
    for out in &outputs {
        assert_eq!(out.len(), reference.len());
        assert!(out == &reference, "{decoder} decoded {file} differently");
    }
    console_log!(
        "wasm gunzip {file} {mode} {decoder}: cold {:.1} ms, warm {:.1} ms (median of {WARM_RUNS}); runs {:?}",
        times[0],
        median(times[1..].to_vec()),
        times.iter().map(|t| (t * 10.0).round() / 10.0).collect::<Vec<_>>()
    );
}

const T10K: &str = "t10k-images";
const TRAIN: &str = "train-images";

#[wasm_bindgen_test]
fn cold_whole_app() {
    bench(T10K, IMAGES, "whole", "app", app_whole);
}

#[wasm_bindgen_test]
fn cold_whole_miniz() {
    bench(T10K, IMAGES, "whole", "miniz_oxide", miniz_whole);
}

#[wasm_bindgen_test]
fn cold_whole_zune() {
    bench(T10K, IMAGES, "whole", "zune-inflate", zune_whole);
}

#[wasm_bindgen_test]
fn cold_whole_flate2() {
    bench(T10K, IMAGES, "whole", "flate2", flate2_whole);
}

#[wasm_bindgen_test]
fn cold_pieces_app() {
    bench(T10K, IMAGES, "pieces", "app", app_pieces);
}

#[wasm_bindgen_test]
fn cold_pieces_miniz() {
    bench(T10K, IMAGES, "pieces", "miniz_oxide", miniz_pieces);
}

#[wasm_bindgen_test]
fn cold_pieces_zune() {
    bench(T10K, IMAGES, "pieces", "zune-inflate", zune_pieces);
}

#[wasm_bindgen_test]
fn cold_pieces_flate2() {
    bench(T10K, IMAGES, "pieces", "flate2", flate2_pieces);
}

#[wasm_bindgen_test]
fn cold_train_app() {
    bench(TRAIN, TRAIN_IMAGES, "pieces", "app", app_pieces);
}

#[wasm_bindgen_test]
fn cold_train_miniz() {
    bench(TRAIN, TRAIN_IMAGES, "pieces", "miniz_oxide", miniz_pieces);
}

#[wasm_bindgen_test]
fn cold_train_zune() {
    bench(TRAIN, TRAIN_IMAGES, "pieces", "zune-inflate", zune_pieces);
}

#[wasm_bindgen_test]
fn cold_train_flate2() {
    bench(TRAIN, TRAIN_IMAGES, "pieces", "flate2", flate2_pieces);
}

/// The app's whole load of the test split (gunzip + IDX decode of both files, as `Dataset`).
#[wasm_bindgen_test]
fn cold_app() {
    let mut times = Vec::new();
    for _ in 0..=WARM_RUNS {
        let t = now_ms();
        let d = Dataset::from_gz(IMAGES, LABELS, Split::Test).unwrap();
        times.push(now_ms() - t);
        assert_eq!(d.len(), 10_000);
        // The known first test digit is a 7.
        assert_eq!(d.label(0), 7);
    }
    console_log!(
        "wasm decode t10k (the app: Dataset::from_gz): cold {:.1} ms, warm {:.1} ms (median of {WARM_RUNS}); runs {:?}",
        times[0],
        median(times[1..].to_vec()),
        times.iter().map(|t| t.round() as i64).collect::<Vec<_>>()
    );
}

/// Every way alternated on one page (all warm by now), so that the machine's load at the time
/// weighs on each alike.
#[wasm_bindgen_test]
fn warm_alternating() {
    let ways: [(&str, Gunzip); 8] = [
        ("app whole", app_whole),
        ("miniz_oxide whole", miniz_whole),
        ("zune-inflate whole", zune_whole),
        ("flate2 whole", flate2_whole),
        ("app pieces", app_pieces),
        ("miniz_oxide pieces", miniz_pieces),
        ("zune-inflate pieces", zune_pieces),
        ("flate2 pieces", flate2_pieces),
    ];
    let reference = flate2_whole(IMAGES);
    let mut times = vec![Vec::new(); ways.len()];
    for round in 0..=WARM_RUNS {
        for (k, (way, gunzip)) in ways.iter().enumerate() {
            let t = now_ms();
            let out = gunzip(IMAGES);
            let ms = now_ms() - t;
            assert!(out == reference, "{way}");
            if round > 0 {
                times[k].push(ms);
            }
        }
    }
    let shown: Vec<String> = ways
        .iter()
        .zip(times)
        .map(|((way, _), t)| format!("{way} {:.1} ms", median(t)))
        .collect();
    console_log!(
        "wasm gunzip t10k-images warm, alternated (medians of {WARM_RUNS}): {}",
        shown.join(", ")
    );
}

/// What the CRC-32 and the IDX decode's move cost inside the warm figures.
#[wasm_bindgen_test]
fn parts_of_the_work() {
    let raw = idx::gunzip(IMAGES).unwrap();
    let mut crc_times = Vec::new();
    let mut move_times = Vec::new();
    for _ in 0..WARM_RUNS {
        let t = now_ms();
        std::hint::black_box(crc32fast::hash(std::hint::black_box(&raw)));
        crc_times.push(now_ms() - t);
        let copy = raw.clone();
        let t = now_ms();
        std::hint::black_box(idx::decode_images_vec(copy).unwrap());
        move_times.push(now_ms() - t);
    }
    console_log!(
        "wasm t10k parts: crc32fast of {:.1} MB {:.1} ms; IDX decode (header check + moving the pixels over it) {:.1} ms (medians of {WARM_RUNS})",
        raw.len() as f64 / 1e6,
        median(crc_times),
        median(move_times)
    );
}
