//! The two hot loops of gunzip, kept in a crate of their own so that the web build compiles them
//! for speed while the app is compiled for size: raw deflate decoding ([`inflate`]) and the
//! CRC-32 that checks what it produced ([`crc32`]). The gzip framing, limits and error messages
//! are the app's (`mnist_viz::core::idx`). Pure Rust, no dependencies.

pub mod crc32;
pub mod inflate;

/// Test data: deterministic pseudo-random bytes (xorshift), different for each seed.
#[cfg(test)]
pub(crate) fn noise(n: usize, seed: u32) -> Vec<u8> {
    let mut x = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            (x >> 24) as u8
        })
        .collect()
}
