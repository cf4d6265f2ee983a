//! Where a subscription's rendered objects go: directory targets (files) and real clusters.
//!
//! A directory target holds one subdirectory per subscription, `<namespace>.<name>/`, so
//! several subscriptions can share a cluster's directory without pruning each other's files.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

use clusternet_deploy::apply::ApplyOptions;
use clusternet_deploy::cluster::Cluster;
use clusternet_deploy::connection::Timeouts;
use clusternet_deploy::directory::{self, FileState};
use clusternet_deploy::ownership::Ownership;
use clusternet_deploy::{LiveObject, fan_out};
use clusternet_model::identity::ObjectIdentity;
use clusternet_model::preview::Previewed;
use clusternet_tfplugin::{Diagnostic, Diagnostics, Value};
use serde_json::Value as Json;

use crate::apply_options::field_manager::FieldManager;
use crate::apply_options::ignore_fields::{self, IgnoreRule};
use crate::apply_options::timeouts::Deadline;
use crate::config::{Connection, ProviderConfig, Target};

/// How one subscription's apply treats the clusters: its escape hatches
/// (`field_manager`, `ignore_fields`, `timeouts`).
#[derive(Debug, Clone, Default)]
pub struct DeploySettings {
    /// The field manager, and whether new objects are forced (the provider's otherwise).
    pub field_manager: FieldManager,
    /// Fields left to other managers.
    pub ignore_fields: Vec<IgnoreRule>,
    /// When each cluster's work must be done.
    pub deadline: Option<Deadline>,
}

impl DeploySettings {
    /// The time left before the deadline, capped at `limit`.
    pub fn within(&self, limit: std::time::Duration) -> std::time::Duration {
        self.deadline
            .as_ref()
            .map_or(limit, |d| d.remaining().min(limit))
    }
}

/// The directory of a subscription in a directory target, `<namespace>.<name>`: one to one
/// because a namespace (a DNS label) has no `.`, and never outside `root` (checked again
/// here, after validation, with symbolic links followed).
pub fn subscription_dir(
    root: &std::path::Path,
    subscription_id: &str,
) -> Result<PathBuf, directory::DirectoryError> {
    directory::subdirectory(root, &[&subscription_id.replacen('/', ".", 1)])
}

/// Why a cluster whose credentials or directory are not known yet cannot be read.
pub const NOT_KNOWN_YET: &str =
    "its credentials or directory depend on values not known until apply";

