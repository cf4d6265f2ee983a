//! goyaml.v2's `resolve`: what an unquoted scalar means in YAML 1.1 (`resolve.go`), its
//! base-60 check (`encode.go`, `isBase60Float`) and its float formatting (`floatv`).

/// What a plain scalar resolves to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Resolved {
    /// `~`, `null`, `Null`, `NULL` or nothing.
    Null,
    /// `y`, `yes`, `on`, `true`, `n`, `no`, `off`, `false` and their case variants.
    Bool(bool),
    /// An integer that fits `int64` (decimal, `0x`, `0o`, `0b`, leading-zero octal, `_`s).
    Int(i64),
    /// An integer that fits only `uint64`.
    Uint(u64),
    /// A float (`1.5`, `1e3`, `.5`, `.inf`, `.nan`).
    Float(f64),
    /// A date or date-time (kept as a string when read into an untyped value).
    Timestamp,
    /// Anything else: a string.
    Str,
}

/// Resolve a plain (unquoted, untagged) scalar as `resolve("", s)` does. Only scalars whose
/// first character has a hint in `resolveTable` (sign, digit, `.`, one of `yYnNtTfFoO~`, or
/// the empty string) are looked up at all.
pub fn resolve(s: &str) -> Resolved {
    match s {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return Resolved::Bool(true);
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Resolved::Bool(false);
        }
        "" | "~" | "null" | "Null" | "NULL" => return Resolved::Null,
        ".nan" | ".NaN" | ".NAN" => return Resolved::Float(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Resolved::Float(f64::INFINITY);
        }
        "-.inf" | "-.Inf" | "-.INF" => return Resolved::Float(f64::NEG_INFINITY),
        _ => {}
    }
    match s.as_bytes()[0] {
        b'.' => s
            .parse::<f64>()
            .ok()
            .filter(|_| is_yaml_float(s))
            .map_or(Resolved::Str, Resolved::Float),
        b'+' | b'-' | b'0'..=b'9' => {
            if is_timestamp(s) {
                return Resolved::Timestamp;
            }
            let plain = s.replace('_', "");
            if let Some(i) = parse_go_int(&plain) {
                if let Ok(small) = i64::try_from(i) {
                    return Resolved::Int(small);
                }
                if let Ok(big) = u64::try_from(i) {
                    return Resolved::Uint(big);
                }
            }
            if is_yaml_float(&plain)
                && let Ok(f) = plain.parse::<f64>()
            {
                return Resolved::Float(f);
            }
            Resolved::Str
        }
        _ => Resolved::Str,
    }
}

