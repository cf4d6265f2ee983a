//! The whole pipeline: Clusternet objects in, per Subscription the scheduling status,
//! Bases, dividing Localizations, Descriptions, provenance and warnings out.
//!
//! [`render`] is a pure function of its [`RenderInput`]: no clock, no randomness, no
//! dependence on the order objects were added (everything is keyed and sorted).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use serde_json::Value;

use crate::description::{self, chart_object};
use crate::error::Error;
use crate::feeds::{FeedIndex, Resolved};
use crate::identity::ObjectIdentity;
use crate::inventory;
use crate::overrides::ordering::{self, OverrideKind, OverrideObject};
use crate::overrides::{self, Buffer, PreparedOverride};
use crate::provenance::{AppliedOverride, Effect, Warning, WarningCode};
use crate::scheduling;
use crate::spec_hash::spec_hash;
use crate::types::{
    Base, ChartPhase, ChartReference, Description, FeedInventory, Localization, ManagedCluster,
    OverrideType, SchedulingStrategy, Subscription,
};

pub use crate::input::{AVAILABILITY_ANNOTATION, RenderInput};

/// The render result.
#[derive(Debug, Clone, Default)]
pub struct RenderOutput {
    /// One entry per Subscription, sorted by namespace/name.
    pub subscriptions: Vec<SubscriptionRender>,
    /// Warnings, sorted and de-duplicated (including every Subscription's).
    pub warnings: Vec<Warning>,
}

/// What one Subscription renders to.
#[derive(Debug, Clone)]
pub struct SubscriptionRender {
    /// The Subscription with CRD defaults and `status` filled in.
    pub subscription: Subscription,
    /// The FeedInventory used (given or detected); Dividing only.
    pub feed_inventory: Option<FeedInventory>,
    /// One entry per bound cluster, in `bindingClusters` order.
    pub clusters: Vec<ClusterRender>,
    /// Dynamic dividing: per feed key divided by availability in this rendering, each
    /// candidate cluster's availability (`"<namespace>/<name>"`).
    pub availability: BTreeMap<crate::types::FeedKey, BTreeMap<String, i64>>,
    /// Warnings about this Subscription.
    pub warnings: Vec<Warning>,
}

/// What one bound cluster gets.
#[derive(Debug, Clone)]
pub struct ClusterRender {
    /// `"<namespace>/<name>"`.
    pub binding: String,
    /// ManagedCluster name.
    pub cluster_name: String,
    /// Dedicated namespace.
    pub namespace: String,
    /// The Base.
    pub base: Base,
    /// Generated dividing Localizations.
    pub localizations: Vec<Localization>,
    /// `<base>-helm` and/or `<base>-generic` (none if a chart is `NotFound`).
    pub descriptions: Vec<Description>,
    /// Rendered plain objects with provenance, in `raw` order.
    pub objects: Vec<RenderedObject>,
    /// Rendered charts with provenance, in `charts` order.
    pub charts: Vec<RenderedChart>,
    /// Descriptions not produced because overrides failed on them (upstream:
    /// `FailedApplyingOverrides`); their objects or charts are not in `objects` / `charts`.
    pub failed: Vec<FailedDescription>,
}

/// A Description Clusternet would not produce for one cluster: applying overrides failed on
/// at least one of its objects or charts. Upstream (`ApplyOverridesToDescription`) tries
/// every object, collects the errors and then stops only this Description; the cluster's
/// other Description and the other clusters are rendered.
#[derive(Debug, Clone)]
pub struct FailedDescription {
    /// `namespace/name` of the Subscription.
    pub subscription: String,
    /// ManagedCluster name.
    pub cluster_name: String,
    /// `namespace/name` of the Description.
    pub description: String,
    /// One [`Error::Override`] per failing object or chart, in feed order.
    pub errors: Vec<Arc<Error>>,
}

impl FailedDescription {
    /// The failing overrides, with the object each failed on.
    pub fn override_errors(&self) -> impl Iterator<Item = (&str, &overrides::OverrideError)> {
        self.errors.iter().filter_map(|e| match e.as_ref() {
            Error::Override { object, source, .. } => Some((object.as_str(), source.as_ref())),
            _ => None,
        })
    }
}

