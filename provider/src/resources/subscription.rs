//! `clusternet_subscription`: which clusters get which feeds. Its plan renders, per cluster,
//! exactly what Clusternet would (bound clusters, replica split, overrides), and shows the
//! result as `descriptions`; its apply deploys that to the clusters.
//!
//! The rendering is a pure function of the configuration, the feeds and overrides passed by
//! value, and the provider's cluster inventory (DESIGN.md §5), so the plan made during apply
//! is the plan made before it.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use clusternet_model::render::{RenderInput, SubscriptionRender};
use clusternet_tfplugin::provider::{
    ApplyRequest, ApplyResponse, PlanRequest, PlanResponse, ReadRequest, ReadResponse,
};
use clusternet_tfplugin::{
    Attribute, AttributePath, Block, BlockNesting, Diagnostic, Diagnostics, NestedBlock, Schema,
    Type, Value,
};
use serde_json::{Value as Json, json};

use crate::attrs::{self, Field};
use crate::charts;
use crate::config::{Deployer, ProviderConfig};
use crate::hub_inputs;
use crate::pending_overrides::{self, PendingOverrides, PlannedSubscription};
use crate::selector;
use crate::snapshot::HubSnapshot;
use crate::targets;
use clusternet_model::identity::ObjectIdentity;
use clusternet_model::preview::PreviewKey;

/// Type name.
pub const TYPE_NAME: &str = "clusternet_subscription";

/// `spec_hash` recorded when the hub could not be written: the next plan shows the change.
const HUB_NOT_WRITTEN: &str = "(hub not written)";

/// The schema.
pub fn schema() -> Schema {
    let mut subscriber = NestedBlock::new(
        "subscriber",
        BlockNesting::List,
        Block::new(
            "A group of clusters, selected by labels.",
            vec![Attribute::optional("weight", Type::Number).describe(
                "Weight of this group when replicas are divided statically (default 0: \
                 Clusternet's static dividing counts only weighted subscribers).",
            )],
        )
        .with_block(selector::block(
            "cluster_affinity",
            "The clusters of this group. An empty block selects every cluster.",
        )),
    );
    subscriber.min_items = 1;
    let toleration = NestedBlock::new(
        "toleration",
        BlockNesting::List,
        Block::new(
            "A toleration of cluster taints.",
            vec![
                Attribute::optional("key", Type::String).describe("Taint key; empty matches all."),
                Attribute::optional("operator", Type::String)
                    .describe("`Equal` (default) or `Exists`."),
                Attribute::optional("value", Type::String).describe("Taint value."),
                Attribute::optional("effect", Type::String)
                    .describe("`NoSchedule`, `PreferNoSchedule`, `NoExecute`, or empty for all."),
            ],
        ),
    );
    Schema::new(
        Block::new(
            "A Clusternet **Subscription**: sends feeds to the clusters its subscribers select, \
             replicated or with replicas divided between them. The plan shows every cluster's \
             rendered objects in `descriptions`; apply deploys them (directory targets get \
             files) and prunes what left.",
            vec![
                Attribute::required("name", Type::String).describe("Subscription name."),
                Attribute::optional("namespace", Type::String)
                    .with_computed()
                    .describe("Subscription namespace (default `default`)."),
                Attribute::optional("scheduling_strategy", Type::String)
                    .with_computed()
                    .describe(
                        "`Replication` (default: every selected cluster gets every feed) or \
                         `Dividing` (replicas of workloads are divided).",
                    ),
                Attribute::optional("dividing_type", Type::String)
                    .with_computed()
                    .describe(
                        "With `Dividing`: `Static` (by subscriber weights, the default) or \
                         `Dynamic`. Null with `Replication`.",
                    ),
                Attribute::required("feeds", Type::list(Type::String))
                    .sensitive()
                    .describe(
                        "Feeds by value (`clusternet_manifest.x.feed`, \
                         `clusternet_secret.x.feed`, `clusternet_helm_chart.x.feed`), in order. \
                         A feed key `<apiVersion>/<Kind>/<namespace>/<name>` names a feed on the \
                         hub (a Manifest the shadow API stored, or a HelmChart), looked up in \
                         the hub snapshot; the provider never writes or deletes it. Sensitive, \
                         so that a Secret's values never show; the rendered objects are in \
                         `descriptions`.",
                    ),
                Attribute::optional("overrides", Type::list(Type::String)).describe(
                    "Localizations and Globalizations by value (`clusternet_localization.x.ref`). \
                     Passing them here orders the graph and makes changes to them show in this \
                     plan. With a hub, the overrides of these feeds found on the hub apply \
                     too (a value passed here wins over the hub copy of the same name); one \
                     changed in this run but not passed takes effect at the next apply, with a \
                     warning.",
                ),
                Attribute::computed("id", Type::String).describe("`<namespace>/<name>`."),
                Attribute::computed("binding_clusters", Type::list(Type::String))
                    .describe("The clusters the subscription is bound to, sorted."),
                Attribute::computed("replicas", Type::map(Type::Number)).describe(
                    "Replicas per cluster and workload feed, keyed `<cluster>/<feed key>` \
                     (dividing only).",
                ),
                Attribute::computed("spec_hash", Type::String)
                    .describe("Clusternet's specHash of the subscription."),
                Attribute::computed("descriptions", Type::map(Type::String)).describe(
                    "The preview: every rendered object of every cluster, keyed \
                     `<cluster>/<apiVersion>/<Kind>/<namespace>/<name>`, as compact JSON with \
                     sorted keys. Secret values are replaced by salted hashes. A HelmChart \
                     feed shows as `<cluster>/helm/<chart namespace>/<chart name>` (the chart \
                     as overridden for the cluster, and its values) and, when the chart can be \
                     fetched at plan time, the objects `helm template` makes of it as \
                     `<cluster>/helm/<release>/<apiVersion>/<Kind>/<namespace>/<name>`.",
                ),
                Attribute::computed("releases", Type::map(Type::String)).describe(
                    "Helm releases per cluster, keyed `<cluster>/<namespace>/<release>`: \
                     `<status>/<revision>` as helm reports it (e.g. `deployed/3`), or \
                     `written` for a directory target. Unknown in a plan that installs or \
                     upgrades the release.",
                ),
            ],
        )
        .with_block(subscriber)
        .with_block(toleration),
    )
}

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
    /// Per cluster, the objects to deploy (secrets included).
    pub objects: BTreeMap<String, Vec<Json>>,
    /// Warnings from rendering.
    pub warnings: Diagnostics,
    /// What to write to the hub (only rendered for apply, when a hub takes the objects).
    pub hub: Option<clusternet_model::hub::HubObjects>,
}

