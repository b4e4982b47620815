//! Native trainer: trains a network on data/mnist, shows progress, writes a `.mnn` model file
//! and prints a final report. Flags and the reproduce commands: docs/training.md.
//!
//! `cargo run --profile native --bin train -- --arch 784-256-128-10 --epochs 12 --seed 1 \
//!     --out data/models/default.mnn`

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    if let Err(e) = native::main() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::io::Write;
    use std::path::{Path, PathBuf};
    use std::time::Instant;

    use mnist_viz::core::dataset::{images_file, labels_file, Dataset, DatasetName, Split};
    use mnist_viz::core::nn::{evaluate, matrix, model, Flow, Progress, Samples};
    use mnist_viz::core::training::config::FLAGS;
    use mnist_viz::core::training::{RunConfig, CLASSES};

    const HELP: &str = "\
train: train a network on MNIST and write a model file

  --arch 784-256-128-10   layer sizes, input first (784) and output last (10)
  --hidden relu           hidden activation: relu | tanh | sigmoid
  --output softmax        output activation: softmax | sigmoid | tanh | relu
  --loss ce               ce (softmax cross-entropy, needs softmax) | mse
  --optimizer adam        sgd | momentum | adam
  --lr 0.001              learning rate (default 0.001 for adam, 0.1 otherwise)
  --momentum 0.9          momentum for --optimizer momentum
  --lr-decay 1.0          learning rate multiplied by this after every epoch
  --weight-decay 0        L2 weight decay λ
  --batch 64              mini-batch size (1-4096)
  --epochs 10             epochs over the training digits (1-100)
  --seed 1                seed of the initial weights and of the shuffles
  --subset all            train on the first N training digits (1-60000) or all
  --data data/mnist       folder with the four .gz files (data/fashion-mnist: Fashion-MNIST)
  --out model.mnn         where to write the model
  --single-thread         use one core only
  --portable-kernels      the portable kernels only (no AVX2/FMA): they round like the
                          browser's simd128 ones, for comparing a run bit for bit
  --quiet                 no progress bar

