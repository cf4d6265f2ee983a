//! Clusternet's ownership marks on deployed objects (spec §5.4, §7.1), and the system metadata
//! the agent wipes before applying.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

/// Annotation naming the Description an object was deployed from: `<namespace>.<name>`.
pub const OWNED_BY_DESCRIPTION: &str = "apps.clusternet.io/owned-by-description";
/// Annotation holding the JSON of the object as last applied by Clusternet.
pub const LAST_APPLIED_CONFIGURATION: &str = "clusternet.io/last-applied-configuration";
/// kubectl's client-side-apply annotation, removed like the agent does.
pub const KUBECTL_LAST_APPLIED_CONFIGURATION: &str =
    "kubectl.kubernetes.io/last-applied-configuration";
/// Label Clusternet puts on template objects.
pub const CREATED_BY: &str = "clusternet.io/created-by";
/// Label: the owning Subscription's name.
pub const SUBS_NAME: &str = "apps.clusternet.io/subs.name";
/// Label: the owning Subscription's namespace.
pub const SUBS_NAMESPACE: &str = "apps.clusternet.io/subs.namespace";
/// Label: the owning Subscription's uid.
pub const SUBS_UID: &str = "apps.clusternet.io/subs.uid";

/// The marks stamped on every object applied for one owner. The provider decides the values;
/// pruning uses them to find (label selector) and to confirm (annotation) what it owns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ownership {
    /// `<namespace>.<name>` of the owning Description, stored in [`OWNED_BY_DESCRIPTION`].
    pub description: String,
    /// Labels added to every object (e.g. the `apps.clusternet.io/subs.*` ones). Pruning selects
    /// candidates with all of them.
    pub labels: BTreeMap<String, String>,
    /// Extra annotations added to every object.
    pub annotations: BTreeMap<String, String>,
    /// Store the applied JSON in [`LAST_APPLIED_CONFIGURATION`] as Clusternet's agent does
    /// (note that for Secrets this copies the data into an annotation, like kubectl does).
    pub record_last_applied: bool,
}

impl Ownership {
    /// Ownership by the Description `namespace`/`name`, with no labels and the
    /// last-applied annotation recorded.
    pub fn for_description(namespace: &str, name: &str) -> Ownership {
        Ownership {
            description: format!("{namespace}.{name}"),
            labels: BTreeMap::new(),
            annotations: BTreeMap::new(),
            record_last_applied: true,
        }
    }

    /// Adds a label (builder style).
    pub fn with_label(mut self, key: impl Into<String>, value: impl Into<String>) -> Ownership {
        self.labels.insert(key.into(), value.into());
        self
    }

    /// Adds the Subscription identity labels `apps.clusternet.io/subs.{name,namespace,uid}`.
    pub fn with_subscription(self, namespace: &str, name: &str, uid: &str) -> Ownership {
        self.with_label(SUBS_NAME, name)
            .with_label(SUBS_NAMESPACE, namespace)
            .with_label(SUBS_UID, uid)
    }

    /// The label selector matching every object stamped with these labels, or `None` when
    /// there are none.
    pub fn label_selector(&self) -> Option<String> {
        if self.labels.is_empty() {
            return None;
        }
        Some(
            self.labels
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(","),
        )
    }

    /// Whether a live object carries this owner's description annotation and labels.
    pub fn owns(&self, live: &Value) -> bool {
        let annotation = live
            .pointer(&format!(
                "/metadata/annotations/{}",
                escape(OWNED_BY_DESCRIPTION)
            ))
            .and_then(Value::as_str);
        annotation == Some(self.description.as_str())
            && self.labels.iter().all(|(k, v)| {
                live.pointer(&format!("/metadata/labels/{}", escape(k)))
                    .and_then(Value::as_str)
                    == Some(v.as_str())
            })
    }

    /// Prepares a desired object for apply the way the agent does: wipes system metadata,
    /// removes kubectl's last-applied annotation, adds labels and annotations, then (if
    /// asked) records the resulting JSON in [`LAST_APPLIED_CONFIGURATION`].
    pub fn stamp(&self, object: &mut Value) {
        clean_for_apply(object);
        let Some(metadata) = object.get_mut("metadata").and_then(Value::as_object_mut) else {
            return;
        };
        let labels = map_entry(metadata, "labels");
        for (k, v) in &self.labels {
            labels.insert(k.clone(), Value::String(v.clone()));
        }
        let annotations = map_entry(metadata, "annotations");
        annotations.remove(KUBECTL_LAST_APPLIED_CONFIGURATION);
        for (k, v) in &self.annotations {
            annotations.insert(k.clone(), Value::String(v.clone()));
        }
        annotations.insert(
            OWNED_BY_DESCRIPTION.to_string(),
            Value::String(self.description.clone()),
        );
        annotations.remove(LAST_APPLIED_CONFIGURATION);
        if self.record_last_applied {
            let json = object.to_string();
            if let Some(annotations) = object
                .pointer_mut("/metadata/annotations")
                .and_then(Value::as_object_mut)
            {
                annotations.insert(LAST_APPLIED_CONFIGURATION.to_string(), Value::String(json));
            }
        }
    }

