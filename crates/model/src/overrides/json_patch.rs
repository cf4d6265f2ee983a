//! RFC 6902 JSON patch with the semantics of `evanphx/json-patch` (v4 API, v5.7.0):
//! JSON-pointer walking as its `findObject` does it, negative array indices accepted,
//! `~1`/`~0` unescaping, and errors classified so that Clusternet's rule can be
//! applied on top: a patch that fails because a path is *missing* is dropped as a
//! whole, silently ([`apply_lenient`]); any other failure is an error.

use std::borrow::Cow;

use serde_json::Value;

/// Clusternet refuses patches with more operations than this.
pub const MAX_OPERATIONS: usize = 10_000;

/// One decoded operation. Fields are kept raw: errors surface when applied, as upstream.
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    /// `op`: add, remove, replace, move, copy, test.
    pub op: String,
    /// `path`, if present.
    pub path: Option<String>,
    /// `from`, if present (move, copy).
    pub from: Option<String>,
    /// `value`, if present (absent means `null`).
    pub value: Option<Value>,
}

/// A decoded patch.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Patch {
    /// Operations in order.
    pub operations: Vec<Operation>,
}

/// Why a patch failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatchError {
    /// A path or key does not exist (Clusternet then ignores the whole patch).
    #[error("{0}")]
    Missing(String),
    /// An array index is out of range or not a number.
    #[error("{0}")]
    InvalidIndex(String),
    /// A `test` operation did not match.
    #[error("{0}")]
    TestFailed(String),
    /// The patch or the document is malformed.
    #[error("{0}")]
    Invalid(String),
    /// More than [`MAX_OPERATIONS`] operations.
    #[error("JSON patch has {0} operations, more than the allowed {MAX_OPERATIONS}")]
    TooManyOperations(usize),
}

/// What [`apply_lenient`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Every operation applied; `changed` tells whether the document differs.
    Applied {
        /// Whether the document changed.
        changed: bool,
    },
    /// A path was missing: the document is untouched.
    SkippedMissing(String),
}

impl Patch {
    /// Decode a patch from its JSON form (an array of operation objects).
    pub fn decode(value: &Value) -> Result<Patch, PatchError> {
        let items = value.as_array().ok_or_else(|| {
            PatchError::Invalid(String::from("a JSON patch must be an array of operations"))
        })?;
        if items.len() > MAX_OPERATIONS {
            return Err(PatchError::TooManyOperations(items.len()));
        }
        let operations = items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let object = item.as_object().ok_or_else(|| {
                    PatchError::Invalid(format!("JSON patch operation {i} is not an object"))
                })?;
                let text = |k: &str| object.get(k).and_then(Value::as_str).map(String::from);
                Ok(Operation {
                    op: text("op").unwrap_or_else(|| String::from("unknown")),
                    path: text("path"),
                    from: text("from"),
                    value: object.get("value").cloned(),
                })
            })
            .collect::<Result<_, PatchError>>()?;
        Ok(Patch { operations })
    }

    /// Apply all operations, atomically: on error `doc` is left as it was.
    pub fn apply(&self, doc: &mut Value) -> Result<bool, PatchError> {
        if !(doc.is_object() || doc.is_array()) {
            return Err(PatchError::Invalid(String::from(
                "JSON patch target is not a JSON object or array",
            )));
        }
        // Single add/remove/replace/test operations validate before they mutate.
        let in_place = self.operations.len() == 1
            && matches!(
                self.operations[0].op.as_str(),
                "add" | "remove" | "replace" | "test"
            );
        if in_place {
            return apply_operation(doc, &self.operations[0]);
        }
        let mut work = doc.clone();
        let mut changed = false;
        for op in &self.operations {
            changed |= apply_operation(&mut work, op)?;
        }
        if changed {
            *doc = work;
        }
        Ok(changed)
    }
}

/// Clusternet's `applyJSONPatch`: a missing path drops the whole patch silently.
pub fn apply_lenient(patch: &Patch, doc: &mut Value) -> Result<Outcome, PatchError> {
    match patch.apply(doc) {
        Ok(changed) => Ok(Outcome::Applied { changed }),
        Err(PatchError::Missing(why)) => Ok(Outcome::SkippedMissing(why)),
        Err(e) => Err(e),
    }
}

pub(super) fn decode_key(key: &str) -> Cow<'_, str> {
    if key.contains('~') {
        Cow::Owned(key.replace("~1", "/").replace("~0", "~"))
    } else {
        Cow::Borrowed(key)
    }
}

pub(super) fn array_index(key: &str, len: usize) -> Option<usize> {
    let idx: i64 = key.parse().ok()?;
    let len = len as i64;
    let idx = if idx < 0 { idx + len } else { idx };
    (0..len).contains(&idx).then_some(idx as usize)
}

