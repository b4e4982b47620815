//! The network on real MNIST data: a few hundred SGD steps on a small subset must drive the
//! loss down and beat a stated accuracy, and the shipped models (MNIST's and Fashion-MNIST's) must
//! load and score as claimed.

use std::path::Path;

use mnist_viz::core::dataset::{images_file, labels_file, Dataset, Split};
use mnist_viz::core::nn::{
    evaluate, model, Activation, Network, Optimizer, Samples, TrainConfig, Trainer,
};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn load(split: Split) -> Samples {
    load_from("data/mnist", split)
}

fn load_from(folder: &str, split: Split) -> Samples {
    let dir = root().join(folder);
    let read =
        |name: String| std::fs::read(dir.join(&name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let d = Dataset::from_gz(&read(images_file(split)), &read(labels_file(split)), split).unwrap();
    Samples::from_pixels(&d.images.pixels, &d.labels, d.images.rows * d.images.cols).unwrap()
}

#[test]
fn a_few_hundred_steps_on_2000_digits_learn() {
    let train = load(Split::Train).take(2000);
    let test = load(Split::Test).take(1000);
    let net = Network::init(&[784, 32, 10], Activation::Relu, Activation::Softmax, 7).unwrap();
    let before = evaluate(&net, &test).accuracy();
    let config = TrainConfig {
        batch_size: 32,
        optimizer: Optimizer::Sgd { lr: 0.1 },
        ..TrainConfig::default()
    };
    let mut trainer = Trainer::new(&net, config).unwrap();
    let losses: Vec<f32> = (0..300)
        .map(|_| trainer.train_batch(&train).unwrap().loss)
        .collect();
    let mean = |s: &[f32]| s.iter().sum::<f32>() / s.len() as f32;
    let (first, last) = (mean(&losses[..20]), mean(&losses[280..]));
    assert!(last < 0.3 * first, "loss {first} -> {last}");
    let after = evaluate(&trainer.network(), &test).accuracy();
    // Stated target: ≥ 80 % (measured: 84.9 %) on the first 1000 test digits after 300 steps on 2000 digits.
    assert!(after >= 0.80, "accuracy {before} -> {after}");
    assert!(
        before < 0.3,
        "an untrained network should be near chance, got {before}"
    );
}

#[test]
fn shipped_models_load_and_score_as_documented() {
    let test = load(Split::Test);
    let default = std::fs::read(root().join("data/models/default.mnn")).unwrap();
    let (net, note) = model::read(&default).unwrap();
    model::check_shape(&net, 784, 10).unwrap();
    assert!(
        default.len() < 1_500_000,
        "default model is {} bytes",
        default.len()
    );
    assert!(
        note.contains("--seed"),
        "the note records the command: {note}"
    );
    let e = evaluate(&net, &test);
    assert!(e.accuracy() >= 0.98, "default model: {}", e.report());

    let small = std::fs::read(root().join("data/models/small-16-16.mnn")).unwrap();
    let net = model::from_bytes(&small).unwrap();
    assert_eq!(net.sizes(), vec![784, 16, 16, 10]);
    assert!(evaluate(&net, &test).accuracy() >= 0.94);
}

#[test]
fn the_shipped_fashion_model_scores_as_documented() {
    let test = load_from("data/fashion-mnist", Split::Test);
    let bytes = std::fs::read(root().join("data/models/fashion.mnn")).unwrap();
    let (net, note) = model::read(&bytes).unwrap();
    model::check_shape(&net, 784, 10).unwrap();
    assert!(
        note.contains("--data data/fashion-mnist"),
        "the note records the command: {note}"
    );
    let e = evaluate(&net, &test);
    assert!(e.accuracy() >= 0.89, "fashion model: {}", e.report());
    // It reads clothes, not digits: on MNIST it is far worse than on Fashion-MNIST.
    let mnist = evaluate(&net, &load(Split::Test));
    assert!(
        mnist.accuracy() < 0.5,
        "fashion model on MNIST: {}",
        mnist.report()
    );
}
