//! Gunzip and IDX decoding of the MNIST files.
//!
//! An IDX file is a big-endian header followed by raw bytes:
//! - images (magic 2051 = type u8, 3 dimensions): `magic, count, rows, cols`, then
//!   `count × rows × cols` pixels, row-major, one byte each (0 = background, 255 = ink);
//! - labels (magic 2049 = type u8, 1 dimension): `magic, count`, then `count` labels 0..=9.
//!
//! Nothing here trusts the input: the gunzip output is bounded by [`MAX_DECOMPRESSED`], and the
//! header's dimensions are checked against the byte length before anything is allocated.

use std::fmt;

use miniz_oxide::inflate::core::inflate_flags::{
    TINFL_FLAG_HAS_MORE_INPUT, TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF,
};
use miniz_oxide::inflate::core::{decompress, DecompressorOxide};
use miniz_oxide::inflate::TINFLStatus;

use super::route::thousands;

/// Upper bound on the size of a decompressed file (64 MiB; the MNIST training images are 45 MiB).
pub const MAX_DECOMPRESSED: usize = 64 * 1024 * 1024;

/// Magic number of an IDX file of u8 values with 3 dimensions (images).
pub const IMAGES_MAGIC: u32 = 2051;
/// Magic number of an IDX file of u8 values with 1 dimension (labels).
pub const LABELS_MAGIC: u32 = 2049;

const IMAGES_HEADER_LEN: usize = 16;
const LABELS_HEADER_LEN: usize = 8;
const GZIP_ID: [u8; 2] = [0x1f, 0x8b];

/// Decoded images: `pixels` holds `count` images of `rows × cols` bytes, one after the other,
/// each row-major (`pixels[i * rows * cols + r * cols + c]`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Images {
    pub count: usize,
    pub rows: usize,
    pub cols: usize,
    pub pixels: Vec<u8>,
}

impl Images {
    /// Number of pixels in one image (`rows × cols`).
    pub fn image_len(&self) -> usize {
        self.rows * self.cols
    }
}

/// Everything that can be wrong with a (gzipped) IDX file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IdxError {
    /// The bytes do not start with the gzip signature 1f 8b.
    NotGzip,
    /// The gzip stream is damaged (bad header, bad deflate data, checksum mismatch).
    CorruptGzip { detail: String },
    /// The gzip stream ends before its end marker.
    TruncatedGzip,
    /// The decompressed data would exceed [`MAX_DECOMPRESSED`] bytes.
    TooLarge { limit: usize },
    /// Fewer bytes than the fixed header needs.
    HeaderTooShort {
        kind: &'static str,
        needed: usize,
        actual: usize,
    },
    /// The magic number is not the expected one.
    WrongMagic { found: u32, expected: u32 },
    /// An image dimension is zero.
    EmptyImages { rows: usize, cols: usize },
    /// The header's dimensions describe more bytes than any file can hold.
    SizeOverflow,
    /// The file is shorter than its header says.
    Truncated { expected: usize, actual: usize },
    /// The file is longer than its header says.
    TrailingBytes { expected: usize, actual: usize },
    /// A label is not a digit 0..=9.
    BadLabel { index: usize, value: u8 },
}

impl fmt::Display for IdxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IdxError::NotGzip => write!(f, "not a gzip file (it does not start with the bytes 1f 8b)"),
            IdxError::CorruptGzip { detail } => write!(f, "the gzip data is corrupt ({detail})"),
            IdxError::TruncatedGzip => {
                write!(f, "the gzip data is truncated: the download stopped early or the file is cut off")
            }
            IdxError::TooLarge { limit } => write!(
                f,
                "the file unpacks to more than {} MiB, far larger than any MNIST file",
                limit / (1024 * 1024)
            ),
            IdxError::HeaderTooShort { kind, needed, actual } => write!(
                f,
                "too short to be an IDX {kind} file: {actual} bytes, but the header alone needs {needed}"
            ),
            IdxError::WrongMagic { found, expected } => {
                write!(f, "wrong magic number {found}: expected {expected} ({})", magic_meaning(*expected))?;
                if let Some(what) = other_meaning(*found, *expected) {
                    write!(f, "; this looks like {what}")?;
                }
                Ok(())
            }
            IdxError::EmptyImages { rows, cols } => {
                write!(f, "the header describes images of {rows}×{cols} pixels, which hold no pixels")
            }
            IdxError::SizeOverflow => {
                write!(f, "the header describes more data than any file can hold")
            }
            IdxError::Truncated { expected, actual } => write!(
                f,
                "the file is truncated: its header promises {} bytes but it has {}",
                thousands(*expected),
                thousands(*actual)
            ),
            IdxError::TrailingBytes { expected, actual } => write!(
                f,
                "the file has {} unexpected trailing bytes: its header promises {} bytes but it has {}",
                thousands(actual - expected),
                thousands(*expected),
                thousands(*actual)
            ),
            IdxError::BadLabel { index, value } => {
                write!(f, "label number {} is {value}, but labels must be digits 0–9", thousands(*index))
            }
        }
    }
}

impl std::error::Error for IdxError {}

fn magic_meaning(magic: u32) -> &'static str {
    match magic {
        IMAGES_MAGIC => "an IDX image file",
        LABELS_MAGIC => "an IDX label file",
        _ => "an IDX file",
    }
}

/// A hint when the file is the other kind of IDX file (labels given for images or vice versa).
fn other_meaning(found: u32, expected: u32) -> Option<&'static str> {
    match (found, expected) {
        (LABELS_MAGIC, IMAGES_MAGIC) => Some("a label file, not an image file"),
        (IMAGES_MAGIC, LABELS_MAGIC) => Some("an image file, not a label file"),
        _ => None,
    }
}

/// Decompresses one gzip member, refusing to produce more than [`MAX_DECOMPRESSED`] bytes.
pub fn gunzip(gz: &[u8]) -> Result<Vec<u8>, IdxError> {
    gunzip_bounded(gz, MAX_DECOMPRESSED)
}

/// [`gunzip`] with an explicit output bound (`limit` bytes).
pub fn gunzip_bounded(gz: &[u8], limit: usize) -> Result<Vec<u8>, IdxError> {
    let mut stream = GunzipStream::new(limit, capacity_hint(gz, limit));
    stream.push(gz)?;
    stream.finish()
}

