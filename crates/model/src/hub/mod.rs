//! The Clusternet objects a hub holds for a rendered subscription (spec/clusternet.md §3):
//! the Subscription and its status, its feeds as the shadow API stores them (Manifests in
//! `clusternet-reserved`, HelmCharts - [`charts`]), and per bound cluster the Base, the
//! generated dividing Localizations and the Descriptions, with the HelmReleases of their
//! charts ([`releases`]); charts' default values are the priority-0 Globalizations
//! [`chart_values`] makes of them.
//!
//! Pure: what to write. Writing it (server-side apply, statuses, pruning) is the provider's.

use std::collections::BTreeSet;

use serde_json::{Value as Json, json};

use crate::feeds::{RESERVED_NAMESPACE, StoredManifest};
use crate::render::SubscriptionRender;
use crate::types::{APPS_API_VERSION as APPS, HelmChart};

pub mod chart_values;
pub mod charts;
pub mod releases;

use releases::{DescriptionRollout, HubRelease};

/// The kinds a hub holds for a subscription, with their CRD names.
pub const KINDS: [(&str, &str); 8] = [
    ("Subscription", "subscriptions.apps.clusternet.io"),
    ("Manifest", "manifests.apps.clusternet.io"),
    ("HelmChart", "helmcharts.apps.clusternet.io"),
    ("Base", "bases.apps.clusternet.io"),
    ("Localization", "localizations.apps.clusternet.io"),
    ("Description", "descriptions.apps.clusternet.io"),
    ("Globalization", "globalizations.apps.clusternet.io"),
    ("HelmRelease", "helmreleases.apps.clusternet.io"),
];

/// What one subscription puts on the hub.
#[derive(Debug, Clone, Default)]
pub struct HubObjects {
    /// Subscription namespace.
    pub namespace: String,
    /// Subscription name.
    pub name: String,
    /// The Subscription (spec only).
    pub subscription: Json,
    /// The Subscription's status as Clusternet's scheduler would write it (bindingClusters,
    /// replicas when dividing, specHash, desiredReleases), written through the status
    /// subresource with deployer = "provider".
    pub subscription_status: Json,
    /// One Manifest per plain-object feed passed by value.
    pub manifests: Vec<Json>,
    /// One HelmChart per chart feed passed by value.
    pub helm_charts: Vec<Json>,
    /// The Globalizations of priority 0 holding those charts' `values` (for the charts that
    /// have values).
    pub chart_values: Vec<Json>,
    /// Per bound cluster.
    pub bases: Vec<Json>,
    /// Generated dividing Localizations (owner references to their Base by name).
    pub localizations: Vec<Json>,
    /// Descriptions (owner references to their Base by name).
    pub descriptions: Vec<Json>,
    /// One HelmRelease per chart of each Helm Description (deployer = "provider").
    pub helm_releases: Vec<HubRelease>,
    /// What each Description's status depends on.
    pub rollouts: Vec<DescriptionRollout>,
    /// The clusters' dedicated namespaces.
    pub cluster_namespaces: BTreeSet<String>,
}

/// `object` as a hub object of `kind`: Clusternet's apiVersion and kind, without
/// finalizers.
pub fn with_type(mut object: Json, kind: &str) -> Json {
    if let Some(map) = object.as_object_mut() {
        map.insert("apiVersion".into(), APPS.into());
        map.insert("kind".into(), kind.into());
        if let Some(meta) = map.get_mut("metadata").and_then(Json::as_object_mut) {
            // No controller on this hub removes Clusternet's finalizers.
            meta.remove("finalizers");
        }
    }
    object
}

