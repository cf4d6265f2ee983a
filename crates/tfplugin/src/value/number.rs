//! Arbitrary-precision numbers, kept as exact decimals and never routed through `f64`.
//!
//! Terraform numbers are 512-bit big floats; state files and plans carry them as decimal text.
//! Converting through `f64` turned `12345678901234567890` into `12345678901234567000` and made
//! a permanent diff (spec §3.3), so a [`Number`] stores the decimal digits themselves.

use std::fmt;
use std::str::FromStr;

use super::ValueError;
use super::path::AttributePath;

/// The longest plain decimal rendering a [`Number`] may have. Guards against inputs like
/// `"1e999999999"` whose canonical text would be a gigabyte of zeros.
pub const MAX_DECIMAL_LEN: usize = 4096;

/// An exact, arbitrary-precision decimal number, or ±infinity.
///
/// Equality is numeric: `1.50`, `1.5` and `15e-1` are the same number.
/// [`Display`](fmt::Display) gives the canonical plain decimal (`-12.5`, `12345678901234567890123`,
/// `0.001`; never an exponent), which is what Terraform writes into state.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Number(Repr);

#[derive(Clone, PartialEq, Eq, Hash)]
enum Repr {
    /// `(-1)^negative × digits × 10^exponent`. `digits` has no leading or trailing zeros;
    /// zero is the empty string with exponent 0 and `negative == false`.
    Finite {
        negative: bool,
        digits: String,
        exponent: i64,
    },
    PosInf,
    NegInf,
}

impl Number {
    /// Zero.
    pub fn zero() -> Self {
        Self(Repr::Finite {
            negative: false,
            digits: String::new(),
            exponent: 0,
        })
    }

    /// Positive (`negative == false`) or negative infinity.
    pub fn infinity(negative: bool) -> Self {
        Self(if negative { Repr::NegInf } else { Repr::PosInf })
    }

    /// Parses a decimal: an optional sign, digits with an optional decimal point, and an
    /// optional exponent (`-12.5`, `1e3`, `.5`). `inf`, `+inf`, `-inf` (any case, also
    /// `infinity`) give infinities. Rejects anything else, and numbers whose plain decimal would
    /// exceed [`MAX_DECIMAL_LEN`] characters.
    pub fn parse(text: &str) -> Result<Self, ValueError> {
        let reject = |reason| ValueError::InvalidNumber {
            path: AttributePath::root(),
            text: truncate_for_error(text),
            reason,
        };
        let (negative, rest) = match text.as_bytes().first() {
            Some(b'-') => (true, &text[1..]),
            Some(b'+') => (false, &text[1..]),
            _ => (false, text),
        };
        if rest.eq_ignore_ascii_case("inf") || rest.eq_ignore_ascii_case("infinity") {
            return Ok(Self::infinity(negative));
        }
        let (mantissa, exp_text) = match rest.find(['e', 'E']) {
            Some(i) => (&rest[..i], Some(&rest[i + 1..])),
            None => (rest, None),
        };
        let (int_part, frac_part) = match mantissa.find('.') {
            Some(i) => (&mantissa[..i], &mantissa[i + 1..]),
            None => (mantissa, ""),
        };
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if int_part.is_empty() && frac_part.is_empty() {
            return Err(reject("no digits"));
        }
        if !all_digits(int_part) || !all_digits(frac_part) {
            return Err(reject("not a decimal number"));
        }
        let mut exponent: i64 = match exp_text {
            None => 0,
            Some(e) => {
                let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
                if digits.is_empty() || !all_digits(digits) {
                    return Err(reject("malformed exponent"));
                }
                // Anything beyond this is refused by the length limit anyway.
                if digits.trim_start_matches('0').len() > 9 {
                    return Err(reject("exponent out of range"));
                }
                e.parse().map_err(|_| reject("malformed exponent"))?
            }
        };
        exponent -= frac_part.len() as i64;
        let mut digits = String::with_capacity(int_part.len() + frac_part.len());
        digits.push_str(int_part);
        digits.push_str(frac_part);
        let number = Self::from_parts(negative, digits, exponent);
        if number.plain_len() > MAX_DECIMAL_LEN {
            return Err(reject("too long"));
        }
        Ok(number)
    }

