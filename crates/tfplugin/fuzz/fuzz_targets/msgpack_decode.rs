//! Fuzzes the msgpack DynamicValue decoder with random bytes against random types.
//!
//! Input layout: byte 0 = length N of the type JSON that follows, bytes 1..=N = type JSON,
//! the rest = msgpack. When the type JSON does not parse, byte 0 picks one of a few
//! representative schema types instead, so that random bytes still reach the decoder.
//!
//! Properties: nothing panics; a successful decode encodes again, and that encoding decodes
//! to the same value and re-encodes to the same bytes; a wholly known value also survives
//! JSON the same way.
#![no_main]

use clusternet_tfplugin::value::{Type, ValueError, json, msgpack};
use libfuzzer_sys::fuzz_target;

fn fallback_type(selector: u8) -> Type {
    let types = [
        r#"["object",{"big":"number","id":"string","obj":"dynamic","tags":["map","string"],"unset":["list","string"]}]"#,
        r#""dynamic""#,
        r#"["list","dynamic"]"#,
        r#""number""#,
        r#""string""#,
        r#"["set",["object",{"a":"number","b":["tuple",["bool","string"]]}]]"#,
        r#"["map",["list","number"]]"#,
        r#"["tuple",["dynamic","number",["list","string"]]]"#,
    ];
    Type::from_json(types[usize::from(selector) % types.len()].as_bytes()).unwrap()
}

fuzz_target!(|data: &[u8]| {
    let Some((&type_len, rest)) = data.split_first() else {
        return;
    };
    let type_len = usize::from(type_len).min(rest.len());
    let (type_json, msgpack_bytes) = rest.split_at(type_len);
    let ty = match Type::from_json(type_json) {
        Ok(ty) => {
            let again = Type::from_json(ty.to_json().as_bytes()).expect("type JSON re-parses");
            assert_eq!(again, ty);
            ty
        }
        Err(_) => fallback_type(type_len as u8),
    };
    let Ok(value) = msgpack::decode(msgpack_bytes, &ty) else {
        return;
    };
    let encoded = msgpack::encode(&value, &ty).expect("a decoded value encodes");
    let decoded = msgpack::decode(&encoded, &ty).expect("an encoded value decodes");
    assert_eq!(decoded, value);
    assert_eq!(msgpack::encode(&decoded, &ty).unwrap(), encoded);

    if value.is_known() {
        match json::encode(&value, &ty) {
            Err(ValueError::InvalidNumber { .. }) => {}
            Err(e) => panic!("a known value must encode as JSON: {e}"),
            Ok(text) => {
                let from_json = json::decode(&text, &ty).expect("our JSON decodes");
                assert_eq!(from_json, value);
            }
        }
    }
});
