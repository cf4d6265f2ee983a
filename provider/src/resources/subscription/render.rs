//! Rendering a subscription: its typed configuration, the cluster inventory and the hub
//! snapshot in, Clusternet's rendering out (the preview, the objects per cluster, and with a
//! hub the objects the hub is to hold).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use clusternet_model::provenance::WarningCode;
use clusternet_model::render::{RenderInput, SubscriptionRender};
use clusternet_model::types::{ManagedCluster, ManagedClusterSpec, ObjectMeta, SyncMode, Taint};
use clusternet_tfplugin::{AttributePath, Diagnostic, Diagnostics, Value};
use serde_json::Value as Json;

use super::config::{FeedInput, SubscriptionConfig};
use super::markers::SecretMarkers;
use crate::charts;
use crate::config::ProviderConfig;
use crate::diagnostics::ToDiagnostic;
use crate::hub_inputs;
use crate::override_handles::OverrideRef;
use crate::snapshot::HubSnapshot;
use clusternet_model::identity::ObjectIdentity;

/// The rendering of one subscription.
pub struct Rendered {
    /// Bound cluster names.
    pub binding_clusters: Vec<String>,
    /// `<cluster>/<feed key>` to replicas.
    pub replicas: BTreeMap<String, i64>,
    /// specHash.
    pub spec_hash: String,
    /// The preview (secrets redacted).
    pub descriptions: BTreeMap<String, String>,
    /// Per cluster, the objects to deploy (secrets included), as rendered text: read only
    /// where they are needed (apply; a plan with `ignore_fields`).
    pub objects: ObjectTexts,
    /// Warnings from rendering.
    pub warnings: Diagnostics,
    /// What to write to the hub (only rendered for apply, when a hub takes the objects).
    pub hub: Option<clusternet_model::hub::HubObjects>,
    /// Dynamic dividing: the availability shown, `<cluster>/<feed key>` (ADR 0029).
    pub availability: Option<BTreeMap<String, i64>>,
}

impl Rendered {
    /// The rendering as the values of the attributes `binding_clusters`, `replicas` and
    /// `spec_hash` (shared by the resource and `clusternet_render`; the preview is the
    /// resource's grouped one, or the data source's [`Rendered::per_cluster_descriptions`]).
    pub(crate) fn attribute_values(&self) -> [(&'static str, Value); 3] {
        [
            (
                "binding_clusters",
                Value::List(
                    self.binding_clusters
                        .iter()
                        .map(|c| Value::from(c.as_str()))
                        .collect(),
                ),
            ),
            (
                "replicas",
                Value::Map(
                    self.replicas
                        .iter()
                        .map(|(k, v)| (k.clone(), Value::from(*v)))
                        .collect(),
                ),
            ),
            ("spec_hash", self.spec_hash.as_str().into()),
        ]
    }

    /// The per-cluster preview as a `descriptions` value keyed `<cluster>/<object key>`.
    pub(crate) fn per_cluster_descriptions(&self) -> Value {
        Value::Map(
            self.descriptions
                .iter()
                .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
                .collect(),
        )
    }
}

/// The hub objects of the feeds given by key, in order; a feed the hub lacks (or any feed
/// by key when there is no hub to look in) is an error on its entry of `feeds`. Without a
/// hub and with a configuration not yet known, the lookup waits for the plan.
fn hub_feeds(
    config: &SubscriptionConfig,
    inventory: &ProviderConfig,
    diags: &mut Diagnostics,
) -> Vec<Json> {
    let mut found = Vec::new();
    for (i, feed) in config.feeds.iter().enumerate() {
        let FeedInput::ByKey(identity) = feed else {
            continue;
        };
        let path = AttributePath::root().attr("feeds").index(i as i64);
        match (&inventory.snapshot, inventory.has_unknowns) {
            (Some(hub), _) => match hub_feed(hub, identity) {
                Some(object) => found.push(object.clone()),
                None => diags.error_at(
                    path,
                    "Feed not found on the hub",
                    format!(
                        "Feed {} is given by key, and the hub holds no {} for it (looked up in \
                         the hub snapshot taken when this run started). Create it on the hub \
                         through Clusternet's shadow API, or pass the feed by value \
                         (clusternet_manifest.<name>.feed).",
                        identity,
                        if identity.kind == "HelmChart" {
                            "HelmChart"
                        } else {
                            "Manifest in clusternet-reserved"
                        },
                    ),
                ),
            },
            (None, true) => {}
            (None, false) => diags.error_at(
                path,
                "Feed not found",
                format!(
                    "Feed {} is given by key, so it must exist on the hub, and no hub is \
                     configured. Pass the feed by value instead \
                     (clusternet_manifest.<name>.feed).",
                    identity
                ),
            ),
        }
    }
    found
}

/// The hub object of a feed given by key: its HelmChart, or the Manifest the shadow API
/// stored for it.
fn hub_feed<'a>(hub: &'a HubSnapshot, identity: &ObjectIdentity) -> Option<&'a Json> {
    if identity.kind == "HelmChart" {
        hub.helm_chart_for(identity)
    } else {
        hub.manifest_for(identity)
    }
}

