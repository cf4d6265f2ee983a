//! Where a subscription's rendered objects go: directory targets (files) and real clusters.
//!
//! A directory target holds one subdirectory per subscription, `<namespace>.<name>/`, so
//! several subscriptions can share a cluster's directory without pruning each other's files.

use std::collections::BTreeMap;
use std::path::PathBuf;

use clusternet_deploy::directory::{self, FileState};
use clusternet_deploy::reference::ObjectRef;
use clusternet_tfplugin::{Diagnostic, Diagnostics, Value};
use serde_json::{Value as Json, json};

use crate::config::{ProviderConfig, Target};
use crate::resources::feed::FeedIdentity;

fn subscription_dir(root: &std::path::Path, subscription_id: &str) -> PathBuf {
    root.join(subscription_id.replacen('/', ".", 1))
}

fn unknown_cluster(cluster: &str) -> Diagnostics {
    Diagnostic::error(
        format!("Cluster {cluster:?} is no longer configured"),
        format!(
            "Objects were deployed to cluster {cluster:?}, which is not in the provider's \
             `clusters` any more, so they cannot be removed. Add the cluster back to remove \
             them, or remove them by hand."
        ),
    )
    .into()
}

fn not_yet_kubernetes(cluster: &str) -> Diagnostics {
    Diagnostic::error(
        format!("Cluster {cluster:?}: deploying to Kubernetes is not available in this build"),
        "This build of the provider deploys to directory targets only. Use `directory` for \
         this cluster, or a newer provider version.",
    )
    .into()
}

/// Deploys `objects` of subscription `subscription_id` to `cluster`.
pub async fn deploy(
    inventory: &ProviderConfig,
    subscription_id: &str,
    cluster: &str,
    objects: &[Json],
) -> Diagnostics {
    match inventory.clusters.get(cluster).map(|c| &c.target) {
        Some(Target::Directory(root)) => {
            match directory::write_directory(&subscription_dir(root, subscription_id), objects) {
                Ok(report) => {
                    tracing::debug!(
                        cluster,
                        written = report.written.len(),
                        removed = report.removed.len(),
                        "directory target written"
                    );
                    Diagnostics::new()
                }
                Err(e) => Diagnostic::error(
                    format!("Cluster {cluster:?}: cannot write its directory"),
                    format!("{e}. The other clusters were still deployed; apply again once fixed."),
                )
                .into(),
            }
        }
        Some(Target::Cluster(_)) => not_yet_kubernetes(cluster),
        None => unknown_cluster(cluster),
    }
}

/// Removes everything subscription `subscription_id` deployed to `cluster`.
pub async fn remove(
    inventory: &ProviderConfig,
    subscription_id: &str,
    cluster: &str,
) -> Diagnostics {
    match inventory.clusters.get(cluster).map(|c| &c.target) {
        Some(Target::Directory(root)) => {
            let dir = subscription_dir(root, subscription_id);
            match directory::clear_directory(&dir) {
                Ok(_) => {
                    // Leave no empty subscription directory behind.
                    let _ = std::fs::remove_dir(&dir);
                    Diagnostics::new()
                }
                Err(e) => Diagnostic::error(
                    format!("Cluster {cluster:?}: cannot clean its directory"),
                    format!("{e}."),
                )
                .into(),
            }
        }
        Some(Target::Cluster(_)) => not_yet_kubernetes(cluster),
        None => unknown_cluster(cluster),
    }
}

/// The reference of a preview key `<cluster>/<apiVersion>/<Kind>/[<ns>/]<name>`.
fn reference_of(key_without_cluster: &str) -> Option<ObjectRef> {
    let identity = FeedIdentity::parse_key(key_without_cluster).ok()?;
    let mut metadata = json!({"name": identity.name});
    if !identity.namespace.is_empty() {
        metadata["namespace"] = Json::String(identity.namespace);
    }
    ObjectRef::from_object(&json!({
        "apiVersion": identity.api_version,
        "kind": identity.kind,
        "metadata": metadata,
    }))
    .ok()
}

/// Reads what is deployed now for the preview entries in `descriptions`: an entry whose
/// object is gone disappears, a changed object shows its live content (secrets redacted with
/// `redact`), an unchanged one keeps its text exactly.
pub async fn read(
    inventory: &ProviderConfig,
    subscription_id: &str,
    descriptions: &BTreeMap<String, Value>,
    redact: &(dyn Fn(&str) -> String + Sync),
) -> BTreeMap<String, String> {
    let mut live = BTreeMap::new();
    for (key, planned) in descriptions {
        let planned = planned.as_str().unwrap_or_default().to_string();
        let Some((cluster, rest)) = key.split_once('/') else {
            live.insert(key.clone(), planned);
            continue;
        };
        let (Some(Target::Directory(root)), Some(reference)) = (
            inventory.clusters.get(cluster).map(|c| &c.target),
            reference_of(rest),
        ) else {
            // Helm entries and real clusters keep their planned text here.
            live.insert(key.clone(), planned);
            continue;
        };
        let dir = subscription_dir(root, subscription_id);
        let state = directory::read_directory(&dir, std::slice::from_ref(&reference))
            .ok()
            .and_then(|mut objects| objects.pop())
            .map(|o| o.state);
        match state {
            Some(FileState::Missing) => {}
            Some(FileState::Present(mut object)) => {
                if reference.kind == "Secret" && reference.group().is_empty() {
                    clusternet_model::preview::redact_secret(&mut object, redact);
                }
                let text = clusternet_model::json::to_compact(&object);
                let same = clusternet_model::json::parse(&planned).ok() == Some(object);
                live.insert(key.clone(), if same { planned } else { text });
            }
            Some(FileState::Unparsable(message)) => {
                live.insert(key.clone(), format!("(unparsable file: {message})"));
            }
            None => {
                live.insert(key.clone(), planned);
            }
        }
    }
    live
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preview_keys_map_to_object_references() {
        let r = reference_of("apps/v1/Deployment/web/frontend").unwrap();
        assert_eq!(r.kind, "Deployment");
        assert_eq!(r.namespace.as_deref(), Some("web"));
        let r = reference_of("v1/Namespace/web").unwrap();
        assert_eq!(r.namespace, None);
    }
}
