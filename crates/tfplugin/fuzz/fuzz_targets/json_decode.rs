//! Fuzzes the JSON (state) decoder: random JSON text against random types.
//!
//! Input layout as in `msgpack_decode`: byte 0 = length of the type JSON, then the type
//! JSON, then the value JSON. Properties: nothing panics; a successful decode encodes, and
//! that encoding decodes to the same value and re-encodes to the same bytes.
#![no_main]

use clusternet_tfplugin::value::{Type, ValueError, json, msgpack};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&type_len, rest)) = data.split_first() else {
        return;
    };
    let type_len = usize::from(type_len).min(rest.len());
    let (type_json, value_json) = rest.split_at(type_len);
    let ty = Type::from_json(type_json).unwrap_or(Type::Dynamic);
    let Ok(value) = json::decode(value_json, &ty) else {
        return;
    };
    let encoded = match json::encode(&value, &ty) {
        // "Infinity" as a string converts to a number JSON cannot hold.
        Err(ValueError::InvalidNumber { .. }) => return,
        other => other.expect("a decoded value encodes"),
    };
    let decoded = json::decode(&encoded, &ty).expect("an encoded value decodes");
    assert_eq!(decoded, value);
    assert_eq!(json::encode(&decoded, &ty).unwrap(), encoded);
    let bytes = msgpack::encode(&value, &ty).expect("a JSON value encodes as msgpack");
    assert_eq!(msgpack::decode(&bytes, &ty).unwrap(), value);
});
