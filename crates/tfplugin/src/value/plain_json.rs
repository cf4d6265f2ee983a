//! Plain JSON documents (no type alongside) as Terraform values and back, the way Terraform's
//! own `jsondecode` and `jsonencode` see them: an object is an object type, an array a tuple,
//! a null has no type. Functions that hand Kubernetes objects to configurations use it.

use std::collections::BTreeMap;

use serde_json::Value as Json;

use super::{AttributePath, Number, Type, Value, ValueError};

/// The type and value `jsondecode` would give for `json`. Numbers stay exact.
pub fn from_plain_json(json: &Json) -> Result<(Type, Value), ValueError> {
    from_json_at(json, &AttributePath::root())
}

fn from_json_at(json: &Json, path: &AttributePath) -> Result<(Type, Value), ValueError> {
    Ok(match json {
        // A null carries no type: Terraform's `jsondecode("null")` is a dynamic null.
        Json::Null => (Type::Dynamic, Value::Null),
        Json::Bool(b) => (Type::Bool, Value::Bool(*b)),
        Json::String(s) => (Type::String, Value::String(s.clone())),
        Json::Number(n) => {
            let number = Number::parse(&n.to_string()).map_err(|e| match e {
                ValueError::InvalidNumber { text, reason, .. } => ValueError::InvalidNumber {
                    path: path.clone(),
                    text,
                    reason,
                },
                other => other,
            })?;
            (Type::Number, Value::Number(number))
        }
        Json::Array(items) => {
            let mut types = Vec::with_capacity(items.len());
            let mut values = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                let (ty, value) = from_json_at(item, &path.clone().index(i as i64))?;
                types.push(ty);
                values.push(value);
            }
            (Type::Tuple(types), Value::Tuple(values))
        }
        Json::Object(entries) => {
            let mut types = BTreeMap::new();
            let mut values = BTreeMap::new();
            for (key, item) in entries {
                let (ty, value) = from_json_at(item, &path.clone().attr(key))?;
                types.insert(key.clone(), ty);
                values.insert(key.clone(), value);
            }
            (Type::Object(types), Value::Object(values))
        }
    })
}

/// Why a value has no plain JSON form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlainJsonError {
    /// Unknown values are only known at apply.
    #[error("at {path}: the value is not known yet")]
    Unknown {
        /// Where in the value.
        path: AttributePath,
    },
    /// JSON has no infinity.
    #[error("at {path}: {number} has no JSON form")]
    Infinite {
        /// Where in the value.
        path: AttributePath,
        /// `inf` or `-inf`.
        number: String,
    },
}

/// The JSON `jsonencode` would write for a wholly known `value`: lists, sets and tuples become
/// arrays, maps and objects become objects, numbers keep every digit.
pub fn to_plain_json(value: &Value) -> Result<Json, PlainJsonError> {
    to_json_at(value, &AttributePath::root())
}

fn to_json_at(value: &Value, path: &AttributePath) -> Result<Json, PlainJsonError> {
    Ok(match value {
        Value::Null => Json::Null,
        Value::Unknown(_) => return Err(PlainJsonError::Unknown { path: path.clone() }),
        Value::String(s) => Json::String(s.clone()),
        Value::Bool(b) => Json::Bool(*b),
        Value::Number(n) => {
            if n.is_infinite() {
                return Err(PlainJsonError::Infinite {
                    path: path.clone(),
                    number: n.to_string(),
                });
            }
            // Number's Display is a plain decimal, which serde_json (arbitrary precision)
            // keeps digit for digit.
            Json::Number(
                n.to_string()
                    .parse()
                    .unwrap_or_else(|_| unreachable!("a finite Number prints as a JSON number")),
            )
        }
        Value::List(items) | Value::Set(items) | Value::Tuple(items) => Json::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| to_json_at(item, &path.clone().index(i as i64)))
                .collect::<Result<_, _>>()?,
        ),
        Value::Map(entries) => Json::Object(
            entries
                .iter()
                .map(|(k, v)| Ok((k.clone(), to_json_at(v, &path.clone().key(k))?)))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(entries) => Json::Object(
            entries
                .iter()
                .map(|(k, v)| Ok((k.clone(), to_json_at(v, &path.clone().attr(k))?)))
                .collect::<Result<_, _>>()?,
        ),
        Value::Dynamic(_, inner) => to_json_at(inner, path)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::msgpack;

    #[test]
    fn objects_are_objects_and_arrays_tuples() {
        let json: Json = serde_json::from_str(
            r#"{"kind":"ConfigMap","data":{"a":"1"},"list":[1,"x"],"gone":null}"#,
        )
        .unwrap();
        let (ty, value) = from_plain_json(&json).unwrap();
        assert_eq!(
            ty.to_json(),
            r#"["object",{"data":["object",{"a":"string"}],"gone":"dynamic","kind":"string","list":["tuple",["number","string"]]}]"#
        );
        // The pair encodes: a null attribute of dynamic type is a bare nil.
        msgpack::encode(&Value::dynamic(ty.clone(), value.clone()), &Type::Dynamic).unwrap();
        assert_eq!(to_plain_json(&value).unwrap(), json);
    }

    #[test]
    fn numbers_keep_every_digit_both_ways() {
        let json: Json = serde_json::from_str(r#"[12345678901234567890123, 0.1, -3]"#).unwrap();
        let (_, value) = from_plain_json(&json).unwrap();
        assert_eq!(
            to_plain_json(&value).unwrap().to_string(),
            "[12345678901234567890123,0.1,-3]"
        );
    }

    #[test]
    fn unknowns_and_infinities_have_no_json() {
        let unknown = Value::Object([("a".to_string(), Value::unknown())].into());
        assert_eq!(
            to_plain_json(&unknown).unwrap_err().to_string(),
            "at a: the value is not known yet"
        );
        let inf = Value::Number(Number::infinity(false));
        assert!(matches!(
            to_plain_json(&inf),
            Err(PlainJsonError::Infinite { .. })
        ));
    }
}
