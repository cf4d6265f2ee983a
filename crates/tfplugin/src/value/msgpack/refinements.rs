//! Unknown values on the wire: extension 0 (`d4 00 00`) and refined extension 12, whose
//! payload is a msgpack map with small integer keys (cty `msgpack/unknown.go`).

use super::decode::Decoder;
use super::reader::Item;
use super::writer::Writer;
use crate::value::{AttributePath, NumberBound, Refinements, Type, Value, ValueError};

/// Extension code of a refined unknown.
pub(super) const EXT_REFINED: i8 = 12;

const KEY_NULLNESS: i64 = 1;
const KEY_STRING_PREFIX: i64 = 2;
const KEY_NUMBER_MIN: i64 = 3;
const KEY_NUMBER_MAX: i64 = 4;
const KEY_LENGTH_MIN: i64 = 5;
const KEY_LENGTH_MAX: i64 = 6;

/// Parses a refinement payload for an unknown of type `ty`, as cty does: keys that cannot
/// apply to the type are errors, keys not known yet are skipped, trailing bytes are ignored.
pub(super) fn parse(
    data: &[u8],
    ty: &Type,
    path: &AttributePath,
) -> Result<Refinements, ValueError> {
    let invalid = |reason| ValueError::InvalidRefinement {
        path: path.clone(),
        reason,
    };
    let mut decoder = Decoder::new(data, path.clone());
    let Ok(Item::Map(len)) = decoder.next() else {
        return Err(invalid("the payload is not a map"));
    };
    let mut refinements = Refinements::default();
    for _ in 0..len {
        let key = match decoder.next() {
            Ok(Item::Int(i)) => i,
            Ok(Item::UInt(u)) => i64::try_from(u).unwrap_or(i64::MAX),
            _ => return Err(invalid("a key is not an integer")),
        };
        match key {
            KEY_NULLNESS => match decoder.next() {
                // `true` ("definitely null") should never be sent; it is kept only as raw bytes.
                Ok(Item::Bool(is_null)) => refinements.definitely_not_null = !is_null,
                _ => return Err(invalid("the null refinement is not a bool")),
            },
            KEY_STRING_PREFIX => {
                if *ty != Type::String {
                    return Err(invalid("string prefix refinement for a non-string type"));
                }
                let prefix = match decoder.next() {
                    Ok(Item::Str(bytes) | Item::Bin(bytes)) => std::str::from_utf8(bytes)
                        .map_err(|_| invalid("the string prefix is not valid UTF-8"))?,
                    _ => return Err(invalid("the string prefix is not a string")),
                };
                refinements.string_prefix = Some(prefix.to_owned());
            }
            KEY_LENGTH_MIN | KEY_LENGTH_MAX => {
                if !ty.is_collection() {
                    return Err(invalid("length refinement for a non-collection type"));
                }
                let bound = match decoder.next() {
                    Ok(Item::Int(i)) => u64::try_from(i).ok(),
                    Ok(Item::UInt(u)) => Some(u),
                    _ => None,
                }
                .ok_or_else(|| invalid("a length bound is not a non-negative integer"))?;
                if key == KEY_LENGTH_MIN {
                    refinements.length_lower_bound = Some(bound);
                } else {
                    refinements.length_upper_bound = Some(bound);
                }
            }
            KEY_NUMBER_MIN | KEY_NUMBER_MAX => {
                if *ty != Type::Number {
                    return Err(invalid("number bound refinement for a non-number type"));
                }
                let bound_type = Type::tuple([Type::Number, Type::Bool]);
                let bound = match decoder.value(&bound_type) {
                    Ok(Value::Tuple(items)) => match items.as_slice() {
                        [Value::Number(value), Value::Bool(inclusive)] => NumberBound {
                            value: value.clone(),
                            inclusive: *inclusive,
                        },
                        _ => return Err(invalid("a number bound is not a [number, bool] pair")),
                    },
                    _ => return Err(invalid("a number bound is not a [number, bool] pair")),
                };
                if key == KEY_NUMBER_MIN {
                    refinements.number_lower_bound = Some(bound);
                } else {
                    refinements.number_upper_bound = Some(bound);
                }
            }
            _ => {
                let remaining = decoder.remaining();
                decoder
                    .reader()
                    .skip(remaining)
                    .map_err(|_| invalid("an unrecognised refinement value is malformed"))?;
            }
        }
    }
    Ok(refinements)
}

/// Writes an unknown of type `ty` the way cty does: `d4 00 00` unless a refinement that
/// applies to the type is present, then extension 12 with keys in ascending order.
pub(super) fn write_unknown(out: &mut Writer, refinements: &Refinements, ty: &Type) {
    let mut payload = Writer::new();
    let mut entries = 0;
    if *ty != Type::Dynamic && refinements.definitely_not_null {
        entries += 1;
        payload.int(KEY_NULLNESS);
        payload.bool(false);
    }
    match ty {
        Type::String => {
            if let Some(prefix) = &refinements.string_prefix {
                entries += 1;
                payload.int(KEY_STRING_PREFIX);
                payload.str(prefix);
            }
        }
        Type::Number => {
            for (key, bound) in [
                (KEY_NUMBER_MIN, &refinements.number_lower_bound),
                (KEY_NUMBER_MAX, &refinements.number_upper_bound),
            ] {
                if let Some(bound) = bound {
                    entries += 1;
                    payload.int(key);
                    payload.array_len(2);
                    super::encode::write_number(&mut payload, &bound.value);
                    payload.bool(bound.inclusive);
                }
            }
        }
        ty if ty.is_collection() => {
            for (key, bound) in [
                (KEY_LENGTH_MIN, refinements.length_lower_bound),
                (KEY_LENGTH_MAX, refinements.length_upper_bound),
            ] {
                if let Some(bound) = bound {
                    entries += 1;
                    payload.int(key);
                    payload.uint(bound);
                }
            }
        }
        _ => {}
    }
    if entries == 0 {
        out.ext(0, &[0]);
        return;
    }
    let mut body = Writer::new();
    body.map_len(entries);
    body.out.extend_from_slice(&payload.out);
    out.ext(EXT_REFINED, &body.out);
}
