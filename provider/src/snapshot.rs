//! The hub snapshot (DESIGN.md §5 (d)): what the hub holds, read once per provider process,
//! lazily, and always before that process writes anything to the hub.
//!
//! Every rendering in a process sees the same snapshot, so the plan made during apply equals
//! the plan made before it even when this process writes overrides or feeds to the hub in
//! between: those writes show in the next process's snapshot (Clusternet's loose coupling).
//!
//! One list request per kind (no per-object reads): ManagedClusters in every namespace,
//! Localizations, Globalizations, HelmCharts and Subscriptions in every namespace, and the
//! feed Manifests of `clusternet-reserved`. A kind the hub does not serve (Clusternet's CRDs
//! not installed) lists nothing.

use std::collections::BTreeSet;

use clusternet_deploy::cluster::Cluster;
use clusternet_deploy::connection::{ConnectionConfig, Timeouts};
use clusternet_deploy::error::ObjectError;
use clusternet_model::feeds::RESERVED_NAMESPACE;
use clusternet_model::identity::split_api_version;
use clusternet_tfplugin::Diagnostic;
use serde_json::Value as Json;

use crate::diagnostics::ToDiagnostic;
use clusternet_model::identity::ObjectIdentity;

/// Clusternet's apps API version.
pub const APPS: &str = "apps.clusternet.io/v1alpha1";
/// Clusternet's clusters API version.
pub const CLUSTERS: &str = "clusters.clusternet.io/v1beta1";

/// Label Clusternet's controller-manager puts on what it generates (e.g. the dividing
/// Localizations), which rendering produces again and so are not user overrides.
const CREATED_BY: &str = "clusternet.io/created-by";

/// Why the snapshot could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// No client could be built (kubeconfig, certificates, exec plugin).
    #[error("the hub ({hub}) cannot be connected to: {message}")]
    Connect {
        /// How the hub is configured, without credentials.
        hub: String,
        /// The reason.
        message: String,
    },
    /// A list request failed.
    #[error("the hub ({hub}) did not answer the list of {kind}: {source}")]
    List {
        /// How the hub is configured, without credentials.
        hub: String,
        /// The kind being listed.
        kind: &'static str,
        /// The deploy layer's error.
        #[source]
        source: ObjectError,
    },
}

impl ToDiagnostic for SnapshotError {
    /// The error, and where to look: the hub's API server and the provider's `hub`.
    fn to_diagnostic(&self) -> Diagnostic {
        Diagnostic::error(
            "Hub unreachable: cannot read its snapshot",
            format!(
                "{self}. The provider reads the hub's ManagedClusters, feeds and overrides once \
                 per run before rendering anything. Check that the hub's API server is running \
                 and that `hub` in the provider configuration (kubeconfig_path and context, or \
                 host and credentials) points at it; remove `hub` to render from the \
                 configuration alone."
            ),
        )
    }
}

/// The hub's objects, as listed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HubSnapshot {
    /// ManagedClusters, every namespace.
    pub managed_clusters: Vec<Json>,
    /// Localizations, every namespace (generated dividing ones included).
    pub localizations: Vec<Json>,
    /// Globalizations.
    pub globalizations: Vec<Json>,
    /// Manifests of `clusternet-reserved`: the feeds stored by the shadow API.
    pub manifests: Vec<Json>,
    /// HelmCharts, every namespace.
    pub helm_charts: Vec<Json>,
    /// Subscriptions, every namespace.
    pub subscriptions: Vec<Json>,
}

