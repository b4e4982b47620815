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

    use mnist_viz::core::dataset::{images_file, labels_file, Dataset, Split};
    use mnist_viz::core::nn::{
        evaluate, matrix, model, Activation, Flow, Loss, Network, Optimizer, Progress, Samples,
        TrainConfig, Trainer,
    };

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
  --batch 64              mini-batch size
  --epochs 10             epochs over the 60 000 training digits
  --seed 1                seed of the initial weights and of the shuffles
  --data data/mnist       folder with the four MNIST .gz files
  --out model.mnn         where to write the model
  --single-thread         use one core only
  --quiet                 no progress bar";

    /// Parsed command line.
    struct Options {
        sizes: Vec<usize>,
        hidden: Activation,
        output: Activation,
        config: TrainConfig,
        epochs: usize,
        data: PathBuf,
        out: PathBuf,
        quiet: bool,
        command: String,
    }

    fn parse_options() -> Result<Options, String> {
        let args: Vec<String> = std::env::args().skip(1).collect();
        let mut o = Options {
            sizes: vec![784, 256, 128, 10],
            hidden: Activation::Relu,
            output: Activation::Softmax,
            config: TrainConfig {
                batch_size: 64,
                ..TrainConfig::default()
            },
            epochs: 10,
            data: PathBuf::from("data/mnist"),
            out: PathBuf::from("model.mnn"),
            quiet: false,
            command: format!("train -- {}", args.join(" ")),
        };
        let (mut optimizer, mut lr, mut momentum) = ("adam".to_string(), None::<f32>, 0.9f32);
        let mut i = 0;
        while i < args.len() {
            let flag = args[i].as_str();
            match flag {
                "--help" | "-h" => {
                    println!("{HELP}");
                    std::process::exit(0);
                }
                "--single-thread" => matrix::set_parallel(false),
                "--quiet" => o.quiet = true,
                _ => {
                    let value = args.get(i + 1).ok_or(format!("{flag} needs a value"))?;
                    i += 1;
                    match flag {
                        "--arch" => o.sizes = parse_sizes(value)?,
                        "--hidden" => o.hidden = parse_activation(value)?,
                        "--output" => o.output = parse_activation(value)?,
                        "--loss" => {
                            o.config.loss = Loss::parse(value)
                                .ok_or(format!("unknown loss {value:?} (ce or mse)"))?
                        }
                        "--optimizer" => optimizer = value.clone(),
                        "--lr" => lr = Some(number(flag, value)?),
                        "--momentum" => momentum = number(flag, value)?,
                        "--lr-decay" => o.config.lr_decay = number(flag, value)?,
                        "--weight-decay" => o.config.weight_decay = number(flag, value)?,
                        "--batch" => o.config.batch_size = number(flag, value)?,
                        "--epochs" => o.epochs = number(flag, value)?,
                        "--seed" => o.config.seed = number(flag, value)?,
                        "--data" => o.data = PathBuf::from(value),
                        "--out" => o.out = PathBuf::from(value),
                        _ => return Err(format!("unknown flag {flag}; see --help")),
                    }
                }
            }
            i += 1;
        }
        o.config.optimizer = match optimizer.as_str() {
            "sgd" => Optimizer::Sgd {
                lr: lr.unwrap_or(0.1),
            },
            "momentum" => Optimizer::Momentum {
                lr: lr.unwrap_or(0.1),
                momentum,
            },
            "adam" => Optimizer::adam(lr.unwrap_or(0.001)),
            other => {
                return Err(format!(
                    "unknown optimizer {other:?} (sgd, momentum or adam)"
                ))
            }
        };
        Ok(o)
    }

    fn number<T: std::str::FromStr>(flag: &str, v: &str) -> Result<T, String> {
        v.parse()
            .map_err(|_| format!("{flag}: {v:?} is not a valid number"))
    }

    fn parse_sizes(s: &str) -> Result<Vec<usize>, String> {
        let sizes: Vec<usize> = s
            .split('-')
            .map(|p| {
                p.parse()
                    .map_err(|_| format!("--arch: {p:?} is not a layer size"))
            })
            .collect::<Result<_, _>>()?;
        if sizes.len() < 2 || sizes.contains(&0) {
            return Err("--arch needs at least two non-zero sizes, e.g. 784-100-10".into());
        }
        Ok(sizes)
    }

    fn parse_activation(s: &str) -> Result<Activation, String> {
        Activation::parse(s).ok_or(format!("unknown activation {s:?}"))
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
        let train = load_split(&o.data, Split::Train)?;
        let test = load_split(&o.data, Split::Test)?;
        let net = Network::init(&o.sizes, o.hidden, o.output, o.config.seed)
            .map_err(|e| e.to_string())?;
        model::check_shape(&net, train.dim, 10).map_err(|e| e.to_string())?;
        println!(
            "training {} ({} parameters), {}, {} loss, batch {}, {} epochs, seed {}, kernels {}{}",
            o.sizes
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
                .join("-"),
            net.parameter_count(),
            o.config.optimizer.describe(),
            o.config.loss.name(),
            o.config.batch_size,
            o.epochs,
            o.config.seed,
            matrix::backend_name(),
            if matrix::parallel_enabled() {
                ", multi-threaded"
            } else {
                ""
            },
        );
        let mut trainer = Trainer::new(&net, o.config.clone()).map_err(|e| e.to_string())?;
        let start = Instant::now();
        let clock = move || start.elapsed().as_secs_f64();
        let batches = train.len().div_ceil(o.config.batch_size);
        let mut bar = Bar {
            epochs: o.epochs,
            start,
            loss_sum: 0.0,
            correct: 0,
            seen: 0,
            batches_done: 0,
            total_batches: batches * o.epochs,
        };
        let quiet = o.quiet;
        trainer
            .run(&train, Some(&test), o.epochs, &clock, &mut |p| {
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
                            "\repoch {}/{}: loss {:.4}, train accuracy {:.2} %, test accuracy {:.2} %, {:.1} s ({:.0} samples/s){}",
                            e.epoch,
                            o.epochs,
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
            o.sizes.iter().map(|s| s.to_string()).collect::<Vec<_>>().join("-"),
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
