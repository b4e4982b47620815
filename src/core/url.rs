//! The pieces of the app's URLs (path segments and query values): parse them, check them, and
//! explain in a sentence what is wrong. Which view a path shows is the `<Routes>` table in
//! `app/mod.rs`; this module only judges the values the routes hand over.

use std::fmt;

use super::dataset::{DatasetName, Split};
use super::format::thousands;
use super::input_code::{self, InputError};

/// Something in the URL that names nothing. Display is the sentence to show the user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RouteError {
    /// `{dataset}` is no dataset at all.
    UnknownDataset(String),
    /// `{dataset}` names a dataset whose files are not shipped.
    UnavailableDataset(DatasetName),
    /// `{split}` is neither test nor train.
    UnknownSplit(String),
    /// `{index}` is not an image of the split (`len` images) of `dataset`.
    NoSuchDigit {
        text: String,
        dataset: DatasetName,
        split: Split,
        len: usize,
    },
    /// `?page=` is 0, negative or not a number.
    PageNotPositive(String),
    /// `?page=` is a number too large for this machine.
    PageTooLarge(String),
    /// `?page=` is past the last of `pages` pages.
    PageOutOfRange { number: usize, pages: usize },
    /// `?label=` is not 0..=9.
    NoSuchLabel(String),
    /// `/network/layer/{L}` with `layers` drawn layers.
    NoSuchLayer { text: String, layers: usize },
    /// `/neuron/{J}` in a layer of `width` neurons.
    NoSuchNeuron {
        text: String,
        layer: usize,
        width: usize,
    },
    /// `?sample=` is not `dataset/split/index`.
    BadSample(String),
    /// `?input=` is not the code of a 28×28 drawing.
    BadInput(InputError),
}

impl fmt::Display for RouteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RouteError::UnknownDataset(text) => {
                write!(
                    f,
                    "Unknown dataset {}: try {}.",
                    quoted(text),
                    available_datasets()
                )
            }
            RouteError::UnavailableDataset(d) => write!(
                f,
                "The dataset {} is not available yet: try {}.",
                quoted(d.id()),
                available_datasets()
            ),
            RouteError::UnknownSplit(text) => {
                write!(f, "Unknown split {}: try test or train.", quoted(text))
            }
            RouteError::NoSuchDigit {
                text,
                dataset,
                split,
                len,
            } => {
                // "digit" for MNIST, "item" for Fashion-MNIST.
                let noun = dataset.item_noun();
                write!(
                    f,
                    "There is no {noun} {}: the {} ",
                    shown(text),
                    split.noun()
                )?;
                match len {
                    0 => write!(f, "is empty."),
                    1 => write!(f, "has only {noun} 0."),
                    n => write!(f, "has {noun}s 0–{}.", thousands(n - 1)),
                }
            }
            RouteError::PageNotPositive(text) => {
                write!(f, "Page {} does not exist: pages start at 1.", shown(text))
            }
            RouteError::PageTooLarge(text) => {
                write!(
                    f,
                    "Page {} does not exist: the number is far too large.",
                    shown(text)
                )
            }
            RouteError::PageOutOfRange { number, pages } => {
                write!(f, "Page {number} does not exist: ")?;
                match pages {
                    1 => write!(f, "there is 1 page."),
                    n => write!(f, "there are {} pages.", thousands(*n)),
                }
            }
            RouteError::NoSuchLabel(text) => {
                write!(f, "Label {} does not exist: labels are 0–9.", shown(text))
            }
            RouteError::NoSuchLayer { text, layers } => {
                write!(f, "Layer {} does not exist: the network has ", shown(text))?;
                match layers {
                    0 => write!(f, "no layers."),
                    1 => write!(f, "only layer 0."),
                    n => write!(f, "layers 0–{}.", thousands(n - 1)),
                }
            }
            RouteError::NoSuchNeuron { text, layer, width } => {
                write!(
                    f,
                    "Neuron {} does not exist: layer {layer} has ",
                    shown(text)
                )?;
                match width {
                    0 => write!(f, "no neurons."),
                    1 => write!(f, "only neuron 0."),
                    n => write!(f, "neurons 0–{}.", thousands(n - 1)),
                }
            }
            RouteError::BadSample(text) => write!(
                f,
                "The sample {} is not of the form dataset/split/index, e.g. mnist/test/0.",
                quoted(text)
            ),
            RouteError::BadInput(error) => write!(f, "{error}"),
        }
    }
}

