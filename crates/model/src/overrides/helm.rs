//! Helm values coalescing: `chartutil.CoalesceTables(dst = override, src = base)` of Helm 3.15.
//!
//! The override wins; a `null` in the override deletes the base key; nested maps merge;
//! lists and scalars are replaced; a type conflict keeps the override's value.
//! Divergence: numbers keep their exact literal instead of going through float64.

use serde_json::{Map, Value};

/// Why values could not be coalesced.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HelmError {
    /// The document being overridden is not a JSON object.
    #[error("Helm values to override are not a JSON object")]
    BaseNotObject,
    /// The override is not a JSON object.
    #[error("Helm override value is not a JSON object")]
    OverrideNotObject,
}

/// Coalesce `override_values` over `base`, in place. Returns whether `base` changed.
pub fn coalesce(base: &mut Value, override_values: &Value) -> Result<bool, HelmError> {
    let dst = match override_values {
        Value::Object(map) => map.clone(),
        // json.Unmarshal("null") gives a nil map: CoalesceTables(nil, src) returns src.
        Value::Null => return Ok(false),
        _ => return Err(HelmError::OverrideNotObject),
    };
    let src = match std::mem::take(base) {
        Value::Object(map) => map,
        Value::Null => {
            *base = Value::Object(dst);
            return Ok(true);
        }
        other => {
            *base = other;
            return Err(HelmError::BaseNotObject);
        }
    };
    let before = Value::Object(src.clone());
    let mut merged = dst;
    coalesce_tables(&mut merged, src);
    *base = Value::Object(merged);
    Ok(*base != before)
}

fn coalesce_tables(dst: &mut Map<String, Value>, src: Map<String, Value>) {
    for (key, value) in src {
        match dst.get_mut(&key) {
            None => {
                dst.insert(key, value);
            }
            Some(current) if current.is_null() => {
                dst.remove(&key);
            }
            Some(current) => {
                if let (Some(inner), Value::Object(src_inner)) = (current.as_object_mut(), value) {
                    coalesce_tables(inner, src_inner);
                }
                // otherwise the override's value stays (Helm only prints a warning)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn override_wins_null_deletes_lists_replace() {
        let mut base = json!({"a": {"x": 1, "y": 2}, "l": [1, 2], "gone": 1, "keep": true});
        let changed = coalesce(
            &mut base,
            &json!({"a": {"y": 3}, "l": [9], "gone": null, "new": null}),
        )
        .unwrap();
        assert!(changed);
        assert_eq!(
            base,
            json!({"a": {"x": 1, "y": 3}, "l": [9], "keep": true, "new": null})
        );
    }

    #[test]
    fn type_conflicts_resolve_to_override() {
        let mut base = json!({"a": {"x": 1}, "b": 1});
        coalesce(&mut base, &json!({"a": "flat", "b": {"deep": 1}})).unwrap();
        assert_eq!(base, json!({"a": "flat", "b": {"deep": 1}}));
    }

    #[test]
    fn non_objects_are_errors() {
        assert_eq!(
            coalesce(&mut json!([1]), &json!({})),
            Err(HelmError::BaseNotObject)
        );
        assert_eq!(
            coalesce(&mut json!({}), &json!([1])),
            Err(HelmError::OverrideNotObject)
        );
    }
}
