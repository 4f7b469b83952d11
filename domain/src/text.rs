//! Small text helpers shared by server code.

/// Cuts `text` to at most `max` bytes, at a character boundary (never
/// inside a multi-byte character, which `String::truncate` would panic on).
pub fn truncate_bytes(text: &mut String, max: usize) {
    if text.len() <= max {
        return;
    }
    let mut cut = max;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    text.truncate(cut);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_at_a_character_boundary_whatever_the_alignment() {
        for pad in 0..4 {
            let original = format!("{}{}", "x".repeat(pad), "€".repeat(300));
            let mut cut = original.clone();
            truncate_bytes(&mut cut, 500);
            assert!(cut.len() <= 500 && cut.len() > 496, "{pad}: {}", cut.len());
            assert!(original.starts_with(&cut));
        }
        let mut short = "short".to_owned();
        truncate_bytes(&mut short, 500);
        assert_eq!(short, "short");
    }
}