/// A cluster of the inventory as the ManagedCluster the render engine selects from (the
/// `clusternet_render` data source builds its clusters with this too).
pub(crate) fn managed_cluster(
    name: &str,
    namespace: &str,
    labels: &BTreeMap<String, String>,
    taints: &[crate::config::TaintConfig],
) -> ManagedCluster {
    ManagedCluster {
        metadata: ObjectMeta {
            name: name.to_string(),
            namespace: namespace.to_string(),
            labels: labels.clone(),
            ..ObjectMeta::default()
        },
        spec: ManagedClusterSpec {
            cluster_id: clusternet_model::naming::uid(&["cluster", name]),
            sync_mode: SyncMode::Push,
            taints: taints
                .iter()
                .map(|t| Taint {
                    key: t.key.clone(),
                    value: t.value.clone(),
                    effect: t.effect,
                    time_added: None,
                })
                .collect(),
            ..ManagedClusterSpec::default()
        },
        status: None,
    }
}

/// Renders the subscription of `config`, with `overrides` the objects its `overrides` name,
/// against the inventory, with the hub objects when `with_hub` (apply only: the plan never
/// needs them), Secret values in the preview shown by `markers`. `Ok(None)`: the inventory
/// is not known until apply.
pub fn render(
    config: &SubscriptionConfig,
    overrides: &[Json],
    inventory: &ProviderConfig,
    with_hub: bool,
    markers: &SecretMarkers,
) -> Result<Option<Rendered>, Diagnostics> {
    let mut diags = Diagnostics::new();
    let hub_feeds = hub_feeds(config, inventory, &mut diags);
    if diags.has_errors() {
        return Err(diags);
    }
    if inventory.has_unknowns {
        return Ok(None);
    }
    let passed = config.passed_overrides();
    let hub_feed_identities = hub_inputs::hub_feed_identities(&hub_feeds);
    let chart_values = config.chart_values();
    let mut input = RenderInput::default();
    for cluster in inventory.clusters.values() {
        input
            .add_cluster(managed_cluster(
                &cluster.name,
                &cluster.namespace,
                &cluster.labels,
                &cluster.taints,
            ))
            .expect("managed clusters are well-formed");
    }
    super::dynamic::add_to_input(&mut input, inventory);
    let by_value = config.feeds.iter().filter_map(|f| match f {
        FeedInput::ByValue { object, .. } => Some(object.clone()),
        FeedInput::ByKey(_) => None,
    });
    let added = input
        .add_subscription(config.subscription())
        .and_then(|()| {
            by_value
                .chain(hub_feeds)
                .chain(overrides.iter().cloned())
                .chain(chart_values.iter().cloned())
                .try_for_each(|object| input.add_object(object))
        });
    if let Err(e) = added {
        diags.push(Diagnostic::error(
            "Invalid subscription input",
            format!("{e}."),
        ));
        return Err(diags);
    }
    // Dynamic dividing starts from the division the prior state holds (ADR 0029).
    for subscription in input
        .subscriptions
        .iter_mut()
        .filter(|s| s.metadata.name == config.name && s.metadata.namespace == config.namespace)
    {
        subscription.status = super::dynamic::current_status(config, inventory);
    }
    if let Some(snapshot) = &inventory.snapshot {
        diags.extend(hub_inputs::add_hub_overrides(
            &mut input,
            snapshot,
            inventory,
            &config.feed_identities(),
            &passed,
        ));
    }
    let output = match clusternet_model::render::render(&input) {
        Ok(output) => output,
        Err(e) => {
            diags.push(
                Diagnostic::error("Cannot render the subscription", format!("{e}."))
                    .at(AttributePath::root().attr("feeds")),
            );
            return Err(diags);
        }
    };
    let Some(result) = output.subscriptions.iter().find(|s| {
        s.subscription.metadata.name == config.name
            && s.subscription.metadata.namespace == config.namespace
    }) else {
        diags.push(Diagnostic::error(
            "Subscription not rendered",
            "The render engine produced no result for this subscription; this is a bug.",
        ));
        return Err(diags);
    };
    // An override that fails on some cluster fails the plan, naming it (ADR 0027).
    diags.extend(super::override_failures::diagnostics(
        result.failures(),
        |source| {
            config
                .overrides
                .iter()
                .position(|o| names(o, source))
                .map_or_else(AttributePath::root, |i| {
                    AttributePath::root().attr("overrides").index(i as i64)
                })
        },
    ));
    if diags.has_errors() {
        return Err(diags);
    }
    diags.extend(hub_inputs::check_deployable(result, inventory));
    if diags.has_errors() {
        return Err(diags);
    }
    let mut warnings: Vec<_> = output.warnings.iter().chain(&result.warnings).collect();
    // The engine reports some warnings both for the whole rendering and for the subscription.
    warnings.sort();
    warnings.dedup();
    let unknown_capacity: Vec<&str> = warnings
        .iter()
        .filter(|w| w.code == WarningCode::UnknownAvailability)
        .map(|w| w.message.as_str())
        .collect();
    if let Some(first) = unknown_capacity.first() {
        diags.error_at(
            AttributePath::root().attr("dividing_type"),
            "Cluster capacity unknown",
            format!(
                "dividing_type = \"Dynamic\" divides replicas by each cluster's available \
                 capacity, and none is known for {} feed and cluster pair(s) ({first}), which \
                 would get 0 replicas.{} Set `capacity` on the cluster in the provider \
                 configuration, or use dividing_type = \"Static\" and subscriber weights.",
                unknown_capacity.len(),
                super::dynamic::unreadable_sentence(inventory),
            ),
        );
        return Err(diags);
    }
    for warning in warnings {
        diags.push(render_warning(warning));
    }
    diags.extend(super::no_effect::warnings(config, inventory, result));
    let mut rendered = summarise(result, markers, diags);
    rendered.availability = super::dynamic::shown(config, result);
    if with_hub {
        // Feeds found on the hub stay the hub's: only feeds passed by value are written.
        let by_value: Vec<_> = input
            .manifests
            .iter()
            .filter(|m| !hub_feed_identities.contains(&m.identity))
            .cloned()
            .collect();
        let charts_by_key = config.charts_by_key();
        let charts_by_value: Vec<_> = input
            .helm_charts
            .iter()
            .filter(|c| {
                !charts_by_key.contains(&(c.metadata.namespace.clone(), c.metadata.name.clone()))
            })
            .cloned()
            .collect();
        rendered.hub = Some(clusternet_model::hub::objects(
            result,
            &by_value,
            &charts_by_value,
            &chart_values,
        ));
    }
    Ok(Some(rendered))
}

