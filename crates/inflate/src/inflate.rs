//! A raw deflate decoder (RFC 1951), written for speed on cold WebAssembly.
//!
//! Why our own: in the browser the data is decoded while the wasm engine still runs baseline
//! (unoptimised) code, and a large general-purpose inflater tiers up late. This one keeps the
//! hot work in one small function, [`Inflater::decode_fast`], that the engine compiles and
//! optimises quickly, and every call of it is short, so optimised code is picked up early.
//!
//! How it decodes:
//! - The whole output lives in one non-wrapping buffer given by the caller, so a match is
//!   copied straight from earlier output (no separate 32 KiB window).
//! - Bits are read least-significant first from a 64-bit buffer refilled eight bytes at a time.
//! - A Huffman code is decoded with one lookup in a table indexed by the next
//!   [`LITLEN_BITS`] (or [`DIST_BITS`]) bits; longer codes go through one second-level table.
//! - The input may stop anywhere. The decoder only ever stops between whole steps (a symbol with
//!   its extra bits and distance, or a whole block header), rewinding a step that the input
//!   cut short, so the caller keeps the bytes not yet used and passes them again with more.
//!   Every decision is taken only on bits that are really there, so the result does not depend
//!   on how the input was split.

/// Index bits of the first-level literal/length table.
pub const LITLEN_BITS: u32 = 10;
/// Index bits of the first-level distance table.
pub const DIST_BITS: u32 = 8;
/// Longest code deflate allows.
const MAX_CODE_LEN: u32 = 15;
/// Entries a literal/length table may need with its second-level tables: the largest over all
/// complete codes of up to 288 symbols, 15 bits long, with a 10-bit first level (zlib's
/// `enough 288 10 15`).
const LITLEN_ENOUGH: usize = 1334;
/// The same for distance codes: 30 symbols, an 8-bit first level (`enough 30 8 15`).
const DIST_ENOUGH: usize = 402;
/// Entries of the code-length code's table: 19 symbols, at most 7 bits, one level.
const CODELEN_BITS: u32 = 7;

/// Output space the fast loop needs before a step: the longest match (258) plus the up to 7
/// bytes that word-at-a-time copying may write past its end.
const FAST_OUT_MARGIN: usize = 258 + 8;
/// Input the fast loop needs before a step: one whole 8-byte refill.
const FAST_IN_MARGIN: usize = 8;
/// Output one call of the fast loop produces at most before it returns. A browser's wasm engine
/// swaps optimised code in only for calls that start after it is ready, so the hot loop is
/// made of many short calls rather than one long one.
const FAST_CALL_OUTPUT: usize = 64 * 1024;

// A table entry is a u32:
// - bits 0..=4: code bits to consume (for a link to a second-level table: the first-level bits);
// - bits 8..=11: extra bits to read after the code (lengths, distances), or for a link the
//   index bits of the second-level table;
// - bits 12..=14: the kind of entry;
// - bits 16..=31: the value: a literal byte, a length or distance base, or a table offset.
const KIND_SHIFT: u32 = 12;
const LITERAL: u32 = 0 << KIND_SHIFT;
const LENGTH: u32 = 1 << KIND_SHIFT;
const END_OF_BLOCK: u32 = 2 << KIND_SHIFT;
const LINK: u32 = 3 << KIND_SHIFT;
const INVALID: u32 = 4 << KIND_SHIFT;
const KIND_MASK: u32 = 7 << KIND_SHIFT;

const fn entry(bits: u32, extra: u32, kind: u32, value: u32) -> u32 {
    bits | (extra << 8) | kind | (value << 16)
}

fn code_bits(e: u32) -> u32 {
    e & 31
}

fn extra_bits(e: u32) -> u32 {
    (e >> 8) & 15
}

fn value(e: u32) -> usize {
    (e >> 16) as usize
}

/// Base lengths of the length symbols 257..=285, and their extra bits.
const LENGTH_BASE: [u16; 29] = [
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
    163, 195, 227, 258,
];
const LENGTH_EXTRA: [u8; 29] = [
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
];
/// Base distances of the distance symbols 0..=29, and their extra bits.
const DIST_BASE: [u16; 30] = [
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
    2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
];
const DIST_EXTRA: [u8; 30] = [
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13,
    13,
];
/// What each literal/length symbol means, as a table entry without its code length: literals,
/// end of block, lengths (base and extra bits), and the two symbols that mean nothing.
static LITLEN_MEANING: [u32; 288] = {
    let mut m = [0u32; 288];
    let mut sym = 0;
    while sym < 288 {
        m[sym] = if sym < 256 {
            entry(0, 0, LITERAL, sym as u32)
        } else if sym == 256 {
            entry(0, 0, END_OF_BLOCK, 0)
        } else if sym - 257 < LENGTH_BASE.len() {
            let i = sym - 257;
            entry(0, LENGTH_EXTRA[i] as u32, LENGTH, LENGTH_BASE[i] as u32)
        } else {
            entry(0, 0, INVALID, 0)
        };
        sym += 1;
    }
    m
};
/// The same for distance symbols (they share the LENGTH kind: "a base plus extra bits").
static DIST_MEANING: [u32; 32] = {
    let mut m = [entry(0, 0, INVALID, 0); 32];
    let mut sym = 0;
    while sym < DIST_BASE.len() {
        m[sym] = entry(0, DIST_EXTRA[sym] as u32, LENGTH, DIST_BASE[sym] as u32);
        sym += 1;
    }
    m
};
/// The code-length code's symbols stand for themselves.
static CODELEN_MEANING: [u32; 19] = {
    let mut m = [0u32; 19];
    let mut sym = 0;
    while sym < 19 {
        m[sym] = entry(0, 0, LITERAL, sym as u32);
        sym += 1;
    }
    m
};