impl std::error::Error for RouteError {}

/// Longest piece of user text repeated in a message.
const MAX_SHOWN: usize = 40;

/// User text in typographic quotes, shortened when long.
fn quoted(text: &str) -> String {
    if text.chars().count() > MAX_SHOWN {
        let head: String = text.chars().take(MAX_SHOWN).collect();
        format!("“{head}…”")
    } else {
        format!("“{text}”")
    }
}

/// A whole number (e.g. "10000", "-1") as typed; anything else quoted.
fn shown(text: &str) -> String {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let is_number = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
    if is_number && text.len() <= MAX_SHOWN {
        text.to_string()
    } else {
        quoted(text)
    }
}

fn available_datasets() -> String {
    let ids: Vec<&str> = DatasetName::AVAILABLE.iter().map(|d| d.id()).collect();
    ids.join(" or ")
}

/// A URL number: only ASCII digits (no sign, no spaces).
enum Natural {
    Value(usize),
    TooLarge,
    NotNumber,
}

fn natural(s: &str) -> Natural {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Natural::NotNumber;
    }
    match s.parse::<usize>() {
        Ok(n) => Natural::Value(n),
        Err(_) => Natural::TooLarge,
    }
}

/// A number below `bound`, or None (not a number, too large, or ≥ bound).
fn below(s: &str, bound: usize) -> Option<usize> {
    match natural(s) {
        Natural::Value(n) if n < bound => Some(n),
        _ => None,
    }
}

/// `{dataset}`: one of the shipped datasets.
pub fn parse_dataset(s: &str) -> Result<DatasetName, RouteError> {
    match DatasetName::from_id(s) {
        Some(d) if d.is_available() => Ok(d),
        Some(d) => Err(RouteError::UnavailableDataset(d)),
        None => Err(RouteError::UnknownDataset(s.to_string())),
    }
}

/// `{split}`: "test" or "train".
pub fn parse_split(s: &str) -> Result<Split, RouteError> {
    Split::ALL
        .into_iter()
        .find(|sp| sp.id() == s)
        .ok_or_else(|| RouteError::UnknownSplit(s.to_string()))
}

/// `{index}`: an image of a split of `len` images (0..len).
pub fn parse_index(
    s: &str,
    len: usize,
    dataset: DatasetName,
    split: Split,
) -> Result<usize, RouteError> {
    below(s, len).ok_or_else(|| RouteError::NoSuchDigit {
        text: s.to_string(),
        dataset,
        split,
        len,
    })
}

/// `?page=`: None → 1; must be a whole number ≥ 1 (the upper bound is checked by `paging::page`).
pub fn parse_page(s: Option<&str>) -> Result<usize, RouteError> {
    let Some(s) = s else { return Ok(1) };
    match natural(s) {
        Natural::Value(0) | Natural::NotNumber => Err(RouteError::PageNotPositive(s.to_string())),
        Natural::TooLarge => Err(RouteError::PageTooLarge(s.to_string())),
        Natural::Value(n) => Ok(n),
    }
}

/// `?label=`: None or "" → no filter; otherwise a digit 0..=9.
pub fn parse_label(s: Option<&str>) -> Result<Option<u8>, RouteError> {
    match s {
        None | Some("") => Ok(None),
        Some(s) => below(s, 10)
            .map(|l| Some(l as u8))
            .ok_or_else(|| RouteError::NoSuchLabel(s.to_string())),
    }
}

