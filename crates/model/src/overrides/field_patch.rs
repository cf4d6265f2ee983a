//! `FieldJSONPatch` / `FieldMergePatch`: patch a document *inside* a string field
//! (a ConfigMap entry holding JSON or YAML), then re-encode it and write it back.

use serde_json::Value;

use super::json_patch::{self, Patch, PatchError};
use super::merge_patch::{self, MergePatchError};
use crate::types::FieldFormat;
use crate::yaml::{self, YamlError};

/// Why a field patch failed.
#[derive(Debug, thiserror::Error)]
pub enum FieldPatchError {
    /// `fieldPath` does not start with `/`.
    #[error("fieldPath {0:?} must start with '/'")]
    BadPath(String),
    /// The field does not exist.
    #[error("field {0:?} not found")]
    NotFound(String),
    /// The field exists but is not a string.
    #[error("field {0:?} is not a string")]
    NotString(String),
    /// `fieldFormat` is missing (upstream has no default despite its comment).
    #[error("unsupported FieldFormatType \"\" (fieldFormat must be YAML or JSON)")]
    MissingFormat,
    /// The field's content does not parse in the given format.
    #[error("field {path:?} does not hold valid {format}: {message}")]
    BadContent {
        /// Field path.
        path: String,
        /// `JSON` or `YAML`.
        format: &'static str,
        /// Parser message.
        message: String,
    },
    /// The inner JSON patch failed.
    #[error("inner JSON patch: {0}")]
    JsonPatch(#[from] PatchError),
    /// The inner merge patch failed.
    #[error("inner merge patch: {0}")]
    MergePatch(#[from] MergePatchError),
    /// YAML conversion failed.
    #[error("{0}")]
    Yaml(#[from] YamlError),
}

/// Which patch is applied inside the field.
#[derive(Debug, Clone, Copy)]
pub enum Inner<'a> {
    /// RFC 6902 (a missing inner path makes it a no-op).
    JsonPatch(&'a Patch),
    /// RFC 7386.
    MergePatch(&'a Value),
}

/// `findField`: walk `/a/b/0/c` through objects (by key) and arrays (by index); the
/// target must be a string. Segments are not `~`-unescaped.
pub fn find_field<'a>(doc: &'a Value, path: &str) -> Result<&'a str, FieldPatchError> {
    let rest = path
        .strip_prefix('/')
        .ok_or_else(|| FieldPatchError::BadPath(path.to_string()))?;
    let mut current = doc;
    for segment in rest.split('/') {
        current = match current {
            Value::Object(map) => map.get(segment),
            Value::Array(items) => segment.parse::<usize>().ok().and_then(|i| items.get(i)),
            _ => None,
        }
        .ok_or_else(|| FieldPatchError::NotFound(path.to_string()))?;
    }
    current
        .as_str()
        .ok_or_else(|| FieldPatchError::NotString(path.to_string()))
}

/// Apply a field patch to `doc`. Returns whether the document changed.
pub fn field_patch(
    doc: &mut Value,
    path: &str,
    format: Option<FieldFormat>,
    inner: Inner<'_>,
) -> Result<bool, FieldPatchError> {
    let original = find_field(doc, path)?;
    if original.is_empty() {
        return Ok(false);
    }
    let format = format.ok_or(FieldPatchError::MissingFormat)?;
    let mut content = match format {
        FieldFormat::Json => {
            crate::json::parse(original).map_err(|e| FieldPatchError::BadContent {
                path: path.to_string(),
                format: "JSON",
                message: e.to_string(),
            })?
        }
        FieldFormat::Yaml => {
            yaml::yaml_to_json(original).map_err(|e| FieldPatchError::BadContent {
                path: path.to_string(),
                format: "YAML",
                message: e.to_string(),
            })?
        }
    };
    match inner {
        Inner::JsonPatch(patch) => {
            json_patch::apply_lenient(patch, &mut content)?;
        }
        Inner::MergePatch(patch) => {
            merge_patch::merge_patch(&mut content, patch)?;
        }
    }
    let encoded = match format {
        FieldFormat::Json => crate::json::to_indented(&content, "    "),
        FieldFormat::Yaml => yaml::json_to_yaml(&content),
    };
    let changed = encoded != original;
    let write_back = Patch {
        operations: vec![json_patch::Operation {
            op: String::from("replace"),
            path: Some(path.to_string()),
            from: None,
            value: Some(Value::String(encoded)),
        }],
    };
    match json_patch::apply_lenient(&write_back, doc)? {
        json_patch::Outcome::Applied { .. } => Ok(changed),
        json_patch::Outcome::SkippedMissing(_) => Ok(false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    // spec §10.4 findField
    #[test]
    fn find_field_vectors() {
        let doc = json!({"metadata": {"labels": {"another-label": "another-value"}}});
        assert!(matches!(
            find_field(&doc, "/metadata/labels"),
            Err(FieldPatchError::NotString(_))
        ));
        assert_eq!(
            find_field(&doc, "/metadata/labels/another-label").unwrap(),
            "another-value"
        );
        let doc = json!({"spec": {"commands": ["sleep", "999999"]}});
        assert_eq!(find_field(&doc, "/spec/commands/1").unwrap(), "999999");
        let doc =
            json!({"spec": {"containers": [{"image": "nginx:latest"}, {"image": "redis:latest"}]}});
        assert_eq!(
            find_field(&doc, "/spec/containers/1/image").unwrap(),
            "redis:latest"
        );
        assert!(find_field(&doc, "/spec/containers/error/image").is_err());
    }

    #[test]
    fn missing_format_is_an_error() {
        let mut doc = json!({"data": {"x": "{}"}});
        let patch = json!({"a": 1});
        assert!(matches!(
            field_patch(&mut doc, "/data/x", None, Inner::MergePatch(&patch)),
            Err(FieldPatchError::MissingFormat)
        ));
    }

    #[test]
    fn yaml_field_is_reencoded_as_sorted_yaml() {
        let mut doc = json!({"data": {"cfg": "b: 1\na:\n  x: old\n"}});
        let patch = json!({"a": {"x": "new"}});
        field_patch(
            &mut doc,
            "/data/cfg",
            Some(FieldFormat::Yaml),
            Inner::MergePatch(&patch),
        )
        .unwrap();
        assert_eq!(doc["data"]["cfg"], "a:\n  x: new\nb: 1\n");
    }
}