    /// Normalises `(-1)^negative × digits × 10^exponent`; `digits` must be ASCII digits.
    fn from_parts(negative: bool, digits: String, exponent: i64) -> Self {
        let trimmed_start = digits.trim_start_matches('0');
        let trimmed = trimmed_start.trim_end_matches('0');
        if trimmed.is_empty() {
            return Self::zero();
        }
        let exponent = exponent + (trimmed_start.len() - trimmed.len()) as i64;
        Self(Repr::Finite {
            negative,
            digits: trimmed.to_owned(),
            exponent,
        })
    }

    /// The number closest to `value` with the fewest decimal digits, as written in
    /// configuration (`0.1` stays `0.1`). `None` for NaN. Use [`Number::from_f64_exact`] for
    /// the exact binary value.
    pub fn from_f64(value: f64) -> Option<Self> {
        if value.is_nan() {
            return None;
        }
        if value.is_infinite() {
            return Some(Self::infinity(value < 0.0));
        }
        // Rust's Display of f64 is the shortest text that round-trips, without exponent.
        Some(Self::parse(&value.to_string()).expect("f64 Display is a plain decimal"))
    }

    /// The exact value of the binary float (`0.1` becomes
    /// `0.1000000000000000055511151231257827021181583404541015625`). `None` for NaN.
    /// This is how a msgpack float from Terraform is read, so it re-encodes identically.
    pub fn from_f64_exact(value: f64) -> Option<Self> {
        if value.is_nan() {
            return None;
        }
        if value.is_infinite() {
            return Some(Self::infinity(value < 0.0));
        }
        if value == 0.0 {
            return Some(Self::zero());
        }
        let bits = value.to_bits();
        let negative = bits >> 63 == 1;
        let biased_exp = ((bits >> 52) & 0x7ff) as i64;
        let fraction = bits & ((1 << 52) - 1);
        let (mut mantissa, mut exp2) = if biased_exp == 0 {
            (fraction, -1074)
        } else {
            (fraction | (1 << 52), biased_exp - 1075)
        };
        let zeros = mantissa.trailing_zeros() as i64;
        mantissa >>= zeros;
        exp2 += zeros;
        let mut big = BigDigits::from_u64(mantissa);
        let exponent = if exp2 >= 0 {
            big.mul_pow(2, exp2 as u32);
            0
        } else {
            // m × 2^-k = m × 5^k × 10^-k
            big.mul_pow(5, (-exp2) as u32);
            exp2
        };
        Some(Self::from_parts(negative, big.to_decimal(), exponent))
    }

    /// Whether this is ±infinity.
    pub fn is_infinite(&self) -> bool {
        matches!(self.0, Repr::PosInf | Repr::NegInf)
    }

    /// Whether this is a (finite) whole number.
    pub fn is_integer(&self) -> bool {
        matches!(self.0, Repr::Finite { exponent, .. } if exponent >= 0)
    }

    /// Whether this is below zero (negative infinity included).
    pub fn is_negative(&self) -> bool {
        matches!(self.0, Repr::NegInf | Repr::Finite { negative: true, .. })
    }

    /// The value as `i64`, if it is a whole number in range.
    pub fn as_i64(&self) -> Option<i64> {
        self.integer_text(20)?.parse().ok()
    }

    /// The value as `u64`, if it is a non-negative whole number in range.
    pub fn as_u64(&self) -> Option<u64> {
        self.integer_text(21)?.parse().ok()
    }

