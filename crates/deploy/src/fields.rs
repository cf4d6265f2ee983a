//! Server-side apply field ownership: reducing a live object to the fields one field manager
//! owns, by reading `metadata.managedFields[].fieldsV1`.
//!
//! fieldsV1 is a trie whose keys are `f:<field>` (a map field), `k:<json>` (a list item
//! identified by its key fields), `v:<json>` (a set item identified by its value), `i:<n>` (a
//! list item by index) and `.` (the node itself).

use serde_json::{Map, Value};

/// The managers named in `metadata.managedFields`, each once, in order of appearance.
pub fn managers(object: &Value) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for name in entries(object).filter_map(|e| e.get("manager").and_then(Value::as_str)) {
        if !names.iter().any(|n| n == name) {
            names.push(name.to_string());
        }
    }
    names
}

/// The union of the fieldsV1 sets `manager` holds on the main resource (not subresources
/// such as `status`), or `None` when it owns nothing.
pub fn owned_field_set(object: &Value, manager: &str) -> Option<Value> {
    let mut union: Option<Value> = None;
    for entry in entries(object) {
        let is_manager = entry.get("manager").and_then(Value::as_str) == Some(manager);
        let subresource = entry
            .get("subresource")
            .and_then(Value::as_str)
            .unwrap_or("");
        if !is_manager || !subresource.is_empty() {
            continue;
        }
        if let Some(fields) = entry.get("fieldsV1") {
            union = Some(match union {
                None => fields.clone(),
                Some(mut acc) => {
                    merge_sets(&mut acc, fields);
                    acc
                }
            });
        }
    }
    union
}

/// The union of the fieldsV1 sets every manager other than `manager` holds, subresources
/// (such as `scale`) included: what server-side apply would call a conflict if `manager`
/// applied another value. `None` when nobody else owns anything.
pub fn owned_by_others(object: &Value, manager: &str) -> Option<Value> {
    let mut union: Option<Value> = None;
    for entry in entries(object) {
        if entry.get("manager").and_then(Value::as_str) == Some(manager) {
            continue;
        }
        if let Some(fields) = entry.get("fieldsV1") {
            union = Some(match union {
                None => fields.clone(),
                Some(mut acc) => {
                    merge_sets(&mut acc, fields);
                    acc
                }
            });
        }
    }
    union
}

/// The live object reduced to the fields `manager` owns, plus its identity (`apiVersion`,
/// `kind`, `metadata.name`, `metadata.namespace`). An object the manager owns nothing of
/// reduces to its identity alone.
pub fn owned_by(object: &Value, manager: &str) -> Value {
    let mut reduced = match owned_field_set(object, manager) {
        Some(fields) => reduce(object, &fields),
        None => Value::Object(Map::new()),
    };
    if !reduced.is_object() {
        reduced = Value::Object(Map::new());
    }
    let out = reduced.as_object_mut().expect("an object");
    for key in ["apiVersion", "kind"] {
        if let Some(v) = object.get(key) {
            out.insert(key.to_string(), v.clone());
        }
    }
    let metadata = out
        .entry("metadata")
        .or_insert_with(|| Value::Object(Map::new()));
    if let Some(metadata) = metadata.as_object_mut() {
        for key in ["name", "namespace"] {
            if let Some(v) = object.pointer(&format!("/metadata/{key}")) {
                metadata.insert(key.to_string(), v.clone());
            }
        }
    }
    reduced
}

/// `value` reduced to the field set `fields` (one fieldsV1 trie node).
pub fn reduce(value: &Value, fields: &Value) -> Value {
    let Some(children) = fields.as_object().filter(|m| m.keys().any(|k| k != ".")) else {
        // A leaf (`{}` or only `.`): the whole value is owned.
        return value.clone();
    };
    match value {
        Value::Object(map) => {
            let mut out = Map::new();
            for (key, sub) in children {
                if let Some(field) = key.strip_prefix("f:")
                    && let Some(child) = map.get(field)
                {
                    out.insert(field.to_string(), reduce(child, sub));
                }
            }
            Value::Object(out)
        }
        Value::Array(items) => {
            let mut picked: Vec<(usize, Value)> = Vec::new();
            for (key, sub) in children {
                for (i, item) in items.iter().enumerate() {
                    if item_matches(key, i, item) && !picked.iter().any(|(j, _)| *j == i) {
                        picked.push((i, reduce(item, sub)));
                    }
                }
            }
            picked.sort_by_key(|(i, _)| *i);
            Value::Array(picked.into_iter().map(|(_, v)| v).collect())
        }
        other => other.clone(),
    }
}

fn item_matches(key: &str, index: usize, item: &Value) -> bool {
    if let Some(json) = key.strip_prefix("k:") {
        let Ok(Value::Object(wanted)) = serde_json::from_str::<Value>(json) else {
            return false;
        };
        wanted
            .iter()
            .all(|(k, v)| item.get(k).is_some_and(|have| same(have, v)))
    } else if let Some(json) = key.strip_prefix("v:") {
        serde_json::from_str::<Value>(json).is_ok_and(|wanted| same(item, &wanted))
    } else if let Some(n) = key.strip_prefix("i:") {
        n.parse::<usize>() == Ok(index)
    } else {
        false
    }
}

/// JSON equality where numbers compare by value (`80` equals `80.0`), since fieldsV1 keys and
/// live objects may spell numbers differently.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            x.to_string() == y.to_string()
                || x.as_f64().zip(y.as_f64()).is_some_and(|(x, y)| x == y)
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