impl HubSnapshot {
    /// Lists everything, one request per kind, the kinds concurrently.
    /// `hub` names the hub in errors (never with credentials).
    pub async fn take(
        hub: &str,
        connection: &ConnectionConfig,
    ) -> Result<HubSnapshot, SnapshotError> {
        let hub_name = hub.to_string();
        let hub = Cluster::connect("hub", connection, Timeouts::default())
            .await
            .map_err(|e| SnapshotError::Connect {
                hub: hub_name.clone(),
                message: e.to_string(),
            })?;
        let list = |api_version: &'static str, kind: &'static str, namespace: Option<&str>| {
            let hub = hub.clone();
            let hub_name = hub_name.clone();
            let namespace = namespace.map(str::to_string);
            async move {
                hub.list(api_version, kind, namespace.as_deref(), None)
                    .await
                    .map_err(|source| SnapshotError::List {
                        hub: hub_name,
                        kind,
                        source,
                    })
            }
        };
        let (
            managed_clusters,
            localizations,
            globalizations,
            manifests,
            helm_charts,
            subscriptions,
        ) = tokio::try_join!(
            list(CLUSTERS, "ManagedCluster", None),
            list(APPS, "Localization", None),
            list(APPS, "Globalization", None),
            list(APPS, "Manifest", Some(RESERVED_NAMESPACE)),
            list(APPS, "HelmChart", None),
            list(APPS, "Subscription", None),
        )?;
        tracing::debug!(
            managed_clusters = managed_clusters.len(),
            localizations = localizations.len(),
            globalizations = globalizations.len(),
            manifests = manifests.len(),
            helm_charts = helm_charts.len(),
            subscriptions = subscriptions.len(),
            "hub snapshot taken"
        );
        Ok(HubSnapshot {
            managed_clusters,
            localizations,
            globalizations,
            manifests,
            helm_charts,
            subscriptions,
        })
    }

    /// The stored Manifest of a feed given by key, as Clusternet resolves it: by the
    /// `config.*` labels the shadow API sets (group, version, kind, name, and the namespace
    /// when the feed has one), or, for a Manifest without those labels, by its template.
    pub fn manifest_for(&self, feed: &ObjectIdentity) -> Option<&Json> {
        self.manifests.iter().find(|m| manifest_matches(m, feed))
    }

    /// The HelmChart `namespace/name` of a feed of kind HelmChart.
    pub fn helm_chart_for(&self, feed: &ObjectIdentity) -> Option<&Json> {
        self.helm_charts.iter().find(|c| {
            c["metadata"]["name"].as_str() == Some(&feed.name)
                && c["metadata"]["namespace"].as_str().unwrap_or_default()
                    == feed.namespace_or_empty()
        })
    }

    /// The hub's Localization or Globalization `id`.
    pub fn override_object(&self, id: &OverrideId) -> Option<&Json> {
        let list = if id.kind == "Localization" {
            &self.localizations
        } else {
            &self.globalizations
        };
        list.iter().find(|o| OverrideId::of(o).as_ref() == Some(id))
    }

    /// The users' overrides on the hub that refer to one of `feeds` and are not in `passed`
    /// (kind, namespace, name): what a subscription with those feeds gets from the hub. Left
    /// out are the generated dividing Localizations and the Globalizations the provider
    /// wrote for a chart's `values`: those come from the configuration (a chart whose values
    /// were removed in this run must not get them back from the hub copy).
    pub fn overrides_for<'a>(
        &'a self,
        feeds: &'a [ObjectIdentity],
        passed: &'a BTreeSet<OverrideId>,
    ) -> impl Iterator<Item = &'a Json> + 'a {
        self.localizations
            .iter()
            .filter(|l| !is_generated(l))
            .chain(
                self.globalizations
                    .iter()
                    .filter(|g| !clusternet_model::hub::chart_values::is_chart_values(g)),
            )
            .filter(move |o| !OverrideId::of(o).is_some_and(|id| passed.contains(&id)))
            .filter(move |o| {
                let feed = &o["spec"]["feed"];
                feeds.iter().any(|f| override_feed_matches(feed, f))
            })
    }
}

/// Identity of an override object: kind, namespace ("" for Globalizations), name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OverrideId {
    /// `Localization` or `Globalization`.
    pub kind: String,
    /// Namespace ("" for Globalizations).
    pub namespace: String,
    /// Name.
    pub name: String,
}

