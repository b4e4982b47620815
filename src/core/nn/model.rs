//! The `.mnn` model file: versioned, self-describing, little-endian. Specified in
//! `docs/model-format.md`; summary:
//!
//! ```text
//! magic "MNNF" | version u16 = 1 | layer count u16 | input size u32
//! per layer: outputs u32 | activation u8 (0 sigmoid, 1 tanh, 2 relu, 3 softmax) | 3 zero bytes
//! note length u32 | note (UTF-8, free text, e.g. how the model was trained)
//! per layer: weights f32 × outputs·inputs (row-major, w[j·inputs + k]) | biases f32 × outputs
//! checksum u32 = FNV-1a of every byte before it
//! ```
//! Reading never panics: every length is checked before it is used.

use std::fmt;

use super::activation::Activation;
use super::layer::Dense;
use super::network::{Network, NetworkError};

/// The four bytes every model file starts with.
pub const MAGIC: [u8; 4] = *b"MNNF";
/// The format version this code writes and reads.
pub const VERSION: u16 = 1;
/// Upper bound on the parameters a file may declare (guards allocation on hostile input).
pub const MAX_PARAMETERS: usize = 64 << 20;
const FIXED_HEADER: usize = 12;

/// Why bytes could not be read as a model.
#[derive(Clone, Debug, PartialEq)]
pub enum ModelError {
    /// Shorter than the fixed header.
    TooShort { len: usize },
    /// Does not start with "MNNF".
    NotAModel,
    /// A newer (or unknown) version of the format.
    UnsupportedVersion { found: u16 },
    /// The header declares no layers.
    NoLayers,
    /// A layer with zero inputs or outputs.
    ZeroSize { layer: usize },
    /// An activation code this version does not know.
    UnknownActivation { layer: usize, code: u8 },
    /// More parameters than [`MAX_PARAMETERS`].
    TooLarge { parameters: usize },
    /// The file ends before all declared data.
    Truncated { expected: usize, found: usize },
    /// Bytes after the declared data.
    TrailingBytes { expected: usize, found: usize },
    /// The stored checksum does not match the content (the file is corrupted).
    ChecksumMismatch,
    /// The note is not valid UTF-8.
    BadNote,
    /// A weight or bias is NaN or infinite.
    NonFinite { layer: usize },
    /// The layers do not form a valid network.
    Invalid(NetworkError),
    /// The model does not fit the data: e.g. 784 inputs expected, 100 found.
    Mismatch {
        what: &'static str,
        expected: usize,
        found: usize,
    },
}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ModelError::TooShort { len } => {
                write!(f, "The model file is too short ({len} bytes) to be a model.")
            }
            ModelError::NotAModel => write!(f, "This is not a model file (it does not start with \"MNNF\")."),
            ModelError::UnsupportedVersion { found } => write!(
                f,
                "The model file has format version {found}; this app reads version {VERSION}."
            ),
            ModelError::NoLayers => write!(f, "The model file declares no layers."),
            ModelError::ZeroSize { layer } => {
                write!(f, "Layer {} in the model file has a size of zero.", layer + 1)
            }
            ModelError::UnknownActivation { layer, code } => write!(
                f,
                "Layer {} in the model file uses an unknown activation (code {code}).",
                layer + 1
            ),
            ModelError::TooLarge { parameters } => write!(
                f,
                "The model file declares {parameters} parameters, more than the {MAX_PARAMETERS} allowed."
            ),
            ModelError::Truncated { expected, found } => write!(
                f,
                "The model file is truncated: {found} bytes, but its header describes {expected}."
            ),
            ModelError::TrailingBytes { expected, found } => write!(
                f,
                "The model file has {found} bytes, but its header describes only {expected}."
            ),
            ModelError::ChecksumMismatch => {
                write!(f, "The model file is corrupted (its checksum does not match).")
            }
            ModelError::BadNote => write!(f, "The model file's note is not valid UTF-8."),
            ModelError::NonFinite { layer } => write!(
                f,
                "Layer {} in the model file has a weight that is not a finite number.",
                layer + 1
            ),
            ModelError::Invalid(e) => write!(f, "The model file describes an invalid network: {e}."),
            ModelError::Mismatch { what, expected, found } => write!(
                f,
                "The model does not fit: it has {found} {what}, but {expected} are needed."
            ),
        }
    }
}

