//! `yaml.JSONToYAML` output: goyaml.v2's `Marshal` of the JSON value, byte for byte.
//!
//! A port of the parts of goyaml.v2's encoder (`encode.go`: `stringv`, `floatv`, sorted
//! map keys from `sorter.go`) and libyaml emitter (`emitterc.go`: scalar analysis, style
//! selection, the plain/quoted/literal writers with folding at 80 columns, block
//! collections) that a JSON value can reach: no anchors, tags, flow collections other than
//! the empty `{}` and `[]`, or folded scalars.

use std::cmp::Ordering;

use serde_json::{Map, Value};

use super::resolve::{Resolved, format_float, is_base60_float, resolve};
use crate::yaml::YamlError;

/// libyaml's default `best_width` (goyaml.v2 v2.4.0 wraps; `FutureLineWrap` is not called).
const BEST_WIDTH: usize = 80;
/// libyaml's default `best_indent`.
const BEST_INDENT: i64 = 2;

/// `yaml.JSONToYAML`: print a JSON value as goyaml.v2 marshals it.
///
/// `JSONToYAML` first *reads* the JSON text as YAML, which changes two kinds of strings:
/// raw C1 controls and DEL (which `json.Marshal` leaves unescaped) are refused by the YAML
/// reader, and a raw NEL (U+0085), a YAML 1.1 line break, is folded like one.
pub fn json_to_yaml(value: &Value) -> Result<String, YamlError> {
    let value = reread(value)?;
    let mut emitter = Emitter::new();
    emitter.node(&value, Context::ROOT);
    // Implicit document end: finish the last line.
    emitter.indent = -1;
    emitter.write_indent();
    Ok(emitter.out)
}

/// What goyaml.v2 reads back from the `json.Marshal` text of `value` (see [`json_to_yaml`]).
fn reread(value: &Value) -> Result<Value, YamlError> {
    Ok(match value {
        Value::String(s) => Value::String(reread_string(s)?),
        Value::Array(items) => Value::Array(items.iter().map(reread).collect::<Result<_, _>>()?),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| Ok((reread_string(k)?, reread(v)?)))
                .collect::<Result<_, YamlError>>()?,
        ),
        other => other.clone(),
    })
}

fn reread_string(s: &str) -> Result<String, YamlError> {
    if let Some(c) = s
        .chars()
        .find(|&c| c == '\u{7f}' || (('\u{80}'..='\u{9f}').contains(&c) && c != '\u{85}'))
    {
        return Err(YamlError::NotJson(format!(
            "the control character U+{:04X} cannot be written as YAML (goyaml.v2: control \
             characters are not allowed)",
            u32::from(c)
        )));
    }
    if !s.contains('\u{85}') {
        return Ok(s.to_string());
    }
    // Line folding in a double-quoted scalar: blanks around the break go, one break becomes
    // a space, n breaks become n-1 newlines.
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\u{85}' {
            out.push(c);
            continue;
        }
        while out.ends_with([' ', '\t']) {
            out.pop();
        }
        let mut breaks = 1;
        while let Some(&next) = chars.peek() {
            match next {
                '\u{85}' => breaks += 1,
                ' ' | '\t' => {}
                _ => break,
            }
            chars.next();
        }
        if breaks == 1 {
            out.push(' ');
        } else {
            (1..breaks).for_each(|_| out.push('\n'));
        }
    }
    Ok(out)
}

/// The scalar styles goyaml.v2 asks for or libyaml falls back to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
}

/// Where a node is emitted (`root_context`, `mapping_context`, `simple_key_context`).
#[derive(Debug, Clone, Copy)]
struct Context {
    mapping: bool,
    simple_key: bool,
}

impl Context {
    const ROOT: Context = Context {
        mapping: false,
        simple_key: false,
    };
}

