//! helm's multi-document YAML output as JSON objects.

use serde::Deserialize as _;
use serde_json::Value;

use super::error::HelmError;

/// The documents of `text`, empty ones (comments only, `---` separators) skipped.
pub(crate) fn documents(command: &'static str, text: &str) -> Result<Vec<Value>, HelmError> {
    let mut objects = Vec::new();
    for document in serde_norway::Deserializer::from_str(text) {
        let value = Value::deserialize(document).map_err(|e| HelmError::Output {
            command,
            message: format!("invalid YAML: {e}"),
        })?;
        if !value.is_null() {
            objects.push(value);
        }
    }
    Ok(objects)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_documents_are_skipped() {
        let text = "---\n# Source: c/templates/empty.yaml\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {n: \"1\"}\n---\n---\nkind: Secret\n";
        let objects = documents("template", text).unwrap();
        assert_eq!(objects.len(), 2);
        assert_eq!(objects[0]["metadata"]["name"], "a");
        assert_eq!(objects[1]["kind"], "Secret");
    }

    #[test]
    fn broken_yaml_is_an_output_error() {
        assert!(matches!(
            documents("template", "a: [b"),
            Err(HelmError::Output { .. })
        ));
    }
}
