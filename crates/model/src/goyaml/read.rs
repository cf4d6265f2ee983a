//! `yaml.YAMLToJSON` as sigs.k8s.io/yaml v1.4.0 does it: goyaml.v2 reads the text (YAML
//! 1.1), then the tree is converted to JSON (`convertToJSONableObject`).
//!
//! The text is parsed by `serde_norway` (libyaml, like goyaml.v2), which resolves plain
//! scalars by YAML 1.2 rules. The strings it hands back unresolved are re-resolved by
//! [`resolve`] when they were written plain: a scalar is plain when the parser lends it
//! straight out of the text and it is not enclosed in quotes there. Scalars the parser has
//! to rewrite (escapes, folded lines) are quoted or multi-line, and strings either way.

use std::fmt;

use serde::de::{DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use super::resolve::{Resolved, resolve};
use crate::yaml::{YamlError, check_limits, go_float, json_fast_path};

/// Convert one YAML document to JSON as goyaml.v2 reads it (`on` is `true`, `012` is 10).
pub fn yaml_to_json(text: &str) -> Result<Value, YamlError> {
    check_limits(text)?;
    if let Some(value) = json_fast_path(text) {
        return value;
    }
    let deserializer = serde_norway::Deserializer::from_str(text);
    Ok(Node { text }.deserialize(deserializer)?)
}

/// One node of the document; `text` is the whole input, to tell plain scalars apart.
#[derive(Clone, Copy)]
struct Node<'t> {
    text: &'t str,
}

impl<'de> DeserializeSeed<'de> for Node<'de> {
    type Value = Value;

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

/// Whether `scalar`, lent from `text`, stands there without enclosing quotes.
fn is_plain(text: &str, scalar: &str) -> bool {
    let base = text.as_ptr() as usize;
    let start = scalar.as_ptr() as usize;
    if start < base || start + scalar.len() > base + text.len() {
        return false;
    }
    let start = start - base;
    let bytes = text.as_bytes();
    let before = start.checked_sub(1).and_then(|i| bytes.get(i));
    let after = bytes.get(start + scalar.len());
    if matches!(before, Some(b'"' | b'\'')) && before == after {
        return false;
    }
    // A tagged scalar (`!!str 123`) is not resolved: its tag says what it is.
    let preceding = text[..start].trim_end_matches([' ', '\t']);
    let token = preceding
        .rsplit(|c: char| c.is_whitespace() || "[{,".contains(c))
        .next()
        .unwrap_or_default();
    !token.starts_with('!')
}

fn float<E: serde::de::Error>(f: f64) -> Result<Value, E> {
    go_float(f)
        .map(Value::Number)
        .ok_or_else(|| E::custom(format!("the number {f} cannot be represented in JSON")))
}

/// A plain scalar the YAML 1.2 parser left as a string, resolved by YAML 1.1 rules.
fn plain<E: serde::de::Error>(s: &str) -> Result<Value, E> {
    Ok(match resolve(s) {
        Resolved::Null => Value::Null,
        Resolved::Bool(b) => Value::Bool(b),
        Resolved::Int(i) => Value::Number(Number::from(i)),
        Resolved::Uint(u) => Value::Number(Number::from(u)),
        Resolved::Float(f) => return float(f),
        Resolved::Timestamp | Resolved::Str => Value::String(s.to_string()),
    })
}

/// `convertToJSONableObject`'s spelling of a non-string map key (a null key is an error).
fn key_string<E: serde::de::Error>(key: Value) -> Result<String, E> {
    match key {
        Value::String(s) => Ok(s),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Null => Err(E::custom(
            "a map key is null (`~`, `null` or nothing), which sigs.k8s.io/yaml refuses",
        )),
        other => Err(E::custom(format!(
            "a map key must be a scalar, found {}",
            if other.is_array() {
                "a sequence"
            } else {
                "a mapping"
            }
        ))),
    }
}

impl<'de> Visitor<'de> for Node<'de> {
    type Value = Value;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a YAML value")
    }

    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(Number::from(v)))
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(Number::from(v)))
    }

    // Beyond 64 bits goyaml.v2 falls back to float64.
    fn visit_i128<E: serde::de::Error>(self, v: i128) -> Result<Value, E> {
        float(v as f64)
    }

    fn visit_u128<E: serde::de::Error>(self, v: u128) -> Result<Value, E> {
        float(v as f64)
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Value, E> {
        float(v)
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_borrowed_str<E: serde::de::Error>(self, v: &'de str) -> Result<Value, E> {
        if is_plain(self.text, v) {
            plain(v)
        } else {
            Ok(Value::String(v.to_string()))
        }
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(self)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key_seed(self)? {
            let key = key_string(key)?;
            let value = map.next_value_seed(self)?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }

    // A custom tag (`!foo {a: 1}`): the value is kept, the tag dropped, as `yaml.YAMLToJSON`
    // drops it.
    fn visit_enum<A: serde::de::EnumAccess<'de>>(self, data: A) -> Result<Value, A::Error> {
        use serde::de::VariantAccess;
        let (_tag, content) = data.variant::<String>()?;
        content.newtype_variant_seed(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    // sigs.k8s.io/yaml v1.4.0 yaml.go `YAMLToJSON` -> goyaml.v2 resolve.go `resolve`:
    // unquoted YAML 1.1 words are booleans, quoted ones stay strings.
    #[test]
    fn yaml_1_1_scalars_read_as_goyaml_v2_reads_them() {
        let value = yaml_to_json(
            "a: on\nb: 'on'\nc: \"on\"\nd: y\ne: yes\nf: off\ng: No\nh: 012\ni: 1_000\n\
             j: 2001-12-14\nk: 1.0\nl: [on, 'off', ~]\non: key\n\"off\": quoted key\nm: onion\n",
        )
        .unwrap();
        assert_eq!(
            value,
            json!({
                "a": true, "b": "on", "c": "on", "d": true, "e": true, "f": false, "g": false,
                "h": 10, "i": 1000, "j": "2001-12-14", "k": 1, "l": [true, "off", null],
                "true": "key", "off": "quoted key", "m": "onion"
            })
        );
    }

    // sigs.k8s.io/yaml yaml.go `convertToJSONableObject`: a nil key is an error.
    #[test]
    fn null_keys_are_refused() {
        assert!(yaml_to_json("~: x\n").is_err());
        assert!(yaml_to_json("null: x\n").is_err());
    }

    #[test]
    fn block_scalars_and_escapes_stay_strings() {
        let value =
            yaml_to_json("a: |\n  on\nb: \"o\\u006e\"\nc: >-\n  yes\nd: !!str on\ne: !!str 12\n")
                .unwrap();
        assert_eq!(
            value,
            json!({"a": "on\n", "b": "on", "c": "yes", "d": "on", "e": "12"})
        );
    }
}
