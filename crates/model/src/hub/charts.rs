//! HelmChart feeds on the hub (spec/clusternet.md §3.1): the `HelmChart` object the provider
//! writes for a chart feed passed by value, and the feed objects (Manifests and HelmCharts)
//! a live Subscription refers to, which decide when a feed object is no longer used.
//!
//! The object is what a user would create on a Clusternet hub, with the identity labels
//! Clusternet's HelmChart controller adds (`apps.clusternet.io/config.*`). Its finalizers
//! are left out (no controller on the hub would remove them), as are the `<uid>: Base` /
//! `<uid>: Subscription` back-reference labels: they would have to be merged across every
//! Subscription using the chart, and the provider decides whether a chart is still used from
//! the Subscriptions' `spec.feeds` instead (as it does for Manifests).

use std::collections::BTreeSet;

use serde_json::{Value as Json, json};

use crate::feeds::RESERVED_NAMESPACE;
use crate::identity::ObjectIdentity;
use crate::types::{APPS_API_VERSION as APPS, ChartPhase, HelmChart, HelmChartStatus};

/// The HelmChart object for the hub: apiVersion and kind, name, namespace, the chart's own
/// labels and annotations plus Clusternet's identity labels, and the spec (CRD defaults
/// included, as the API server would store them). No uid, finalizers or status: the server
/// assigns the uid, and the status is written through the status subresource
/// ([`found_status`]).
pub fn helm_chart_object(chart: &HelmChart) -> Json {
    let meta = &chart.metadata;
    let mut labels: serde_json::Map<String, Json> = meta
        .labels
        .iter()
        .map(|(k, v)| (k.clone(), Json::String(v.clone())))
        .collect();
    for (key, value) in [
        ("apps.clusternet.io/config.group", "apps.clusternet.io"),
        ("apps.clusternet.io/config.version", "v1alpha1"),
        ("apps.clusternet.io/config.kind", "HelmChart"),
        ("apps.clusternet.io/config.name", meta.name.as_str()),
        (
            "apps.clusternet.io/config.namespace",
            meta.namespace.as_str(),
        ),
    ] {
        labels.insert(key.into(), value.into());
    }
    let mut metadata = json!({
        "name": meta.name,
        "namespace": meta.namespace,
        "labels": labels,
    });
    if !meta.annotations.is_empty() {
        metadata["annotations"] = json!(meta.annotations);
    }
    json!({
        "apiVersion": APPS,
        "kind": "HelmChart",
        "metadata": metadata,
        "spec": serde_json::to_value(&chart.spec)
            .expect("a HelmChart spec serialises: derived Serialize, string map keys"),
    })
}

/// The status the provider writes for a chart it deploys (deployer = "provider"): `Found`.
/// On a Clusternet hub a Base whose chart has no phase yet is "in verifying" and renders
/// nothing; the provider has templated the chart at plan time and installed it with helm.
pub fn found_status() -> Json {
    serde_json::to_value(HelmChartStatus {
        phase: Some(ChartPhase::Found),
        reason: String::new(),
    })
    .expect("a HelmChart status serialises: derived Serialize, no maps")
}

/// The hub object of a feed object (Manifest or HelmChart) by its JSON.
pub fn reference(object: &Json) -> Option<ObjectIdentity> {
    let kind = object["kind"].as_str()?;
    let name = object["metadata"]["name"].as_str()?;
    Some(ObjectIdentity::new(
        APPS,
        kind,
        object["metadata"]["namespace"].as_str(),
        name,
    ))
}

/// The hub objects the feeds of a live Subscription refer to: the Manifests the shadow API
/// stores for plain objects (in `clusternet-reserved`) and the HelmCharts.
pub fn feed_objects(subscription: &Json) -> BTreeSet<ObjectIdentity> {
    subscription
        .pointer("/spec/feeds")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
        .filter_map(|f| {
            let kind = f["kind"].as_str()?;
            let name = f["name"].as_str()?;
            let namespace = f["namespace"].as_str().unwrap_or_default();
            if kind == "HelmChart" {
                return (!namespace.is_empty())
                    .then(|| ObjectIdentity::new(APPS, "HelmChart", Some(namespace), name));
            }
            Some(ObjectIdentity::new(
                APPS,
                "Manifest",
                Some(RESERVED_NAMESPACE),
                crate::naming::manifest_name(&crate::naming::plural(kind), namespace, name),
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart() -> HelmChart {
        serde_json::from_value(json!({
            "metadata": {"name": "web", "namespace": "apps", "labels": {"team": "shop"}},
            "spec": {"repo": "https://charts.example.com", "chart": "nginx",
                     "version": "1.2.3", "targetNamespace": "web", "atomic": true},
        }))
        .expect("a HelmChart")
    }

    #[test]
    fn the_hub_chart_carries_clusternet_identity_labels_and_the_spec() {
        let object = helm_chart_object(&chart());
        assert_eq!(object["apiVersion"], APPS);
        assert_eq!(object["kind"], "HelmChart");
        let labels = &object["metadata"]["labels"];
        assert_eq!(labels["team"], "shop");
        assert_eq!(
            labels["apps.clusternet.io/config.group"],
            "apps.clusternet.io"
        );
        assert_eq!(labels["apps.clusternet.io/config.version"], "v1alpha1");
        assert_eq!(labels["apps.clusternet.io/config.kind"], "HelmChart");
        assert_eq!(labels["apps.clusternet.io/config.name"], "web");
        assert_eq!(labels["apps.clusternet.io/config.namespace"], "apps");
        let spec = &object["spec"];
        assert_eq!(spec["repo"], "https://charts.example.com");
        assert_eq!(spec["chart"], "nginx");
        assert_eq!(spec["version"], "1.2.3");
        assert_eq!(spec["targetNamespace"], "web");
        assert_eq!(spec["atomic"], true);
        // CRD defaults, as the server stores them.
        assert_eq!(spec["createNamespace"], true);
        assert_eq!(spec["timeoutSeconds"], 300);
        for absent in ["uid", "finalizers", "annotations"] {
            assert!(object["metadata"].get(absent).is_none(), "{absent}");
        }
        assert!(object.get("status").is_none());
    }

    #[test]
    fn a_written_chart_is_found() {
        assert_eq!(found_status(), json!({"phase": "Found"}));
    }

    #[test]
    fn feeds_name_their_hub_objects() {
        let sub = json!({"spec": {"feeds": [
            {"kind": "Namespace", "apiVersion": "v1", "name": "shop"},
            {"kind": "ConfigMap", "apiVersion": "v1", "namespace": "shop", "name": "settings"},
            {"kind": "HelmChart", "apiVersion": "apps.clusternet.io/v1alpha1", "namespace": "x", "name": "c"}
        ]}});
        let manifest =
            |name: &str| ObjectIdentity::new(APPS, "Manifest", Some(RESERVED_NAMESPACE), name);
        assert_eq!(
            feed_objects(&sub),
            BTreeSet::from([
                manifest("namespaces.shop"),
                manifest("configmaps.shop.settings"),
                ObjectIdentity::new(APPS, "HelmChart", Some("x"), "c"),
            ])
        );
        assert_eq!(
            reference(&helm_chart_object(&chart())),
            Some(ObjectIdentity::new(APPS, "HelmChart", Some("apps"), "web"))
        );
    }
}
