//! Native benchmark of the network (B1 = 784-100-10, ReLU, softmax-CE, plain SGD lr 0.1,
//! batch 32, one epoch of the 60 000 training digits; inference over the 10 000 test digits).
//!
//! `cargo run --profile native --bin bench_nn [runs]` prints epoch time, samples/s, GFLOP/s,
//! the fraction of the machine's peak, accuracy, inference time and where the time goes.
//! Each figure is the best of `runs` (default 3) runs, each from the same fresh initialisation.

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    if let Err(e) = native::main() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

#[cfg(target_arch = "wasm32")]
fn main() {}

/// The naive f64 trainer `bench_nn accuracy` compares with (and the fast trainer's tests check
/// against).
#[cfg(not(target_arch = "wasm32"))]
mod reference;

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::path::Path;
    use std::time::Instant;

    use mnist_viz::core::dataset::{images_file, labels_file, Dataset, Split};
    use mnist_viz::core::nn::matrix::{self, Csr};
    use mnist_viz::core::nn::{evaluate, Activation, Network, Rng, Samples, TrainConfig, Trainer};

    const SIZES: [usize; 3] = [784, 100, 10];
    const BATCH: usize = 32;
    const SEED: u64 = 1;

    fn load(split: Split) -> Result<Samples, String> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/mnist");
        let read = |name: String| {
            std::fs::read(dir.join(&name)).map_err(|e| format!("cannot read {name}: {e}"))
        };
        let d = Dataset::from_gz(
            &read(images_file(split))?,
            &read(labels_file(split))?,
            split,
        )
        .map_err(|e| e.to_string())?;
        Samples::from_pixels(&d.images.pixels, &d.labels, d.images.rows * d.images.cols)
            .map_err(|e| e.to_string())
    }

    fn b1_network() -> Network {
        Network::init(&SIZES, Activation::Relu, Activation::Softmax, SEED).expect("valid sizes")
    }

    /// Trains B1 for one epoch from the fresh network; returns (seconds, trained network, first and last 100-batch mean loss).
    /// Seconds this thread has spent running on a CPU (Linux schedstat), if available.
    fn thread_cpu_seconds() -> Option<f64> {
        let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
        Some(stat.split_whitespace().next()?.parse::<f64>().ok()? / 1e9)
    }

    /// Trains B1 for one epoch from the fresh network; returns (seconds, trained network,
    /// first and last 100-batch mean loss, on-CPU seconds of this thread).
    fn b1_epoch(train: &Samples) -> (f64, Network, f32, f32, Option<f64>) {
        let mut t = Trainer::new(&b1_network(), TrainConfig::default()).expect("B1 config");
        let mut losses = Vec::with_capacity(train.len() / BATCH + 1);
        let cpu_start = thread_cpu_seconds();
        let start = Instant::now();
        loop {
            let r = t.train_batch(train).expect("training data");
            losses.push(r.loss);
            if r.epoch_finished {
                break;
            }
        }
        let secs = start.elapsed().as_secs_f64();
        let cpu = thread_cpu_seconds().zip(cpu_start).map(|(b, a)| b - a);
        let mean = |s: &[f32]| s.iter().sum::<f32>() / s.len() as f32;
        (
            secs,
            t.network(),
            mean(&losses[..100]),
            mean(&losses[losses.len() - 100..]),
            cpu,
        )
    }

    fn best_of<T>(runs: usize, mut f: impl FnMut() -> (f64, T)) -> (f64, T) {
        let mut best = f();
        for _ in 1..runs {
            let r = f();
            if r.0 < best.0 {
                best = r;
            }
        }
        best
    }

    /// Clock from /proc/cpuinfo (MHz, first core), if readable.
    fn cpu_mhz() -> Option<f64> {
        let info = std::fs::read_to_string("/proc/cpuinfo").ok()?;
        info.lines()
            .find(|l| l.starts_with("cpu MHz"))
            .and_then(|l| l.split(':').nth(1))
            .and_then(|v| v.trim().parse().ok())
    }

    fn model_name() -> String {
        std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|i| {
                i.lines()
                    .find(|l| l.starts_with("model name"))
                    .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
            })
            .unwrap_or_else(|| "unknown CPU".into())
    }

    fn load_average() -> String {
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Fraction of non-zero values.
    fn density(v: &[f32]) -> f64 {
        v.iter().filter(|&&x| x != 0.0).count() as f64 / v.len() as f64
    }

    /// Fraction of hidden ReLU units that are active on the test set.
    fn hidden_density(net: &Network, test: &Samples) -> f64 {
        let first = Network {
            layers: vec![net.layers[0].clone()],
        };
        density(&first.forward_batch(&test.dense(), test.len()))
    }

    /// `bench_nn accuracy`: where B1's one-epoch accuracy comes from — the fast trainer over
    /// seeds 1–10, the naive f64 reference trainer (same weights, same batches) for seed 1,
    /// and the reference from other common initialisations.
    fn accuracy_study(train: &Samples, test: &Samples) {
        use super::reference::ReferenceSgd;
        println!(
            "B1 test accuracy after one epoch (784-100-10 ReLU, softmax-CE, SGD lr 0.1, batch 32)"
        );
        let mut accs = Vec::new();
        for seed in 1..=10u64 {
            let net = Network::init(&SIZES, Activation::Relu, Activation::Softmax, seed)
                .expect("valid sizes");
            let config = TrainConfig {
                seed,
                ..TrainConfig::default()
            };
            let mut t = Trainer::new(&net, config).expect("B1 config");
            while !t.train_batch(train).expect("training data").epoch_finished {}
            let acc = 100.0 * evaluate(&t.network(), test).accuracy();
            println!("  fast trainer, seed {seed:>2}: {acc:.2} %");
            accs.push(acc);
        }
        let mean = accs.iter().sum::<f32>() / accs.len() as f32;
        let (lo, hi) = accs
            .iter()
            .fold((f32::MAX, f32::MIN), |(a, b), &x| (a.min(x), b.max(x)));
        println!("  fast trainer, seeds 1-10: mean {mean:.2} %, range {lo:.2}-{hi:.2} %");
        let reference = |name: &str, net: Network| {
            let mut r = ReferenceSgd::new(&net, 0.1, BATCH, SEED);
            let start = Instant::now();
            while !r.step(train).1 {}
            let acc = 100.0 * evaluate(&r.network(), test).accuracy();
            println!(
                "  naive f64 reference, seed 1, {name}: {acc:.2} % ({:.1} s)",
                start.elapsed().as_secs_f64()
            );
        };
        reference(
            "shipped init (He-uniform hidden, Xavier-uniform output)",
            b1_network(),
        );
        let mut rng = Rng::new(SEED);
        let mut normal = b1_network();
        for layer in &mut normal.layers {
            let sd = (2.0 / layer.inputs as f64).sqrt();
            for w in &mut layer.weights {
                // Box–Muller from two uniforms in (0, 1].
                let u1 = 1.0 - rng.next_f32() as f64;
                let u2 = rng.next_f32() as f64;
                *w = (sd * (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()) as f32;
            }
        }
        reference("He-normal N(0, 2/fan_in) in both layers", normal);
        let mut small = b1_network();
        for layer in &mut small.layers {
            let limit = 1.0 / (layer.inputs as f32).sqrt();
            for w in &mut layer.weights {
                *w = rng.uniform(limit);
            }
        }
        reference("U(±1/sqrt(fan_in)) in both layers", small);
        // Not B1: inputs standardised with MNIST's mean and deviation, as many tutorials do.
        let standardise = |s: &Samples| {
            let x = s.dense().iter().map(|&v| (v - 0.1307) / 0.3081).collect();
            Samples::new(x, s.labels.clone(), s.dim).expect("same shape")
        };
        let (train_std, test_std) = (standardise(train), standardise(test));
        let mut t = Trainer::new(&b1_network(), TrainConfig::default()).expect("B1 config");
        while !t
            .train_batch(&train_std)
            .expect("training data")
            .epoch_finished
        {}
        println!(
            "  (not B1) fast trainer, seed 1, inputs (x − 0.1307) / 0.3081: {:.2} %",
            100.0 * evaluate(&t.network(), &test_std).accuracy()
        );
    }

    /// `bench_nn epochs [n]`: only `n` B1 epochs (default 3) on one core, each from the fresh
    /// network, with wall and on-CPU time — a quiet target for `perf stat` / `perf record`.
    fn only_epochs(train: &Samples, n: usize) -> Result<(), String> {
        matrix::set_parallel(false);
        println!("kernels {}", matrix::backend_name());
        for _ in 0..n {
            let (secs, _, _, _, cpu) = b1_epoch(train);
            println!(
                "B1 epoch, one core: {secs:.3} s wall, {} on-CPU",
                cpu.map_or("?".into(), |c| format!("{c:.3} s"))
            );
        }
        Ok(())
    }

    pub fn main() -> Result<(), String> {
        if std::env::args().nth(1).as_deref() == Some("accuracy") {
            accuracy_study(&load(Split::Train)?, &load(Split::Test)?);
            return Ok(());
        }
        if std::env::args().nth(1).as_deref() == Some("epochs") {
            let n = std::env::args()
                .nth(2)
                .and_then(|a| a.parse().ok())
                .unwrap_or(3);
            return only_epochs(&load(Split::Train)?, n);
        }
        let runs: usize = std::env::args()
            .nth(1)
            .and_then(|a| a.parse().ok())
            .unwrap_or(3)
            .max(1);
        let train = load(Split::Train)?;
        let test = load(Split::Test)?;
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let mhz = cpu_mhz();
        println!(
            "machine: {} × {cores} cores, {}, kernels {}, load average {}",
            model_name(),
            mhz.map_or("clock unknown".into(), |m| format!("{m:.0} MHz")),
            matrix::backend_name(),
            load_average()
        );

        // Warm-up (page faults, thread pool start): a few hundred batches, untimed.
        let mut warm = Trainer::new(&b1_network(), TrainConfig::default()).expect("B1 config");
        let warm_set = train.take(10_000);
        for _ in 0..300 {
            warm.train_batch(&warm_set).expect("warm-up");
        }

        let per_sample_dense: f64 = {
            let pairs: Vec<f64> = SIZES.windows(2).map(|w| (w[0] * w[1]) as f64).collect();
            // forward + weight gradient for every layer, input gradient for all but the first.
            2.0 * (2.0 * pairs.iter().sum::<f64>() + pairs[1..].iter().sum::<f64>())
        };
        let peak = mhz.map(|m| cores as f64 * 32.0 * m * 1e6);

        println!("\nB1 training: 784-100-10 ReLU, softmax-CE, SGD lr 0.1, batch 32, one epoch of {} digits (best of {runs})", train.len());
        let mut results = Vec::new();
        for (label, parallel) in [("both cores", true), ("one core", false)] {
            matrix::set_parallel(parallel);
            let (secs, (net, first_loss, last_loss, cpu)) = best_of(runs, || {
                let (s, n, a, b, c) = b1_epoch(&train);
                (s, (n, a, b, c))
            });
            results.push((label, secs, net, first_loss, last_loss, cpu));
        }
        matrix::set_parallel(true);
        let x_density = density(&train.dense());
        let (_, _, ref net, first_loss, last_loss, _) = results[0];
        let h_density = hidden_density(net, &test);
        let per_sample_done =
            2.0 * (2.0 * (x_density * 784.0 * 100.0 + h_density * 100.0 * 10.0) + 100.0 * 10.0);
        for (label, secs, _, _, _, cpu) in &results {
            let dense_gflops = per_sample_dense * train.len() as f64 / secs / 1e9;
            let done_gflops = per_sample_done * train.len() as f64 / secs / 1e9;
            println!(
                "  {label:>10}: {secs:.3} s/epoch, {:.0} samples/s, {dense_gflops:.1} GFLOP/s dense-equivalent, {done_gflops:.1} GFLOP/s executed{}",
                train.len() as f64 / secs,
                peak.map_or(String::new(), |p| format!(" = {:.1} % of peak", 100.0 * done_gflops * 1e9 / p))
            );
            if let (Some(cpu), false) = (cpu, matrix::parallel_enabled() && *label == "both cores")
            {
                println!(
                    "  {:>10}  on-CPU time of the training thread {cpu:.3} s (the rest of the wall time it waited for a CPU: the machine is shared)",
                    ""
                );
            }
        }
        let acc = evaluate(net, &test).accuracy();
        println!("  loss: first 100 batches {first_loss:.3} → last 100 batches {last_loss:.3}; test accuracy after the epoch {:.2} % (target ≥ 95 %)", 100.0 * acc);
        println!("  work: dense-equivalent {:.0} kFLOP/sample; zeros skipped (input density {:.1} %, hidden ReLU density {:.1} %) → {:.0} kFLOP/sample executed",
            per_sample_dense / 1e3, 100.0 * x_density, 100.0 * h_density, per_sample_done / 1e3);
        if let (Some(p), Some(m)) = (peak, mhz) {
            println!("  peak: {cores} cores × 32 FLOP/cycle (2 FMA units × 8 f32 lanes × 2) × {m:.0} MHz = {:.1} GFLOP/s", p / 1e9);
        }

        println!(
            "\nInference: 10 000 test digits, batched, 784-100-10 (best of {})",
            5 * runs
        );
        let inf_flops = 2.0 * (784.0 * 100.0 + 100.0 * 10.0) * test.len() as f64;
        for (label, parallel) in [("both cores", true), ("one core", false)] {
            matrix::set_parallel(parallel);
            let test_dense = test.dense();
            for (input, sparse_input) in
                [("prepared sparse input", true), ("dense f32 input", false)]
            {
                let (secs, _) = best_of(5 * runs, || {
                    let start = Instant::now();
                    let p = if sparse_input {
                        net.predict_sparse(test.sparse())
                    } else {
                        net.predict_batch(&test_dense, test.len())
                    };
                    (start.elapsed().as_secs_f64(), p.len())
                });
                println!(
                    "  {label:>10}, {input:<21}: {:.1} ms ({:.0} samples/s, {:.1} GFLOP/s dense-equivalent) (target ≤ 30 ms)",
                    secs * 1e3,
                    test.len() as f64 / secs,
                    inf_flops / secs / 1e9
                );
            }
        }
        matrix::set_parallel(true);

        println!("\nWhere one B1 epoch's time goes (one core, the same kernel calls replayed in isolation):");
        matrix::set_parallel(false);
        breakdown(&train, results[1].1);
        matrix::set_parallel(true);
        Ok(())
    }

    /// Replays the epoch's big kernel calls on their own and prints their share of `total`.
    fn breakdown(train: &Samples, total: f64) {
        let batches = train.len() / BATCH;
        let mut rng = Rng::new(3);
        let wt: Vec<f32> = (0..784 * 100).map(|_| rng.uniform(0.08)).collect();
        let delta: Vec<f32> = (0..BATCH * 100).map(|_| rng.uniform(0.01)).collect();
        let mut one = Csr::default();
        let start = Instant::now();
        for b in 0..batches {
            one.reset(784);
            for i in b * BATCH..(b + 1) * BATCH {
                one.push_row_of(train.sparse(), i);
            }
        }
        let list = start.elapsed().as_secs_f64();
        let mut csrs = vec![Csr::default(); batches];
        for (b, csr) in csrs.iter_mut().enumerate() {
            csr.reset(784);
            for i in b * BATCH..(b + 1) * BATCH {
                csr.push_row_of(train.sparse(), i);
            }
        }
        let mut z = vec![0.0f32; BATCH * 100];
        let start = Instant::now();
        for csr in &csrs {
            matrix::gemm_csr(csr, &wt, 100, 1.0, &mut z, false);
        }
        let forward = start.elapsed().as_secs_f64();
        let mut t = Csr::default();
        let start = Instant::now();
        for csr in &csrs {
            csr.transpose_into(&mut t);
        }
        let transpose = start.elapsed().as_secs_f64();
        let mut w = wt.clone();
        let start = Instant::now();
        for csr in &csrs {
            csr.transpose_into(&mut t);
            matrix::gemm_csr(&t, &delta, 100, -1e-6, &mut w, true);
        }
        let update = start.elapsed().as_secs_f64() - transpose;
        let rest = total - list - forward - transpose - update;
        for (name, s) in [
            ("gather the batch rows from the prepared sparse set", list),
            ("layer 1 forward  X·Wt (sparse × dense)", forward),
            ("transpose batch CSR for the gradient", transpose),
            ("layer 1 SGD update Wt −= lr·Xᵀ·Δ (fused)", update),
            (
                "everything else (layer 2, softmax, loss, bookkeeping)",
                rest,
            ),
        ] {
            println!(
                "  {name:<55} {:>6.1} ms  {:>5.1} %",
                s * 1e3,
                100.0 * s / total
            );
        }
    }
}
