//! Feeds: what the shadow API stores for a plain object (spec §4), and how a
//! Subscription's feed resolves to stored objects (spec §2.3).
//!
//! Offline, the hub's dry-run is not available. The model reproduces what the shadow
//! API trims and adds, and applies exactly one server default, `spec.replicas: 1` on
//! Deployments, StatefulSets and ReplicaSets (needed for dividing, which patches that
//! field). Other server defaults (`strategy`, `revisionHistoryLimit`, container
//! `imagePullPolicy`, `terminationMessagePath`, ...) are *not* added: the preview shows
//! the object as written, not as defaulted by the hub's Kubernetes version.

use serde_json::{Map, Value};

use crate::identity::ObjectIdentity;
use crate::naming;
use crate::types::{Feed, HelmChart, Manifest};

/// Label the shadow API adds to every stored object.
pub const CREATED_BY_LABEL: &str = "clusternet.io/created-by";
/// Annotation that makes the shadow API store the object verbatim (no dry-run).
pub const SKIP_VALIDATING_ANNOTATION: &str = "apps.clusternet.io/skip-validating";
/// Namespace the hub keeps Manifests in.
pub const RESERVED_NAMESPACE: &str = "clusternet-reserved";

/// A stored feed object (one Manifest).
#[derive(Debug, Clone, PartialEq)]
pub struct StoredManifest {
    /// Identity of the template.
    pub identity: ObjectIdentity,
    /// Manifest name (`<plural>.<ns>.<name>`).
    pub manifest_name: String,
    /// The template as the shadow API stores it.
    pub template: Value,
}

impl StoredManifest {
    /// Store a plain object as the shadow API would.
    pub fn from_object(object: Value) -> Option<Self> {
        let identity = ObjectIdentity::of(&object).ok()?;
        let template = normalize_template(object, &identity);
        Some(Self::with_identity(identity, template))
    }

    /// Take a Manifest object as it is stored (its template already trimmed).
    pub fn from_manifest(manifest: &Manifest) -> Option<Self> {
        let identity = ObjectIdentity::of(&manifest.template).ok()?;
        let mut template = manifest.template.clone();
        ensure_uid(&mut template, &identity);
        Some(Self::with_identity(identity, template))
    }

    fn with_identity(identity: ObjectIdentity, template: Value) -> Self {
        let manifest_name = naming::manifest_name(
            &naming::plural(&identity.kind),
            identity.namespace_or_empty(),
            &identity.name,
        );
        Self {
            identity,
            manifest_name,
            template,
        }
    }
}

fn object_mut<'a>(value: &'a mut Value, key: &str) -> Option<&'a mut Map<String, Value>> {
    value.get_mut(key).and_then(Value::as_object_mut)
}

/// Every stored template carries a UID (from the dry-run); derive one when absent, so that
/// the built-in `remove /metadata/uid` succeeds and the object is re-serialised, as upstream.
fn ensure_uid(template: &mut Value, identity: &ObjectIdentity) {
    if let Some(meta) = object_mut(template, "metadata")
        && !meta.contains_key("uid")
    {
        {
            let uid = naming::uid(&[
                "shadow",
                &identity.api_version,
                &identity.kind,
                identity.namespace_or_empty(),
                &identity.name,
            ]);
            meta.insert(String::from("uid"), Value::String(uid));
        }
    }
}

/// What the shadow API stores for a submitted object (spec §4).
pub fn normalize_template(mut object: Value, identity: &ObjectIdentity) -> Value {
    let skip_validating = object
        .pointer("/metadata/annotations")
        .and_then(|a| a.get(SKIP_VALIDATING_ANNOTATION))
        .and_then(Value::as_str)
        == Some("true");
    if !skip_validating {
        if let Some(root) = object.as_object_mut() {
            root.remove("status");
        }
        if let Some(meta) = object_mut(&mut object, "metadata") {
            for key in [
                "creationTimestamp",
                "managedFields",
                "resourceVersion",
                "selfLink",
            ] {
                meta.remove(key);
            }
        }
        trim_kind_specifics(&mut object, identity);
        default_replicas(&mut object, identity);
    }
    if let Some(meta) = object_mut(&mut object, "metadata") {
        let labels = meta
            .entry("labels")
            .or_insert_with(|| Value::Object(Map::new()));
        if !labels.is_object() {
            *labels = Value::Object(Map::new());
        }
        if let Some(labels) = labels.as_object_mut() {
            labels.insert(
                CREATED_BY_LABEL.to_string(),
                Value::String(String::from("clusternet-hub")),
            );
        }
    }
    ensure_uid(&mut object, identity);
    object
}

