//! Read of a subscription's charts in real clusters: the deployed release's state, values and
//! chart version, written back into the chart entries, and the release's live objects, written
//! back into the templated entries (seen through their planned shape), so that a release
//! uninstalled or changed by hand, or an object of it edited or deleted, shows as a diff in the
//! next plan; apply then upgrades the release, and helm's three-way merge restores it.
//!
//! For directory targets the files play the release: `values.json` and the templated objects'
//! files are read back the same way, and apply writes them again.

use std::collections::BTreeMap;

use clusternet_deploy::directory::{self, FileState};
use clusternet_deploy::fan_out;
use clusternet_model::identity::ObjectIdentity;
use clusternet_tfplugin::Value;
use serde_json::Value as Json;

use super::deploy::{VALUES_FILE, chart_dir, release_state};
use super::plan::{chart_releases, no_values};
use crate::config::{ClusterConfig, ProviderConfig, Target};
use crate::targets;

/// Updates the templated entries of releases in real clusters from their live objects: a
/// deleted object's entry disappears, a changed one shows its live fields (of those the
/// template sets). Secrets are left as planned (their values are redacted in the plan and
/// `stringData` is never stored as such). Returns the clusters that could not be read, with
/// why.
pub async fn read_objects(
    inventory: &ProviderConfig,
    descriptions: &mut BTreeMap<String, Value>,
) -> BTreeMap<String, String> {
    let mut unreadable = BTreeMap::new();
    let releases = chart_releases(descriptions);
    let mut by_cluster: BTreeMap<String, Vec<(String, ObjectIdentity, Json)>> = BTreeMap::new();
    for (key, text) in descriptions.iter() {
        let Some(text) = text.as_str() else { continue };
        // The key names the object where helm installed it: in the release namespace unless
        // the template names another or the kind is cluster-scoped (see `plan`).
        let Some((release, reference)) = releases
            .iter()
            .find_map(|r| Some((r, r.templated_object(key)?)))
        else {
            continue;
        };
        if reference.kind == "Secret" && reference.group().is_empty() {
            continue;
        }
        let Ok(planned) = clusternet_model::json::parse(text) else {
            continue;
        };
        by_cluster
            .entry(release.cluster.clone())
            .or_default()
            .push((key.clone(), reference, planned));
    }
    let jobs: Vec<_> = by_cluster
        .into_iter()
        .filter_map(
            |(cluster, entries)| match inventory.clusters.get(&cluster) {
                Some(ClusterConfig {
                    target: Target::Cluster(connection),
                    ..
                }) => Some((cluster, connection.clone(), entries)),
                _ => None,
            },
        )
        .collect();
    let read = fan_out(
        jobs,
        inventory.parallelism,
        |(cluster, connection, entries)| async move {
            let references: Vec<ObjectIdentity> =
                entries.iter().map(|(_, r, _)| r.clone()).collect();
            // Helm's objects carry helm's labels, not ours: one GET each.
            let live = targets::read_live(&cluster, &connection, &references, None).await;
            (cluster, entries, live)
        },
    )
    .await;
    for (cluster, entries, live) in read
        .into_iter()
        .map(|read| read.unwrap_or_else(|failed| failed.resume()))
    {
        let live = match live {
            Ok(live) => live,
            Err(reason) => {
                unreadable.insert(cluster, reason);
                continue;
            }
        };
        for ((key, _, planned), object) in entries.into_iter().zip(live) {
            match object.state {
                Ok(None) => {
                    descriptions.remove(&key);
                }
                Ok(Some(live)) => {
                    if let Some(seen) = targets::project(&planned, &live)
                        && seen != planned
                    {
                        descriptions.insert(key, clusternet_model::json::to_compact(&seen).into());
                    }
                }
                Err(e) => {
                    let reason =
                        format!("cannot read {}: {e}", object.reference.describe_versioned());
                    tracing::warn!(cluster, "{reason}");
                    unreadable.entry(cluster.clone()).or_insert(reason);
                }
            }
        }
    }
    unreadable
}

