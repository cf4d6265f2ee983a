//! Render input: the Clusternet objects of one snapshot, parsed and checked at the edge.
//!
//! [`RenderInput::add_object`] takes any Kubernetes object as JSON: Clusternet kinds are
//! parsed into their types (errors name the object and the field), every other object is a
//! feed, stored as the shadow API would store it.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::Error;
use crate::feeds::StoredManifest;
use crate::scheduling::{Availability, ClusterResources};
use crate::types::{
    APPS_API_VERSION, CLUSTERS_API_VERSION, FeedInventory, Globalization, HelmChart, Localization,
    ManagedCluster, Manifest, Subscription,
};

/// Annotation on a ManagedCluster giving its availability for dynamic dividing: an
/// integer (all feeds) or a JSON object `{"<feed key>": n, "*": n}`. Model-specific:
/// it stands in for Clusternet's predictor.
pub const AVAILABILITY_ANNOTATION: &str = "render.clusternet.io/available-replicas";

/// Annotation on a `v1` Node or Pod naming the child cluster it belongs to
/// (`"<namespace>/<name>"` of its ManagedCluster): the object is then not a feed but input
/// of the predictor for dynamic dividing ([`crate::scheduling::predictor`]). Model-specific.
pub const CLUSTER_ANNOTATION: &str = "render.clusternet.io/cluster";

/// Everything rendering needs. Fill it with [`RenderInput::add_object`] or directly.
#[derive(Debug, Clone, Default)]
pub struct RenderInput {
    /// Child clusters (namespace = dedicated namespace).
    pub clusters: Vec<ManagedCluster>,
    /// Availability per cluster (`"<namespace>/<name>"`), for dynamic dividing.
    pub availability: BTreeMap<String, Availability>,
    /// Nodes and Pods per cluster (`"<namespace>/<name>"`), for dynamic dividing where no
    /// availability is given.
    pub cluster_resources: BTreeMap<String, ClusterResources>,
    /// Subscriptions.
    pub subscriptions: Vec<Subscription>,
    /// HelmChart feeds.
    pub helm_charts: Vec<HelmChart>,
    /// Plain-object feeds, as stored by the shadow API.
    pub manifests: Vec<StoredManifest>,
    /// Localizations.
    pub localizations: Vec<Localization>,
    /// Globalizations.
    pub globalizations: Vec<Globalization>,
    /// FeedInventories (otherwise detected for Dividing Subscriptions).
    pub feed_inventories: Vec<FeedInventory>,
}

fn object_name(object: &Value) -> String {
    let kind = object
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or("object");
    let meta = object.get("metadata");
    let get = |k: &str| {
        meta.and_then(|m| m.get(k))
            .and_then(Value::as_str)
            .unwrap_or("")
    };
    match (get("namespace"), get("name")) {
        ("", "") => kind.to_string(),
        ("", name) => format!("{kind} {name}"),
        (ns, name) => format!("{kind} {ns}/{name}"),
    }
}

fn parse_typed<T: DeserializeOwned>(object: Value) -> Result<T, Error> {
    let name = object_name(&object);
    serde_path_to_error::deserialize(object).map_err(|e| Error::InvalidObject {
        object: name,
        field: e.path().to_string(),
        message: e.inner().to_string(),
    })
}

fn invalid(object: &str, field: &str, message: impl Into<String>) -> Error {
    Error::InvalidObject {
        object: object.to_string(),
        field: field.to_string(),
        message: message.into(),
    }
}

fn require(object: &str, field: &str, value: &str) -> Result<(), Error> {
    if value.is_empty() {
        Err(invalid(object, field, "required"))
    } else {
        Ok(())
    }
}

fn check_priority(object: &str, priority: i32) -> Result<(), Error> {
    if (0..=1000).contains(&priority) {
        Ok(())
    } else {
        Err(invalid(
            object,
            "spec.priority",
            format!("{priority} is outside 0..=1000"),
        ))
    }
}

fn parse_availability(object: &str, text: &str) -> Result<Availability, Error> {
    let field = format!("metadata.annotations[{AVAILABILITY_ANNOTATION}]");
    let value: Value = crate::json::parse(text.trim())
        .map_err(|e| invalid(object, &field, format!("not JSON: {e}")))?;
    let mut availability = Availability::default();
    match value {
        Value::Number(n) => availability.default = n.as_i64(),
        Value::Object(map) => {
            for (key, n) in map {
                let n = n
                    .as_i64()
                    .ok_or_else(|| invalid(object, &field, format!("{key}: not an integer")))?;
                if key == "*" {
                    availability.default = Some(n);
                } else {
                    availability.per_feed.insert(crate::types::FeedKey(key), n);
                }
            }
        }
        _ => return Err(invalid(object, &field, "must be an integer or an object")),
    }
    Ok(availability)
}