impl std::error::Error for ModelError {}

/// Serialises a network with an empty note.
pub fn to_bytes(n: &Network) -> Vec<u8> {
    to_bytes_with_note(n, "")
}

/// Serialises a network and a free-text note (e.g. the command and seed that trained it).
pub fn to_bytes_with_note(n: &Network, note: &str) -> Vec<u8> {
    let params = n.parameter_count();
    let mut out =
        Vec::with_capacity(FIXED_HEADER + 8 * n.layers.len() + note.len() + 4 * params + 8);
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&VERSION.to_le_bytes());
    out.extend_from_slice(&(n.layers.len() as u16).to_le_bytes());
    out.extend_from_slice(&(n.input_size() as u32).to_le_bytes());
    for layer in &n.layers {
        out.extend_from_slice(&(layer.outputs as u32).to_le_bytes());
        out.extend_from_slice(&[layer.activation.code(), 0, 0, 0]);
    }
    out.extend_from_slice(&(note.len() as u32).to_le_bytes());
    out.extend_from_slice(note.as_bytes());
    for layer in &n.layers {
        for v in layer.weights.iter().chain(&layer.biases) {
            out.extend_from_slice(&v.to_le_bytes());
        }
    }
    let sum = fnv1a(&out);
    out.extend_from_slice(&sum.to_le_bytes());
    out
}

/// Reads a network; any defect gives a [`ModelError`], never a panic.
pub fn from_bytes(b: &[u8]) -> Result<Network, ModelError> {
    read(b).map(|(n, _)| n)
}

/// Reads a network and its note.
pub fn read(b: &[u8]) -> Result<(Network, String), ModelError> {
    let mut r = Reader { b, pos: 0 };
    if b.len() < FIXED_HEADER {
        return Err(ModelError::TooShort { len: b.len() });
    }
    if r.take(4)? != MAGIC {
        return Err(ModelError::NotAModel);
    }
    let version = r.u16()?;
    if version != VERSION {
        return Err(ModelError::UnsupportedVersion { found: version });
    }
    let layer_count = r.u16()? as usize;
    if layer_count == 0 {
        return Err(ModelError::NoLayers);
    }
    let mut inputs = r.u32()? as usize;
    let mut shapes = Vec::with_capacity(layer_count);
    let mut parameters = 0usize;
    for layer in 0..layer_count {
        let outputs = r.u32()? as usize;
        let header = r.take(4)?;
        let activation = Activation::from_code(header[0]).ok_or(ModelError::UnknownActivation {
            layer,
            code: header[0],
        })?;
        if inputs == 0 || outputs == 0 {
            return Err(ModelError::ZeroSize { layer });
        }
        let total = inputs
            .saturating_mul(outputs)
            .saturating_add(outputs)
            .saturating_add(parameters);
        if total > MAX_PARAMETERS {
            return Err(ModelError::TooLarge { parameters: total });
        }
        parameters = total;
        shapes.push((inputs, outputs, activation));
        inputs = outputs;
    }
    let note_len = r.u32()? as usize;
    // parameters ≤ MAX_PARAMETERS, so 4·parameters fits even a 32-bit usize.
    let expected = r
        .pos
        .checked_add(note_len)
        .and_then(|e| e.checked_add(4 * parameters + 4))
        .unwrap_or(usize::MAX);
    if b.len() < expected {
        return Err(ModelError::Truncated {
            expected,
            found: b.len(),
        });
    }
    if b.len() > expected {
        return Err(ModelError::TrailingBytes {
            expected,
            found: b.len(),
        });
    }
    let stored = u32::from_le_bytes(b[expected - 4..].try_into().expect("4 bytes"));
    if fnv1a(&b[..expected - 4]) != stored {
        return Err(ModelError::ChecksumMismatch);
    }
    let note = std::str::from_utf8(r.take(note_len)?)
        .map_err(|_| ModelError::BadNote)?
        .to_string();
    let mut layers = Vec::with_capacity(layer_count);
    for (layer, &(inputs, outputs, activation)) in shapes.iter().enumerate() {
        let weights = r.f32s(inputs * outputs)?;
        let biases = r.f32s(outputs)?;
        if !weights.iter().chain(&biases).all(|v| v.is_finite()) {
            return Err(ModelError::NonFinite { layer });
        }
        layers.push(Dense {
            inputs,
            outputs,
            weights,
            biases,
            activation,
        });
    }
    let net = Network::new(layers).map_err(ModelError::Invalid)?;
    Ok((net, note))
}