impl std::fmt::Display for FailedDescription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Description {} (Subscription {}, cluster {}) is not rendered: ",
            self.description, self.subscription, self.cluster_name
        )?;
        for (i, error) in self.errors.iter().enumerate() {
            let text = error.to_string();
            // Each error starts with "Description <name>: "; the sentence already says it.
            let prefix = format!("Description {}: ", self.description);
            let text = text.strip_prefix(&prefix).unwrap_or(&text);
            write!(f, "{}{text}", if i == 0 { "" } else { "; " })?;
        }
        Ok(())
    }
}

impl RenderOutput {
    /// Every Description not produced because of failing overrides, by Subscription and
    /// cluster.
    pub fn failures(&self) -> impl Iterator<Item = &FailedDescription> {
        self.subscriptions
            .iter()
            .flat_map(SubscriptionRender::failures)
    }
}

impl SubscriptionRender {
    /// This Subscription's Descriptions not produced because of failing overrides.
    pub fn failures(&self) -> impl Iterator<Item = &FailedDescription> {
        self.clusters.iter().flat_map(|c| c.failed.iter())
    }
}

/// One rendered plain object.
#[derive(Debug, Clone)]
pub struct RenderedObject {
    /// Index of the Subscription feed it comes from.
    pub feed_index: usize,
    /// Identity of the feed object (before overrides).
    pub source: Arc<ObjectIdentity>,
    /// Identity after overrides (what is deployed); the same `Arc` when unchanged.
    pub identity: Arc<ObjectIdentity>,
    /// Compact, sorted-key JSON: `raw` of the Generic Description.
    pub json: String,
    /// Overrides in application order, with their effect.
    pub overrides: Vec<AppliedOverride>,
}

/// One rendered chart.
#[derive(Debug, Clone)]
pub struct RenderedChart {
    /// Index of the Subscription feed.
    pub feed_index: usize,
    /// Chart namespace.
    pub namespace: String,
    /// Chart name.
    pub name: String,
    /// Rendered values (`raw`; `" "` when no value overrides).
    pub values: String,
    /// Rendered HelmChart JSON (`chartRaw`).
    pub chart: String,
    /// Overrides in application order, with their effect.
    pub overrides: Vec<AppliedOverride>,
}

fn check_duplicates<'a>(kind: &str, names: impl Iterator<Item = String> + 'a) -> Result<(), Error> {
    let mut seen = BTreeSet::new();
    for name in names {
        if !seen.insert(name.clone()) {
            return Err(Error::Duplicate {
                object: format!("{kind} {name}"),
            });
        }
    }
    Ok(())
}

/// What an override object targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Target {
    Manifest(usize),
    Chart(usize),
}

struct Overrides {
    objects: Vec<OverrideObject>,
    /// Globalizations by target.
    global: HashMap<Target, Vec<usize>>,
    /// Localizations by namespace, then target.
    local: HashMap<String, HashMap<Target, Vec<usize>>>,
    /// Whether each object resolved its feed.
    resolved: Vec<bool>,
}

fn targets(index: &FeedIndex, feed: &crate::types::Feed) -> Vec<Target> {
    match index.resolve(feed) {
        Some(Resolved::Chart(c)) => vec![Target::Chart(c)],
        Some(Resolved::Manifests(found)) => found.into_iter().map(Target::Manifest).collect(),
        None => Vec::new(),
    }
}

