//! `feed_key(manifest)`: the feed key Clusternet spells an object with,
//! `<apiVersion>/<Kind>/[<namespace>/]<name>`, as `clusternet_subscription.replicas`,
//! `descriptions` and `ignore_fields` key objects.

use clusternet_model::identity::ObjectIdentity;
use clusternet_tfplugin::{FunctionDeclaration, FunctionError, Parameter, Type, Value};

use super::{Function, argument};
use crate::resources::feed;
use crate::resources::manifest::{ManifestError, parse_object};

/// The function.
pub struct FeedKey;

const DESCRIPTION: &str = "\
The feed key of a Kubernetes object: `<apiVersion>/<Kind>/<namespace>/<name>`, or \
`<apiVersion>/<Kind>/<name>` for an object without a namespace. It is how the provider keys \
objects in `clusternet_subscription`'s `replicas` (after `<cluster>/`), `descriptions` and \
`ignore_fields`.

`manifest` is the object itself (from `yamldecode`, `jsondecode` or `manifest_decode`) or its \
YAML or JSON text (one document, as `clusternet_manifest.manifest` takes it). The object needs \
`apiVersion`, `kind` and `metadata.name`, with names Kubernetes accepts.";

impl Function for FeedKey {
    fn name(&self) -> &'static str {
        "feed_key"
    }

    fn declaration(&self) -> FunctionDeclaration {
        FunctionDeclaration {
            parameters: vec![Parameter::new(
                "manifest",
                Type::Dynamic,
                "The object, or its YAML or JSON text.",
            )],
            return_type: Type::String,
            summary: "The feed key `<apiVersion>/<Kind>/[<namespace>/]<name>` of an object"
                .to_string(),
            description: DESCRIPTION.to_string(),
        }
    }

    fn call(&self, arguments: &[Value]) -> Result<Value, FunctionError> {
        let identity = identity_of_manifest(argument(arguments, 0)?)?;
        feed::check_names(&identity)
            .map_err(|e| FunctionError::argument(0, format!("The manifest's {e}.")))?;
        Ok(Value::from(identity.key()))
    }
}

/// The identity of an object given as a value or as text; errors are on argument 0.
fn identity_of_manifest(manifest: &Value) -> Result<ObjectIdentity, FunctionError> {
    let refuse = |text: String| FunctionError::argument(0, text);
    match manifest.unwrap_dynamic() {
        Value::String(text) => match parse_object(text) {
            Ok((_, identity)) => Ok(identity),
            Err(ManifestError::SeveralDocuments { count }) => Err(refuse(format!(
                "The manifest holds {count} YAML documents; feed_key takes one object."
            ))),
            Err(e @ ManifestError::Incomplete(_)) => Err(refuse(format!(
                "The manifest is incomplete: {e}; a feed needs apiVersion, kind and \
                 metadata.name."
            ))),
            Err(e) => Err(refuse(format!(
                "The manifest is not one Kubernetes object as YAML or JSON: {e}."
            ))),
        },
        object @ (Value::Object(_) | Value::Map(_)) => {
            let json = clusternet_tfplugin::value::to_plain_json(object)
                .map_err(|e| refuse(format!("The manifest cannot be read: {e}.")))?;
            feed::identity_of(&json).map_err(|e| {
                refuse(format!(
                    "The manifest is incomplete: {e}; a feed needs apiVersion, kind and \
                     metadata.name."
                ))
            })
        }
        _ => Err(refuse(
            "manifest must be a Kubernetes object (e.g. from yamldecode) or its YAML or JSON \
             text."
                .to_string(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(manifest: Value) -> Result<String, FunctionError> {
        FeedKey
            .call(&[manifest])
            .map(|v| v.as_str().unwrap().to_string())
    }

    fn object(json: &str) -> Value {
        let json: serde_json::Value = serde_json::from_str(json).unwrap();
        let (ty, value) = clusternet_tfplugin::value::from_plain_json(&json).unwrap();
        Value::dynamic(ty, value)
    }

    #[test]
    fn keys_objects_and_text_alike() {
        let yaml =
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\n";
        assert_eq!(
            call(Value::dynamic(Type::String, yaml.into())),
            Ok("apps/v1/Deployment/shop/web".to_string())
        );
        assert_eq!(
            call(object(
                r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"shop"}}"#
            )),
            Ok("apps/v1/Deployment/shop/web".to_string())
        );
        assert_eq!(
            call(object(
                r#"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"shop"}}"#
            )),
            Ok("v1/Namespace/shop".to_string())
        );
    }

    #[test]
    fn incomplete_or_invalid_objects_are_errors_on_the_manifest() {
        for manifest in [
            object(r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{}}"#),
            object(r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"Bad_Name"}}"#),
            Value::dynamic(Type::String, "key: [unclosed".into()),
            Value::dynamic(Type::String, "kind: A\n---\nkind: B\n".into()),
            Value::dynamic(Type::Number, Value::from(3)),
        ] {
            let error = call(manifest).unwrap_err();
            assert_eq!(error.argument, Some(0));
            assert!(!error.text.contains("{ "), "no Debug output: {error}");
        }
    }
}