/// Deflate never expands more than 1032 to 1 (258-byte matches coded in 2 bits).
const MAX_DEFLATE_RATIO: usize = 1032;

/// Bytes to reserve for the output: the trailer's claim, but never more than the input could
/// possibly produce or than `limit` (so a lying 20-byte file reserves kilobytes, not 64 MiB).
fn capacity_hint(gz: &[u8], limit: usize) -> usize {
    claimed_gunzip_len(gz)
        .min(limit)
        .min(gz.len().saturating_mul(MAX_DEFLATE_RATIO))
}

/// The size the gzip trailer claims (ISIZE, modulo 2³²): only a capacity hint, never trusted.
fn claimed_gunzip_len(gz: &[u8]) -> usize {
    match gz.len().checked_sub(4) {
        Some(at) if gz.len() >= 18 => {
            u32::from_le_bytes([gz[at], gz[at + 1], gz[at + 2], gz[at + 3]]) as usize
        }
        _ => 0,
    }
}

/// Output space reserved before anything is known about the size (grows by doubling).
const FIRST_OUTPUT: usize = 64 * 1024;

/// Compressed bytes handed to the inflater per call. Many short calls rather than one long one:
/// a browser's wasm engine first runs a function as baseline code and swaps in its optimised code
/// only for calls that start later, so one call over a whole file would run unoptimised to its end.
const INFLATE_CALL: usize = 32 * 1024;

/// gzip header flags (RFC 1952).
const FHCRC: u8 = 0x02;
const FEXTRA: u8 = 0x04;
const FNAME: u8 = 0x08;
const FCOMMENT: u8 = 0x10;
const FRESERVED: u8 = 0xe0;

/// Where a [`GunzipStream`] is in the gzip member.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// Collecting the header (its length depends on its flags).
    Header,
    /// Inflating the deflate data.
    Body,
    /// Collecting the 8-byte trailer (CRC-32 and ISIZE).
    Trailer,
    /// Trailer checked; any further bytes are ignored (as a single-member decoder does).
    Done,
}

/// Computes, from the first bytes of the output, how many bytes the whole output should have
/// (e.g. from an IDX header), so the output buffer is allocated once at the right size.
pub type OutputSizer = fn(&[u8]) -> Option<usize>;

/// A gunzip that takes the compressed bytes in pieces of any size, as they arrive from the
/// network: `push` each piece, then `finish`. Inflates (miniz_oxide) into one growing,
/// non-wrapping buffer (never more than `limit` bytes) and checks the member's CRC-32
/// (crc32fast) and length, so it accepts exactly what a whole-file gunzip accepts and reports
/// the same errors.
pub struct GunzipStream {
    limit: usize,
    phase: Phase,
    /// Header bytes (while a header is split over pieces) or trailer bytes collected so far.
    pending: Vec<u8>,
    /// miniz_oxide's inflater; it keeps the bits of a step cut short by the end of a piece, so
    /// every piece is used whole.
    inflater: Box<DecompressorOxide>,
    /// The output buffer: `out[..produced]` is the output so far, the rest is free space.
    out: Vec<u8>,
    produced: usize,
    crc: crc32fast::Hasher,
    sizer: Option<(usize, OutputSizer)>,
    /// Ceiling for what a sizer may reserve (e.g. from the compressed length).
    reserve_bound: usize,
}

impl GunzipStream {
    /// A stream whose output is bounded by `limit`, reserving `expected` output bytes up front
    /// (a hint only, also bounded by `limit`).
    pub fn new(limit: usize, expected: usize) -> GunzipStream {
        GunzipStream {
            limit,
            phase: Phase::Header,
            pending: Vec::new(),
            inflater: Box::default(),
            // One byte of slack: a buffer of exactly the output's size would end the stream
            // "full", and growing it then would copy all of it.
            out: vec![0; expected.saturating_add(1).min(limit.saturating_add(1))],
            produced: 0,
            crc: crc32fast::Hasher::new(),
            sizer: None,
            reserve_bound: limit,
        }
    }

    /// Once the output has `prefix` bytes, `sizer` is asked for the size of the whole output,
    /// and that much is reserved — but never more than `bound` (nor the stream's limit).
    pub fn with_sizer(mut self, prefix: usize, sizer: OutputSizer, bound: usize) -> GunzipStream {
        self.sizer = Some((prefix, sizer));
        self.reserve_bound = bound.min(self.limit);
        self
    }

    /// The output so far.
    pub fn output(&self) -> &[u8] {
        &self.out[..self.produced]
    }

    /// Takes the next piece of the compressed file.
    pub fn push(&mut self, mut input: &[u8]) -> Result<(), IdxError> {
        while !input.is_empty() {
            match self.phase {
                Phase::Header => {
                    if self.pending.is_empty() {
                        match gzip_header_len(input)? {
                            Some(n) => {
                                input = &input[n..];
                                self.phase = Phase::Body;
                            }
                            None => {
                                self.pending.extend_from_slice(input);
                                return Ok(());
                            }
                        }
                    } else {
                        self.pending.extend_from_slice(input);
                        let collected = std::mem::take(&mut self.pending);
                        match gzip_header_len(&collected)? {
                            Some(n) => {
                                self.phase = Phase::Body;
                                return self.push(&collected[n..]);
                            }
                            None => {
                                self.pending = collected;
                                return Ok(());
                            }
                        }
                    }
                }
                Phase::Body => {
                    let call = input.len().min(INFLATE_CALL);
                    let used = self.inflate(&input[..call], false)?;
                    input = &input[used..];
                }
                Phase::Trailer => {
                    let take = input.len().min(8 - self.pending.len());
                    self.pending.extend_from_slice(&input[..take]);
                    input = &input[take..];
                    if self.pending.len() == 8 {
                        self.check_trailer()?;
                    }
                }
                Phase::Done => return Ok(()),
            }
        }
        Ok(())
    }