/// Checks that a network reads `inputs` values and produces `outputs` classes.
pub fn check_shape(n: &Network, inputs: usize, outputs: usize) -> Result<(), ModelError> {
    if n.input_size() != inputs {
        return Err(ModelError::Mismatch {
            what: "inputs",
            expected: inputs,
            found: n.input_size(),
        });
    }
    if n.output_size() != outputs {
        return Err(ModelError::Mismatch {
            what: "outputs",
            expected: outputs,
            found: n.output_size(),
        });
    }
    Ok(())
}

/// 32-bit FNV-1a hash.
///
/// Hashed in pieces of [`FNV_PIECE`] bytes, one call each. In the browser a wasm call keeps
/// running the engine's baseline code to its end even once optimised code is ready, so one call
/// over the 940 KB shipped model (parsed once, cold, when /network opens) never got faster;
/// with pieces the optimised code takes over after the first few (cold in headless Chromium:
/// ~4 ms → ~2 ms).
pub fn fnv1a(bytes: &[u8]) -> u32 {
    let mut pieces = bytes.chunks(FNV_PIECE);
    // Two call sites, not one: wasm-opt inlines a function called from a single place (and this
    // one would then be back inside one long call).
    let first = fnv1a_piece(0x811C_9DC5, pieces.next().unwrap_or_default());
    pieces.fold(first, fnv1a_piece)
}

/// Bytes hashed per call of [`fnv1a_piece`].
const FNV_PIECE: usize = 16 * 1024;

