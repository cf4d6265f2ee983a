//! YAML <-> JSON conversion for input objects and output streams (YAML 1.2). Override
//! values and the YAML inside patched fields are read and written by [`crate::goyaml`], as
//! Clusternet's `sigs.k8s.io/yaml` (YAML 1.1) does.
//!
//! The YAML crate is `serde_norway`, a maintained fork of the deprecated
//! `serde_yaml` with the same API; it is used only to parse YAML into its own value
//! tree and to print such a tree. Conversion to and from `serde_json::Value` is done
//! here, by hand, because `serde_json`'s exact-number representation
//! (`arbitrary_precision`) does not survive a direct serde round trip through
//! another format, and because Go's float formatting has to be reproduced.

use serde::Deserialize;
use serde_json::{Map, Number, Value};
use serde_norway::Value as Yaml;

/// Why YAML could not be converted.
#[derive(Debug, thiserror::Error)]
pub enum YamlError {
    /// The text is not valid YAML.
    #[error("invalid YAML: {0}")]
    Syntax(#[from] serde_norway::Error),
    /// The YAML holds something JSON cannot (a non-scalar map key, NaN, ...).
    #[error("YAML value cannot be represented as JSON: {0}")]
    NotJson(String),
    /// The text is longer than anything the API server accepts.
    #[error(
        "the text is {bytes} bytes, more than the {MAX_TEXT_BYTES} bytes (3 MiB) the Kubernetes \
         API server accepts in one request"
    )]
    TooLarge {
        /// Its length.
        bytes: usize,
    },
    /// The text nests collections deeper than [`MAX_DEPTH`].
    #[error(
        "the text nests collections more than {MAX_DEPTH} levels deep (at line {line}); no \
         Kubernetes object needs that many"
    )]
    TooDeep {
        /// The line (1-based) where the limit is passed.
        line: usize,
    },
}

/// The longest text parsed: the Kubernetes API server's limit on a request body
/// (`MaxRequestBodyBytes`, 3 MiB).
pub const MAX_TEXT_BYTES: usize = 3 * 1024 * 1024;

/// The deepest nesting parsed: the limit `serde_json` and the YAML parser enforce themselves
/// (128), but only after the YAML parser has read the whole text, in time quadratic in its
/// depth. Deep input is therefore refused before it is parsed; real objects and values nest
/// a few dozen levels.
pub const MAX_DEPTH: usize = 128;

/// Refuses text too long or nested too deep to parse in reasonable time, before parsing.
///
/// The depth is estimated from the text alone, generously: flow collections (`[`, `{`
/// outside quotes) plus block nesting (increasing indentation, and `- ` items that open a
/// sequence on the same line). Lines of block scalars (`|`, `>`) are skipped.
pub fn check_limits(text: &str) -> Result<(), YamlError> {
    if text.len() > MAX_TEXT_BYTES {
        return Err(YamlError::TooLarge { bytes: text.len() });
    }
    let mut flow = 0usize;
    let mut indents: Vec<usize> = Vec::new();
    let mut scalar_indent: Option<usize> = None;
    for (number, line) in text.lines().enumerate() {
        let body = line.trim_start_matches(' ');
        let indent = line.len() - body.len();
        if let Some(parent) = scalar_indent {
            if body.trim().is_empty() || indent > parent {
                continue;
            }
            scalar_indent = None;
        }
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        let mut block = 0;
        if flow == 0 {
            while indents.last().is_some_and(|&top| top >= indent) {
                indents.pop();
            }
            indents.push(indent);
            let mut rest = body;
            while let Some(after) = rest.strip_prefix("- ").or_else(|| rest.strip_prefix("? ")) {
                block += 1;
                rest = after.trim_start_matches(' ');
            }
        }
        let mut quote: Option<char> = None;
        let mut previous = ' ';
        let mut chars = body.chars().peekable();
        while let Some(c) = chars.next() {
            match (quote, c) {
                (Some('"'), '\\') => {
                    chars.next();
                }
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') if previous == ' ' || "[{,:".contains(previous) => {
                    quote = Some(c)
                }
                (None, '#') if previous == ' ' => break,
                (None, '[' | '{') => {
                    flow += 1;
                    if indents.len() + block + flow > MAX_DEPTH {
                        return Err(YamlError::TooDeep { line: number + 1 });
                    }
                }
                (None, ']' | '}') => flow = flow.saturating_sub(1),
                _ => {}
            }
            previous = c;
        }
        if indents.len() + block + flow > MAX_DEPTH {
            return Err(YamlError::TooDeep { line: number + 1 });
        }
        let trimmed = body.trim_end();
        if flow == 0
            && quote.is_none()
            && trimmed
                .rsplit(' ')
                .next()
                .is_some_and(|last| last.starts_with(['|', '>']) && last.len() <= 3)
        {
            scalar_indent = Some(indent);
        }
    }
    Ok(())
}

