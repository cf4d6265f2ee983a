//! The JSON form of values, as it appears in terraform.tfstate and UpgradeResourceState's
//! `raw_state.json`.

use std::collections::BTreeMap;

use clusternet_tfplugin::value::json::{self, DecodeOptions};
use clusternet_tfplugin::value::{AttributePath, Type, Value, ValueError, msgpack};

fn resource_type() -> Type {
    Type::object([
        ("big", Type::Number),
        ("id", Type::String),
        ("obj", Type::Dynamic),
        ("tags", Type::map(Type::String)),
        ("unset", Type::list(Type::String)),
    ])
}

/// The spike resource's attributes as Terraform 1.11.4 stored them (spec §3.3).
const STATE: &str = r#"{"big":12345678901234567890123,"id":"a\u003cb\u0026c","obj":{"value":{"big":12345678901234567890,"l":[1,2],"n":1.5,"name":"hello"},"type":["object",{"big":"number","l":["tuple",["number","number"]],"n":"number","name":"string"}]},"tags":{"env":"prod"},"unset":null}"#;

#[test]
fn state_json_round_trips_byte_for_byte() {
    let ty = resource_type();
    let value = json::decode(STATE.as_bytes(), &ty).unwrap();
    assert_eq!(
        value
            .get("big")
            .and_then(Value::as_number)
            .unwrap()
            .to_string(),
        "12345678901234567890123"
    );
    assert_eq!(value.get("id").and_then(Value::as_str), Some("a<b&c"));
    assert!(matches!(value.get("obj"), Some(Value::Dynamic(..))));
    assert_eq!(
        String::from_utf8(json::encode(&value, &ty).unwrap()).unwrap(),
        STATE
    );
}

#[test]
fn state_json_converts_to_msgpack_without_losing_precision() {
    let ty = resource_type();
    let value = json::decode(STATE.as_bytes(), &ty).unwrap();
    let bytes = msgpack::encode(&value, &ty).unwrap();
    let back = msgpack::decode(&bytes, &ty).unwrap();
    assert_eq!(back, value);
    assert_eq!(
        String::from_utf8(json::encode(&back, &ty).unwrap()).unwrap(),
        STATE
    );
}

#[test]
fn numbers_keep_every_digit() {
    for text in [
        "12345678901234567890123",
        "-0.000000000000000000000000001",
        "3.1415926535897932384626433832795028841971693993751",
    ] {
        let value = json::decode(text.as_bytes(), &Type::Number).unwrap();
        assert_eq!(
            json::encode(&value, &Type::Number).unwrap(),
            text.as_bytes()
        );
    }
    // Non-canonical input comes out canonical, as cty writes it.
    let value = json::decode(b"1.50e2", &Type::Number).unwrap();
    assert_eq!(json::encode(&value, &Type::Number).unwrap(), b"150");
}

#[test]
fn missing_attributes_are_null() {
    let ty = Type::object([("a", Type::String), ("b", Type::Number)]);
    let value = json::decode(br#"{"a":"x"}"#, &ty).unwrap();
    assert!(value.get("b").unwrap().is_null());
    assert_eq!(json::encode(&value, &ty).unwrap(), br#"{"a":"x","b":null}"#);
}

#[test]
fn undeclared_attributes_are_refused_unless_ignored() {
    let ty = Type::object([("a", Type::String)]);
    let err = json::decode(br#"{"a":"x","gone":1}"#, &ty).unwrap_err();
    assert!(matches!(&err, ValueError::UnsupportedAttribute { name, .. } if name == "gone"));
    let options = DecodeOptions {
        ignore_unknown_attributes: true,
    };
    let value = json::decode_with(br#"{"a":"x","gone":1}"#, &ty, &options).unwrap();
    assert_eq!(
        value,
        Value::Object(BTreeMap::from([("a".to_owned(), "x".into())]))
    );
}

#[test]
fn scalars_given_as_strings_are_converted_like_cty() {
    assert_eq!(
        json::decode(br#""42""#, &Type::Number).unwrap(),
        Value::from(42)
    );
    assert_eq!(
        json::decode(br#""true""#, &Type::Bool).unwrap(),
        Value::from(true)
    );
    assert_eq!(
        json::decode(b"42", &Type::String).unwrap(),
        Value::from("42")
    );
}

#[test]
fn dynamic_null_and_typed_null() {
    assert_eq!(json::decode(b"null", &Type::Dynamic).unwrap(), Value::Null);
    let typed = br#"{"value":null,"type":"string"}"#;
    let value = json::decode(typed, &Type::Dynamic).unwrap();
    assert_eq!(value, Value::dynamic(Type::String, Value::Null));
    assert_eq!(json::encode(&value, &Type::Dynamic).unwrap(), typed);
}

#[test]
fn unknowns_cannot_be_written() {
    let ty = Type::object([("a", Type::list(Type::String))]);
    let value = Value::Object(BTreeMap::from([(
        "a".to_owned(),
        Value::List(vec![Value::unknown()]),
    )]));
    let err = json::encode(&value, &ty).unwrap_err();
    assert!(matches!(err, ValueError::UnknownInJson { .. }));
    assert_eq!(err.path(), Some(&AttributePath::root().attr("a").index(0)));
}

#[test]
fn errors_carry_the_path() {
    let ty = Type::object([("m", Type::map(Type::list(Type::Number)))]);
    let err = json::decode(br#"{"m":{"k":[1,"x"]}}"#, &ty).unwrap_err();
    assert_eq!(
        err.path(),
        Some(&AttributePath::root().attr("m").key("k").index(1))
    );
    assert!(json::decode(b"{", &ty).is_err());
    assert!(json::decode(br#"{"value":1}"#, &Type::Dynamic).is_err());
}