/// `/network/layer/{L}`: 0 = input layer … `layers - 1` = output layer.
pub fn parse_layer(s: &str, layers: usize) -> Result<usize, RouteError> {
    below(s, layers).ok_or_else(|| RouteError::NoSuchLayer {
        text: s.to_string(),
        layers,
    })
}

/// `/neuron/{J}`: a neuron 0..width of drawn layer `layer`.
pub fn parse_neuron(s: &str, width: usize, layer: usize) -> Result<usize, RouteError> {
    below(s, width).ok_or_else(|| RouteError::NoSuchNeuron {
        text: s.to_string(),
        layer,
        width,
    })
}

/// An image named by `?sample=dataset/split/index`. The index is not yet checked against the
/// loaded split: use [`SampleRef::checked_index`] once it is loaded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SampleRef {
    pub dataset: DatasetName,
    pub split: Split,
    pub index: usize,
}

impl Default for SampleRef {
    /// mnist/test/0
    fn default() -> SampleRef {
        SampleRef {
            dataset: DatasetName::Mnist,
            split: Split::Test,
            index: 0,
        }
    }
}

impl SampleRef {
    /// The index, if the split (of `len` images) has it.
    pub fn checked_index(&self, len: usize) -> Result<usize, RouteError> {
        if self.index < len {
            Ok(self.index)
        } else {
            Err(RouteError::NoSuchDigit {
                text: self.index.to_string(),
                dataset: self.dataset,
                split: self.split,
                len,
            })
        }
    }
}

impl fmt::Display for SampleRef {
    /// The `?sample=` value: "mnist/test/1234".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}/{}/{}",
            self.dataset.id(),
            self.split.id(),
            self.index
        )
    }
}

/// `?sample=`: "mnist/test/1234"; None or "" → mnist/test/0.
pub fn parse_sample(s: Option<&str>) -> Result<SampleRef, RouteError> {
    let s = match s {
        None | Some("") => return Ok(SampleRef::default()),
        Some(s) => s,
    };
    let parts: Vec<&str> = s.split('/').collect();
    let [dataset, split, index] = parts[..] else {
        return Err(RouteError::BadSample(s.to_string()));
    };
    let dataset = parse_dataset(dataset)?;
    let split = parse_split(split)?;
    let index = match natural(index) {
        Natural::Value(n) => n,
        // Too large for usize: certainly not in the split.
        Natural::TooLarge => usize::MAX,
        Natural::NotNumber => return Err(RouteError::BadSample(s.to_string())),
    };
    Ok(SampleRef {
        dataset,
        split,
        index,
    })
}

/// What the network view shows: an image of a split (`?sample=`) or a drawing (`?input=`, its
/// code as in the link; see `core::input_code`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Subject {
    Sample(SampleRef),
    Drawing(String),
}

impl Subject {
    /// The sample, when the subject is one.
    pub fn sample(&self) -> Option<SampleRef> {
        match self {
            Subject::Sample(s) => Some(*s),
            Subject::Drawing(_) => None,
        }
    }

    /// The query of the network view's link: "sample=mnist/test/3" or "input=…".
    pub fn query(&self) -> String {
        match self {
            Subject::Sample(s) => format!("sample={s}"),
            Subject::Drawing(code) => format!("input={code}"),
        }
    }
}

/// `?input=` (wins when present and not empty) or else `?sample=`. A drawing's code is checked
/// here; its grey levels are [`input_code::decode`]d where they are used.
pub fn parse_subject(sample: Option<&str>, input: Option<&str>) -> Result<Subject, RouteError> {
    match input.map(str::trim) {
        Some(code) if !code.is_empty() => match input_code::decode(code) {
            Ok(_) => Ok(Subject::Drawing(code.to_string())),
            Err(e) => Err(RouteError::BadInput(e)),
        },
        _ => parse_sample(sample).map(Subject::Sample),
    }
}

