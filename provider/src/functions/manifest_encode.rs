//! `manifest_encode(manifest, format)`: Kubernetes objects as YAML or JSON text, the way the
//! provider writes them (sorted keys).

use clusternet_tfplugin::value::to_plain_json;
use clusternet_tfplugin::{FunctionDeclaration, FunctionError, Parameter, Type, Value};
use serde_json::Value as Json;

use super::{Function, argument, text_argument};
use crate::resources::feed;

/// The function.
pub struct ManifestEncode;

const DESCRIPTION: &str = "\
Encodes a Kubernetes object, or a list of them, as text. `format` is `\"yaml\"` (one document; \
a list gives a stream of documents, each opened by `---`) or `\"json\"` (indented with two \
spaces; a list gives a JSON array). Keys are sorted, so the text is stable: `clusternet_manifest.manifest = provider::clusternet::manifest_encode(obj, \"yaml\")` \
plans no change until the object does.

JSON keeps every digit of a number. YAML is written as Kubernetes' own JSON-to-YAML conversion \
writes it, which turns a whole number beyond 64 bits into a float (`1.2345678901234568e22`). \
Every object needs `apiVersion`, `kind` and `metadata.name`.";

impl Function for ManifestEncode {
    fn name(&self) -> &'static str {
        "manifest_encode"
    }

    fn declaration(&self) -> FunctionDeclaration {
        FunctionDeclaration {
            parameters: vec![
                Parameter::new(
                    "manifest",
                    Type::Dynamic,
                    "A Kubernetes object, or a list of them.",
                ),
                Parameter::new("format", Type::String, "`\"yaml\"` or `\"json\"`."),
            ],
            return_type: Type::String,
            summary: "Kubernetes objects as YAML or JSON text".to_string(),
            description: DESCRIPTION.to_string(),
        }
    }

    fn call(&self, arguments: &[Value]) -> Result<Value, FunctionError> {
        let format = match text_argument(arguments, 1)? {
            "yaml" => Format::Yaml,
            "json" => Format::Json,
            other => {
                return Err(FunctionError::argument(
                    1,
                    format!("format must be \"yaml\" or \"json\", not {other:?}."),
                ));
            }
        };
        let manifest = argument(arguments, 0)?.unwrap_dynamic();
        let (objects, single) = match manifest {
            Value::Object(_) | Value::Map(_) => (vec![manifest], true),
            Value::List(items) | Value::Tuple(items) | Value::Set(items) => {
                (items.iter().collect(), false)
            }
            _ => {
                return Err(FunctionError::argument(
                    0,
                    "manifest must be a Kubernetes object or a list of them.",
                ));
            }
        };
        let mut json = Vec::with_capacity(objects.len());
        for (i, object) in objects.into_iter().enumerate() {
            let which = if single {
                "The manifest".to_string()
            } else {
                format!("Element {i} of the manifest list")
            };
            let value = to_plain_json(object).map_err(|e| {
                FunctionError::argument(0, format!("{which} cannot be encoded: {e}."))
            })?;
            if !value.is_object() {
                return Err(FunctionError::argument(
                    0,
                    format!("{which} is not an object."),
                ));
            }
            feed::identity_of(&value).map_err(|e| {
                FunctionError::argument(
                    0,
                    format!(
                        "{which} is incomplete: {e}; a Kubernetes object needs apiVersion, kind \
                         and metadata.name."
                    ),
                )
            })?;
            json.push(value);
        }
        Ok(Value::from(match (format, single) {
            (Format::Yaml, true) => clusternet_model::yaml::json_to_yaml(&json[0]),
            (Format::Yaml, false) => clusternet_model::yaml::to_stream(&json),
            (Format::Json, true) => clusternet_model::json::to_indented(&json[0], "  "),
            (Format::Json, false) => clusternet_model::json::to_indented(&Json::Array(json), "  "),
        }))
    }
}

enum Format {
    Yaml,
    Json,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(json: &str) -> Value {
        let json: Json = serde_json::from_str(json).unwrap();
        let (ty, value) = clusternet_tfplugin::value::from_plain_json(&json).unwrap();
        Value::dynamic(ty, value)
    }

    const CM: &str = r#"{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"a"},"data":{"n":"1"},"big":12345678901234567890123}"#;

    #[test]
    fn yaml_as_kubernetes_writes_it_and_json_with_every_digit() {
        let yaml = ManifestEncode.call(&[object(CM), "yaml".into()]).unwrap();
        assert_eq!(
            yaml.as_str().unwrap(),
            "apiVersion: v1\nbig: 1.2345678901234568e22\ndata:\n  n: '1'\nkind: ConfigMap\nmetadata:\n  name: a\n"
        );
        let json = ManifestEncode.call(&[object(CM), "json".into()]).unwrap();
        let text = json.as_str().unwrap();
        assert!(
            text.starts_with("{\n  \"apiVersion\": \"v1\",\n  \"big\": 12345678901234567890123,"),
            "{text}"
        );
    }

    #[test]
    fn a_list_is_a_stream_or_an_array() {
        let list = Value::dynamic(
            Type::Tuple(vec![]),
            Value::Tuple(vec![
                object(CM).unwrap_dynamic().clone(),
                object(CM).unwrap_dynamic().clone(),
            ]),
        );
        let yaml = ManifestEncode.call(&[list.clone(), "yaml".into()]).unwrap();
        assert_eq!(yaml.as_str().unwrap().matches("---\n").count(), 2);
        let json = ManifestEncode.call(&[list, "json".into()]).unwrap();
        assert!(json.as_str().unwrap().starts_with('['));
    }

    #[test]
    fn bad_formats_and_objects_are_errors_on_their_argument() {
        let error = ManifestEncode
            .call(&[object(CM), "toml".into()])
            .unwrap_err();
        assert_eq!(error.argument, Some(1));
        assert_eq!(
            error.text,
            "format must be \"yaml\" or \"json\", not \"toml\"."
        );
        let error = ManifestEncode
            .call(&[object(r#"{"kind":"ConfigMap"}"#), "yaml".into()])
            .unwrap_err();
        assert_eq!(error.argument, Some(0));
        assert!(
            error.text.starts_with("The manifest is incomplete"),
            "{error}"
        );
        let error = ManifestEncode
            .call(&[Value::dynamic(Type::String, "x".into()), "yaml".into()])
            .unwrap_err();
        assert_eq!(error.argument, Some(0));
    }
}