    /// The nearest `f64` (correctly rounded). Lossy: only for display or arithmetic where
    /// precision does not matter. Infinities map to infinities.
    pub fn as_f64(&self) -> f64 {
        match &self.0 {
            Repr::PosInf => f64::INFINITY,
            Repr::NegInf => f64::NEG_INFINITY,
            Repr::Finite { .. } => self
                .to_string()
                .parse()
                .expect("a plain decimal parses as f64"),
        }
    }

    /// The `f64` holding exactly this value, if there is one (cty writes such numbers as
    /// msgpack float64).
    pub fn as_f64_exact(&self) -> Option<f64> {
        match &self.0 {
            Repr::PosInf => Some(f64::INFINITY),
            Repr::NegInf => Some(f64::NEG_INFINITY),
            // A double has at most 767 significant decimal digits, and its magnitude stays
            // within 10^-1075 .. 10^309.
            Repr::Finite {
                digits, exponent, ..
            } if digits.len() > 767 || *exponent < -1100 || *exponent > 310 => None,
            Repr::Finite { .. } => {
                let f = self.as_f64();
                if !f.is_finite() {
                    return None;
                }
                (Self::from_f64_exact(f).as_ref() == Some(self)).then_some(f)
            }
        }
    }

    /// Plain integer text when the value is whole and its text is shorter than `max_len`.
    fn integer_text(&self, max_len: usize) -> Option<String> {
        match &self.0 {
            Repr::Finite {
                digits, exponent, ..
            } if *exponent >= 0 && digits.len() + (*exponent as usize) < max_len => {
                Some(self.to_string())
            }
            _ => None,
        }
    }

    /// Length of the canonical plain decimal.
    fn plain_len(&self) -> usize {
        match &self.0 {
            Repr::Finite {
                negative,
                digits,
                exponent,
            } => {
                let sign = usize::from(*negative);
                if digits.is_empty() {
                    1
                } else if *exponent >= 0 {
                    sign + digits.len() + exponent.unsigned_abs() as usize
                } else {
                    let frac = exponent.unsigned_abs() as usize;
                    sign + digits.len().max(frac) + 2
                }
            }
            _ => 4,
        }
    }
}

/// Canonical plain decimal, as cty's `Text('f', -1)`: no exponent, no trailing fractional zeros.
/// Infinities are `+Inf` and `-Inf`.
impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Repr::Finite {
            negative,
            digits,
            exponent,
        } = &self.0
        else {
            return f.write_str(if self.is_negative() { "-Inf" } else { "+Inf" });
        };
        if digits.is_empty() {
            return f.write_str("0");
        }
        if *negative {
            f.write_str("-")?;
        }
        if *exponent >= 0 {
            f.write_str(digits)?;
            for _ in 0..*exponent {
                f.write_str("0")?;
            }
            return Ok(());
        }
        let point = digits.len() as i64 + exponent;
        if point > 0 {
            let (int, frac) = digits.split_at(point as usize);
            write!(f, "{int}.{frac}")
        } else {
            f.write_str("0.")?;
            for _ in 0..-point {
                f.write_str("0")?;
            }
            f.write_str(digits)
        }
    }
}

impl fmt::Debug for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Number({self})")
    }
}

impl FromStr for Number {
    type Err = ValueError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl From<i64> for Number {
    fn from(value: i64) -> Self {
        Self::parse(&value.to_string()).expect("i64 text is a decimal")
    }
}

impl From<u64> for Number {
    fn from(value: u64) -> Self {
        Self::parse(&value.to_string()).expect("u64 text is a decimal")
    }
}

impl From<i32> for Number {
    fn from(value: i32) -> Self {
        Self::from(i64::from(value))
    }
}

impl From<u32> for Number {
    fn from(value: u32) -> Self {
        Self::from(u64::from(value))
    }
}

fn truncate_for_error(text: &str) -> String {
    match text.char_indices().nth(64) {
        Some((i, _)) => format!("{}...", &text[..i]),
        None => text.to_owned(),
    }
}

/// A non-negative integer in base 10^9 limbs, least significant first: just enough
/// arithmetic to expand a binary float into its exact decimal digits.
struct BigDigits(Vec<u64>);

const LIMB: u64 = 1_000_000_000;

impl BigDigits {
    fn from_u64(mut value: u64) -> Self {
        let mut limbs = Vec::new();
        while value > 0 {
            limbs.push(value % LIMB);
            value /= LIMB;
        }
        Self(limbs)
    }

