//! The settings of a training run, read from the URL query (`/train?hidden=100,50&act=relu&…`)
//! or from the native trainer's flags, checked, and turned into the network and the
//! [`TrainConfig`] that `core::nn` trains with. One type for both, so a link and a command with
//! the same settings train the same network.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::core::dataset::DatasetName;
use crate::core::local::is_valid_name;
use crate::core::nn::{
    Activation, Loss, Network, Optimizer, Samples, TrainConfig, TrainError, Trainer,
};

/// Inputs of the network (MNIST: 28 × 28 pixels).
pub const INPUT: usize = 784;
/// Classes (the network's outputs).
pub const CLASSES: usize = 10;
/// Widest hidden layer a link may ask for.
pub const MAX_WIDTH: usize = 4096;
/// Most hidden layers a link may ask for.
pub const MAX_HIDDEN_LAYERS: usize = 8;
/// Largest mini-batch.
pub const MAX_BATCH: usize = 4096;
/// Most epochs one run may take.
pub const MAX_EPOCHS: usize = 100;
/// Most weights and biases a network may have (20 MB of f32; 784-256-128-10 has 235,146).
pub const MAX_PARAMETERS: usize = 5_000_000;
/// Largest learning rate.
pub const MAX_LR: f32 = 10.0;
/// Largest training subset (the MNIST training set).
pub const MAX_SUBSET: usize = 60_000;

/// Which optimiser updates the weights (its constants live in [`RunConfig`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptimizerKind {
    Sgd,
    Momentum,
    Adam,
}

impl OptimizerKind {
    const ALL: [OptimizerKind; 3] = [
        OptimizerKind::Sgd,
        OptimizerKind::Momentum,
        OptimizerKind::Adam,
    ];

    /// The name in links and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            OptimizerKind::Sgd => "sgd",
            OptimizerKind::Momentum => "momentum",
            OptimizerKind::Adam => "adam",
        }
    }

    /// The learning rate used when none is given: 0.001 for Adam, 0.1 for the others.
    pub fn default_lr(self) -> f32 {
        match self {
            OptimizerKind::Adam => 0.001,
            _ => 0.1,
        }
    }
}

/// Every setting of a run. In links it travels as its query ([`RunConfig::to_query`]); its
/// serde form is that same query string, checked again when read.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RunConfig {
    /// Hidden layer widths (`hidden=256,128`); input and output sizes come from the data.
    pub hidden: Vec<usize>,
    /// Activation after every hidden layer (`act=relu|tanh|sigmoid`).
    pub activation: Activation,
    /// Activation of the output layer (`out=softmax|sigmoid|tanh|relu`).
    pub output: Activation,
    /// `loss=ce|mse`; cross-entropy needs a softmax output.
    pub loss: Loss,
    /// `opt=sgd|momentum|adam`.
    pub optimizer: OptimizerKind,
    /// Base learning rate (`lr`), in (0, 10].
    pub lr: f32,
    /// Momentum coefficient for `opt=momentum` (`momentum`), in [0, 1).
    pub momentum: f32,
    /// The learning rate is multiplied by this after every epoch (`decay`), in (0, 1].
    pub lr_decay: f32,
    /// Mini-batch size (`batch`), 1..=4096.
    pub batch: usize,
    /// Epochs (`epochs`), 1..=100.
    pub epochs: usize,
    /// L2 weight decay λ (`l2`), in [0, 1].
    pub l2: f32,
    /// Seed of the initial weights and of the shuffles (`seed`), any u64.
    pub seed: u64,
    /// Train on the first `subset` training samples (`subset`, 1..=60000); `None` = all.
    pub subset: Option<usize>,
    /// The dataset trained on (`data=mnist|fashion-mnist`; links leave out the default, MNIST).
    pub data: DatasetName,
    /// Or one of the user's own sets (`data=local:{name}`, kept in this browser; see
    /// `core::local`); `data` is then MNIST, whose class names are the labels' numbers.
    pub local: Option<String>,
}

/// Where a run's images come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TrainData {
    Builtin(DatasetName),
    Local(String),
}

