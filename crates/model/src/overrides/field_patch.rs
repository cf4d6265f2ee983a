//! `FieldJSONPatch` / `FieldMergePatch`: patch a document *inside* a string field
//! (a ConfigMap entry holding JSON or YAML), then re-encode it and write it back.

use serde_json::Value;

use super::json_patch::{self, Patch, PatchError};
use super::lazy_patch;
use super::merge_patch::{self, MergePatchError};
use crate::goyaml;
use crate::types::FieldFormat;
use crate::yaml::YamlError;

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
    /// A JSON field merged into something other than an object (upstream decodes the
    /// result into a map).
    #[error(
        "field {0:?}: the merge patch turned the JSON document into something other than an object"
    )]
    MergedNotObject(String),
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
///
/// The field is rewritten with the bytes Clusternet's `applyFieldJSONPatch` /
/// `applyFieldMergePatch` (`pkg/controllermanager/deployer/localizer/patch.go`) produce:
/// * JSON + JSON patch: `ApplyIndent(field, "    ")` ([`lazy_patch`]): untouched nested
///   values keep their bytes; a patch dropped for a missing path leaves the field as is.
/// * JSON + merge patch: the merged object is decoded into `map[string]interface{}` and
///   re-encoded with `json.MarshalIndent`, so every number goes through float64.
/// * YAML: `yaml.YAMLToJSON`, the patch, `yaml.JSONToYAML` ([`goyaml`]), YAML 1.1 both ways.
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
    let bad_content = |format: &'static str, message: String| FieldPatchError::BadContent {
        path: path.to_string(),
        format,
        message,
    };
    let encoded = match format {
        // `applyJSONPatch` returns a blank document as it is.
        FieldFormat::Json if original.trim().is_empty() && matches!(inner, Inner::JsonPatch(_)) => {
            return Ok(false);
        }
        FieldFormat::Json => {
            let mut content =
                crate::json::parse(original).map_err(|e| bad_content("JSON", e.to_string()))?;
            match inner {
                Inner::JsonPatch(patch) => lazy_patch::apply_indent(original, patch, JSON_INDENT)?,
                Inner::MergePatch(patch) => {
                    merge_patch::merge_patch(&mut content, patch)?;
                    if !content.is_object() {
                        return Err(FieldPatchError::MergedNotObject(path.to_string()));
                    }
                    through_float64(&mut content);
                    crate::json::to_indented(&content, JSON_INDENT)
                }
            }
        }
        FieldFormat::Yaml => {
            let mut content =
                goyaml::yaml_to_json(original).map_err(|e| bad_content("YAML", e.to_string()))?;
            match inner {
                Inner::JsonPatch(patch) => {
                    json_patch::apply_lenient(patch, &mut content)?;
                }
                Inner::MergePatch(patch) => {
                    merge_patch::merge_patch(&mut content, patch)?;
                }
            }
            goyaml::json_to_yaml(&content)?
        }
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

/// `patch.go`'s `jsonIndent`.
const JSON_INDENT: &str = "    ";

/// What `json.Unmarshal` into `interface{}` does to numbers: every one becomes a float64
/// (`12345678901234567890` prints back as `12345678901234567000`, `1.0` as `1`).
fn through_float64(value: &mut Value) {
    match value {
        Value::Number(n) => {
            if let Some(f) = n.as_f64().and_then(crate::yaml::go_float) {
                *n = f;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(through_float64),
        Value::Object(map) => map.values_mut().for_each(through_float64),
        _ => {}
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

    fn patch_field(field: &str, format: FieldFormat, inner: Inner<'_>) -> String {
        let mut doc = json!({"data": {"f": field}});
        field_patch(&mut doc, "/data/f", Some(format), inner).unwrap();
        doc["data"]["f"].as_str().unwrap().to_string()
    }

    // patch.go `applyFieldJSONPatch` (JSON) -> `applyJSONPatch(field, patch, "    ")` ->
    // evanphx/json-patch v5.7.0 `ApplyIndent`: untouched nested values keep their bytes.
    #[test]
    fn json_patch_keeps_untouched_nested_values_as_written() {
        let patch = Patch::decode(&json!([{"op": "replace", "path": "/b", "value": 2}])).unwrap();
        let out = patch_field(
            r#"{"b": 1, "a": {"z": 1.0, "y": 2}}"#,
            FieldFormat::Json,
            Inner::JsonPatch(&patch),
        );
        assert_eq!(
            out,
            "{\n    \"a\": {\n        \"z\": 1.0,\n        \"y\": 2\n    },\n    \"b\": 2\n}"
        );
    }

    // patch.go `applyJSONPatch`: on `jsonpatch.ErrMissing` it returns `cur` unchanged, and
    // the replace that writes the field back puts the same bytes back.
    #[test]
    fn json_patch_on_a_missing_path_leaves_the_field_byte_identical() {
        let patch = Patch::decode(&json!([{"op": "remove", "path": "/nope"}])).unwrap();
        let field = "{ \"b\":1,\n\"a\":2 }";
        assert_eq!(
            patch_field(field, FieldFormat::Json, Inner::JsonPatch(&patch)),
            field
        );
    }

    // patch.go `applyFieldMergePatch` (JSON): `json.Unmarshal` into map[string]interface{}
    // then `json.MarshalIndent`: numbers become float64.
    #[test]
    fn json_merge_patch_goes_through_float64() {
        let field = r#"{"big": 12345678901234567890, "one": 1.0, "small": 7}"#;
        let out = patch_field(
            field,
            FieldFormat::Json,
            Inner::MergePatch(&json!({"x": 1})),
        );
        assert_eq!(
            out,
            "{\n    \"big\": 12345678901234567000,\n    \"one\": 1,\n    \"small\": 7,\n    \"x\": 1\n}"
        );
        let mut doc = json!({"data": {"f": "{}"}});
        assert!(matches!(
            field_patch(
                &mut doc,
                "/data/f",
                Some(FieldFormat::Json),
                Inner::MergePatch(&json!([1]))
            ),
            Err(FieldPatchError::MergedNotObject(_))
        ));
    }

    // patch.go YAML branches: sigs.k8s.io/yaml v1.4.0 `YAMLToJSON` / `JSONToYAML` on
    // goyaml.v2 (resolve.go `resolve`, encode.go `stringv`, sorter.go `keyList.Less`).
    // The string "on" must come back quoted: unquoted, every YAML 1.1 reader sees `true`.
    #[test]
    fn yaml_field_speaks_yaml_1_1() {
        let field = "mode: \"on\"\nenabled: on\nport: \"8080\"\nitem10: a\nitem9: b\nempty: \"\"\n";
        let out = patch_field(
            field,
            FieldFormat::Yaml,
            Inner::MergePatch(&json!({"item2": "c"})),
        );
        assert_eq!(
            out,
            "empty: \"\"\nenabled: true\nitem2: c\nitem9: b\nitem10: a\nmode: \"on\"\nport: \"8080\"\n"
        );
        let patch =
            Patch::decode(&json!([{"op": "add", "path": "/flag", "value": "off"}])).unwrap();
        let out = patch_field("a: yes\n", FieldFormat::Yaml, Inner::JsonPatch(&patch));
        assert_eq!(out, "a: true\nflag: \"off\"\n");
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
