//! Image bytes → network input: the one place that scales pixels (CONTRACTS.md: pixel / 255 as
//! f32, in the image's row-major order).

/// The network input of one pixel: 0 (paper) → 0.0, 255 (full ink) → 1.0.
pub fn pixel_input(pixel: u8) -> f32 {
    pixel as f32 / 255.0
}

/// The network input of one image (or of several back to back): every pixel through
/// [`pixel_input`], in the same order.
pub fn input_from_pixels(pixels: &[u8]) -> Vec<f32> {
    pixels.iter().map(|&p| pixel_input(p)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pixels_scale_to_zero_one_in_order() {
        assert_eq!(pixel_input(0), 0.0);
        assert_eq!(pixel_input(255), 1.0);
        assert_eq!(pixel_input(51), 0.2);
        assert_eq!(input_from_pixels(&[255, 0, 51]), vec![1.0, 0.0, 0.2]);
        assert!(input_from_pixels(&[]).is_empty());
        // Monotonic: more ink, larger input.
        let all = input_from_pixels(&(0..=255).collect::<Vec<u8>>());
        assert!(all.windows(2).all(|w| w[0] < w[1]));
    }
}
