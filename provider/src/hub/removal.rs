//! Destroy: a subscription's objects removed from the hub, and the user's overrides written
//! and removed.

use std::collections::BTreeSet;

use clusternet_model::identity::ObjectIdentity;
use clusternet_model::types::APPS_API_VERSION as APPS;
use clusternet_tfplugin::Diagnostics;
use serde_json::Value as Json;

use super::client::{
    check_crds, connect, ensure_namespaces, forced, hub_error, probes, report_errors, shared_owner,
    subscription_owner,
};
use super::feeds::{remove_unused_feeds, subscription_feeds};
use super::rollout::kept_of_failed;
use crate::config::Connection;

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

pub(super) async fn remove_subscription_inner(
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
            format!("{report}. The next destroy retries."),
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
                format!("{report}. The next destroy retries."),
            ))
        }
    }
    .await;
    result.err().unwrap_or_default()
}
