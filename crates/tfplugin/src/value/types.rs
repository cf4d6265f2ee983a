//! cty types and their JSON form (schema `Attribute.type`, dynamic value wrappers).

use std::collections::BTreeMap;
use std::fmt;

use serde_json::Value as Json;

use super::ValueError;
use super::go_json;

/// A Terraform (cty) type.
///
/// `Dynamic` is cty's `DynamicPseudoType`: "any type", resolved per value. Object attributes are
/// kept sorted, as Terraform sorts them on the wire.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Type {
    /// A UTF-8 string.
    String,
    /// An arbitrary-precision number.
    Number,
    /// A boolean.
    Bool,
    /// Any type; values carry their concrete type with them.
    Dynamic,
    /// An ordered sequence of elements of one type.
    List(Box<Type>),
    /// An unordered collection of distinct elements of one type.
    Set(Box<Type>),
    /// String-keyed elements of one type.
    Map(Box<Type>),
    /// Named attributes, each with its own type.
    Object(BTreeMap<String, Type>),
    /// A fixed-length sequence, each position with its own type.
    Tuple(Vec<Type>),
}

impl Type {
    /// `list(element)`.
    pub fn list(element: Type) -> Self {
        Self::List(Box::new(element))
    }

    /// `set(element)`.
    pub fn set(element: Type) -> Self {
        Self::Set(Box::new(element))
    }

    /// `map(element)`.
    pub fn map(element: Type) -> Self {
        Self::Map(Box::new(element))
    }

    /// `object({...})` from `(name, type)` pairs.
    pub fn object<K: Into<String>>(attributes: impl IntoIterator<Item = (K, Type)>) -> Self {
        Self::Object(attributes.into_iter().map(|(k, t)| (k.into(), t)).collect())
    }

    /// `tuple([...])`.
    pub fn tuple(elements: impl IntoIterator<Item = Type>) -> Self {
        Self::Tuple(elements.into_iter().collect())
    }

    /// The element type of a list, set or map.
    pub fn element_type(&self) -> Option<&Type> {
        match self {
            Self::List(t) | Self::Set(t) | Self::Map(t) => Some(t),
            _ => None,
        }
    }

    /// The attribute types of an object.
    pub fn attribute_types(&self) -> Option<&BTreeMap<String, Type>> {
        match self {
            Self::Object(attrs) => Some(attrs),
            _ => None,
        }
    }

    /// Whether this is a list, set or map (the types with length refinements).
    pub fn is_collection(&self) -> bool {
        matches!(self, Self::List(_) | Self::Set(_) | Self::Map(_))
    }

    /// Whether `dynamic` appears anywhere in this type.
    pub fn contains_dynamic(&self) -> bool {
        match self {
            Self::Dynamic => true,
            Self::String | Self::Number | Self::Bool => false,
            Self::List(t) | Self::Set(t) | Self::Map(t) => t.contains_dynamic(),
            Self::Object(attrs) => attrs.values().any(Type::contains_dynamic),
            Self::Tuple(elems) => elems.iter().any(Type::contains_dynamic),
        }
    }

    /// The compact cty type JSON, e.g. `["object",{"a":"string","b":["list","number"]}]`.
    ///
    /// Attribute names are sorted and escaped the way Go's `encoding/json` does, so the output
    /// is byte-identical to Terraform's. The optional-attributes third element of object
    /// types is never written (schemas must not carry it).
    pub fn to_json(&self) -> String {
        let mut out = Vec::new();
        self.write_json(&mut out);
        String::from_utf8(out).expect("type JSON is built from UTF-8 pieces")
    }

