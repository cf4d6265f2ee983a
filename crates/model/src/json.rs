//! JSON text exactly as Go's `encoding/json` writes it.
//!
//! Clusternet stores rendered objects as the bytes Go produced, so byte-level
//! agreement matters: object keys sorted by byte order (a `serde_json::Map` is a
//! `BTreeMap` in this workspace), no insignificant whitespace, HTML-sensitive
//! characters (`<`, `>`, `&`) and U+2028/U+2029 escaped as `\u003c` etc., and
//! number literals written as they were read (`arbitrary_precision`).

use serde_json::Value;

/// Compact JSON, keys sorted, Go escaping: what `json.Marshal` produces.
pub fn to_compact(value: &Value) -> String {
    let mut out = String::with_capacity(256);
    write_value(&mut out, value, None, 0);
    out
}

/// Indented JSON with sorted keys, as `json.MarshalIndent(v, "", indent)` produces.
pub fn to_indented(value: &Value, indent: &str) -> String {
    let mut out = String::with_capacity(256);
    write_value(&mut out, value, Some(indent), 0);
    out
}

/// Parse JSON text into a value (numbers kept exact).
pub fn parse(text: &str) -> Result<Value, serde_json::Error> {
    serde_json::from_str(text)
}

fn newline(out: &mut String, indent: Option<&str>, depth: usize) {
    if let Some(unit) = indent {
        out.push('\n');
        for _ in 0..depth {
            out.push_str(unit);
        }
    }
}

fn write_value(out: &mut String, value: &Value, indent: Option<&str>, depth: usize) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            if items.is_empty() {
                out.push_str("[]");
                return;
            }
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, indent, depth + 1);
                write_value(out, item, indent, depth + 1);
            }
            newline(out, indent, depth);
            out.push(']');
        }
        Value::Object(map) => {
            if map.is_empty() {
                out.push_str("{}");
                return;
            }
            out.push('{');
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, indent, depth + 1);
                write_string(out, key);
                out.push(':');
                if indent.is_some() {
                    out.push(' ');
                }
                write_value(out, item, indent, depth + 1);
            }
            newline(out, indent, depth);
            out.push('}');
        }
    }
}

/// Write a JSON string literal with Go's escaping rules (HTML-safe).
pub fn write_string(out: &mut String, s: &str) {
    out.push('"');
    let bytes = s.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let escape: Option<&str> = match b {
            b'"' => Some("\\\""),
            b'\\' => Some("\\\\"),
            b'\n' => Some("\\n"),
            b'\r' => Some("\\r"),
            b'\t' => Some("\\t"),
            0x08 => Some("\\b"),
            0x0c => Some("\\f"),
            b'<' => Some("\\u003c"),
            b'>' => Some("\\u003e"),
            b'&' => Some("\\u0026"),
            0x00..=0x1f => None,
            // U+2028 and U+2029 are E2 80 A8 / E2 80 A9 in UTF-8
            0xe2 if bytes.get(i + 1) == Some(&0x80)
                && matches!(bytes.get(i + 2), Some(0xa8 | 0xa9)) =>
            {
                Some(if bytes[i + 2] == 0xa8 {
                    "\\u2028"
                } else {
                    "\\u2029"
                })
            }
            _ => {
                i += 1;
                continue;
            }
        };
        out.push_str(&s[start..i]);
        let width = if b == 0xe2 { 3 } else { 1 };
        match escape {
            Some(e) => out.push_str(e),
            None => out.push_str(&format!("\\u{:04x}", b)),
        }
        i += width;
        start = i;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn compact_output_sorts_keys_and_escapes_like_go() {
        let v = json!({"b": "<a&b>", "a": [1, {"z": null, "y": true}], "c": "\u{1}\n"});
        assert_eq!(
            to_compact(&v),
            r#"{"a":[1,{"y":true,"z":null}],"b":"\u003ca\u0026b\u003e","c":"\u0001\n"}"#
        );
    }

    #[test]
    fn indented_output_matches_marshal_indent() {
        let v = json!({"b": {}, "a": [], "c": {"d": 1}});
        assert_eq!(
            to_indented(&v, "    "),
            "{\n    \"a\": [],\n    \"b\": {},\n    \"c\": {\n        \"d\": 1\n    }\n}"
        );
    }

    #[test]
    fn line_separators_are_escaped() {
        let mut out = String::new();
        write_string(&mut out, "a\u{2028}b\u{2029}c\u{e9}\u{1f600}");
        assert_eq!(out, "\"a\\u2028b\\u2029c\u{e9}\u{1f600}\"");
    }

    #[test]
    fn number_literals_are_kept() {
        let v = parse(r#"{"big":123456789012345678901234567890,"f":1.50}"#).unwrap();
        assert_eq!(
            to_compact(&v),
            r#"{"big":123456789012345678901234567890,"f":1.50}"#
        );
    }
}
