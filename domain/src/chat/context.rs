//! What fits in a model's context window. The history sent upstream is
//! trimmed to the window (less the room kept for the reply): the system
//! prompt and the newest turns stay, the oldest go. Token counts are
//! estimated on the safe side, one token per three bytes of UTF-8 (English
//! runs about four characters a token, Cyrillic and CJK fewer characters
//! but more bytes each), plus a few per turn for the format's framing.

use super::provider::Turn;

/// Tokens a turn's framing (role, separators) costs in every API.
const PER_TURN: u64 = 4;

/// An upper estimate of the tokens `text` takes.
pub fn estimate_tokens(text: &str) -> u64 {
    (text.len() as u64).div_ceil(3) + PER_TURN
}

/// Drops the oldest turns until the rest, with `system`, fits in
/// `window` tokens while leaving `reply` tokens for the answer (at least
/// half the window stays for the prompt). The newest turn always stays.
/// Returns how many turns were left out.
pub fn fit(turns: &mut Vec<Turn>, system: Option<&str>, window: u32, reply: u32) -> usize {
    let budget = u64::from(window.saturating_sub(reply)).max(u64::from(window) / 2);
    let mut used = system.map_or(0, estimate_tokens);
    let mut keep = 0;
    for turn in turns.iter().rev() {
        let cost = estimate_tokens(&turn.text);
        if keep > 0 && used + cost > budget {
            break;
        }
        used += cost;
        keep += 1;
    }
    let dropped = turns.len() - keep;
    turns.drain(..dropped);
    // A reply must follow a user's turn: a leading assistant turn goes too.
    let mut extra = 0;
    while turns.len() > 1
        && turns
            .first()
            .is_some_and(|t| t.role == super::provider::Role::Assistant)
    {
        turns.remove(0);
        extra += 1;
    }
    dropped + extra
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::provider::Role;

    fn turn(role: Role, chars: usize) -> Turn {
        Turn {
            role,
            text: "x".repeat(chars),
        }
    }

    #[test]
    fn a_short_conversation_is_sent_whole() {
        let mut turns = vec![turn(Role::User, 30), turn(Role::Assistant, 30), turn(Role::User, 30)];
        assert_eq!(fit(&mut turns, Some("be nice"), 8192, 1024), 0);
        assert_eq!(turns.len(), 3);
    }

    #[test]
    fn the_oldest_turns_go_and_the_newest_stays() {
        // Each turn ~ 104 tokens; the budget is 1000 - 500 = 500.
        let mut turns: Vec<Turn> = (0..10)
            .map(|i| turn(if i % 2 == 0 { Role::User } else { Role::Assistant }, 300))
            .collect();
        let dropped = fit(&mut turns, None, 1000, 500);
        assert!(turns.iter().map(|t| estimate_tokens(&t.text)).sum::<u64>() <= 500);
        assert_eq!(dropped + turns.len(), 10);
        assert_eq!(turns.first().map(|t| t.role), Some(Role::User), "starts with the user");
        // One huge message still goes: the provider says if it is too long.
        let mut huge = vec![turn(Role::User, 100_000)];
        assert_eq!(fit(&mut huge, None, 1000, 500), 0);
        assert_eq!(huge.len(), 1);
    }

    #[test]
    fn the_system_prompt_counts_against_the_window() {
        let mut turns = vec![turn(Role::User, 300), turn(Role::Assistant, 300), turn(Role::User, 300)];
        let system = "s".repeat(2000);
        assert!(fit(&mut turns, Some(&system), 1000, 200) >= 1);
    }
}