    /// All of the compressed file has been pushed: the output, if the file was complete and sound.
    pub fn finish(mut self) -> Result<Vec<u8>, IdxError> {
        match self.phase {
            Phase::Header => {
                // Too short to tell: anything but the start of a signature is not gzip.
                return Err(match self.pending.as_slice() {
                    [0x1f, 0x8b, ..] => IdxError::TruncatedGzip,
                    _ => IdxError::NotGzip,
                });
            }
            Phase::Body => {
                // The end of the deflate data never came (at most the trailer is missing): let
                // the inflater tell damaged data from data cut short, then report it.
                self.inflate(&[], true)?;
                return Err(IdxError::TruncatedGzip);
            }
            Phase::Trailer => return Err(IdxError::TruncatedGzip),
            Phase::Done => {}
        }
        self.out.truncate(self.produced);
        Ok(self.out)
    }

    /// Inflates `input` (one call's worth); returns the bytes used: all of them unless the
    /// deflate data ends inside. `complete`: no more input will come.
    fn inflate(&mut self, input: &[u8], complete: bool) -> Result<usize, IdxError> {
        let mut flags = TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF;
        if !complete {
            flags |= TINFL_FLAG_HAS_MORE_INPUT;
        }
        let mut used = 0;
        loop {
            let (status, read, written) = decompress(
                &mut self.inflater,
                &input[used..],
                &mut self.out,
                self.produced,
                flags,
            );
            self.crc
                .update(&self.out[self.produced..self.produced + written]);
            self.produced += written;
            used += read;
            match status {
                TINFLStatus::Done => {
                    if self.produced > self.limit {
                        return Err(IdxError::TooLarge { limit: self.limit });
                    }
                    self.phase = Phase::Trailer;
                    self.pending.clear();
                    return Ok(used);
                }
                TINFLStatus::HasMoreOutput => self.make_room()?,
                TINFLStatus::NeedsMoreInput if used == input.len() => return Ok(used),
                TINFLStatus::NeedsMoreInput if read > 0 || written > 0 => {}
                TINFLStatus::FailedCannotMakeProgress => return Err(IdxError::TruncatedGzip),
                _ => {
                    return Err(IdxError::CorruptGzip {
                        detail: "invalid deflate data".into(),
                    })
                }
            }
        }
    }

    /// The output buffer is full: sizes it from the sizer's answer the first time one is
    /// possible, else doubles it — refusing to go past the limit.
    fn make_room(&mut self) -> Result<(), IdxError> {
        if self.out.len() > self.limit {
            return Err(IdxError::TooLarge { limit: self.limit });
        }
        let mut want = self.out.len().saturating_mul(2).max(FIRST_OUTPUT);
        if let Some((prefix, sizer)) = self.sizer {
            if self.produced >= prefix {
                self.sizer = None;
                if let Some(total) = sizer(&self.out[..self.produced]) {
                    let total = total.min(self.reserve_bound).saturating_add(1);
                    if total > self.out.len() {
                        want = total;
                    }
                }
            }
        }
        // A fresh zeroed buffer (fresh memory is already zero, so nothing is written) and one
        // copy of the output so far; `Vec::resize` would write every new byte one at a time,
        // which on a cold wasm engine took a third of the whole decode.
        let mut bigger = vec![0; want.min(self.limit.saturating_add(1))];
        bigger[..self.produced].copy_from_slice(&self.out[..self.produced]);
        self.out = bigger;
        Ok(())
    }

    fn check_trailer(&mut self) -> Result<(), IdxError> {
        let t = &self.pending;
        let crc = u32::from_le_bytes([t[0], t[1], t[2], t[3]]);
        let size = u32::from_le_bytes([t[4], t[5], t[6], t[7]]);
        if crc != self.crc.clone().finalize() {
            return Err(IdxError::CorruptGzip {
                detail: "checksum mismatch".into(),
            });
        }
        if size != self.produced as u32 {
            return Err(IdxError::CorruptGzip {
                detail: "length mismatch".into(),
            });
        }
        self.phase = Phase::Done;
        Ok(())
    }
}

/// The length of the gzip header at the start of `gz`: None while it is incomplete.
fn gzip_header_len(gz: &[u8]) -> Result<Option<usize>, IdxError> {
    let corrupt = |detail: &str| IdxError::CorruptGzip {
        detail: detail.to_string(),
    };
    if gz.first().is_some_and(|&b| b != GZIP_ID[0]) || gz.get(1).is_some_and(|&b| b != GZIP_ID[1]) {
        return Err(IdxError::NotGzip);
    }
    if gz.get(2).is_some_and(|&method| method != 8) {
        return Err(corrupt("unknown compression method"));
    }
    if gz.get(3).is_some_and(|&flags| flags & FRESERVED != 0) {
        return Err(corrupt("invalid gzip header"));
    }
    if gz.len() < 10 {
        return Ok(None);
    }
    let flags = gz[3];
    let mut at = 10;
    if flags & FEXTRA != 0 {
        let Some(len) = gz.get(at..at + 2) else {
            return Ok(None);
        };
        at += 2 + u16::from_le_bytes([len[0], len[1]]) as usize;
    }
    for flag in [FNAME, FCOMMENT] {
        if flags & flag != 0 {
            match gz
                .get(at..)
                .and_then(|rest| rest.iter().position(|&b| b == 0))
            {
                Some(end) => at += end + 1,
                None => return Ok(None),
            }
        }
    }
    if flags & FHCRC != 0 {
        let Some(stored) = gz.get(at..at + 2) else {
            return Ok(None);
        };
        if u16::from_le_bytes([stored[0], stored[1]]) != crc32fast::hash(&gz[..at]) as u16 {
            return Err(corrupt("header checksum mismatch"));
        }
        at += 2;
    }
    if gz.len() < at {
        return Ok(None);
    }
    Ok(Some(at))
}

/// Reads the big-endian u32 at `at` (caller guarantees `at + 4 <= raw.len()`).
fn be_u32(raw: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([raw[at], raw[at + 1], raw[at + 2], raw[at + 3]])
}

