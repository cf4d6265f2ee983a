//! The JSON form of values (spec §3.3): resource state in `terraform.tfstate`, `RawState.json`
//! of UpgradeResourceState, and the rarely used `DynamicValue.json`.
//!
//! Same shapes as msgpack, with dynamic values as `{"value": v, "type": T}` and numbers as
//! JSON numbers of any precision (read with serde_json's `arbitrary_precision`, never as f64).
//! JSON has no unknown values: encoding one is an error. Output is compact with sorted keys and
//! Go's string escaping, byte-identical to what cty writes into state.

use std::collections::BTreeMap;

use serde_json::Value as Json;

use super::go_json;
use super::path::PathStep;
use super::{AttributePath, Number, Type, Value, ValueError};

/// Options for [`decode_with`].
#[derive(Clone, Debug, Default)]
pub struct DecodeOptions {
    /// Drop object attributes the type does not declare instead of failing. Useful when
    /// upgrading state written by an older schema that had attributes since removed.
    pub ignore_unknown_attributes: bool,
}

/// Decodes JSON as a value of type `ty`, with cty's rules: attributes missing from an object
/// are null, undeclared attributes are an error, numbers and bools may also be given as
/// strings, strings also as numbers or bools.
pub fn decode(bytes: &[u8], ty: &Type) -> Result<Value, ValueError> {
    decode_with(bytes, ty, &DecodeOptions::default())
}

/// [`decode`] with options.
pub fn decode_with(bytes: &[u8], ty: &Type, options: &DecodeOptions) -> Result<Value, ValueError> {
    let json: Json = serde_json::from_slice(bytes).map_err(|source| ValueError::Json {
        path: AttributePath::root(),
        source,
    })?;
    let mut decoder = Decoder {
        path: AttributePath::root(),
        options,
    };
    decoder.value(&json, ty)
}

/// Encodes a wholly known `value` of type `ty` as compact JSON.
pub fn encode(value: &Value, ty: &Type) -> Result<Vec<u8>, ValueError> {
    let mut encoder = Encoder {
        out: Vec::new(),
        path: AttributePath::root(),
    };
    encoder.value(value, ty)?;
    Ok(encoder.out)
}

struct Decoder<'o> {
    path: AttributePath,
    options: &'o DecodeOptions,
}

fn describe(json: &Json) -> &'static str {
    match json {
        Json::Null => "null",
        Json::Bool(_) => "a JSON bool",
        Json::Number(_) => "a JSON number",
        Json::String(_) => "a JSON string",
        Json::Array(_) => "a JSON array",
        Json::Object(_) => "a JSON object",
    }
}

impl Decoder<'_> {
    fn mismatch(&self, expected: &str, found: &Json) -> ValueError {
        ValueError::mismatch(&self.path, expected, describe(found))
    }

    fn nested(&mut self, step: PathStep, json: &Json, ty: &Type) -> Result<Value, ValueError> {
        self.path.push(step);
        let result = self.value(json, ty);
        self.path.pop();
        result
    }

    fn value(&mut self, json: &Json, ty: &Type) -> Result<Value, ValueError> {
        if json.is_null() {
            return Ok(Value::Null);
        }
        match ty {
            Type::Dynamic => self.dynamic(json),
            Type::String => match json {
                Json::String(s) => Ok(Value::String(s.clone())),
                Json::Number(n) => Ok(Value::String(n.to_string())),
                Json::Bool(b) => Ok(Value::String(b.to_string())),
                other => Err(self.mismatch("a string", other)),
            },
            Type::Number => {
                let text = match json {
                    Json::Number(n) => n.to_string(),
                    Json::String(s) => s.clone(),
                    other => return Err(self.mismatch("a number", other)),
                };
                Number::parse(&text)
                    .map(Value::Number)
                    .map_err(|e| e.at(&self.path))
            }
            Type::Bool => match json {
                Json::Bool(b) => Ok(Value::Bool(*b)),
                Json::String(s) if s == "true" => Ok(Value::Bool(true)),
                Json::String(s) if s == "false" => Ok(Value::Bool(false)),
                other => Err(self.mismatch("a bool", other)),
            },
            Type::List(element) => self.elements(json, element, "a list").map(Value::List),
            Type::Set(element) => self.elements(json, element, "a set").map(Value::Set),
            Type::Tuple(types) => {
                let Json::Array(items) = json else {
                    return Err(self.mismatch("a tuple", json));
                };
                if items.len() != types.len() {
                    return Err(ValueError::mismatch(
                        &self.path,
                        format!("a tuple of {} elements", types.len()),
                        format!("a JSON array of {} elements", items.len()),
                    ));
                }
                let mut values = Vec::with_capacity(items.len());
                for (i, (item, ty)) in items.iter().zip(types).enumerate() {
                    values.push(self.nested(PathStep::ElementKeyInt(i as i64), item, ty)?);
                }
                Ok(Value::Tuple(values))
            }
            Type::Map(element) => {
                let Json::Object(entries) = json else {
                    return Err(self.mismatch("a map", json));
                };
                let mut values = BTreeMap::new();
                for (key, item) in entries {
                    let value =
                        self.nested(PathStep::ElementKeyString(key.clone()), item, element)?;
                    values.insert(key.clone(), value);
                }
                Ok(Value::Map(values))
            }
            Type::Object(attrs) => {
                let Json::Object(entries) = json else {
                    return Err(self.mismatch("an object", json));
                };
                let mut values = BTreeMap::new();
                for (name, item) in entries {
                    let Some(attr_type) = attrs.get(name) else {
                        if self.options.ignore_unknown_attributes {
                            continue;
                        }
                        return Err(ValueError::UnsupportedAttribute {
                            path: self.path.clone(),
                            name: name.clone(),
                        });
                    };
                    let value =
                        self.nested(PathStep::AttributeName(name.clone()), item, attr_type)?;
                    values.insert(name.clone(), value);
                }
                for name in attrs.keys() {
                    values.entry(name.clone()).or_insert(Value::Null);
                }
                Ok(Value::Object(values))
            }
        }
    }

    fn elements(
        &mut self,
        json: &Json,
        element: &Type,
        expected: &str,
    ) -> Result<Vec<Value>, ValueError> {
        let Json::Array(items) = json else {
            return Err(self.mismatch(expected, json));
        };
        items
            .iter()
            .enumerate()
            .map(|(i, item)| self.nested(PathStep::ElementKeyInt(i as i64), item, element))
            .collect()
    }

    fn dynamic(&mut self, json: &Json) -> Result<Value, ValueError> {
        let Json::Object(entries) = json else {
            return Err(self.mismatch(
                r#"a {"value": ..., "type": ...} object for a dynamic value"#,
                json,
            ));
        };
        if let Some(key) = entries.keys().find(|k| *k != "value" && *k != "type") {
            return Err(ValueError::UnsupportedAttribute {
                path: self.path.clone(),
                name: key.clone(),
            });
        }
        let (Some(type_json), Some(value_json)) = (entries.get("type"), entries.get("value"))
        else {
            return Err(ValueError::mismatch(
                &self.path,
                "both \"value\" and \"type\" in a dynamic value",
                "only one of them",
            ));
        };
        let ty = Type::from_json_value(type_json).map_err(|e| ValueError::InvalidDynamicType {
            path: self.path.clone(),
            source: Box::new(e),
        })?;
        let value = self.value(value_json, &ty)?;
        Ok(Value::Dynamic(ty, Box::new(value)))
    }
}

