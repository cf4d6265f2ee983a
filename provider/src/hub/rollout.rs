//! What a subscription's apply writes to the hub: the Subscription, its Bases, dividing
//! Localizations and Descriptions, the HelmReleases and their statuses, and the pruning of
//! what left.

use std::collections::{BTreeMap, BTreeSet};

use clusternet_deploy::cluster::Cluster;
use clusternet_deploy::error::ObjectError;
use clusternet_deploy::ownership::Ownership;
use clusternet_model::hub::HubObjects;
use clusternet_model::hub::releases::{self, Rollout};
use clusternet_model::identity::ObjectIdentity;
use clusternet_model::types::APPS_API_VERSION as APPS;
use clusternet_tfplugin::Diagnostics;
use serde_json::Value as Json;

use super::client::{
    check_crds, connect, ensure_namespaces, forced, hub_error, probes, report_errors,
    subscription_owner,
};
use super::feeds::{
    feed_namespaces, kept_feeds, remove_unused_feeds, subscription_feeds, write_feeds, write_status,
};
use crate::config::Connection;

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

pub(super) async fn apply_subscription_inner(
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
            format!("{pruned}. The next apply retries."),
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

/// Points the owner references of `object` (by Base name) at the live Base's uid.
pub(super) fn relink(mut object: Json, base_uids: &BTreeMap<String, String>) -> Json {
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

/// The uids of the live objects of `kind` an apply wrote, by `<namespace>/<name>`.
pub(super) fn applied_uids(
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
pub(super) async fn write_rollout(
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
pub(super) async fn mark_kept_failed(
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
pub(super) async fn kept_of_failed(
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
pub(super) fn kinds_written<'a>(objects: &HubObjects, kinds: &[&'a str]) -> Vec<&'a str> {
    let mut kinds = kinds.to_vec();
    if !objects.helm_charts.is_empty() {
        kinds.extend(["HelmChart", "Globalization"]);
    }
    kinds
}

#[cfg(test)]
mod tests {
    use super::*;
    use clusternet_model::hub::with_type;
    use serde_json::json;

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