/// `findObject`: the container holding the last segment of `path`, and that segment
/// (decoded). The first segment (before the leading `/`) is ignored, as upstream does.
fn locate<'a, 'p>(
    doc: &'a mut Value,
    path: &'p str,
    op: &str,
) -> Result<(&'a mut Value, Cow<'p, str>), PatchError> {
    let missing = || {
        PatchError::Missing(format!(
            "{op} operation does not apply: doc is missing path: {path:?}"
        ))
    };
    let (parents, key) = path.rsplit_once('/').ok_or_else(missing)?;
    let mut current = doc;
    for part in parents.split('/').skip(1) {
        let part = decode_key(part);
        let next = match current {
            Value::Object(map) => map.get_mut(part.as_ref()),
            Value::Array(items) => {
                array_index(&part, items.len()).and_then(move |i| items.get_mut(i))
            }
            _ => None,
        }
        .ok_or_else(missing)?;
        if !(next.is_object() || next.is_array()) {
            return Err(missing());
        }
        current = next;
    }
    Ok((current, decode_key(key)))
}

fn parse_index(key: &str) -> Result<i64, PatchError> {
    key.parse()
        .map_err(|_| PatchError::Invalid(format!("invalid array index {key:?}")))
}

fn invalid_index(idx: i64) -> PatchError {
    PatchError::InvalidIndex(format!("Unable to access invalid index: {idx}"))
}

fn add_at(container: &mut Value, key: &str, value: Value) -> Result<bool, PatchError> {
    match container {
        Value::Object(map) => {
            let changed = map.get(key) != Some(&value);
            map.insert(key.to_string(), value);
            Ok(changed)
        }
        Value::Array(items) => {
            if key == "-" {
                items.push(value);
                return Ok(true);
            }
            let idx = parse_index(key)?;
            let len = items.len() as i64;
            if idx < -len || idx > len {
                return Err(invalid_index(idx));
            }
            let idx = if idx < 0 { idx + len } else { idx };
            items.insert(idx as usize, value);
            Ok(true)
        }
        _ => Err(PatchError::Invalid(String::from(
            "add target is not a container",
        ))),
    }
}

fn remove_at(container: &mut Value, key: &str, path: &str) -> Result<Value, PatchError> {
    match container {
        Value::Object(map) => map.remove(key).ok_or_else(|| {
            PatchError::Missing(format!(
                "unable to remove nonexistent key: {key} (path {path:?})"
            ))
        }),
        Value::Array(items) => {
            let idx = parse_index(key)?;
            let len = items.len() as i64;
            if idx >= len || idx < -len {
                return Err(invalid_index(idx));
            }
            let idx = if idx < 0 { idx + len } else { idx };
            Ok(items.remove(idx as usize))
        }
        _ => Err(PatchError::Invalid(String::from(
            "remove target is not a container",
        ))),
    }
}

/// `get` on a container: `Ok(None)` never happens for arrays (bad indices are errors).
fn get_at<'a>(
    container: &'a mut Value,
    key: &str,
    path: &str,
) -> Result<&'a mut Value, PatchError> {
    match container {
        Value::Object(map) => map.get_mut(key).ok_or_else(|| {
            PatchError::Missing(format!(
                "unable to get nonexistent key: {key} (path {path:?})"
            ))
        }),
        Value::Array(items) => {
            let idx = parse_index(key)?;
            let i = array_index(key, items.len()).ok_or_else(|| invalid_index(idx))?;
            Ok(&mut items[i])
        }
        _ => Err(PatchError::Invalid(String::from(
            "target is not a container",
        ))),
    }
}

fn required<'a>(field: &'a Option<String>, name: &str, op: &str) -> Result<&'a str, PatchError> {
    field.as_deref().ok_or_else(|| {
        let message = format!("{op} operation missing {name} field");
        // upstream wraps the decode failure of add/remove/copy paths as "missing"
        if name == "path" && matches!(op, "add" | "remove" | "copy") {
            PatchError::Missing(message)
        } else {
            PatchError::Invalid(message)
        }
    })
}

fn apply_operation(doc: &mut Value, op: &Operation) -> Result<bool, PatchError> {
    let kind = op.op.as_str();
    let value = || op.value.clone().unwrap_or(Value::Null);
    match kind {
        "add" => {
            let path = required(&op.path, "path", kind)?;
            let (container, key) = locate(doc, path, kind)?;
            add_at(container, &key, value())
        }
        "remove" => {
            let path = required(&op.path, "path", kind)?;
            let (container, key) = locate(doc, path, kind)?;
            remove_at(container, &key, path).map(|_| true)
        }
        "replace" => {
            let path = required(&op.path, "path", kind)?;
            if path.is_empty() {
                let new = value();
                if !(new.is_object() || new.is_array()) {
                    return Err(PatchError::Invalid(String::from(
                        "replace operation value must be object or array",
                    )));
                }
                let changed = *doc != new;
                *doc = new;
                return Ok(changed);
            }
            let (container, key) = locate(doc, path, kind)?;
            let slot = get_at(container, &key, path).map_err(|e| {
                PatchError::Missing(format!(
                    "replace operation does not apply: doc is missing key: {path} ({e})"
                ))
            })?;
            let new = value();
            let changed = *slot != new;
            *slot = new;
            Ok(changed)
        }
        "move" => {
            let from = required(&op.from, "from", kind)?;
            let (container, key) = locate(doc, from, kind)?;
            let moved = remove_at(container, &key, from)?;
            let path = required(&op.path, "path", kind)?;
            let (container, key) = locate(doc, path, kind)?;
            add_at(container, &key, moved)?;
            Ok(from != path)
        }
        "copy" => {
            let from = required(&op.from, "from", kind)?;
            let (container, key) = locate(doc, from, kind)?;
            let copied = get_at(container, &key, from)?.clone();
            let path = required(&op.path, "path", kind)?;
            let (container, key) = locate(doc, path, kind)?;
            add_at(container, &key, copied)
        }
        "test" => {
            let path = required(&op.path, "path", kind)?;
            let failed = || PatchError::TestFailed(format!("testing value {path} failed"));
            if path.is_empty() {
                return if op.value.as_ref().is_some_and(|v| json_equal(doc, v)) {
                    Ok(false)
                } else {
                    Err(failed())
                };
            }
            let (container, key) = locate(doc, path, kind)?;
            let actual = get_at(container, &key, path)?;
            match &op.value {
                Some(expected) if json_equal(actual, expected) => Ok(false),
                None if actual.is_null() => Ok(false),
                _ => Err(failed()),
            }
        }
        other => Err(PatchError::Invalid(format!("Unexpected kind: {other}"))),
    }
}

