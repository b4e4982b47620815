//! CRC-32 as gzip uses it (ISO-HDLC / IEEE 802.3: reflected polynomial 0xEDB88320, initial value
//! and final XOR 0xFFFFFFFF), computed "slice by 16": sixteen bytes per step through sixteen
//! lookup tables built at compile time (16 KiB; in wasm, where there is no carry-less multiply,
//! this is about the fastest portable way, twice the speed of one table per byte or better).
//! The app's gunzip (`mnist_viz::core::idx`) runs it over every byte the inflater produces.

/// The reflected generator polynomial.
const POLY: u32 = 0xEDB8_8320;

/// Bytes folded in per step.
const SLICE: usize = 16;

/// Bytes folded in per call of the inner loop (see [`Crc32::update`]).
const CALL_BYTES: usize = 64 * 1024;

/// `TABLES[0][b]` is the CRC of byte `b`; `TABLES[k][b]` is that of byte `b` followed by `k` zero
/// bytes, so sixteen bytes can be folded in with sixteen independent lookups.
static TABLES: [[u32; 256]; SLICE] = build_tables();

const fn build_tables() -> [[u32; 256]; SLICE] {
    let mut tables = [[0u32; 256]; SLICE];
    let mut b = 0;
    while b < 256 {
        let mut crc = b as u32;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ POLY
            } else {
                crc >> 1
            };
            bit += 1;
        }
        tables[0][b] = crc;
        b += 1;
    }
    let mut k = 1;
    while k < SLICE {
        let mut b = 0;
        while b < 256 {
            let prev = tables[k - 1][b];
            tables[k][b] = (prev >> 8) ^ tables[0][(prev & 0xff) as usize];
            b += 1;
        }
        k += 1;
    }
    tables
}

/// A running CRC-32: feed bytes with [`update`](Self::update) in any pieces, read it with
/// [`value`](Self::value).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Crc32 {
    /// The register, kept inverted (the initial and final XOR are applied on the way in and out).
    state: u32,
}

impl Default for Crc32 {
    fn default() -> Self {
        Self::new()
    }
}

impl Crc32 {
    /// The CRC of no bytes (0).
    pub const fn new() -> Crc32 {
        Crc32 { state: 0 }
    }

    /// Folds `bytes` in, in slices of [`CALL_BYTES`]: each slice is a call of its own, so a wasm
    /// engine that optimises the loop while a long input is being checked uses the optimised
    /// code from the next slice on (a call already running keeps its baseline code).
    pub fn update(&mut self, bytes: &[u8]) {
        for slice in bytes.chunks(CALL_BYTES) {
            self.update_slice(slice);
        }
    }

    #[inline(never)]
    fn update_slice(&mut self, bytes: &[u8]) {
        let t = &TABLES;
        let mut crc = !self.state;
        let mut words = bytes.chunks_exact(SLICE);
        for w in &mut words {
            let a = u32::from_le_bytes([w[0], w[1], w[2], w[3]]) ^ crc;
            let b = u32::from_le_bytes([w[4], w[5], w[6], w[7]]);
            let c = u32::from_le_bytes([w[8], w[9], w[10], w[11]]);
            let d = u32::from_le_bytes([w[12], w[13], w[14], w[15]]);
            crc = t[15][(a & 0xff) as usize]
                ^ t[14][((a >> 8) & 0xff) as usize]
                ^ t[13][((a >> 16) & 0xff) as usize]
                ^ t[12][(a >> 24) as usize]
                ^ t[11][(b & 0xff) as usize]
                ^ t[10][((b >> 8) & 0xff) as usize]
                ^ t[9][((b >> 16) & 0xff) as usize]
                ^ t[8][(b >> 24) as usize]
                ^ t[7][(c & 0xff) as usize]
                ^ t[6][((c >> 8) & 0xff) as usize]
                ^ t[5][((c >> 16) & 0xff) as usize]
                ^ t[4][(c >> 24) as usize]
                ^ t[3][(d & 0xff) as usize]
                ^ t[2][((d >> 8) & 0xff) as usize]
                ^ t[1][((d >> 16) & 0xff) as usize]
                ^ t[0][(d >> 24) as usize];
        }
        for &b in words.remainder() {
            crc = (crc >> 8) ^ t[0][((crc ^ b as u32) & 0xff) as usize];
        }
        self.state = !crc;
    }

    /// The CRC of all bytes fed so far.
    pub fn value(&self) -> u32 {
        self.state
    }
}

/// The CRC-32 of `bytes` in one go.
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut c = Crc32::new();
    c.update(bytes);
    c.value()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::noise;

    /// Bit by bit, straight from the definition: the reference the tables are checked against.
    fn crc32_bitwise(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in bytes {
            crc ^= b as u32;
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ POLY
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    #[test]
    fn known_vectors() {
        assert_eq!(crc32(b""), 0);
        // The standard check value of CRC-32/ISO-HDLC.
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b"a"), 0xE8B7_BE43);
        assert_eq!(
            crc32(b"The quick brown fox jumps over the lazy dog"),
            0x414F_A339
        );
        assert_eq!(crc32(&[0u8; 32]), 0x190A_55AD);
        assert_eq!(crc32(&[0xFFu8; 32]), 0xFF6C_AB0B);
    }

    #[test]
    fn matches_the_bitwise_definition_at_every_length_and_alignment() {
        let data = noise(300, 7);
        for start in 0..17 {
            for end in start..data.len() {
                let piece = &data[start..end];
                assert_eq!(crc32(piece), crc32_bitwise(piece), "bytes {start}..{end}");
            }
        }
    }

    #[test]
    fn pieces_give_the_same_crc_as_the_whole() {
        let data = noise(10_000, 3);
        let whole = crc32(&data);
        for piece in [1, 3, 8, 13, 64, 4096] {
            let mut c = Crc32::new();
            for p in data.chunks(piece) {
                c.update(p);
            }
            assert_eq!(c.value(), whole, "pieces of {piece}");
        }
    }

    #[test]
    fn agrees_with_the_crc_flate2_writes_into_gzip_trailers() {
        for (n, seed) in [(0, 1), (1, 2), (1000, 3), (100_003, 4)] {
            let data = noise(n, seed);
            let mut theirs = flate2::Crc::new();
            theirs.update(&data);
            assert_eq!(crc32(&data), theirs.sum(), "{n} bytes");
        }
    }

    #[test]
    fn matches_the_trailers_of_the_mnist_files() {
        // The CRC stored in each shipped file's trailer is that of its decompressed bytes.
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/mnist/");
        for file in ["t10k-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz"] {
            let gz = std::fs::read(format!("{dir}{file}")).unwrap();
            let mut raw = Vec::new();
            std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gz[..]), &mut raw)
                .unwrap();
            let n = gz.len();
            let stored = u32::from_le_bytes([gz[n - 8], gz[n - 7], gz[n - 6], gz[n - 5]]);
            assert_eq!(crc32(&raw), stored, "{file}");
        }
    }
}