/// Whether the override `passed` (an element of `overrides`) is `source`'s.
fn names(passed: &OverrideRef, source: &clusternet_model::provenance::OverrideSource) -> bool {
    passed.id().is_some_and(|id| {
        id.kind == source.kind && id.namespace == source.namespace && id.name == source.name
    })
}

/// A render warning as a diagnostic, on the attribute it is about.
fn render_warning(warning: &clusternet_model::provenance::Warning) -> Diagnostic {
    let (summary, attribute, hint) = match warning.code {
        WarningCode::ReplicaTie => (
            "Replica split is a tie",
            "subscriber",
            "Give the subscribers different weights, or use a replica count that divides \
             evenly.",
        ),
        WarningCode::Tie => (
            "Override order is a tie",
            "overrides",
            "Clusternet's order is not deterministic here; the provider ordered by name. Give \
             the overrides different priorities.",
        ),
        WarningCode::OverrideMatchedNothing => (
            "Override matches nothing",
            "overrides",
            "It changes no object of this subscription: check its feed and, for a \
             Globalization, its cluster_affinity.",
        ),
        WarningCode::PatchSkipped => (
            "Patch skipped: path missing",
            "overrides",
            "Clusternet skips a JSON patch whole when one of its paths is missing, silently; \
             the object is deployed without it. Use `add` or fix the path.",
        ),
        WarningCode::ChartNotFound => ("Chart not found", "feeds", ""),
        WarningCode::ClusterTainted => (
            "Cluster not selected because of a taint",
            "toleration",
            "Add a toleration to select it.",
        ),
        WarningCode::UnknownAvailability => (
            "Cluster capacity unknown",
            "dividing_type",
            "Dynamic dividing counts it as 0 available replicas.",
        ),
        WarningCode::DividingSkipped => ("Replicas not divided", "feeds", ""),
    };
    let detail = if hint.is_empty() {
        format!("{}.", warning.message)
    } else {
        format!("{}. {hint}", warning.message)
    };
    Diagnostic::warning(summary, detail).at(AttributePath::root().attr(attribute))
}