fn trim_kind_specifics(object: &mut Value, identity: &ObjectIdentity) {
    match (identity.group(), identity.kind.as_str()) {
        ("", "Service") => {
            let Some(spec) = object_mut(object, "spec") else {
                return;
            };
            if spec.get("clusterIP").and_then(Value::as_str) != Some("None") {
                spec.remove("clusterIP");
                spec.remove("clusterIPs");
            }
            let service_type = spec.get("type").and_then(Value::as_str).unwrap_or_default();
            if matches!(service_type, "NodePort" | "LoadBalancer") {
                spec.remove("healthCheckNodePort");
                if let Some(ports) = spec.get_mut("ports").and_then(Value::as_array_mut) {
                    for port in ports.iter_mut().filter_map(Value::as_object_mut) {
                        port.remove("nodePort");
                    }
                }
            }
        }
        ("batch", "Job") => {
            const UID_LABELS: [&str; 2] = ["controller-uid", "batch.kubernetes.io/controller-uid"];
            if let Some(labels) = object
                .pointer_mut("/spec/selector/matchLabels")
                .and_then(Value::as_object_mut)
            {
                UID_LABELS.iter().for_each(|l| {
                    labels.remove(*l);
                });
            }
            if let Some(meta) = object
                .pointer_mut("/spec/template/metadata")
                .and_then(Value::as_object_mut)
            {
                meta.remove("creationTimestamp");
                if let Some(labels) = meta.get_mut("labels").and_then(Value::as_object_mut) {
                    UID_LABELS.iter().for_each(|l| {
                        labels.remove(*l);
                    });
                    labels.remove("batch.kubernetes.io/job-name");
                }
            }
        }
        _ => {}
    }
}

/// Whether FeedInventory's built-in parsers know this workload (spec §8).
pub fn is_divisible_workload(api_version: &str, kind: &str) -> bool {
    match kind {
        "Deployment" => matches!(
            api_version,
            "apps/v1" | "apps/v1beta1" | "apps/v1beta2" | "extensions/v1beta1"
        ),
        "ReplicaSet" => matches!(api_version, "apps/v1" | "extensions/v1beta1"),
        "StatefulSet" => matches!(api_version, "apps/v1" | "apps/v1beta1" | "apps/v1beta2"),
        _ => false,
    }
}

fn default_replicas(object: &mut Value, identity: &ObjectIdentity) {
    if !is_divisible_workload(&identity.api_version, &identity.kind) {
        return;
    }
    if let Some(spec) = object_mut(object, "spec") {
        spec.entry("replicas").or_insert_with(|| Value::from(1));
    }
}

/// All stored feed objects, looked up by feed.
#[derive(Debug, Clone, Default)]
pub struct FeedIndex {
    /// Stored objects, sorted by identity (the model's stand-in for informer order).
    pub manifests: Vec<StoredManifest>,
    /// HelmCharts, sorted by namespace/name.
    pub charts: Vec<HelmChart>,
}

/// What a feed resolved to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// A HelmChart (index into [`FeedIndex::charts`]).
    Chart(usize),
    /// Stored objects (indices into [`FeedIndex::manifests`]), sorted by namespace/name.
    Manifests(Vec<usize>),
}

impl FeedIndex {
    /// Build the index; sorts its content.
    pub fn new(mut manifests: Vec<StoredManifest>, mut charts: Vec<HelmChart>) -> Self {
        manifests.sort_by(|a, b| a.identity.cmp(&b.identity));
        charts.sort_by(|a, b| {
            (&a.metadata.namespace, &a.metadata.name)
                .cmp(&(&b.metadata.namespace, &b.metadata.name))
        });
        Self { manifests, charts }
    }

