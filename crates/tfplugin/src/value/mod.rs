//! Terraform values and the DynamicValue codec (spec §3).
//!
//! A [`Value`] means nothing without its [`Type`]: both wire formats are driven by the schema,
//! so [`msgpack::decode`] / [`msgpack::encode`] and [`json::decode`] / [`json::encode`] always
//! take the type. The encoders check that the value conforms to the type and reproduce
//! Terraform's own bytes: a value decoded from Terraform encodes back byte for byte.
//!
//! # Dynamic values
//!
//! Where the type is [`Type::Dynamic`], the value carries its concrete type with it:
//! - [`Value::Dynamic`]`(T, v)`: a value `v` of concrete type `T` (msgpack `[bin(T), v]`,
//!   JSON `{"value": v, "type": T}`). `v` may itself be null or unknown ("a null string").
//! - [`Value::Null`]: null of unknown type (a bare msgpack nil).
//! - [`Value::Unknown`]: unknown of unknown type (a bare msgpack extension).
//!
//! Any other value in a dynamic position is an encoding error, and `Value::Dynamic` is an
//! error anywhere else. Use [`Value::unwrap_dynamic`] to look through the wrapper.
//!
//! # Objects
//!
//! Terraform requires every object to carry every attribute of its type. The encoders refuse
//! objects with missing or extra attributes; [`ObjectBuilder`] fills unset attributes with null.

use std::collections::BTreeMap;

mod error;
mod go_json;
pub mod json;
pub mod msgpack;
mod number;
mod object;
mod path;
mod plain_json;
mod types;
mod unknown;

pub use error::ValueError;
pub use number::{MAX_DECIMAL_LEN, Number};
pub use object::ObjectBuilder;
pub use path::{AttributePath, PathStep};
pub use plain_json::{PlainJsonError, from_plain_json, to_plain_json};
pub use types::Type;
pub use unknown::{NumberBound, Refinements, Unknown};

/// How deep values may nest when decoding (nested dynamic values each add a level).
pub const MAX_DEPTH: usize = 256;

/// A Terraform value. See the [module documentation](self) for dynamic values.
///
/// Sets are kept in wire order (Terraform never sends duplicates); comparing two sets with
/// `==` is order-sensitive.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Value {
    /// Null of the surrounding type (or of unknown type in a dynamic position).
    Null,
    /// Not known until apply.
    Unknown(Unknown),
    /// A string.
    String(String),
    /// A number.
    Number(Number),
    /// A boolean.
    Bool(bool),
    /// A list.
    List(Vec<Value>),
    /// A set.
    Set(Vec<Value>),
    /// A map.
    Map(BTreeMap<String, Value>),
    /// An object: one entry per attribute of its type.
    Object(BTreeMap<String, Value>),
    /// A tuple.
    Tuple(Vec<Value>),
    /// A value in a dynamic position, with its concrete type.
    Dynamic(Type, Box<Value>),
}

impl Value {
    /// An unrefined unknown value.
    pub fn unknown() -> Self {
        Self::Unknown(Unknown::new())
    }

    /// A value of concrete type `ty` for a dynamic position.
    pub fn dynamic(ty: Type, value: Value) -> Self {
        Self::Dynamic(ty, Box::new(value))
    }

    /// Whether this is null (a dynamic wrapper around null counts as null).
    pub fn is_null(&self) -> bool {
        matches!(self.unwrap_dynamic(), Self::Null)
    }

    /// Whether this value itself is unknown (a dynamic wrapper around unknown counts).
    pub fn is_unknown(&self) -> bool {
        matches!(self.unwrap_dynamic(), Self::Unknown(_))
    }