struct Encoder {
    out: Vec<u8>,
    path: AttributePath,
}

impl Encoder {
    fn nested(&mut self, step: PathStep, value: &Value, ty: &Type) -> Result<(), ValueError> {
        self.path.push(step);
        let result = self.value(value, ty);
        self.path.pop();
        result
    }

    fn value(&mut self, value: &Value, ty: &Type) -> Result<(), ValueError> {
        match (value, ty) {
            (Value::Unknown(_), _) => {
                return Err(ValueError::UnknownInJson {
                    path: self.path.clone(),
                });
            }
            (Value::Null, _) => self.out.extend_from_slice(b"null"),
            (Value::Dynamic(concrete, inner), Type::Dynamic) => {
                self.out.extend_from_slice(b"{\"value\":");
                self.value(inner, concrete)?;
                self.out.extend_from_slice(b",\"type\":");
                concrete.write_json(&mut self.out);
                self.out.push(b'}');
            }
            (Value::String(s), Type::String) => go_json::write_string(&mut self.out, s),
            (Value::Number(n), Type::Number) => {
                if n.is_infinite() {
                    return Err(ValueError::InvalidNumber {
                        path: self.path.clone(),
                        text: n.to_string(),
                        reason: "JSON cannot represent infinity",
                    });
                }
                self.out.extend_from_slice(n.to_string().as_bytes());
            }
            (Value::Bool(b), Type::Bool) => {
                self.out
                    .extend_from_slice(if *b { b"true" } else { b"false" })
            }
            (Value::List(items), Type::List(element)) | (Value::Set(items), Type::Set(element)) => {
                self.out.push(b'[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.out.push(b',');
                    }
                    self.nested(PathStep::ElementKeyInt(i as i64), item, element)?;
                }
                self.out.push(b']');
            }
            (Value::Tuple(items), Type::Tuple(types)) if items.len() == types.len() => {
                self.out.push(b'[');
                for (i, (item, ty)) in items.iter().zip(types).enumerate() {
                    if i > 0 {
                        self.out.push(b',');
                    }
                    self.nested(PathStep::ElementKeyInt(i as i64), item, ty)?;
                }
                self.out.push(b']');
            }
            (Value::Map(entries), Type::Map(element)) => {
                self.out.push(b'{');
                for (i, (key, item)) in entries.iter().enumerate() {
                    if i > 0 {
                        self.out.push(b',');
                    }
                    go_json::write_string(&mut self.out, key);
                    self.out.push(b':');
                    self.nested(PathStep::ElementKeyString(key.clone()), item, element)?;
                }
                self.out.push(b'}');
            }
            (Value::Object(entries), Type::Object(attrs)) => self.object(entries, attrs)?,
            (value, ty) => {
                let expected = match ty {
                    Type::Dynamic => {
                        "Value::Dynamic (a value with its type) for dynamic type".to_owned()
                    }
                    ty => format!("a value of type {ty}"),
                };
                return Err(ValueError::mismatch(&self.path, expected, value.kind()));
            }
        }
        Ok(())
    }

    fn object(
        &mut self,
        entries: &BTreeMap<String, Value>,
        attrs: &BTreeMap<String, Type>,
    ) -> Result<(), ValueError> {
        if let Some(extra) = entries.keys().find(|name| !attrs.contains_key(*name)) {
            return Err(ValueError::UnsupportedAttribute {
                path: self.path.clone(),
                name: extra.clone(),
            });
        }
        self.out.push(b'{');
        for (i, (name, ty)) in attrs.iter().enumerate() {
            let Some(item) = entries.get(name) else {
                return Err(ValueError::MissingAttribute {
                    path: self.path.clone(),
                    name: name.clone(),
                });
            };
            if i > 0 {
                self.out.push(b',');
            }
            go_json::write_string(&mut self.out, name);
            self.out.push(b':');
            self.nested(PathStep::AttributeName(name.clone()), item, ty)?;
        }
        self.out.push(b'}');
        Ok(())
    }
}