fn merge_sets(into: &mut Value, other: &Value) {
    if let (Some(into), Some(other)) = (into.as_object_mut(), other.as_object()) {
        for (k, v) in other {
            match into.get_mut(k) {
                Some(existing) => merge_sets(existing, v),
                None => {
                    into.insert(k.clone(), v.clone());
                }
            }
        }
    }
}

fn entries(object: &Value) -> impl Iterator<Item = &Value> {
    object
        .pointer("/metadata/managedFields")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn deployment() -> Value {
        json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {
                "name": "web", "namespace": "shop", "uid": "u-1", "resourceVersion": "42",
                "labels": {"app": "web", "edited": "yes"},
                "managedFields": [
                    {"manager": "clusternet-terraform", "operation": "Apply", "apiVersion": "apps/v1",
                     "fieldsType": "FieldsV1", "fieldsV1": {
                        "f:metadata": {"f:labels": {"f:app": {}}},
                        "f:spec": {"f:replicas": {}, "f:template": {"f:spec": {"f:containers": {
                            "k:{\"name\":\"web\"}": {".": {}, "f:image": {}, "f:name": {},
                                "f:ports": {"k:{\"containerPort\":80,\"protocol\":\"TCP\"}": {".": {}, "f:containerPort": {}}}}
                        }}}}
                    }},
                    {"manager": "kubectl-edit", "operation": "Update", "apiVersion": "apps/v1",
                     "fieldsType": "FieldsV1", "fieldsV1": {"f:metadata": {"f:labels": {"f:edited": {}}},
                        "f:spec": {"f:template": {"f:spec": {"f:containers": {"k:{\"name\":\"web\"}": {"f:env": {}}}}}}}},
                    {"manager": "kube-controller-manager", "operation": "Update", "subresource": "status",
                     "fieldsType": "FieldsV1", "fieldsV1": {"f:status": {"f:replicas": {}}}}
                ]
            },
            "spec": {
                "replicas": 3,
                "revisionHistoryLimit": 10,
                "template": {"spec": {"containers": [
                    {"name": "sidecar", "image": "envoy"},
                    {"name": "web", "image": "nginx:1.25", "imagePullPolicy": "Always",
                     "env": [{"name": "A", "value": "1"}],
                     "ports": [{"containerPort": 80, "protocol": "TCP"}, {"containerPort": 81, "protocol": "TCP"}]}
                ]}}
            },
            "status": {"replicas": 0}
        })
    }

    #[test]
    fn keeps_only_the_fields_the_manager_owns_plus_identity() {
        assert_eq!(
            owned_by(&deployment(), "clusternet-terraform"),
            json!({
                "apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": {"name": "web", "namespace": "shop", "labels": {"app": "web"}},
                "spec": {"replicas": 3, "template": {"spec": {"containers": [
                    {"name": "web", "image": "nginx:1.25", "ports": [{"containerPort": 80}]}
                ]}}}
            })
        );
    }

    #[test]
    fn another_managers_fields_and_subresources_are_left_out() {
        let theirs = owned_by(&deployment(), "kubectl-edit");
        assert_eq!(theirs["metadata"]["labels"], json!({"edited": "yes"}));
        assert_eq!(
            theirs["spec"]["template"]["spec"]["containers"][0]["env"],
            json!([{"name": "A", "value": "1"}])
        );
        assert_eq!(
            owned_by(&deployment(), "kube-controller-manager").get("status"),
            None
        );
    }

    #[test]
    fn the_fields_of_every_other_manager_subresources_included() {
        let others = owned_by_others(&deployment(), "clusternet-terraform").expect("others");
        assert!(others.pointer("/f:metadata/f:labels/f:edited").is_some());
        assert!(others.pointer("/f:status/f:replicas").is_some());
        assert!(others.pointer("/f:spec/f:replicas").is_none());
        let everyone = [
            "clusternet-terraform",
            "kubectl-edit",
            "kube-controller-manager",
        ];
        let mut alone = deployment();
        alone["metadata"]["managedFields"]
            .as_array_mut()
            .unwrap()
            .retain(|e| e["manager"] == everyone[0]);
        assert_eq!(owned_by_others(&alone, everyone[0]), None);
    }

    #[test]
    fn a_manager_owning_nothing_gets_the_identity_only() {
        assert_eq!(
            owned_by(&deployment(), "nobody"),
            json!({"apiVersion": "apps/v1", "kind": "Deployment",
                   "metadata": {"name": "web", "namespace": "shop"}})
        );
    }

    #[test]
    fn set_and_index_items_are_selected_by_value_and_position() {
        let value = json!({"finalizers": ["a", "b", "c"], "args": ["x", "y"]});
        let fields = json!({"f:finalizers": {"v:\"c\"": {}, "v:\"a\"": {}}, "f:args": {"i:1": {}}});
        assert_eq!(
            reduce(&value, &fields),
            json!({"finalizers": ["a", "c"], "args": ["y"]})
        );
    }

    #[test]
    fn lists_managers_and_merges_several_entries_of_one_manager() {
        let mut object = deployment();
        object["metadata"]["managedFields"]
            .as_array_mut()
            .unwrap()
            .push(
                json!({"manager": "clusternet-terraform", "operation": "Apply",
                         "fieldsV1": {"f:spec": {"f:revisionHistoryLimit": {}}}}),
            );
        assert_eq!(
            managers(&object),
            [
                "clusternet-terraform",
                "kubectl-edit",
                "kube-controller-manager"
            ]
        );
        let owned = owned_by(&object, "clusternet-terraform");
        assert_eq!(owned["spec"]["revisionHistoryLimit"], 10);
        assert_eq!(owned["spec"]["replicas"], 3);
    }
}
