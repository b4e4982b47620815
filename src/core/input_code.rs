//! A drawn input in the URL: `/network?input=…` carries the 784 grey levels of a 28×28 image, so
//! a link to a drawing can be shared and reloaded.
//!
//! The code: the grey levels row by row, each byte as it is except runs of blank pixels, which
//! are written `0, n` (n = 1..=255 blanks in a row), then URL-safe base64 without padding. A
//! drawing is mostly blank, so a typical digit needs 300–500 characters instead of 1,046.
//! Nothing is lost: decoding gives back every grey level exactly.

use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

/// Grey levels in one input: 28 × 28.
pub const INPUT_LEN: usize = 28 * 28;

/// Why an `?input=` value is not a drawing. Display is the sentence to show the user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InputError {
    /// Characters that URL-safe base64 does not use.
    NotDecodable,
    /// Ends in the middle of a byte or of a run: the link was cut.
    Cut { levels: usize },
    /// Decodes to the wrong number of grey levels.
    WrongLength { levels: usize },
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InputError::NotDecodable => write!(
                f,
                "The drawing in this link cannot be read: it has characters a drawing code never \
                 contains. Draw it again on the drawing pad."
            ),
            InputError::Cut { levels } => write!(
                f,
                "The drawing in this link is cut off: it ends after {levels} of its {INPUT_LEN} \
                 grey levels. Copy the whole link, or draw it again on the drawing pad."
            ),
            InputError::WrongLength { levels } if *levels < INPUT_LEN => write!(
                f,
                "The drawing in this link is cut off: it has {levels} of the {INPUT_LEN} grey \
                 levels of a 28×28 image. Copy the whole link, or draw it again on the drawing pad."
            ),
            InputError::WrongLength { levels } => write!(
                f,
                "The drawing in this link has {levels} grey levels, but a 28×28 input has \
                 {INPUT_LEN}. Draw it again on the drawing pad."
            ),
        }
    }
}

impl std::error::Error for InputError {}

/// The `?input=` code of 28×28 grey levels (`pixels.len()` must be [`INPUT_LEN`]; other lengths
/// are encoded too, and [`decode`] then refuses them).
pub fn encode(pixels: &[u8]) -> String {
    let mut packed = Vec::with_capacity(pixels.len());
    let mut blanks = 0u8;
    for &p in pixels {
        if p == 0 {
            blanks += 1;
            if blanks == u8::MAX {
                packed.extend([0, blanks]);
                blanks = 0;
            }
        } else {
            if blanks > 0 {
                packed.extend([0, blanks]);
                blanks = 0;
            }
            packed.push(p);
        }
    }
    if blanks > 0 {
        packed.extend([0, blanks]);
    }
    URL_SAFE_NO_PAD.encode(packed)
}

/// The 784 grey levels of an `?input=` code.
pub fn decode(code: &str) -> Result<Vec<u8>, InputError> {
    let code = code.trim();
    // Only the alphabet decides "not decodable"; a length base64 cannot have means a cut link.
    if !code
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(InputError::NotDecodable);
    }
    // A code cut at any character: its last group of 4 may not decode (wrong length, or stray
    // bits in its last character); the whole groups before it still do.
    let (packed, cut_group) = match URL_SAFE_NO_PAD.decode(code) {
        Ok(packed) => (packed, false),
        Err(_) => {
            let whole = &code[..code.len() - code.len() % 4];
            if whole.len() == code.len() {
                return Err(InputError::NotDecodable);
            }
            let packed = URL_SAFE_NO_PAD
                .decode(whole)
                .map_err(|_| InputError::NotDecodable)?;
            (packed, true)
        }
    };
    let mut pixels = Vec::with_capacity(INPUT_LEN);
    let mut bytes = packed.iter();
    while let Some(&b) = bytes.next() {
        if b == 0 {
            let Some(&run) = bytes.next() else {
                return Err(InputError::Cut {
                    levels: pixels.len(),
                });
            };
            if run == 0 {
                return Err(InputError::NotDecodable);
            }
            pixels.extend(std::iter::repeat_n(0, run as usize));
        } else {
            pixels.push(b);
        }
        if pixels.len() > INPUT_LEN {
            return Err(InputError::WrongLength {
                levels: count_all(bytes.as_slice(), pixels.len()),
            });
        }
    }
    if cut_group {
        return Err(InputError::Cut {
            levels: pixels.len(),
        });
    }
    if pixels.len() != INPUT_LEN {
        return Err(InputError::WrongLength {
            levels: pixels.len(),
        });
    }
    Ok(pixels)
}