The run flags are the training page's link settings (core::training::RunConfig): the same
settings train the same network in the browser at /train?<the query printed at the start>.";

    /// Parsed command line.
    struct Options {
        run: RunConfig,
        data: PathBuf,
        out: PathBuf,
        quiet: bool,
        command: String,
    }

    fn parse_options() -> Result<Options, String> {
        let args: Vec<String> = std::env::args().skip(1).collect();
        let mut data = PathBuf::from("data/mnist");
        let mut out = PathBuf::from("model.mnn");
        let mut quiet = false;
        let mut run_flags: Vec<(&str, &str)> = Vec::new();
        let mut i = 0;
        while i < args.len() {
            let flag = args[i].as_str();
            match flag {
                "--help" | "-h" => {
                    println!("{HELP}");
                    std::process::exit(0);
                }
                "--single-thread" => matrix::set_parallel(false),
                "--portable-kernels" => matrix::set_portable_only(true),
                "--quiet" => quiet = true,
                _ => {
                    let value = args.get(i + 1).ok_or(format!("{flag} needs a value"))?;
                    i += 1;
                    match flag {
                        "--data" => data = PathBuf::from(value),
                        "--out" => out = PathBuf::from(value),
                        _ if FLAGS.iter().any(|(f, _)| *f == flag) => run_flags.push((flag, value)),
                        _ => return Err(format!("unknown flag {flag}; see --help")),
                    }
                }
            }
            i += 1;
        }
        let mut run = RunConfig::from_flags(&run_flags).map_err(|e| e.to_string())?;
        // A dataset's own folder (data/fashion-mnist) names the dataset of the browser's link.
        if let Some(d) = data
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(DatasetName::from_id)
        {
            run.data = d;
        }
        Ok(Options {
            run,
            data,
            out,
            quiet,
            command: format!("train -- {}", args.join(" ")),
        })
    }

    /// Reads and decodes one MNIST split as network samples (pixel / 255).
    pub fn load_split(dir: &Path, split: Split) -> Result<Samples, String> {
        let read = |name: String| {
            let path = dir.join(&name);
            std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))
        };
        let d = Dataset::from_gz(
            &read(images_file(split))?,
            &read(labels_file(split))?,
            split,
        )
        .map_err(|e| e.to_string())?;
        let dim = d.images.rows * d.images.cols;
        Samples::from_pixels(&d.images.pixels, &d.labels, dim).map_err(|e| e.to_string())
    }

    /// One progress-bar line: epoch, bar, running loss and accuracy, speed, ETA.
    struct Bar {
        epochs: usize,
        start: Instant,
        loss_sum: f64,
        correct: usize,
        seen: usize,
        batches_done: usize,
        total_batches: usize,
    }

    impl Bar {
        fn draw(&self, epoch: usize, batch: usize, batches: usize, samples_per_sec: f64) {
            let width = 30;
            let filled = width * batch / batches.max(1);
            let elapsed = self.start.elapsed().as_secs_f64();
            let eta = elapsed / self.batches_done.max(1) as f64
                * (self.total_batches - self.batches_done) as f64;
            print!(
                "\repoch {}/{} [{}{}] {:>3}% loss {:.4} acc {:.2}% {:>7.0} samples/s ETA {:>4.0}s ",
                epoch + 1,
                self.epochs,
                "#".repeat(filled),
                ".".repeat(width - filled),
                100 * batch / batches.max(1),
                self.loss_sum / batch.max(1) as f64,
                100.0 * self.correct as f64 / self.seen.max(1) as f64,
                samples_per_sec,
                eta
            );
            let _ = std::io::stdout().flush();
        }
    }

    pub fn main() -> Result<(), String> {
        let o = parse_options()?;
        let run = &o.run;
        let train = run.training_subset(load_split(&o.data, Split::Train)?);
        let test = load_split(&o.data, Split::Test)?;
        let net = run.network(train.dim, CLASSES);
        model::check_shape(&net, train.dim, CLASSES).map_err(|e| e.to_string())?;
        let sizes = net.sizes();
        println!(
            "training {} ({} parameters), {}, {} loss, batch {}, {} epochs, seed {}, {} training digits, kernels {}{}",
            sizes
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
                .join("-"),
            net.parameter_count(),
            run.optimizer().describe(),
            run.loss.name(),
            run.batch,
            run.epochs,
            run.seed,
            train.len(),
            matrix::backend_name(),
            if matrix::parallel_enabled() {
                ", multi-threaded"
            } else {
                ""
            },
        );
        println!("the same run in the browser: /train?{}", run.to_query());
        let mut trainer = run.trainer(train.dim, CLASSES).map_err(|e| e.to_string())?;
        let start = Instant::now();
        let clock = move || start.elapsed().as_secs_f64();
        let batches = train.len().div_ceil(run.batch);
        let mut bar = Bar {
            epochs: run.epochs,
            start,
            loss_sum: 0.0,
            correct: 0,
            seen: 0,
            batches_done: 0,
            total_batches: batches * run.epochs,
        };
        let quiet = o.quiet;
        trainer
            .run(&train, Some(&test), run.epochs, &clock, &mut |p| {
                match p {
                    Progress::Batch { report, samples_per_sec } => {
                        bar.loss_sum += report.loss as f64;
                        bar.correct += report.correct;
                        bar.seen += report.samples;
                        bar.batches_done += 1;
                        if !quiet && (report.batch % 20 == 0 || report.epoch_finished) {
                            bar.draw(report.epoch, report.batch, report.batches, *samples_per_sec);
                        }
                    }
                    Progress::Epoch(e) => {
                        println!(
                            "\repoch {}/{}: loss {:.4}, train accuracy {:.2} % (during the epoch), test accuracy {:.2} %, {:.1} s ({:.0} samples/s){}",
                            e.epoch,
                            run.epochs,
                            e.mean_loss,
                            100.0 * e.train_accuracy,
                            100.0 * e.test_accuracy.unwrap_or(0.0),
                            e.seconds,
                            e.samples_per_sec,
                            " ".repeat(20)
                        );
                        bar.loss_sum = 0.0;
                        bar.correct = 0;
                        bar.seen = 0;
                    }
                }
                Flow::Continue
            })
            .map_err(|e| e.to_string())?;
        let net = trainer.network();
        let result = evaluate(&net, &test);
        println!("\ntest set: {}", result.report());
        let note = format!(
            "mnist-viz model. {}. test accuracy {:.2} %. command: cargo run --profile native --bin {}",
            sizes.iter().map(|s| s.to_string()).collect::<Vec<_>>().join("-"),
            100.0 * result.accuracy(),
            o.command
        );
        let bytes = model::to_bytes_with_note(&net, &note);
        std::fs::write(&o.out, &bytes)
            .map_err(|e| format!("cannot write {}: {e}", o.out.display()))?;
        println!(
            "wrote {} ({} bytes) in {:.1} s total",
            o.out.display(),
            bytes.len(),
            start.elapsed().as_secs_f64()
        );
        Ok(())
    }
}
