//! Property tests: random types, random values of those types (unknowns, refinements, nulls,
//! big numbers, nested dynamic values), and the codec's round trips.

use std::collections::BTreeMap;

use clusternet_tfplugin::value::{
    Number, NumberBound, Refinements, Type, Unknown, Value, ValueError, json, msgpack,
};
use proptest::prelude::*;

fn attr_name() -> impl Strategy<Value = String> {
    "[a-z_]{1,6}|[a-zA-Z0-9<>&\"\\\\ é-]{0,4}"
}

fn arb_type() -> impl Strategy<Value = Type> {
    let leaf = prop_oneof![
        Just(Type::String),
        Just(Type::Number),
        Just(Type::Bool),
        Just(Type::Dynamic),
    ];
    leaf.prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            inner.clone().prop_map(Type::list),
            inner.clone().prop_map(Type::set),
            inner.clone().prop_map(Type::map),
            prop::collection::btree_map(attr_name(), inner.clone(), 0..4).prop_map(Type::Object),
            prop::collection::vec(inner, 0..4).prop_map(Type::Tuple),
        ]
    })
}

fn arb_number() -> impl Strategy<Value = Number> {
    prop_oneof![
        any::<i64>().prop_map(Number::from),
        any::<u64>().prop_map(Number::from),
        "-?[0-9]{1,40}(\\.[0-9]{1,30})?(e-?[0-9]{1,2})?".prop_map(|s| Number::parse(&s).unwrap()),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| Number::from_f64_exact(f).unwrap()),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| Number::from_f64(f).unwrap()),
        Just(Number::parse("12345678901234567890123").unwrap()),
        any::<bool>().prop_map(Number::infinity),
    ]
}

fn arb_refinements(ty: &Type) -> BoxedStrategy<Refinements> {
    let not_null = any::<bool>();
    let bound = || {
        prop::option::of(
            (arb_number(), any::<bool>())
                .prop_map(|(value, inclusive)| NumberBound { value, inclusive }),
        )
    };
    match ty {
        Type::Dynamic => Just(Refinements::default()).boxed(),
        Type::String => (not_null, prop::option::of(".{0,8}"))
            .prop_map(|(definitely_not_null, string_prefix)| Refinements {
                definitely_not_null,
                string_prefix,
                ..Refinements::default()
            })
            .boxed(),
        Type::Number => (not_null, bound(), bound())
            .prop_map(|(definitely_not_null, lower, upper)| Refinements {
                definitely_not_null,
                number_lower_bound: lower,
                number_upper_bound: upper,
                ..Refinements::default()
            })
            .boxed(),
        ty if ty.is_collection() => (
            not_null,
            prop::option::of(0..10u64),
            prop::option::of(any::<u64>()),
        )
            .prop_map(|(definitely_not_null, min, max)| Refinements {
                definitely_not_null,
                length_lower_bound: min,
                length_upper_bound: max,
                ..Refinements::default()
            })
            .boxed(),
        _ => not_null
            .prop_map(|definitely_not_null| Refinements {
                definitely_not_null,
                ..Refinements::default()
            })
            .boxed(),
    }
}

