//! Durations as Terraform users write them: `"90s"`, `"2m"`, `"1m30s"`, `"1h"` (the
//! provider's `verify_timeout`, a rollout's `progress_deadline`).

use std::time::Duration;

/// Why a text is not a duration; the messages complete "<attribute> = "..": ".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    /// Nothing but white space.
    #[error("it is empty")]
    Empty,
    /// A character that is neither a digit nor a unit.
    #[error("{0:?} is not a unit (use h, m or s)")]
    NotAUnit(char),
    /// A unit without a number before it.
    #[error("{0:?} has no number before it")]
    NoNumber(char),
    /// A unit given twice, or after a smaller one.
    #[error("write each unit once, hours before minutes before seconds")]
    UnitOrder,
    /// A number that does not fit 64 bits.
    #[error("{0} is too large")]
    NumberTooLarge(String),
    /// A total that does not fit 64 bits of seconds.
    #[error("it is too long")]
    TooLong,
    /// Digits at the end without a unit.
    #[error("{0} has no unit (e.g. {0}s)")]
    NoUnit(String),
}

/// Parses a duration: one or more `<whole number><unit>` parts, unit `h`, `m` or `s`, each
/// unit at most once and in that order.
pub fn parse(text: &str) -> Result<Duration, DurationError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(DurationError::Empty);
    }
    let mut total = 0u64;
    let mut digits = String::new();
    let mut last_unit: Option<usize> = None;
    for c in text.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let (rank, seconds) = match c {
            'h' => (0, 3600),
            'm' => (1, 60),
            's' => (2, 1),
            other => return Err(DurationError::NotAUnit(other)),
        };
        if digits.is_empty() {
            return Err(DurationError::NoNumber(c));
        }
        if last_unit.is_some_and(|last| last >= rank) {
            return Err(DurationError::UnitOrder);
        }
        let n: u64 = digits
            .parse()
            .map_err(|_| DurationError::NumberTooLarge(digits.clone()))?;
        total = n
            .checked_mul(seconds)
            .and_then(|s| total.checked_add(s))
            .ok_or(DurationError::TooLong)?;
        digits.clear();
        last_unit = Some(rank);
    }
    if !digits.is_empty() {
        return Err(DurationError::NoUnit(digits));
    }
    Ok(Duration::from_secs(total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_units_and_combinations() {
        for (text, seconds) in [
            ("90s", 90),
            ("2m", 120),
            ("1m30s", 90),
            ("1h", 3600),
            ("1h2m3s", 3723),
            (" 5s ", 5),
            ("0s", 0),
        ] {
            assert_eq!(parse(text), Ok(Duration::from_secs(seconds)), "{text}");
        }
    }

    #[test]
    fn malformed_durations_say_what_is_wrong() {
        for (text, says) in [
            ("", "empty"),
            ("30", "no unit"),
            ("5d", "not a unit"),
            ("m", "no number"),
            ("30s1m", "each unit once"),
            ("1m1m", "each unit once"),
            ("1.5m", "not a unit"),
        ] {
            let e = parse(text).unwrap_err().to_string();
            assert!(e.contains(says), "{text}: {e}");
        }
    }
}
