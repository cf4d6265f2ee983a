//! Provider-defined functions (`provider::clusternet::<name>(...)`, Terraform 1.8+ and
//! OpenTofu 1.7+): Clusternet's own arithmetic and the feed conventions, offline, for
//! expressions, validations and `terraform test`. One file per function; each computes from
//! its arguments alone, since Terraform may call a function on a provider it never configured.
//!
//! Every parameter refuses unknown values, so Terraform itself answers an unknown result for
//! an unknown argument without calling the provider, and refuses nulls before calling it.

mod divide;
mod feed_key;
mod manifest_decode;
mod manifest_decode_multi;
mod manifest_encode;

use std::collections::BTreeMap;

use clusternet_tfplugin::value::Number;
use clusternet_tfplugin::{FunctionDeclaration, FunctionError, Type, Value};
use serde_json::Value as Json;

/// One function.
pub trait Function: Send + Sync {
    /// The name after `provider::clusternet::`.
    fn name(&self) -> &'static str;

    /// Parameters, result type and documentation.
    fn declaration(&self) -> FunctionDeclaration;

    /// Computes the result from wholly known, non-null arguments, one per parameter.
    fn call(&self, arguments: &[Value]) -> Result<Value, FunctionError>;
}

/// Every function of the provider, by name.
pub struct Functions(BTreeMap<&'static str, Box<dyn Function>>);

impl Functions {
    /// All of them.
    pub fn new() -> Self {
        let all: [Box<dyn Function>; 5] = [
            Box::new(divide::Divide),
            Box::new(feed_key::FeedKey),
            Box::new(manifest_decode::ManifestDecode),
            Box::new(manifest_decode_multi::ManifestDecodeMulti),
            Box::new(manifest_encode::ManifestEncode),
        ];
        Functions(all.into_iter().map(|f| (f.name(), f)).collect())
    }

    /// The declarations, for the schema.
    pub fn declarations(&self) -> BTreeMap<String, FunctionDeclaration> {
        self.0
            .iter()
            .map(|(name, f)| (name.to_string(), f.declaration()))
            .collect()
    }

    /// Calls `name`. The protocol layer has already matched the argument count to the
    /// declaration.
    pub fn call(&self, name: &str, arguments: &[Value]) -> Result<Value, FunctionError> {
        match self.0.get(name) {
            Some(function) => function.call(arguments),
            None => Err(FunctionError::call(format!(
                "This provider defines no function {name:?}; its functions are {}.",
                self.0.keys().copied().collect::<Vec<_>>().join(", ")
            ))),
        }
    }
}

/// Argument `position`, which the declaration says exists.
fn argument(arguments: &[Value], position: usize) -> Result<&Value, FunctionError> {
    arguments.get(position).ok_or_else(|| {
        FunctionError::call(format!(
            "This is a bug in the provider: argument {} is missing.",
            position + 1
        ))
    })
}

/// A whole number from 0 to 2147483647 (Kubernetes' replica counts and Clusternet's weights
/// are 32-bit), or an error on argument `position` naming the value as `what`.
fn replica_count(number: &Number, position: usize, what: &str) -> Result<i32, FunctionError> {
    let refuse = |why: &str| {
        FunctionError::argument(
            position,
            format!(
                "{what} must be a whole number from 0 to 2147483647 (Clusternet counts replicas \
                 and weights in 32 bits), and {number} {why}."
            ),
        )
    };
    if !number.is_integer() || number.is_infinite() {
        return Err(refuse("is not a whole number"));
    }
    if number.is_negative() {
        return Err(refuse("is negative"));
    }
    number
        .as_i64()
        .and_then(|n| i32::try_from(n).ok())
        .ok_or_else(|| refuse("is too large"))
}

/// A string argument's text (the declaration makes it a known, non-null string).
fn text_argument(arguments: &[Value], position: usize) -> Result<&str, FunctionError> {
    argument(arguments, position)?.as_str().ok_or_else(|| {
        FunctionError::argument(
            position,
            "This is a bug in the provider: expected a string.",
        )
    })
}

/// A Kubernetes object decoded from the text in argument 0, with its Terraform type: object
/// types for mappings, tuples for sequences, as `yamldecode` gives them.
fn typed_object(object: &Json) -> Result<(Type, Value), FunctionError> {
    clusternet_tfplugin::value::from_plain_json(object).map_err(|e| {
        FunctionError::argument(0, format!("The object cannot be a Terraform value: {e}."))
    })
}

/// [`typed_object`] as the dynamic value a function returns.
fn object_value(object: &Json) -> Result<Value, FunctionError> {
    let (ty, value) = typed_object(object)?;
    Ok(Value::dynamic(ty, value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_function_is_declared_under_its_name() {
        let functions = Functions::new();
        let names: Vec<String> = functions.declarations().into_keys().collect();
        assert_eq!(
            names,
            [
                "divide",
                "feed_key",
                "manifest_decode",
                "manifest_decode_multi",
                "manifest_encode"
            ]
        );
        let error = functions.call("nope", &[]).unwrap_err();
        assert!(
            error.text.contains("defines no function \"nope\""),
            "{error}"
        );
    }

    #[test]
    fn replica_counts_are_whole_32_bit_numbers() {
        let n = |s: &str| Number::parse(s).unwrap();
        assert_eq!(replica_count(&n("7"), 0, "total"), Ok(7));
        assert_eq!(replica_count(&n("2147483647"), 0, "total"), Ok(i32::MAX));
        for (text, why) in [
            ("2.5", "is not a whole number"),
            ("-1", "is negative"),
            ("2147483648", "is too large"),
            ("123456789012345678901234567890", "is too large"),
            ("inf", "is not a whole number"),
        ] {
            let error = replica_count(&n(text), 0, "total").unwrap_err();
            assert_eq!(error.argument, Some(0));
            assert!(error.text.ends_with(&format!("{why}.")), "{text}: {error}");
        }
    }
}