impl Overrides {
    fn build(input: &RenderInput, index: &FeedIndex) -> Result<Self, Error> {
        let mut objects = Vec::new();
        for g in &input.globalizations {
            if let Some(selector) = &g.spec.cluster_affinity {
                selector
                    .validate()
                    .map_err(|source| Error::GlobalizationSelector {
                        name: g.metadata.name.clone(),
                        source,
                    })?;
            }
            objects.push(OverrideObject::new(
                OverrideKind::Globalization,
                &g.metadata,
                g.spec.priority,
                &g.spec.feed,
                g.spec.cluster_affinity.clone(),
                &g.spec.overrides,
                false,
            ));
        }
        for l in &input.localizations {
            objects.push(OverrideObject::new(
                OverrideKind::Localization,
                &l.metadata,
                l.spec.priority,
                &l.spec.feed,
                None,
                &l.spec.overrides,
                false,
            ));
        }
        // No global sort: `collect` orders each object's list with the full key.
        let mut resolved_feeds: HashMap<crate::types::Feed, Vec<Target>> = HashMap::new();
        let mut global: HashMap<Target, Vec<usize>> = HashMap::new();
        let mut local: HashMap<String, HashMap<Target, Vec<usize>>> = HashMap::new();
        let mut resolved = Vec::with_capacity(objects.len());
        for (i, object) in objects.iter().enumerate() {
            // Many override objects share a feed: resolve each distinct feed once.
            let found = resolved_feeds
                .entry(object.feed.clone())
                .or_insert_with(|| targets(index, &object.feed))
                .clone();
            resolved.push(!found.is_empty());
            for target in found {
                match object.kind {
                    OverrideKind::Globalization => global.entry(target).or_default().push(i),
                    OverrideKind::Localization => local
                        .entry(object.namespace.clone())
                        .or_default()
                        .entry(target)
                        .or_default()
                        .push(i),
                }
            }
        }
        Ok(Self {
            objects,
            global,
            local,
            resolved,
        })
    }
}

/// Per-cluster context while rendering.
struct ClusterScope<'a> {
    namespace: &'a str,
    /// Labels of every ManagedCluster in this namespace (Globalization affinity).
    labels: Vec<&'a crate::types::StringMap>,
    generated: &'a [(OverrideObject, Vec<Target>)],
}

/// A rendered object, reusable for every cluster with the same override objects.
struct Memo {
    json: String,
    identity: Arc<ObjectIdentity>,
    overrides: Vec<AppliedOverride>,
}

struct Renderer<'a> {
    /// Rendered objects by (feed object, override objects in order).
    memo: HashMap<(usize, Vec<usize>), Memo>,
    index: &'a FeedIndex,
    /// Shared identities of `index.manifests`.
    identities: Vec<Arc<ObjectIdentity>>,
    overrides: &'a Overrides,
    used: Vec<bool>,
    warnings: BTreeSet<Warning>,
}

fn same_identity(object: &Value, identity: &ObjectIdentity) -> bool {
    fn text(v: Option<&Value>) -> &str {
        v.and_then(Value::as_str).unwrap_or_default()
    }
    let meta = object.get("metadata");
    text(object.get("kind")) == identity.kind
        && text(meta.and_then(|m| m.get("name"))) == identity.name
        && text(meta.and_then(|m| m.get("namespace"))) == identity.namespace_or_empty()
        && text(object.get("apiVersion")) == identity.api_version
}

fn chart_protections() -> &'static [PreparedOverride] {
    static PROTECTIONS: std::sync::OnceLock<Vec<PreparedOverride>> = std::sync::OnceLock::new();
    PROTECTIONS.get_or_init(|| {
        [
            r#"[{"path":"/spec/chart","op":"remove"}]"#,
            r#"[{"path":"/spec/targetNamespace","op":"remove"}]"#,
        ]
        .into_iter()
        .map(PreparedOverride::builtin)
        .collect()
    })
}

