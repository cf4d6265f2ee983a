//! `manifest_decode_multi(manifest)`: every Kubernetes object of a multi-document YAML (or
//! JSON) stream, read by the same code as `clusternet_manifests`, errors naming the document.

use clusternet_tfplugin::{FunctionDeclaration, FunctionError, Parameter, Type, Value};

use super::{Function, text_argument, typed_object};
use crate::resources::feed;
use crate::resources::manifests::stream::{Place, parsed_documents};

/// The function.
pub struct ManifestDecodeMulti;

const DESCRIPTION: &str = "\
Decodes every Kubernetes object of a YAML stream (documents separated by `---`, or JSON) into \
a list of object values, in document order. It cuts and reads the stream as \
`clusternet_manifests` does: empty and comment-only documents are skipped, and a `List` kind \
(`v1/List`, `ConfigMapList`...) gives its items. Unlike `clusternet_manifests` it accepts \
Secrets and repeated objects: it only decodes.

Every object needs `apiVersion`, `kind` and `metadata.name`. An error names the document \
(counted from 1, empty ones included) and the line it starts on, and the item of a `List`.";

impl Function for ManifestDecodeMulti {
    fn name(&self) -> &'static str {
        "manifest_decode_multi"
    }

    fn declaration(&self) -> FunctionDeclaration {
        FunctionDeclaration {
            parameters: vec![Parameter::new(
                "manifest",
                Type::String,
                "Kubernetes objects as a YAML stream or JSON.",
            )],
            return_type: Type::Dynamic,
            summary: "Every Kubernetes object of a multi-document YAML stream".to_string(),
            description: DESCRIPTION.to_string(),
        }
    }

    fn call(&self, arguments: &[Value]) -> Result<Value, FunctionError> {
        let text = text_argument(arguments, 0)?;
        let refuse = |place: Place, why: String| {
            FunctionError::argument(0, format!("The manifest's {place} {why}."))
        };
        let mut types = Vec::new();
        let mut values = Vec::new();
        for document in parsed_documents(text) {
            let objects =
                document.map_err(|(place, e)| refuse(place, format!("is invalid: {e}")))?;
            for (place, object) in objects {
                if !object.is_object() {
                    return Err(refuse(place, "is not an object".to_string()));
                }
                if let Err(e) = feed::identity_of(&object) {
                    return Err(refuse(
                        place,
                        format!(
                            "is incomplete: {e}; a Kubernetes object needs apiVersion, kind and \
                             metadata.name"
                        ),
                    ));
                }
                let (ty, value) = typed_object(&object)?;
                types.push(ty);
                values.push(value);
            }
        }
        Ok(Value::dynamic(Type::Tuple(types), Value::Tuple(values)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(text: &str) -> Result<Value, FunctionError> {
        ManifestDecodeMulti.call(&[text.into()])
    }

    #[test]
    fn every_object_in_order_lists_expanded() {
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n# nothing\n---\n\
                    apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Secret, metadata: {name: s}}\n\
                    - {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n";
        let value = call(text).unwrap();
        let names: Vec<&str> = value
            .as_elements()
            .unwrap()
            .iter()
            .map(|o| {
                o.get("metadata")
                    .and_then(|m| m.get("name"))
                    .and_then(Value::as_str)
                    .unwrap()
            })
            .collect();
        assert_eq!(names, ["a", "s", "a"]);
    }

    #[test]
    fn an_empty_stream_is_an_empty_list() {
        assert_eq!(call("").unwrap().as_elements().map(<[Value]>::len), Some(0));
    }

    #[test]
    fn errors_name_the_document_and_its_line() {
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\nkey: [unclosed\n";
        let error = call(text).unwrap_err();
        assert_eq!(error.argument, Some(0));
        assert!(
            error
                .text
                .starts_with("The manifest's document 2 (line 5) is invalid: "),
            "{error}"
        );
        let text =
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n---\nkind: ConfigMap\n";
        let error = call(text).unwrap_err();
        assert!(
            error
                .text
                .starts_with("The manifest's document 3 (line 6) is incomplete: "),
            "{error}"
        );
        let error = call("- a\n").unwrap_err();
        assert_eq!(
            error.text,
            "The manifest's document 1 (line 1) is invalid: it is not an object."
        );
    }
}
