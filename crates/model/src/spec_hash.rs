//! `status.specHash` (spec §2.6): FNV-1a 32 of the `spew` rendering of the spec's JSON.
//!
//! The JSON is Go's compact `json.Marshal` of the spec struct: fields in Go struct order
//! (the order of [`SubscriptionSpec`]'s fields), `omitempty` respected, map keys sorted,
//! HTML characters escaped. `spew` prints a byte slice as `([]uint8)[b0 b1 ...]`.

use std::io;

use serde::Serialize;

use crate::naming::fnv1a_32;
use crate::types::SubscriptionSpec;

/// A `serde_json` formatter that escapes like Go (`<`, `>`, `&`, U+2028, U+2029).
struct GoEscaping;

impl serde_json::ser::Formatter for GoEscaping {
    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            let escape = match c {
                '<' => "\\u003c",
                '>' => "\\u003e",
                '&' => "\\u0026",
                '\u{2028}' => "\\u2028",
                '\u{2029}' => "\\u2029",
                _ => continue,
            };
            writer.write_all(&fragment.as_bytes()[start..i])?;
            writer.write_all(escape.as_bytes())?;
            start = i + c.len_utf8();
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }
}

/// Compact JSON of a value in its struct field order, with Go escaping.
pub fn go_marshal<T: Serialize>(value: &T) -> String {
    let mut out = Vec::with_capacity(256);
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, GoEscaping);
    // Serialising plain data structures into memory cannot fail.
    value
        .serialize(&mut serializer)
        .expect("serialising a spec to JSON");
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

/// The JSON that is hashed.
pub fn spec_json(spec: &SubscriptionSpec) -> String {
    go_marshal(spec)
}

/// `status.specHash` of a spec.
pub fn spec_hash(spec: &SubscriptionSpec) -> u64 {
    let json = spec_json(spec);
    let mut text = String::with_capacity(json.len() * 4 + 12);
    text.push_str("([]uint8)[");
    for (i, b) in json.bytes().enumerate() {
        if i > 0 {
            text.push(' ');
        }
        text.push_str(&b.to_string());
    }
    text.push(']');
    fnv1a_32(text.as_bytes()) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vector_spec() -> SubscriptionSpec {
        serde_json::from_str(
            r#"{"schedulerName":"default","schedulingStrategy":"Replication",
                "subscribers":[{"clusterAffinity":{"matchLabels":{"cluster-name":"abc"}}}],
                "feeds":[{"kind":"Demo","apiVersion":"abc.com/v1","namespace":"foo","name":"bar"}]}"#,
        )
        .unwrap()
    }

    // spec §2.6
    #[test]
    fn spec_json_matches_the_vector_byte_for_byte() {
        assert_eq!(
            spec_json(&vector_spec()),
            r#"{"schedulerName":"default","schedulingStrategy":"Replication","subscribers":[{"clusterAffinity":{"matchLabels":{"cluster-name":"abc"}}}],"feeds":[{"kind":"Demo","apiVersion":"abc.com/v1","namespace":"foo","name":"bar"}]}"#
        );
    }

    /// Worked example: the spew text of the vector's JSON, FNV-1a 32, computed
    /// independently (Python) from the algorithm in spec §2.6.
    #[test]
    fn spec_hash_of_the_vector() {
        assert_eq!(spec_hash(&vector_spec()), 2_608_449_479);
    }

    #[test]
    fn defaults_change_the_hash() {
        let mut spec = vector_spec();
        let before = spec_hash(&spec);
        spec.apply_defaults();
        assert!(spec_json(&spec).contains(r#""preemptionPolicy":"PreemptLowerPriority""#));
        assert_ne!(spec_hash(&spec), before);
    }

    #[test]
    fn html_characters_are_escaped_like_go() {
        assert_eq!(go_marshal(&"a<b>&c"), r#""a\u003cb\u003e\u0026c""#);
    }
}