impl<'a> Renderer<'a> {
    /// Override objects for `target` in this cluster, in application order, plus ties.
    fn collect<'s>(
        &mut self,
        scope: &'s ClusterScope<'s>,
        target: Target,
        what: &str,
    ) -> Vec<&'s OverrideObject>
    where
        'a: 's,
    {
        let objects = &self.overrides.objects;
        let mut globs: Vec<&'s OverrideObject> = Vec::new();
        if let Some(ids) = self.overrides.global.get(&target) {
            for &i in ids {
                let object = &objects[i];
                let applies = match &object.cluster_affinity {
                    None => true,
                    Some(selector) => scope.labels.iter().any(|labels| selector.matches(labels)),
                };
                if applies {
                    self.used[i] = true;
                    globs.push(object);
                }
            }
        }
        let mut locs: Vec<&'s OverrideObject> = Vec::new();
        if let Some(ids) = self
            .overrides
            .local
            .get(scope.namespace)
            .and_then(|by_target| by_target.get(&target))
        {
            for &i in ids {
                self.used[i] = true;
                locs.push(&objects[i]);
            }
        }
        for (object, targets) in scope.generated {
            if targets.contains(&target) {
                locs.push(object);
            }
        }
        let mut ties = ordering::order(&mut globs);
        ties.extend(ordering::order(&mut locs));
        for (first, second) in ties {
            self.warnings.insert(Warning::new(
                WarningCode::Tie,
                format!(
                    "{} and {} both override {what} with priority {} and creation timestamps in the same second-of-minute: \
                     upstream applies them in informer order; the preview applies {} first (earlier timestamp, then name)",
                    first.describe(),
                    second.describe(),
                    first.priority,
                    first.describe(),
                ),
            ));
        }
        globs.extend(locs);
        globs
    }

    fn provenance(
        prepared: &[&PreparedOverride],
        trace: &overrides::Trace,
    ) -> Vec<AppliedOverride> {
        prepared
            .iter()
            .zip(&trace.effects)
            .map(|(ov, (effect, detail))| AppliedOverride {
                source: ov.source.clone(),
                effect: *effect,
                detail: detail.clone(),
            })
            .collect()
    }

    fn warn_skipped(&mut self, applied: &[AppliedOverride], what: &str, namespace: &str) {
        for entry in applied
            .iter()
            .filter(|a| a.effect == Effect::SkippedMissingPath)
        {
            self.warnings.insert(Warning::new(
                WarningCode::PatchSkipped,
                format!(
                    "{}: JSON patch skipped entirely on {what} in namespace {namespace}: {}",
                    entry.source,
                    entry.detail.as_deref().unwrap_or("a path is missing")
                ),
            ));
        }
    }

    fn render_object(
        &mut self,
        scope: &ClusterScope<'_>,
        manifest: usize,
        feed_index: usize,
        description: &str,
    ) -> Result<RenderedObject, Error> {
        let stored = &self.index.manifests[manifest];
        let source = self.identities[manifest].clone();
        let what = stored.identity.describe();
        let list = self.collect(scope, Target::Manifest(manifest), &what);
        // The same override objects on the same feed object render the same result in every
        // cluster. Only lists made of Globalizations can repeat across clusters (a
        // Localization belongs to one cluster namespace), so only those are memoised.
        // Globalizations live in `self.overrides` for the whole render: their addresses
        // identify them.
        let shareable = list.iter().all(|o| o.kind == OverrideKind::Globalization);
        let key = shareable.then(|| {
            let ids: Vec<usize> = list
                .iter()
                .map(|o| *o as *const OverrideObject as usize)
                .collect();
            (manifest, ids)
        });
        if let Some(hit) = key.as_ref().and_then(|k| self.memo.get(k)) {
            let rendered = RenderedObject {
                feed_index,
                source,
                identity: hit.identity.clone(),
                json: hit.json.clone(),
                overrides: hit.overrides.clone(),
            };
            self.warn_skipped(&rendered.overrides, &what, scope.namespace);
            return Ok(rendered);
        }
        let prepared: Vec<&PreparedOverride> =
            list.iter().flat_map(|o| o.overrides.iter()).collect();
        let mut generic = Buffer::Json(stored.template.clone());
        let mut chart = Buffer::Blank(String::new());
        let trace =
            overrides::apply_overrides(&mut generic, &mut chart, &prepared).map_err(|source| {
                Error::Override {
                    description: format!("{}/{description}", scope.namespace),
                    object: what.clone(),
                    source: Box::new(source),
                }
            })?;
        let overrides = Self::provenance(&prepared, &trace);
        self.warn_skipped(&overrides, &what, scope.namespace);
        let identity = match generic.as_json() {
            Some(rendered) if !same_identity(rendered, &stored.identity) => {
                ObjectIdentity::of(rendered).map_or_else(|_| source.clone(), Arc::new)
            }
            _ => source.clone(),
        };
        let rendered = RenderedObject {
            feed_index,
            source,
            identity,
            json: generic.to_text(),
            overrides,
        };
        if let Some(key) = key {
            self.memo.insert(
                key,
                Memo {
                    json: rendered.json.clone(),
                    identity: rendered.identity.clone(),
                    overrides: rendered.overrides.clone(),
                },
            );
        }
        Ok(rendered)
    }

    fn render_chart(
        &mut self,
        scope: &ClusterScope<'_>,
        chart: usize,
        feed_index: usize,
        chart_json: &Value,
        description: &str,
    ) -> Result<RenderedChart, Error> {
        let meta = &self.index.charts[chart].metadata;
        let (namespace, name) = (meta.namespace.clone(), meta.name.clone());
        let what = format!("HelmChart {namespace}/{name}");
        let fail = |source| Error::Override {
            description: format!("{}/{description}", scope.namespace),
            object: what.clone(),
            source: Box::new(source),
        };
        let list = self.collect(scope, Target::Chart(chart), &what);
        let prepared: Vec<&PreparedOverride> =
            list.iter().flat_map(|o| o.overrides.iter()).collect();
        let mut values = Buffer::space();
        let mut patch = Buffer::space();
        let trace = overrides::apply_overrides(&mut values, &mut patch, &prepared).map_err(fail)?;
        let protections: Vec<&PreparedOverride> = chart_protections().iter().collect();
        overrides::apply_overrides(&mut patch, &mut Buffer::space(), &protections).map_err(fail)?;
        let merge = match patch {
            Buffer::Json(value) => vec![PreparedOverride::from_value(
                OverrideType::MergePatch,
                value,
            )],
            Buffer::Blank(_) => Vec::new(),
        };
        let merge: Vec<&PreparedOverride> = merge.iter().collect();
        let mut rendered = Buffer::Json(chart_json.clone());
        overrides::apply_overrides(&mut rendered, &mut Buffer::space(), &merge).map_err(fail)?;
        let overrides = Self::provenance(&prepared, &trace);
        self.warn_skipped(&overrides, &what, scope.namespace);
        Ok(RenderedChart {
            feed_index,
            namespace,
            name,
            values: values.to_text(),
            chart: rendered.to_text(),
            overrides,
        })
    }

    fn subscription(
        &mut self,
        mut sub: Subscription,
        clusters: &[ManagedCluster],
        by_namespace: &BTreeMap<&str, Vec<&crate::types::StringMap>>,
        chart_objects: &[Value],
        input: &RenderInput,
    ) -> Result<SubscriptionRender, Error> {
        let sub_name = sub.metadata.namespaced_name();
        let sub_uid = description::subscription_uid(&sub);
        sub.metadata.uid = sub_uid.clone();
        let mut resolved = Vec::with_capacity(sub.spec.feeds.len());
        for (index, feed) in sub.spec.feeds.iter().enumerate() {
            let found = self.index.resolve(feed).ok_or_else(|| Error::MissingFeed {
                subscription: sub_name.clone(),
                index,
                feed: feed.to_string(),
                kind: feed.kind.clone(),
            })?;
            resolved.push(found);
        }
        let inventory = (sub.spec.scheduling_strategy == SchedulingStrategy::Dividing).then(|| {
            input
                .feed_inventories
                .iter()
                .find(|f| f.metadata.namespaced_name() == sub_name)
                .cloned()
                .unwrap_or_else(|| inventory::detect(&sub, self.index))
        });
        let schedule = scheduling::schedule(
            &sub,
            clusters,
            inventory.as_ref(),
            scheduling::Capacity {
                availability: &input.availability,
                resources: &input.cluster_resources,
            },
        )
        .map_err(|source| Error::Scheduling {
            subscription: sub_name.clone(),
            source,
        })?;
        let mut warnings = schedule.warnings.clone();
        sub.status.binding_clusters = schedule.binding_clusters.clone();
        sub.status.replicas = schedule.replicas.clone();
        sub.status.spec_hash = spec_hash(&sub.spec);
        sub.status.desired_releases = schedule.binding_clusters.len();

        let not_found: Vec<String> = resolved
            .iter()
            .filter_map(|r| match r {
                Resolved::Chart(c) => Some(&self.index.charts[*c]),
                Resolved::Manifests(_) => None,
            })
            .filter(|c| c.status.as_ref().and_then(|s| s.phase) == Some(ChartPhase::NotFound))
            .map(|c| c.metadata.namespaced_name())
            .collect();
        if !not_found.is_empty() {
            warnings.push(Warning::new(
                WarningCode::ChartNotFound,
                format!(
                    "Subscription {sub_name}: HelmChart {} has status.phase NotFound: Clusternet renders no Description for this Subscription's Bases",
                    not_found.join(", ")
                ),
            ));
        }

        let mut rendered_clusters = Vec::with_capacity(schedule.cluster_indices.len());
        for (position, &ci) in schedule.cluster_indices.iter().enumerate() {
            let cluster = &clusters[ci];
            let base = description::base(&sub, &sub_uid, cluster);
            let mut localizations = Vec::new();
            let mut generated = Vec::new();
            if let (Some(inv), Some(replicas)) = (&inventory, &sub.status.replicas) {
                for order in inv
                    .spec
                    .feeds
                    .iter()
                    .filter(|o| o.desired_replicas.is_some())
                {
                    let key = order.feed.key();
                    let Some(list) = replicas.get(&key).filter(|l| !l.is_empty()) else {
                        continue;
                    };
                    if order.replica_json_path.is_empty() {
                        warnings.push(Warning::new(
                            WarningCode::DividingSkipped,
                            format!("FeedInventory {sub_name}: feed {key}: replicaJsonPath is unset (ReplicaJsonPathUnset); no replica Localization generated"),
                        ));
                        continue;
                    }
                    let Some(&n) = list.get(position) else {
                        continue;
                    };
                    let loc = description::dividing_localization(
                        &base,
                        &sub_uid,
                        &order.feed,
                        &order.replica_json_path,
                        n,
                    );
                    let object = OverrideObject::new(
                        OverrideKind::Localization,
                        &loc.metadata,
                        loc.spec.priority,
                        &loc.spec.feed,
                        None,
                        &loc.spec.overrides,
                        true,
                    );
                    generated.push((object, targets(self.index, &order.feed)));
                    localizations.push(loc);
                }
            }
            let namespace = cluster.metadata.namespace.as_str();
            let scope = ClusterScope {
                namespace,
                labels: by_namespace.get(namespace).cloned().unwrap_or_default(),
                generated: &generated,
            };
            let mut rendered = ClusterRender {
                binding: cluster.binding_name(),
                cluster_name: cluster.metadata.name.clone(),
                namespace: namespace.to_string(),
                base,
                localizations,
                descriptions: Vec::new(),
                objects: Vec::new(),
                charts: Vec::new(),
                failed: Vec::new(),
            };
            if not_found.is_empty() {
                let generic_name =
                    crate::naming::generic_description_name(&rendered.base.metadata.name);
                let helm_name = crate::naming::helm_description_name(&rendered.base.metadata.name);
                // Upstream renders every object of a Description, collecting errors, and
                // then fails only that Description.
                let (mut helm_errors, mut generic_errors) = (Vec::new(), Vec::new());
                for (feed_index, r) in resolved.iter().enumerate() {
                    match r {
                        Resolved::Chart(c) => {
                            match self.render_chart(
                                &scope,
                                *c,
                                feed_index,
                                &chart_objects[*c],
                                &helm_name,
                            ) {
                                Ok(chart) => rendered.charts.push(chart),
                                Err(e) => helm_errors.push(Arc::new(e)),
                            }
                        }
                        Resolved::Manifests(found) => {
                            for &m in found {
                                match self.render_object(&scope, m, feed_index, &generic_name) {
                                    Ok(object) => rendered.objects.push(object),
                                    Err(e) => generic_errors.push(Arc::new(e)),
                                }
                            }
                        }
                    }
                }
                let failed = |name: &str, errors| FailedDescription {
                    subscription: sub_name.clone(),
                    cluster_name: cluster.metadata.name.clone(),
                    description: format!("{namespace}/{name}"),
                    errors,
                };
                if !helm_errors.is_empty() {
                    rendered.charts.clear();
                    rendered.failed.push(failed(&helm_name, helm_errors));
                }
                if !generic_errors.is_empty() {
                    rendered.objects.clear();
                    rendered.failed.push(failed(&generic_name, generic_errors));
                }
                if !rendered.charts.is_empty() {
                    let refs = rendered
                        .charts
                        .iter()
                        .map(|c| ChartReference {
                            namespace: c.namespace.clone(),
                            name: c.name.clone(),
                        })
                        .collect();
                    let raw = rendered.charts.iter().map(|c| c.values.clone()).collect();
                    let chart_raw = rendered.charts.iter().map(|c| c.chart.clone()).collect();
                    rendered.descriptions.push(description::helm_description(
                        &rendered.base,
                        refs,
                        raw,
                        chart_raw,
                    ));
                }
                if !rendered.objects.is_empty() {
                    let raw = rendered.objects.iter().map(|o| o.json.clone()).collect();
                    rendered
                        .descriptions
                        .push(description::generic_description(&rendered.base, raw));
                }
            }
            rendered_clusters.push(rendered);
        }
        Ok(SubscriptionRender {
            subscription: sub,
            feed_inventory: inventory,
            clusters: rendered_clusters,
            availability: schedule.availability.clone(),
            warnings,
        })
    }
}