/// Structural equality with numbers compared by value (`1` equals `1.0`), as upstream.
pub fn json_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            x == y || matches!((x.as_f64(), y.as_f64()), (Some(p), Some(q)) if p == q)
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_equal(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_equal(v, w)))
        }
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::{parse, to_compact};

    fn run(doc: &str, patch: &str) -> Result<(Outcome, String), PatchError> {
        let mut value = parse(doc).unwrap();
        let patch = Patch::decode(&parse(patch).unwrap())?;
        let outcome = apply_lenient(&patch, &mut value)?;
        Ok((outcome, to_compact(&value)))
    }

    const CUR: &str = r#"{"metadata":{"labels":{"another-label":"another-value","some-label":"some-value"}},"spec":{"version":"1.8.0"}}"#;

    // spec §10.4, byte-exact
    #[test]
    fn removing_a_missing_path_leaves_the_document_byte_identical() {
        for path in ["/spec/chart", "/spec/targetNamespace"] {
            let patch = format!(r#"[{{"path":"{path}","op":"remove"}}]"#);
            let (outcome, out) = run(CUR, &patch).unwrap();
            assert!(matches!(outcome, Outcome::SkippedMissing(_)));
            assert_eq!(out, CUR);
        }
    }

    #[test]
    fn removing_an_existing_path() {
        let (_, out) = run(CUR, r#"[{"path":"/spec/version","op":"remove"}]"#).unwrap();
        assert_eq!(
            out,
            r#"{"metadata":{"labels":{"another-label":"another-value","some-label":"some-value"}},"spec":{}}"#
        );
    }

    #[test]
    fn a_missing_path_drops_earlier_operations_too() {
        let patch =
            r#"[{"op":"add","path":"/a","value":1},{"op":"replace","path":"/nope","value":2}]"#;
        let (outcome, out) = run(r#"{"b":1}"#, patch).unwrap();
        assert!(matches!(outcome, Outcome::SkippedMissing(_)));
        assert_eq!(out, r#"{"b":1}"#);
    }

    #[test]
    fn bad_index_and_failed_test_are_errors() {
        assert!(matches!(
            run(r#"{"a":[1]}"#, r#"[{"op":"add","path":"/a/5","value":1}]"#),
            Err(PatchError::InvalidIndex(_))
        ));
        assert!(matches!(
            run(r#"{"a":1}"#, r#"[{"op":"test","path":"/a","value":2}]"#),
            Err(PatchError::TestFailed(_))
        ));
    }

    #[test]
    fn replace_out_of_range_counts_as_missing() {
        let (outcome, _) = run(
            r#"{"a":[1]}"#,
            r#"[{"op":"replace","path":"/a/3","value":1}]"#,
        )
        .unwrap();
        assert!(matches!(outcome, Outcome::SkippedMissing(_)));
    }

    #[test]
    fn negative_indices_and_escapes() {
        let (_, out) = run(
            r#"{"a":[1,2,3],"b/c":{"~":1}}"#,
            r#"[{"op":"remove","path":"/a/-1"},{"op":"replace","path":"/b~1c/~0","value":2}]"#,
        )
        .unwrap();
        assert_eq!(out, r#"{"a":[1,2],"b/c":{"~":2}}"#);
    }

    #[test]
    fn move_copy_and_append() {
        let (_, out) = run(
            r#"{"a":{"x":1},"l":[]}"#,
            r#"[{"op":"copy","from":"/a/x","path":"/l/-"},{"op":"move","from":"/a","path":"/b"}]"#,
        )
        .unwrap();
        assert_eq!(out, r#"{"b":{"x":1},"l":[1]}"#);
    }

    #[test]
    fn too_many_operations() {
        let ops = vec![serde_json::json!({"op":"test","path":"/a","value":1}); MAX_OPERATIONS + 1];
        assert!(matches!(
            Patch::decode(&Value::Array(ops)),
            Err(PatchError::TooManyOperations(_))
        ));
    }
}