/// The Manifest the shadow API stores for a feed (spec §4).
pub fn manifest_object(stored: &StoredManifest) -> Json {
    let id = &stored.identity;
    let mut labels: serde_json::Map<String, Json> = stored
        .template
        .pointer("/metadata/labels")
        .and_then(Json::as_object)
        .cloned()
        .unwrap_or_default();
    for (key, value) in [
        ("apps.clusternet.io/config.group", id.group()),
        ("apps.clusternet.io/config.version", id.version()),
        ("apps.clusternet.io/config.kind", &id.kind),
        ("apps.clusternet.io/config.name", &id.name),
        (
            "apps.clusternet.io/config.namespace",
            id.namespace_or_empty(),
        ),
    ] {
        labels.insert(key.into(), value.into());
    }
    json!({
        "apiVersion": APPS,
        "kind": "Manifest",
        "metadata": {
            "name": stored.manifest_name,
            "namespace": RESERVED_NAMESPACE,
            "labels": labels,
        },
        "template": stored.template,
    })
}

/// Clusternet's types as JSON. Their `Serialize` is derived and their map keys are strings,
/// which is all `serde_json::to_value` can fail on.
fn to_json(value: &impl serde::Serialize) -> Json {
    serde_json::to_value(value).expect("Clusternet's types serialise to JSON")
}

