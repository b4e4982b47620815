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

use super::format::thousands;

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
    let labels = label_body(raw)?;
    if let Some(index) = labels.iter().position(|&l| l > 9) {
        return Err(IdxError::BadLabel {
            index,
            value: labels[index],
        });
    }
    Ok(labels.to_vec())
}

/// Decodes an uncompressed IDX label file (magic 2049) whose labels may be any byte 0..=255
/// (up to 256 classes), as the user's own files may have.
pub fn decode_labels_any(raw: &[u8]) -> Result<Vec<u8>, IdxError> {
    label_body(raw).map(<[u8]>::to_vec)
}

/// The labels of a label file, its header and length checked.
fn label_body(raw: &[u8]) -> Result<&[u8], IdxError> {
    check_header(raw, "label", LABELS_HEADER_LEN, LABELS_MAGIC)?;
    let count = be_u32(raw, 4) as usize;
    check_length(raw, LABELS_HEADER_LEN, count)?;
    Ok(&raw[LABELS_HEADER_LEN..])
}

/// What an image file's header claims, `(count, rows, cols)`, without checking the file's
/// length: lets a caller refuse a file too large before allocating anything for it. None when
/// the header is short or its magic is not 2051.
pub fn images_header(raw: &[u8]) -> Option<(usize, usize, usize)> {
    if raw.len() < IMAGES_HEADER_LEN || be_u32(raw, 0) != IMAGES_MAGIC {
        return None;
    }
    Some((
        be_u32(raw, 4) as usize,
        be_u32(raw, 8) as usize,
        be_u32(raw, 12) as usize,
    ))
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
pub(crate) mod fixtures;

#[cfg(test)]
mod tests;