/// Convert one YAML (or JSON) document to a JSON value, like `yaml.YAMLToJSON`.
///
/// An empty document becomes `null`.
pub fn yaml_to_json(text: &str) -> Result<Value, YamlError> {
    check_limits(text)?;
    if let Some(value) = json_fast_path(text) {
        return value;
    }
    let yaml: Yaml = serde_norway::from_str(text)?;
    convert_from_yaml(yaml)
}

/// Most override values are JSON, which is YAML (1.1 and 1.2 alike). Parsing them as JSON
/// gives the same tree once floats are re-formatted the way the YAML path (float64) does.
/// `None` when the text is not a JSON object or array.
pub(crate) fn json_fast_path(text: &str) -> Option<Result<Value, YamlError>> {
    let start = text.trim_start();
    if !(start.starts_with('{') || start.starts_with('[')) {
        return None;
    }
    let mut value = serde_json::from_str::<Value>(text).ok()?;
    Some(normalize_numbers(&mut value).map(|()| value))
}

/// Integers stay as they are; any other number goes through float64, as in Go.
fn normalize_numbers(value: &mut Value) -> Result<(), YamlError> {
    match value {
        Value::Number(n) if n.as_i64().is_none() && n.as_u64().is_none() => {
            let f = n
                .as_f64()
                .ok_or_else(|| YamlError::NotJson(format!("number {n}")))?;
            *n = go_float(f)
                .ok_or_else(|| YamlError::NotJson(format!("number {n} is not finite")))?;
        }
        Value::Array(items) => items.iter_mut().try_for_each(normalize_numbers)?,
        Value::Object(map) => map.values_mut().try_for_each(normalize_numbers)?,
        _ => {}
    }
    Ok(())
}

/// Parse a stream of YAML documents separated by `---`; empty documents are dropped.
pub fn parse_stream(text: &str) -> Result<Vec<Value>, YamlError> {
    check_limits(text)?;
    let mut docs = Vec::new();
    for document in serde_norway::Deserializer::from_str(text) {
        let yaml = Yaml::deserialize(document)?;
        let value = convert_from_yaml(yaml)?;
        if !value.is_null() {
            docs.push(value);
        }
    }
    Ok(docs)
}

/// Print a JSON value as YAML (sorted keys, two-space indentation), like `yaml.JSONToYAML`.
pub fn json_to_yaml(value: &Value) -> String {
    serde_norway::to_string(&convert_to_yaml(value)).unwrap_or_else(|_| String::from("null\n"))
}

/// Print several values as one YAML stream, documents separated by `---`.
pub fn to_stream(values: &[Value]) -> String {
    let mut out = String::new();
    for value in values {
        out.push_str("---\n");
        out.push_str(&json_to_yaml(value));
    }
    out
}

fn convert_from_yaml(yaml: Yaml) -> Result<Value, YamlError> {
    Ok(match yaml {
        Yaml::Null => Value::Null,
        Yaml::Bool(b) => Value::Bool(b),
        Yaml::Number(n) => Value::Number(number_from_yaml(&n)?),
        Yaml::String(s) => Value::String(s),
        Yaml::Sequence(items) => Value::Array(
            items
                .into_iter()
                .map(convert_from_yaml)
                .collect::<Result<_, _>>()?,
        ),
        Yaml::Mapping(mapping) => {
            let mut map = Map::new();
            for (key, item) in mapping {
                map.insert(key_to_string(key)?, convert_from_yaml(item)?);
            }
            Value::Object(map)
        }
        Yaml::Tagged(tagged) => convert_from_yaml(tagged.value)?,
    })
}

fn key_to_string(key: Yaml) -> Result<String, YamlError> {
    Ok(match key {
        Yaml::String(s) => s,
        Yaml::Bool(b) => b.to_string(),
        Yaml::Null => String::from("null"),
        Yaml::Number(n) => number_from_yaml(&n)?.to_string(),
        Yaml::Tagged(tagged) => key_to_string(tagged.value)?,
        other => {
            return Err(YamlError::NotJson(format!(
                "map key {other:?} is not a scalar"
            )));
        }
    })
}

fn number_from_yaml(n: &serde_norway::Number) -> Result<Number, YamlError> {
    if let Some(i) = n.as_i64() {
        return Ok(Number::from(i));
    }
    if let Some(u) = n.as_u64() {
        return Ok(Number::from(u));
    }
    let f = n
        .as_f64()
        .ok_or_else(|| YamlError::NotJson(format!("number {n}")))?;
    go_float(f).ok_or_else(|| YamlError::NotJson(format!("number {n} is not finite")))
}

