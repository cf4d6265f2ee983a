//! The msgpack form of a DynamicValue (spec §3.2), what Terraform always sends and what the
//! provider always answers with.
//!
//! Decoding accepts everything cty's decoder accepts (numbers as int, uint, float32, float64
//! or decimal string; strings and type JSON as str or bin; any extension as an unknown).
//! Encoding writes exactly what cty's encoder writes, so a value Terraform sent encodes back
//! to the same bytes.

mod decode;
mod encode;
mod reader;
mod refinements;
mod writer;

use super::{AttributePath, Type, Value, ValueError};

/// Decodes msgpack `bytes` as a value of type `ty`. The whole input must be one value.
///
/// Errors carry the path of the offending part: a wrong kind of item, an object with missing
/// or unsupported attributes, a malformed number or refinement, truncated input, or nesting
/// deeper than [`MAX_DEPTH`](super::MAX_DEPTH).
pub fn decode(bytes: &[u8], ty: &Type) -> Result<Value, ValueError> {
    let mut decoder = decode::Decoder::new(bytes, AttributePath::root());
    let value = decoder.value(ty)?;
    match decoder.remaining() {
        0 => Ok(value),
        count => Err(ValueError::TrailingBytes { count }),
    }
}

/// Encodes `value` as msgpack for type `ty`, checking that it conforms: objects must carry
/// exactly their type's attributes, dynamic positions need [`Value::Dynamic`] (or null or
/// unknown), tuples their exact length.
pub fn encode(value: &Value, ty: &Type) -> Result<Vec<u8>, ValueError> {
    let mut encoder = encode::Encoder::new();
    encoder.value(value, ty)?;
    Ok(encoder.out.out)
}
