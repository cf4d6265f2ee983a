//! Kubernetes resource quantities (`100m`, `128Mi`, `1.5`, `2e3`): just enough to sum a
//! pod's container resources the way `resource.Quantity.Add` does and print the result
//! in canonical form (a sum keeps the format of its first operand).

use std::cmp::Ordering;

/// Number format of a quantity, which decides how it is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `k`, `M`, `G`, `m`, `u`, `n` suffixes.
    DecimalSi,
    /// `Ki`, `Mi`, `Gi`, ... suffixes.
    BinarySi,
    /// `e3`-style exponents.
    DecimalExponent,
}

/// A quantity, exact to the nano unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quantity {
    /// Value in units of 10^-9.
    pub nanos: i128,
    /// Print format.
    pub format: Format,
}

const NANO: i128 = 1_000_000_000;

impl Quantity {
    /// Parse a quantity string; `None` if it is not one.
    pub fn parse(text: &str) -> Option<Quantity> {
        let text = text.trim();
        let split = text
            .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+' || c == '-'))
            .unwrap_or(text.len());
        let (number, suffix) = text.split_at(split);
        let (negative, digits) = match number.as_bytes().first()? {
            b'-' => (true, &number[1..]),
            b'+' => (false, &number[1..]),
            _ => (false, number),
        };
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        if (whole.is_empty() && fraction.is_empty())
            || !whole
                .bytes()
                .chain(fraction.bytes())
                .all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let (format, multiplier_num, multiplier_den): (Format, i128, i128) = match suffix {
            "" => (Format::DecimalSi, 1, 1),
            "n" => (Format::DecimalSi, 1, NANO),
            "u" => (Format::DecimalSi, 1, 1_000_000),
            "m" => (Format::DecimalSi, 1, 1000),
            "k" => (Format::DecimalSi, 1000, 1),
            "M" => (Format::DecimalSi, 1_000_000, 1),
            "G" => (Format::DecimalSi, NANO, 1),
            "T" => (Format::DecimalSi, 1_000_000_000_000, 1),
            "P" => (Format::DecimalSi, 1_000_000_000_000_000, 1),
            "E" => (Format::DecimalSi, 1_000_000_000_000_000_000, 1),
            "Ki" => (Format::BinarySi, 1 << 10, 1),
            "Mi" => (Format::BinarySi, 1 << 20, 1),
            "Gi" => (Format::BinarySi, 1 << 30, 1),
            "Ti" => (Format::BinarySi, 1 << 40, 1),
            "Pi" => (Format::BinarySi, 1 << 50, 1),
            "Ei" => (Format::BinarySi, 1 << 60, 1),
            exp if exp.starts_with(['e', 'E']) => {
                let e: i32 = exp[1..].parse().ok()?;
                if !(-9..=18).contains(&e) {
                    return None;
                }
                if e >= 0 {
                    (Format::DecimalExponent, 10i128.pow(e as u32), 1)
                } else {
                    (Format::DecimalExponent, 1, 10i128.pow((-e) as u32))
                }
            }
            _ => return None,
        };
        // value = (whole.fraction) * num / den, in nanos, rounded up like Kubernetes.
        let scale = 10i128.checked_pow(fraction.len() as u32)?;
        let mantissa: i128 = format!("{whole}{fraction}")
            .trim_start_matches('0')
            .parse()
            .unwrap_or(0);
        let numerator = mantissa.checked_mul(multiplier_num)?.checked_mul(NANO)?;
        let denominator = scale.checked_mul(multiplier_den)?;
        let mut nanos = numerator / denominator;
        if numerator % denominator != 0 {
            nanos += 1;
        }
        Some(Quantity {
            nanos: if negative { -nanos } else { nanos },
            format,
        })
    }
}

/// `self + other`, keeping `self`'s format (as `Quantity.Add`).
impl std::ops::Add for Quantity {
    type Output = Quantity;

    fn add(self, other: Quantity) -> Quantity {
        Quantity {
            nanos: self.nanos + other.nanos,
            format: self.format,
        }
    }
}

impl PartialOrd for Quantity {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.nanos.cmp(&other.nanos))
    }
}

impl std::fmt::Display for Quantity {
    /// Canonical form: the largest suffix that keeps an integer mantissa.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let v = self.nanos;
        if v == 0 {
            return f.write_str("0");
        }
        if self.format == Format::BinarySi && v % NANO == 0 && (v / NANO).abs() >= 1024 {
            let units = v / NANO;
            let suffixes = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];
            let mut power = 0;
            while power < 6 && units % (1i128 << (10 * (power + 1))) == 0 {
                power += 1;
            }
            return write!(f, "{}{}", units >> (10 * power), suffixes[power]);
        }
        if self.format == Format::BinarySi && v % NANO == 0 {
            return write!(f, "{}", v / NANO);
        }
        // decimal: exponents -9..=18 in steps of 3
        let mut exponent = -9i32;
        while exponent < 18 && v % 10i128.pow((exponent + 3 + 9) as u32) == 0 {
            exponent += 3;
        }
        let mantissa = v / 10i128.pow((exponent + 9) as u32);
        let suffix = match (self.format, exponent) {
            (Format::DecimalExponent, 0) => String::new(),
            (Format::DecimalExponent, e) => format!("e{e}"),
            (_, e) => String::from(match e {
                -9 => "n",
                -6 => "u",
                -3 => "m",
                0 => "",
                3 => "k",
                6 => "M",
                9 => "G",
                12 => "T",
                15 => "P",
                _ => "E",
            }),
        };
        write!(f, "{mantissa}{suffix}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> Quantity {
        Quantity::parse(s).unwrap()
    }

    #[test]
    fn canonical_forms() {
        for (input, want) in [
            ("100m", "100m"),
            ("1", "1"),
            ("1.5", "1500m"),
            ("2000", "2k"),
            ("1500", "1500"),
            ("128Mi", "128Mi"),
            ("1024Mi", "1Gi"),
            ("1536Mi", "1536Mi"),
            ("2e3", "2e3"),
            ("0.5Gi", "512Mi"),
        ] {
            assert_eq!(q(input).to_string(), want, "{input}");
        }
    }

    #[test]
    fn sums_keep_the_first_format() {
        assert_eq!((q("100m") + q("200m")).to_string(), "300m");
        assert_eq!((q("1") + q("500m")).to_string(), "1500m");
        assert_eq!((q("1Gi") + q("512Mi")).to_string(), "1536Mi");
        assert_eq!((q("64Mi") + q("1G")).to_string(), "1067108864");
    }

    #[test]
    fn garbage_is_rejected() {
        for bad in ["", "abc", "1.2.3", "1x", "--1", "1e99"] {
            assert!(Quantity::parse(bad).is_none(), "{bad}");
        }
    }
}