/// A rendered object whose JSON does not read back: a bug of the render engine, reported
/// rather than leaving the object out of the plan.
#[derive(Debug, thiserror::Error)]
#[error("the rendered {object} for cluster {cluster} is not JSON: {source}")]
pub struct UnreadableObject {
    /// The cluster.
    pub cluster: String,
    /// The object, `apiVersion/Kind [namespace/]name`.
    pub object: String,
    /// The parser's error.
    pub source: serde_json::Error,
}

impl ToDiagnostic for UnreadableObject {
    fn to_diagnostic(&self) -> Diagnostic {
        Diagnostic::error(
            "Rendered object unreadable",
            format!("{self}. This is a bug of the provider; please report it."),
        )
    }
}

/// The plan's view of a subscription's render.
pub(crate) fn summarise(
    result: &SubscriptionRender,
    markers: &SecretMarkers,
    warnings: Diagnostics,
) -> Rendered {
    let redact = |value: &str| markers.marker(value);
    let descriptions = clusternet_model::preview::preview_redacted(result, &redact);
    let mut objects = BTreeMap::new();
    let mut binding_clusters = Vec::new();
    for cluster in &result.clusters {
        binding_clusters.push(cluster.cluster_name.clone());
        let texts = cluster
            .objects
            .iter()
            .map(|o| (o.identity.clone(), o.json.clone()))
            .collect();
        objects.insert(cluster.cluster_name.clone(), texts);
    }
    binding_clusters.sort();
    let mut replicas = BTreeMap::new();
    if let Some(per_feed) = &result.subscription.status.replicas {
        for (feed_key, counts) in per_feed {
            for (binding, count) in result
                .subscription
                .status
                .binding_clusters
                .iter()
                .zip(counts)
            {
                let cluster = result
                    .clusters
                    .iter()
                    .find(|c| &c.binding == binding)
                    .map(|c| c.cluster_name.clone())
                    .unwrap_or_else(|| binding.clone());
                replicas.insert(format!("{cluster}/{}", feed_key.0), i64::from(*count));
            }
        }
    }
    Rendered {
        binding_clusters,
        replicas,
        spec_hash: result.subscription.status.spec_hash.to_string(),
        descriptions,
        objects: ObjectTexts(objects),
        warnings,
        hub: None,
        availability: None,
    }
}

