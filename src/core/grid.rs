//! Pure helpers for drawing digits: grey pixels to RGBA, pointer position to pixel,
//! neighbours of a digit. No web-sys: the app hands the results to the canvas.

/// Grey pixels (0 = background, 255 = ink) as RGBA bytes for `ImageData`:
/// ink is drawn dark on a light paper, fully opaque. Output length is `4 × grey.len()`.
pub fn grey_to_rgba(grey: &[u8]) -> Vec<u8> {
    let mut rgba = Vec::with_capacity(grey.len() * 4);
    for &g in grey {
        let shade = 255 - g;
        rgba.extend_from_slice(&[shade, shade, shade, 255]);
    }
    rgba
}

/// Grey of the frame drawn around each tile of a [`Sheet`].
pub const FRAME_GREY: u8 = 226;

/// Many digits in one RGBA image (for one `putImageData` call): tiles of
/// `(rows + 2·margin) × (cols + 2·margin)` pixels, `columns` per row, filled left to right and
/// top to bottom; each tile is a frame of `margin` pixels around its digit. The places of the
/// missing tiles of a last, partial row are transparent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sheet {
    pub width: usize,
    pub height: usize,
    /// `width × height × 4` bytes, row-major.
    pub rgba: Vec<u8>,
}

/// Lays out `images` (each `rows × cols` grey bytes; shorter or longer ones are cut or padded
/// with paper) on a [`Sheet`] of `columns` tiles per row.
pub fn sheet(images: &[&[u8]], rows: usize, cols: usize, columns: usize, margin: usize) -> Sheet {
    let mut rgba = Vec::new();
    let (width, height) = sheet_into(&mut rgba, images, rows, cols, columns, margin);
    Sheet {
        width,
        height,
        rgba,
    }
}

/// [`sheet`] into a buffer the caller keeps (a grid reuses one buffer for every page flip instead
/// of allocating a new sheet). `rgba` is resized to `width × height × 4` and every byte is
/// overwritten; returns `(width, height)`.
pub fn sheet_into(
    rgba: &mut Vec<u8>,
    images: &[&[u8]],
    rows: usize,
    cols: usize,
    columns: usize,
    margin: usize,
) -> (usize, usize) {
    let columns = columns.max(1);
    let tile_w = cols + 2 * margin;
    let tile_h = rows + 2 * margin;
    let width = columns * tile_w;
    let height = images.len().div_ceil(columns) * tile_h;
    rgba.clear();
    // Transparent everywhere: the places of missing tiles stay so.
    rgba.resize(width * height * 4, 0);
    let frame = [FRAME_GREY, FRAME_GREY, FRAME_GREY, 255];
    for (k, image) in images.iter().enumerate() {
        let x0 = (k % columns) * tile_w;
        let y0 = (k / columns) * tile_h;
        for ty in 0..tile_h {
            let row_start = ((y0 + ty) * width + x0) * 4;
            let row = &mut rgba[row_start..row_start + tile_w * 4];
            if ty < margin || ty >= margin + rows {
                for px in row.chunks_exact_mut(4) {
                    px.copy_from_slice(&frame);
                }
                continue;
            }
            let (left, rest) = row.split_at_mut(margin * 4);
            let (inside, right) = rest.split_at_mut(cols * 4);
            for px in left.chunks_exact_mut(4).chain(right.chunks_exact_mut(4)) {
                px.copy_from_slice(&frame);
            }
            // This row of the image, padded with paper (0) when the image is short.
            let from = ((ty - margin) * cols).min(image.len());
            let grey = &image[from..(from + cols).min(image.len())];
            let mut pixels = inside.chunks_exact_mut(4);
            // (`grey` first: zip then stops without taking a pixel it cannot fill.)
            for (&g, px) in grey.iter().zip(&mut pixels) {
                let shade = 255 - g;
                px.copy_from_slice(&[shade, shade, shade, 255]);
            }
            for px in pixels {
                px.copy_from_slice(&[255, 255, 255, 255]);
            }
        }
    }
    (width, height)
}