/// The order in which a dynamic block lists the code lengths of the code-length code.
const CODELEN_ORDER: [usize; 19] = [
    16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
];

/// Why a deflate stream was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InflateError {
    /// The data is not valid deflate; the text says what was wrong.
    Invalid(&'static str),
    /// The input ended before the last block did.
    Truncated,
}

/// How far a call got.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Progress {
    /// All the input that could be used is used: pass the rest again with more.
    NeedInput,
    /// The output buffer is too small for the next step: give a larger one (same contents).
    NeedOutput,
    /// The last block has ended.
    Done,
}

/// What a call did: how far it got, and how many input bytes it used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Step {
    pub progress: Progress,
    pub used: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Block {
    /// Between blocks: the next thing is a block header.
    Header,
    /// Inside a stored block with this many bytes left to copy.
    Stored(usize),
    /// Inside a Huffman-coded block (the tables hold its codes).
    Huffman,
    /// After the last block.
    Done,
}

/// The decoder's state between calls.
pub struct Inflater {
    /// Bits read but not consumed, least significant first. Above `bitsleft` there may be bits
    /// of the following input bytes (never consumed, the bytes are not counted as used).
    bitbuf: u64,
    bitsleft: u32,
    block: Block,
    last_block: bool,
    litlen: Box<[u32; LITLEN_ENOUGH]>,
    dist: Box<[u32; DIST_ENOUGH]>,
}

impl Default for Inflater {
    fn default() -> Self {
        Self::new()
    }
}

/// A reading position for the careful (slow) path: the input and the bit buffer.
struct Reader<'a> {
    input: &'a [u8],
    pos: usize,
    bitbuf: u64,
    bitsleft: u32,
}

impl Reader<'_> {
    /// Loads whole bytes until at least `n` bits are buffered (or the input ends); whether
    /// there are `n` bits now.
    fn have(&mut self, n: u32) -> bool {
        while self.bitsleft < n {
            let Some(&b) = self.input.get(self.pos) else {
                return false;
            };
            self.bitbuf |= (b as u64) << self.bitsleft;
            self.bitsleft += 8;
            self.pos += 1;
        }
        true
    }

    /// Fills the bit buffer as far as the input allows, to more than 48 bits (never 64, so the
    /// fast path's refill never shifts by 64). With eight bytes at hand it reads them at once,
    /// like the fast path (bits of the following bytes may then sit above `bitsleft`).
    fn fill(&mut self) {
        if self.bitsleft > 48 {
            return;
        }
        if let Some(word) = self.input.get(self.pos..self.pos + 8) {
            self.bitbuf |= u64::from_le_bytes(word.try_into().unwrap()) << self.bitsleft;
            self.pos += ((63 - self.bitsleft) >> 3) as usize;
            self.bitsleft |= 56;
            return;
        }
        while self.bitsleft <= 48 {
            let Some(&b) = self.input.get(self.pos) else {
                return;
            };
            self.bitbuf |= (b as u64) << self.bitsleft;
            self.bitsleft += 8;
            self.pos += 1;
        }
    }

    fn peek(&self, n: u32) -> u32 {
        (self.bitbuf & ((1u64 << n) - 1)) as u32
    }

    fn consume(&mut self, n: u32) {
        self.bitbuf >>= n;
        self.bitsleft -= n;
    }

    /// Reads `n` bits (`n` ≤ 32), or None if the input has fewer.
    fn bits(&mut self, n: u32) -> Option<u32> {
        if !self.have(n) {
            return None;
        }
        let v = self.peek(n);
        self.consume(n);
        Some(v)
    }

    /// Decodes one symbol's table entry from `table` (first level `bits` wide), consuming its
    /// code; None if the input does not hold the whole code yet. A second-level entry is
    /// returned as found (its kind is never LINK).
    fn symbol(&mut self, table: &[u32], bits: u32) -> Option<u32> {
        self.fill();
        let mut e = table[self.peek(bits) as usize];
        if code_bits(e) > self.bitsleft {
            return None;
        }
        if e & KIND_MASK == LINK {
            let sub = self.peek(bits + extra_bits(e)) >> bits;
            let e2 = table[value(e) + sub as usize];
            if bits + code_bits(e2) > self.bitsleft {
                return None;
            }
            self.consume(bits);
            e = e2;
        }
        self.consume(code_bits(e));
        Some(e)
    }
}

/// What the careful path wants to tell its caller when it cannot finish a step.
enum Stop {
    Input,
    Output,
    Error(InflateError),
}

impl From<InflateError> for Stop {
    fn from(e: InflateError) -> Self {
        Stop::Error(e)
    }
}

impl Inflater {
    pub fn new() -> Inflater {
        Inflater {
            bitbuf: 0,
            bitsleft: 0,
            block: Block::Header,
            last_block: false,
            litlen: Box::new([0; LITLEN_ENOUGH]),
            dist: Box::new([0; DIST_ENOUGH]),
        }
    }

    /// Whether the last block has ended.
    pub fn is_done(&self) -> bool {
        self.block == Block::Done
    }

