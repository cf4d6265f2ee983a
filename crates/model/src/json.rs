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

/// `json.Compact` with HTML escaping, as `encoding/json` applies it to the bytes a
/// `json.RawMessage` holds: insignificant whitespace goes, everything else (key order,
/// number spelling, existing escapes) stays; `<`, `>`, `&`, U+2028 and U+2029 inside
/// strings are escaped. `raw` must be valid JSON.
pub fn go_compact(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut in_string = false;
    let mut escaped = false;
    for c in raw.chars() {
        if in_string {
            match c {
                _ if escaped => {
                    escaped = false;
                    out.push(c);
                }
                '\\' => {
                    escaped = true;
                    out.push(c);
                }
                '"' => {
                    in_string = false;
                    out.push(c);
                }
                '<' => out.push_str("\\u003c"),
                '>' => out.push_str("\\u003e"),
                '&' => out.push_str("\\u0026"),
                '\u{2028}' => out.push_str("\\u2028"),
                '\u{2029}' => out.push_str("\\u2029"),
                _ => out.push(c),
            }
        } else if c == '"' {
            in_string = true;
            out.push(c);
        } else if !matches!(c, ' ' | '\t' | '\n' | '\r') {
            out.push(c);
        }
    }
    out
}

/// `json.Indent(dst, compact, "", indent)`: `compact` must be compact JSON; empty objects
/// and arrays stay `{}` / `[]`.
pub fn go_indent(compact: &str, indent: &str) -> String {
    let mut out = String::with_capacity(compact.len() * 2);
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut need_indent = false;
    for c in compact.chars() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        if need_indent && c != ']' && c != '}' {
            need_indent = false;
            depth += 1;
            newline(&mut out, Some(indent), depth);
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '{' | '[' => {
                need_indent = true;
                out.push(c);
            }
            ',' => {
                out.push(c);
                newline(&mut out, Some(indent), depth);
            }
            ':' => out.push_str(": "),
            '}' | ']' => {
                if need_indent {
                    need_indent = false;
                } else {
                    depth = depth.saturating_sub(1);
                    newline(&mut out, Some(indent), depth);
                }
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
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

    // encoding/json indent.go `Indent` and the `compact` it runs on RawMessage bytes.
    #[test]
    fn raw_bytes_are_compacted_and_indented_like_go() {
        let raw = "{ \"z\": [1.50, {}],\n \"a\": \"<b> & \\u00e9\" }";
        let compact = go_compact(raw);
        assert_eq!(
            compact,
            r#"{"z":[1.50,{}],"a":"\u003cb\u003e \u0026 \u00e9"}"#
        );
        assert_eq!(
            go_indent(&compact, "    "),
            "{\n    \"z\": [\n        1.50,\n        {}\n    ],\n    \"a\": \"\\u003cb\\u003e \\u0026 \\u00e9\"\n}"
        );
        let value = serde_json::json!({"b": [], "a": {"c": [1, {"d": null}]}});
        assert_eq!(
            go_indent(&to_compact(&value), "  "),
            to_indented(&value, "  ")
        );
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