/// Render everything.
pub fn render(input: &RenderInput) -> Result<RenderOutput, Error> {
    check_duplicates(
        "ManagedCluster",
        input.clusters.iter().map(|c| c.binding_name()),
    )?;
    check_duplicates(
        "Subscription",
        input
            .subscriptions
            .iter()
            .map(|s| s.metadata.namespaced_name()),
    )?;
    check_duplicates(
        "HelmChart",
        input
            .helm_charts
            .iter()
            .map(|c| c.metadata.namespaced_name()),
    )?;
    check_duplicates(
        "Localization",
        input
            .localizations
            .iter()
            .map(|l| l.metadata.namespaced_name()),
    )?;
    check_duplicates(
        "Globalization",
        input.globalizations.iter().map(|g| g.metadata.name.clone()),
    )?;
    check_duplicates(
        "FeedInventory",
        input
            .feed_inventories
            .iter()
            .map(|f| f.metadata.namespaced_name()),
    )?;
    check_duplicates(
        "object",
        input
            .manifests
            .iter()
            .map(|m| format!("{} {}", m.identity.api_version, m.identity.describe())),
    )?;

    let index = FeedIndex::new(input.manifests.clone(), input.helm_charts.clone());
    let overrides = Overrides::build(input, &index)?;
    let mut clusters = input.clusters.clone();
    clusters.sort_by_key(|c| c.binding_name());
    let mut by_namespace: BTreeMap<&str, Vec<&crate::types::StringMap>> = BTreeMap::new();
    for c in &clusters {
        by_namespace
            .entry(&c.metadata.namespace)
            .or_default()
            .push(&c.metadata.labels);
    }
    let chart_objects: Vec<Value> = index.charts.iter().map(chart_object).collect();
    let mut subscriptions = input.subscriptions.clone();
    subscriptions.sort_by_key(|s| s.metadata.namespaced_name());

    let mut renderer = Renderer {
        memo: HashMap::new(),
        index: &index,
        identities: index
            .manifests
            .iter()
            .map(|m| Arc::new(m.identity.clone()))
            .collect(),
        overrides: &overrides,
        used: vec![false; overrides.objects.len()],
        warnings: BTreeSet::new(),
    };
    let mut results = Vec::with_capacity(subscriptions.len());
    for mut subscription in subscriptions {
        subscription.spec.apply_defaults();
        results.push(renderer.subscription(
            subscription,
            &clusters,
            &by_namespace,
            &chart_objects,
            input,
        )?);
    }

    for (i, object) in overrides.objects.iter().enumerate() {
        if renderer.used[i] {
            continue;
        }
        let message = if !overrides.resolved[i] {
            format!(
                "{}: spec.feed {} matches no feed object; its overrides apply to nothing",
                object.describe(),
                object.feed
            )
        } else if object.kind == OverrideKind::Localization {
            format!(
                "{}: matched no rendered object (namespace {} is not the dedicated namespace of a cluster bound to a Subscription with feed {})",
                object.describe(),
                object.namespace,
                object.feed
            )
        } else {
            format!(
                "{}: matched no rendered object (no bound cluster of a Subscription with feed {} matches its clusterAffinity)",
                object.describe(),
                object.feed
            )
        };
        renderer
            .warnings
            .insert(Warning::new(WarningCode::OverrideMatchedNothing, message));
    }
    for result in &results {
        renderer.warnings.extend(result.warnings.iter().cloned());
    }
    Ok(RenderOutput {
        subscriptions: results,
        warnings: renderer.warnings.into_iter().collect(),
    })
}
