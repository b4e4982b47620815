//! Native benchmark of loading a split: gunzip + IDX decode of both files.
//!
//! `cargo run --profile native --bin bench_decode [runs]` prints, per split, the median time
//! over `runs` (default 7) and the throughput in MB/s of decompressed bytes (1 MB = 10⁶ bytes).

use std::path::Path;
use std::time::Instant;

use mnist_viz::core::dataset::{images_file, labels_file, Dataset, Split};
use mnist_viz::core::idx;

fn read(file: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data/mnist")
        .join(file);
    std::fs::read(&path).unwrap_or_else(|e| {
        eprintln!("cannot read {}: {e}", path.display());
        std::process::exit(1)
    })
}

/// Median of the run times in milliseconds.
fn median_ms(mut runs: Vec<f64>) -> f64 {
    runs.sort_by(f64::total_cmp);
    let mid = runs.len() / 2;
    if runs.len() % 2 == 1 {
        runs[mid]
    } else {
        (runs[mid - 1] + runs[mid]) / 2.0
    }
}

/// Median timings of one split.
struct Timing {
    /// gunzip + IDX decode of both files (what the app does), ms.
    load_ms: f64,
    /// gunzip alone of both files, ms.
    gunzip_ms: f64,
    /// The CRC-32 check alone (part of gunzip) over both decompressed files, ms.
    crc_ms: f64,
    /// Decompressed bytes of both files.
    bytes: usize,
}

/// Median of `runs` timings of `work`, in milliseconds.
fn time_ms<T>(runs: usize, mut work: impl FnMut() -> Result<T, String>) -> Result<f64, String> {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        let out = work()?;
        times.push(start.elapsed().as_secs_f64() * 1000.0);
        std::hint::black_box(out);
    }
    Ok(median_ms(times))
}

/// Times `runs` loads of one split.
fn bench_split(split: Split, runs: usize) -> Result<Timing, String> {
    let images_gz = read(&images_file(split));
    let labels_gz = read(&labels_file(split));
    let gunzip_both = || -> Result<usize, String> {
        let images = idx::gunzip(&images_gz).map_err(|e| e.to_string())?;
        let labels = idx::gunzip(&labels_gz).map_err(|e| e.to_string())?;
        Ok(images.len() + labels.len())
    };
    let bytes = gunzip_both()?;
    let gunzip_ms = time_ms(runs, gunzip_both)?;
    let raw = [
        idx::gunzip(&images_gz).map_err(|e| e.to_string())?,
        idx::gunzip(&labels_gz).map_err(|e| e.to_string())?,
    ];
    let crc_ms = time_ms(runs, || {
        Ok(raw.iter().map(|r| crc32fast::hash(r)).fold(0, |a, c| a ^ c))
    })?;
    let load_ms = time_ms(runs, || {
        Dataset::from_gz(&images_gz, &labels_gz, split).map_err(|e| e.to_string())
    })?;
    Ok(Timing {
        load_ms,
        gunzip_ms,
        crc_ms,
        bytes,
    })
}

fn main() {
    let runs = match std::env::args().nth(1).map(|s| s.parse::<usize>()) {
        None => 7,
        Some(Ok(n)) if n > 0 => n,
        Some(_) => {
            eprintln!("usage: bench_decode [runs ≥ 1]");
            std::process::exit(2)
        }
    };
    println!("gunzip + IDX decode of images and labels, median of {runs} runs");
    for split in Split::ALL {
        match bench_split(split, runs) {
            Ok(t) => println!(
                "decode mnist/{:<5} {:7.1} ms  {:6.1} MB/s   (gunzip alone {:7.1} ms, of which CRC-32 {:5.1} ms; {} bytes decompressed)",
                split.id(),
                t.load_ms,
                t.bytes as f64 / 1e6 / (t.load_ms / 1000.0),
                t.gunzip_ms,
                t.crc_ms,
                t.bytes
            ),
            Err(e) => {
                eprintln!("mnist/{}: {e}", split.id());
                std::process::exit(1)
            }
        }
    }
}
