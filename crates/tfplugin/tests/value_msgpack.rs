//! msgpack DynamicValue fixtures, written byte by byte the way Terraform (cty) writes them.
//! Each must decode to the expected value and encode back to the very same bytes.

use std::collections::BTreeMap;

use clusternet_tfplugin::value::{
    AttributePath, Number, NumberBound, ObjectBuilder, Refinements, Type, Unknown, Value,
    ValueError, msgpack,
};

/// Concatenates byte pieces, so fixtures can mix markers and readable strings.
fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

fn assert_round_trip(bytes: &[u8], ty: &Type) -> Value {
    let value = msgpack::decode(bytes, ty).expect("fixture decodes");
    let encoded = msgpack::encode(&value, ty).expect("decoded value encodes");
    assert_eq!(encoded, bytes, "re-encoding of {value:?} differs");
    value
}

fn number(text: &str) -> Number {
    text.parse().unwrap()
}

#[test]
fn unknown_is_fixext1_zero() {
    let value = assert_round_trip(&[0xd4, 0x00, 0x00], &Type::String);
    assert_eq!(value, Value::unknown());
    assert!(!value.is_known());
}

#[test]
fn null_is_nil_for_any_type() {
    for ty in [
        Type::String,
        Type::list(Type::Number),
        Type::object([("a", Type::Bool)]),
    ] {
        assert_eq!(assert_round_trip(&[0xc0], &ty), Value::Null);
    }
}

#[test]
fn integer_beyond_2_pow_53_is_a_decimal_string_and_survives() {
    let text = b"12345678901234567890123";
    let bytes = cat(&[&[0xa0 | text.len() as u8], text]);
    let value = assert_round_trip(&bytes, &Type::Number);
    assert_eq!(value, Value::Number(number("12345678901234567890123")));
    // The number the spike turned into 12345678901234567000 through f64.
    let text = b"12345678901234567890";
    let bytes = cat(&[&[0xa0 | text.len() as u8], text]);
    let value = assert_round_trip(&bytes, &Type::Number);
    assert_eq!(
        value.as_number().unwrap().to_string(),
        "12345678901234567890"
    );
}