/// Per cluster, the rendered objects' JSON text with their identity.
#[derive(Default)]
pub struct ObjectTexts(BTreeMap<String, Vec<(Arc<ObjectIdentity>, String)>>);

impl ObjectTexts {
    /// Whether `cluster` has a rendering.
    pub fn contains(&self, cluster: &str) -> bool {
        self.0.contains_key(cluster)
    }

    /// The objects, read. Clusters mostly share their renderings, so each distinct text is
    /// parsed once.
    pub fn parsed(&self) -> Result<BTreeMap<String, Vec<Json>>, UnreadableObject> {
        let mut read: HashMap<&str, Json> = HashMap::new();
        let mut parsed = BTreeMap::new();
        for (cluster, texts) in &self.0 {
            let mut objects = Vec::with_capacity(texts.len());
            for (identity, text) in texts {
                let object = match read.get(text.as_str()) {
                    Some(object) => object.clone(),
                    None => {
                        let object = clusternet_model::json::parse(text).map_err(|source| {
                            UnreadableObject {
                                cluster: cluster.clone(),
                                object: identity.describe_versioned(),
                                source,
                            }
                        })?;
                        read.insert(text, object.clone());
                        object
                    }
                };
                objects.push(object);
            }
            parsed.insert(cluster.clone(), objects);
        }
        Ok(parsed)
    }
}

/// Adds the templated objects of the rendered charts to `rendered.descriptions`, Secret
/// values shown by `markers`.
pub async fn template_charts(
    config: &SubscriptionConfig,
    inventory: &ProviderConfig,
    rendered: &mut Rendered,
    markers: &SecretMarkers,
) -> Diagnostics {
    let indices = config.chart_feed_indices();
    let feed_index =
        |ns: &str, name: &str| indices.get(&(ns.to_string(), name.to_string())).copied();
    let redact = |value: &str| markers.marker(value);
    let (entries, diags) =
        charts::plan::templated_entries(inventory, &rendered.descriptions, &feed_index, &redact)
            .await;
    rendered.descriptions.extend(entries);
    diags
}

#[cfg(test)]
mod object_texts_tests {
    use super::*;

    fn texts(entries: &[(&str, &str)]) -> ObjectTexts {
        let identity: Arc<ObjectIdentity> =
            Arc::new("v1/ConfigMap/web/settings".parse().expect("key"));
        let mut map: BTreeMap<String, Vec<(Arc<ObjectIdentity>, String)>> = BTreeMap::new();
        for (cluster, text) in entries {
            map.entry(cluster.to_string())
                .or_default()
                .push((identity.clone(), text.to_string()));
        }
        ObjectTexts(map)
    }

    #[test]
    fn shared_and_own_renderings_read_back_per_cluster() {
        let shared = r#"{"data":{"color":"blue"}}"#;
        let own = r#"{"data":{"color":"green"}}"#;
        let parsed = texts(&[("eu-1", shared), ("eu-2", shared), ("us-1", own)])
            .parsed()
            .expect("JSON");
        assert_eq!(parsed["eu-1"], parsed["eu-2"]);
        assert_eq!(parsed["us-1"][0]["data"]["color"], "green");
        assert!(texts(&[]).parsed().expect("nothing").is_empty());
    }

    #[test]
    fn an_unreadable_rendering_names_its_cluster_and_object() {
        let e = texts(&[("eu-1", "{}"), ("us-1", "{not json")])
            .parsed()
            .unwrap_err()
            .to_string();
        assert!(e.contains("us-1") && e.contains("ConfigMap"), "{e}");
    }
}