impl RenderInput {
    /// Add a ManagedCluster given as its type (what [`RenderInput::add_object`] does for a
    /// ManagedCluster object, without the JSON): the same checks, the same errors.
    pub fn add_cluster(&mut self, cluster: ManagedCluster) -> Result<(), Error> {
        let name = match (
            cluster.metadata.namespace.as_str(),
            cluster.metadata.name.as_str(),
        ) {
            ("", "") => "ManagedCluster".to_string(),
            ("", name) => format!("ManagedCluster {name}"),
            (ns, name) => format!("ManagedCluster {ns}/{name}"),
        };
        self.add_cluster_named(&name, cluster)
    }

    fn add_cluster_named(&mut self, name: &str, cluster: ManagedCluster) -> Result<(), Error> {
        require(name, "metadata.name", &cluster.metadata.name)?;
        require(name, "metadata.namespace", &cluster.metadata.namespace)?;
        if let Some(text) = cluster.metadata.annotations.get(AVAILABILITY_ANNOTATION) {
            let availability = parse_availability(name, text)?;
            self.availability
                .insert(cluster.binding_name(), availability);
        }
        self.clusters.push(cluster);
        Ok(())
    }

    /// Add a Subscription given as its type (what [`RenderInput::add_object`] does for a
    /// Subscription object, without the JSON): the same checks, the same errors.
    pub fn add_subscription(&mut self, sub: Subscription) -> Result<(), Error> {
        let name = match (sub.metadata.namespace.as_str(), sub.metadata.name.as_str()) {
            ("", "") => "Subscription".to_string(),
            ("", name) => format!("Subscription {name}"),
            (ns, name) => format!("Subscription {ns}/{name}"),
        };
        self.add_subscription_named(&name, sub)
    }

    fn add_subscription_named(&mut self, name: &str, sub: Subscription) -> Result<(), Error> {
        require(name, "metadata.name", &sub.metadata.name)?;
        require(name, "metadata.namespace", &sub.metadata.namespace)?;
        if sub.spec.subscribers.is_empty() {
            return Err(invalid(
                name,
                "spec.subscribers",
                "at least one subscriber is required",
            ));
        }
        for (i, feed) in sub.spec.feeds.iter().enumerate() {
            require(name, &format!("spec.feeds[{i}].kind"), &feed.kind)?;
            require(
                name,
                &format!("spec.feeds[{i}].apiVersion"),
                &feed.api_version,
            )?;
            require(name, &format!("spec.feeds[{i}].name"), &feed.name)?;
        }
        for (i, s) in sub.spec.subscribers.iter().enumerate() {
            if s.weight < 0 {
                return Err(invalid(
                    name,
                    &format!("spec.subscribers[{i}].weight"),
                    "must be >= 0",
                ));
            }
        }
        self.subscriptions.push(sub);
        Ok(())
    }