fn check_header(raw: &[u8], kind: &'static str, needed: usize, magic: u32) -> Result<(), IdxError> {
    if raw.len() < needed {
        // A file too short even for the magic number cannot be told apart from a wrong kind.
        if raw.len() >= 4 && be_u32(raw, 0) != magic {
            return Err(IdxError::WrongMagic {
                found: be_u32(raw, 0),
                expected: magic,
            });
        }
        return Err(IdxError::HeaderTooShort {
            kind,
            needed,
            actual: raw.len(),
        });
    }
    let found = be_u32(raw, 0);
    if found != magic {
        return Err(IdxError::WrongMagic {
            found,
            expected: magic,
        });
    }
    Ok(())
}

/// Checks that the body after the header has exactly `body` bytes.
fn check_length(raw: &[u8], header: usize, body: usize) -> Result<(), IdxError> {
    let expected = header.checked_add(body).ok_or(IdxError::SizeOverflow)?;
    match raw.len() {
        n if n < expected => Err(IdxError::Truncated {
            expected,
            actual: n,
        }),
        n if n > expected => Err(IdxError::TrailingBytes {
            expected,
            actual: n,
        }),
        _ => Ok(()),
    }
}

/// Checks an IDX image file's header against its length; returns (count, rows, cols).
fn image_shape(raw: &[u8]) -> Result<(usize, usize, usize), IdxError> {
    check_header(raw, "image", IMAGES_HEADER_LEN, IMAGES_MAGIC)?;
    let count = be_u32(raw, 4) as usize;
    let rows = be_u32(raw, 8) as usize;
    let cols = be_u32(raw, 12) as usize;
    if rows == 0 || cols == 0 {
        return Err(IdxError::EmptyImages { rows, cols });
    }
    let body = count
        .checked_mul(rows)
        .and_then(|n| n.checked_mul(cols))
        .ok_or(IdxError::SizeOverflow)?;
    check_length(raw, IMAGES_HEADER_LEN, body)?;
    Ok((count, rows, cols))
}

/// Decodes an uncompressed IDX image file (magic 2051). Copies the pixel bytes once.
pub fn decode_images(raw: &[u8]) -> Result<Images, IdxError> {
    let (count, rows, cols) = image_shape(raw)?;
    Ok(Images {
        count,
        rows,
        cols,
        pixels: raw[IMAGES_HEADER_LEN..].to_vec(),
    })
}

/// [`decode_images`] that reuses the buffer: the pixels are moved down over the header in place
/// instead of copied into a new allocation.
pub fn decode_images_vec(mut raw: Vec<u8>) -> Result<Images, IdxError> {
    let (count, rows, cols) = image_shape(&raw)?;
    raw.drain(..IMAGES_HEADER_LEN);
    Ok(Images {
        count,
        rows,
        cols,
        pixels: raw,
    })
}

/// Decodes an uncompressed IDX label file (magic 2049); every label must be 0..=9.
pub fn decode_labels(raw: &[u8]) -> Result<Vec<u8>, IdxError> {
    check_header(raw, "label", LABELS_HEADER_LEN, LABELS_MAGIC)?;
    let count = be_u32(raw, 4) as usize;
    check_length(raw, LABELS_HEADER_LEN, count)?;
    let labels = &raw[LABELS_HEADER_LEN..];
    if let Some(index) = labels.iter().position(|&l| l > 9) {
        return Err(IdxError::BadLabel {
            index,
            value: labels[index],
        });
    }
    Ok(labels.to_vec())
}

/// Gunzips and decodes an image file.
pub fn decode_images_gz(gz: &[u8]) -> Result<Images, IdxError> {
    decode_images_vec(gunzip(gz)?)
}

/// Gunzips and decodes a label file.
pub fn decode_labels_gz(gz: &[u8]) -> Result<Vec<u8>, IdxError> {
    decode_labels(&gunzip(gz)?)
}

/// A gzipped IDX file decoded as its bytes arrive (see [`GunzipStream`]): `push` the pieces,
/// then `finish_images` or `finish_labels`, which check it exactly like [`decode_images_gz`] and
/// [`decode_labels_gz`]. The output buffer is sized once from the IDX header, but never larger
/// than [`MAX_DECOMPRESSED`] nor than the compressed length (when known) could unpack to.
pub struct IdxStream {
    gunzip: GunzipStream,
}

impl IdxStream {
    /// An image file (magic 2051); `compressed_len`: its size in bytes when known.
    pub fn images(compressed_len: Option<usize>) -> IdxStream {
        IdxStream::new(compressed_len, IMAGES_HEADER_LEN, claimed_images_len)
    }

    /// A label file (magic 2049); `compressed_len`: its size in bytes when known.
    pub fn labels(compressed_len: Option<usize>) -> IdxStream {
        IdxStream::new(compressed_len, LABELS_HEADER_LEN, claimed_labels_len)
    }

    fn new(compressed_len: Option<usize>, header: usize, sizer: OutputSizer) -> IdxStream {
        let bound = compressed_len
            .map(|n| n.saturating_mul(MAX_DEFLATE_RATIO))
            .unwrap_or(MAX_DECOMPRESSED)
            .min(MAX_DECOMPRESSED);
        let gunzip = GunzipStream::new(MAX_DECOMPRESSED, FIRST_OUTPUT.min(bound))
            .with_sizer(header, sizer, bound);
        IdxStream { gunzip }
    }

    /// Takes the next piece of the gzipped file.
    pub fn push(&mut self, piece: &[u8]) -> Result<(), IdxError> {
        self.gunzip.push(piece)
    }

    /// Bytes decompressed so far.
    pub fn decompressed(&self) -> usize {
        self.gunzip.output().len()
    }

    /// The whole file has been pushed: its images.
    pub fn finish_images(self) -> Result<Images, IdxError> {
        decode_images_vec(self.gunzip.finish()?)
    }

    /// The whole file has been pushed: its labels.
    pub fn finish_labels(self) -> Result<Vec<u8>, IdxError> {
        decode_labels(&self.gunzip.finish()?)
    }
}

/// The length an image file's header claims (only a size hint; checked when decoding).
fn claimed_images_len(raw: &[u8]) -> Option<usize> {
    if raw.len() < IMAGES_HEADER_LEN || be_u32(raw, 0) != IMAGES_MAGIC {
        return None;
    }
    (be_u32(raw, 4) as usize)
        .checked_mul(be_u32(raw, 8) as usize)?
        .checked_mul(be_u32(raw, 12) as usize)?
        .checked_add(IMAGES_HEADER_LEN)
}