#[test]
fn numbers_use_cty_wire_forms() {
    let cases: &[(&str, &[u8])] = &[
        ("0", &[0x00]),
        ("127", &[0x7f]),
        ("-1", &[0xff]),
        ("200", &[0xcc, 200]),
        ("-200", &[0xd1, 0xff, 0x38]),
        (
            "9223372036854775807",
            &[0xcf, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
        ),
        ("-9223372036854775808", &[0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0]),
        ("0.5", &[0xcb, 0x3f, 0xe0, 0, 0, 0, 0, 0, 0]),
        // 2^64 is exactly a double, so cty writes it as float64, not as a string.
        (
            "18446744073709551616",
            &[0xcb, 0x43, 0xf0, 0, 0, 0, 0, 0, 0],
        ),
        ("0.1", &[0xa3, b'0', b'.', b'1']),
        ("+Inf", &[0xcb, 0x7f, 0xf0, 0, 0, 0, 0, 0, 0]),
    ];
    for (text, bytes) in cases {
        let value = assert_round_trip(bytes, &Type::Number);
        assert_eq!(
            value.as_number().unwrap().to_string(),
            *text,
            "bytes {bytes:02x?}"
        );
    }
}

#[test]
fn numbers_in_other_encodings_are_accepted() {
    let cases: &[(&[u8], &str)] = &[
        (&[0xcc, 0x05], "5"),
        (
            &[0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
            "18446744073709551615",
        ),
        (&[0xca, 0x3f, 0xc0, 0, 0], "1.5"),
        (&[0xcb, 0x40, 0x59, 0, 0, 0, 0, 0, 0], "100"),
        (&[0xa3, b'1', b'e', b'3'], "1000"),
    ];
    for (bytes, text) in cases {
        let value = msgpack::decode(bytes, &Type::Number).unwrap();
        assert_eq!(value.as_number().unwrap().to_string(), *text);
    }
    // Canonical re-encoding: uint 5 becomes fixint, u64::MAX a decimal string.
    let value = msgpack::decode(&[0xcc, 0x05], &Type::Number).unwrap();
    assert_eq!(msgpack::encode(&value, &Type::Number).unwrap(), [0x05]);
}

#[test]
fn refined_unknown_string_keeps_not_null_and_prefix() {
    // ext 12, payload {1: false, 2: "prefix-"}
    let payload = cat(&[&[0x82, 0x01, 0xc2, 0x02, 0xa7], b"prefix-"]);
    let bytes = cat(&[&[0xc7, payload.len() as u8, 0x0c], &payload]);
    let value = assert_round_trip(&bytes, &Type::String);
    let Value::Unknown(unknown) = value else {
        panic!("expected unknown, got {value:?}")
    };
    assert!(unknown.refinements().definitely_not_null);
    assert_eq!(
        unknown.refinements().string_prefix.as_deref(),
        Some("prefix-")
    );
}

#[test]
fn refined_unknown_number_keeps_bounds() {
    // ext 12, payload {1: false, 3: [0, true], 4: [10, false]}
    let bytes = [
        0xc7, 0x0b, 0x0c, 0x83, 0x01, 0xc2, 0x03, 0x92, 0x00, 0xc3, 0x04, 0x92, 0x0a, 0xc2,
    ];
    let value = assert_round_trip(&bytes, &Type::Number);
    let expected = Refinements {
        definitely_not_null: true,
        number_lower_bound: Some(NumberBound {
            value: number("0"),
            inclusive: true,
        }),
        number_upper_bound: Some(NumberBound {
            value: number("10"),
            inclusive: false,
        }),
        ..Refinements::default()
    };
    assert_eq!(value, Value::Unknown(Unknown::refined(expected)));
}

#[test]
fn refined_unknown_list_keeps_length_bounds() {
    // ext 12, payload {5: 1, 6: 3}
    let bytes = [0xc7, 0x05, 0x0c, 0x82, 0x05, 0x01, 0x06, 0x03];
    let value = assert_round_trip(&bytes, &Type::list(Type::String));
    let Value::Unknown(unknown) = value else {
        panic!("expected unknown")
    };
    assert_eq!(unknown.refinements().length_lower_bound, Some(1));
    assert_eq!(unknown.refinements().length_upper_bound, Some(3));
}

#[test]
fn refinements_built_in_code_encode_like_cty() {
    let unknown = Value::Unknown(Unknown::refined(Refinements {
        definitely_not_null: true,
        ..Refinements::default()
    }));
    assert_eq!(
        msgpack::encode(&unknown, &Type::Bool).unwrap(),
        [0xc7, 0x03, 0x0c, 0x81, 0x01, 0xc2]
    );
    // A refinement that does not apply to the type is not written, as in cty.
    let prefix_only = Value::Unknown(Unknown::refined(Refinements {
        string_prefix: Some("x".into()),
        ..Refinements::default()
    }));
    assert_eq!(
        msgpack::encode(&prefix_only, &Type::Number).unwrap(),
        [0xd4, 0, 0]
    );
}

#[test]
fn unrecognised_extensions_are_unknown_and_kept_verbatim() {
    for bytes in [
        &[0xc7, 0x03, 0x05, 0x01, 0x02, 0x03][..],
        &[0xd4, 0x00, 0x07],
        &[0xd4, 0x2a, 0x00],
        // ext 12 with a key cty does not know (9) and trailing bytes after the map
        &[0xc7, 0x05, 0x0c, 0x81, 0x09, 0xa1, b'x', 0xff],
    ] {
        let value = assert_round_trip(bytes, &Type::String);
        assert!(value.is_unknown());
    }
}

#[test]
fn refinement_for_the_wrong_type_is_an_error() {
    let payload = cat(&[&[0x81, 0x02, 0xa1], b"x"]);
    let bytes = cat(&[&[0xc7, payload.len() as u8, 0x0c], &payload]);
    let err = msgpack::decode(&bytes, &Type::Number).unwrap_err();
    assert!(matches!(err, ValueError::InvalidRefinement { .. }), "{err}");
}

/// The `obj` attribute Terraform 1.11.4 sent in the spike (spec §3.2), inside a resource.
fn spike_object() -> (Type, Vec<u8>) {
    let ty = Type::object([
        ("big", Type::Number),
        ("id", Type::String),
        ("obj", Type::Dynamic),
        ("tags", Type::map(Type::String)),
        ("unset", Type::list(Type::String)),
    ]);
    let obj_type = br#"["object",{"big":"number","l":["tuple",["number","number"]],"n":"number","name":"string"}]"#;
    let bytes = cat(&[
        &[0x85],
        &[0xa3],
        b"big",
        &[0xb7],
        b"12345678901234567890123",
        &[0xa2],
        b"id",
        &[0xd4, 0x00, 0x00],
        &[0xa3],
        b"obj",
        &[0x92, 0xc4, obj_type.len() as u8],
        obj_type,
        &[0x84],
        &[0xa3],
        b"big",
        &[0xb4],
        b"12345678901234567890",
        &[0xa1],
        b"l",
        &[0x92, 0x01, 0x02],
        &[0xa1],
        b"n",
        &[0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0],
        &[0xa4],
        b"name",
        &[0xa5],
        b"hello",
        &[0xa4],
        b"tags",
        &[0x81, 0xa3],
        b"env",
        &[0xa4],
        b"prod",
        &[0xa5],
        b"unset",
        &[0xc0],
    ]);
    (ty, bytes)
}

#[test]
fn resource_object_with_dynamic_attribute_round_trips() {
    let (ty, bytes) = spike_object();
    let value = assert_round_trip(&bytes, &ty);
    assert!(value.get("id").unwrap().is_unknown());
    assert!(value.get("unset").unwrap().is_null());
    assert_eq!(
        value
            .get("big")
            .and_then(Value::as_number)
            .unwrap()
            .to_string(),
        "12345678901234567890123"
    );
    let Some(Value::Dynamic(obj_type, obj)) = value.get("obj") else {
        panic!("obj should be a dynamic value")
    };
    assert_eq!(
        obj_type.to_json(),
        r#"["object",{"big":"number","l":["tuple",["number","number"]],"n":"number","name":"string"}]"#
    );
    assert_eq!(obj.get("name").and_then(Value::as_str), Some("hello"));
    assert_eq!(
        value
            .get("obj")
            .unwrap()
            .get("n")
            .unwrap()
            .as_number()
            .unwrap()
            .to_string(),
        "1.5"
    );
}

#[test]
fn dynamic_null_and_unknown_of_unknown_type_are_bare() {
    assert_eq!(assert_round_trip(&[0xc0], &Type::Dynamic), Value::Null);
    assert_eq!(
        assert_round_trip(&[0xd4, 0, 0], &Type::Dynamic),
        Value::unknown()
    );
}

#[test]
fn dynamic_null_and_unknown_of_known_type_are_wrapped() {
    let null_string = cat(&[&[0x92, 0xc4, 0x08], br#""string""#, &[0xc0]]);
    assert_eq!(
        assert_round_trip(&null_string, &Type::Dynamic),
        Value::dynamic(Type::String, Value::Null)
    );
    let unknown_list = cat(&[&[0x92, 0xc4, 0x11], br#"["list","string"]"#, &[0xd4, 0, 0]]);
    assert_eq!(
        assert_round_trip(&unknown_list, &Type::Dynamic),
        Value::dynamic(Type::list(Type::String), Value::unknown())
    );
}

#[test]
fn dynamic_type_may_be_a_msgpack_str() {
    let bytes = cat(&[&[0x92, 0xa8], br#""number""#, &[0x07]]);
    let value = msgpack::decode(&bytes, &Type::Dynamic).unwrap();
    assert_eq!(value, Value::dynamic(Type::Number, 7.into()));
    // Re-encoded the way Terraform writes it: bin.
    let encoded = msgpack::encode(&value, &Type::Dynamic).unwrap();
    assert_eq!(
        encoded,
        cat(&[&[0x92, 0xc4, 0x08], br#""number""#, &[0x07]])
    );
}

#[test]
fn nested_dynamic_values_round_trip() {
    // list(dynamic) holding a string and a dynamic-in-dynamic
    let inner = cat(&[&[0x92, 0xc4, 0x06], br#""bool""#, &[0xc3]]);
    let outer_elem = cat(&[&[0x92, 0xc4, 0x09], br#""dynamic""#, &inner]);
    let bytes = cat(&[
        &[0x92],
        &[0x92, 0xc4, 0x08],
        br#""string""#,
        &[0xa1, b'x'],
        &outer_elem,
    ]);
    let value = assert_round_trip(&bytes, &Type::list(Type::Dynamic));
    assert_eq!(
        value,
        Value::List(vec![
            Value::dynamic(Type::String, "x".into()),
            Value::dynamic(Type::Dynamic, Value::dynamic(Type::Bool, true.into())),
        ])
    );
}

#[test]
fn objects_must_carry_every_attribute() {
    let ty = Type::object([("a", Type::String), ("b", Type::String)]);
    let missing = cat(&[&[0x81, 0xa1], b"a", &[0xc0]]);
    let err = msgpack::decode(&missing, &ty).unwrap_err();
    assert!(
        matches!(&err, ValueError::MissingAttribute { name, .. } if name == "b"),
        "{err}"
    );

    let extra = cat(&[
        &[0x83, 0xa1],
        b"a",
        &[0xc0, 0xa1],
        b"b",
        &[0xc0, 0xa1],
        b"c",
        &[0xc0],
    ]);
    let err = msgpack::decode(&extra, &ty).unwrap_err();
    assert!(
        matches!(&err, ValueError::UnsupportedAttribute { name, .. } if name == "c"),
        "{err}"
    );

    let partial = Value::Object(BTreeMap::from([("a".to_owned(), Value::Null)]));
    let err = msgpack::encode(&partial, &ty).unwrap_err();
    assert!(
        matches!(&err, ValueError::MissingAttribute { name, .. } if name == "b"),
        "{err}"
    );

    let built = ObjectBuilder::new(&ty).set("a", "x").build().unwrap();
    assert_eq!(
        msgpack::encode(&built, &ty).unwrap(),
        cat(&[&[0x82, 0xa1], b"a", &[0xa1], b"x", &[0xa1], b"b", &[0xc0]])
    );
    assert!(ObjectBuilder::new(&ty).set("nope", "x").build().is_err());
}

#[test]
fn decode_errors_carry_the_path() {
    let ty = Type::object([(
        "clusters",
        Type::map(Type::object([("labels", Type::map(Type::String))])),
    )]);
    let bytes = cat(&[
        &[0x81, 0xa8],
        b"clusters",
        &[0x81, 0xa4],
        b"eu-1",
        &[0x81, 0xa6],
        b"labels",
        &[0x2a],
    ]);
    let err = msgpack::decode(&bytes, &ty).unwrap_err();
    let expected = AttributePath::root()
        .attr("clusters")
        .key("eu-1")
        .attr("labels");
    assert_eq!(err.path(), Some(&expected));
    assert_eq!(
        err.to_string(),
        r#"at clusters["eu-1"].labels: expected a map, found msgpack int 42"#
    );
}

#[test]
fn encode_errors_carry_the_path() {
    let ty = Type::object([("l", Type::list(Type::Number))]);
    let value = Value::Object(BTreeMap::from([(
        "l".to_owned(),
        Value::List(vec![1.into(), "two".into()]),
    )]));
    let err = msgpack::encode(&value, &ty).unwrap_err();
    assert_eq!(err.path(), Some(&AttributePath::root().attr("l").index(1)));
}

#[test]
fn dynamic_positions_need_a_typed_value() {
    let err = msgpack::encode(&Value::from("bare"), &Type::Dynamic).unwrap_err();
    assert!(err.to_string().contains("Value::Dynamic"), "{err}");
    let err =
        msgpack::encode(&Value::dynamic(Type::String, "x".into()), &Type::String).unwrap_err();
    assert!(matches!(err, ValueError::Mismatch { .. }));
}

#[test]
fn malformed_input_is_refused() {
    let list = Type::list(Type::String);
    let cases: &[(&[u8], &Type)] = &[
        (&[], &Type::String),                                   // nothing
        (&[0xa5, b'a'], &Type::String),                         // truncated string
        (&[0xc1], &Type::String),                               // reserved marker
        (&[0xa2, 0xff, 0xfe], &Type::String),                   // invalid UTF-8
        (&[0xdd, 0xff, 0xff, 0xff, 0xff], &list),               // longer than the input
        (&[0xcb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0], &Type::Number), // NaN
    ];
    for (bytes, ty) in cases {
        assert!(msgpack::decode(bytes, ty).is_err(), "{bytes:02x?} as {ty}");
    }
    assert!(matches!(
        msgpack::decode(&[0x01, 0x02], &Type::Number),
        Err(ValueError::TrailingBytes { count: 1 })
    ));
}

#[test]
fn deeply_nested_dynamic_values_are_refused_not_overflowed() {
    let mut bytes = Vec::new();
    for _ in 0..10_000 {
        bytes.extend_from_slice(&[0x92, 0xc4, 0x09]);
        bytes.extend_from_slice(br#""dynamic""#);
    }
    bytes.push(0xc0);
    let err = msgpack::decode(&bytes, &Type::Dynamic).unwrap_err();
    assert!(matches!(err, ValueError::TooDeep { .. }), "{err}");
}