/// A value of type `ty`; `depth` bounds how many more dynamic types may be invented.
fn arb_value(ty: &Type, depth: u32) -> BoxedStrategy<Value> {
    let special = prop_oneof![
        Just(Value::Null),
        arb_refinements(ty).prop_map(|r| Value::Unknown(Unknown::refined(r))),
    ];
    let known: BoxedStrategy<Value> = match ty {
        Type::String => ".{0,12}".prop_map(Value::String).boxed(),
        Type::Number => arb_number().prop_map(Value::Number).boxed(),
        Type::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        Type::List(element) => prop::collection::vec(arb_value(element, depth), 0..4)
            .prop_map(Value::List)
            .boxed(),
        Type::Set(element) => prop::collection::vec(arb_value(element, depth), 0..4)
            .prop_map(Value::Set)
            .boxed(),
        Type::Map(element) => {
            prop::collection::btree_map(attr_name(), arb_value(element, depth), 0..4)
                .prop_map(Value::Map)
                .boxed()
        }
        Type::Object(attrs) => attrs
            .iter()
            .map(|(name, ty)| {
                let name = name.clone();
                arb_value(ty, depth).prop_map(move |v| (name.clone(), v))
            })
            .collect::<Vec<_>>()
            .prop_map(|entries| Value::Object(entries.into_iter().collect::<BTreeMap<_, _>>()))
            .boxed(),
        Type::Tuple(types) => types
            .iter()
            .map(|ty| arb_value(ty, depth))
            .collect::<Vec<_>>()
            .prop_map(Value::Tuple)
            .boxed(),
        Type::Dynamic if depth == 0 => Just(Value::Null).boxed(),
        Type::Dynamic => arb_type()
            .prop_flat_map(move |concrete| {
                arb_value(&concrete, depth - 1)
                    .prop_map(move |v| Value::Dynamic(concrete.clone(), Box::new(v)))
            })
            .boxed(),
    };
    prop_oneof![1 => special, 4 => known].boxed()
}

fn typed_value() -> impl Strategy<Value = (Type, Value)> {
    arb_type().prop_flat_map(|ty| {
        let values = arb_value(&ty, 2);
        (Just(ty), values)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn type_json_round_trips(ty in arb_type()) {
        let json = ty.to_json();
        prop_assert_eq!(Type::from_json(json.as_bytes()).unwrap(), ty);
    }

    #[test]
    fn msgpack_encode_decode_encode_is_identity((ty, value) in typed_value()) {
        let bytes = msgpack::encode(&value, &ty).unwrap();
        let decoded = msgpack::decode(&bytes, &ty).unwrap();
        prop_assert_eq!(&decoded, &value);
        prop_assert_eq!(msgpack::encode(&decoded, &ty).unwrap(), bytes);
    }

    #[test]
    fn json_encode_decode_encode_is_identity_for_known_values((ty, value) in typed_value()) {
        prop_assume!(value.is_known());
        let bytes = match json::encode(&value, &ty) {
            // JSON has no infinity; the only refusal a wholly known value may meet.
            Err(ValueError::InvalidNumber { .. }) => return Ok(()),
            other => other.unwrap(),
        };
        let decoded = json::decode(&bytes, &ty).unwrap();
        prop_assert_eq!(&decoded, &value);
        prop_assert_eq!(json::encode(&decoded, &ty).unwrap(), bytes);
    }

    #[test]
    fn numbers_display_and_parse_exactly(number in arb_number()) {
        let text = number.to_string();
        prop_assert_eq!(Number::parse(&text).unwrap(), number);
    }

    #[test]
    fn exact_f64_conversion_is_exact(f in any::<f64>().prop_filter("finite", |f| f.is_finite())) {
        let exact = Number::from_f64_exact(f).unwrap();
        prop_assert_eq!(exact.as_f64_exact().map(f64::to_bits), Some(if f == 0.0 { 0.0f64.to_bits() } else { f.to_bits() }));
        prop_assert_eq!(Number::from_f64(f).unwrap().as_f64(), f);
    }

    /// A cheap, stable-toolchain cousin of the `msgpack_decode` fuzz target: valid encodings
    /// with a few bytes overwritten must never panic, and whatever still decodes must
    /// round-trip.
    #[test]
    fn corrupted_msgpack_never_panics(
        (ty, value) in typed_value(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
    ) {
        let mut bytes = msgpack::encode(&value, &ty).unwrap();
        for (index, byte) in edits {
            let at = index.index(bytes.len());
            bytes[at] = byte;
        }
        if let Ok(decoded) = msgpack::decode(&bytes, &ty) {
            let encoded = msgpack::encode(&decoded, &ty).unwrap();
            prop_assert_eq!(msgpack::decode(&encoded, &ty).unwrap(), decoded);
        }
    }
}