/// Updates `descriptions` and `releases` (state attributes of a subscription) from the
/// clusters. Entries of directory targets stay as they are; the clusters whose releases could
/// not be read are returned, with why.
pub async fn read(
    inventory: &ProviderConfig,
    descriptions: &mut BTreeMap<String, Value>,
    releases: &mut BTreeMap<String, Value>,
) -> BTreeMap<String, String> {
    let mut unreadable = BTreeMap::new();
    let charts = chart_releases(descriptions);
    if charts.is_empty() {
        return unreadable;
    }
    let Ok(helm) = super::helm_binary::helm(inventory).await else {
        return unreadable;
    };
    let reachable: Vec<_> = charts
        .into_iter()
        .filter_map(|release| match inventory.clusters.get(&release.cluster) {
            Some(ClusterConfig {
                target: Target::Cluster(connection),
                ..
            }) => Some((release, connection.deploy_config())),
            _ => None,
        })
        .collect();
    let read = fan_out(reachable, inventory.parallelism, |(release, config)| {
        let helm = helm.clone();
        async move {
            let status = helm
                .status(&config, &release.namespace, &release.name)
                .await;
            let values = match &status {
                Ok(Some(_)) => helm
                    .values(&config, &release.namespace, &release.name)
                    .await
                    .ok(),
                _ => None,
            };
            (release, status, values)
        }
    })
    .await;
    // A task that panicked leaves its release's entries as they are.
    for (release, status, values) in read.into_iter().filter_map(Result::ok) {
        match status {
            Err(e) => {
                tracing::warn!(cluster = release.cluster, "cannot read release: {e}");
                unreadable
                    .entry(release.cluster.clone())
                    .or_insert_with(|| format!("cannot read release {}: {e}", release.name));
            }
            Ok(None) => {
                // Gone: the next plan re-creates it.
                descriptions.retain(|k, _| *k != release.entry_key && !release.templates(k));
                releases.remove(&release.release_key());
            }
            Ok(Some(info)) => {
                releases.insert(release.release_key(), release_state(&info).into());
                let mut entry = match descriptions
                    .get(&release.entry_key)
                    .and_then(Value::as_str)
                    .and_then(|t| clusternet_model::json::parse(t).ok())
                {
                    Some(entry) => entry,
                    None => continue,
                };
                let mut changed = false;
                if let Some(live) = values {
                    let planned = entry.get("values").cloned().unwrap_or(Json::Null);
                    if !(no_values(&live) && no_values(&planned)) && live != planned {
                        entry["values"] = live;
                        changed = true;
                    }
                }
                let planned_version = release.version();
                if !planned_version.is_empty() && info.chart_version != planned_version {
                    entry["chart"]["spec"]["version"] = Json::String(info.chart_version.clone());
                    changed = true;
                }
                if changed {
                    descriptions.insert(
                        release.entry_key.clone(),
                        clusternet_model::json::to_compact(&entry).into(),
                    );
                }
            }
        }
    }
    unreadable
}

/// Updates the chart entries of directory targets from their files (see the module): a chart
/// whose directory is gone is planned anew (its entries and release state removed), an edited
/// `values.json` shows as a values diff, an edited or deleted object file as a diff of its
/// entry. Secrets are left as planned, as in real clusters.
pub fn read_files(
    inventory: &ProviderConfig,
    subscription_id: &str,
    descriptions: &mut BTreeMap<String, Value>,
    releases: &mut BTreeMap<String, Value>,
) {
    for release in chart_releases(descriptions) {
        let Some(Target::Directory(root)) =
            inventory.clusters.get(&release.cluster).map(|c| &c.target)
        else {
            continue;
        };
        let Ok(dir) = targets::subscription_dir(root, subscription_id)
            .and_then(|dir| chart_dir(&dir, &release))
        else {
            continue;
        };
        let values = match std::fs::read_to_string(dir.join(VALUES_FILE)) {
            Ok(text) => serde_json::from_str::<Json>(&text)
                .unwrap_or_else(|e| Json::String(format!("(unparsable: {e})"))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !dir.exists() => {
                descriptions.retain(|k, _| *k != release.entry_key && !release.templates(k));
                releases.remove(&release.release_key());
                continue;
            }
            Err(e) => Json::String(format!("(unreadable: {e})")),
        };
        if let Some(mut entry) = descriptions
            .get(&release.entry_key)
            .and_then(Value::as_str)
            .and_then(|t| clusternet_model::json::parse(t).ok())
        {
            let planned = entry.get("values").cloned().unwrap_or(Json::Null);
            if !(no_values(&values) && no_values(&planned)) && values != planned {
                entry["values"] = values;
                descriptions.insert(
                    release.entry_key.clone(),
                    clusternet_model::json::to_compact(&entry).into(),
                );
            }
        }
        let entries: Vec<(String, ObjectIdentity, String)> = descriptions
            .iter()
            .filter_map(|(key, text)| {
                let keyed = release.templated_object(key)?;
                if keyed.kind == "Secret" && keyed.api_version == "v1" {
                    return None;
                }
                let text = text.as_str()?;
                // Files are named after the object as helm templated it; the key adds the
                // release namespace where the template leaves it out.
                let reference = clusternet_model::json::parse(text)
                    .ok()
                    .and_then(|object| ObjectIdentity::of(&object).ok())
                    .unwrap_or(keyed);
                Some((key.clone(), reference, text.to_string()))
            })
            .collect();
        let references: Vec<ObjectIdentity> = entries.iter().map(|(_, r, _)| r.clone()).collect();
        let Ok(files) = directory::read_directory(&dir, &references) else {
            continue;
        };
        for ((key, _, planned), file) in entries.into_iter().zip(files) {
            match file.state {
                FileState::Missing => {
                    descriptions.remove(&key);
                }
                FileState::Present(object) => {
                    if clusternet_model::json::parse(&planned).ok().as_ref() != Some(&object) {
                        descriptions
                            .insert(key, clusternet_model::json::to_compact(&object).into());
                    }
                }
                FileState::Unparsable(message) => {
                    descriptions.insert(key, format!("(unparsable: {message})").into());
                }
            }
        }
    }
}