    fn mul_small(&mut self, factor: u64) {
        let mut carry = 0;
        for limb in &mut self.0 {
            let product = *limb * factor + carry;
            *limb = product % LIMB;
            carry = product / LIMB;
        }
        while carry > 0 {
            self.0.push(carry % LIMB);
            carry /= LIMB;
        }
    }

    /// Multiplies by `base^power` for a small base, in chunks that keep products in u64.
    fn mul_pow(&mut self, base: u64, mut power: u32) {
        let chunk = if base == 2 { 31 } else { 13 };
        while power > 0 {
            let step = power.min(chunk);
            self.mul_small(base.pow(step));
            power -= step;
        }
    }

    fn to_decimal(&self) -> String {
        let mut out = String::new();
        for (i, limb) in self.0.iter().rev().enumerate() {
            if i == 0 {
                out.push_str(&limb.to_string());
            } else {
                out.push_str(&format!("{limb:09}"));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> Number {
        Number::parse(s).unwrap()
    }

    #[test]
    fn displays_canonical_plain_decimals() {
        assert_eq!(
            n("12345678901234567890123").to_string(),
            "12345678901234567890123"
        );
        assert_eq!(n("-12.50").to_string(), "-12.5");
        assert_eq!(n("1e3").to_string(), "1000");
        assert_eq!(n(".5").to_string(), "0.5");
        assert_eq!(n("0.00100").to_string(), "0.001");
        assert_eq!(n("-0").to_string(), "0");
        assert_eq!(n("15e-1"), n("1.5"));
        assert_eq!(n("-inf").to_string(), "-Inf");
    }

    #[test]
    fn rejects_malformed_text() {
        for bad in [
            "",
            "-",
            ".",
            "1.2.3",
            "1e",
            "1e+",
            "0x10",
            " 1",
            "1_000",
            "NaN",
            "1e99999999999",
        ] {
            assert!(Number::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn integer_accessors_are_exact() {
        assert_eq!(n("9223372036854775807").as_i64(), Some(i64::MAX));
        assert_eq!(n("-9223372036854775808").as_i64(), Some(i64::MIN));
        assert_eq!(n("9223372036854775808").as_i64(), None);
        assert_eq!(n("18446744073709551615").as_u64(), Some(u64::MAX));
        assert_eq!(n("1.5").as_i64(), None);
        assert_eq!(n("-1").as_u64(), None);
    }

    #[test]
    fn exact_f64_detection() {
        assert_eq!(n("0.5").as_f64_exact(), Some(0.5));
        assert_eq!(n("0.1").as_f64_exact(), None);
        assert_eq!(
            n("9223372036854775808").as_f64_exact(),
            Some(9223372036854775808.0)
        );
        assert_eq!(n("12345678901234567890").as_f64_exact(), None);
        assert_eq!(
            Number::from_f64_exact(0.1).unwrap().to_string(),
            "0.1000000000000000055511151231257827021181583404541015625"
        );
        assert_eq!(Number::from_f64(0.1).unwrap().to_string(), "0.1");
        let tiny = Number::from_f64_exact(f64::from_bits(1)).unwrap();
        assert_eq!(tiny.as_f64_exact(), Some(f64::from_bits(1)));
        let max = Number::from_f64_exact(f64::MAX).unwrap();
        assert_eq!(max.as_f64_exact(), Some(f64::MAX));
    }
}
