//! Hub writes with deployer = "provider" (DESIGN.md §3): the Clusternet objects a real hub
//! would hold for what the provider rendered and deployed - the Subscription, its feeds as
//! the shadow API stores them (Manifests in `clusternet-reserved`), and per bound cluster the
//! Base, the generated dividing Localizations and the Descriptions (`<base>-generic` for
//! plain objects, `<base>-helm` for charts) with their statuses and the HelmReleases of the
//! charts (`clusternet_model::hub`) - plus the user's Localizations and
//! Globalizations. Chart feeds passed by value are written as `HelmChart` objects (see
//! `clusternet_model::hub::charts`) with their `values` as the priority-0 Globalization they are in
//! Clusternet terms, with deployer = "clusternet" too.
//!
//! Everything here happens at apply: the plan never depends on it. Objects are written with
//! server-side apply, the fixed field manager and force (they are ours), stamped with the
//! subscription's identity so that objects that left the rendering are pruned and destroy
//! removes exactly ours.
//!
//! The Subscription's `status` (bindingClusters, replicas, specHash, desiredReleases) and,
//! with deployer = "provider", the HelmCharts' `status.phase: Found` are written through
//! their status subresources, which a plain apply ignores. The objects keep
//! Clusternet's labels but not its finalizers (no controller would ever remove them), and
//! owner references point at the live Bases.

use std::collections::{BTreeMap, BTreeSet};

use clusternet_deploy::apply::ApplyOptions;
use clusternet_deploy::cluster::Cluster;
use clusternet_deploy::connection::Timeouts;
use clusternet_deploy::error::ObjectError;
use clusternet_deploy::ownership::{Ownership, SUBS_NAMESPACE, SUBS_UID};
use clusternet_model::feeds::RESERVED_NAMESPACE;
use clusternet_model::hub::chart_values;
use clusternet_model::hub::charts::{feed_objects, found_status};
use clusternet_model::hub::releases::{self, Rollout};
use clusternet_model::hub::{HubObjects, KINDS};
use clusternet_model::identity::ObjectIdentity;
use clusternet_model::types::APPS_API_VERSION as APPS;
use clusternet_tfplugin::{Diagnostic, Diagnostics};
use serde_json::{Value as Json, json};

use crate::config::{Connection, Deployer, ProviderConfig};
use crate::targets::connection_config;

/// Marks every hub object of one subscription (the feeds' Manifests excepted: they are
/// shared between subscriptions).
fn subscription_owner(namespace: &str, name: &str) -> Ownership {
    let uid = clusternet_model::naming::uid(&["Subscription", namespace, name]);
    Ownership {
        description: format!("terraform.{namespace}.{name}"),
        labels: BTreeMap::new(),
        annotations: BTreeMap::new(),
        record_last_applied: false,
    }
    .with_label(SUBS_NAMESPACE, namespace)
    .with_label(SUBS_UID, uid)
}

/// Marks feeds' Manifests and HelmCharts and override objects written by the provider.
fn shared_owner() -> Ownership {
    Ownership {
        description: "terraform".to_string(),
        labels: BTreeMap::new(),
        annotations: BTreeMap::new(),
        record_last_applied: false,
    }
}

/// Marks the Globalizations holding charts' `values` (see [`chart_values`]): not users'
/// overrides, so neither the snapshot nor import takes them for one.
fn chart_values_owner() -> Ownership {
    Ownership {
        description: chart_values::HUB_MARK.to_string(),
        labels: BTreeMap::new(),
        annotations: BTreeMap::new(),
        record_last_applied: false,
    }
}

/// The hub, when the provider renders and writes the rendering to it (deployer =
/// "provider").
pub fn target(inventory: &ProviderConfig) -> Option<&Connection> {
    match (&inventory.hub, inventory.deployer) {
        (Some(hub), Deployer::Provider) => Some(hub),
        _ => None,
    }
}

/// The hub, when users' override objects are written to it (any deployer).
pub fn override_target(inventory: &ProviderConfig) -> Option<&Connection> {
    inventory.hub.as_ref()
}

fn hub_error(summary: impl Into<String>, detail: impl Into<String>) -> Diagnostics {
    Diagnostic::error(summary, detail).into()
}