/// The length a label file's header claims (only a size hint; checked when decoding).
fn claimed_labels_len(raw: &[u8]) -> Option<usize> {
    if raw.len() < LABELS_HEADER_LEN || be_u32(raw, 0) != LABELS_MAGIC {
        return None;
    }
    (be_u32(raw, 4) as usize).checked_add(LABELS_HEADER_LEN)
}

/// Builders of IDX and gzip bytes, for tests in this crate.
#[cfg(test)]
pub(crate) mod fixtures {
    use std::io::Write;

    /// IDX image bytes: header for `count` images of `rows × cols`, pixels `(i + r + c) % 256`.
    pub fn image_bytes(count: u32, rows: u32, cols: u32) -> Vec<u8> {
        let mut raw = header(&[super::IMAGES_MAGIC, count, rows, cols]);
        let n = (count * rows * cols) as usize;
        raw.extend((0..n).map(|k| (k % 251) as u8));
        raw
    }

    /// IDX label bytes holding exactly `labels`.
    pub fn label_bytes(labels: &[u8]) -> Vec<u8> {
        let mut raw = header(&[super::LABELS_MAGIC, labels.len() as u32]);
        raw.extend_from_slice(labels);
        raw
    }

    /// Big-endian u32 words.
    pub fn header(words: &[u32]) -> Vec<u8> {
        words.iter().flat_map(|w| w.to_be_bytes()).collect()
    }

    /// gzip of `raw` with flate2's encoder.
    pub fn gzip(raw: &[u8]) -> Vec<u8> {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(raw).unwrap();
        enc.finish().unwrap()
    }

    /// gzip of `raw` whose header uses every optional field: FEXTRA, FNAME, FCOMMENT and FHCRC
    /// (built by hand: flate2 cannot write a header CRC).
    pub fn gzip_with_all_header_fields(raw: &[u8]) -> Vec<u8> {
        let mut gz = vec![0x1f, 0x8b, 8, 0x02 | 0x04 | 0x08 | 0x10, 1, 2, 3, 4, 0, 255];
        gz.extend_from_slice(&[3, 0, b'a', b'b', b'c']);
        gz.extend_from_slice(b"digits.idx\0");
        gz.extend_from_slice(b"a comment\0");
        let mut crc = flate2::Crc::new();
        crc.update(&gz);
        gz.extend_from_slice(&(crc.sum() as u16).to_le_bytes());
        let mut deflate =
            flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        deflate.write_all(raw).unwrap();
        gz.extend(deflate.finish().unwrap());
        let mut crc = flate2::Crc::new();
        crc.update(raw);
        gz.extend_from_slice(&crc.sum().to_le_bytes());
        gz.extend_from_slice(&(raw.len() as u32).to_le_bytes());
        gz
    }

    /// What flate2's gunzip (the reference) makes of `gz`: the output, or None when it fails.
    pub fn flate2_gunzip(gz: &[u8]) -> Option<Vec<u8>> {
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut flate2::bufread::GzDecoder::new(gz), &mut out).ok()?;
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::*;
    use super::*;

    #[test]
    fn gunzip_round_trips() {
        let raw = image_bytes(3, 4, 5);
        assert_eq!(gunzip(&gzip(&raw)).unwrap(), raw);
    }

    #[test]
    fn gunzip_of_empty_payload_is_empty() {
        assert_eq!(gunzip(&gzip(&[])).unwrap(), Vec::<u8>::new());
    }

    #[test]
    fn plain_bytes_are_not_gzip() {
        assert_eq!(gunzip(&image_bytes(1, 2, 2)), Err(IdxError::NotGzip));
        assert_eq!(gunzip(&[]), Err(IdxError::NotGzip));
        assert_eq!(gunzip(&[0x1f]), Err(IdxError::NotGzip));
        assert!(IdxError::NotGzip.to_string().contains("not a gzip file"));
    }

    #[test]
    fn truncated_gzip_is_reported_as_truncated() {
        let gz = gzip(&image_bytes(10, 8, 8));
        for cut in [3, 10, gz.len() / 2, gz.len() - 4, gz.len() - 1] {
            assert_eq!(
                gunzip(&gz[..cut]),
                Err(IdxError::TruncatedGzip),
                "cut at {cut}"
            );
        }
    }

    #[test]
    fn damaged_checksum_is_corrupt() {
        let mut gz = gzip(&image_bytes(10, 8, 8));
        let crc_at = gz.len() - 8;
        gz[crc_at] ^= 0xff;
        assert!(matches!(gunzip(&gz), Err(IdxError::CorruptGzip { .. })));
    }

    #[test]
    fn damaged_deflate_data_is_corrupt() {
        let mut gz = gzip(&image_bytes(10, 8, 8));
        // Byte 10 starts the deflate stream; block type 11 is reserved, so always invalid.
        gz[10] |= 0b110;
        let err = gunzip(&gz).unwrap_err();
        assert!(matches!(err, IdxError::CorruptGzip { .. }), "{err:?}");
        assert!(err.to_string().starts_with("the gzip data is corrupt"));
    }

    #[test]
    fn bad_gzip_method_is_corrupt() {
        let mut gz = gzip(&[1, 2, 3]);
        gz[2] = 7; // compression method must be 8 (deflate)
        assert!(matches!(gunzip(&gz), Err(IdxError::CorruptGzip { .. })));
    }

    #[test]
    fn output_beyond_the_bound_is_refused() {
        let gz = gzip(&vec![0u8; 10_000]);
        assert_eq!(
            gunzip_bounded(&gz, 9_999),
            Err(IdxError::TooLarge { limit: 9_999 })
        );
        assert_eq!(gunzip_bounded(&gz, 10_000).unwrap().len(), 10_000);
    }

    #[test]
    fn bound_holds_for_a_compression_bomb() {
        // 100 MiB of zeros compresses to about 100 KiB.
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..100 {
            std::io::Write::write_all(&mut enc, &zeros).unwrap();
        }
        let gz = enc.finish().unwrap();
        assert!(gz.len() < 1 << 20);
        assert_eq!(
            gunzip(&gz),
            Err(IdxError::TooLarge {
                limit: MAX_DECOMPRESSED
            })
        );
    }