    /// Resolve a feed. `None` when nothing matches.
    pub fn resolve(&self, feed: &Feed) -> Option<Resolved> {
        if feed.is_helm_chart() {
            return self
                .charts
                .iter()
                .position(|c| {
                    c.metadata.namespace == feed.namespace && c.metadata.name == feed.name
                })
                .map(Resolved::Chart);
        }
        let mut matches: Vec<usize> = self
            .manifests
            .iter()
            .enumerate()
            .filter(|(_, m)| m.identity.matched_by(feed))
            .map(|(i, _)| i)
            .collect();
        matches.sort_by(|&a, &b| {
            let (x, y) = (&self.manifests[a].identity, &self.manifests[b].identity);
            (&x.namespace, &x.name).cmp(&(&y.namespace, &y.name))
        });
        (!matches.is_empty()).then_some(Resolved::Manifests(matches))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn stored(object: Value) -> StoredManifest {
        StoredManifest::from_object(object).unwrap()
    }

    #[test]
    fn shadow_api_trims_and_labels() {
        let m = stored(json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "default", "resourceVersion": "5", "creationTimestamp": "x"},
            "spec": {"template": {}}, "status": {"replicas": 1}}));
        assert_eq!(m.manifest_name, "deployments.default.web");
        let t = &m.template;
        assert!(t.get("status").is_none());
        assert!(t["metadata"].get("resourceVersion").is_none());
        assert_eq!(t["metadata"]["labels"][CREATED_BY_LABEL], "clusternet-hub");
        assert_eq!(t["spec"]["replicas"], 1);
        assert!(t["metadata"]["uid"].is_string());
    }

    #[test]
    fn service_cluster_ips_and_node_ports_are_trimmed() {
        let m = stored(
            json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "namespace": "d"},
            "spec": {"type": "NodePort", "clusterIP": "10.0.0.1", "clusterIPs": ["10.0.0.1"], "ports": [{"port": 80, "nodePort": 30000}]}}),
        );
        assert_eq!(
            m.template["spec"],
            json!({"type": "NodePort", "ports": [{"port": 80}]})
        );
        let headless = stored(
            json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "namespace": "d"},
            "spec": {"clusterIP": "None"}}),
        );
        assert_eq!(headless.template["spec"]["clusterIP"], "None");
    }

    #[test]
    fn skip_validating_objects_are_stored_verbatim() {
        let m = stored(json!({"apiVersion": "example.com/v1", "kind": "Widget",
            "metadata": {"name": "w", "annotations": {SKIP_VALIDATING_ANNOTATION: "true"}}, "status": {"x": 1}}));
        assert_eq!(m.template["status"], json!({"x": 1}));
    }

    #[test]
    fn feed_without_namespace_matches_every_namespace() {
        let index = FeedIndex::new(
            vec![
                stored(
                    json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "b"}}),
                ),
                stored(
                    json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "a"}}),
                ),
                stored(
                    json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "other", "namespace": "a"}}),
                ),
            ],
            vec![],
        );
        let feed = Feed {
            kind: "ConfigMap".into(),
            api_version: "v1".into(),
            namespace: String::new(),
            name: "c".into(),
        };
        let Some(Resolved::Manifests(found)) = index.resolve(&feed) else {
            panic!("resolves")
        };
        let namespaces: Vec<&str> = found
            .iter()
            .map(|&i| index.manifests[i].identity.namespace_or_empty())
            .collect();
        assert_eq!(namespaces, ["a", "b"]);
        let wrong_version = Feed {
            api_version: "v2".into(),
            ..feed
        };
        assert!(index.resolve(&wrong_version).is_none());
    }

    // spec §10.6
    #[test]
    fn feed_keys_and_formatting() {
        let f = Feed {
            kind: "Guess".into(),
            api_version: "v1".into(),
            namespace: String::new(),
            name: "what".into(),
        };
        assert_eq!(f.to_string(), "Guess what");
        let f = Feed {
            namespace: "demo".into(),
            ..f
        };
        assert_eq!(f.to_string(), "Guess demo/what");
        let d = Feed {
            kind: "Deployment".into(),
            api_version: "apps/v1".into(),
            namespace: "bar".into(),
            name: "my-nginx".into(),
        };
        assert_eq!(d.key().0, "apps/v1/Deployment/bar/my-nginx");
        let n = Feed {
            kind: "Namespace".into(),
            api_version: "v1".into(),
            namespace: String::new(),
            name: "bar".into(),
        };
        assert_eq!(n.key().0, "v1/Namespace/bar");
    }
}