/// Grey levels so far plus those the rest of the packed bytes hold (for the message only).
fn count_all(rest: &[u8], so_far: usize) -> usize {
    let mut n = so_far;
    let mut bytes = rest.iter();
    while let Some(&b) = bytes.next() {
        n += if b == 0 {
            bytes.next().map_or(0, |&r| r as usize)
        } else {
            1
        };
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A "1": a vertical bar of varying grey in columns 13–15 of rows 4–23.
    fn bar() -> Vec<u8> {
        let mut p = vec![0u8; INPUT_LEN];
        for y in 4..24 {
            for x in 13..16 {
                p[y * 28 + x] = (40 + y * 9 + x) as u8;
            }
        }
        p
    }

    #[test]
    fn round_trip_keeps_every_grey_level() {
        for pixels in [
            bar(),
            vec![0; INPUT_LEN],
            vec![255; INPUT_LEN],
            (0..INPUT_LEN).map(|i| (i * 7 % 256) as u8).collect(),
        ] {
            assert_eq!(decode(&encode(&pixels)), Ok(pixels));
        }
    }

    #[test]
    fn code_is_url_safe_and_short_for_a_drawing() {
        let code = encode(&bar());
        assert!(code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        // 60 inked pixels and 21 blank runs: far below the 1,046 characters of raw base64.
        assert!(code.len() < 200, "{} characters", code.len());
        // A blank image is 4 runs of 255, 255, 255, 19.
        assert_eq!(decode(&encode(&[0; INPUT_LEN])).unwrap().len(), INPUT_LEN);
        assert!(encode(&[0; INPUT_LEN]).len() <= 11);
    }

    #[test]
    fn proptest_round_trip() {
        use proptest::prelude::*;
        proptest!(|(pixels in proptest::collection::vec(
            prop_oneof![Just(0u8), any::<u8>()], INPUT_LEN))| {
            prop_assert_eq!(decode(&encode(&pixels)), Ok(pixels));
        });
    }

    #[test]
    fn a_cut_link_says_so() {
        let code = encode(&bar());
        for keep in [1, 5, code.len() / 2, code.len() - 1] {
            let err = decode(&code[..keep]).unwrap_err();
            assert!(
                matches!(
                    err,
                    InputError::Cut { .. } | InputError::WrongLength { levels: 0..784 }
                ),
                "{keep}: {err:?}"
            );
            assert!(err.to_string().contains("cut off"), "{err}");
        }
    }

    #[test]
    fn foreign_characters_are_not_decodable() {
        for code in ["abc$def", "ab cd", "äöü", "AA==", "a+b/"] {
            assert_eq!(decode(code), Err(InputError::NotDecodable), "{code}");
        }
        assert!(InputError::NotDecodable
            .to_string()
            .contains("cannot be read"));
    }

    #[test]
    fn a_zero_length_run_is_not_decodable() {
        let code = URL_SAFE_NO_PAD.encode([0u8, 0, 5]);
        assert_eq!(decode(&code), Err(InputError::NotDecodable));
    }

    #[test]
    fn wrong_lengths_are_named() {
        let short = encode(&[9; 100]);
        assert_eq!(decode(&short), Err(InputError::WrongLength { levels: 100 }));
        let long = encode(&[9; 900]);
        let err = decode(&long).unwrap_err();
        assert_eq!(err, InputError::WrongLength { levels: 900 });
        assert!(err.to_string().contains("900 grey levels"), "{err}");
        assert!(err.to_string().contains("784"), "{err}");
        assert_eq!(decode(""), Err(InputError::WrongLength { levels: 0 }));
    }
}