fn target_unknown(cluster: &str) -> Diagnostics {
    Diagnostic::error(
        format!("Cluster {cluster:?}: credentials not known"),
        format!(
            "The credentials or directory of cluster {cluster:?} are still unknown at apply; \
             this is a bug (Terraform configures the provider with known values before it \
             applies)."
        ),
    )
    .into()
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

fn no_credentials(cluster: &str) -> Diagnostics {
    Diagnostic::error(
        format!("Cluster {cluster:?} has no credentials"),
        format!(
            "Cluster {cluster:?} is registered on the hub but not in the provider's `clusters`, \
             so the provider cannot reach it. Add it to `clusters` with credentials."
        ),
    )
    .into()
}

/// A client of `cluster`, or a diagnostic naming it.
pub async fn connect(cluster: &str, connection: &Connection) -> Result<Cluster, Diagnostics> {
    Cluster::connect(cluster, &connection.deploy_config(), Timeouts::default())
        .await
        .map_err(|e| {
            Diagnostic::error(
                format!("Cluster {cluster:?}: cannot connect"),
                format!("{e}. Check the cluster's credentials in the provider configuration."),
            )
            .into()
        })
}

/// Requests in flight at once on one cluster during a refresh; clusters are read
/// `parallelism` at a time on top of that (see [`read`]).
const READS_PER_CLUSTER: usize = 8;

/// The objects `references` of `cluster` as they are live, for a refresh; when the cluster
/// cannot even be reached, why (the text of the connection error). With the `owned` label
/// selector of the objects' owner they are read by list (see
/// [`Cluster::read_live_by_list`]), otherwise one GET each.
pub async fn read_live(
    cluster: &str,
    connection: &Connection,
    references: &[ObjectIdentity],
    owned: Option<&str>,
) -> Result<Vec<LiveObject>, String> {
    let client = connect(cluster, connection).await.map_err(|diagnostics| {
        diagnostics
            .iter()
            .next()
            .map_or_else(|| "cannot connect".to_string(), |d| d.detail.clone())
    })?;
    Ok(match owned {
        Some(selector) => {
            client
                .read_live_by_list(references, selector, READS_PER_CLUSTER)
                .await
        }
        None => client.read_live(references, READS_PER_CLUSTER).await,
    })
}

/// How a subscription marks what it deployed, so that pruning finds exactly its objects.
fn ownership(cluster_namespace: &str, subscription_id: &str) -> Ownership {
    let (ns, name) = subscription_id
        .split_once('/')
        .unwrap_or((clusternet_model::types::DEFAULT_NAMESPACE, subscription_id));
    // Secrets must not be copied into a last-applied annotation; server-side apply's
    // managedFields already record what we own.
    let mut ownership = Ownership::for_description(cluster_namespace, &format!("{ns}-{name}"))
        .with_label(clusternet_deploy::ownership::SUBS_NAME, name)
        .with_label(clusternet_deploy::ownership::SUBS_NAMESPACE, ns);
    ownership.record_last_applied = false;
    ownership
}

/// The label selector of every object subscription `subscription_id` deployed to a cluster:
/// its ownership labels (they do not depend on the cluster).
fn owned_selector(subscription_id: &str) -> Option<String> {
    ownership("", subscription_id).label_selector()
}

fn cluster_namespace(inventory: &ProviderConfig, cluster: &str) -> String {
    inventory
        .clusters
        .get(cluster)
        .map(|c| c.namespace.clone())
        .unwrap_or_default()
}

/// References of the preview entries of `cluster` in `descriptions` (Helm entries excluded).
pub fn references_in(cluster: &str, keys: impl Iterator<Item = String>) -> Vec<ObjectIdentity> {
    keys.filter_map(|key| {
        let rest = key.strip_prefix(cluster)?.strip_prefix('/')?;
        reference_of(rest)
    })
    .collect()
}

fn object_errors(cluster: &str, errors: Vec<String>) -> Diagnostics {
    let mut diags = Diagnostics::new();
    for e in errors {
        diags.push(Diagnostic::error(
            format!("Cluster {cluster:?}: object not applied"),
            format!(
                "{e}. The other objects and clusters were applied; this cluster is recorded as \
                 not done and the next apply retries it."
            ),
        ));
    }
    diags
}

/// `objects` with their ignored fields (`ignore_fields`) as they are live, less those another
/// manager holds (see [`ignore_fields::leave_to_others`]); objects not live yet, or that no
/// rule covers, go as they are.
async fn without_ignored_fields(
    client: &Cluster,
    rules: &[IgnoreRule],
    objects: &[Json],
) -> Vec<Json> {
    let mut objects = objects.to_vec();
    let covered: Vec<usize> = (0..objects.len())
        .filter(|&i| rules.iter().any(|r| r.applies_to(&objects[i])))
        .collect();
    let references: Vec<ObjectIdentity> = covered
        .iter()
        .filter_map(|&i| ObjectIdentity::of(&objects[i]).ok())
        .collect();
    if references.len() != covered.len() || references.is_empty() {
        return objects;
    }
    let live = client.read_live(&references, 8).await;
    for (i, live) in covered.into_iter().zip(live) {
        // An object that cannot be read is applied whole: its apply reports the problem.
        let Ok(Some(live)) = live.state else {
            continue;
        };
        let others = clusternet_deploy::fields::owned_by_others(&live, client.field_manager());
        if ignore_fields::leave_to_others(rules, &mut objects[i], &live, others.as_ref()) {
            tracing::debug!(
                object = %live.pointer("/metadata/name").and_then(Json::as_str).unwrap_or(""),
                "ignored fields applied as they are live, or left to their other managers"
            );
        }
    }
    objects
}

async fn deploy_to_cluster(
    inventory: &ProviderConfig,
    subscription_id: &str,
    cluster: &str,
    connection: &Connection,
    objects: &[Json],
    previous: &[ObjectIdentity],
    settings: &DeploySettings,
) -> Diagnostics {
    let client = match connect(cluster, connection).await {
        Ok(c) => c,
        Err(d) => return d,
    };
    let client = match &settings.field_manager.name {
        Some(name) => client.with_field_manager(name.clone()),
        None => client,
    };
    let applied;
    let objects = if settings.ignore_fields.is_empty() {
        objects
    } else {
        applied = without_ignored_fields(&client, &settings.ignore_fields, objects).await;
        applied.as_slice()
    };
    let force_new = settings
        .field_manager
        .force_conflicts
        .unwrap_or(inventory.force_conflicts);
    let owner = ownership(&cluster_namespace(inventory, cluster), subscription_id);
    // Objects this subscription deployed before are enforced (drift is restored, even over
    // another field manager); objects new to the cluster are not forced onto fields someone
    // else manages (docs/adr/0002-force-only-what-we-deployed.md).
    let (known, new): (Vec<Json>, Vec<Json>) = objects
        .iter()
        .cloned()
        .partition(|o| ObjectIdentity::of(o).is_ok_and(|r| previous.contains(&r)));
    let mut errors = Vec::new();
    for (batch, force) in [(known, true), (new, force_new)] {
        if batch.is_empty() {
            continue;
        }
        let options = ApplyOptions {
            ownership: Some(owner.clone()),
            force,
            ..ApplyOptions::default()
        };
        let report = client.apply(batch, &options).await;
        if let Some(failure) = report.cluster_failure() {
            return Diagnostic::error(
                format!("Cluster {cluster:?} failed"),
                format!(
                    "{failure}. Nothing more was applied to it; the other clusters were. The \
                     next apply finishes this one."
                ),
            )
            .into();
        }
        errors.extend(report.errors().map(ToString::to_string));
    }
    if !errors.is_empty() {
        return object_errors(cluster, errors);
    }
    let desired: Vec<ObjectIdentity> = objects
        .iter()
        .filter_map(|o| ObjectIdentity::of(o).ok())
        .collect();
    let pruned = client.prune(&desired, previous, &owner).await;
    if !pruned.is_success() {
        return Diagnostic::error(
            format!("Cluster {cluster:?}: pruning failed"),
            format!("{pruned}."),
        )
        .into();
    }
    Diagnostics::new()
}

/// Deploys `objects` of subscription `subscription_id` to `cluster`.
///
/// `previous`: what this subscription deployed to the cluster before (from state).
pub async fn deploy(
    inventory: &ProviderConfig,
    subscription_id: &str,
    cluster: &str,
    objects: &[Json],
    previous: &[ObjectIdentity],
    settings: &DeploySettings,
) -> Diagnostics {
    match inventory.clusters.get(cluster).map(|c| &c.target) {
        Some(Target::Directory(root)) => {
            match subscription_dir(root, subscription_id)
                .and_then(|dir| directory::write_directory(&dir, objects))
            {
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
        Some(Target::Cluster(connection)) => {
            deploy_to_cluster(
                inventory,
                subscription_id,
                cluster,
                connection,
                objects,
                previous,
                settings,
            )
            .await
        }
        Some(Target::HubOnly) => no_credentials(cluster),
        Some(Target::Unknown) => target_unknown(cluster),
        None => unknown_cluster(cluster),
    }
}

/// Removes everything subscription `subscription_id` deployed to `cluster`.
pub async fn remove(
    inventory: &ProviderConfig,
    subscription_id: &str,
    cluster: &str,
    previous: &[ObjectIdentity],
) -> Diagnostics {
    match inventory.clusters.get(cluster).map(|c| &c.target) {
        Some(Target::Directory(root)) => {
            let dir = match subscription_dir(root, subscription_id) {
                Ok(dir) => dir,
                Err(e) => {
                    return Diagnostic::error(
                        format!("Cluster {cluster:?}: cannot clean its directory"),
                        format!("{e}."),
                    )
                    .into();
                }
            };
            // Chart files go first (their directories live inside this one).
            let _ = std::fs::remove_dir(dir.join("helm"));
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
        Some(Target::Cluster(connection)) => {
            let client = match connect(cluster, connection).await {
                Ok(c) => c,
                Err(d) => return d,
            };
            let owner = ownership(&cluster_namespace(inventory, cluster), subscription_id);
            let report = client.delete(previous, Some(&owner), 8).await;
            if report.is_success() {
                Diagnostics::new()
            } else {
                Diagnostic::error(
                    format!("Cluster {cluster:?}: removing objects failed"),
                    format!("{report}. The next apply or destroy retries."),
                )
                .into()
            }
        }
        Some(Target::HubOnly) => no_credentials(cluster),
        Some(Target::Unknown) => target_unknown(cluster),
        None => unknown_cluster(cluster),
    }
}

/// The reference of a preview key `<cluster>/<apiVersion>/<Kind>/[<ns>/]<name>`; `None` for
/// Helm entries (charts and their templated objects belong to helm, not to apply).
fn reference_of(key_without_cluster: &str) -> Option<ObjectIdentity> {
    match key_without_cluster.parse().ok()? {
        Previewed::Object(identity) => Some(identity),
        Previewed::Chart { .. } | Previewed::Templated { .. } => None,
    }
}

/// What a read of the deployed objects found.
#[derive(Debug, Default)]
pub struct LiveRead {
    /// The preview entries as deployed now.
    pub entries: BTreeMap<String, String>,
    /// The clusters (or directory targets) that could not be read, with why.
    pub unreadable: BTreeMap<String, String>,
}

/// Reads what is deployed now for the preview entries in `descriptions`: an entry whose
/// object is gone disappears, a changed object shows its live content (secrets redacted with
/// `redact`), an unchanged one keeps its text exactly. Helm entries keep their text (helm's
/// reads are in `charts::drift`); the entries of a cluster that cannot be read keep theirs
/// too, and the cluster is reported in [`LiveRead::unreadable`].
pub async fn read(
    inventory: &ProviderConfig,
    subscription_id: &str,
    descriptions: &BTreeMap<String, Value>,
    redact: &(dyn Fn(&str) -> String + Sync),
    ignored: &[IgnoreRule],
) -> LiveRead {
    let mut unreadable = BTreeMap::new();
    let mut by_cluster: BTreeMap<&str, Vec<(&String, ObjectIdentity, String)>> = BTreeMap::new();
    let mut live = BTreeMap::new();
    // Clusters share their objects: each distinct object key is read once.
    let mut references: HashMap<&str, Option<ObjectIdentity>> = HashMap::new();
    for (key, planned) in descriptions {
        let planned = planned.as_str().unwrap_or_default().to_string();
        match key.split_once('/').and_then(|(c, rest)| {
            let reference = references
                .entry(rest)
                .or_insert_with(|| reference_of(rest))
                .clone()?;
            Some((c, reference))
        }) {
            Some((cluster, reference)) => {
                by_cluster
                    .entry(cluster)
                    .or_default()
                    .push((key, reference, planned));
            }
            None => {
                live.insert(key.clone(), planned);
            }
        }
    }
    let jobs: Vec<_> = by_cluster
        .into_iter()
        .map(|(cluster, entries)| {
            let target = inventory.clusters.get(cluster).map(|c| c.target.clone());
            let entries: Vec<(String, ObjectIdentity, String)> = entries
                .into_iter()
                .map(|(key, reference, planned)| (key.clone(), reference, planned))
                .collect();
            (cluster.to_string(), target, entries)
        })
        .collect();
    // The file of each distinct object, named once.
    let file_names: Arc<HashMap<ObjectIdentity, String>> = Arc::new(
        jobs.iter()
            .filter(|(_, target, _)| matches!(target, Some(Target::Directory(_))))
            .flat_map(|(_, _, entries)| entries.iter().map(|(_, reference, _)| reference))
            .collect::<HashSet<&ObjectIdentity>>()
            .into_iter()
            .map(|reference| (reference.clone(), directory::file_name(reference)))
            .collect(),
    );
    // What a directory target's file holds for each distinct entry, made once: most clusters
    // share most entries.
    let file_texts: Arc<HashMap<String, Option<String>>> = Arc::new(
        jobs.iter()
            .filter(|(_, target, _)| matches!(target, Some(Target::Directory(_))))
            .flat_map(|(_, _, entries)| entries.iter().map(|(_, _, planned)| planned))
            .collect::<HashSet<&String>>()
            .into_iter()
            .map(|planned| {
                let text = clusternet_model::json::parse(planned)
                    .ok()
                    .and_then(|object| directory::to_yaml(&object).ok());
                (planned.clone(), text)
            })
            .collect(),
    );
    // Clusters are read at once, as many as the provider deploys to at once.
    let ignored = ignored.to_vec();
    let owned = owned_selector(subscription_id);
    let read = fan_out(jobs, inventory.parallelism, |(cluster, target, entries)| {
        let subscription_id = subscription_id.to_string();
        let ignored = ignored.clone();
        let owned = owned.clone();
        let file_texts = file_texts.clone();
        let file_names = file_names.clone();
        async move {
            let (states, failure): (Vec<Option<FileState>>, Option<String>) = match &target {
                Some(Target::Directory(root)) => {
                    // A file as planned keeps the planned text (`None`) unparsed.
                    let files: Vec<(&str, Option<&str>)> = entries
                        .iter()
                        .map(|(_, reference, planned)| {
                            (
                                file_names[reference].as_str(),
                                file_texts.get(planned).and_then(Option::as_deref),
                            )
                        })
                        .collect();
                    match subscription_dir(root, &subscription_id)
                        .and_then(|dir| directory::read_directory_expecting(&dir, &files))
                    {
                        Ok(states) => (states, None),
                        Err(e) => (entries.iter().map(|_| None).collect(), Some(e.to_string())),
                    }
                }
                Some(Target::Cluster(connection)) => {
                    read_cluster(&cluster, connection, &entries, &ignored, owned.as_deref()).await
                }
                // A target not known yet is reported by the subscription's read, for its chart
                // entries too.
                Some(Target::Unknown | Target::HubOnly) | None => {
                    (entries.iter().map(|_| None).collect(), None)
                }
            };
            (cluster, entries, states, failure)
        }
    })
    .await;
    for (cluster, entries, states, failure) in read
        .into_iter()
        .map(|read| read.unwrap_or_else(|failed| failed.resume()))
    {
        if let Some(reason) = failure {
            unreadable.insert(cluster, reason);
        }
        for ((key, reference, planned), state) in entries.into_iter().zip(states) {
            match state {
                Some(FileState::Missing) => {}
                Some(FileState::Present(mut object)) => {
                    if reference.kind == "Secret" && reference.group().is_empty() {
                        clusternet_model::preview::redact_secret(&mut object, redact);
                    }
                    let same =
                        clusternet_model::json::parse(&planned).ok().as_ref() == Some(&object);
                    let text = if same {
                        planned
                    } else {
                        clusternet_model::json::to_compact(&object)
                    };
                    live.insert(key, text);
                }
                Some(FileState::Unparsable(message)) => {
                    live.insert(key, format!("(unparsable: {message})"));
                }
                None => {
                    live.insert(key, planned);
                }
            }
        }
    }
    LiveRead {
        entries: live,
        unreadable,
    }
}

/// Live objects of a real cluster, seen through the shape of what was planned: every field
/// the plan declares shows its live value, whichever field manager holds it now (a
/// `kubectl edit` moves ownership away from us), and fields the server or others added are
/// left out. Returned in the shape of directory file states, with why the cluster could not
/// be read when an object of it could not. `owned`: the owner's label selector, to read by
/// list.
async fn read_cluster(
    cluster: &str,
    connection: &Connection,
    entries: &[(String, ObjectIdentity, String)],
    ignored: &[IgnoreRule],
    owned: Option<&str>,
) -> (Vec<Option<FileState>>, Option<String>) {
    let refs: Vec<ObjectIdentity> = entries.iter().map(|(_, r, _)| r.clone()).collect();
    let live = match read_live(cluster, connection, &refs, owned).await {
        Ok(live) => live,
        Err(reason) => return (entries.iter().map(|_| None).collect(), Some(reason)),
    };
    let mut failure = None;
    let states = live
        .into_iter()
        .zip(entries)
        .map(|(object, (_, _, planned))| match object.state {
            Ok(None) => Some(FileState::Missing),
            Ok(Some(live)) => match clusternet_model::json::parse(planned) {
                Ok(planned) => project(&planned, &live).map(|mut live| {
                    ignore_fields::keep_planned(ignored, &planned, &mut live);
                    FileState::Present(live)
                }),
                Err(_) => None,
            },
            Err(e) => {
                let reason = format!("cannot read {}: {e}", object.reference.describe_versioned());
                tracing::warn!(cluster, "{reason}");
                failure.get_or_insert(reason);
                None
            }
        })
        .collect();
    (states, failure)
}

/// `live` restricted to the fields of `planned`; `None` when `live` lacks the field.
pub fn project(planned: &Json, live: &Json) -> Option<Json> {
    match (planned, live) {
        (Json::Object(p), Json::Object(l)) => Some(Json::Object(
            p.iter()
                .filter_map(|(k, pv)| Some((k.clone(), project(pv, l.get(k)?)?)))
                .collect(),
        )),
        (Json::Array(p), Json::Array(l)) if p.len() == l.len() => Some(Json::Array(
            p.iter()
                .zip(l)
                .map(|(pv, lv)| project(pv, lv).unwrap_or(Json::Null))
                .collect(),
        )),
        (_, live) => Some(live.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn live_objects_are_seen_through_the_planned_shape() {
        let planned =
            json!({"data": {"color": "blue"}, "metadata": {"name": "a", "labels": {"x": "1"}}});
        let live = json!({
            "data": {"color": "red", "extra": "y"},
            "metadata": {"name": "a", "uid": "u", "labels": {"x": "1", "owner": "us"}},
            "status": {}
        });
        assert_eq!(
            project(&planned, &live),
            Some(
                json!({"data": {"color": "red"}, "metadata": {"name": "a", "labels": {"x": "1"}}})
            )
        );
        let gone = json!({"data": {}, "metadata": {"name": "a"}});
        assert_eq!(
            project(&planned, &gone),
            Some(json!({"data": {}, "metadata": {"name": "a"}}))
        );
    }

    #[test]
    fn helm_entries_are_no_object_references() {
        assert!(reference_of("helm/default/web").is_none());
        assert!(reference_of("helm/web/v1/ConfigMap/web/settings").is_none());
    }

    #[test]
    fn preview_keys_map_to_object_references() {
        let r = reference_of("apps/v1/Deployment/web/frontend").unwrap();
        assert_eq!(r.kind, "Deployment");
        assert_eq!(r.namespace.as_deref(), Some("web"));
        let r = reference_of("v1/Namespace/web").unwrap();
        assert_eq!(r.namespace, None);
    }
}