    /// Whether this value is wholly known: no unknown anywhere inside it.
    pub fn is_known(&self) -> bool {
        match self {
            Self::Unknown(_) => false,
            Self::Null | Self::String(_) | Self::Number(_) | Self::Bool(_) => true,
            Self::List(items) | Self::Set(items) | Self::Tuple(items) => {
                items.iter().all(Self::is_known)
            }
            Self::Map(entries) | Self::Object(entries) => entries.values().all(Self::is_known),
            Self::Dynamic(_, value) => value.is_known(),
        }
    }

    /// The value inside a [`Value::Dynamic`] wrapper (recursively), or `self`.
    pub fn unwrap_dynamic(&self) -> &Value {
        match self {
            Self::Dynamic(_, value) => value.unwrap_dynamic(),
            other => other,
        }
    }

    /// An object attribute or map element (looking through dynamic wrappers).
    pub fn get(&self, name: &str) -> Option<&Value> {
        match self.unwrap_dynamic() {
            Self::Object(entries) | Self::Map(entries) => entries.get(name),
            _ => None,
        }
    }

    /// The string, if this is a known string.
    pub fn as_str(&self) -> Option<&str> {
        match self.unwrap_dynamic() {
            Self::String(s) => Some(s),
            _ => None,
        }
    }

    /// The boolean, if this is a known bool.
    pub fn as_bool(&self) -> Option<bool> {
        match self.unwrap_dynamic() {
            Self::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The number, if this is a known number.
    pub fn as_number(&self) -> Option<&Number> {
        match self.unwrap_dynamic() {
            Self::Number(n) => Some(n),
            _ => None,
        }
    }

    /// The elements of a list, set or tuple.
    pub fn as_elements(&self) -> Option<&[Value]> {
        match self.unwrap_dynamic() {
            Self::List(items) | Self::Set(items) | Self::Tuple(items) => Some(items),
            _ => None,
        }
    }

    /// The entries of a map or object.
    pub fn as_entries(&self) -> Option<&BTreeMap<String, Value>> {
        match self.unwrap_dynamic() {
            Self::Map(entries) | Self::Object(entries) => Some(entries),
            _ => None,
        }
    }

    /// A short description of the value's kind, for error messages.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Self::Null => "null",
            Self::Unknown(_) => "unknown",
            Self::String(_) => "string",
            Self::Number(_) => "number",
            Self::Bool(_) => "bool",
            Self::List(_) => "list",
            Self::Set(_) => "set",
            Self::Map(_) => "map",
            Self::Object(_) => "object",
            Self::Tuple(_) => "tuple",
            Self::Dynamic(..) => "dynamic value",
        }
    }
}

impl From<&str> for Value {
    fn from(value: &str) -> Self {
        Self::String(value.to_owned())
    }
}

impl From<String> for Value {
    fn from(value: String) -> Self {
        Self::String(value)
    }
}

impl From<bool> for Value {
    fn from(value: bool) -> Self {
        Self::Bool(value)
    }
}

impl From<Number> for Value {
    fn from(value: Number) -> Self {
        Self::Number(value)
    }
}

impl From<i64> for Value {
    fn from(value: i64) -> Self {
        Self::Number(value.into())
    }
}

impl From<u64> for Value {
    fn from(value: u64) -> Self {
        Self::Number(value.into())
    }
}

impl From<i32> for Value {
    fn from(value: i32) -> Self {
        Self::Number(value.into())
    }
}

impl From<Unknown> for Value {
    fn from(value: Unknown) -> Self {
        Self::Unknown(value)
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    /// `None` becomes null.
    fn from(value: Option<T>) -> Self {
        value.map_or(Self::Null, Into::into)
    }
}

/// Reads a tfplugin6 `DynamicValue` as Terraform does: msgpack if present, else JSON if
/// present, else null.
pub fn decode_dynamic_value(msgpack: &[u8], json: &[u8], ty: &Type) -> Result<Value, ValueError> {
    if !msgpack.is_empty() {
        self::msgpack::decode(msgpack, ty)
    } else if !json.is_empty() {
        self::json::decode(json, ty)
    } else {
        Ok(Value::Null)
    }
}