    #[test]
    fn capacity_hint_trusts_the_trailer_only_within_reason() {
        let gz = gzip(&vec![3u8; 5000]);
        assert_eq!(capacity_hint(&gz, MAX_DECOMPRESSED), 5000);
        let mut liar = gz.clone();
        let n = liar.len();
        liar[n - 4..].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(
            capacity_hint(&liar, MAX_DECOMPRESSED),
            n * MAX_DEFLATE_RATIO
        );
        assert_eq!(capacity_hint(&liar, 100), 100);
        // The wrong size is then caught by the decoder's own check.
        assert!(matches!(gunzip(&liar), Err(IdxError::CorruptGzip { .. })));
    }

    #[test]
    fn decodes_images() {
        let raw = image_bytes(3, 2, 4);
        let images = decode_images(&raw).unwrap();
        assert_eq!((images.count, images.rows, images.cols), (3, 2, 4));
        assert_eq!(images.image_len(), 8);
        assert_eq!(images.pixels, raw[16..]);
        assert_eq!(decode_images_vec(raw), Ok(images));
    }

    #[test]
    fn decodes_zero_images() {
        let images = decode_images(&image_bytes(0, 28, 28)).unwrap();
        assert_eq!(images.count, 0);
        assert!(images.pixels.is_empty());
    }

    #[test]
    fn decodes_labels() {
        assert_eq!(
            decode_labels(&label_bytes(&[0, 9, 5])).unwrap(),
            vec![0, 9, 5]
        );
    }

    #[test]
    fn label_file_given_as_images_has_wrong_magic() {
        let err = decode_images(&label_bytes(&[1; 20])).unwrap_err();
        assert_eq!(
            err,
            IdxError::WrongMagic {
                found: 2049,
                expected: 2051
            }
        );
        assert_eq!(
            err.to_string(),
            "wrong magic number 2049: expected 2051 (an IDX image file); this looks like a label file, not an image file"
        );
    }

    #[test]
    fn image_file_given_as_labels_has_wrong_magic() {
        let err = decode_labels(&image_bytes(1, 2, 2)).unwrap_err();
        assert_eq!(
            err,
            IdxError::WrongMagic {
                found: 2051,
                expected: 2049
            }
        );
        assert!(err
            .to_string()
            .starts_with("wrong magic number 2051: expected 2049 (an IDX label file)"));
    }

    #[test]
    fn unknown_magic_is_wrong() {
        let mut raw = image_bytes(1, 2, 2);
        raw[2] = 0x0d; // type f64
        let err = decode_images(&raw).unwrap_err();
        assert_eq!(
            err,
            IdxError::WrongMagic {
                found: 0x0d03,
                expected: 2051
            }
        );
        assert_eq!(
            err.to_string(),
            "wrong magic number 3331: expected 2051 (an IDX image file)"
        );
    }

    #[test]
    fn short_headers_are_reported() {
        let raw = image_bytes(1, 2, 2);
        assert_eq!(
            decode_images(&raw[..10]),
            Err(IdxError::HeaderTooShort {
                kind: "image",
                needed: 16,
                actual: 10
            })
        );
        assert_eq!(
            decode_labels(&[0, 0]),
            Err(IdxError::HeaderTooShort {
                kind: "label",
                needed: 8,
                actual: 2
            })
        );
        let msg = decode_labels(&[]).unwrap_err().to_string();
        assert_eq!(
            msg,
            "too short to be an IDX label file: 0 bytes, but the header alone needs 8"
        );
    }

    #[test]
    fn images_shorter_than_header_says_are_truncated() {
        let raw = image_bytes(3, 2, 2);
        let err = decode_images(&raw[..raw.len() - 1]).unwrap_err();
        assert_eq!(
            err,
            IdxError::Truncated {
                expected: 28,
                actual: 27
            }
        );
        assert!(err.to_string().contains("truncated"));
        let big = IdxError::Truncated {
            expected: 47_040_016,
            actual: 1000,
        };
        assert_eq!(
            big.to_string(),
            "the file is truncated: its header promises 47,040,016 bytes but it has 1,000"
        );
    }

    #[test]
    fn images_longer_than_header_says_have_trailing_bytes() {
        let mut raw = image_bytes(3, 2, 2);
        raw.extend_from_slice(&[7, 7]);
        let err = decode_images(&raw).unwrap_err();
        assert_eq!(
            err,
            IdxError::TrailingBytes {
                expected: 28,
                actual: 30
            }
        );
        assert!(err.to_string().contains("2 unexpected trailing bytes"));
    }

    #[test]
    fn labels_shorter_or_longer_than_header_says() {
        let raw = label_bytes(&[1, 2, 3]);
        assert_eq!(
            decode_labels(&raw[..10]),
            Err(IdxError::Truncated {
                expected: 11,
                actual: 10
            })
        );
        let mut long = raw.clone();
        long.push(4);
        assert_eq!(
            decode_labels(&long),
            Err(IdxError::TrailingBytes {
                expected: 11,
                actual: 12
            })
        );
    }

    #[test]
    fn huge_counts_are_checked_against_the_length_not_trusted() {
        let raw = header(&[IMAGES_MAGIC, u32::MAX, u32::MAX, u32::MAX]);
        let err = decode_images(&raw).unwrap_err();
        assert!(
            matches!(err, IdxError::SizeOverflow | IdxError::Truncated { .. }),
            "{err:?}"
        );
        let raw = header(&[LABELS_MAGIC, u32::MAX]);
        assert!(matches!(
            decode_labels(&raw),
            Err(IdxError::Truncated { .. })
        ));
    }

    #[test]
    fn zero_sized_images_are_refused() {
        let raw = header(&[IMAGES_MAGIC, 1_000_000, 0, 28]);
        assert_eq!(
            decode_images(&raw),
            Err(IdxError::EmptyImages { rows: 0, cols: 28 })
        );
    }

