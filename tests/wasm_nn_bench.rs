//! Benchmark B1 in headless Chromium (wasm32 + simd128), printed through the browser console:
//! `CHROMEDRIVER=/usr/bin/chromedriver cargo test --release --target wasm32-unknown-unknown \
//!     --test wasm_nn_bench -- --nocapture`
//!
//! B1 = 784-100-10, ReLU, softmax-CE, plain SGD lr 0.1, batch 32, one epoch of the 60 000
//! MNIST training digits (embedded with `include_bytes!`, decoded in the browser), then
//! inference over the 10 000 test digits. It is a real test too: the epoch must cut the loss
//! and reach a sensible accuracy.
#![cfg(target_arch = "wasm32")]

use mnist_viz::core::dataset::{Dataset, Split};
use mnist_viz::core::nn::{evaluate, matrix, Activation, Network, Samples, TrainConfig, Trainer};
use wasm_bindgen_test::*;

mod common;
use common::now_ms;

wasm_bindgen_test_configure!(run_in_browser);

const TRAIN_IMAGES: &[u8] = include_bytes!("../data/mnist/train-images-idx3-ubyte.gz");
const TRAIN_LABELS: &[u8] = include_bytes!("../data/mnist/train-labels-idx1-ubyte.gz");
const TEST_IMAGES: &[u8] = include_bytes!("../data/mnist/t10k-images-idx3-ubyte.gz");
const TEST_LABELS: &[u8] = include_bytes!("../data/mnist/t10k-labels-idx1-ubyte.gz");

fn samples(images: &[u8], labels: &[u8], split: Split) -> Samples {
    let d = Dataset::from_gz(images, labels, split).expect("embedded MNIST decodes");
    Samples::from_pixels(&d.images.pixels, &d.labels, d.images.rows * d.images.cols)
        .expect("shapes")
}

#[wasm_bindgen_test]
fn b1_one_epoch_and_inference_in_the_browser() {
    let t0 = now_ms();
    let train = samples(TRAIN_IMAGES, TRAIN_LABELS, Split::Train);
    let test = samples(TEST_IMAGES, TEST_LABELS, Split::Test);
    console_log!(
        "wasm: kernels {}; decoding + sparse listing of 70 000 digits {:.0} ms",
        matrix::backend_name(),
        now_ms() - t0
    );

    let net = Network::init(&[784, 100, 10], Activation::Relu, Activation::Softmax, 1).unwrap();
    let mut trainer = Trainer::new(&net, TrainConfig::default()).unwrap();
    let mut losses = Vec::new();
    let start = now_ms();
    loop {
        let r = trainer.train_batch(&train).unwrap();
        losses.push(r.loss);
        if r.epoch_finished {
            break;
        }
    }
    let secs = (now_ms() - start) / 1e3;
    let trained = trainer.network();
    let dense_flops =
        2.0 * (2.0 * (784.0 * 100.0 + 100.0 * 10.0) + 100.0 * 10.0) * train.len() as f64;
    let accuracy = evaluate(&trained, &test).accuracy();
    let mean = |s: &[f32]| s.iter().sum::<f32>() / s.len() as f32;
    let (first, last) = (mean(&losses[..100]), mean(&losses[losses.len() - 100..]));
    console_log!(
        "wasm B1 epoch: {:.3} s (target ≤ 1.5 s), {:.0} samples/s, {:.1} GFLOP/s dense-equivalent; loss {:.3} → {:.3}; test accuracy {:.2} %",
        secs,
        train.len() as f64 / secs,
        dense_flops / secs / 1e9,
        first,
        last,
        100.0 * accuracy
    );

    let mut best_sparse = f64::MAX;
    let mut best_dense = f64::MAX;
    let test_dense = test.dense();
    for _ in 0..5 {
        let t = now_ms();
        let p = trained.predict_sparse(test.sparse());
        best_sparse = best_sparse.min(now_ms() - t);
        assert_eq!(p.len(), test.len());
        let t = now_ms();
        let p = trained.predict_batch(&test_dense, test.len());
        best_dense = best_dense.min(now_ms() - t);
        assert_eq!(p.len(), test.len());
    }
    console_log!("wasm inference, 10 000 test digits: {best_sparse:.1} ms from prepared sparse input, {best_dense:.1} ms from dense f32 input");

    assert!(
        last < 0.4 * first,
        "the epoch should cut the loss: {first} -> {last}"
    );
    assert!(accuracy > 0.93, "accuracy after one epoch: {accuracy}");
}
