//! The two hot loops of gunzip, kept in a crate of their own so that the web build compiles them
//! for speed while the app is compiled for size: raw deflate decoding ([`inflate`]) and the
//! CRC-32 that checks what it produced ([`crc32`]). The gzip framing, limits and error messages
//! are the app's (`mnist_viz::core::idx`). Pure Rust, no dependencies.

pub mod crc32;
pub mod inflate;