    /// Decodes from `input` into `out[*produced..]`, advancing `*produced`. `input` is what
    /// follows the bytes earlier calls used; `complete` says no more input will come (a step
    /// the input cuts short is then an error, not a wait). `out[..*produced]` must be the output
    /// so far: matches are copied from it.
    pub fn inflate(
        &mut self,
        input: &[u8],
        complete: bool,
        out: &mut [u8],
        produced: &mut usize,
    ) -> Result<Step, InflateError> {
        let mut r = Reader {
            input,
            pos: 0,
            bitbuf: self.bitbuf,
            bitsleft: self.bitsleft,
        };
        let result = loop {
            if self.block == Block::Huffman {
                (r.pos, r.bitbuf, r.bitsleft) =
                    match self.decode_fast(input, r.pos, r.bitbuf, r.bitsleft, out, produced) {
                        Ok(next) => next,
                        Err(e) => break Err(e),
                    };
            }
            let mark = (r.pos, r.bitbuf, r.bitsleft);
            match self.careful_step(&mut r, out, produced) {
                Ok(()) if self.block == Block::Done => break Ok(Progress::Done),
                Ok(()) => {}
                Err(stop) => {
                    (r.pos, r.bitbuf, r.bitsleft) = mark;
                    break match stop {
                        Stop::Input if complete => Err(InflateError::Truncated),
                        Stop::Input => Ok(Progress::NeedInput),
                        Stop::Output => Ok(Progress::NeedOutput),
                        Stop::Error(e) => Err(e),
                    };
                }
            }
        };
        let progress = result?;
        // Whole bytes still in the bit buffer are given back, so that what a call keeps is
        // always less than a byte (and `used` never counts a byte a later call might return).
        let used = r.pos - (r.bitsleft / 8) as usize;
        r.bitsleft %= 8;
        if progress == Progress::Done {
            // The member's trailer follows the last block, byte-aligned.
            r.bitsleft = 0;
        }
        self.bitbuf = r.bitbuf & low_mask(r.bitsleft);
        self.bitsleft = r.bitsleft;
        Ok(Step { progress, used })
    }

    /// One whole step, checking every bound: a block header, part of a stored block, or one
    /// symbol of a Huffman block. On `Err` the caller rewinds the reader to where it was.
    fn careful_step(
        &mut self,
        r: &mut Reader,
        out: &mut [u8],
        produced: &mut usize,
    ) -> Result<(), Stop> {
        match self.block {
            Block::Done => Ok(()),
            Block::Header => self.block_header(r),
            Block::Stored(left) => {
                if left == 0 {
                    self.end_block();
                    return Ok(());
                }
                // Whole bytes still buffered come first, then the input itself.
                let mut n = 0;
                while r.bitsleft >= 8 && n < left {
                    let Some(slot) = out.get_mut(*produced) else {
                        return Err(Stop::Output);
                    };
                    *slot = r.peek(8) as u8;
                    r.consume(8);
                    *produced += 1;
                    n += 1;
                }
                if n == 0 {
                    // The bit buffer is empty: drop any look-ahead bits of bytes this copy skips.
                    r.bitbuf = 0;
                    let take = (left).min(r.input.len() - r.pos).min(out.len() - *produced);
                    if take == 0 {
                        return Err(if r.pos == r.input.len() {
                            Stop::Input
                        } else {
                            Stop::Output
                        });
                    }
                    out[*produced..*produced + take].copy_from_slice(&r.input[r.pos..r.pos + take]);
                    r.pos += take;
                    *produced += take;
                    n = take;
                }
                self.block = Block::Stored(left - n);
                Ok(())
            }
            Block::Huffman => {
                let e = r.symbol(&self.litlen[..], LITLEN_BITS).ok_or(Stop::Input)?;
                match e & KIND_MASK {
                    LITERAL => {
                        let Some(slot) = out.get_mut(*produced) else {
                            return Err(Stop::Output);
                        };
                        *slot = value(e) as u8;
                        *produced += 1;
                        Ok(())
                    }
                    END_OF_BLOCK => {
                        self.end_block();
                        Ok(())
                    }
                    LENGTH => {
                        let len = value(e) + r.bits(extra_bits(e)).ok_or(Stop::Input)? as usize;
                        let d = r.symbol(&self.dist[..], DIST_BITS).ok_or(Stop::Input)?;
                        if d & KIND_MASK != LENGTH {
                            return Err(InflateError::Invalid("invalid distance code").into());
                        }
                        let dist = value(d) + r.bits(extra_bits(d)).ok_or(Stop::Input)? as usize;
                        if dist > *produced {
                            return Err(InflateError::Invalid("distance too far back").into());
                        }
                        if out.len() - *produced < len {
                            return Err(Stop::Output);
                        }
                        for i in *produced..*produced + len {
                            out[i] = out[i - dist];
                        }
                        *produced += len;
                        Ok(())
                    }
                    _ => Err(InflateError::Invalid("invalid literal/length code").into()),
                }
            }
        }
    }

    fn end_block(&mut self) {
        self.block = if self.last_block {
            Block::Done
        } else {
            Block::Header
        };
    }

