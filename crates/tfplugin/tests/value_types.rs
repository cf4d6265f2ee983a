//! cty type JSON: what schemas and dynamic wrappers carry.

use clusternet_tfplugin::value::Type;

#[test]
fn type_json_round_trips_byte_for_byte() {
    for json in [
        r#""string""#,
        r#""number""#,
        r#""bool""#,
        r#""dynamic""#,
        r#"["list","string"]"#,
        r#"["set",["object",{}]]"#,
        r#"["map",["list","number"]]"#,
        r#"["object",{"a":"string","b":["map","number"],"c":"dynamic"}]"#,
        r#"["tuple",["bool","dynamic",["tuple",[]]]]"#,
        r#"["object",{"big":"number","l":["tuple",["number","number"]],"n":"number","name":"string"}]"#,
    ] {
        let ty = Type::from_json(json.as_bytes()).unwrap();
        assert_eq!(ty.to_json(), json);
    }
}

#[test]
fn builds_the_same_types_in_code() {
    let ty = Type::object([
        ("b", Type::map(Type::Number)),
        ("a", Type::list(Type::set(Type::String))),
        ("c", Type::tuple([Type::Bool, Type::Dynamic])),
    ]);
    assert_eq!(
        ty.to_json(),
        r#"["object",{"a":["list",["set","string"]],"b":["map","number"],"c":["tuple",["bool","dynamic"]]}]"#
    );
    assert!(ty.contains_dynamic());
    assert!(!Type::map(Type::String).contains_dynamic());
}

#[test]
fn optional_attributes_are_accepted_and_never_written() {
    let ty = Type::from_json(br#"["object",{"a":"string","b":"number"},["b"]]"#).unwrap();
    assert_eq!(ty, Type::object([("a", Type::String), ("b", Type::Number)]));
    assert_eq!(ty.to_json(), r#"["object",{"a":"string","b":"number"}]"#);
}

#[test]
fn attribute_names_are_sorted_and_escaped_like_go() {
    let ty = Type::from_json(br#" [ "object" , { "z" : "string" , "a<b" : "bool" } ] "#).unwrap();
    assert_eq!(
        ty.to_json(),
        r#"["object",{"a\u003cb":"bool","z":"string"}]"#
    );
}

#[test]
fn invalid_type_json_is_refused() {
    for json in [
        r#""strin""#,
        r#"["list"]"#,
        r#"["list","string","x"]"#,
        r#"["object",[]]"#,
        r#"["object",{"a":"string"},["zz"]]"#,
        r#"["tuple",{}]"#,
        r#"["capsule","x"]"#,
        "42",
        "",
        "[",
    ] {
        assert!(
            Type::from_json(json.as_bytes()).is_err(),
            "{json} should be refused"
        );
    }
}