impl Rendered {
    /// The rendering as the values of the attributes `binding_clusters`, `replicas`,
    /// `spec_hash` and `descriptions` (shared by the resource and `clusternet_render`).
    pub(crate) fn attribute_values(&self) -> [(&'static str, Value); 4] {
        let strings = |items: &BTreeMap<String, String>| {
            Value::Map(
                items
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
                    .collect(),
            )
        };
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
            ("descriptions", strings(&self.descriptions)),
        ]
    }
}

/// Where feeds given by key are looked up.
#[derive(Clone, Copy)]
enum FeedLookup<'a> {
    /// Validation: no provider configuration yet, the check waits for the plan.
    Offline,
    /// No hub is configured: a feed by key is an error.
    NoHub,
    /// The hub snapshot's Manifests and HelmCharts.
    Hub(&'a HubSnapshot),
}

/// Builds the Subscription object from configuration; `None` when something is unknown.
/// Feeds given by key are resolved with `lookup`; the hub objects found come after the
/// subscription and the feeds passed by value.
fn subscription_object(
    config: &Value,
    lookup: FeedLookup<'_>,
    diags: &mut Diagnostics,
) -> Option<(Json, Vec<String>)> {
    let root = AttributePath::root();
    let name = attrs::string(config, "name").known()?;
    let namespace = match attrs::string(config, "namespace") {
        Field::Known(ns) => ns,
        Field::Null => "default".to_string(),
        Field::Unknown => return None,
    };
    let strategy = match attrs::string(config, "scheduling_strategy") {
        Field::Null => "Replication".to_string(),
        Field::Unknown => return None,
        Field::Known(s) if s == "Replication" || s == "Dividing" => s,
        Field::Known(s) => {
            diags.error_at(
                root.clone().attr("scheduling_strategy"),
                "Invalid scheduling strategy",
                format!("scheduling_strategy = {s:?}: use Replication or Dividing."),
            );
            return None;
        }
    };
    let dividing_type = match attrs::string(config, "dividing_type") {
        Field::Null => "Static".to_string(),
        Field::Unknown => return None,
        Field::Known(s) if s == "Static" || s == "Dynamic" => s,
        Field::Known(s) => {
            diags.error_at(
                root.clone().attr("dividing_type"),
                "Invalid dividing type",
                format!("dividing_type = {s:?}: use Static or Dynamic."),
            );
            return None;
        }
    };
    let mut subscribers = Vec::new();
    let mut unknown = false;
    if let Field::Known(items) = attrs::elements(config, "subscriber") {
        for (i, item) in items.iter().enumerate() {
            let path = root.clone().attr("subscriber").index(i as i64);
            let weight = match attrs::integer(item, "weight") {
                Field::Null => 0,
                Field::Unknown => {
                    unknown = true;
                    0
                }
                Field::Known(Ok(w)) if (0..=i32::MAX as i64).contains(&w) => w,
                Field::Known(w) => {
                    let shown = w.map_or_else(|s| s, |w| w.to_string());
                    diags.error_at(
                        path.clone().attr("weight"),
                        "Invalid weight",
                        format!("weight = {shown}: use a whole number, 0 or more."),
                    );
                    0
                }
            };
            let mut subscriber = json!({"weight": weight});
            if let Some(affinity) = selector::parse_at(item, "cluster_affinity", &path, diags) {
                subscriber["clusterAffinity"] =
                    serde_json::to_value(affinity).expect("selectors serialise");
            }
            subscribers.push(subscriber);
        }
    }
    let mut tolerations = Vec::new();
    if let Field::Known(items) = attrs::elements(config, "toleration") {
        for item in items {
            let mut t = serde_json::Map::new();
            for (attr, field) in [
                ("key", "key"),
                ("operator", "operator"),
                ("value", "value"),
                ("effect", "effect"),
            ] {
                match attrs::string(item, attr) {
                    Field::Known(v) => {
                        t.insert(field.to_string(), Json::String(v));
                    }
                    Field::Unknown => unknown = true,
                    Field::Null => {}
                }
            }
            tolerations.push(Json::Object(t));
        }
    }
    let feeds = match attrs::string_list(config, "feeds") {
        Field::Known(feeds) => feeds,
        _ => return None,
    };
    let overrides = match attrs::string_list(config, "overrides") {
        Field::Known(o) => o,
        Field::Null => Vec::new(),
        Field::Unknown => return None,
    };
    if unknown || diags.has_errors() {
        return None;
    }
    let mut spec_feeds = Vec::new();
    let mut feed_objects = Vec::new();
    let mut chart_values = Vec::new();
    let mut hub_feeds = Vec::new();
    for (i, feed) in feeds.iter().enumerate() {
        let path = root.clone().attr("feeds").index(i as i64);
        if feed.trim_start().starts_with('{') {
            match clusternet_model::json::parse(feed)
                .map_err(|e| e.to_string())
                .and_then(|o| super::feed::identity_of(&o).map(|id| (o, id)))
            {
                Ok((mut object, identity)) => {
                    spec_feeds.push(feed_ref(&identity));
                    chart_values.extend(clusternet_model::hub::chart_values::take(&mut object));
                    feed_objects.push(object);
                }
                Err(e) => diags.error_at(path, "Invalid feed", format!("{e}.")),
            }
        } else {
            match feed.parse::<ObjectIdentity>() {
                Ok(identity) => {
                    spec_feeds.push(feed_ref(&identity));
                    match lookup {
                        FeedLookup::Offline => {}
                        FeedLookup::Hub(hub) => match hub_feed(hub, &identity) {
                            Some(object) => hub_feeds.push(object.clone()),
                            None => diags.error_at(
                                path,
                                "Feed not found on the hub",
                                format!(
                                    "Feed {} is given by key, and the hub holds no {} for it \
                                     (looked up in the hub snapshot taken when this run \
                                     started). Create it on the hub through Clusternet's \
                                     shadow API, or pass the feed by value \
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
                        FeedLookup::NoHub => diags.error_at(
                            path,
                            "Feed not found",
                            format!(
                                "Feed {} is given by key, so it must exist on the hub, and no \
                                 hub is configured. Pass the feed by value instead \
                                 (clusternet_manifest.<name>.feed).",
                                identity
                            ),
                        ),
                    }
                }
                Err(e) => diags.error_at(path, "Invalid feed", e.to_string()),
            }
        }
    }
    if diags.has_errors() {
        return None;
    }
    let mut spec = json!({
        "schedulingStrategy": strategy,
        "subscribers": subscribers,
        "feeds": spec_feeds,
    });
    if strategy == "Dividing" {
        spec["dividingScheduling"] = json!({"type": dividing_type});
    }
    if !tolerations.is_empty() {
        spec["clusterTolerations"] = Json::Array(tolerations);
    }
    let subscription = json!({
        "apiVersion": "apps.clusternet.io/v1alpha1",
        "kind": "Subscription",
        "metadata": {"name": name, "namespace": namespace},
        "spec": spec,
    });
    let mut objects = vec![subscription];
    objects.extend(feed_objects);
    objects.extend(hub_feeds);
    for (i, text) in overrides.iter().enumerate() {
        match clusternet_model::json::parse(text) {
            Ok(o) if o.is_object() => objects.push(o),
            _ => diags.error_at(
                root.clone().attr("overrides").index(i as i64),
                "Invalid override reference",
                "Pass `ref` of a clusternet_localization or clusternet_globalization.",
            ),
        }
    }
    objects.extend(chart_values);
    let texts = objects
        .iter()
        .map(clusternet_model::json::to_compact)
        .collect();
    Some((Json::Array(objects), texts))
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

fn feed_ref(identity: &ObjectIdentity) -> Json {
    let mut feed = json!({
        "apiVersion": identity.api_version,
        "kind": identity.kind,
        "name": identity.name,
    });
    if let Some(namespace) = &identity.namespace {
        feed["namespace"] = Json::String(namespace.clone());
    }
    feed
}

/// A cluster of the inventory as the ManagedCluster the render engine selects from (the
/// `clusternet_render` data source builds its clusters with this too).
pub(crate) fn managed_cluster(
    name: &str,
    namespace: &str,
    labels: &BTreeMap<String, String>,
    taints: &[crate::config::TaintConfig],
) -> Json {
    let taints: Vec<Json> = taints
        .iter()
        .map(|t| json!({"key": t.key, "value": t.value, "effect": t.effect}))
        .collect();
    json!({
        "apiVersion": "clusters.clusternet.io/v1beta1",
        "kind": "ManagedCluster",
        "metadata": {"name": name, "namespace": namespace, "labels": labels},
        "spec": {
            "clusterId": clusternet_model::naming::uid(&["cluster", name]),
            "syncMode": "Push",
            "taints": taints,
        },
    })
}

/// Renders the subscription of `config` against the inventory. `Ok(None)`: something it
/// depends on is unknown until apply.
pub fn render(config: &Value, inventory: &ProviderConfig) -> Result<Option<Rendered>, Diagnostics> {
    render_with(config, inventory, false)
}

/// [`render`], with the hub objects when `with_hub` (apply only: the plan never needs them).
fn render_with(
    config: &Value,
    inventory: &ProviderConfig,
    with_hub: bool,
) -> Result<Option<Rendered>, Diagnostics> {
    let mut diags = Diagnostics::new();
    let lookup = match (&inventory.snapshot, inventory.has_unknowns) {
        (Some(snapshot), _) => FeedLookup::Hub(snapshot),
        (None, true) => FeedLookup::Offline,
        (None, false) => FeedLookup::NoHub,
    };
    let objects = subscription_object(config, lookup, &mut diags);
    if diags.has_errors() {
        return Err(diags);
    }
    let Some((Json::Array(objects), _)) = objects else {
        return Ok(None);
    };
    if inventory.has_unknowns {
        return Ok(None);
    }
    let feeds = hub_inputs::spec_feeds(&objects[0]);
    let passed = hub_inputs::passed_overrides(&objects);
    let hub_feeds = hub_inputs::hub_feed_identities(&objects);
    let chart_values: Vec<Json> = objects
        .iter()
        .filter(|o| clusternet_model::hub::chart_values::is_chart_values(o))
        .cloned()
        .collect();
    let mut input = RenderInput::default();
    for cluster in inventory.clusters.values() {
        input
            .add_object(managed_cluster(
                &cluster.name,
                &cluster.namespace,
                &cluster.labels,
                &cluster.taints,
            ))
            .expect("managed clusters are well-formed");
    }
    let subscription_name = objects[0]["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let subscription_ns = objects[0]["metadata"]["namespace"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    for object in objects {
        if let Err(e) = input.add_object(object) {
            diags.push(Diagnostic::error(
                "Invalid subscription input",
                format!("{e}."),
            ));
            return Err(diags);
        }
    }
    if let Some(snapshot) = &inventory.snapshot {
        diags.extend(hub_inputs::add_hub_overrides(
            &mut input, snapshot, inventory, &feeds, &passed,
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
        s.subscription.metadata.name == subscription_name
            && s.subscription.metadata.namespace == subscription_ns
    }) else {
        diags.push(Diagnostic::error(
            "Subscription not rendered",
            "The render engine produced no result for this subscription; this is a bug.",
        ));
        return Err(diags);
    };
    diags.extend(hub_inputs::check_deployable(result, inventory));
    if diags.has_errors() {
        return Err(diags);
    }
    for warning in output.warnings.iter().chain(result.warnings.iter()) {
        diags.push(render_warning(warning));
    }
    let mut rendered = summarise(result, &subscription_ns, &subscription_name, diags);
    if with_hub {
        // Feeds found on the hub stay the hub's: only feeds passed by value are written.
        let by_value: Vec<_> = input
            .manifests
            .iter()
            .filter(|m| !hub_feeds.contains(&m.identity))
            .cloned()
            .collect();
        let charts_by_key = charts_by_key(config);
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

/// The HelmChart feeds given by key (`(namespace, name)`): the hub's, never written back.
fn charts_by_key(config: &Value) -> BTreeSet<(String, String)> {
    let feeds = attrs::string_list(config, "feeds")
        .known()
        .unwrap_or_default();
    feeds
        .iter()
        .filter(|f| !f.trim_start().starts_with('{'))
        .filter_map(|f| f.parse::<ObjectIdentity>().ok())
        .filter(|identity| identity.kind == "HelmChart")
        .map(|identity| (identity.namespace.unwrap_or_default(), identity.name))
        .collect()
}

/// A render warning as a diagnostic, on the attribute it is about.
fn render_warning(warning: &clusternet_model::provenance::Warning) -> Diagnostic {
    use clusternet_model::provenance::WarningCode;
    let (summary, attribute, hint) = match warning.code {
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

pub(crate) fn summarise(
    result: &SubscriptionRender,
    ns: &str,
    name: &str,
    warnings: Diagnostics,
) -> Rendered {
    let salt = format!("{ns}/{name}");
    let redact = |value: &str| secret_marker(&salt, value);
    let descriptions = clusternet_model::preview::preview_redacted(result, &redact);
    let mut objects = BTreeMap::new();
    let mut binding_clusters = Vec::new();
    for cluster in &result.clusters {
        binding_clusters.push(cluster.cluster_name.clone());
        objects.insert(
            cluster.cluster_name.clone(),
            cluster
                .objects
                .iter()
                .filter_map(|o| clusternet_model::json::parse(&o.json).ok())
                .collect(),
        );
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
        objects,
        warnings,
        hub: None,
    }
}

/// A stable stand-in for a secret value: the same value gives the same marker (so changes
/// show as diffs), and the value cannot be read back.
fn secret_marker(salt: &str, value: &str) -> String {
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(format!("{salt}\0{value}").as_bytes());
    let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!("(sensitive value, sha256:{hex})")
}

fn computed_state(base: &Value, rendered: Option<&Rendered>) -> Value {
    let mut entries = base.as_entries().cloned().unwrap_or_default();
    let name = attrs::string(base, "name").known();
    let namespace = match attrs::string(base, "namespace") {
        Field::Known(ns) => Some(ns),
        Field::Null => Some("default".to_string()),
        Field::Unknown => None,
    };
    entries.insert(
        "id".into(),
        match (namespace, name) {
            (Some(ns), Some(n)) => format!("{ns}/{n}").into(),
            _ => Value::unknown(),
        },
    );
    match rendered {
        Some(r) => {
            for (attr, value) in r.attribute_values() {
                entries.insert(attr.into(), value);
            }
        }
        None => {
            for attr in [
                "binding_clusters",
                "replicas",
                "spec_hash",
                "descriptions",
                "releases",
            ] {
                entries.insert(attr.into(), Value::unknown());
            }
        }
    }
    Value::Object(entries)
}

/// Offline checks.
pub fn validate(config: &Value) -> Diagnostics {
    let mut diags = Diagnostics::new();
    subscription_object(config, FeedLookup::Offline, &mut diags);
    diags
}

/// Index in `feeds` of each HelmChart feed, by (chart namespace, chart name).
fn chart_feed_indices(config: &Value) -> BTreeMap<(String, String), usize> {
    let feeds = attrs::string_list(config, "feeds")
        .known()
        .unwrap_or_default();
    feeds
        .iter()
        .enumerate()
        .filter_map(|(i, feed)| {
            let object = clusternet_model::json::parse(feed).ok()?;
            let identity = ObjectIdentity::of(&object).ok()?;
            let namespace = identity.namespace.unwrap_or_else(|| "default".to_string());
            (identity.kind == "HelmChart").then_some(((namespace, identity.name), i))
        })
        .collect()
}

/// The salt of secret markers: the subscription's `<namespace>/<name>`.
fn salt_of(config: &Value) -> String {
    let name = attrs::string(config, "name").known().unwrap_or_default();
    let namespace = attrs::string(config, "namespace")
        .known()
        .unwrap_or_else(|| "default".to_string());
    format!("{namespace}/{name}")
}

/// Adds the templated objects of the rendered charts to `rendered.descriptions`.
async fn template_charts(
    config: &Value,
    inventory: &ProviderConfig,
    rendered: &mut Rendered,
) -> Diagnostics {
    let indices = chart_feed_indices(config);
    let feed_index =
        |ns: &str, name: &str| indices.get(&(ns.to_string(), name.to_string())).copied();
    let salt = salt_of(config);
    let redact = |value: &str| secret_marker(&salt, value);
    let (entries, diags) =
        charts::plan::templated_entries(inventory, &rendered.descriptions, &feed_index, &redact)
            .await;
    rendered.descriptions.extend(entries);
    diags
}

/// Sets the planned `releases` of `planned` (see [`charts::plan::planned_releases`]).
fn plan_releases(planned: &mut Value, prior_state: &Value, rendered: &Rendered) {
    let prior_releases = prior_state
        .get("releases")
        .and_then(Value::as_entries)
        .cloned()
        .unwrap_or_default();
    let releases = charts::plan::planned_releases(
        &descriptions_of(prior_state),
        &prior_releases,
        &rendered.descriptions,
    );
    if let Value::Object(entries) = planned {
        entries.insert("releases".into(), releases_value(releases));
    }
}

/// `releases` as state holds it: null for a subscription without charts (as an imported
/// state has it), else the map.
fn releases_value(releases: BTreeMap<String, Value>) -> Value {
    if releases.is_empty() {
        Value::Null
    } else {
        Value::Map(releases)
    }
}

/// What the next-apply warning needs to know of this subscription's plan.
fn planned_subscription(
    config: &Value,
    rendered: &Rendered,
    inventory: &ProviderConfig,
) -> Option<PlannedSubscription> {
    let mut ignored = Diagnostics::new();
    let (Json::Array(objects), _) = subscription_object(config, FeedLookup::Offline, &mut ignored)?
    else {
        return None;
    };
    let meta = &objects[0]["metadata"];
    Some(PlannedSubscription {
        id: format!("{}/{}", meta["namespace"].as_str()?, meta["name"].as_str()?),
        feeds: hub_inputs::spec_feeds(&objects[0]),
        passed: hub_inputs::passed_overrides(&objects),
        namespaces: rendered
            .binding_clusters
            .iter()
            .filter_map(|c| inventory.clusters.get(c).map(|c| c.namespace.clone()))
            .collect(),
    })
}

/// Plans the rendering. With a hub, overrides changed by this run that the subscription
/// does not pass get a warning (see [`crate::pending_overrides`]).
pub async fn plan(
    req: PlanRequest,
    inventory: &ProviderConfig,
    pending: &Mutex<PendingOverrides>,
) -> PlanResponse {
    let mut response = PlanResponse::null(Diagnostics::new());
    response.requires_replace = vec![
        AttributePath::root().attr("name"),
        AttributePath::root().attr("namespace"),
    ];
    if req.proposed_new_state.is_null() {
        return response;
    }
    match render(&req.config, inventory) {
        Ok(mut rendered) => {
            if let Some(r) = &mut rendered {
                response.diagnostics.extend(r.warnings.clone());
                let diags = template_charts(&req.config, inventory, r).await;
                if diags.has_errors() {
                    response.diagnostics = diags;
                    return response;
                }
                response.diagnostics.extend(diags);
                if inventory.hub.is_some()
                    && let Some(planned) = planned_subscription(&req.config, r, inventory)
                {
                    let id = planned.id.clone();
                    let missed = pending
                        .lock()
                        .expect("pending overrides lock")
                        .subscription_planned(planned);
                    for override_id in missed {
                        response.diagnostics.extend(pending_overrides::warning(
                            &override_id,
                            &id,
                            "overrides",
                        ));
                    }
                }
            }
            let base = with_defaults(&req.proposed_new_state, &req.config, &req.prior_state);
            response.planned_state = computed_state(&base, rendered.as_ref());
            match (&rendered, &mut response.planned_state) {
                // Clusternet's controllers install the charts: no release is the provider's.
                (Some(_), Value::Object(entries)) if inventory.deployer == Deployer::Clusternet => {
                    entries.insert("releases".into(), Value::Null);
                }
                (Some(r), planned) => plan_releases(planned, &req.prior_state, r),
                (None, _) => {}
            }
        }
        Err(diags) => response.diagnostics = diags,
    }
    response
}

/// `state` with the defaults of the optional-and-computed attributes (`namespace`,
/// `scheduling_strategy`, `dividing_type`) where `config` leaves them unset: computed only to
/// hold the default (so that an imported state matches a configuration that writes the
/// default and one that leaves it out), never the prior value - except a `namespace` a state
/// from before it was computed holds as null, kept so that the subscription is not replaced.
fn with_defaults(state: &Value, config: &Value, prior: &Value) -> Value {
    let mut entries = state.as_entries().cloned().unwrap_or_default();
    let prior_namespace_null =
        !prior.is_null() && matches!(attrs::string(prior, "namespace"), Field::Null);
    if !attrs::string(config, "namespace").is_set() {
        let namespace = if prior_namespace_null {
            Value::Null
        } else {
            Value::from("default")
        };
        entries.insert("namespace".into(), namespace);
    }
    let strategy = attrs::string(config, "scheduling_strategy");
    if !strategy.is_set() {
        entries.insert("scheduling_strategy".into(), "Replication".into());
    }
    if !attrs::string(config, "dividing_type").is_set() {
        let dividing_type = match strategy {
            Field::Known(s) if s == "Dividing" => Value::from("Static"),
            Field::Unknown => Value::unknown(),
            _ => Value::Null,
        };
        entries.insert("dividing_type".into(), dividing_type);
    }
    Value::Object(entries)
}

/// The state of a subscription imported from the hub's Subscription `object`, with `feeds`
/// (each the `feed` of the imported `clusternet_manifest`, or a key) and `overrides` (each the
/// `ref` of an imported override), rendered exactly as plan renders it.
pub async fn imported_state(
    object: &Json,
    feeds: Vec<String>,
    overrides: Vec<String>,
    inventory: &ProviderConfig,
) -> Result<Value, Diagnostics> {
    use crate::import::state::{block_value, nested, non_empty};
    let schema = schema();
    let spec = &object["spec"];
    let strategy = spec["schedulingStrategy"].as_str().unwrap_or("Replication");
    let dividing_type = if strategy == "Dividing" {
        Value::from(
            spec.pointer("/dividingScheduling/type")
                .and_then(Json::as_str)
                .unwrap_or("Static"),
        )
    } else {
        Value::Null
    };
    let subscriber_block = nested(&schema.block, "subscriber");
    let subscribers = spec["subscribers"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|s| {
            let weight = match s["weight"].as_i64() {
                Some(w) if w != 0 => Value::from(w),
                _ => Value::Null,
            };
            let affinity = s
                .get("clusterAffinity")
                .filter(|a| a.is_object())
                .map_or(Value::Null, crate::selector::imported);
            block_value(
                subscriber_block,
                [("weight", weight), ("cluster_affinity", affinity)],
            )
        })
        .collect();
    let toleration_block = nested(&schema.block, "toleration");
    let tolerations = spec["clusterTolerations"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| {
            let text = |field: &str| {
                t.get(field)
                    .and_then(Json::as_str)
                    .map_or(Value::Null, Value::from)
            };
            block_value(
                toleration_block,
                [
                    ("key", text("key")),
                    ("operator", text("operator")),
                    ("value", text("value")),
                    ("effect", text("effect")),
                ],
            )
        })
        .collect();
    let list = |items: Vec<String>| Value::List(items.into_iter().map(Value::from).collect());
    let config = block_value(
        &schema.block,
        [
            ("name", non_empty(object["metadata"]["name"].as_str())),
            (
                "namespace",
                Value::from(
                    object["metadata"]["namespace"]
                        .as_str()
                        .unwrap_or("default"),
                ),
            ),
            ("scheduling_strategy", Value::from(strategy)),
            ("dividing_type", dividing_type),
            ("feeds", list(feeds)),
            (
                "overrides",
                if overrides.is_empty() {
                    Value::Null
                } else {
                    list(overrides)
                },
            ),
            ("subscriber", Value::List(subscribers)),
            ("toleration", Value::List(tolerations)),
        ],
    );
    match render(&config, inventory)? {
        Some(mut rendered) => {
            // A chart's objects are in the plan's preview: the import's too.
            let diags = template_charts(&config, inventory, &mut rendered).await;
            if diags.has_errors() {
                return Err(diags);
            }
            Ok(computed_state(&config, Some(&rendered)))
        }
        None => Err(Diagnostic::error(
            "Subscription cannot be rendered for import",
            "Part of the provider configuration is not known yet (e.g. a cluster endpoint from \
             another resource); import once it is known.",
        )
        .into()),
    }
}

/// Deploys the planned rendering to every bound cluster (in parallel, bounded by the
/// provider's `parallelism`) and removes what left. A cluster that fails keeps, in the new
/// state, the entries it had before, so the next plan shows it as still to do.
pub async fn apply(req: ApplyRequest, inventory: &ProviderConfig) -> ApplyResponse {
    if inventory.deployer == Deployer::Clusternet {
        return apply_through_clusternet(req, inventory).await;
    }
    let mut diagnostics = Diagnostics::new();
    let prior = descriptions_of(&req.prior_state);
    let prior_clusters = clusters_of(&req.prior_state);
    if req.planned_state.is_null() {
        // Destroy: remove everything this subscription deployed.
        let id = attrs::string(&req.prior_state, "id")
            .known()
            .unwrap_or_default();
        let prior_charts = charts::plan::chart_releases(&prior);
        let work = prior_clusters
            .iter()
            .map(|c| ClusterWork {
                cluster: c.clone(),
                objects: None,
                charts: charts::deploy::ChartWork {
                    install: Vec::new(),
                    uninstall: prior_charts
                        .iter()
                        .filter(|r| &r.cluster == c)
                        .cloned()
                        .collect(),
                },
            })
            .collect::<Vec<_>>();
        let outcome = run_per_cluster(inventory, &id, work, &prior, &mut diagnostics).await;
        let failed = outcome.failed();
        // Hub objects go after the children (DESIGN.md §7); a cluster not cleaned up keeps
        // them.
        let mut hub_failed = false;
        if let Some(hub) = crate::hub::target(inventory)
            && let Some((ns, name)) = id.split_once('/')
        {
            let kept = cluster_namespaces(inventory, &failed);
            let diags = crate::hub::remove_subscription(hub, ns, name, &kept).await;
            hub_failed = diags.has_errors();
            diagnostics.extend(diags);
        }
        let new_state = if failed.is_empty() && !hub_failed {
            Value::Null
        } else {
            keep_only(&req.prior_state, &prior, &failed)
        };
        return ApplyResponse {
            new_state,
            private: Vec::new(),
            diagnostics,
        };
    }
    let hub = crate::hub::target(inventory);
    let mut rendered = match render_with(&req.config, inventory, hub.is_some()) {
        Ok(Some(r)) => r,
        Ok(None) => {
            diagnostics.push(Diagnostic::error(
                "Subscription still unknown at apply",
                "Some input of this subscription is unknown during apply; this is a bug.",
            ));
            return ApplyResponse {
                new_state: req.prior_state,
                private: Vec::new(),
                diagnostics,
            };
        }
        Err(d) => {
            return ApplyResponse {
                new_state: req.prior_state,
                private: Vec::new(),
                diagnostics: d,
            };
        }
    };
    // The templated objects of charts were made at plan time (helm template); apply takes them
    // from the plan rather than fetching the charts again.
    let planned_descriptions = descriptions_of(&req.planned_state);
    rendered.descriptions.extend(
        planned_descriptions
            .iter()
            .filter(|(k, _)| k.parse::<PreviewKey>().is_ok_and(|k| k.is_templated()))
            .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string()))),
    );
    let mut planned = computed_state(&req.planned_state, Some(&rendered));
    if planned.get("descriptions") != req.planned_state.get("descriptions") {
        diagnostics.push(Diagnostic::error(
            "Rendering changed between plan and apply",
            "The subscription rendered differently during apply than in the plan; nothing was \
             deployed. Run terraform plan again.",
        ));
        return ApplyResponse {
            new_state: req.prior_state,
            private: Vec::new(),
            diagnostics,
        };
    }
    let id = attrs::string(&planned, "id").known().unwrap_or_default();
    let planned_releases = req
        .planned_state
        .get("releases")
        .and_then(Value::as_entries)
        .cloned()
        .unwrap_or_default();
    let chart_work = chart_work(&prior, &planned_descriptions, &planned_releases);
    let mut work: Vec<ClusterWork> = rendered
        .objects
        .iter()
        .map(|(c, objects)| ClusterWork {
            cluster: c.clone(),
            objects: Some(objects.clone()),
            charts: chart_work.get(c).cloned().unwrap_or_default(),
        })
        .collect();
    work.extend(
        prior_clusters
            .iter()
            .filter(|c| !rendered.objects.contains_key(*c))
            .map(|c| ClusterWork {
                cluster: c.clone(),
                objects: None,
                charts: chart_work.get(c).cloned().unwrap_or_default(),
            }),
    );
    let outcome = run_per_cluster(inventory, &id, work, &prior, &mut diagnostics).await;
    let failed = outcome.failed();
    let prior_releases = req
        .prior_state
        .get("releases")
        .and_then(Value::as_entries)
        .cloned()
        .unwrap_or_default();
    let releases = applied_releases(
        &planned_releases,
        &prior_releases,
        &outcome.installed,
        &failed,
    );
    let rollout = clusternet_model::hub::releases::Rollout {
        releases: releases
            .iter()
            .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
            .collect(),
        failed_namespaces: outcome
            .reasons
            .iter()
            .filter_map(|(c, reason)| {
                let namespace = inventory.clusters.get(c)?.namespace.clone();
                Some((namespace, reason.clone()))
            })
            .collect(),
        failed: outcome.reasons,
    };
    if let Value::Object(entries) = &mut planned {
        entries.insert("releases".into(), releases_value(releases));
    }
    // The hub records what was rolled out; a hub failure is a diagnostic and keeps what the
    // children got (the next apply writes the hub again, as every apply does).
    let mut hub_failed = false;
    if let (Some(hub), Some(objects)) = (hub, &rendered.hub) {
        let diags = crate::hub::apply_subscription(hub, objects, &rollout).await;
        hub_failed = diags.has_errors();
        diagnostics.extend(diags);
    }
    let mut new_state = if failed.is_empty() {
        planned
    } else {
        record_failures(&planned, &prior, &failed)
    };
    if hub_failed && let Value::Object(entries) = &mut new_state {
        // Recorded as not done, so that the next plan shows a change and apply retries.
        entries.insert("spec_hash".into(), HUB_NOT_WRITTEN.into());
    }
    ApplyResponse {
        new_state,
        private: Vec::new(),
        diagnostics,
    }
}

/// deployer = "clusternet": the Subscription and its feeds passed by value go to the hub
/// and Clusternet's controllers render and deploy; nothing is written to the children, and
/// the planned `descriptions` are the provider's prediction of what Clusternet renders.
/// Destroy removes the Subscription and the Manifests no other Subscription uses. A hub
/// failure keeps the prior state, so the next apply retries.
async fn apply_through_clusternet(req: ApplyRequest, inventory: &ProviderConfig) -> ApplyResponse {
    let respond = |new_state: Value, diagnostics: Diagnostics| ApplyResponse {
        new_state,
        private: Vec::new(),
        diagnostics,
    };
    let Some(hub) = &inventory.hub else {
        let diagnostics = Diagnostic::error(
            "The clusternet deployer needs a hub",
            "deployer = \"clusternet\" writes to the hub; configure `hub`.",
        )
        .into();
        return respond(req.prior_state, diagnostics);
    };
    if req.planned_state.is_null() {
        let id = attrs::string(&req.prior_state, "id")
            .known()
            .unwrap_or_default();
        let Some((ns, name)) = id.split_once('/') else {
            return respond(Value::Null, Diagnostics::new());
        };
        let diagnostics = crate::hub::remove_subscription(hub, ns, name, &[]).await;
        let new_state = if diagnostics.has_errors() {
            req.prior_state
        } else {
            Value::Null
        };
        return respond(new_state, diagnostics);
    }
    let mut rendered = match render_with(&req.config, inventory, true) {
        Ok(Some(r)) => r,
        Ok(None) => {
            let diagnostics = Diagnostic::error(
                "Subscription still unknown at apply",
                "Some input of this subscription is unknown during apply; this is a bug.",
            )
            .into();
            return respond(req.prior_state, diagnostics);
        }
        Err(d) => return respond(req.prior_state, d),
    };
    // The charts' templated objects were predicted at plan time; they are not re-fetched.
    rendered.descriptions.extend(
        descriptions_of(&req.planned_state)
            .iter()
            .filter(|(k, _)| k.parse::<PreviewKey>().is_ok_and(|k| k.is_templated()))
            .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string()))),
    );
    let planned = computed_state(&req.planned_state, Some(&rendered));
    if planned.get("descriptions") != req.planned_state.get("descriptions") {
        let diagnostics = Diagnostic::error(
            "Rendering changed between plan and apply",
            "The subscription rendered differently during apply than in the plan; nothing was \
             written. Run terraform plan again.",
        )
        .into();
        return respond(req.prior_state, diagnostics);
    }
    let mut diagnostics = match &rendered.hub {
        Some(objects) => crate::hub::apply_user_objects(hub, objects).await,
        None => Diagnostics::new(),
    };
    if diagnostics.has_errors() {
        return respond(req.prior_state, diagnostics);
    }
    if let (Some(timeout), Some(objects)) = (inventory.verify_timeout, &rendered.hub) {
        let clusters = inventory
            .clusters
            .values()
            .map(|c| (c.namespace.clone(), c.name.clone()))
            .collect();
        diagnostics.extend(
            crate::rendering_check::verify(
                hub,
                &objects.namespace,
                &objects.name,
                &objects.descriptions,
                &clusters,
                timeout,
            )
            .await,
        );
    }
    respond(planned, diagnostics)
}

/// What apply does in one cluster.
struct ClusterWork {
    cluster: String,
    /// The objects to deploy, or `None` to remove the subscription's objects.
    objects: Option<Vec<Json>>,
    /// Charts to install and uninstall (after the objects are deployed; before they are
    /// removed).
    charts: charts::deploy::ChartWork,
}

/// Per cluster, the charts whose release is planned unknown (to install or upgrade) and the
/// prior charts no longer planned (to uninstall).
fn chart_work(
    prior: &BTreeMap<String, Value>,
    planned: &BTreeMap<String, Value>,
    planned_releases: &BTreeMap<String, Value>,
) -> BTreeMap<String, charts::deploy::ChartWork> {
    let mut work: BTreeMap<String, charts::deploy::ChartWork> = BTreeMap::new();
    let planned_charts = charts::plan::chart_releases(planned);
    for release in &planned_charts {
        let settled = planned_releases
            .get(&release.release_key())
            .is_some_and(Value::is_known);
        if !settled {
            work.entry(release.cluster.clone())
                .or_default()
                .install
                .push(release.clone());
        }
    }
    for release in charts::plan::chart_releases(prior) {
        let key = release.release_key();
        if !planned_charts.iter().any(|p| p.release_key() == key) {
            work.entry(release.cluster.clone())
                .or_default()
                .uninstall
                .push(release);
        }
    }
    work
}

/// The `releases` after apply: what was installed now, what stayed settled, and for failed
/// clusters what they had before.
fn applied_releases(
    planned: &BTreeMap<String, Value>,
    prior: &BTreeMap<String, Value>,
    installed: &BTreeMap<String, String>,
    failed: &[String],
) -> BTreeMap<String, Value> {
    let in_failed = |key: &String| in_cluster(key, failed);
    let mut releases: BTreeMap<String, Value> = planned
        .iter()
        .filter(|(k, _)| !in_failed(k))
        .filter_map(|(k, v)| match installed.get(k) {
            Some(state) => Some((k.clone(), Value::from(state.as_str()))),
            None if v.is_known() => Some((k.clone(), v.clone())),
            None => None,
        })
        .collect();
    releases.extend(
        prior
            .iter()
            .filter(|(k, _)| in_failed(k))
            .map(|(k, v)| (k.clone(), v.clone())),
    );
    releases
}

/// What the deploy did in the clusters.
#[derive(Debug, Default)]
struct ClusterOutcomes {
    /// The clusters that failed, with the first error as the reason.
    reasons: BTreeMap<String, String>,
    /// The release states of the charts installed.
    installed: BTreeMap<String, String>,
}

impl ClusterOutcomes {
    /// The clusters that failed, sorted.
    fn failed(&self) -> Vec<String> {
        self.reasons.keys().cloned().collect()
    }
}

/// The dedicated namespaces of `clusters` (those still configured).
fn cluster_namespaces(inventory: &ProviderConfig, clusters: &[String]) -> Vec<String> {
    clusters
        .iter()
        .filter_map(|c| inventory.clusters.get(c))
        .map(|c| c.namespace.clone())
        .collect()
}

/// Deploys (`Some(objects)`) or removes (`None`) per cluster, concurrently, charts included;
/// returns the clusters that failed (with why) and the release states of the charts
/// installed.
async fn run_per_cluster(
    inventory: &ProviderConfig,
    subscription_id: &str,
    work: Vec<ClusterWork>,
    prior: &BTreeMap<String, Value>,
    diagnostics: &mut Diagnostics,
) -> ClusterOutcomes {
    let limit = std::sync::Arc::new(tokio::sync::Semaphore::new(inventory.parallelism.max(1)));
    let inventory = std::sync::Arc::new(inventory.clone());
    let mut tasks = tokio::task::JoinSet::new();
    for ClusterWork {
        cluster,
        objects,
        charts: chart_work,
    } in work
    {
        let previous = targets::references_in(&cluster, prior.keys().cloned());
        let limit = limit.clone();
        let inventory = inventory.clone();
        let id = subscription_id.to_string();
        tasks.spawn(async move {
            let _permit = limit.acquire_owned().await;
            let mut releases = BTreeMap::new();
            let diags = match objects {
                Some(objects) => {
                    let mut diags =
                        targets::deploy(&inventory, &id, &cluster, &objects, &previous).await;
                    if !diags.has_errors() {
                        let outcome =
                            charts::deploy::run(&inventory, &id, &cluster, chart_work).await;
                        releases = outcome.releases;
                        diags.extend(outcome.diagnostics);
                    }
                    diags
                }
                None => {
                    let outcome = charts::deploy::run(&inventory, &id, &cluster, chart_work).await;
                    let mut diags = outcome.diagnostics;
                    if !diags.has_errors() {
                        diags.extend(targets::remove(&inventory, &id, &cluster, &previous).await);
                    }
                    diags
                }
            };
            (cluster, diags, releases)
        });
    }
    let mut outcomes = ClusterOutcomes::default();
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok((cluster, diags, releases)) => {
                if let Some(error) = diags.iter().find(|d| d.is_error()) {
                    let reason = format!("{}: {}", error.summary, error.detail);
                    outcomes.reasons.insert(cluster, reason);
                }
                outcomes.installed.extend(releases);
                diagnostics.extend(diags);
            }
            Err(e) => diagnostics.push(Diagnostic::error(
                "A cluster task failed",
                format!("{e}; this is a bug."),
            )),
        }
    }
    outcomes
}

fn descriptions_of(state: &Value) -> BTreeMap<String, Value> {
    state
        .get("descriptions")
        .and_then(Value::as_entries)
        .cloned()
        .unwrap_or_default()
}

fn in_cluster(key: &str, clusters: &[String]) -> bool {
    key.split_once('/')
        .is_some_and(|(c, _)| clusters.iter().any(|f| f == c))
}

/// `planned`, with the entries of `failed` clusters as they were before.
fn record_failures(planned: &Value, prior: &BTreeMap<String, Value>, failed: &[String]) -> Value {
    let mut descriptions: BTreeMap<String, Value> = descriptions_of(planned)
        .into_iter()
        .filter(|(k, _)| !in_cluster(k, failed))
        .collect();
    descriptions.extend(
        prior
            .iter()
            .filter(|(k, _)| in_cluster(k, failed))
            .map(|(k, v)| (k.clone(), v.clone())),
    );
    with_descriptions(planned, descriptions)
}

/// `state` keeping only the entries of `failed` clusters (a destroy that did not finish).
fn keep_only(state: &Value, prior: &BTreeMap<String, Value>, failed: &[String]) -> Value {
    let descriptions = prior
        .iter()
        .filter(|(k, _)| in_cluster(k, failed))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    with_descriptions(state, descriptions)
}

fn with_descriptions(state: &Value, descriptions: BTreeMap<String, Value>) -> Value {
    let mut entries = state.as_entries().cloned().unwrap_or_default();
    entries.insert("descriptions".into(), Value::Map(descriptions));
    Value::Object(entries)
}

/// The clusters a state's descriptions cover.
fn clusters_of(state: &Value) -> Vec<String> {
    let mut clusters: Vec<String> = state
        .get("descriptions")
        .and_then(Value::as_entries)
        .map(|m| {
            m.keys()
                .filter_map(|k| k.split('/').next())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    clusters.sort();
    clusters.dedup();
    clusters
}

/// Reads: directory targets report the files as they are now (drift shows as a diff).
pub async fn read(req: ReadRequest, inventory: &ProviderConfig) -> ReadResponse {
    if inventory.deployer == Deployer::Clusternet {
        // Clusternet's controllers deploy: the children are theirs to keep in line.
        return ReadResponse {
            new_state: req.current_state,
            private: req.private,
            diagnostics: Diagnostics::new(),
        };
    }
    let mut state = req.current_state.clone();
    let id = attrs::string(&state, "id").known().unwrap_or_default();
    if let Some(descriptions) = state
        .get("descriptions")
        .and_then(Value::as_entries)
        .cloned()
    {
        let redact = |value: &str| secret_marker(&id, value);
        let live = targets::read(inventory, &id, &descriptions, &redact).await;
        let mut live: BTreeMap<String, Value> =
            live.into_iter().map(|(k, v)| (k, Value::from(v))).collect();
        let mut releases = state
            .get("releases")
            .and_then(Value::as_entries)
            .cloned()
            .unwrap_or_default();
        charts::drift::read(inventory, &mut live, &mut releases).await;
        charts::drift::read_objects(inventory, &mut live).await;
        charts::drift::read_files(inventory, &id, &mut live, &mut releases);
        if let Value::Object(entries) = &mut state {
            entries.insert("descriptions".into(), Value::Map(live));
            entries.insert("releases".into(), releases_value(releases));
        }
    }
    ReadResponse {
        new_state: state,
        private: req.private,
        diagnostics: Diagnostics::new(),
    }
}