    /// Reads a whole block header (for a dynamic block, its code tables too). Not inlined: it
    /// runs once per block, hundreds of times per file, and as a function of its own a wasm
    /// engine optimises it early instead of running it inside one long baseline-code call.
    #[inline(never)]
    fn block_header(&mut self, r: &mut Reader) -> Result<(), Stop> {
        let head = r.bits(3).ok_or(Stop::Input)?;
        let last = head & 1 == 1;
        match head >> 1 {
            0 => {
                r.consume(r.bitsleft & 7);
                let len = r.bits(16).ok_or(Stop::Input)?;
                let nlen = r.bits(16).ok_or(Stop::Input)?;
                if len != !nlen & 0xffff {
                    return Err(InflateError::Invalid("stored block length is damaged").into());
                }
                self.block = Block::Stored(len as usize);
            }
            1 => {
                let mut lengths = [0u8; 320];
                lengths[..144].fill(8);
                lengths[144..256].fill(9);
                lengths[256..280].fill(7);
                lengths[280..288].fill(8);
                lengths[288..320].fill(5);
                self.set_codes(&lengths[..288], &lengths[288..])?;
                self.block = Block::Huffman;
            }
            2 => {
                let (lengths, nlit, ndist) = dynamic_lengths(r)?;
                self.set_codes(&lengths[..nlit], &lengths[nlit..nlit + ndist])?;
                self.block = Block::Huffman;
            }
            _ => return Err(InflateError::Invalid("invalid block type").into()),
        }
        self.last_block = last;
        Ok(())
    }

    fn set_codes(&mut self, litlen: &[u8], dist: &[u8]) -> Result<(), InflateError> {
        if litlen[256] == 0 {
            return Err(InflateError::Invalid("no end-of-block code"));
        }
        build_table(&mut self.litlen[..], LITLEN_BITS, litlen, &LITLEN_MEANING)
            .ok_or(InflateError::Invalid("invalid literal/length code lengths"))?;
        build_table(&mut self.dist[..], DIST_BITS, dist, &DIST_MEANING)
            .ok_or(InflateError::Invalid("invalid distance code lengths"))?;
        Ok(())
    }

    /// The hot loop of a Huffman block, for as long as there is room for a whole step in both
    /// the input and the output, so nothing inside needs to check for running out. Returns the
    /// reading position and bit buffer where it stopped (at the end of a block or near the end
    /// of the input or output), which the careful path takes from there.
    #[inline(never)]
    fn decode_fast(
        &mut self,
        input: &[u8],
        mut pos: usize,
        mut bitbuf: u64,
        mut bitsleft: u32,
        out: &mut [u8],
        produced: &mut usize,
    ) -> Result<(usize, u64, u32), InflateError> {
        let litlen: &[u32; LITLEN_ENOUGH] = &self.litlen;
        let dists: &[u32; DIST_ENOUGH] = &self.dist;
        let mut at = *produced;
        let out_stop = out.len().min(at + FAST_CALL_OUTPUT);
        let result = loop {
            if pos + FAST_IN_MARGIN > input.len() || at + FAST_OUT_MARGIN > out_stop {
                break Ok(());
            }
            // Refill to 56..=63 bits: eight bytes are read, the whole ones that fit are used.
            let word = u64::from_le_bytes(input[pos..pos + 8].try_into().unwrap());
            bitbuf |= word << bitsleft;
            pos += ((63 - bitsleft) >> 3) as usize;
            bitsleft |= 56;

            let mut e = litlen[(bitbuf & low_mask(LITLEN_BITS)) as usize];
            if e & KIND_MASK == LINK {
                bitbuf >>= LITLEN_BITS;
                bitsleft -= LITLEN_BITS;
                e = litlen[value(e) + (bitbuf & low_mask(extra_bits(e))) as usize];
            }
            let n = code_bits(e);
            bitbuf >>= n;
            bitsleft -= n;
            let kind = e & KIND_MASK;
            if kind == LITERAL {
                out[at] = value(e) as u8;
                at += 1;
                continue;
            }
            if kind != LENGTH {
                if kind == END_OF_BLOCK {
                    self.end_block();
                    break Ok(());
                }
                break Err(InflateError::Invalid("invalid literal/length code"));
            }
            // ≤ 15 + 5 bits used so far: at least 36 remain, enough for the distance (≤ 28).
            let extra = extra_bits(e);
            let len = value(e) + (bitbuf & low_mask(extra)) as usize;
            bitbuf >>= extra;
            bitsleft -= extra;

            let mut d = dists[(bitbuf & low_mask(DIST_BITS)) as usize];
            if d & KIND_MASK == LINK {
                bitbuf >>= DIST_BITS;
                bitsleft -= DIST_BITS;
                d = dists[value(d) + (bitbuf & low_mask(extra_bits(d))) as usize];
            }
            if d & KIND_MASK != LENGTH {
                break Err(InflateError::Invalid("invalid distance code"));
            }
            let n = code_bits(d);
            bitbuf >>= n;
            bitsleft -= n;
            let extra = extra_bits(d);
            let dist = value(d) + (bitbuf & low_mask(extra)) as usize;
            bitbuf >>= extra;
            bitsleft -= extra;
            if dist > at {
                break Err(InflateError::Invalid("distance too far back"));
            }
            copy_match(out, at, dist, len);
            at += len;
        };
        *produced = at;
        result.map(|()| (pos, bitbuf, bitsleft))
    }
}

fn low_mask(n: u32) -> u64 {
    (1u64 << n) - 1
}

