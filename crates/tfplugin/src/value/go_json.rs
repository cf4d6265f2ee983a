//! JSON string literals written exactly as Go's `encoding/json` writes them, so that type JSON
//! and state JSON come out byte-identical to what Terraform itself produces.

/// Appends `s` as a JSON string literal with Go's escaping: `"`, `\` and control characters
/// escaped (`\n`, `\r`, `\t`, `\b`, `\f` short forms, others as `\u00XX`), and the HTML-sensitive
/// `<`, `>`, `&` plus U+2028 and U+2029 as `\uXXXX`.
pub(crate) fn write_string(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    let mut start = 0;
    for (i, c) in s.char_indices() {
        let escape: Option<&str> = match c {
            '"' => Some("\\\""),
            '\\' => Some("\\\\"),
            '\n' => Some("\\n"),
            '\r' => Some("\\r"),
            '\t' => Some("\\t"),
            '\u{8}' => Some("\\b"),
            '\u{c}' => Some("\\f"),
            _ => None,
        };
        let needs_unicode_escape =
            escape.is_none() && (c < ' ' || matches!(c, '<' | '>' | '&' | '\u{2028}' | '\u{2029}'));
        if escape.is_none() && !needs_unicode_escape {
            continue;
        }
        out.extend_from_slice(&s.as_bytes()[start..i]);
        match escape {
            Some(e) => out.extend_from_slice(e.as_bytes()),
            None => out.extend_from_slice(format!("\\u{:04x}", c as u32).as_bytes()),
        }
        start = i + c.len_utf8();
    }
    out.extend_from_slice(&s.as_bytes()[start..]);
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(s: &str) -> String {
        let mut out = Vec::new();
        write_string(&mut out, s);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn escapes_like_go() {
        assert_eq!(written("plain"), r#""plain""#);
        assert_eq!(written("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(written("<a&b>"), r#""\u003ca\u0026b\u003e""#);
        assert_eq!(written("\n\t\u{1b}\u{2028}é"), "\"\\n\\t\\u001b\\u2028é\"");
    }
}
