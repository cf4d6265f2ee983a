//! Reading typed fields out of Terraform values, keeping null and unknown apart.

use std::collections::BTreeMap;

use clusternet_tfplugin::Value;

/// A configuration field: unset, not known until apply, or known.
#[derive(Debug, Clone, PartialEq)]
pub enum Field<T> {
    /// Not set.
    Null,
    /// Depends on something not yet applied.
    Unknown,
    /// Set and known.
    Known(T),
}

impl<T> Field<T> {
    /// The value if known.
    pub fn known(self) -> Option<T> {
        match self {
            Field::Known(v) => Some(v),
            _ => None,
        }
    }

    /// Whether it is unknown.
    pub fn is_unknown(&self) -> bool {
        matches!(self, Field::Unknown)
    }

    /// Whether it is set (known or unknown).
    pub fn is_set(&self) -> bool {
        !matches!(self, Field::Null)
    }
}

fn classify(value: Option<&Value>) -> Field<&Value> {
    match value.map(Value::unwrap_dynamic) {
        None | Some(Value::Null) => Field::Null,
        Some(Value::Unknown(_)) => Field::Unknown,
        Some(v) => Field::Known(v),
    }
}

/// A string attribute of an object.
pub fn string(object: &Value, name: &str) -> Field<String> {
    match classify(object.get(name)) {
        Field::Known(v) => v
            .as_str()
            .map_or(Field::Null, |s| Field::Known(s.to_string())),
        Field::Unknown => Field::Unknown,
        Field::Null => Field::Null,
    }
}

/// A bool attribute of an object.
pub fn boolean(object: &Value, name: &str) -> Field<bool> {
    match classify(object.get(name)) {
        Field::Known(v) => v.as_bool().map_or(Field::Null, Field::Known),
        Field::Unknown => Field::Unknown,
        Field::Null => Field::Null,
    }
}

/// A number that is not a whole number within `i64`; it shows as the number as written, for
/// messages such as `priority = 1.5: use a whole number`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{text}")]
pub struct NotAnInteger {
    /// The number as Terraform sent it.
    pub text: String,
}

/// A number attribute of an object, as an `i64`.
pub fn integer(object: &Value, name: &str) -> Field<Result<i64, NotAnInteger>> {
    match classify(object.get(name)) {
        Field::Known(v) => v.as_number().map_or(Field::Null, |n| {
            Field::Known(n.as_i64().ok_or_else(|| NotAnInteger {
                text: n.to_string(),
            }))
        }),
        Field::Unknown => Field::Unknown,
        Field::Null => Field::Null,
    }
}

/// A map or object attribute, as its entries.
pub fn entries<'v>(object: &'v Value, name: &str) -> Field<&'v BTreeMap<String, Value>> {
    match classify(object.get(name)) {
        Field::Known(v) => v.as_entries().map_or(Field::Null, Field::Known),
        Field::Unknown => Field::Unknown,
        Field::Null => Field::Null,
    }
}

/// A list, set or tuple attribute, as its elements.
pub fn elements<'v>(object: &'v Value, name: &str) -> Field<&'v [Value]> {
    match classify(object.get(name)) {
        Field::Known(v) => v.as_elements().map_or(Field::Null, Field::Known),
        Field::Unknown => Field::Unknown,
        Field::Null => Field::Null,
    }
}

/// A single nested object attribute.
pub fn object<'v>(object: &'v Value, name: &str) -> Field<&'v Value> {
    classify(object.get(name))
}

/// A `map(string)` attribute: unknown as a whole when any element is unknown.
pub fn string_map(object: &Value, name: &str) -> Field<BTreeMap<String, String>> {
    match entries(object, name) {
        Field::Known(map) => {
            let mut out = BTreeMap::new();
            for (k, v) in map {
                match v.unwrap_dynamic() {
                    Value::Unknown(_) => return Field::Unknown,
                    Value::String(s) => {
                        out.insert(k.clone(), s.clone());
                    }
                    _ => {}
                }
            }
            Field::Known(out)
        }
        Field::Unknown => Field::Unknown,
        Field::Null => Field::Null,
    }
}

/// A `list(string)` attribute: unknown as a whole when any element is unknown.
pub fn string_list(object: &Value, name: &str) -> Field<Vec<String>> {
    match elements(object, name) {
        Field::Known(items) => {
            let mut out = Vec::new();
            for v in items {
                match v.unwrap_dynamic() {
                    Value::Unknown(_) => return Field::Unknown,
                    Value::String(s) => out.push(s.clone()),
                    _ => {}
                }
            }
            Field::Known(out)
        }
        Field::Unknown => Field::Unknown,
        Field::Null => Field::Null,
    }
}