/// `%41` → `A`, byte by byte, then read as UTF-8 (invalid sequences become U+FFFD); a `%` not
/// followed by two hex digits is kept as it is.
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(hi), Some(lo)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push(hi * 16 + lo);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg<T: fmt::Debug>(r: Result<T, RouteError>) -> String {
        r.unwrap_err().to_string()
    }

    #[test]
    fn datasets() {
        assert_eq!(parse_dataset("mnist"), Ok(DatasetName::Mnist));
        assert_eq!(
            msg(parse_dataset("nope")),
            "Unknown dataset “nope”: try mnist or fashion-mnist."
        );
        assert_eq!(
            msg(parse_dataset("MNIST")),
            "Unknown dataset “MNIST”: try mnist or fashion-mnist."
        );
        assert_eq!(
            parse_dataset("fashion-mnist"),
            Ok(DatasetName::FashionMnist)
        );
        assert_eq!(
            parse_sample(Some("fashion-mnist/train/59999")),
            Ok(SampleRef {
                dataset: DatasetName::FashionMnist,
                split: Split::Train,
                index: 59_999
            })
        );
    }

    #[test]
    fn long_user_text_is_shortened() {
        let long = "x".repeat(500);
        let m = msg(parse_dataset(&long));
        assert!(m.len() < 100, "{m}");
        assert!(m.contains("…”"));
    }

    #[test]
    fn splits() {
        assert_eq!(parse_split("test"), Ok(Split::Test));
        assert_eq!(parse_split("train"), Ok(Split::Train));
        assert_eq!(
            msg(parse_split("valid")),
            "Unknown split “valid”: try test or train."
        );
    }

    #[test]
    fn indices() {
        assert_eq!(
            parse_index("0", 10_000, DatasetName::Mnist, Split::Test),
            Ok(0)
        );
        assert_eq!(
            parse_index("9999", 10_000, DatasetName::Mnist, Split::Test),
            Ok(9999)
        );
        assert_eq!(
            parse_index("007", 10_000, DatasetName::Mnist, Split::Test),
            Ok(7)
        );
        assert_eq!(
            msg(parse_index(
                "10000",
                10_000,
                DatasetName::Mnist,
                Split::Test
            )),
            "There is no digit 10000: the test set has digits 0–9,999."
        );
        assert_eq!(
            msg(parse_index("-1", 10_000, DatasetName::Mnist, Split::Test)),
            "There is no digit -1: the test set has digits 0–9,999."
        );
        assert_eq!(
            msg(parse_index("abc", 60_000, DatasetName::Mnist, Split::Train)),
            "There is no digit “abc”: the training set has digits 0–59,999."
        );
        assert_eq!(
            msg(parse_index(
                "99999999999999999999999",
                10,
                DatasetName::Mnist,
                Split::Test
            )),
            "There is no digit 99999999999999999999999: the test set has digits 0–9."
        );
        assert_eq!(
            msg(parse_index("0", 0, DatasetName::Mnist, Split::Test)),
            "There is no digit 0: the test set is empty."
        );
        assert!(parse_index("", 10, DatasetName::Mnist, Split::Test).is_err());
        assert!(parse_index("+1", 10, DatasetName::Mnist, Split::Test).is_err());
        assert!(parse_index(" 1", 10, DatasetName::Mnist, Split::Test).is_err());
        assert!(parse_index("1.0", 10, DatasetName::Mnist, Split::Test).is_err());
    }

    #[test]
    fn pages() {
        assert_eq!(parse_page(None), Ok(1));
        assert_eq!(parse_page(Some("3")), Ok(3));
        assert_eq!(parse_page(Some("9999")), Ok(9999));
        assert_eq!(
            msg(parse_page(Some("0"))),
            "Page 0 does not exist: pages start at 1."
        );
        assert_eq!(
            msg(parse_page(Some("-2"))),
            "Page -2 does not exist: pages start at 1."
        );
        assert_eq!(
            msg(parse_page(Some("abc"))),
            "Page “abc” does not exist: pages start at 1."
        );
        assert_eq!(
            msg(parse_page(Some(""))),
            "Page “” does not exist: pages start at 1."
        );
        assert_eq!(
            msg(parse_page(Some("123456789012345678901234"))),
            "Page 123456789012345678901234 does not exist: the number is far too large."
        );
    }

    #[test]
    fn labels() {
        assert_eq!(parse_label(None), Ok(None));
        assert_eq!(parse_label(Some("")), Ok(None));
        assert_eq!(parse_label(Some("0")), Ok(Some(0)));
        assert_eq!(parse_label(Some("9")), Ok(Some(9)));
        assert_eq!(
            msg(parse_label(Some("12"))),
            "Label 12 does not exist: labels are 0–9."
        );
        assert_eq!(
            msg(parse_label(Some("10"))),
            "Label 10 does not exist: labels are 0–9."
        );
        assert_eq!(
            msg(parse_label(Some("-1"))),
            "Label -1 does not exist: labels are 0–9."
        );
        assert_eq!(
            msg(parse_label(Some("seven"))),
            "Label “seven” does not exist: labels are 0–9."
        );
        assert_eq!(
            msg(parse_label(Some("300"))),
            "Label 300 does not exist: labels are 0–9.",
            "no u8 wrap-around"
        );
    }

    #[test]
    fn layers() {
        assert_eq!(parse_layer("0", 4), Ok(0));
        assert_eq!(parse_layer("3", 4), Ok(3));
        assert_eq!(
            msg(parse_layer("4", 4)),
            "Layer 4 does not exist: the network has layers 0–3."
        );
        assert_eq!(
            msg(parse_layer("abc", 4)),
            "Layer “abc” does not exist: the network has layers 0–3."
        );
        assert_eq!(
            msg(parse_layer("-1", 4)),
            "Layer -1 does not exist: the network has layers 0–3."
        );
        assert_eq!(
            msg(parse_layer("0", 0)),
            "Layer 0 does not exist: the network has no layers."
        );
        assert_eq!(
            msg(parse_layer("1", 1)),
            "Layer 1 does not exist: the network has only layer 0."
        );
    }

    #[test]
    fn neurons() {
        assert_eq!(parse_neuron("255", 256, 1), Ok(255));
        assert_eq!(
            msg(parse_neuron("256", 256, 1)),
            "Neuron 256 does not exist: layer 1 has neurons 0–255."
        );
        assert_eq!(
            msg(parse_neuron("x", 784, 0)),
            "Neuron “x” does not exist: layer 0 has neurons 0–783."
        );
        assert_eq!(
            msg(parse_neuron("0", 0, 2)),
            "Neuron 0 does not exist: layer 2 has no neurons."
        );
    }

    proptest::proptest! {
        #[test]
        fn any_text_parses_or_explains(text in ".{0,60}", len in 0usize..100_000) {
            let explained = |e: RouteError| !e.to_string().is_empty();
            if let Ok(i) = parse_index(&text, len, DatasetName::Mnist, Split::Test) {
                proptest::prop_assert!(i < len);
            } else {
                proptest::prop_assert!(explained(parse_index(&text, len, DatasetName::Mnist, Split::Test).unwrap_err()));
            }
            if let Ok(Some(l)) = parse_label(Some(&text)) {
                proptest::prop_assert!(l <= 9);
            }
            if let Ok(p) = parse_page(Some(&text)) {
                proptest::prop_assert!(p >= 1);
            }
            if let Ok(l) = parse_layer(&text, 4) {
                proptest::prop_assert!(l < 4);
            }
            let _ = parse_sample(Some(&text));
            let _ = parse_dataset(&text);
            let _ = parse_split(&text);
        }

        #[test]
        fn numbers_in_range_round_trip(len in 1usize..100_000, pick in 0usize..100_000) {
            let i = pick % len;
            proptest::prop_assert_eq!(parse_index(&i.to_string(), len, DatasetName::Mnist, Split::Train), Ok(i));
            proptest::prop_assert!(parse_index(&len.to_string(), len, DatasetName::Mnist, Split::Train).is_err());
        }
    }

    #[test]
    fn samples() {
        let default = SampleRef {
            dataset: DatasetName::Mnist,
            split: Split::Test,
            index: 0,
        };
        assert_eq!(parse_sample(None), Ok(default));
        assert_eq!(parse_sample(Some("")), Ok(default));
        let s = parse_sample(Some("mnist/train/1234")).unwrap();
        assert_eq!(
            s,
            SampleRef {
                dataset: DatasetName::Mnist,
                split: Split::Train,
                index: 1234
            }
        );
        assert_eq!(s.to_string(), "mnist/train/1234");
        assert_eq!(s.checked_index(60_000), Ok(1234));
        assert_eq!(
            msg(parse_sample(Some("mnist/test/10000"))
                .unwrap()
                .checked_index(10_000)),
            "There is no digit 10000: the test set has digits 0–9,999."
        );
        assert_eq!(
            msg(parse_sample(Some("nope/test/1"))),
            "Unknown dataset “nope”: try mnist or fashion-mnist."
        );
        assert_eq!(
            msg(parse_sample(Some("mnist/dev/1"))),
            "Unknown split “dev”: try test or train."
        );
        assert_eq!(
            msg(parse_sample(Some("mnist/test"))),
            "The sample “mnist/test” is not of the form dataset/split/index, e.g. mnist/test/0."
        );
        assert!(parse_sample(Some("mnist/test/abc")).is_err());
        assert!(parse_sample(Some("mnist/test/1/2")).is_err());
        assert!(parse_sample(Some("mnist/test/-1")).is_err());
        let huge = parse_sample(Some("mnist/test/99999999999999999999999")).unwrap();
        assert!(huge.checked_index(10_000).is_err());
    }

    #[test]
    fn percent_decoding_keeps_what_is_not_an_escape() {
        assert_eq!(percent_decode("a%20b"), "a b");
        assert_eq!(percent_decode("%e2%80%93"), "–");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%4"), "%4");
        assert_eq!(percent_decode("%zz1"), "%zz1");
        assert_eq!(percent_decode("%ff"), "\u{fffd}");
        assert_eq!(percent_decode(""), "");
    }

    #[test]
    fn subject_is_the_drawing_when_there_is_one() {
        let pixels: Vec<u8> = (0..784)
            .map(|i| if i % 29 == 0 { 200 } else { 0 })
            .collect();
        let code = input_code::encode(&pixels);
        let subject = parse_subject(Some("mnist/test/5"), Some(&code)).unwrap();
        assert_eq!(subject, Subject::Drawing(code.clone()));
        assert_eq!(subject.sample(), None);
        assert_eq!(subject.query(), format!("input={code}"));
        // No input, or an empty one: the sample.
        for input in [None, Some(""), Some("  ")] {
            let s = parse_subject(Some("mnist/test/5"), input).unwrap();
            assert_eq!(s.query(), "sample=mnist/test/5");
        }
    }

    #[test]
    fn a_bad_input_is_a_route_error_with_its_sentence() {
        let code = input_code::encode(&[7; 784]);
        let cut = &code[..code.len() / 2];
        let err = parse_subject(None, Some(cut)).unwrap_err();
        assert!(matches!(err, RouteError::BadInput(_)));
        assert!(err.to_string().contains("cut off"), "{err}");
        let err = parse_subject(None, Some("not a drawing!")).unwrap_err();
        assert!(err.to_string().contains("cannot be read"), "{err}");
        let err = parse_subject(None, Some(&input_code::encode(&[7; 1000]))).unwrap_err();
        assert!(err.to_string().contains("1000 grey levels"), "{err}");
    }

    #[test]
    fn fashion_items_are_items_in_messages() {
        let e = parse_index("10000", 10_000, DatasetName::FashionMnist, Split::Test).unwrap_err();
        assert_eq!(
            e.to_string(),
            "There is no item 10000: the test set has items 0–9,999."
        );
    }
}
