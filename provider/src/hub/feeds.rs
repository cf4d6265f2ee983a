//! Feeds on the hub: Manifests, HelmCharts and their values Globalizations, written for a
//! subscription and removed when no Subscription uses them any more.

use std::collections::BTreeSet;

use clusternet_deploy::cluster::Cluster;
use clusternet_model::feeds::RESERVED_NAMESPACE;
use clusternet_model::hub::HubObjects;
use clusternet_model::hub::chart_values;
use clusternet_model::hub::charts::{feed_objects, found_status};
use clusternet_model::identity::ObjectIdentity;
use clusternet_model::types::APPS_API_VERSION as APPS;
use clusternet_tfplugin::Diagnostics;

use super::client::{
    chart_values_owner, check_crds, connect, ensure_namespaces, forced, hub_error, report_errors,
    shared_owner, subscription_owner,
};
use super::rollout::kinds_written;
use crate::config::Connection;

/// The Globalization holding the values of the HelmChart `chart`.
pub(super) fn chart_values_ref(chart: &ObjectIdentity) -> ObjectIdentity {
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
pub(super) async fn remove_chart_values(
    hub: &Cluster,
    charts: &[ObjectIdentity],
) -> Result<(), Diagnostics> {
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
            format!("{report}. The next apply or destroy retries."),
        ))
    }
}

/// The namespaces of the Subscription and of its feeds' hub objects.
pub(super) fn feed_namespaces(objects: &HubObjects) -> BTreeSet<String> {
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
pub(super) fn kept_feeds(objects: &HubObjects) -> BTreeSet<ObjectIdentity> {
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
pub(super) async fn write_feeds(
    hub: &Cluster,
    objects: &HubObjects,
    found: bool,
) -> Result<(), Diagnostics> {
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
pub(super) async fn write_status(hub: &Cluster, objects: &HubObjects) -> Result<(), Diagnostics> {
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
pub(super) async fn subscription_feeds(
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
pub(super) async fn remove_unused_feeds(
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
            format!("{report}. The next apply or destroy retries."),
        ))
    }
}