    #[test]
    fn label_above_nine_is_reported_with_its_index() {
        let err = decode_labels(&label_bytes(&[3, 9, 0, 10, 200])).unwrap_err();
        assert_eq!(
            err,
            IdxError::BadLabel {
                index: 3,
                value: 10
            }
        );
        assert_eq!(
            err.to_string(),
            "label number 3 is 10, but labels must be digits 0–9"
        );
    }

    /// Checks the invariants of any decode result: no panic got here, and sizes agree.
    fn check_decoded(raw: &[u8]) {
        let decoded = decode_images(raw);
        assert_eq!(decode_images_vec(raw.to_vec()), decoded);
        if let Ok(images) = decoded {
            assert_eq!(
                images.pixels.len(),
                images.count * images.rows * images.cols
            );
            assert_eq!(images.pixels.len() + 16, raw.len());
        }
        if let Ok(labels) = decode_labels(raw) {
            assert_eq!(labels.len() + 8, raw.len());
            assert!(labels.iter().all(|&l| l <= 9));
        }
    }

    /// A small valid gzipped image file (5 images of 6×6) to damage.
    fn small_gz() -> Vec<u8> {
        gzip(&image_bytes(5, 6, 6))
    }

    const PROP_LIMIT: usize = 1 << 16;

    /// `bytes` with each `(at, mask)` XORed in (`at` wrapped to the length), then cut to
    /// `cut` (wrapped to the length + 1) if given.
    fn damaged(mut bytes: Vec<u8>, flips: &[(usize, u8)], cut: Option<usize>) -> Vec<u8> {
        for &(at, mask) in flips {
            let at = at % bytes.len();
            bytes[at] ^= mask;
        }
        if let Some(cut) = cut {
            bytes.truncate(cut % (bytes.len() + 1));
        }
        bytes
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..600)) {
            if let Ok(out) = gunzip_bounded(&bytes, PROP_LIMIT) {
                proptest::prop_assert!(out.len() <= PROP_LIMIT);
                check_decoded(&out);
            }
            check_decoded(&bytes);
        }

        #[test]
        fn arbitrary_bytes_after_a_gzip_signature_never_panic(
            tail in proptest::collection::vec(proptest::num::u8::ANY, 0..600)
        ) {
            let mut bytes = vec![0x1f, 0x8b, 8, 0];
            bytes.extend(tail);
            if let Ok(out) = gunzip_bounded(&bytes, PROP_LIMIT) {
                proptest::prop_assert!(out.len() <= PROP_LIMIT);
            }
        }

        #[test]
        fn damaged_gzip_files_never_panic(
            flips in proptest::collection::vec((proptest::num::usize::ANY, 1u8..=255), 0..6),
            cut in proptest::option::of(proptest::num::usize::ANY),
        ) {
            let gz = damaged(small_gz(), &flips, cut);
            match gunzip_bounded(&gz, PROP_LIMIT) {
                Ok(out) => {
                    proptest::prop_assert!(out.len() <= PROP_LIMIT);
                    check_decoded(&out);
                }
                Err(e) => proptest::prop_assert!(!e.to_string().is_empty()),
            }
        }

        #[test]
        fn damaged_gzip_in_any_pieces_is_judged_like_the_whole_and_like_flate2(
            flips in proptest::collection::vec((proptest::num::usize::ANY, 1u8..=255), 0..4),
            cut in proptest::option::of(proptest::num::usize::ANY),
            piece in 1usize..200,
        ) {
            let gz = damaged(small_gz(), &flips, cut);
            let whole = gunzip_bounded(&gz, PROP_LIMIT);
            proptest::prop_assert_eq!(&gunzip_in_pieces(&gz, piece, PROP_LIMIT), &whole);
            if let Ok(out) = whole {
                proptest::prop_assert_eq!(flate2_gunzip(&gz), Some(out));
            }
        }

        #[test]
        fn damaged_idx_files_never_panic(
            flips in proptest::collection::vec((proptest::num::usize::ANY, 1u8..=255), 0..6),
            cut in proptest::option::of(proptest::num::usize::ANY),
            labels in proptest::bool::ANY,
        ) {
            let raw = if labels { label_bytes(&[1, 2, 3, 9, 0]) } else { image_bytes(3, 4, 4) };
            check_decoded(&damaged(raw, &flips, cut));
        }
    }

    /// Pushes `gz` into a stream in pieces of `piece` bytes.
    fn gunzip_in_pieces(gz: &[u8], piece: usize, limit: usize) -> Result<Vec<u8>, IdxError> {
        let mut stream = GunzipStream::new(limit, 0);
        for p in gz.chunks(piece.max(1)) {
            stream.push(p)?;
        }
        stream.finish()
    }

    #[test]
    fn gunzip_agrees_with_flate2_and_with_itself_in_any_pieces() {
        let raw = image_bytes(40, 28, 28);
        for gz in [gzip(&raw), gzip_with_all_header_fields(&raw)] {
            assert_eq!(flate2_gunzip(&gz).as_deref(), Some(&raw[..]));
            assert_eq!(gunzip(&gz).unwrap(), raw);
            for piece in [1, 2, 9, 10, 11, 100, 4096, 65_536] {
                assert_eq!(
                    gunzip_in_pieces(&gz, piece, MAX_DECOMPRESSED).unwrap(),
                    raw,
                    "pieces of {piece}"
                );
            }
        }
    }

    #[test]
    fn header_fields_are_checked() {
        let raw = image_bytes(2, 3, 3);
        let mut bad_header_crc = gzip_with_all_header_fields(&raw);
        let crc_at = 10 + 5 + 11 + 10;
        bad_header_crc[crc_at] ^= 1;
        assert!(matches!(
            gunzip(&bad_header_crc),
            Err(IdxError::CorruptGzip { .. })
        ));
        let mut reserved_flag = gzip(&raw);
        reserved_flag[3] |= 0x20;
        assert!(matches!(
            gunzip(&reserved_flag),
            Err(IdxError::CorruptGzip { .. })
        ));
        // A header cut inside its file name is a truncated file, in one piece or many.
        let cut = &gzip_with_all_header_fields(&raw)[..20];
        assert_eq!(gunzip(cut), Err(IdxError::TruncatedGzip));
        assert_eq!(
            gunzip_in_pieces(cut, 3, MAX_DECOMPRESSED),
            Err(IdxError::TruncatedGzip)
        );
    }

    #[test]
    fn a_wrong_first_byte_is_not_gzip_even_in_pieces() {
        assert_eq!(gunzip_in_pieces(b"hello", 1, 100), Err(IdxError::NotGzip));
        assert_eq!(
            gunzip_in_pieces(&[0x1f, 0x00, 8], 1, 100),
            Err(IdxError::NotGzip)
        );
        assert_eq!(gunzip_in_pieces(&[0x1f], 1, 100), Err(IdxError::NotGzip));
        assert_eq!(
            gunzip_in_pieces(&[0x1f, 0x8b], 1, 100),
            Err(IdxError::TruncatedGzip)
        );
        assert_eq!(gunzip_in_pieces(&[], 1, 100), Err(IdxError::NotGzip));
    }

    #[test]
    fn damaged_length_in_the_trailer_is_corrupt() {
        let mut gz = gzip(&image_bytes(10, 8, 8));
        let n = gz.len();
        gz[n - 1] ^= 0x01;
        let err = gunzip(&gz).unwrap_err();
        assert!(matches!(err, IdxError::CorruptGzip { .. }), "{err:?}");
        assert!(flate2_gunzip(&gz).is_none(), "flate2 refuses it too");
    }

    #[test]
    fn bytes_after_the_member_are_ignored_as_flate2_does() {
        let raw = label_bytes(&[1, 2, 3]);
        let mut gz = gzip(&raw);
        gz.extend_from_slice(b"junk");
        assert_eq!(flate2_gunzip(&gz).as_deref(), Some(&raw[..]));
        assert_eq!(gunzip(&gz).unwrap(), raw);
        assert_eq!(gunzip_in_pieces(&gz, 5, MAX_DECOMPRESSED).unwrap(), raw);
    }

    #[test]
    fn the_bound_holds_in_pieces() {
        let gz = gzip(&vec![0u8; 10_000]);
        for piece in [1, 7, 1000, 20_000] {
            assert_eq!(
                gunzip_in_pieces(&gz, piece, 9_999),
                Err(IdxError::TooLarge { limit: 9_999 })
            );
            assert_eq!(gunzip_in_pieces(&gz, piece, 10_000).unwrap().len(), 10_000);
        }
    }

    #[test]
    fn idx_streams_decode_like_the_whole_file_helpers() {
        let images_raw = image_bytes(50, 28, 28);
        let labels_raw = label_bytes(&[7; 50]);
        let (images_gz, labels_gz) = (gzip(&images_raw), gzip(&labels_raw));
        for piece in [1, 13, 1000, 1 << 20] {
            let mut images = IdxStream::images(Some(images_gz.len()));
            let mut labels = IdxStream::labels(None);
            for p in images_gz.chunks(piece) {
                images.push(p).unwrap();
            }
            for p in labels_gz.chunks(piece) {
                labels.push(p).unwrap();
            }
            assert_eq!(images.decompressed(), images_raw.len());
            assert_eq!(images.finish_images(), decode_images_gz(&images_gz));
            assert_eq!(labels.finish_labels(), decode_labels_gz(&labels_gz));
        }
    }

    #[test]
    fn idx_stream_errors_are_those_of_the_whole_file_helpers() {
        let mut cut = image_bytes(3, 4, 4);
        cut.pop();
        let mut bad_label = label_bytes(&[1, 2]);
        bad_label[9] = 10;
        let cases: Vec<(Vec<u8>, bool)> = vec![
            (gzip(&cut), true),
            (gzip(&label_bytes(&[1])), true),
            (gzip(&image_bytes(1, 2, 2)), false),
            (gzip(&bad_label), false),
            (b"plain".to_vec(), true),
            (gzip(&image_bytes(3, 4, 4))[..30].to_vec(), true),
        ];
        for (gz, is_images) in cases {
            if is_images {
                let mut s = IdxStream::images(Some(gz.len()));
                let result = s.push(&gz).and_then(|_| s.finish_images());
                assert_eq!(result, decode_images_gz(&gz));
                assert!(result.is_err());
            } else {
                let mut s = IdxStream::labels(Some(gz.len()));
                let result = s.push(&gz).and_then(|_| s.finish_labels());
                assert_eq!(result, decode_labels_gz(&gz));
                assert!(result.is_err());
            }
        }
    }

    #[test]
    fn an_idx_header_reserves_no_more_than_the_compressed_bytes_could_unpack_to() {
        // A tiny file whose header claims 60,000 images of 28×28 (47 MB).
        let mut raw = header(&[IMAGES_MAGIC, 60_000, 28, 28]);
        raw.extend_from_slice(&[0; 100]);
        let gz = gzip(&raw);
        let mut known = IdxStream::images(Some(gz.len()));
        known.push(&gz).unwrap();
        assert!(known.gunzip.out.len() <= gz.len() * MAX_DEFLATE_RATIO + 1);
        assert!(matches!(
            known.finish_images(),
            Err(IdxError::Truncated { .. })
        ));
        // Without the compressed size the claim is still bounded by MAX_DECOMPRESSED.
        let mut unknown = IdxStream::images(None);
        unknown.push(&gz).unwrap();
        assert!(unknown.gunzip.out.len() <= MAX_DECOMPRESSED + 1);
        // A truthful header reserves exactly what the file needs, once.
        let good = gzip(&image_bytes(300, 28, 28));
        let mut s = IdxStream::images(Some(good.len()));
        s.push(&good).unwrap();
        assert_eq!(s.gunzip.out.len(), 16 + 300 * 28 * 28 + 1);
    }

    #[test]
    fn gz_helpers_chain_gunzip_and_decode() {
        let images = decode_images_gz(&gzip(&image_bytes(2, 3, 3))).unwrap();
        assert_eq!(images.count, 2);
        assert_eq!(
            decode_labels_gz(&gzip(&label_bytes(&[4, 2]))).unwrap(),
            vec![4, 2]
        );
        assert_eq!(
            decode_labels_gz(&label_bytes(&[4, 2])),
            Err(IdxError::NotGzip)
        );
    }
}