    /// Add one Kubernetes object: a Clusternet object by kind, anything else as a feed
    /// submitted through the shadow API.
    pub fn add_object(&mut self, object: Value) -> Result<(), Error> {
        let name = object_name(&object);
        if !object.is_object() {
            return Err(invalid(&name, "", "a document must be a Kubernetes object"));
        }
        let api_version = object
            .get("apiVersion")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let kind = object
            .get("kind")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        require(&name, "apiVersion", &api_version)?;
        require(&name, "kind", &kind)?;
        match (api_version.as_str(), kind.as_str()) {
            (CLUSTERS_API_VERSION, "ManagedCluster") => {
                let cluster: ManagedCluster = parse_typed(object)?;
                self.add_cluster_named(&name, cluster)?;
            }
            (APPS_API_VERSION, "Subscription") => {
                let sub: Subscription = parse_typed(object)?;
                self.add_subscription_named(&name, sub)?;
            }
            (APPS_API_VERSION, "HelmChart") => {
                let chart: HelmChart = parse_typed(object)?;
                require(&name, "metadata.name", &chart.metadata.name)?;
                require(&name, "metadata.namespace", &chart.metadata.namespace)?;
                require(&name, "spec.repo", &chart.spec.repo)?;
                require(&name, "spec.chart", &chart.spec.chart)?;
                require(&name, "spec.targetNamespace", &chart.spec.target_namespace)?;
                self.helm_charts.push(chart);
            }
            (APPS_API_VERSION, "Localization") => {
                let loc: Localization = parse_typed(object)?;
                require(&name, "metadata.name", &loc.metadata.name)?;
                require(&name, "metadata.namespace", &loc.metadata.namespace)?;
                check_priority(&name, loc.spec.priority)?;
                self.localizations.push(loc);
            }
            (APPS_API_VERSION, "Globalization") => {
                let glob: Globalization = parse_typed(object)?;
                require(&name, "metadata.name", &glob.metadata.name)?;
                check_priority(&name, glob.spec.priority)?;
                self.globalizations.push(glob);
            }
            (APPS_API_VERSION, "FeedInventory") => {
                let inv: FeedInventory = parse_typed(object)?;
                require(&name, "metadata.name", &inv.metadata.name)?;
                require(&name, "metadata.namespace", &inv.metadata.namespace)?;
                self.feed_inventories.push(inv);
            }
            (APPS_API_VERSION, "Manifest") => {
                let manifest: Manifest = parse_typed(object)?;
                let stored = StoredManifest::from_manifest(&manifest).ok_or_else(|| {
                    invalid(
                        &name,
                        "template",
                        "needs apiVersion, kind and metadata.name",
                    )
                })?;
                self.manifests.push(stored);
            }
            ("v1", "Node" | "Pod")
                if object
                    .pointer(&format!(
                        "/metadata/annotations/{}",
                        CLUSTER_ANNOTATION.replace('/', "~1")
                    ))
                    .is_some() =>
            {
                let cluster = object
                    .pointer(&format!(
                        "/metadata/annotations/{}",
                        CLUSTER_ANNOTATION.replace('/', "~1")
                    ))
                    .and_then(Value::as_str)
                    .filter(|c| c.contains('/'))
                    .ok_or_else(|| {
                        invalid(
                            &name,
                            &format!("metadata.annotations[{CLUSTER_ANNOTATION}]"),
                            "must be the ManagedCluster's <namespace>/<name>",
                        )
                    })?
                    .to_string();
                let resources = self.cluster_resources.entry(cluster).or_default();
                if kind == "Node" {
                    resources.nodes.push(object);
                } else {
                    resources.pods.push(object);
                }
            }
            (APPS_API_VERSION, "Base" | "Description" | "HelmRelease") => {
                return Err(invalid(
                    &name,
                    "kind",
                    format!("{kind} is produced by rendering, not an input"),
                ));
            }
            (v, _)
                if crate::identity::split_api_version(v)
                    .0
                    .ends_with("clusternet.io") =>
            {
                return Err(invalid(
                    &name,
                    "apiVersion",
                    format!(
                        "{kind} of {v} is not a known Clusternet input and cannot be a feed (the shadow API does not serve *.clusternet.io)"
                    ),
                ));
            }
            _ => {
                let meta = object.get("metadata");
                let obj_name = meta
                    .and_then(|m| m.get("name"))
                    .and_then(Value::as_str)
                    .unwrap_or("");
                require(&name, "metadata.name", obj_name)?;
                let stored = StoredManifest::from_object(object)
                    .ok_or_else(|| invalid(&name, "metadata", "is not an object with a name"))?;
                self.manifests.push(stored);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// The typed adders check what `add_object` checks, with the same errors.
    #[test]
    fn typed_clusters_and_subscriptions_are_checked_like_objects() {
        let cluster = json!({
            "apiVersion": CLUSTERS_API_VERSION, "kind": "ManagedCluster",
            "metadata": {"name": "eu-1"},
        });
        let by_object = RenderInput::default().add_object(cluster.clone());
        let typed: ManagedCluster = serde_json::from_value(cluster).unwrap();
        let by_type = RenderInput::default().add_cluster(typed);
        assert_eq!(
            by_object.unwrap_err().to_string(),
            by_type.unwrap_err().to_string()
        );

        let subscription = json!({
            "apiVersion": APPS_API_VERSION, "kind": "Subscription",
            "metadata": {"name": "app", "namespace": "shop"},
            "spec": {"subscribers": [], "feeds": []},
        });
        let by_object = RenderInput::default().add_object(subscription.clone());
        let typed: Subscription = serde_json::from_value(subscription).unwrap();
        let by_type = RenderInput::default().add_subscription(typed);
        let error = by_type.unwrap_err().to_string();
        assert_eq!(by_object.unwrap_err().to_string(), error);
        assert!(error.contains("at least one subscriber"), "{error}");

        let mut input = RenderInput::default();
        let typed: ManagedCluster = serde_json::from_value(json!({
            "metadata": {"name": "eu-1", "namespace": "clusternet-eu-1"},
        }))
        .unwrap();
        input.add_cluster(typed).unwrap();
        assert_eq!(input.clusters.len(), 1);
    }
}