/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`
fn is_yaml_float(s: &str) -> bool {
    let s = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(at) => (&s[..at], Some(&s[at + 1..])),
        None => (s, None),
    };
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some(("", frac)) => digits(frac),
        Some((int, frac)) => digits(int) && (frac.is_empty() || digits(frac)),
        None => digits(mantissa),
    };
    mantissa_ok && exponent.is_none_or(|e| digits(e.strip_prefix(['-', '+']).unwrap_or(e)))
}

/// Go's `strconv.ParseInt(s, 0, 64)` / `ParseUint`, widened: sign, `0x`/`0o`/`0b` or
/// leading-zero octal prefixes. `None` if not an integer or beyond 64 bits.
fn parse_go_int(s: &str) -> Option<i128> {
    let (negative, body) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let lower = body.to_ascii_lowercase();
    let (radix, digits) = if let Some(rest) = lower.strip_prefix("0x") {
        (16, rest)
    } else if let Some(rest) = lower.strip_prefix("0o") {
        (8, rest)
    } else if let Some(rest) = lower.strip_prefix("0b") {
        (2, rest)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, &lower[1..])
    } else {
        (10, lower.as_str())
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = u64::from_str_radix(digits, radix).ok()?;
    let value = if negative {
        -i128::from(magnitude)
    } else {
        i128::from(magnitude)
    };
    // ParseInt takes [-2^63, 2^63); ParseUint takes [0, 2^64) without a sign.
    let fits_int = i64::try_from(value).is_ok();
    let fits_uint = !s.starts_with(['-', '+']) && magnitude > i64::MAX as u64;
    (fits_int || fits_uint).then_some(value)
}

/// `parseTimestamp`: four digits and `-`, then one of the layouts goyaml.v2 accepts
/// (`2006-1-2`, `2006-1-2 15:4:5.999999999`, `2006-1-2T15:4:5.999999999Z07:00`).
fn is_timestamp(s: &str) -> bool {
    let bytes = s.as_bytes();
    if bytes.len() < 5 || !bytes[..4].iter().all(u8::is_ascii_digit) || bytes[4] != b'-' {
        return false;
    }
    let (date, time) = match s.find(['T', 't', ' ']) {
        Some(at) => (&s[..at], Some((bytes[at], &s[at + 1..]))),
        None => (s, None),
    };
    let mut parts = date.splitn(3, '-');
    let (Some(year), Some(month), Some(day)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    let number = |t: &str, max_len: usize| -> Option<u32> {
        (!t.is_empty() && t.len() <= max_len && t.bytes().all(|b| b.is_ascii_digit()))
            .then(|| t.parse().ok())
            .flatten()
    };
    let (Some(year), Some(month), Some(day)) = (number(year, 4), number(month, 2), number(day, 2))
    else {
        return false;
    };
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    if day == 0 || day > days {
        return false;
    }
    let Some((separator, time)) = time else {
        return true;
    };
    let (clock, zone) = if separator == b' ' {
        (time, None)
    } else if let Some(clock) = time.strip_suffix('Z') {
        (clock, Some(""))
    } else {
        match time.rfind(['+', '-']) {
            Some(at) => (&time[..at], Some(&time[at + 1..])),
            None => return false,
        }
    };
    if let Some(zone) = zone.filter(|z| !z.is_empty()) {
        let ok = zone.len() == 5
            && zone.as_bytes()[2] == b':'
            && number(&zone[..2], 2).is_some()
            && number(&zone[3..], 2).is_some();
        if !ok {
            return false;
        }
    }
    let (clock, fraction) = match clock.split_once('.') {
        Some((c, f)) => (c, Some(f)),
        None => (clock, None),
    };
    if fraction.is_some_and(|f| number(f, 9).is_none()) {
        return false;
    }
    let mut fields = clock.split(':');
    let limits = [23, 59, 59];
    let ok = limits.iter().all(|&max| {
        fields
            .next()
            .and_then(|f| number(f, 2))
            .is_some_and(|v| v <= max)
    });
    ok && fields.next().is_none()
}

/// `isBase60Float`: YAML 1.1 sexagesimal numbers (`1:20`, `-1:30:00.5`), quoted on output.
pub fn is_base60_float(s: &str) -> bool {
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    if !body.starts_with(|c: char| c.is_ascii_digit()) || !s.contains(':') {
        return false;
    }
    let (main, fraction) = match body.split_once('.') {
        Some((m, f)) => (m, Some(f)),
        None => (body, None),
    };
    if fraction.is_some_and(|f| !f.bytes().all(|b| b.is_ascii_digit() || b == b'_')) {
        return false;
    }
    let mut groups = main.split(':');
    let head = groups.next().unwrap_or_default();
    let head_ok = head.bytes().all(|b| b.is_ascii_digit() || b == b'_');
    let mut count = 0;
    let rest_ok = groups.all(|g| {
        count += 1;
        let bytes = g.as_bytes();
        match bytes {
            [d] => d.is_ascii_digit(),
            [a, b] => (b'0'..=b'5').contains(a) && b.is_ascii_digit(),
            _ => false,
        }
    });
    head_ok && rest_ok && count > 0
}

/// `strconv.FormatFloat(f, 'g', -1, 64)` with goyaml.v2's spellings of infinities and NaN.
pub fn format_float(f: f64) -> String {
    if f.is_nan() {
        return String::from(".nan");
    }
    if f.is_infinite() {
        return String::from(if f > 0.0 { ".inf" } else { "-.inf" });
    }
    if f == 0.0 {
        return String::from(if f.is_sign_negative() { "-0" } else { "0" });
    }
    // Shortest round-trip digits and decimal exponent, e.g. 1234.5 -> "12345", 3.
    let scientific = format!("{:e}", f.abs());
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let sign = if f < 0.0 { "-" } else { "" };
    // %e when the exponent is < -4 or >= 6 (the precision Go uses for shortest 'g').
    if !(-4..6).contains(&exponent) {
        let (first, rest) = digits.split_at(1);
        let point = if rest.is_empty() { "" } else { "." };
        let esign = if exponent < 0 { '-' } else { '+' };
        return format!("{sign}{first}{point}{rest}e{esign}{:02}", exponent.abs());
    }
    let point = exponent + 1;
    let text = if point <= 0 {
        format!("0.{}{digits}", "0".repeat((-point) as usize))
    } else if point as usize >= digits.len() {
        format!("{digits}{}", "0".repeat(point as usize - digits.len()))
    } else {
        let (int, frac) = digits.split_at(point as usize);
        format!("{int}.{frac}")
    };
    format!("{sign}{text}")
}

#[cfg(test)]
mod tests {
    use super::*;

    // goyaml.v2 resolve.go `resolve` (sigs.k8s.io/yaml v1.4.0's fork): the YAML 1.1 table.
    #[test]
    fn yaml_1_1_words_numbers_and_dates() {
        for word in ["on", "On", "ON", "y", "Y", "yes", "Yes", "true"] {
            assert_eq!(resolve(word), Resolved::Bool(true), "{word}");
        }
        for word in ["off", "n", "no", "NO", "False"] {
            assert_eq!(resolve(word), Resolved::Bool(false), "{word}");
        }
        assert_eq!(resolve(""), Resolved::Null);
        assert_eq!(resolve("~"), Resolved::Null);
        assert_eq!(resolve("8080"), Resolved::Int(8080));
        assert_eq!(resolve("012"), Resolved::Int(10));
        assert_eq!(resolve("0x1F"), Resolved::Int(31));
        assert_eq!(resolve("1_000"), Resolved::Int(1000));
        assert_eq!(resolve("-0b101"), Resolved::Int(-5));
        assert_eq!(resolve("18446744073709551615"), Resolved::Uint(u64::MAX));
        assert_eq!(resolve("1.5"), Resolved::Float(1.5));
        assert_eq!(resolve(".5"), Resolved::Float(0.5));
        assert_eq!(resolve("1e3"), Resolved::Float(1000.0));
        assert_eq!(resolve("2001-12-14"), Resolved::Timestamp);
        assert_eq!(resolve("2001-12-14t21:59:43.10-05:00"), Resolved::Timestamp);
        assert_eq!(resolve("2001-02-30"), Resolved::Str);
        // `<<` is in the table, but `<` has no hint in `resolveTable`: never looked up.
        assert_eq!(resolve("<<"), Resolved::Str);
        for text in ["onion", "1.2.3", "0x", "v1", "1e", "-", "12:30"] {
            assert_eq!(resolve(text), Resolved::Str, "{text}");
        }
        assert!(is_base60_float("12:30"));
        assert!(is_base60_float("-1:30:00.5"));
        assert!(!is_base60_float("12:60"));
        assert!(!is_base60_float("a:1"));
    }

    // goyaml.v2 encode.go `floatv`: strconv.FormatFloat(f, 'g', -1, 64).
    #[test]
    fn floats_print_like_go_g() {
        for (f, text) in [
            (1.0, "1"),
            (2.5, "2.5"),
            (1000.0, "1000"),
            (123456.0, "123456"),
            (1234567.0, "1.234567e+06"),
            (1e21, "1e+21"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (-1.5e-7, "-1.5e-07"),
            (1.2345678901234568e29, "1.2345678901234568e+29"),
        ] {
            assert_eq!(format_float(f), text, "{f}");
        }
    }
}