impl TrainData {
    /// "MNIST", "Fashion-MNIST", "your set “letters”".
    pub fn title(&self) -> String {
        match self {
            TrainData::Builtin(d) => d.title().to_string(),
            TrainData::Local(name) => format!("your set “{name}”"),
        }
    }
}

impl Default for RunConfig {
    /// The native trainer's defaults: 784-256-128-10 ReLU/softmax, Adam lr 0.001, batch 64,
    /// 10 epochs, seed 1, all training samples.
    fn default() -> Self {
        RunConfig {
            hidden: vec![256, 128],
            activation: Activation::Relu,
            output: Activation::Softmax,
            loss: Loss::SoftmaxCrossEntropy,
            optimizer: OptimizerKind::Adam,
            lr: OptimizerKind::Adam.default_lr(),
            momentum: 0.9,
            lr_decay: 1.0,
            batch: 64,
            epochs: 10,
            l2: 0.0,
            seed: 1,
            subset: None,
            data: DatasetName::Mnist,
            local: None,
        }
    }
}

/// A setting that cannot be used. Display is a sentence naming the setting and what is allowed.
#[derive(Clone, Debug, PartialEq)]
pub enum ConfigError {
    /// `setting=value` is outside what is allowed (`allowed` is a phrase, e.g. "a number from 1 to 100").
    Invalid {
        setting: &'static str,
        value: String,
        allowed: String,
    },
    /// The query itself cannot be read (an unknown or repeated setting), as serde explains it.
    Query(String),
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Invalid {
                setting,
                value,
                allowed,
            } => write!(
                f,
                "The setting {setting}={value:?} is not allowed: {allowed}."
            ),
            ConfigError::Query(why) => write!(
                f,
                "The settings cannot be read ({why}); the settings are {}, data.",
                SETTINGS.join(", ")
            ),
        }
    }
}

impl std::error::Error for ConfigError {}

/// The names of the settings, in the order links list them.
pub const SETTINGS: [&str; 13] = [
    "hidden", "act", "out", "loss", "opt", "lr", "momentum", "decay", "batch", "epochs", "l2",
    "seed", "subset",
];

/// The native trainer's flags that are run settings, and the setting each one sets
/// (`--arch 784-256-128-10` sets `hidden=256,128`; `--hidden` is the hidden activation).
pub const FLAGS: [(&str, &str); 13] = [
    ("--arch", "hidden"),
    ("--hidden", "act"),
    ("--output", "out"),
    ("--loss", "loss"),
    ("--optimizer", "opt"),
    ("--lr", "lr"),
    ("--momentum", "momentum"),
    ("--lr-decay", "decay"),
    ("--weight-decay", "l2"),
    ("--batch", "batch"),
    ("--epochs", "epochs"),
    ("--seed", "seed"),
    ("--subset", "subset"),
];

/// The query as text, before any check: each setting once at most, none unknown.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSettings {
    hidden: Option<String>,
    act: Option<String>,
    out: Option<String>,
    loss: Option<String>,
    opt: Option<String>,
    lr: Option<String>,
    momentum: Option<String>,
    decay: Option<String>,
    batch: Option<String>,
    epochs: Option<String>,
    l2: Option<String>,
    seed: Option<String>,
    subset: Option<String>,
    data: Option<String>,
}

fn invalid(setting: &'static str, value: &str, allowed: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        setting,
        value: value.to_string(),
        allowed: allowed.into(),
    }
}