impl OverrideId {
    /// The identity of an override object, `None` when it lacks kind or name.
    pub fn of(object: &Json) -> Option<OverrideId> {
        Some(OverrideId {
            kind: object["kind"].as_str()?.to_string(),
            namespace: object["metadata"]["namespace"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            name: object["metadata"]["name"].as_str()?.to_string(),
        })
    }
}

impl std::fmt::Display for OverrideId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.namespace.is_empty() {
            write!(f, "{} {}", self.kind, self.name)
        } else {
            write!(f, "{} {}/{}", self.kind, self.namespace, self.name)
        }
    }
}

/// Whether a Localization was generated by rendering (a dividing Localization): made by
/// Clusternet's controller-manager, or owned by a Base.
fn is_generated(localization: &Json) -> bool {
    let created_by = localization["metadata"]["labels"][CREATED_BY].as_str();
    let owned_by_base = localization["metadata"]["ownerReferences"]
        .as_array()
        .is_some_and(|refs| refs.iter().any(|r| r["kind"] == "Base"));
    created_by == Some("clusternet-controller-manager") || owned_by_base
}

/// Whether an override's `spec.feed` names `feed` (an empty namespace matches any, as
/// Clusternet's label lookup does).
fn override_feed_matches(spec_feed: &Json, feed: &ObjectIdentity) -> bool {
    let namespace = spec_feed["namespace"].as_str().unwrap_or_default();
    spec_feed["kind"].as_str() == Some(&feed.kind)
        && spec_feed["name"].as_str() == Some(&feed.name)
        && (spec_feed["kind"] == "HelmChart"
            || spec_feed["apiVersion"].as_str() == Some(&feed.api_version))
        && (namespace.is_empty() || namespace == feed.namespace_or_empty())
}