/// `yaml_emitter_analyze_scalar`'s verdict.
#[derive(Debug, Clone, Copy)]
struct Analysis {
    multiline: bool,
    block_plain_allowed: bool,
    single_quoted_allowed: bool,
    block_allowed: bool,
}

struct Emitter {
    out: String,
    column: usize,
    whitespace: bool,
    indention: bool,
    indent: i64,
    indents: Vec<i64>,
}

fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn is_blank(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// `is_printable` in code points: LF, ASCII printables, U+00A0..U+D7FF, U+E000..U+FFFD
/// except the BOM. Tabs and characters beyond the BMP are not.
fn is_printable(c: char) -> bool {
    matches!(c, '\n' | '\u{20}'..='\u{7e}' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}')
        && c != '\u{feff}'
}

fn analyze(value: &str) -> Analysis {
    if value.is_empty() {
        return Analysis {
            multiline: false,
            block_plain_allowed: true,
            single_quoted_allowed: true,
            block_allowed: false,
        };
    }
    let chars: Vec<char> = value.chars().collect();
    let mut block_indicators = value.starts_with("---") || value.starts_with("...");
    let mut line_breaks = false;
    let mut special = false;
    let (mut leading_space, mut leading_break) = (false, false);
    let (mut trailing_space, mut trailing_break) = (false, false);
    let (mut break_space, mut space_break) = (false, false);
    let (mut previous_space, mut previous_break) = (false, false);
    let mut preceded_by_whitespace = true;
    for (i, &c) in chars.iter().enumerate() {
        let followed_by_whitespace = chars.get(i + 1).is_none_or(|&n| is_blank(n));
        if i == 0 {
            match c {
                '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"'
                | '%' | '@' | '`' => block_indicators = true,
                '?' | ':' | '-' if followed_by_whitespace => block_indicators = true,
                _ => {}
            }
        } else {
            match c {
                ':' if followed_by_whitespace => block_indicators = true,
                '#' if preceded_by_whitespace => block_indicators = true,
                _ => {}
            }
        }
        if !is_printable(c) {
            special = true;
        }
        let last = i + 1 == chars.len();
        if c == ' ' {
            leading_space |= i == 0;
            trailing_space |= last;
            break_space |= previous_break;
            previous_space = true;
            previous_break = false;
        } else if is_break(c) {
            line_breaks = true;
            leading_break |= i == 0;
            trailing_break |= last;
            space_break |= previous_space;
            previous_space = false;
            previous_break = true;
        } else {
            previous_space = false;
            previous_break = false;
        }
        preceded_by_whitespace = is_blank(c) || is_break(c);
    }
    let mut analysis = Analysis {
        multiline: line_breaks,
        block_plain_allowed: true,
        single_quoted_allowed: true,
        block_allowed: true,
    };
    if leading_space || leading_break || trailing_space || trailing_break {
        analysis.block_plain_allowed = false;
    }
    if trailing_space {
        analysis.block_allowed = false;
    }
    if break_space {
        analysis.block_plain_allowed = false;
        analysis.single_quoted_allowed = false;
    }
    if space_break || special {
        analysis.block_plain_allowed = false;
        analysis.single_quoted_allowed = false;
        analysis.block_allowed = false;
    }
    if line_breaks || block_indicators {
        analysis.block_plain_allowed = false;
    }
    analysis
}

/// `stringv`: the style goyaml.v2 requests for a string.
fn requested_style(s: &str) -> Style {
    let can_use_plain = resolve(s) == Resolved::Str && !is_base60_float(s);
    if s.contains('\n') {
        Style::Literal
    } else if can_use_plain {
        Style::Plain
    } else {
        Style::DoubleQuoted
    }
}

/// A JSON number as goyaml.v2 prints it after reading it back (`resolve` then `intv`,
/// `uintv` or `floatv`).
fn number_text(text: &str) -> String {
    match resolve(text) {
        Resolved::Int(i) => i.to_string(),
        Resolved::Uint(u) => u.to_string(),
        Resolved::Float(f) => format_float(f),
        _ => text.to_string(),
    }
}

/// `keyList.Less` for two string keys: runs of digits compare as numbers, letters sort
/// before other characters.
fn natural_cmp(a: &str, b: &str) -> Ordering {
    if natural_less(a, b) {
        Ordering::Less
    } else if natural_less(b, a) {
        Ordering::Greater
    } else {
        Ordering::Equal
    }
}

fn natural_less(a: &str, b: &str) -> bool {
    let (ar, br): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let digit = |c: char| c.is_numeric();
    for i in 0..ar.len().min(br.len()) {
        if ar[i] == br[i] {
            continue;
        }
        let (al, bl) = (ar[i].is_alphabetic(), br[i].is_alphabetic());
        if al && bl {
            return ar[i] < br[i];
        }
        if al || bl {
            return bl;
        }
        let (mut an, mut bn): (i64, i64) = (0, 0);
        if ar[i] == '0' || br[i] == '0' {
            let mut j = i;
            while j > 0 && digit(ar[j - 1]) {
                j -= 1;
                if ar[j] != '0' {
                    an = 1;
                    bn = 1;
                    break;
                }
            }
        }
        let value = |c: char| i64::from(c.to_digit(10).unwrap_or(0));
        let mut ai = i;
        while ai < ar.len() && digit(ar[ai]) {
            an = an.wrapping_mul(10).wrapping_add(value(ar[ai]));
            ai += 1;
        }
        let mut bi = i;
        while bi < br.len() && digit(br[bi]) {
            bn = bn.wrapping_mul(10).wrapping_add(value(br[bi]));
            bi += 1;
        }
        if an != bn {
            return an < bn;
        }
        if ai != bi {
            return ai < bi;
        }
        return ar[i] < br[i];
    }
    ar.len() < br.len()
}

/// Map entries in goyaml.v2's order.
fn sorted_entries(map: &Map<String, Value>) -> Vec<(&String, &Value)> {
    let mut entries: Vec<_> = map.iter().collect();
    entries.sort_by(|(a, _), (b, _)| natural_cmp(a, b));
    entries
}

impl Emitter {
    fn new() -> Self {
        Emitter {
            out: String::new(),
            column: 0,
            whitespace: true,
            indention: true,
            indent: -1,
            indents: Vec::new(),
        }
    }

    fn put(&mut self, c: char) {
        self.out.push(c);
        self.column += 1;
    }

    fn put_break(&mut self) {
        self.out.push('\n');
        self.column = 0;
    }

    fn write_break(&mut self, c: char) {
        if c == '\n' {
            self.put_break();
        } else {
            self.out.push(c);
            self.column = 0;
        }
    }

    fn increase_indent(&mut self, flow: bool, indentless: bool) {
        self.indents.push(self.indent);
        if self.indent < 0 {
            self.indent = if flow { BEST_INDENT } else { 0 };
        } else if !indentless {
            self.indent += BEST_INDENT;
        }
    }

    fn pop_indent(&mut self) {
        self.indent = self.indents.pop().unwrap_or(-1);
    }

    fn write_indent(&mut self) {
        let indent = self.indent.max(0) as usize;
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.put_break();
        }
        while self.column < indent {
            self.put(' ');
        }
        self.whitespace = true;
        self.indention = true;
    }

    fn write_indicator(
        &mut self,
        indicator: &str,
        need_whitespace: bool,
        is_whitespace: bool,
        is_indention: bool,
    ) {
        if need_whitespace && !self.whitespace {
            self.put(' ');
        }
        indicator.chars().for_each(|c| self.put(c));
        self.whitespace = is_whitespace;
        self.indention = self.indention && is_indention;
    }

    fn node(&mut self, value: &Value, context: Context) {
        match value {
            Value::Null => self.scalar("null", Style::Plain, context),
            Value::Bool(b) => self.scalar(if *b { "true" } else { "false" }, Style::Plain, context),
            Value::Number(n) => self.scalar(&number_text(&n.to_string()), Style::Plain, context),
            Value::String(s) => self.scalar(s, requested_style(s), context),
            Value::Array(items) if items.is_empty() => self.empty_flow("[]"),
            Value::Object(map) if map.is_empty() => self.empty_flow("{}"),
            Value::Array(items) => {
                self.increase_indent(false, context.mapping && !self.indention);
                for item in items {
                    self.write_indent();
                    self.write_indicator("-", true, false, true);
                    self.node(
                        item,
                        Context {
                            mapping: false,
                            simple_key: false,
                        },
                    );
                }
                self.pop_indent();
            }
            Value::Object(map) => {
                self.increase_indent(false, false);
                for (key, item) in sorted_entries(map) {
                    self.write_indent();
                    let key_node = Value::String(key.clone());
                    let in_mapping = |simple_key| Context {
                        mapping: true,
                        simple_key,
                    };
                    // yaml_emitter_check_simple_key: single-line and at most 128 bytes.
                    if !analyze(key).multiline && key.len() <= 128 {
                        self.node(&key_node, in_mapping(true));
                        self.write_indicator(":", false, false, false);
                    } else {
                        self.write_indicator("?", true, false, true);
                        self.node(&key_node, in_mapping(false));
                        self.write_indent();
                        self.write_indicator(":", true, false, true);
                    }
                    self.node(item, in_mapping(false));
                }
                self.pop_indent();
            }
        }
    }

    /// An empty collection: libyaml switches to flow style and writes `[]` / `{}`.
    fn empty_flow(&mut self, text: &str) {
        self.write_indicator(&text[..1], true, true, false);
        self.write_indicator(&text[1..], false, false, false);
    }

    /// `yaml_emitter_emit_scalar`: select the style, then write.
    fn scalar(&mut self, value: &str, requested: Style, context: Context) {
        let analysis = analyze(value);
        let mut style = requested;
        if context.simple_key && analysis.multiline {
            style = Style::DoubleQuoted;
        }
        if style == Style::Plain
            && (!analysis.block_plain_allowed || (value.is_empty() && context.simple_key))
        {
            style = Style::SingleQuoted;
        }
        if style == Style::SingleQuoted && !analysis.single_quoted_allowed {
            style = Style::DoubleQuoted;
        }
        if style == Style::Literal && (!analysis.block_allowed || context.simple_key) {
            style = Style::DoubleQuoted;
        }
        self.increase_indent(true, false);
        let allow_breaks = !context.simple_key;
        match style {
            Style::Plain => self.write_plain(value, allow_breaks),
            Style::SingleQuoted => self.write_single_quoted(value, allow_breaks),
            Style::DoubleQuoted => self.write_double_quoted(value, allow_breaks),
            Style::Literal => self.write_literal(value),
        }
        self.pop_indent();
    }

    fn write_plain(&mut self, value: &str, allow_breaks: bool) {
        if !self.whitespace {
            self.put(' ');
        }
        let chars: Vec<char> = value.chars().collect();
        let (mut spaces, mut breaks) = (false, false);
        for (i, &c) in chars.iter().enumerate() {
            if c == ' ' {
                if allow_breaks
                    && !spaces
                    && self.column > BEST_WIDTH
                    && chars.get(i + 1) != Some(&' ')
                {
                    self.write_indent();
                } else {
                    self.put(c);
                }
                spaces = true;
            } else if is_break(c) {
                if !breaks && c == '\n' {
                    self.put_break();
                }
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.put(c);
                self.indention = false;
                spaces = false;
                breaks = false;
            }
        }
        self.whitespace = false;
        self.indention = false;
    }

    fn write_single_quoted(&mut self, value: &str, allow_breaks: bool) {
        self.write_indicator("'", true, false, false);
        let chars: Vec<char> = value.chars().collect();
        let (mut spaces, mut breaks) = (false, false);
        for (i, &c) in chars.iter().enumerate() {
            if c == ' ' {
                if allow_breaks
                    && !spaces
                    && self.column > BEST_WIDTH
                    && i > 0
                    && i + 1 < chars.len()
                    && chars.get(i + 1) != Some(&' ')
                {
                    self.write_indent();
                } else {
                    self.put(c);
                }
                spaces = true;
            } else if is_break(c) {
                if !breaks && c == '\n' {
                    self.put_break();
                }
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                if c == '\'' {
                    self.put('\'');
                }
                self.put(c);
                self.indention = false;
                spaces = false;
                breaks = false;
            }
        }
        self.write_indicator("'", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn write_double_quoted(&mut self, value: &str, allow_breaks: bool) {
        self.write_indicator("\"", true, false, false);
        let chars: Vec<char> = value.chars().collect();
        let mut spaces = false;
        for (i, &c) in chars.iter().enumerate() {
            if !is_printable(c) || c == '\u{feff}' || is_break(c) || c == '"' || c == '\\' {
                self.put('\\');
                let short = match c {
                    '\0' => Some('0'),
                    '\u{7}' => Some('a'),
                    '\u{8}' => Some('b'),
                    '\t' => Some('t'),
                    '\n' => Some('n'),
                    '\u{b}' => Some('v'),
                    '\u{c}' => Some('f'),
                    '\r' => Some('r'),
                    '\u{1b}' => Some('e'),
                    '"' => Some('"'),
                    '\\' => Some('\\'),
                    '\u{85}' => Some('N'),
                    '\u{a0}' => Some('_'),
                    '\u{2028}' => Some('L'),
                    '\u{2029}' => Some('P'),
                    _ => None,
                };
                match short {
                    Some(letter) => self.put(letter),
                    None => {
                        let code = u32::from(c);
                        let (letter, width) = match code {
                            0..=0xff => ('x', 2),
                            0x100..=0xffff => ('u', 4),
                            _ => ('U', 8),
                        };
                        self.put(letter);
                        for ch in format!("{code:0width$X}").chars() {
                            self.put(ch);
                        }
                    }
                }
                spaces = false;
            } else if c == ' ' {
                if allow_breaks
                    && !spaces
                    && self.column > BEST_WIDTH
                    && i > 0
                    && i + 1 < chars.len()
                {
                    self.write_indent();
                    if chars.get(i + 1) == Some(&' ') {
                        self.put('\\');
                    }
                } else {
                    self.put(c);
                }
                spaces = true;
            } else {
                self.put(c);
                spaces = false;
            }
        }
        self.write_indicator("\"", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn write_literal(&mut self, value: &str) {
        self.write_indicator("|", true, false, false);
        let chars: Vec<char> = value.chars().collect();
        if chars.first().is_some_and(|&c| c == ' ' || is_break(c)) {
            self.write_indicator(&BEST_INDENT.to_string(), false, false, false);
        }
        let chomp = match chars.as_slice() {
            [] => Some("-"),
            [.., last] if !is_break(*last) => Some("-"),
            [_] => Some("+"),
            [.., before, _] if is_break(*before) => Some("+"),
            _ => None,
        };
        if let Some(hint) = chomp {
            self.write_indicator(hint, false, false, false);
        }
        self.put_break();
        self.indention = true;
        self.whitespace = true;
        let mut breaks = true;
        for &c in &chars {
            if is_break(c) {
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.put(c);
                self.indention = false;
                breaks = false;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn yaml(value: Value) -> String {
        json_to_yaml(&value).unwrap()
    }

    // sigs.k8s.io/yaml v1.4.0 yaml.go `JSONToYAML` -> goyaml.v2 sorter.go `keyList.Less`:
    // digit runs compare as numbers.
    #[test]
    fn keys_come_in_natural_order() {
        let out = yaml(json!({"item10": 1, "item9": 2, "item2": 3, "b": 4, "a1": 5, "a": 6}));
        assert_eq!(out, "a: 6\na1: 5\nb: 4\nitem2: 3\nitem9: 2\nitem10: 1\n");
    }

    // goyaml.v2 encode.go `stringv`: a string `resolve` would read as another type (or
    // `isBase60Float`) is requested double-quoted.
    #[test]
    fn strings_that_read_as_other_types_are_double_quoted() {
        let out = yaml(json!({
            "a": "true", "b": "8080", "c": "on", "d": "", "e": "1:20", "f": "2001-12-14",
            "g": "null", "h": "1e3", "i": "yes", "j": "plain text", "k": "012", "on": "x"
        }));
        assert_eq!(
            out,
            "a: \"true\"\nb: \"8080\"\nc: \"on\"\nd: \"\"\ne: \"1:20\"\nf: \"2001-12-14\"\n\
             g: \"null\"\nh: \"1e3\"\ni: \"yes\"\nj: plain text\nk: \"012\"\n\"on\": x\n"
        );
    }

    // emitterc.go `yaml_emitter_analyze_scalar` / `select_scalar_style`: indicators force
    // single quotes, specials (tab) double quotes, newlines a literal block.
    #[test]
    fn libyaml_style_fallbacks() {
        let out = yaml(json!({
            "a": "- x", "b": "x: y", "c": "#c", "d": "tab\there", "e": "line1\nline2\n",
            "f": "no newline\nat end", "g": " lead", "h": "it's", "i": "trailing \nspace"
        }));
        assert_eq!(
            out,
            "a: '- x'\nb: 'x: y'\nc: '#c'\nd: \"tab\\there\"\ne: |\n  line1\n  line2\n\
             f: |-\n  no newline\n  at end\ng: ' lead'\nh: it's\ni: \"trailing \\nspace\"\n"
        );
    }

    // encode.go `intv`/`uintv`/`floatv` after goyaml.v2 re-reads the JSON numbers.
    #[test]
    fn numbers_and_collections() {
        let value = crate::json::parse(
            r#"{"f":1.0,"g":2.50,"h":1e3,"i":12345678901234567890,"j":1234567.5,
                "l":[1,[2,3],{"x":null,"y":true}],"m":{},"n":[],"o":{"p":{"q":"r"}}}"#,
        )
        .unwrap();
        assert_eq!(
            json_to_yaml(&value).unwrap(),
            "f: 1\ng: 2.5\nh: 1000\ni: 12345678901234567890\nj: 1.2345675e+06\nl:\n- 1\n\
             - - 2\n  - 3\n- x: null\n  \"y\": true\nm: {}\n\"n\": []\no:\n  p:\n    q: r\n"
        );
        assert_eq!(yaml(json!("x")), "x\n");
        assert_eq!(yaml(json!({})), "{}\n");
    }

    // sigs.k8s.io/yaml `JSONToYAML` reads the JSON as YAML first: goyaml.v2 readerc.go
    // refuses C1 controls, and a raw NEL is a line break folded in a quoted scalar.
    #[test]
    fn the_json_is_read_back_as_yaml_first() {
        assert!(json_to_yaml(&json!({"a": "x\u{7f}"})).is_err());
        assert_eq!(
            yaml(json!({"a": "a\u{85}b", "b": "a \u{85}\u{85} b"})),
            "a: a b\nb: |-\n  a\n  b\n"
        );
    }

    // emitterc.go `yaml_emitter_write_plain_scalar`: a space past column 80 becomes a
    // line break indented under the key (goyaml.v2 v2.4.0 reverted unlimited width).
    #[test]
    fn long_lines_fold_at_80_columns() {
        let words = vec!["word"; 30].join(" ");
        let out = yaml(json!({ "key": words }));
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 2, "{out}");
        assert!(lines[0].len() > 80 && lines[0].len() <= 85, "{out}");
        assert!(lines[1].starts_with("  word"), "{out}");
    }
}