async fn connect(connection: &Connection) -> Result<Cluster, Diagnostics> {
    Cluster::connect("hub", &connection_config(connection), Timeouts::default())
        .await
        .map_err(|e| {
            hub_error(
                "Hub: cannot connect",
                format!("{e}. Check the `hub` credentials in the provider configuration."),
            )
        })
}

/// Fails with a diagnostic naming the first Clusternet CRD of `kinds` the hub does not serve.
async fn check_crds(hub: &Cluster, kinds: &[&str]) -> Result<(), Diagnostics> {
    for (kind, crd) in KINDS.iter().filter(|(k, _)| kinds.contains(k)) {
        let probe = ObjectIdentity::new(APPS, *kind, Some("default"), "probe");
        match hub.resolve(&probe).await {
            Ok(_) => {}
            Err(ObjectError::UnknownKind { .. }) => {
                return Err(hub_error(
                    format!("Hub: Clusternet CRD {crd} is not installed"),
                    format!(
                        "The hub does not serve {APPS} {kind}, so the provider cannot write \
                         its Clusternet objects there. Install Clusternet's CRDs on the hub \
                         (the manifests/crds directory of github.com/clusternet/clusternet, \
                         e.g. `kubectl apply -f manifests/crds/` from a checkout, or by \
                         installing clusternet-hub), or remove `hub` from the provider \
                         configuration. The child clusters were deployed."
                    ),
                ));
            }
            Err(e) => {
                return Err(hub_error(
                    "Hub: cannot be reached",
                    format!(
                        "{e}. The child clusters were deployed; the next apply retries the hub."
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Creates the namespaces that do not exist yet (never takes over existing ones).
async fn ensure_namespaces(
    hub: &Cluster,
    namespaces: impl IntoIterator<Item = String>,
) -> Result<(), Diagnostics> {
    let mut missing = Vec::new();
    for ns in namespaces {
        let reference = ObjectIdentity::new("v1", "Namespace", None, ns.clone());
        match hub.get(&reference).await {
            Ok(Some(_)) => {}
            Ok(None) => missing.push(json!({
                "apiVersion": "v1",
                "kind": "Namespace",
                "metadata": {"name": ns},
            })),
            Err(e) => return Err(hub_error("Hub: cannot read namespaces", format!("{e}."))),
        }
    }
    if missing.is_empty() {
        return Ok(());
    }
    let report = hub.apply(missing, &ApplyOptions::default()).await;
    report_errors("Hub: cannot create namespaces", &report)
}

fn report_errors(
    summary: &str,
    report: &clusternet_deploy::apply::ApplyReport,
) -> Result<(), Diagnostics> {
    let errors: Vec<String> = report.errors().map(ToString::to_string).collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(hub_error(
            summary,
            format!(
                "{}. The child clusters were deployed; the next apply retries the hub.",
                errors.join("; ")
            ),
        ))
    }
}

fn forced(owner: &Ownership) -> ApplyOptions {
    ApplyOptions {
        ownership: Some(owner.clone()),
        force: true,
        ..ApplyOptions::default()
    }
}

/// Points the owner references of `object` (by Base name) at the live Base's uid.
fn relink(mut object: Json, base_uids: &BTreeMap<String, String>) -> Json {
    if let Some(refs) = object
        .pointer_mut("/metadata/ownerReferences")
        .and_then(Json::as_array_mut)
    {
        refs.retain_mut(|r| {
            let name = r["name"].as_str().unwrap_or_default().to_string();
            match base_uids.get(&name) {
                Some(uid) => {
                    r["uid"] = Json::String(uid.clone());
                    true
                }
                None => false,
            }
        });
    }
    object
}

fn probes(namespace: Option<&str>) -> Vec<ObjectIdentity> {
    ["Base", "Localization", "Description", "HelmRelease"]
        .into_iter()
        .map(|kind| ObjectIdentity::new(APPS, kind, namespace, "-"))
        .collect()
}

/// Writes a subscription's hub objects, with the statuses of its Descriptions and
/// HelmReleases after `rollout`, and prunes those that left it (never those of a cluster
/// whose deploy failed). Errors are returned as diagnostics; nothing here touches the child
/// clusters.
pub async fn apply_subscription(
    connection: &Connection,
    objects: &HubObjects,
    rollout: &Rollout,
) -> Diagnostics {
    match apply_subscription_inner(connection, objects, rollout).await {
        Ok(()) => Diagnostics::new(),
        Err(d) => d,
    }
}

async fn apply_subscription_inner(
    connection: &Connection,
    objects: &HubObjects,
    rollout: &Rollout,
) -> Result<(), Diagnostics> {
    let hub = connect(connection).await?;
    let mut kinds = kinds_written(
        objects,
        &[
            "Subscription",
            "Manifest",
            "Base",
            "Localization",
            "Description",
        ],
    );
    if !objects.helm_releases.is_empty() {
        kinds.push("HelmRelease");
    }
    check_crds(&hub, &kinds).await?;
    let previous_feeds = subscription_feeds(&hub, &objects.namespace, &objects.name).await?;
    let mut namespaces: BTreeSet<String> = objects.cluster_namespaces.clone();
    namespaces.extend(feed_namespaces(objects));
    ensure_namespaces(&hub, namespaces).await?;

    let owner = subscription_owner(&objects.namespace, &objects.name);
    // The feeds first, as on a real hub, then the Subscription and its Bases.
    write_feeds(&hub, objects, true).await?;
    let mut first = vec![objects.subscription.clone()];
    first.extend(objects.bases.iter().cloned());
    let report = hub.apply(first, &forced(&owner)).await;
    report_errors("Hub: Subscription or Bases not written", &report)?;
    write_status(&hub, objects).await?;
    let base_uids: BTreeMap<String, String> = report
        .outcomes
        .iter()
        .filter_map(|o| {
            let reference = o.reference.as_ref()?;
            let applied = o.result.as_ref().ok()?;
            (reference.kind == "Base").then(|| (reference.name.clone(), applied.uid.clone()))
        })
        .collect();
    let second: Vec<Json> = objects
        .localizations
        .iter()
        .chain(&objects.descriptions)
        .map(|o| relink(o.clone(), &base_uids))
        .collect();
    let mut description_uids = BTreeMap::new();
    if !second.is_empty() {
        let report = hub.apply(second.clone(), &forced(&owner)).await;
        report_errors("Hub: Localizations or Descriptions not written", &report)?;
        description_uids = applied_uids(&report, "Description");
    }
    let releases = write_rollout(&hub, objects, rollout, &owner, &description_uids).await?;

    // Prune what left: clusters no longer bound, Localizations no longer generated, charts
    // no longer in a Description. A cluster whose deploy failed keeps its objects.
    let mut desired: Vec<ObjectIdentity> = objects
        .bases
        .iter()
        .chain(&second)
        .chain(&releases)
        .filter_map(|o| ObjectIdentity::of(o).ok())
        .collect();
    let failed_namespaces: Vec<String> = rollout.failed_namespaces.keys().cloned().collect();
    let kept = kept_of_failed(&hub, &owner, &failed_namespaces).await?;
    mark_kept_failed(&hub, objects, rollout, &kept).await?;
    desired.extend(kept);
    let pruned = hub.prune(&desired, &probes(None), &owner).await;
    if !pruned.is_success() {
        return Err(hub_error(
            "Hub: pruning failed",
            format!("{pruned:?}. The next apply retries."),
        ));
    }
    // Feeds no longer used by any subscription.
    remove_unused_feeds(
        &hub,
        previous_feeds,
        &kept_feeds(objects),
        (&objects.namespace, &objects.name),
    )
    .await
}

/// The uids of the live objects of `kind` an apply wrote, by `<namespace>/<name>`.
fn applied_uids(
    report: &clusternet_deploy::apply::ApplyReport,
    kind: &str,
) -> BTreeMap<String, String> {
    report
        .outcomes
        .iter()
        .filter_map(|o| {
            let reference = o.reference.as_ref()?;
            let applied = o.result.as_ref().ok()?;
            let namespace = reference.namespace.as_deref().unwrap_or_default();
            (reference.kind == kind).then(|| {
                (
                    format!("{namespace}/{}", reference.name),
                    applied.uid.clone(),
                )
            })
        })
        .collect()
}

/// Writes the HelmReleases (owned by their live Descriptions), then the statuses of the
/// HelmReleases and Descriptions after `rollout`; returns the HelmReleases written.
async fn write_rollout(
    hub: &Cluster,
    objects: &HubObjects,
    rollout: &Rollout,
    owner: &Ownership,
    description_uids: &BTreeMap<String, String>,
) -> Result<Vec<Json>, Diagnostics> {
    let status_error = |what: &str, e: ObjectError| {
        hub_error(
            format!("Hub: {what} status not written"),
            format!("{e}. The child clusters were deployed; the next apply retries the hub."),
        )
    };
    let releases: Vec<Json> = objects
        .helm_releases
        .iter()
        .map(|r| {
            let namespace = r.object["metadata"]["namespace"]
                .as_str()
                .unwrap_or_default();
            (
                r,
                description_uids.get(&format!("{namespace}/{}", r.description)),
            )
        })
        .map(|(r, uid)| match uid {
            Some(uid) => releases::owned_by(r.object.clone(), &r.description, uid),
            None => r.object.clone(),
        })
        .collect();
    if !releases.is_empty() {
        let report = hub.apply(releases.clone(), &forced(owner)).await;
        report_errors("Hub: HelmReleases not written", &report)?;
    }
    for (release, object) in objects.helm_releases.iter().zip(&releases) {
        let Some(status) = rollout
            .releases
            .get(&release.release_key)
            .and_then(|state| releases::release_status(state))
        else {
            continue;
        };
        let reference = ObjectIdentity::of(object)
            .map_err(|e| hub_error("Hub: invalid HelmRelease", e.to_string()))?;
        hub.apply_status(&reference, &status)
            .await
            .map_err(|e| status_error("HelmRelease", e))?;
    }
    for description in &objects.rollouts {
        let reference = ObjectIdentity::new(
            APPS,
            "Description",
            Some(&description.namespace),
            &description.name,
        );
        let status = releases::description_status(description, rollout);
        hub.apply_status(&reference, &status)
            .await
            .map_err(|e| status_error("Description", e))?;
    }
    Ok(releases)
}

/// Sets `Failure` on the Descriptions of `kept` that this rendering no longer has (those it
/// has got their status from [`write_rollout`]).
async fn mark_kept_failed(
    hub: &Cluster,
    objects: &HubObjects,
    rollout: &Rollout,
    kept: &[ObjectIdentity],
) -> Result<(), Diagnostics> {
    for reference in kept.iter().filter(|r| r.kind == "Description") {
        let namespace = reference.namespace.as_deref().unwrap_or_default();
        let rendered = objects
            .rollouts
            .iter()
            .any(|d| d.namespace == namespace && d.name == reference.name);
        let Some(reason) = rollout.failed_namespaces.get(namespace) else {
            continue;
        };
        if rendered {
            continue;
        }
        hub.apply_status(reference, &releases::failure_status(reason))
            .await
            .map_err(|e| {
                hub_error(
                    "Hub: Description status not written",
                    format!("{e}. The next apply retries the hub."),
                )
            })?;
    }
    Ok(())
}

/// The subscription's objects in the dedicated namespaces of clusters whose deploy failed:
/// they stay on the hub as they were until the cluster is deployed again.
async fn kept_of_failed(
    hub: &Cluster,
    owner: &Ownership,
    namespaces: &[String],
) -> Result<Vec<ObjectIdentity>, Diagnostics> {
    let Some(selector) = owner.label_selector() else {
        return Ok(Vec::new());
    };
    let mut kept = Vec::new();
    for namespace in namespaces {
        for probe in probes(Some(namespace)) {
            let live = hub
                .list(APPS, &probe.kind, Some(namespace), Some(&selector))
                .await
                .map_err(|e| {
                    hub_error(
                        "Hub: cannot list a failed cluster's objects",
                        format!("{e}."),
                    )
                })?;
            kept.extend(live.iter().filter_map(|o| ObjectIdentity::of(o).ok()));
        }
    }
    Ok(kept)
}

/// `kinds`, with HelmChart and Globalization (the charts' values) when the subscription has
/// chart feeds to write.
fn kinds_written<'a>(objects: &HubObjects, kinds: &[&'a str]) -> Vec<&'a str> {
    let mut kinds = kinds.to_vec();
    if !objects.helm_charts.is_empty() {
        kinds.extend(["HelmChart", "Globalization"]);
    }
    kinds
}

/// The Globalization holding the values of the HelmChart `chart`.
fn chart_values_ref(chart: &ObjectIdentity) -> ObjectIdentity {
    ObjectIdentity::new(
        APPS,
        "Globalization",
        None,
        chart_values::globalization_name(
            chart.namespace.as_deref().unwrap_or_default(),
            &chart.name,
        ),
    )
}

/// Deletes the values Globalizations of `charts` the provider wrote (others are left alone).
async fn remove_chart_values(hub: &Cluster, charts: &[ObjectIdentity]) -> Result<(), Diagnostics> {
    let doomed: Vec<ObjectIdentity> = charts
        .iter()
        .filter(|c| c.kind == "HelmChart")
        .map(chart_values_ref)
        .collect();
    if doomed.is_empty() {
        return Ok(());
    }
    let report = hub.delete(&doomed, Some(&chart_values_owner()), 8).await;
    if report.is_success() {
        Ok(())
    } else {
        Err(hub_error(
            "Hub: removing the Globalizations of charts' values failed",
            format!("{report:?}. The next apply or destroy retries."),
        ))
    }
}

/// The namespaces of the Subscription and of its feeds' hub objects.
fn feed_namespaces(objects: &HubObjects) -> BTreeSet<String> {
    let mut namespaces =
        BTreeSet::from([objects.namespace.clone(), RESERVED_NAMESPACE.to_string()]);
    namespaces.extend(
        objects
            .helm_charts
            .iter()
            .filter_map(|c| c["metadata"]["namespace"].as_str().map(str::to_string)),
    );
    namespaces
}

/// The feed objects the subscription writes (they are kept when it is applied).
fn kept_feeds(objects: &HubObjects) -> BTreeSet<ObjectIdentity> {
    objects
        .manifests
        .iter()
        .chain(&objects.helm_charts)
        .filter_map(clusternet_model::hub::charts::reference)
        .collect()
}

/// Writes the feeds passed by value, as on a real hub before the Subscription that uses
/// them: Manifests, then HelmCharts. With `found` (deployer = "provider", where no
/// Clusternet controller verifies the charts) each HelmChart's status is set to `Found`.
async fn write_feeds(hub: &Cluster, objects: &HubObjects, found: bool) -> Result<(), Diagnostics> {
    if !objects.manifests.is_empty() {
        let report = hub
            .apply(objects.manifests.clone(), &forced(&shared_owner()))
            .await;
        report_errors("Hub: Manifests not written", &report)?;
    }
    if objects.helm_charts.is_empty() {
        return Ok(());
    }
    let report = hub
        .apply(objects.helm_charts.clone(), &forced(&shared_owner()))
        .await;
    report_errors("Hub: HelmCharts not written", &report)?;
    // The charts' values, as the priority-0 Globalizations they are in Clusternet terms; a
    // chart whose values were removed loses its Globalization.
    if !objects.chart_values.is_empty() {
        let report = hub
            .apply(objects.chart_values.clone(), &forced(&chart_values_owner()))
            .await;
        report_errors("Hub: Globalizations of charts' values not written", &report)?;
    }
    let without_values: Vec<ObjectIdentity> = objects
        .helm_charts
        .iter()
        .filter_map(clusternet_model::hub::charts::reference)
        .filter(|c| {
            let name = chart_values_ref(c).name;
            !objects
                .chart_values
                .iter()
                .any(|g| g["metadata"]["name"].as_str() == Some(name.as_str()))
        })
        .collect();
    remove_chart_values(hub, &without_values).await?;
    if !found {
        return Ok(());
    }
    for chart in &objects.helm_charts {
        let Some(reference) = clusternet_model::hub::charts::reference(chart) else {
            continue;
        };
        if let Err(e) = hub.apply_status(&reference, &found_status()).await {
            return Err(hub_error(
                "Hub: HelmChart status not written",
                format!("{e}. The child clusters were deployed; the next apply retries the hub."),
            ));
        }
    }
    Ok(())
}

/// deployer = "clusternet": writes only the user objects of a subscription - its feeds
/// passed by value (plain objects as the shadow API stores them, charts as HelmCharts), then
/// the Subscription - and removes the Manifests and HelmCharts of feeds it dropped. Bases, Descriptions and the children are left to
/// Clusternet's controllers.
pub async fn apply_user_objects(connection: &Connection, objects: &HubObjects) -> Diagnostics {
    let result = async {
        let hub = connect(connection).await?;
        check_crds(&hub, &kinds_written(objects, &["Subscription", "Manifest"])).await?;
        let previous_feeds = subscription_feeds(&hub, &objects.namespace, &objects.name).await?;
        ensure_namespaces(&hub, feed_namespaces(objects)).await?;
        // Clusternet's controller-manager verifies the charts and sets their status.
        write_feeds(&hub, objects, false).await?;
        let owner = subscription_owner(&objects.namespace, &objects.name);
        let report = hub
            .apply(vec![objects.subscription.clone()], &forced(&owner))
            .await;
        report_errors("Hub: Subscription not written", &report)?;
        remove_unused_feeds(
            &hub,
            previous_feeds,
            &kept_feeds(objects),
            (&objects.namespace, &objects.name),
        )
        .await
    }
    .await;
    result.err().unwrap_or_default()
}

/// Writes the Subscription's status through its status subresource; a CRD without one
/// (nothing to write to) is not an error.
async fn write_status(hub: &Cluster, objects: &HubObjects) -> Result<(), Diagnostics> {
    if objects
        .subscription_status
        .as_object()
        .is_none_or(serde_json::Map::is_empty)
    {
        return Ok(());
    }
    let reference = ObjectIdentity::new(
        APPS,
        "Subscription",
        Some(&objects.namespace),
        &objects.name,
    );
    match hub
        .apply_status(&reference, &objects.subscription_status)
        .await
    {
        Ok(written) => {
            tracing::debug!(written, "subscription status");
            Ok(())
        }
        Err(e) => Err(hub_error(
            "Hub: Subscription status not written",
            format!("{e}. The child clusters were deployed; the next apply retries the hub."),
        )),
    }
}

/// The hub objects of the feeds (Manifests, HelmCharts) of the live Subscription
/// `namespace/name` (none if absent).
async fn subscription_feeds(
    hub: &Cluster,
    namespace: &str,
    name: &str,
) -> Result<BTreeSet<ObjectIdentity>, Diagnostics> {
    let reference = ObjectIdentity::new(APPS, "Subscription", Some(namespace), name);
    match hub.get(&reference).await {
        Ok(Some(live)) => Ok(feed_objects(&live)),
        Ok(None) => Ok(BTreeSet::new()),
        Err(e) => Err(hub_error(
            "Hub: cannot read the Subscription",
            format!("{e}."),
        )),
    }
}

/// Deletes the feed objects (Manifests, HelmCharts) of `candidates` not in `kept` that no
/// other Subscription on the hub (other than `this`) uses and that the provider wrote (a
/// feed given by key is the hub's and carries no mark of the provider: never deleted).
async fn remove_unused_feeds(
    hub: &Cluster,
    candidates: BTreeSet<ObjectIdentity>,
    kept: &BTreeSet<ObjectIdentity>,
    this: (&str, &str),
) -> Result<(), Diagnostics> {
    let candidates: Vec<ObjectIdentity> = candidates
        .into_iter()
        .filter(|c| !kept.contains(c))
        .collect();
    if candidates.is_empty() {
        return Ok(());
    }
    let others = hub
        .list(APPS, "Subscription", None, None)
        .await
        .map_err(|e| hub_error("Hub: cannot list Subscriptions", format!("{e}.")))?;
    let used: BTreeSet<ObjectIdentity> = others
        .iter()
        .filter(|s| {
            (
                s["metadata"]["namespace"].as_str().unwrap_or_default(),
                s["metadata"]["name"].as_str().unwrap_or_default(),
            ) != this
        })
        .flat_map(feed_objects)
        .collect();
    let doomed: Vec<ObjectIdentity> = candidates
        .into_iter()
        .filter(|c| !used.contains(c))
        .collect();
    remove_chart_values(hub, &doomed).await?;
    let report = hub.delete(&doomed, Some(&shared_owner()), 8).await;
    if report.is_success() {
        Ok(())
    } else {
        Err(hub_error(
            "Hub: removing feeds (Manifests, HelmCharts) failed",
            format!("{report:?}. The next apply or destroy retries."),
        ))
    }
}

/// Removes a subscription's hub objects: Descriptions, Localizations, Bases, the Subscription,
/// and the Manifests and HelmCharts of its feeds that no other Subscription uses.
///
/// The objects in `kept_namespaces` (the dedicated namespaces of clusters whose removal
/// failed) stay, and with them the Subscription and its feeds, until a destroy succeeds.
pub async fn remove_subscription(
    connection: &Connection,
    namespace: &str,
    name: &str,
    kept_namespaces: &[String],
) -> Diagnostics {
    match remove_subscription_inner(connection, namespace, name, kept_namespaces).await {
        Ok(()) => Diagnostics::new(),
        Err(d) => d,
    }
}

async fn remove_subscription_inner(
    connection: &Connection,
    namespace: &str,
    name: &str,
    kept_namespaces: &[String],
) -> Result<(), Diagnostics> {
    let hub = connect(connection).await?;
    let feeds = subscription_feeds(&hub, namespace, name).await?;
    let owner = subscription_owner(namespace, name);
    let subscription = ObjectIdentity::new(APPS, "Subscription", Some(namespace), name);
    let mut previous = probes(None);
    previous.push(subscription.clone());
    let mut kept = kept_of_failed(&hub, &owner, kept_namespaces).await?;
    if !kept.is_empty() {
        kept.push(subscription);
    }
    let report = hub.prune(&kept, &previous, &owner).await;
    if !report.is_success() {
        return Err(hub_error(
            "Hub: removing the subscription's objects failed",
            format!("{report:?}. The next destroy retries."),
        ));
    }
    if !kept.is_empty() {
        return Ok(());
    }
    remove_unused_feeds(&hub, feeds, &BTreeSet::new(), (namespace, name)).await
}

/// Writes an override object (`ref` of a Localization or Globalization).
pub async fn apply_override(connection: &Connection, object: &Json) -> Diagnostics {
    let result = async {
        let hub = connect(connection).await?;
        let kind = object["kind"].as_str().unwrap_or_default();
        check_crds(&hub, &[kind]).await?;
        if let Some(ns) = object["metadata"]["namespace"].as_str() {
            ensure_namespaces(&hub, [ns.to_string()]).await?;
        }
        let report = hub
            .apply(vec![object.clone()], &forced(&shared_owner()))
            .await;
        report_errors(&format!("Hub: {kind} not written"), &report)
    }
    .await;
    result.err().unwrap_or_default()
}

/// Deletes an override object the provider wrote.
pub async fn remove_override(connection: &Connection, object: &Json) -> Diagnostics {
    let result = async {
        let hub = connect(connection).await?;
        let reference = ObjectIdentity::of(object)
            .map_err(|e| hub_error("Hub: invalid override in state", e.to_string()))?;
        let report = hub.delete(&[reference], Some(&shared_owner()), 1).await;
        if report.is_success() {
            Ok(())
        } else {
            Err(hub_error(
                "Hub: removing the override failed",
                format!("{report:?}. The next destroy retries."),
            ))
        }
    }
    .await;
    result.err().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use clusternet_model::hub::with_type;

    #[test]
    fn owner_references_point_at_live_bases_and_finalizers_go() {
        let object = with_type(
            json!({"metadata": {
                "name": "d",
                "finalizers": ["apps.clusternet.io/finalizer"],
                "ownerReferences": [
                    {"name": "app-abcde", "uid": "model-uid"},
                    {"name": "gone", "uid": "x"}
                ]
            }}),
            "Description",
        );
        assert_eq!(object["apiVersion"], APPS);
        assert!(object["metadata"].get("finalizers").is_none());
        let uids = BTreeMap::from([("app-abcde".to_string(), "live-uid".to_string())]);
        let linked = relink(object, &uids);
        assert_eq!(
            linked["metadata"]["ownerReferences"],
            json!([{"name": "app-abcde", "uid": "live-uid"}])
        );
    }
}