fn manifest_matches(manifest: &Json, feed: &ObjectIdentity) -> bool {
    let labels = &manifest["metadata"]["labels"];
    let (group, version) = split_api_version(&feed.api_version);
    if labels["apps.clusternet.io/config.kind"].is_string() {
        let label = |key: &str| {
            labels[format!("apps.clusternet.io/config.{key}")]
                .as_str()
                .unwrap_or_default()
        };
        return label("group") == group
            && label("version") == version
            && label("kind") == feed.kind
            && label("name") == feed.name
            && (feed.namespace.is_none() || label("namespace") == feed.namespace_or_empty());
    }
    ObjectIdentity::of(&manifest["template"]).is_ok_and(|id| {
        id.api_version == feed.api_version
            && id.kind == feed.kind
            && id.name == feed.name
            && (feed.namespace.is_none() || id.namespace == feed.namespace)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn feed(key: &str) -> ObjectIdentity {
        key.parse::<ObjectIdentity>().expect("a feed key")
    }

    fn snapshot() -> HubSnapshot {
        HubSnapshot {
            manifests: vec![
                json!({"metadata": {"name": "configmaps.shop.settings", "labels": {
                    "apps.clusternet.io/config.group": "",
                    "apps.clusternet.io/config.version": "v1",
                    "apps.clusternet.io/config.kind": "ConfigMap",
                    "apps.clusternet.io/config.namespace": "shop",
                    "apps.clusternet.io/config.name": "settings",
                }}, "template": {"apiVersion": "v1", "kind": "ConfigMap",
                    "metadata": {"name": "settings", "namespace": "shop"}}}),
                json!({"metadata": {"name": "unlabelled"}, "template": {"apiVersion": "apps/v1",
                    "kind": "Deployment", "metadata": {"name": "web", "namespace": "shop"}}}),
            ],
            localizations: vec![
                json!({"kind": "Localization", "metadata": {"name": "user", "namespace": "c1"},
                    "spec": {"feed": {"apiVersion": "v1", "kind": "ConfigMap",
                        "namespace": "shop", "name": "settings"}}}),
                json!({"kind": "Localization", "metadata": {"name": "split", "namespace": "c1",
                    "labels": {"clusternet.io/created-by": "clusternet-controller-manager"}},
                    "spec": {"feed": {"apiVersion": "v1", "kind": "ConfigMap",
                        "namespace": "shop", "name": "settings"}}}),
                json!({"kind": "Localization", "metadata": {"name": "other", "namespace": "c1"},
                    "spec": {"feed": {"apiVersion": "v1", "kind": "ConfigMap",
                        "namespace": "shop", "name": "other"}}}),
            ],
            globalizations: vec![
                json!({"kind": "Globalization", "metadata": {"name": "all"},
                    "spec": {"feed": {"apiVersion": "v1", "kind": "ConfigMap",
                        "name": "settings"}}}),
                json!({"kind": "Globalization", "metadata": {"name": "shop-web-default-values",
                    "annotations": {"apps.clusternet.io/owned-by-description":
                        clusternet_model::hub::chart_values::HUB_MARK}},
                    "spec": {"feed": {"apiVersion": "apps.clusternet.io/v1alpha1",
                        "kind": "HelmChart", "namespace": "shop", "name": "web"}}}),
            ],
            ..HubSnapshot::default()
        }
    }

    #[test]
    fn feeds_by_key_resolve_by_the_shadow_api_labels() {
        let s = snapshot();
        let found = s.manifest_for(&feed("v1/ConfigMap/shop/settings")).unwrap();
        assert_eq!(found["metadata"]["name"], "configmaps.shop.settings");
        assert!(
            s.manifest_for(&feed("v1/ConfigMap/other/settings"))
                .is_none()
        );
        assert!(
            s.manifest_for(&feed("apps/v1/ConfigMap/shop/settings"))
                .is_none()
        );
    }

    #[test]
    fn manifests_without_labels_resolve_by_their_template() {
        let s = snapshot();
        let found = s
            .manifest_for(&feed("apps/v1/Deployment/shop/web"))
            .unwrap();
        assert_eq!(found["metadata"]["name"], "unlabelled");
    }

    #[test]
    fn hub_overrides_of_the_feeds_apply_except_generated_and_passed_ones() {
        let s = snapshot();
        let feeds = [feed("v1/ConfigMap/shop/settings")];
        let names = |passed: &BTreeSet<OverrideId>| -> Vec<String> {
            s.overrides_for(&feeds, passed)
                .map(|o| o["metadata"]["name"].as_str().unwrap().to_string())
                .collect()
        };
        assert_eq!(names(&BTreeSet::new()), ["user", "all"]);
        let passed = BTreeSet::from([OverrideId {
            kind: "Localization".into(),
            namespace: "c1".into(),
            name: "user".into(),
        }]);
        assert_eq!(names(&passed), ["all"]);
    }

    #[test]
    fn chart_values_the_provider_wrote_are_no_hub_overrides() {
        let s = snapshot();
        let feeds = [feed("apps.clusternet.io/v1alpha1/HelmChart/shop/web")];
        assert_eq!(s.overrides_for(&feeds, &BTreeSet::new()).count(), 0);
    }

    #[test]
    fn hub_descriptions_carry_no_credentials() {
        let direct = crate::config::Connection::Direct {
            host: "https://10.0.0.1:6443".into(),
            token: Some(crate::config::Secret("s3cret".into())),
            ca_certificate: None,
            client_certificate: None,
            client_key: None,
            insecure: false,
            exec: None,
        };
        assert_eq!(direct.describe(), "https://10.0.0.1:6443");
        let error = SnapshotError::Connect {
            hub: direct.describe(),
            message: "refused".into(),
        };
        let shown = format!("{:?}", error.to_diagnostic());
        assert!(shown.contains("https://10.0.0.1:6443"), "{shown}");
        assert!(!shown.contains("s3cret"), "{shown}");
    }
}
