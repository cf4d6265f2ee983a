//! The subscription's grouped preview (`descriptions`, `deviations`, `description_clusters`;
//! ADR 0026) read back per cluster, as the tests check it: `<cluster>/<object key>` to the
//! entry. Written from the documented format, independently of the provider's code, so that
//! tests check the format and not the provider against itself.

use std::collections::BTreeMap;

use serde_json::{Map, Value as Json};

/// Each covered cluster's entries of a subscription's state or plan values (`values` holds
/// the three attributes). Unknown or missing attributes give no entries.
pub fn per_cluster(values: &Json) -> BTreeMap<String, String> {
    let empty = Map::new();
    let shared = values["descriptions"].as_object().unwrap_or(&empty);
    let deviations = values["deviations"].as_object().unwrap_or(&empty);
    let clusters: Vec<&str> = values["description_clusters"]
        .as_array()
        .map(|items| items.iter().filter_map(Json::as_str).collect())
        .unwrap_or_default();
    let mut entries = BTreeMap::new();
    for cluster in clusters {
        for (object, text) in shared {
            let key = format!("{cluster}/{object}");
            let text = text.as_str().unwrap_or_default();
            let entry = match deviations.get(&key).and_then(Json::as_str) {
                None => text.to_string(),
                Some("(absent)") => continue,
                Some(whole) if whole.starts_with("(whole) ") => whole["(whole) ".len()..].into(),
                Some(patch) if patch.starts_with('{') => merged(text, patch),
                Some(marker) => marker.to_string(),
            };
            entries.insert(key, entry);
        }
    }
    entries
}

/// The JSON text `shared` with the JSON merge patch `patch` applied (RFC 7386), compact.
fn merged(shared: &str, patch: &str) -> String {
    let mut target: Json = serde_json::from_str(shared).unwrap_or(Json::Null);
    let patch: Json = serde_json::from_str(patch).expect("a deviation patch is JSON");
    apply(&mut target, &patch);
    target.to_string()
}

fn apply(target: &mut Json, patch: &Json) {
    let Json::Object(fields) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Json::Object(Map::new());
    }
    let object = target.as_object_mut().expect("made an object above");
    for (key, value) in fields {
        if value.is_null() {
            object.remove(key);
        } else {
            apply(object.entry(key.clone()).or_insert(Json::Null), value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn deviations_patch_replace_or_remove_the_shared_entry() {
        let values = json!({
            "descriptions": {
                "v1/ConfigMap/ns/a": r#"{"data":{"color":"blue","size":"m"}}"#,
                "v1/ConfigMap/ns/b": r#"{"data":{}}"#,
            },
            "deviations": {
                "c2/v1/ConfigMap/ns/a": r#"{"data":{"color":"red","size":null}}"#,
                "c2/v1/ConfigMap/ns/b": "(absent)",
                "c3/v1/ConfigMap/ns/b": "(not read: refused)",
            },
            "description_clusters": ["c1", "c2", "c3"],
        });
        let entries = per_cluster(&values);
        assert_eq!(
            entries["c1/v1/ConfigMap/ns/a"],
            r#"{"data":{"color":"blue","size":"m"}}"#
        );
        assert_eq!(
            entries["c2/v1/ConfigMap/ns/a"],
            r#"{"data":{"color":"red"}}"#
        );
        assert!(!entries.contains_key("c2/v1/ConfigMap/ns/b"));
        assert_eq!(entries["c3/v1/ConfigMap/ns/b"], "(not read: refused)");
        assert_eq!(entries.len(), 5);
    }
}
