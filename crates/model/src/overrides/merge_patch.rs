//! RFC 7386 JSON merge patch with the semantics of `evanphx/json-patch`'s `MergePatch`:
//! objects merge recursively, `null` deletes, arrays and scalars replace, and `null`s
//! inside newly inserted objects are pruned.

use serde_json::{Map, Value};

/// Why a merge patch failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MergePatchError {
    /// The document is blank or `null`.
    #[error("invalid JSON document for merge patch")]
    BadDocument,
    /// The patch is `null` or a scalar.
    #[error("invalid JSON merge patch (must be an object or an array)")]
    BadPatch,
}

/// Merge `patch` into `doc`. Returns whether `doc` changed.
pub fn merge_patch(doc: &mut Value, patch: &Value) -> Result<bool, MergePatchError> {
    if doc.is_null() {
        return Err(MergePatchError::BadDocument);
    }
    match (doc.as_object_mut(), patch) {
        (Some(target), Value::Object(p)) => Ok(merge_objects(target, p)),
        (_, Value::Object(_) | Value::Array(_)) => {
            let mut replacement = patch.clone();
            prune_nulls(&mut replacement);
            let changed = *doc != replacement;
            *doc = replacement;
            Ok(changed)
        }
        _ => Err(MergePatchError::BadPatch),
    }
}

fn merge_objects(doc: &mut Map<String, Value>, patch: &Map<String, Value>) -> bool {
    let mut changed = false;
    for (key, value) in patch {
        if value.is_null() {
            changed |= doc.remove(key).is_some();
            continue;
        }
        match doc.get_mut(key) {
            Some(current) if !current.is_null() => match (current.as_object_mut(), value) {
                (Some(inner), Value::Object(p)) => changed |= merge_objects(inner, p),
                (Some(_), _) => {
                    // object replaced by a non-object: taken as is (not pruned)
                    changed |= *current != *value;
                    *current = value.clone();
                }
                (None, _) => {
                    let mut new = value.clone();
                    prune_nulls(&mut new);
                    changed |= *current != new;
                    *current = new;
                }
            },
            _ => {
                let mut new = value.clone();
                prune_nulls(&mut new);
                changed = true;
                doc.insert(key.clone(), new);
            }
        }
    }
    changed
}

/// Remove `null` members of objects, recursively; `null` array elements stay.
pub fn prune_nulls(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(prune_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(prune_nulls),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rfc7386_semantics() {
        let mut doc = json!({"a": {"b": 1, "c": 2}, "l": [1, 2], "s": "x"});
        let changed = merge_patch(
            &mut doc,
            &json!({"a": {"b": null, "d": {"e": null, "f": 1}}, "l": [3], "s": null}),
        )
        .unwrap();
        assert!(changed);
        assert_eq!(doc, json!({"a": {"c": 2, "d": {"f": 1}}, "l": [3]}));
    }

    #[test]
    fn patch_replaces_non_object_documents() {
        let mut doc = json!([1]);
        merge_patch(&mut doc, &json!({"a": null, "b": 1})).unwrap();
        assert_eq!(doc, json!({"b": 1}));
        assert_eq!(
            merge_patch(&mut json!({}), &json!(1)),
            Err(MergePatchError::BadPatch)
        );
        assert_eq!(
            merge_patch(&mut Value::Null, &json!({})),
            Err(MergePatchError::BadDocument)
        );
    }

    #[test]
    fn unchanged_when_patch_matches() {
        let mut doc = json!({"a": 1});
        assert!(!merge_patch(&mut doc, &json!({"a": 1, "b": null})).unwrap());
    }
}