/// Copies `len` bytes from `dist` back to `at` (overlapping forward, as deflate means).
/// Needs `len + 7` bytes of room at `at` when `dist ≥ 8`: it copies whole 8-byte words.
#[inline(always)]
fn copy_match(out: &mut [u8], at: usize, dist: usize, len: usize) {
    if dist >= 8 {
        let mut src = at - dist;
        let mut dst = at;
        let end = at + len;
        while dst < end {
            let w: [u8; 8] = out[src..src + 8].try_into().unwrap();
            out[dst..dst + 8].copy_from_slice(&w);
            src += 8;
            dst += 8;
        }
    } else if dist == 1 {
        let b = out[at - 1];
        out[at..at + len].fill(b);
    } else {
        for i in at..at + len {
            out[i] = out[i - dist];
        }
    }
}

/// Reads a dynamic block's code lengths: returns the literal/length and distance code lengths
/// one after the other, and how many there are of each.
fn dynamic_lengths(r: &mut Reader) -> Result<([u8; 320], usize, usize), Stop> {
    let nlit = r.bits(5).ok_or(Stop::Input)? as usize + 257;
    let ndist = r.bits(5).ok_or(Stop::Input)? as usize + 1;
    let ncode = r.bits(4).ok_or(Stop::Input)? as usize + 4;
    if nlit > 286 || ndist > 30 {
        return Err(InflateError::Invalid("too many length or distance codes").into());
    }
    let mut codelen_lengths = [0u8; 19];
    for &sym in &CODELEN_ORDER[..ncode] {
        codelen_lengths[sym] = r.bits(3).ok_or(Stop::Input)? as u8;
    }
    let mut table = [0u32; 1 << CODELEN_BITS];
    let complete = build_table(&mut table, CODELEN_BITS, &codelen_lengths, &CODELEN_MEANING);
    // The code-length code must be complete (a lone code is not enough here).
    if complete != Some(true) {
        return Err(InflateError::Invalid("invalid code length code").into());
    }
    let mut lengths = [0u8; 320];
    let total = nlit + ndist;
    let mut i = 0;
    while i < total {
        let e = r.symbol(&table, CODELEN_BITS).ok_or(Stop::Input)?;
        let sym = value(e);
        let (fill, times) = match sym {
            0..=15 => (sym as u8, 1),
            16 => {
                if i == 0 {
                    return Err(InflateError::Invalid("repeat with no previous length").into());
                }
                (lengths[i - 1], 3 + r.bits(2).ok_or(Stop::Input)? as usize)
            }
            17 => (0, 3 + r.bits(3).ok_or(Stop::Input)? as usize),
            _ => (0, 11 + r.bits(7).ok_or(Stop::Input)? as usize),
        };
        if i + times > total {
            return Err(InflateError::Invalid("too many code lengths").into());
        }
        lengths[i..i + times].fill(fill);
        i += times;
    }
    Ok((lengths, nlit, ndist))
}

/// Fills `table` (first level `bits` wide, then second-level tables) for the canonical Huffman
/// code with these code `lengths` (0 = unused symbol); `meaning[sym]` is a symbol's entry
/// without its code length (kind, extra bits and value). Returns None for an over-subscribed code, or an incomplete one other
/// than a single one-bit code (or no code at all); else whether the code is complete.
///
/// It runs once per block (hundreds of times per MNIST file), so it writes each entry about
/// once: codes of length `len` ≤ `bits` are written into the first 2^len entries, and before
/// the next length those are doubled with one block copy, which repeats every entry at all the
/// slots whose low bits are its (bit-reversed) code.
fn build_table(table: &mut [u32], bits: u32, lengths: &[u8], meaning: &[u32]) -> Option<bool> {
    const MAX: usize = MAX_CODE_LEN as usize;
    let mut count = [0u16; MAX + 1];
    for &l in lengths {
        count[l as usize] += 1;
    }
    count[0] = 0;
    // Kraft sum, in units of 2^-15.
    let mut left: i32 = 1;
    for &n in &count[1..] {
        left = (left << 1) - n as i32;
        if left < 0 {
            return None;
        }
    }
    let used: u16 = count.iter().sum();
    let complete = left == 0;
    let lone_short_code = used == 1 && count[1] == 1;
    if !(complete || used == 0 || lone_short_code) {
        return None;
    }
    // The symbols in canonical order: by code length, then by symbol.
    let mut start = [0u16; MAX + 2];
    for len in 1..=MAX {
        start[len + 1] = start[len] + count[len];
    }
    let mut sorted = [0u16; 320];
    for (sym, &l) in lengths.iter().enumerate() {
        if l != 0 {
            sorted[start[l as usize] as usize] = sym as u16;
            start[l as usize] += 1;
        }
    }
    let size = 1usize << bits;
    if !complete {
        table[..size].fill(entry(bits, 0, INVALID, 0));
    }
    let mut code = 0u32; // the next canonical code, most significant bit first
    let mut k = 0; // the next symbol in `sorted`
    for len in 1..=bits {
        if len > 1 {
            let half = 1usize << (len - 1);
            table.copy_within(0..half, half);
        }
        for _ in 0..count[len as usize] {
            let sym = sorted[k] as usize;
            table[reverse(code, len) as usize] = meaning[sym] | len;
            code += 1;
            k += 1;
        }
        code <<= 1;
    }
    // Longer codes: each group sharing its first `bits` bits gets a second-level table, as deep
    // as the longest code of the group (the group is contiguous in canonical order).
    let mut remaining = count;
    let mut free = size;
    let (mut slot_now, mut sub_bits, mut base) = (usize::MAX, 0u32, 0usize);
    for len in bits + 1..=MAX_CODE_LEN {
        for _ in 0..count[len as usize] {
            let sym = sorted[k] as usize;
            let rev = reverse(code, len);
            let slot = (rev as usize) & (size - 1);
            if slot != slot_now {
                // Depth of this group's subtree: grow until the remaining codes fill it.
                let mut depth = len - bits;
                let mut room: i32 = 1 << depth;
                while depth + bits < MAX_CODE_LEN {
                    room -= remaining[(depth + bits) as usize] as i32;
                    if room <= 0 {
                        break;
                    }
                    depth += 1;
                    room <<= 1;
                }
                if free + (1 << depth) > table.len() || free >= 1 << 16 {
                    return None;
                }
                table[slot] = entry(bits, depth, LINK, free as u32);
                (slot_now, sub_bits, base) = (slot, depth, free);
                free += 1 << depth;
            }
            let e = meaning[sym] | (len - bits);
            let mut i = (rev >> bits) as usize;
            while i < 1 << sub_bits {
                table[base + i] = e;
                i += 1 << (len - bits);
            }
            remaining[len as usize] -= 1;
            code += 1;
            k += 1;
        }
        code <<= 1;
    }
    Some(complete)
}