/// The hub objects of a rendered subscription; `manifests` and `charts` are the feeds of its
/// input passed by value (those found on the hub stay the hub's), `chart_values` the
/// Globalizations generated from those charts' `values`.
pub fn objects(
    result: &SubscriptionRender,
    manifests: &[StoredManifest],
    charts: &[HelmChart],
    chart_values: &[Json],
) -> HubObjects {
    let mut subscription = with_type(to_json(&result.subscription), "Subscription");
    let mut subscription_status = Json::Null;
    if let Some(map) = subscription.as_object_mut() {
        subscription_status = map.remove("status").unwrap_or_default();
    }
    if let Some(status) = subscription_status.as_object_mut() {
        // Collected from the clusters by Clusternet's agents; the provider has none to report.
        status.remove("aggregatedStatuses");
    }
    let feeds = &result.subscription.spec.feeds;
    let manifests = manifests
        .iter()
        .filter(|m| feeds.iter().any(|f| m.identity.matched_by(f)))
        .map(manifest_object)
        .collect();
    let helm_charts = charts
        .iter()
        .filter(|c| {
            feeds.iter().any(|f| {
                f.kind == "HelmChart"
                    && f.name == c.metadata.name
                    && f.namespace == c.metadata.namespace
            })
        })
        .map(charts::helm_chart_object)
        .collect::<Vec<_>>();
    let chart_values = chart_values
        .iter()
        .filter(|g| {
            helm_charts.iter().any(|c| {
                g["spec"]["feed"]["namespace"] == c["metadata"]["namespace"]
                    && g["spec"]["feed"]["name"] == c["metadata"]["name"]
            })
        })
        .map(|g| with_type(g.clone(), "Globalization"))
        .collect();
    let mut out = HubObjects {
        namespace: result.subscription.metadata.namespace.clone(),
        name: result.subscription.metadata.name.clone(),
        subscription,
        subscription_status,
        manifests,
        helm_charts,
        chart_values,
        ..HubObjects::default()
    };
    for cluster in &result.clusters {
        out.cluster_namespaces.insert(cluster.namespace.clone());
        out.bases.push(with_type(to_json(&cluster.base), "Base"));
        out.localizations.extend(
            cluster
                .localizations
                .iter()
                .map(|l| with_type(to_json(l), "Localization")),
        );
        out.descriptions.extend(
            cluster
                .descriptions
                .iter()
                .map(|d| with_type(to_json(d), "Description")),
        );
        for description in &cluster.descriptions {
            let releases = releases::releases_of(&cluster.cluster_name, description);
            out.rollouts.push(releases::rollout_of(
                &cluster.cluster_name,
                description,
                &releases,
            ));
            out.helm_releases.extend(releases);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feeds_are_stored_as_the_shadow_api_stores_them() {
        let stored = StoredManifest::from_object(json!({
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "shop", "labels": {"app": "web"}},
            "spec": {"template": {}},
        }))
        .unwrap();
        let manifest = manifest_object(&stored);
        assert_eq!(manifest["metadata"]["name"], "deployments.shop.web");
        assert_eq!(manifest["metadata"]["namespace"], RESERVED_NAMESPACE);
        let labels = &manifest["metadata"]["labels"];
        assert_eq!(labels["app"], "web");
        assert_eq!(labels["apps.clusternet.io/config.group"], "apps");
        assert_eq!(labels["apps.clusternet.io/config.version"], "v1");
        assert_eq!(labels["apps.clusternet.io/config.kind"], "Deployment");
        assert_eq!(labels["apps.clusternet.io/config.namespace"], "shop");
        assert_eq!(manifest["template"]["spec"]["replicas"], 1);
        assert_eq!(
            manifest["template"]["metadata"]["labels"]["clusternet.io/created-by"],
            "clusternet-hub"
        );
    }

    /// The preview's input, with a feed object and a chart no feed names.
    const UNUSED: &str = r#"
---
apiVersion: v1
kind: ConfigMap
metadata: {name: unused, namespace: app}
---
apiVersion: apps.clusternet.io/v1alpha1
kind: HelmChart
metadata: {name: other, namespace: default}
spec: {repo: "https://charts.example.com", chart: other, targetNamespace: other}
"#;

    fn hub_objects() -> HubObjects {
        let text = format!("{}{UNUSED}", crate::preview::tests::INPUT);
        let input = crate::stream::read_sources(&[crate::stream::Source {
            name: "t",
            text: &text,
        }])
        .unwrap();
        let output = crate::render::render(&input).unwrap();
        let values = |namespace: &str, name: &str| {
            let mut chart = json!({"kind": "HelmChart",
                "metadata": {"name": name, "namespace": namespace}});
            chart_values::attach(&mut chart, json!({"size": "s"}));
            chart_values::take(&mut chart).unwrap()
        };
        objects(
            &output.subscriptions[0],
            &input.manifests,
            &input.helm_charts,
            &[values("default", "redis"), values("default", "other")],
        )
    }

    #[test]
    fn a_subscription_puts_its_own_feeds_and_one_base_per_cluster_on_the_hub() {
        let hub = hub_objects();
        assert_eq!(
            (hub.namespace.as_str(), hub.name.as_str()),
            ("default", "app")
        );
        assert_eq!(hub.subscription["kind"], "Subscription");
        assert!(hub.subscription.get("status").is_none());
        assert_eq!(
            hub.subscription_status["bindingClusters"],
            json!(["clusternet-eu1ab/eu-1"])
        );
        assert!(hub.subscription_status.get("aggregatedStatuses").is_none());
        let names = |objects: &[Json]| -> Vec<String> {
            objects
                .iter()
                .map(|o| {
                    o["metadata"]["name"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string()
                })
                .collect()
        };
        assert_eq!(
            names(&hub.manifests),
            ["namespaces.app", "secrets.app.creds"]
        );
        assert_eq!(names(&hub.helm_charts), ["redis"]);
        assert_eq!(names(&hub.chart_values), ["default-redis-default-values"]);
        assert_eq!(hub.chart_values[0]["kind"], "Globalization");
        assert_eq!(hub.bases.len(), 1);
        assert_eq!(hub.bases[0]["kind"], "Base");
        let kinds: Vec<&str> = hub
            .descriptions
            .iter()
            .map(|d| d["spec"]["deployer"].as_str().unwrap_or_default())
            .collect();
        assert_eq!(kinds, ["Helm", "Generic"]);
        assert_eq!(
            hub.cluster_namespaces,
            BTreeSet::from(["clusternet-eu1ab".to_string()])
        );
        assert_eq!(hub.rollouts.len(), 2);
        assert_eq!(hub.helm_releases.len(), 1);
        assert_eq!(hub.helm_releases[0].release_key, "eu-1/cache/redis");
    }

    #[test]
    fn typed_objects_lose_their_finalizers() {
        let object = with_type(
            json!({"metadata": {"name": "d", "finalizers": ["apps.clusternet.io/finalizer"]}}),
            "Description",
        );
        assert_eq!(object["apiVersion"], APPS);
        assert_eq!(object["kind"], "Description");
        assert!(object["metadata"].get("finalizers").is_none());
    }
}