/// The pixel (row, col) under a pointer at `(x, y)` CSS pixels from the top-left corner of an
/// element drawn `width × height` CSS pixels large and showing `rows × cols` pixels.
/// None when the point is outside the element or the element has no area.
pub fn pixel_at(
    x: f64,
    y: f64,
    width: f64,
    height: f64,
    rows: usize,
    cols: usize,
) -> Option<(usize, usize)> {
    let sizes_ok = width > 0.0 && height > 0.0 && rows > 0 && cols > 0;
    let inside = x >= 0.0 && y >= 0.0 && x < width && y < height;
    if !sizes_ok || !inside {
        return None;
    }
    let col = ((x / width) * cols as f64).floor() as usize;
    let row = ((y / height) * rows as f64).floor() as usize;
    Some((row.min(rows - 1), col.min(cols - 1)))
}

/// Index of the previous and next digit of `index` in a split of `len` digits (None at the ends,
/// and both None when `index` is not in the split).
pub fn neighbours(index: usize, len: usize) -> (Option<usize>, Option<usize>) {
    if index >= len {
        return (None, None);
    }
    let previous = index.checked_sub(1);
    let next = index.checked_add(1).filter(|&n| n < len);
    (previous, next)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rgba_inverts_ink_and_is_opaque() {
        let rgba = grey_to_rgba(&[0, 255, 100]);
        assert_eq!(
            rgba,
            vec![255, 255, 255, 255, 0, 0, 0, 255, 155, 155, 155, 255]
        );
    }

    #[test]
    fn rgba_of_nothing_is_empty() {
        assert!(grey_to_rgba(&[]).is_empty());
    }

    /// RGBA of sheet pixel (x, y).
    fn at(s: &Sheet, x: usize, y: usize) -> [u8; 4] {
        let i = (y * s.width + x) * 4;
        [s.rgba[i], s.rgba[i + 1], s.rgba[i + 2], s.rgba[i + 3]]
    }

    #[test]
    fn sheet_places_tiles_row_by_row_with_frames() {
        // Three 2×2 images, 2 per row, margin 1: tiles of 4×4, sheet 8 × 8.
        let a = [255u8, 0, 0, 0];
        let b = [0u8, 255, 0, 0];
        let c = [0u8, 0, 0, 255];
        let s = sheet(&[&a, &b, &c], 2, 2, 2, 1);
        assert_eq!((s.width, s.height, s.rgba.len()), (8, 8, 8 * 8 * 4));
        assert_eq!(at(&s, 0, 0), [FRAME_GREY, FRAME_GREY, FRAME_GREY, 255]);
        assert_eq!(at(&s, 1, 1), [0, 0, 0, 255], "a's ink at its top-left");
        assert_eq!(at(&s, 2, 1), [255, 255, 255, 255], "a's paper");
        assert_eq!(at(&s, 4 + 2, 1), [0, 0, 0, 255], "b's ink at its top-right");
        assert_eq!(
            at(&s, 2, 4 + 2),
            [0, 0, 0, 255],
            "c's ink at its bottom-right"
        );
        assert_eq!(
            at(&s, 4 + 1, 4 + 1),
            [0, 0, 0, 0],
            "no fourth tile: transparent"
        );
    }

    #[test]
    fn sheet_of_nothing_is_empty_and_short_images_are_padded() {
        let s = sheet(&[], 28, 28, 10, 1);
        assert_eq!((s.width, s.height), (300, 0));
        assert!(s.rgba.is_empty());
        let short = [255u8];
        let s = sheet(&[&short], 2, 2, 0, 0);
        assert_eq!((s.width, s.height), (2, 2));
        assert_eq!(at(&s, 0, 0), [0, 0, 0, 255]);
        assert_eq!(at(&s, 1, 1), [255, 255, 255, 255]);
    }

    #[test]
    fn sheet_into_reuses_a_buffer_and_matches_sheet() {
        // A dirty, larger buffer from an earlier, fuller page: every byte must be rewritten.
        let a = [255u8, 0, 7, 0];
        let b = [0u8, 9, 0, 255];
        let mut buffer = vec![42u8; 1000];
        let (w, h) = sheet_into(&mut buffer, &[&a, &b, &a], 2, 2, 2, 1);
        let fresh = sheet(&[&a, &b, &a], 2, 2, 2, 1);
        assert_eq!((w, h), (fresh.width, fresh.height));
        assert_eq!(buffer, fresh.rgba);
        // Then a smaller page into the same buffer.
        let (w, h) = sheet_into(&mut buffer, &[&b], 2, 2, 2, 1);
        assert_eq!((w, h), (8, 4));
        assert_eq!(buffer, sheet(&[&b], 2, 2, 2, 1).rgba);
        assert_eq!(&buffer[(w + 4 + 1) * 4..(w + 4 + 2) * 4], &[0, 0, 0, 0]);
    }

    /// The sheet as the earlier pixel-by-pixel definition: frame, ink, paper padding.
    fn reference_pixel(
        images: &[&[u8]],
        rows: usize,
        cols: usize,
        columns: usize,
        margin: usize,
        x: usize,
        y: usize,
    ) -> [u8; 4] {
        let (tw, th) = (cols + 2 * margin, rows + 2 * margin);
        let k = (y / th) * columns + x / tw;
        let Some(image) = images.get(k) else {
            return [0, 0, 0, 0];
        };
        let (tx, ty) = (x % tw, y % th);
        if tx < margin || ty < margin || tx >= margin + cols || ty >= margin + rows {
            return [FRAME_GREY, FRAME_GREY, FRAME_GREY, 255];
        }
        let g = 255
            - image
                .get((ty - margin) * cols + tx - margin)
                .copied()
                .unwrap_or(0);
        [g, g, g, 255]
    }

    proptest::proptest! {
        #[test]
        fn sheet_matches_the_pixel_definition(
            images in proptest::collection::vec(proptest::collection::vec(0u8..=255, 0..20), 0..9),
            rows in 1usize..5, cols in 1usize..5, columns in 0usize..4, margin in 0usize..3,
        ) {
            let refs: Vec<&[u8]> = images.iter().map(Vec::as_slice).collect();
            let s = sheet(&refs, rows, cols, columns, margin);
            proptest::prop_assert_eq!(s.rgba.len(), s.width * s.height * 4);
            for y in 0..s.height {
                for x in 0..s.width {
                    proptest::prop_assert_eq!(at(&s, x, y), reference_pixel(&refs, rows, cols, columns.max(1), margin, x, y));
                }
            }
        }
    }

    #[test]
    fn pixel_at_maps_corners_and_middle() {
        // 280 × 280 CSS pixels showing 28 × 28: each pixel is 10 × 10.
        assert_eq!(pixel_at(0.0, 0.0, 280.0, 280.0, 28, 28), Some((0, 0)));
        assert_eq!(pixel_at(279.9, 279.9, 280.0, 280.0, 28, 28), Some((27, 27)));
        assert_eq!(pixel_at(15.0, 95.0, 280.0, 280.0, 28, 28), Some((9, 1)));
    }

    #[test]
    fn pixel_at_outside_or_degenerate_is_none() {
        assert_eq!(pixel_at(-1.0, 5.0, 280.0, 280.0, 28, 28), None);
        assert_eq!(pixel_at(5.0, 280.0, 280.0, 280.0, 28, 28), None);
        assert_eq!(pixel_at(5.0, 5.0, 0.0, 280.0, 28, 28), None);
        assert_eq!(pixel_at(5.0, 5.0, 280.0, 280.0, 0, 28), None);
        assert_eq!(pixel_at(f64::NAN, 5.0, 280.0, 280.0, 28, 28), None);
    }

    #[test]
    fn pixel_at_non_square_element() {
        // 56 wide, 28 high, showing 2 rows × 4 cols: pixels are 14 × 14.
        assert_eq!(pixel_at(43.0, 15.0, 56.0, 28.0, 2, 4), Some((1, 3)));
    }

    #[test]
    fn neighbours_stop_at_the_ends() {
        assert_eq!(neighbours(0, 10), (None, Some(1)));
        assert_eq!(neighbours(5, 10), (Some(4), Some(6)));
        assert_eq!(neighbours(9, 10), (Some(8), None));
        assert_eq!(neighbours(0, 1), (None, None));
        assert_eq!(neighbours(10, 10), (None, None));
        assert_eq!(
            neighbours(usize::MAX - 1, usize::MAX),
            (Some(usize::MAX - 2), None)
        );
    }
}