/// FNV-1a of `bytes` continued from the hash `h` of what came before.
#[inline(never)]
fn fnv1a_piece(mut h: u32, bytes: &[u8]) -> u32 {
    for &b in bytes {
        h ^= b as u32;
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// A cursor that reports running out of bytes as [`ModelError::Truncated`].
struct Reader<'a> {
    b: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], ModelError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.b.len())
            .ok_or(ModelError::Truncated {
                expected: self.pos.saturating_add(n),
                found: self.b.len(),
            })?;
        let s = &self.b[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    fn u16(&mut self) -> Result<u16, ModelError> {
        Ok(u16::from_le_bytes(
            self.take(2)?.try_into().expect("2 bytes"),
        ))
    }

    fn u32(&mut self) -> Result<u32, ModelError> {
        Ok(u32::from_le_bytes(
            self.take(4)?.try_into().expect("4 bytes"),
        ))
    }

    fn f32s(&mut self, count: usize) -> Result<Vec<f32>, ModelError> {
        let bytes = self.take(count * 4)?;
        Ok(bytes
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes(c.try_into().expect("4 bytes")))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Network {
        Network::init(&[6, 4, 3], Activation::Tanh, Activation::Softmax, 5).unwrap()
    }

    #[test]
    fn fnv1a_is_the_byte_by_byte_hash_across_pieces() {
        // Published FNV-1a (32-bit) test vectors.
        assert_eq!(fnv1a(b""), 0x811C_9DC5);
        assert_eq!(fnv1a(b"a"), 0xE40C_292C);
        assert_eq!(fnv1a(b"foobar"), 0xBF9C_F968);
        let reference = |bytes: &[u8]| {
            bytes.iter().fold(0x811C_9DC5u32, |h, &b| {
                (h ^ b as u32).wrapping_mul(0x0100_0193)
            })
        };
        let bytes: Vec<u8> = (0..3 * FNV_PIECE as u32 + 7)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
            .collect();
        for len in [
            0,
            1,
            FNV_PIECE - 1,
            FNV_PIECE,
            FNV_PIECE + 1,
            2 * FNV_PIECE,
            bytes.len(),
        ] {
            assert_eq!(
                fnv1a(&bytes[..len]),
                reference(&bytes[..len]),
                "{len} bytes"
            );
        }
    }

    #[test]
    fn round_trip_keeps_everything() {
        let n = sample();
        let bytes = to_bytes_with_note(&n, "seed 5");
        let (back, note) = read(&bytes).unwrap();
        assert_eq!(back, n);
        assert_eq!(note, "seed 5");
        assert_eq!(from_bytes(&to_bytes(&n)).unwrap(), n);
        // Header + 2 layer headers + note length + parameters + checksum.
        assert_eq!(
            to_bytes(&n).len(),
            12 + 16 + 4 + 4 * (6 * 4 + 4 + 4 * 3 + 3) + 4
        );
    }

    #[test]
    fn every_truncation_is_an_error_not_a_panic() {
        let bytes = to_bytes_with_note(&sample(), "note");
        for len in 0..bytes.len() {
            let err = from_bytes(&bytes[..len]).unwrap_err();
            assert!(!err.to_string().is_empty());
        }
        assert!(matches!(
            from_bytes(&bytes[..40]),
            Err(ModelError::Truncated { .. })
        ));
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(matches!(
            from_bytes(&longer),
            Err(ModelError::TrailingBytes { .. })
        ));
    }

    #[test]
    fn corrupted_fields_are_named() {
        let good = to_bytes(&sample());
        let mut b = good.clone();
        b[0] = b'X';
        assert_eq!(from_bytes(&b), Err(ModelError::NotAModel));
        let mut b = good.clone();
        b[4] = 2;
        assert_eq!(
            from_bytes(&b),
            Err(ModelError::UnsupportedVersion { found: 2 })
        );
        let mut b = good.clone();
        b[16] = 9; // first layer's activation code
        assert_eq!(
            from_bytes(&b),
            Err(ModelError::UnknownActivation { layer: 0, code: 9 })
        );
        let mut b = good.clone();
        let last_weight = b.len() - 8;
        b[last_weight] ^= 0xFF;
        assert_eq!(from_bytes(&b), Err(ModelError::ChecksumMismatch));
        let mut b = good.clone();
        b[8..12].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(matches!(from_bytes(&b), Err(ModelError::TooLarge { .. })));
        assert_eq!(from_bytes(b"hello world!!"), Err(ModelError::NotAModel));
        assert_eq!(from_bytes(b"MN"), Err(ModelError::TooShort { len: 2 }));
    }

    #[test]
    fn structural_problems_are_reported() {
        // Softmax on a hidden layer, with a valid checksum.
        let mut n = sample();
        n.layers[0].activation = Activation::Softmax;
        let b = to_bytes(&n);
        assert!(matches!(
            from_bytes(&b),
            Err(ModelError::Invalid(NetworkError::SoftmaxNotLast { .. }))
        ));
        let mut n = sample();
        n.layers[1].biases[0] = f32::NAN;
        assert_eq!(
            from_bytes(&to_bytes(&n)),
            Err(ModelError::NonFinite { layer: 1 })
        );
        let n = sample();
        assert!(check_shape(&n, 6, 3).is_ok());
        let e = check_shape(&n, 784, 3).unwrap_err();
        assert_eq!(
            e.to_string(),
            "The model does not fit: it has 6 inputs, but 784 are needed."
        );
    }

    #[test]
    fn arbitrary_bytes_never_panic() {
        let mut rng = super::super::rng::Rng::new(1);
        let good = to_bytes(&sample());
        for _ in 0..2000 {
            let mut b = good.clone();
            let flips = 1 + rng.below(4);
            for _ in 0..flips {
                let i = rng.below(b.len());
                b[i] = rng.next_u64() as u8;
            }
            let cut = rng.below(b.len() + 1);
            let _ = from_bytes(&b[..cut]);
        }
    }
}
