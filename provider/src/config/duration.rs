//! Durations as Terraform users write them: `"90s"`, `"2m"`, `"1m30s"`, `"1h"`.

use std::time::Duration;

/// Parses a duration: one or more `<whole number><unit>` parts, unit `h`, `m` or `s`, each
/// unit at most once and in that order.
pub fn parse(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("it is empty".to_string());
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
            other => return Err(format!("{other:?} is not a unit (use h, m or s)")),
        };
        if digits.is_empty() {
            return Err(format!("{c:?} has no number before it"));
        }
        if last_unit.is_some_and(|last| last >= rank) {
            return Err("write each unit once, hours before minutes before seconds".to_string());
        }
        let n: u64 = digits
            .parse()
            .map_err(|_| format!("{digits} is too large"))?;
        total = n
            .checked_mul(seconds)
            .and_then(|s| total.checked_add(s))
            .ok_or_else(|| "it is too long".to_string())?;
        digits.clear();
        last_unit = Some(rank);
    }
    if !digits.is_empty() {
        return Err(format!("{digits} has no unit (e.g. {digits}s)"));
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
            let e = parse(text).unwrap_err();
            assert!(e.contains(says), "{text}: {e}");
        }
    }
}