    pub(crate) fn write_json(&self, out: &mut Vec<u8>) {
        match self {
            Self::String => out.extend_from_slice(b"\"string\""),
            Self::Number => out.extend_from_slice(b"\"number\""),
            Self::Bool => out.extend_from_slice(b"\"bool\""),
            Self::Dynamic => out.extend_from_slice(b"\"dynamic\""),
            Self::List(t) => write_wrapped(out, "list", t),
            Self::Set(t) => write_wrapped(out, "set", t),
            Self::Map(t) => write_wrapped(out, "map", t),
            Self::Object(attrs) => {
                out.extend_from_slice(b"[\"object\",{");
                for (i, (name, t)) in attrs.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    go_json::write_string(out, name);
                    out.push(b':');
                    t.write_json(out);
                }
                out.extend_from_slice(b"}]");
            }
            Self::Tuple(elems) => {
                out.extend_from_slice(b"[\"tuple\",[");
                for (i, t) in elems.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    t.write_json(out);
                }
                out.extend_from_slice(b"]]");
            }
        }
    }

    /// Parses cty type JSON. Accepts (and ignores) the optional-attributes third element of
    /// object types, which appears in type constraints.
    pub fn from_json(bytes: &[u8]) -> Result<Type, ValueError> {
        let json: Json = serde_json::from_slice(bytes).map_err(|e| ValueError::InvalidType {
            reason: e.to_string(),
        })?;
        Self::from_json_value(&json)
    }

    pub(crate) fn from_json_value(json: &Json) -> Result<Type, ValueError> {
        match json {
            Json::String(name) => match name.as_str() {
                "string" => Ok(Self::String),
                "number" => Ok(Self::Number),
                "bool" => Ok(Self::Bool),
                "dynamic" => Ok(Self::Dynamic),
                other => Err(invalid(format!("unknown primitive type {other:?}"))),
            },
            Json::Array(items) => {
                let Some(Json::String(kind)) = items.first() else {
                    return Err(invalid("a compound type must start with its kind"));
                };
                let arity_ok = match kind.as_str() {
                    "object" => items.len() == 2 || items.len() == 3,
                    _ => items.len() == 2,
                };
                if !arity_ok {
                    return Err(invalid(format!(
                        "{kind:?} type has {} elements",
                        items.len()
                    )));
                }
                let arg = &items[1];
                match kind.as_str() {
                    "list" => Ok(Self::list(Self::from_json_value(arg)?)),
                    "set" => Ok(Self::set(Self::from_json_value(arg)?)),
                    "map" => Ok(Self::map(Self::from_json_value(arg)?)),
                    "object" => {
                        let Json::Object(attrs) = arg else {
                            return Err(invalid("object attributes must be a JSON object"));
                        };
                        if let Some(optional) = items.get(2) {
                            let names_ok = optional.as_array().is_some_and(|names| {
                                names
                                    .iter()
                                    .all(|n| n.as_str().is_some_and(|n| attrs.contains_key(n)))
                            });
                            if !names_ok {
                                return Err(invalid(
                                    "optional attributes must be a list of attribute names",
                                ));
                            }
                        }
                        let attrs = attrs
                            .iter()
                            .map(|(k, v)| Ok((k.clone(), Self::from_json_value(v)?)))
                            .collect::<Result<_, ValueError>>()?;
                        Ok(Self::Object(attrs))
                    }
                    "tuple" => {
                        let Json::Array(elems) = arg else {
                            return Err(invalid("tuple elements must be a JSON array"));
                        };
                        let elems = elems
                            .iter()
                            .map(Self::from_json_value)
                            .collect::<Result<_, _>>()?;
                        Ok(Self::Tuple(elems))
                    }
                    other => Err(invalid(format!("unknown type kind {other:?}"))),
                }
            }
            other => Err(invalid(format!("unexpected JSON {other}"))),
        }
    }
}

fn write_wrapped(out: &mut Vec<u8>, kind: &str, element: &Type) {
    out.extend_from_slice(b"[\"");
    out.extend_from_slice(kind.as_bytes());
    out.extend_from_slice(b"\",");
    element.write_json(out);
    out.push(b']');
}

fn invalid(reason: impl Into<String>) -> ValueError {
    ValueError::InvalidType {
        reason: reason.into(),
    }
}

/// Displays the type JSON.
impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_json())
    }
}