/// Format a float64 the way Go's `encoding/json` does (`1` for 1.0, `1e+21`, `1e-7`).
pub fn go_float(f: f64) -> Option<Number> {
    if !f.is_finite() {
        return None;
    }
    let abs = f.abs();
    let text = if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        let s = format!("{f:e}");
        // Go writes a sign and at least one exponent digit: 1e+21, 1e-07 -> 1e-7.
        match s.split_once('e') {
            Some((mantissa, exp)) if !exp.starts_with('-') => format!("{mantissa}e+{exp}"),
            _ => s,
        }
    } else {
        format!("{f}")
    };
    serde_json::from_str(&text).ok()
}

fn convert_to_yaml(value: &Value) -> Yaml {
    match value {
        Value::Null => Yaml::Null,
        Value::Bool(b) => Yaml::Bool(*b),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Yaml::Number(i.into())
            } else if let Some(u) = n.as_u64() {
                Yaml::Number(u.into())
            } else {
                match n.as_f64() {
                    Some(f) if f.is_finite() => Yaml::Number(f.into()),
                    _ => Yaml::String(n.to_string()),
                }
            }
        }
        Value::String(s) => Yaml::String(s.clone()),
        Value::Array(items) => Yaml::Sequence(items.iter().map(convert_to_yaml).collect()),
        Value::Object(map) => {
            let mut mapping = serde_norway::Mapping::with_capacity(map.len());
            for (key, item) in map {
                mapping.insert(Yaml::String(key.clone()), convert_to_yaml(item));
            }
            Yaml::Mapping(mapping)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_nesting_is_refused_before_parsing() {
        let started = std::time::Instant::now();
        for text in [
            format!("{}{}", "[".repeat(20_000), "]".repeat(20_000)),
            format!("{}1{}", "{\"a\":".repeat(20_000), "}".repeat(20_000)),
            (0..300)
                .map(|i| format!("{}k{i}:\n", " ".repeat(i)))
                .collect(),
            format!("{}x\n", "- ".repeat(300)),
        ] {
            assert!(
                matches!(yaml_to_json(&text), Err(YamlError::TooDeep { .. })),
                "{}",
                &text[..40]
            );
            assert!(matches!(
                parse_stream(&text),
                Err(YamlError::TooDeep { .. })
            ));
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
        let ok = format!(
            "{}1{}",
            "[".repeat(MAX_DEPTH - 1),
            "]".repeat(MAX_DEPTH - 1)
        );
        assert!(yaml_to_json(&ok).is_ok());
    }

    #[test]
    fn text_longer_than_the_api_server_takes_is_refused() {
        let text = format!("a: \"{}\"", "x".repeat(MAX_TEXT_BYTES));
        assert!(matches!(
            yaml_to_json(&text),
            Err(YamlError::TooLarge { .. })
        ));
    }

    #[test]
    fn block_scalars_quotes_and_comments_do_not_count_as_nesting() {
        let script: String = (0..400)
            .map(|i| format!("    {}echo [[ {i}\n", " ".repeat(i % 7)))
            .collect();
        let text = format!(
            "data:\n  run.sh: |\n{script}  quoted: \"[[[[[[\" # [[[[[\n  single: '{{{{{{'\nnext: it's\n"
        );
        let value = yaml_to_json(&text).unwrap();
        assert_eq!(value["next"], "it's");
        assert_eq!(value["data"]["quoted"], "[[[[[[");
    }
    use serde_json::json;

    #[test]
    fn yaml_becomes_json_with_go_numbers() {
        let v = yaml_to_json("a: 1\nb: 1.0\nc: 2.5\nd: [x, null]\n1: one\n").unwrap();
        assert_eq!(
            crate::json::to_compact(&v),
            r#"{"1":"one","a":1,"b":1,"c":2.5,"d":["x",null]}"#
        );
    }

    #[test]
    fn json_fast_path_agrees_with_the_yaml_path() {
        for text in [
            r#"{"a":1.0,"b":[1e3,2.50,-0.0,10],"c":"x"}"#,
            "[1, 2.5e-7, {\"k\": null}]",
        ] {
            let fast = yaml_to_json(text).unwrap();
            let slow = convert_from_yaml(serde_norway::from_str(text).unwrap()).unwrap();
            assert_eq!(
                crate::json::to_compact(&fast),
                crate::json::to_compact(&slow),
                "{text}"
            );
        }
    }

    #[test]
    fn go_float_formatting() {
        assert_eq!(go_float(1e21).unwrap().to_string(), "1e+21");
        assert_eq!(go_float(1e-7).unwrap().to_string(), "1e-7");
        assert_eq!(go_float(0.5).unwrap().to_string(), "0.5");
    }

    #[test]
    fn stream_skips_empty_documents() {
        let docs = parse_stream("---\na: 1\n---\n---\nb: 2\n").unwrap();
        assert_eq!(docs, vec![json!({"a": 1}), json!({"b": 2})]);
    }

    #[test]
    fn json_prints_as_sorted_yaml() {
        let text = json_to_yaml(&json!({"b": [1, 2], "a": {"c": "x"}}));
        assert_eq!(text, "a:\n  c: x\nb:\n- 1\n- 2\n");
    }
}