/// An integer in `min..=max`, or a sentence about `setting`.
fn integer_in<T>(setting: &'static str, value: &str, min: T, max: T) -> Result<T, ConfigError>
where
    T: std::str::FromStr + PartialOrd + fmt::Display + Copy,
{
    let allowed = || format!("use a whole number from {min} to {max}");
    match value.trim().parse::<T>() {
        Ok(n) if n >= min && n <= max => Ok(n),
        _ => Err(invalid(setting, value, allowed())),
    }
}

/// A finite number inside the interval `[lo, hi]`, with open ends where `open_lo`/`open_hi`.
fn real_in(
    setting: &'static str,
    value: &str,
    (lo, open_lo): (f32, bool),
    (hi, open_hi): (f32, bool),
) -> Result<f32, ConfigError> {
    let above = |x: f32| if open_lo { x > lo } else { x >= lo };
    let below = |x: f32| if open_hi { x < hi } else { x <= hi };
    match value.trim().parse::<f32>() {
        Ok(x) if x.is_finite() && above(x) && below(x) => Ok(x),
        _ => Err(invalid(
            setting,
            value,
            format!(
                "use a number {} {lo} and {} {hi}",
                if open_lo { "greater than" } else { "from" },
                if open_hi { "less than" } else { "at most" },
            ),
        )),
    }
}

/// Hidden widths from "256,128" ("" = no hidden layer).
fn parse_hidden(value: &str) -> Result<Vec<usize>, ConfigError> {
    let allowed = format!(
        "list up to {MAX_HIDDEN_LAYERS} hidden layer sizes separated by commas, each from 1 to \
         {MAX_WIDTH} (e.g. 100,50), or nothing for no hidden layer"
    );
    if value.trim().is_empty() {
        return Ok(Vec::new());
    }
    let sizes = value
        .split(',')
        .map(|p| integer_in("hidden", p, 1, MAX_WIDTH))
        .collect::<Result<Vec<usize>, _>>()
        .map_err(|_| invalid("hidden", value, allowed.clone()))?;
    if sizes.len() > MAX_HIDDEN_LAYERS {
        return Err(invalid("hidden", value, allowed));
    }
    Ok(sizes)
}

/// Weights and biases of a network with these layer sizes.
fn parameter_count(sizes: &[usize]) -> usize {
    sizes.windows(2).map(|w| w[0] * w[1] + w[1]).sum()
}

/// `--arch 784-256-128-10` → the hidden sizes "256,128" (ends checked: 784 and 10).
fn hidden_of_arch(arch: &str) -> Result<String, ConfigError> {
    let sizes: Vec<&str> = arch.split('-').collect();
    match sizes.as_slice() {
        [first, hidden @ .., last]
            if first.trim().parse() == Ok(INPUT) && last.trim().parse() == Ok(CLASSES) =>
        {
            Ok(hidden.join(","))
        }
        _ => Err(invalid(
            "--arch",
            arch,
            format!("list the layer sizes from {INPUT} inputs to {CLASSES} classes, e.g. {INPUT}-100-{CLASSES}"),
        )),
    }
}

fn parse_activation(
    setting: &'static str,
    value: &str,
    hidden: bool,
) -> Result<Activation, ConfigError> {
    let names: Vec<&str> = Activation::ALL
        .iter()
        .filter(|a| !(hidden && **a == Activation::Softmax))
        .map(|a| a.name())
        .collect();
    match Activation::parse(value.trim()) {
        Some(a) if names.contains(&a.name()) => Ok(a),
        _ => Err(invalid(setting, value, format!("use {}", names.join(", ")))),
    }
}

fn parse_optimizer(value: &str) -> Result<OptimizerKind, ConfigError> {
    OptimizerKind::ALL
        .into_iter()
        .find(|o| o.name() == value.trim())
        .ok_or_else(|| invalid("opt", value, "use sgd, momentum or adam"))
}

fn parse_loss(value: &str) -> Result<Loss, ConfigError> {
    Loss::parse(value.trim()).ok_or_else(|| {
        invalid(
            "loss",
            value,
            "use ce (cross-entropy, with out=softmax) or mse",
        )
    })
}

impl RunConfig {
    /// Reads a URL query (with or without the leading `?`); absent settings keep their
    /// defaults (the learning rate's depends on the optimiser).
    pub fn from_query(query: &str) -> Result<RunConfig, ConfigError> {
        let raw: RawSettings = serde_urlencoded::from_str(query.trim_start_matches('?'))
            .map_err(|e| ConfigError::Query(e.to_string()))?;
        RunConfig::from_raw(raw)
    }

    /// Reads `(setting, value)` pairs, e.g. built from command-line flags.
    pub fn from_pairs(pairs: &[(&str, &str)]) -> Result<RunConfig, ConfigError> {
        let query =
            serde_urlencoded::to_string(pairs).map_err(|e| ConfigError::Query(e.to_string()))?;
        RunConfig::from_query(&query)
    }

    /// Reads the native trainer's run flags as `(flag, value)` pairs (see [`FLAGS`]); errors
    /// name the flag. `--arch` lists every layer size: 784 first, 10 last.
    pub fn from_flags(flags: &[(&str, &str)]) -> Result<RunConfig, ConfigError> {
        let mut pairs = Vec::with_capacity(flags.len());
        for &(flag, value) in flags {
            let setting = FLAGS
                .iter()
                .find(|(f, _)| *f == flag)
                .map(|&(_, s)| s)
                .ok_or_else(|| ConfigError::Query(format!("unknown flag {flag}")))?;
            let value = if flag == "--arch" {
                hidden_of_arch(value)?
            } else {
                value.to_string()
            };
            pairs.push((setting, value));
        }
        let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        RunConfig::from_pairs(&pairs).map_err(|e| match e {
            ConfigError::Invalid {
                setting,
                value,
                allowed,
            } => ConfigError::Invalid {
                setting: FLAGS
                    .iter()
                    .find(|(_, s)| *s == setting)
                    .map_or(setting, |&(f, _)| f),
                value,
                allowed,
            },
            other => other,
        })
    }

    /// The native trainer's flags that train this run, e.g.
    /// `--arch 784-100-10 --hidden relu … --seed 7 --subset all`.
    pub fn to_flags(&self) -> String {
        let arch: Vec<String> = self
            .sizes(INPUT, CLASSES)
            .iter()
            .map(|s| s.to_string())
            .collect();
        let query = self.to_query();
        let value_of = |setting: &str| {
            query
                .split('&')
                .filter_map(|kv| kv.split_once('='))
                .find(|(k, _)| *k == setting)
                .map_or("", |(_, v)| v)
        };
        FLAGS
            .iter()
            .map(|&(flag, setting)| match flag {
                "--arch" => format!("{flag} {}", arch.join("-")),
                _ => format!("{flag} {}", value_of(setting)),
            })
            .chain(
                (self.data != DatasetName::Mnist)
                    .then(|| format!("--data data/{}", self.data.id())),
            )
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn from_raw(raw: RawSettings) -> Result<RunConfig, ConfigError> {
        let mut c = RunConfig::default();
        if let Some(s) = &raw.hidden {
            c.hidden = parse_hidden(s)?;
        }
        if let Some(s) = &raw.act {
            c.activation = parse_activation("act", s, true)?;
        }
        if let Some(s) = &raw.out {
            c.output = parse_activation("out", s, false)?;
        }
        if let Some(s) = &raw.loss {
            c.loss = parse_loss(s)?;
        }
        if let Some(s) = &raw.opt {
            c.optimizer = parse_optimizer(s)?;
        }
        c.lr = match &raw.lr {
            Some(s) => real_in("lr", s, (0.0, true), (MAX_LR, false))?,
            None => c.optimizer.default_lr(),
        };
        if let Some(s) = &raw.momentum {
            c.momentum = real_in("momentum", s, (0.0, false), (1.0, true))?;
        }
        if let Some(s) = &raw.decay {
            c.lr_decay = real_in("decay", s, (0.0, true), (1.0, false))?;
        }
        if let Some(s) = &raw.batch {
            c.batch = integer_in("batch", s, 1, MAX_BATCH)?;
        }
        if let Some(s) = &raw.epochs {
            c.epochs = integer_in("epochs", s, 1, MAX_EPOCHS)?;
        }
        if let Some(s) = &raw.l2 {
            c.l2 = real_in("l2", s, (0.0, false), (1.0, false))?;
        }
        if let Some(s) = &raw.seed {
            c.seed = integer_in("seed", s, 0, u64::MAX)?;
        }
        if let Some(s) = &raw.subset {
            c.subset = match s.trim() {
                "all" | "" => None,
                n => Some(integer_in("subset", n, 1, MAX_SUBSET)?),
            };
        }
        if let Some(name) = raw
            .data
            .as_deref()
            .and_then(|s| s.trim().strip_prefix("local:"))
        {
            if !is_valid_name(name) {
                return Err(invalid(
                    "data",
                    raw.data.as_deref().unwrap_or_default(),
                    "name one of your sets as local:{name}, e.g. local:letters (see /data/local)",
                ));
            }
            c.local = Some(name.to_string());
        } else if let Some(s) = &raw.data {
            c.data = DatasetName::from_id(s.trim())
                .filter(|d| d.is_available())
                .ok_or_else(|| {
                    let ids: Vec<&str> = DatasetName::AVAILABLE.iter().map(|d| d.id()).collect();
                    invalid("data", s, format!("use {}", ids.join(" or ")))
                })?;
        }
        let parameters = parameter_count(&c.sizes(INPUT, CLASSES));
        if parameters > MAX_PARAMETERS {
            return Err(invalid(
                "hidden",
                &raw.hidden.unwrap_or_default(),
                format!(
                    "that network has {parameters} weights and biases; at most {MAX_PARAMETERS} \
                     fit (e.g. 256,128 has 235146)"
                ),
            ));
        }
        if !c.loss.fits(c.output) {
            return Err(invalid(
                "loss",
                c.loss.name(),
                format!(
                    "cross-entropy needs out=softmax (out is {}); use loss=mse or out=softmax",
                    c.output.name()
                ),
            ));
        }
        Ok(c)
    }

    /// The query that reproduces this run, every setting spelled out (so a change of defaults
    /// does not change what an old link trains), e.g.
    /// `hidden=100&act=relu&out=softmax&loss=ce&opt=adam&lr=0.001&…&seed=7&subset=all`.
    pub fn to_query(&self) -> String {
        let hidden: Vec<String> = self.hidden.iter().map(|h| h.to_string()).collect();
        let subset = self.subset.map_or("all".to_string(), |n| n.to_string());
        let values = [
            hidden.join(","),
            self.activation.name().to_string(),
            self.output.name().to_string(),
            self.loss.name().to_string(),
            self.optimizer.name().to_string(),
            self.lr.to_string(),
            self.momentum.to_string(),
            self.lr_decay.to_string(),
            self.batch.to_string(),
            self.epochs.to_string(),
            self.l2.to_string(),
            self.seed.to_string(),
            subset,
        ];
        // Every value is digits, letters, '.', ',' or '-': nothing needs escaping.
        let mut query = SETTINGS
            .iter()
            .zip(values)
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&");
        // MNIST, the default, is left out: the links and records made before `data` existed
        // stay exactly as they were.
        if let Some(name) = &self.local {
            query.push_str(&format!("&data=local:{name}"));
        } else if self.data != DatasetName::Mnist {
            query.push_str(&format!("&data={}", self.data.id()));
        }
        query
    }

    /// Where the run's images come from.
    pub fn source(&self) -> TrainData {
        match &self.local {
            Some(name) => TrainData::Local(name.clone()),
            None => TrainData::Builtin(self.data),
        }
    }

    /// Layer sizes for `input` inputs and `classes` outputs, e.g. `[784, 256, 128, 10]`.
    pub fn sizes(&self, input: usize, classes: usize) -> Vec<usize> {
        let mut sizes = Vec::with_capacity(self.hidden.len() + 2);
        sizes.push(input);
        sizes.extend(&self.hidden);
        sizes.push(classes);
        sizes
    }

    /// The seeded initial network.
    pub fn network(&self, input: usize, classes: usize) -> Network {
        Network::init(
            &self.sizes(input, classes),
            self.activation,
            self.output,
            self.seed,
        )
        .expect("checked settings give a valid network")
    }

    /// The optimiser with its constants.
    pub fn optimizer(&self) -> Optimizer {
        match self.optimizer {
            OptimizerKind::Sgd => Optimizer::Sgd { lr: self.lr },
            OptimizerKind::Momentum => Optimizer::Momentum {
                lr: self.lr,
                momentum: self.momentum,
            },
            OptimizerKind::Adam => Optimizer::adam(self.lr),
        }
    }

    /// The hyper-parameters `core::nn` trains with.
    pub fn train_config(&self) -> TrainConfig {
        TrainConfig {
            batch_size: self.batch,
            optimizer: self.optimizer(),
            loss: self.loss,
            weight_decay: self.l2,
            lr_decay: self.lr_decay,
            seed: self.seed,
        }
    }

    /// The trainer at step 0: what both the native trainer and [`super::TrainingRun`] start from.
    pub fn trainer(&self, input: usize, classes: usize) -> Result<Trainer, TrainError> {
        Trainer::new(&self.network(input, classes), self.train_config())
    }

    /// Number of training samples used out of `available`.
    pub fn subset_len(&self, available: usize) -> usize {
        self.subset.map_or(available, |n| n.min(available))
    }

    /// The training samples this run uses: the first `subset` of `all` (all of them, not
    /// copied, when the subset is not smaller).
    pub fn training_subset(&self, all: Samples) -> Samples {
        match self.subset {
            Some(n) if n < all.len() => all.take(n),
            _ => all,
        }
    }
}

impl From<RunConfig> for String {
    fn from(c: RunConfig) -> String {
        c.to_query()
    }
}

impl TryFrom<String> for RunConfig {
    type Error = ConfigError;
    fn try_from(query: String) -> Result<RunConfig, ConfigError> {
        RunConfig::from_query(&query)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_issue_example_parses() {
        let c = RunConfig::from_query(
            "?hidden=100,50&act=relu&opt=adam&lr=0.001&batch=64&epochs=3&seed=7",
        )
        .unwrap();
        assert_eq!(c.hidden, vec![100, 50]);
        assert_eq!(c.activation, Activation::Relu);
        assert_eq!(c.optimizer(), Optimizer::adam(0.001));
        assert_eq!((c.batch, c.epochs, c.seed), (64, 3, 7));
        assert_eq!(c.subset, None);
        assert_eq!(c.sizes(784, 10), vec![784, 100, 50, 10]);
    }

    #[test]
    fn empty_query_is_the_default_and_lr_follows_the_optimiser() {
        assert_eq!(RunConfig::from_query("").unwrap(), RunConfig::default());
        assert_eq!(RunConfig::from_query("opt=sgd").unwrap().lr, 0.1);
        assert_eq!(
            RunConfig::from_query("opt=momentum").unwrap().optimizer(),
            Optimizer::Momentum {
                lr: 0.1,
                momentum: 0.9
            }
        );
        assert_eq!(
            RunConfig::from_query("hidden=").unwrap().hidden,
            Vec::<usize>::new()
        );
        assert_eq!(
            RunConfig::from_query("subset=500")
                .unwrap()
                .subset_len(60_000),
            500
        );
        assert_eq!(
            RunConfig::from_query("subset=500").unwrap().subset_len(100),
            100
        );
    }

    #[test]
    fn the_dataset_is_a_setting_left_out_of_links_when_it_is_mnist() {
        let default = RunConfig::default();
        assert_eq!(default.data, DatasetName::Mnist);
        assert!(!default.to_query().contains("data="));
        assert!(!default.to_flags().contains("--data"));
        let fashion = RunConfig::from_query("hidden=100&data=fashion-mnist").unwrap();
        assert_eq!(fashion.data, DatasetName::FashionMnist);
        assert!(fashion.to_query().ends_with("&data=fashion-mnist"));
        assert!(fashion.to_flags().ends_with(" --data data/fashion-mnist"));
        assert_eq!(RunConfig::from_query("data=mnist").unwrap(), default);
        assert_eq!(
            RunConfig::from_query("data=cifar").unwrap_err().to_string(),
            "The setting data=\"cifar\" is not allowed: use mnist or fashion-mnist."
        );
    }

    #[test]
    fn a_link_reproduces_the_run() {
        let odd = RunConfig {
            hidden: vec![7, 3, 5],
            activation: Activation::Tanh,
            output: Activation::Sigmoid,
            loss: Loss::MeanSquaredError,
            optimizer: OptimizerKind::Momentum,
            lr: 0.012_345_67,
            momentum: 0.85,
            lr_decay: 0.95,
            batch: 17,
            epochs: 4,
            l2: 1e-5,
            seed: u64::MAX,
            subset: Some(1234),
            data: DatasetName::FashionMnist,
            local: None,
        };
        for c in [RunConfig::default(), odd] {
            let q = c.to_query();
            assert_eq!(RunConfig::from_query(&q).unwrap(), c, "{q}");
            assert_eq!(RunConfig::from_query(&format!("?{q}")).unwrap(), c);
        }
        assert!(RunConfig::default()
            .to_query()
            .starts_with("hidden=256,128&act=relu&"));
    }

    /// The message of a query that must fail, checked to name the setting.
    fn refusal(query: &str, setting: &str) -> String {
        let e = RunConfig::from_query(query).unwrap_err();
        let m = e.to_string();
        assert!(m.contains(setting), "{query}: {m}");
        m
    }

    #[test]
    fn invalid_settings_name_the_setting_and_what_is_allowed() {
        assert!(refusal("lr=0", "lr").contains("greater than 0 and at most 10"));
        assert!(refusal("lr=-1", "lr").contains("greater than 0"));
        assert!(refusal("lr=NaN", "lr").contains("number"));
        assert!(refusal("lr=inf", "lr").contains("number"));
        assert!(refusal("batch=0", "batch").contains("from 1 to 4096"));
        assert!(refusal("hidden=100000", "hidden").contains("from 1 to 4096"));
        assert!(refusal("hidden=100,,50", "hidden").contains("separated by commas"));
        assert!(refusal("hidden=1,1,1,1,1,1,1,1,1", "hidden").contains("up to 8"));
        assert!(refusal("hidden=4096,4096", "hidden").contains("at most 5000000"));
        assert_eq!(parameter_count(&[784, 256, 128, 10]), 235_146);
        assert!(refusal("opt=rmsprop", "opt").contains("sgd, momentum or adam"));
        assert!(refusal("epochs=1000000", "epochs").contains("from 1 to 100"));
        assert!(refusal("batch=abc", "batch").contains("whole number"));
        assert!(refusal("seed=-3", "seed").contains("whole number"));
        assert!(refusal("seed=1.5", "seed").contains("whole number"));
        assert!(refusal("act=softmax", "act").contains("sigmoid, tanh, relu"));
        assert!(refusal("decay=1.5", "decay").contains("at most 1"));
        assert!(refusal("momentum=1", "momentum").contains("less than 1"));
        assert!(refusal("l2=-0.1", "l2").contains("from 0"));
        assert!(refusal("subset=0", "subset").contains("from 1 to 60000"));
        assert!(refusal("out=tanh", "loss").contains("out=softmax"));
        assert!(refusal("speed=3", "speed").contains("hidden, act"));
        assert!(refusal("lr=0.1&lr=0.2", "lr").contains("duplicate"));
        assert!(RunConfig::from_query("out=tanh&loss=mse").is_ok());
    }

    #[test]
    fn pairs_read_like_a_query() {
        let c =
            RunConfig::from_pairs(&[("hidden", "30,20"), ("opt", "sgd"), ("lr", "0.05")]).unwrap();
        assert_eq!(c.hidden, vec![30, 20]);
        assert_eq!(c.optimizer(), Optimizer::Sgd { lr: 0.05 });
        assert!(RunConfig::from_pairs(&[("batch", "0")]).is_err());
    }

    #[test]
    fn flags_and_links_agree() {
        let flags = [
            ("--arch", "784-100-50-10"),
            ("--hidden", "tanh"),
            ("--optimizer", "momentum"),
            ("--lr", "0.05"),
            ("--momentum", "0.8"),
            ("--lr-decay", "0.9"),
            ("--weight-decay", "0.0001"),
            ("--batch", "32"),
            ("--epochs", "3"),
            ("--seed", "7"),
            ("--subset", "1000"),
        ];
        let from_flags = RunConfig::from_flags(&flags).unwrap();
        let from_link = RunConfig::from_query(
            "hidden=100,50&act=tanh&opt=momentum&lr=0.05&momentum=0.8&decay=0.9&l2=0.0001&batch=32&epochs=3&seed=7&subset=1000",
        )
        .unwrap();
        assert_eq!(from_flags, from_link);
        assert_eq!(RunConfig::from_flags(&[]).unwrap(), RunConfig::default());
        assert_eq!(
            RunConfig::from_flags(&[("--arch", "784-10")])
                .unwrap()
                .hidden,
            Vec::<usize>::new()
        );
        // to_flags gives the command that trains the same run.
        for c in [from_link, RunConfig::default()] {
            let line = c.to_flags();
            let words: Vec<&str> = line.split(' ').collect();
            let pairs: Vec<(&str, &str)> = words.chunks(2).map(|p| (p[0], p[1])).collect();
            assert_eq!(RunConfig::from_flags(&pairs).unwrap(), c, "{line}");
        }
        assert!(RunConfig::default()
            .to_flags()
            .starts_with("--arch 784-256-128-10 --hidden relu "));
        // Errors name the flag.
        let e = RunConfig::from_flags(&[("--lr", "0")])
            .unwrap_err()
            .to_string();
        assert!(e.contains("--lr") && e.contains("greater than 0"), "{e}");
        let e = RunConfig::from_flags(&[("--arch", "784-100-5")])
            .unwrap_err()
            .to_string();
        assert!(e.contains("--arch") && e.contains("784-100-10"), "{e}");
        let e = RunConfig::from_flags(&[("--arch", "784-100000-10")])
            .unwrap_err()
            .to_string();
        assert!(e.contains("--arch") && e.contains("4096"), "{e}");
        assert!(RunConfig::from_flags(&[("--speed", "1")]).is_err());
    }

    #[test]
    fn conversion_to_the_trainer_settings() {
        let c = RunConfig::from_query("opt=momentum&lr=0.2&momentum=0.5&decay=0.9&l2=0.001&batch=10&seed=4&loss=mse&out=sigmoid")
            .unwrap();
        assert_eq!(
            c.train_config(),
            TrainConfig {
                batch_size: 10,
                optimizer: Optimizer::Momentum {
                    lr: 0.2,
                    momentum: 0.5
                },
                loss: Loss::MeanSquaredError,
                weight_decay: 0.001,
                lr_decay: 0.9,
                seed: 4,
            }
        );
        let net = c.network(784, 10);
        assert_eq!(net.sizes(), vec![784, 256, 128, 10]);
        assert_eq!(net.layers[2].activation, Activation::Sigmoid);
        assert_eq!(
            net,
            Network::init(
                &[784, 256, 128, 10],
                Activation::Relu,
                Activation::Sigmoid,
                4
            )
            .unwrap()
        );
        assert_eq!(c.trainer(784, 10).unwrap().network(), net);
    }

    #[test]
    fn a_local_set_travels_in_the_link() {
        let c = RunConfig::from_query("hidden=32&epochs=2&data=local:my-letters").unwrap();
        assert_eq!(c.local.as_deref(), Some("my-letters"));
        assert_eq!(c.source(), TrainData::Local("my-letters".into()));
        assert_eq!(c.data, DatasetName::Mnist);
        assert!(
            c.to_query().ends_with("&data=local:my-letters"),
            "{}",
            c.to_query()
        );
        assert_eq!(RunConfig::from_query(&c.to_query()), Ok(c.clone()));
        // The serde form (the worker's Start command) keeps it too.
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(serde_json::from_str::<RunConfig>(&json).unwrap(), c);
        assert_eq!(
            RunConfig::from_query("data=fashion-mnist")
                .unwrap()
                .source(),
            TrainData::Builtin(DatasetName::FashionMnist)
        );
        assert_eq!(TrainData::Local("abc".into()).title(), "your set “abc”");
    }

    #[test]
    fn a_bad_local_name_is_named() {
        for bad in ["local:", "local:Bad Name", "local:../x", "local:-a"] {
            let e = RunConfig::from_query(&format!("data={bad}")).unwrap_err();
            assert!(e.to_string().contains("local:"), "{bad}: {e}");
        }
    }
}
