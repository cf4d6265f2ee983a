//! `manifest_decode(manifest)`: one Kubernetes object from YAML or JSON text, as
//! `clusternet_manifest.manifest` reads it (parity with hashicorp/kubernetes).

use clusternet_tfplugin::{FunctionDeclaration, FunctionError, Parameter, Type, Value};

use super::{Function, object_value, text_argument};
use crate::resources::manifest::{ManifestError, parse_object};

/// The function.
pub struct ManifestDecode;

const DESCRIPTION: &str = "\
Decodes one Kubernetes object from YAML or JSON text into an object value, reading it as \
`clusternet_manifest.manifest` does (YAML 1.1 as Kubernetes reads it; numbers exact). The \
object needs `apiVersion`, `kind` and `metadata.name`. For a stream of several documents use \
`manifest_decode_multi`.";

impl Function for ManifestDecode {
    fn name(&self) -> &'static str {
        "manifest_decode"
    }

    fn declaration(&self) -> FunctionDeclaration {
        FunctionDeclaration {
            parameters: vec![Parameter::new(
                "manifest",
                Type::String,
                "One Kubernetes object as YAML or JSON.",
            )],
            return_type: Type::Dynamic,
            summary: "One Kubernetes object from YAML or JSON".to_string(),
            description: DESCRIPTION.to_string(),
        }
    }

    fn call(&self, arguments: &[Value]) -> Result<Value, FunctionError> {
        let text = text_argument(arguments, 0)?;
        let (object, _) = parse_object(text).map_err(|e| {
            FunctionError::argument(
                0,
                match e {
                    ManifestError::SeveralDocuments { count } => format!(
                        "The manifest holds {count} YAML documents; manifest_decode reads one. \
                         Use manifest_decode_multi for a stream."
                    ),
                    ManifestError::Incomplete(e) => format!(
                        "The manifest is incomplete: {e}; a Kubernetes object needs apiVersion, \
                         kind and metadata.name."
                    ),
                    other => format!(
                        "The manifest is not one Kubernetes object as YAML or JSON: {other}."
                    ),
                },
            )
        })?;
        object_value(&object)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_one_object() {
        let value = ManifestDecode
            .call(&[
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {n: '1'}\n".into(),
            ])
            .unwrap();
        let Value::Dynamic(ty, _) = &value else {
            panic!("a dynamic value")
        };
        assert!(ty.to_json().starts_with("[\"object\""), "{}", ty.to_json());
        assert_eq!(value.get("kind").and_then(Value::as_str), Some("ConfigMap"));
    }

    #[test]
    fn several_documents_or_no_object_are_errors() {
        for text in [
            "kind: A\n---\nkind: B\n",
            "- a\n- b\n",
            "",
            "apiVersion: v1\nkind: ConfigMap\n",
        ] {
            let error = ManifestDecode.call(&[text.into()]).unwrap_err();
            assert_eq!(error.argument, Some(0), "{text:?}");
        }
    }
}
