//! The hub as a cluster: connecting, checking Clusternet's CRDs, namespaces, and the
//! owners and apply options every hub write uses.

use std::collections::BTreeMap;

use clusternet_deploy::apply::ApplyOptions;
use clusternet_deploy::cluster::Cluster;
use clusternet_deploy::connection::Timeouts;
use clusternet_deploy::error::ObjectError;
use clusternet_deploy::ownership::{Ownership, SUBS_NAMESPACE, SUBS_UID};
use clusternet_model::hub::KINDS;
use clusternet_model::hub::chart_values;
use clusternet_model::identity::ObjectIdentity;
use clusternet_model::types::APPS_API_VERSION as APPS;
use clusternet_tfplugin::{Diagnostic, Diagnostics};
use serde_json::json;

use crate::config::Connection;

/// Marks every hub object of one subscription (the feeds' Manifests excepted: they are
/// shared between subscriptions).
pub(super) fn subscription_owner(namespace: &str, name: &str) -> Ownership {
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
pub(super) fn shared_owner() -> Ownership {
    Ownership {
        description: "terraform".to_string(),
        labels: BTreeMap::new(),
        annotations: BTreeMap::new(),
        record_last_applied: false,
    }
}

/// Marks the Globalizations holding charts' `values` (see [`chart_values`]): not users'
/// overrides, so neither the snapshot nor import takes them for one.
pub(super) fn chart_values_owner() -> Ownership {
    Ownership {
        description: chart_values::HUB_MARK.to_string(),
        labels: BTreeMap::new(),
        annotations: BTreeMap::new(),
        record_last_applied: false,
    }
}

pub(super) fn hub_error(summary: impl Into<String>, detail: impl Into<String>) -> Diagnostics {
    Diagnostic::error(summary, detail).into()
}

pub(super) async fn connect(connection: &Connection) -> Result<Cluster, Diagnostics> {
    Cluster::connect("hub", &connection.deploy_config(), Timeouts::default())
        .await
        .map_err(|e| {
            hub_error(
                "Hub: cannot connect",
                format!("{e}. Check the `hub` credentials in the provider configuration."),
            )
        })
}

/// Fails with a diagnostic naming the first Clusternet CRD of `kinds` the hub does not serve.
pub(super) async fn check_crds(hub: &Cluster, kinds: &[&str]) -> Result<(), Diagnostics> {
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
pub(super) async fn ensure_namespaces(
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

pub(super) fn report_errors(
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

pub(super) fn forced(owner: &Ownership) -> ApplyOptions {
    ApplyOptions {
        ownership: Some(owner.clone()),
        force: true,
        ..ApplyOptions::default()
    }
}

pub(super) fn probes(namespace: Option<&str>) -> Vec<ObjectIdentity> {
    ["Base", "Localization", "Description", "HelmRelease"]
        .into_iter()
        .map(|kind| ObjectIdentity::new(APPS, kind, namespace, "-"))
        .collect()
}