/// The low `len` bits of `code` (`len` ≤ 16), reversed: deflate sends codes most significant
/// bit first. Two lookups (wasm has no bit-reverse instruction).
fn reverse(code: u32, len: u32) -> u32 {
    let r16 = ((REVERSED_BYTE[(code & 0xff) as usize] as u32) << 8)
        | REVERSED_BYTE[((code >> 8) & 0xff) as usize] as u32;
    r16 >> (16 - len)
}

/// Each byte with its bits in reverse order.
static REVERSED_BYTE: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = (b as u8).reverse_bits();
        b += 1;
    }
    t
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::noise;
    use std::io::{Read, Write};

    /// Raw deflate of `data` by flate2 (miniz_oxide) at `level` (0 = stored blocks only).
    fn deflate(data: &[u8], level: u32) -> Vec<u8> {
        let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::new(level));
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    /// flate2's reading of a raw deflate stream, if it accepts it.
    fn flate2_inflate(deflated: &[u8]) -> Option<Vec<u8>> {
        let mut out = Vec::new();
        flate2::read::DeflateDecoder::new(deflated)
            .read_to_end(&mut out)
            .ok()?;
        Some(out)
    }

    /// Inflates `deflated` given in pieces of `piece` bytes, as a streaming caller does: the
    /// bytes a call leaves unused are passed again in front of the next piece, and the output
    /// buffer starts at `first_out` bytes and doubles whenever the decoder asks for room.
    /// Returns the output and the input bytes after the end of the stream.
    fn inflate_in_pieces(
        deflated: &[u8],
        piece: usize,
        first_out: usize,
    ) -> Result<(Vec<u8>, usize), InflateError> {
        let mut inflater = Inflater::new();
        let mut out = vec![0u8; first_out];
        let mut produced = 0;
        let mut tail: Vec<u8> = Vec::new();
        let mut pieces = deflated.chunks(piece.max(1)).peekable();
        loop {
            let complete = pieces.peek().is_none();
            if let Some(p) = pieces.next() {
                tail.extend_from_slice(p);
            }
            loop {
                let step = inflater.inflate(&tail, complete, &mut out, &mut produced)?;
                tail.drain(..step.used);
                match step.progress {
                    Progress::NeedOutput => {
                        let n = (out.len() * 2).max(1);
                        out.resize(n, 0);
                    }
                    Progress::NeedInput if complete => unreachable!("complete input never waits"),
                    Progress::NeedInput => break,
                    Progress::Done => {
                        assert!(inflater.is_done());
                        out.truncate(produced);
                        let after: usize = pieces.map(|p| p.len()).sum();
                        return Ok((out, tail.len() + after));
                    }
                }
            }
        }
    }

    fn inflate_whole(deflated: &[u8]) -> Result<Vec<u8>, InflateError> {
        inflate_in_pieces(deflated, deflated.len(), 0).map(|(out, _)| out)
    }

    /// Digit-like images: mostly zeros with runs of ink, rows repeating with small changes.
    fn images(n: usize, seed: u32) -> Vec<u8> {
        let r = noise(n * 28, seed);
        let mut out = vec![0u8; n * 784];
        for (i, img) in out.chunks_mut(784).enumerate() {
            for row in 6..22 {
                let start = 6 + (r[i * 28 + row] % 8) as usize;
                for c in start..start + 4 + (r[i * 28 + row] % 5) as usize {
                    img[row * 28 + c] = 255 - (c as u8 * 7);
                }
            }
        }
        out
    }

    /// Bytes drawn from a steep distribution (small values very common, large ones very rare):
    /// its Huffman code is as deep as deflate allows, so second-level tables are needed.
    fn skewed() -> Vec<u8> {
        noise(60_000, 5)
            .chunks(2)
            .map(|w| {
                let u = (w[0] as f64 * 256.0 + w[1] as f64 + 0.5) / 65_536.0;
                (256.0 * u.powi(6)) as u8
            })
            .collect()
    }

    fn samples() -> Vec<(&'static str, Vec<u8>)> {
        vec![
            ("empty", vec![]),
            ("one byte", vec![42]),
            ("zeros", vec![0; 100_000]),
            ("noise", noise(70_000, 7)),
            (
                "text",
                b"the quick brown fox jumps over the lazy dog. ".repeat(500),
            ),
            ("images", images(120, 3)),
            ("skewed", skewed()),
            ("period 3", [1u8, 2, 3].repeat(10_000)),
        ]
    }

    #[test]
    fn round_trips_every_level_in_any_pieces() {
        for (name, data) in samples() {
            for level in [0, 1, 6, 9] {
                let deflated = deflate(&data, level);
                for piece in [1, 2, 7, 64, 4096, deflated.len().max(1)] {
                    for first_out in [0, 300, data.len() + 1, data.len() + 300] {
                        let (out, after) = inflate_in_pieces(&deflated, piece, first_out)
                            .unwrap_or_else(|e| panic!("{name} level {level}: {e:?}"));
                        assert!(out == data, "{name}, level {level}, pieces of {piece}");
                        assert_eq!(after, 0, "{name}: every byte is used");
                    }
                }
            }
        }
    }

    #[test]
    fn deep_codes_go_through_second_level_tables() {
        let deflated = deflate(&skewed(), 9);
        let mut inflater = Inflater::new();
        let mut out = vec![0u8; skewed().len() + 1];
        let mut produced = 0;
        let step = inflater
            .inflate(&deflated, true, &mut out, &mut produced)
            .unwrap();
        assert_eq!(step.progress, Progress::Done);
        assert_eq!(&out[..produced], &skewed()[..]);
        let links = inflater.litlen[..1 << LITLEN_BITS]
            .iter()
            .filter(|&&e| e & KIND_MASK == LINK)
            .count();
        assert!(
            links > 0,
            "the skewed sample has codes longer than {LITLEN_BITS} bits"
        );
    }

    #[test]
    fn bytes_after_the_stream_are_given_back() {
        let data = images(3, 1);
        for level in [0, 1, 9] {
            let mut input = deflate(&data, level);
            input.extend_from_slice(b"TRAILER!");
            for piece in [1, 5, 1000] {
                let (out, after) = inflate_in_pieces(&input, piece, 0).unwrap();
                assert_eq!(out, data);
                assert_eq!(after, 8, "level {level}, pieces of {piece}");
            }
        }
    }

    /// Writes bits least significant first, as deflate packs them.
    #[derive(Default)]
    struct Bits {
        bytes: Vec<u8>,
        n: usize,
    }

    impl Bits {
        fn put(&mut self, value: u32, count: u32) -> &mut Self {
            for i in 0..count {
                if self.n.is_multiple_of(8) {
                    self.bytes.push(0);
                }
                let last = self.bytes.len() - 1;
                self.bytes[last] |= (((value >> i) & 1) as u8) << (self.n % 8);
                self.n += 1;
            }
            self
        }

        /// A Huffman code, sent most significant bit first.
        fn code(&mut self, code: u32, len: u32) -> &mut Self {
            self.put(reverse(code, len), len)
        }
    }

    /// Fixed-code literal/length symbol `sym` (RFC 1951, 3.2.6).
    fn fixed(bits: &mut Bits, sym: u32) {
        match sym {
            0..=143 => bits.code(0x30 + sym, 8),
            144..=255 => bits.code(0x190 + sym - 144, 9),
            256..=279 => bits.code(sym - 256, 7),
            _ => bits.code(0xc0 + sym - 280, 8),
        };
    }

    #[test]
    fn a_hand_written_fixed_block_decodes() {
        // "ab", then a match of length 4 at distance 2 → "ababab", then end of block.
        let mut b = Bits::default();
        b.put(1, 1).put(1, 2);
        fixed(&mut b, b'a' as u32);
        fixed(&mut b, b'b' as u32);
        fixed(&mut b, 258); // length 4
        b.code(1, 5); // distance 2
        fixed(&mut b, 256);
        assert_eq!(inflate_whole(&b.bytes).unwrap(), b"ababab");
        assert_eq!(flate2_inflate(&b.bytes).unwrap(), b"ababab");
    }

    fn invalid(why: &'static str) -> Result<Vec<u8>, InflateError> {
        Err(InflateError::Invalid(why))
    }

    #[test]
    fn damaged_streams_say_what_is_wrong() {
        // Block type 3 does not exist.
        let mut b = Bits::default();
        b.put(1, 1).put(3, 2);
        assert_eq!(inflate_whole(&b.bytes), invalid("invalid block type"));

        // A stored block whose length and its complement disagree.
        let mut b = Bits::default();
        b.put(1, 1).put(0, 2).put(0, 5).put(5, 16).put(5, 16);
        assert_eq!(
            inflate_whole(&b.bytes),
            invalid("stored block length is damaged")
        );

        // A match before any output.
        let mut b = Bits::default();
        b.put(1, 1).put(1, 2);
        fixed(&mut b, 257);
        b.code(0, 5);
        fixed(&mut b, 256);
        assert_eq!(inflate_whole(&b.bytes), invalid("distance too far back"));

        // Length symbol 286 and distance symbol 30 exist in the fixed code but mean nothing.
        let mut b = Bits::default();
        b.put(1, 1).put(1, 2);
        fixed(&mut b, 286);
        b.put(0, 16);
        assert_eq!(
            inflate_whole(&b.bytes),
            invalid("invalid literal/length code")
        );
        let mut b = Bits::default();
        b.put(1, 1).put(1, 2);
        fixed(&mut b, b'x' as u32);
        fixed(&mut b, 257);
        b.code(30, 5);
        b.put(0, 16);
        assert_eq!(inflate_whole(&b.bytes), invalid("invalid distance code"));

        // A dynamic block whose code-length code gives three symbols one bit each.
        let mut b = Bits::default();
        b.put(1, 1).put(2, 2).put(0, 5).put(0, 5).put(0, 4);
        b.put(1, 3).put(1, 3).put(1, 3).put(0, 3);
        b.put(0, 32);
        assert_eq!(inflate_whole(&b.bytes), invalid("invalid code length code"));

        // A dynamic block that starts by repeating a length it has not given.
        let mut b = Bits::default();
        b.put(1, 1).put(2, 2).put(0, 5).put(0, 5).put(0, 4);
        // Code lengths for 16, 17, 18, 0: all two bits → canonical codes 0: 00, 16: 01,
        // 17: 10, 18: 11.
        b.put(2, 3).put(2, 3).put(2, 3).put(2, 3);
        b.code(0b01, 2).put(0, 2);
        b.put(0, 32);
        assert_eq!(
            inflate_whole(&b.bytes),
            invalid("repeat with no previous length")
        );
    }

    #[test]
    fn a_stream_cut_short_waits_for_more_or_is_truncated() {
        let data = images(20, 5);
        for level in [0, 6] {
            let deflated = deflate(&data, level);
            for cut in [0, 1, 2, deflated.len() / 2, deflated.len() - 1] {
                let part = &deflated[..cut];
                let mut inflater = Inflater::new();
                let mut out = vec![0u8; data.len() + 1];
                let mut produced = 0;
                let step = inflater
                    .inflate(part, false, &mut out, &mut produced)
                    .unwrap();
                assert_eq!(step.progress, Progress::NeedInput);
                assert!(step.used <= cut);
                assert_eq!(
                    &out[..produced],
                    &data[..produced],
                    "what came out is right"
                );
                let rest = &part[step.used..];
                assert_eq!(
                    inflater.inflate(rest, true, &mut out, &mut produced),
                    Err(InflateError::Truncated),
                    "level {level}, cut at {cut}"
                );
            }
        }
    }

    #[test]
    fn every_symbol_of_a_deep_code_decodes_to_itself() {
        // Lengths 1, 2, …, 14, 15, 15: a complete code with codes of every length.
        let mut lengths: Vec<u8> = (1..=15).collect();
        lengths.push(15);
        let mut table = vec![0u32; LITLEN_ENOUGH];
        let complete = build_table(&mut table, LITLEN_BITS, &lengths, &LITLEN_MEANING);
        assert_eq!(complete, Some(true));
        for (sym, &len) in lengths.iter().enumerate() {
            let len = len as u32;
            // The canonical codes of this shape: len-1 ones then a zero, and the last all ones.
            let code = if sym == lengths.len() - 1 {
                (1 << len) - 1
            } else {
                (1 << len) - 2
            };
            let mut b = Bits::default();
            b.code(code, len).put(0b1011, 4);
            let mut r = Reader {
                input: &b.bytes,
                pos: 0,
                bitbuf: 0,
                bitsleft: 0,
            };
            let e = r.symbol(&table, LITLEN_BITS).expect("a whole code");
            assert_eq!(value(e), sym, "symbol {sym}, code {code:b}");
            assert_eq!(r.bits(4), Some(0b1011), "exactly {len} bits consumed");
        }
    }

    #[test]
    fn bad_code_lengths_are_refused() {
        let mut table = vec![0u32; LITLEN_ENOUGH];
        let any = &LITLEN_MEANING;
        // Three one-bit codes: over-subscribed.
        assert_eq!(build_table(&mut table, LITLEN_BITS, &[1, 1, 1], any), None);
        // Two codes of two bits: incomplete.
        assert_eq!(build_table(&mut table, LITLEN_BITS, &[2, 2, 0], any), None);
        // A lone one-bit code, or none at all: allowed, incomplete.
        assert_eq!(
            build_table(&mut table, LITLEN_BITS, &[0, 1], any),
            Some(false)
        );
        assert_eq!(
            build_table(&mut table, LITLEN_BITS, &[0, 0], any),
            Some(false)
        );
    }

    proptest::proptest! {
        #[test]
        fn any_data_round_trips_in_any_pieces(
            data in proptest::collection::vec(0u8..4, 0..3000),
            level in 0u32..=9,
            piece in 1usize..300,
        ) {
            let deflated = deflate(&data, level);
            let (out, after) = inflate_in_pieces(&deflated, piece, 0).unwrap();
            proptest::prop_assert_eq!(out, data);
            proptest::prop_assert_eq!(after, 0);
        }

        #[test]
        fn damaged_streams_never_panic_and_are_judged_alike_in_any_pieces(
            flips in proptest::collection::vec((proptest::num::usize::ANY, 1u8..=255), 1..4),
            cut in proptest::option::of(proptest::num::usize::ANY),
            piece in 1usize..100,
            level in proptest::sample::select(vec![1u32, 6, 9]),
        ) {
            let mut deflated = deflate(&images(3, 11), level);
            for (at, mask) in flips {
                let at = at % deflated.len();
                deflated[at] ^= mask;
            }
            if let Some(cut) = cut {
                deflated.truncate(cut % (deflated.len() + 1));
            }
            let whole = inflate_in_pieces(&deflated, deflated.len(), 0);
            proptest::prop_assert_eq!(&inflate_in_pieces(&deflated, piece, 0), &whole);
            if let Ok((out, _)) = whole {
                proptest::prop_assert!(flate2_inflate(&deflated).is_some_and(|f| f.starts_with(&out)));
            }
        }
    }
}