    /// Removes what [`Ownership::stamp`] added (labels, annotations, empty maps left behind),
    /// so a live object read back can be compared with the unstamped desired object.
    pub fn strip(&self, object: &mut Value) {
        let Some(metadata) = object.get_mut("metadata").and_then(Value::as_object_mut) else {
            return;
        };
        for (key, marks) in [
            ("labels", self.labels.keys().cloned().collect::<Vec<_>>()),
            (
                "annotations",
                self.annotations
                    .keys()
                    .cloned()
                    .chain([
                        OWNED_BY_DESCRIPTION.to_string(),
                        LAST_APPLIED_CONFIGURATION.to_string(),
                    ])
                    .collect(),
            ),
        ] {
            if let Some(map) = metadata.get_mut(key).and_then(Value::as_object_mut) {
                for mark in &marks {
                    map.remove(mark);
                }
                if map.is_empty() {
                    metadata.remove(key);
                }
            }
        }
    }
}

/// Removes the system metadata a desired object must not carry into an apply (as the agent
/// does, plus the fields server-side apply treats as preconditions or rejects).
pub fn clean_for_apply(object: &mut Value) {
    if let Some(metadata) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        for field in [
            "creationTimestamp",
            "uid",
            "deletionTimestamp",
            "deletionGracePeriodSeconds",
            "selfLink",
            "resourceVersion",
            "generation",
            "managedFields",
        ] {
            metadata.remove(field);
        }
    }
}

fn map_entry<'a>(metadata: &'a mut Map<String, Value>, key: &str) -> &'a mut Map<String, Value> {
    let entry = metadata
        .entry(key)
        .or_insert_with(|| Value::Object(Map::new()));
    if !entry.is_object() {
        *entry = Value::Object(Map::new());
    }
    entry.as_object_mut().expect("just made an object")
}

/// Escapes a key for a JSON pointer (RFC 6901).
pub(crate) fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn stamping_wipes_system_metadata_and_adds_clusternet_marks() {
        let ownership = Ownership::for_description("clusternet-abc", "app-generic")
            .with_subscription("apps", "app", "1234");
        let mut object = json!({
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "c", "namespace": "n", "uid": "u", "resourceVersion": "7",
                         "annotations": {KUBECTL_LAST_APPLIED_CONFIGURATION: "{}"}},
            "data": {"k": "v"}
        });
        ownership.stamp(&mut object);
        assert_eq!(object["metadata"].get("uid"), None);
        assert_eq!(object["metadata"].get("resourceVersion"), None);
        let annotations = &object["metadata"]["annotations"];
        assert_eq!(
            annotations[OWNED_BY_DESCRIPTION],
            "clusternet-abc.app-generic"
        );
        assert_eq!(annotations.get(KUBECTL_LAST_APPLIED_CONFIGURATION), None);
        let recorded: Value =
            serde_json::from_str(annotations[LAST_APPLIED_CONFIGURATION].as_str().unwrap())
                .unwrap();
        assert_eq!(recorded["metadata"]["labels"][SUBS_UID], "1234");
        assert_eq!(recorded["data"]["k"], "v");
        assert!(ownership.owns(&object));
        assert_eq!(
            ownership.label_selector().unwrap(),
            "apps.clusternet.io/subs.name=app,apps.clusternet.io/subs.namespace=apps,apps.clusternet.io/subs.uid=1234"
        );
    }

    #[test]
    fn strip_undoes_stamp() {
        let ownership = Ownership::for_description("ns", "d").with_label("team", "a");
        let desired = json!({"apiVersion": "v1", "kind": "ConfigMap",
                             "metadata": {"name": "c", "labels": {"app": "x"}}});
        let mut object = desired.clone();
        ownership.stamp(&mut object);
        ownership.strip(&mut object);
        assert_eq!(object, desired);
    }

    #[test]
    fn another_owners_object_is_not_owned() {
        let ours = Ownership::for_description("ns", "d");
        let mut theirs = json!({"metadata": {"name": "c"}});
        Ownership::for_description("ns", "other").stamp(&mut theirs);
        assert!(!ours.owns(&theirs));
        assert!(!ours.owns(&json!({"metadata": {"name": "c"}})));
    }
}
