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
