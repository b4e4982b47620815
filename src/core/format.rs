//! Numbers as people read them.

/// `n` with thousands separators: 9999 → "9,999".
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// A fraction as a percentage with one decimal: 0.9134 → "91.3 %"; "–" when not a number.
pub fn percent(fraction: f32) -> String {
    if fraction.is_finite() {
        format!("{:.1} %", fraction * 100.0)
    } else {
        "–".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_separates_groups_of_three() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(9999), "9,999");
        assert_eq!(thousands(59_999), "59,999");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
