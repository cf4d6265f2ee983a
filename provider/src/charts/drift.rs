//! Read of a subscription's charts in real clusters: the deployed release's state, values and
//! chart version, written back into the chart entries so that a release uninstalled or
//! changed by hand shows as a diff in the next plan (and apply restores it).

use std::collections::BTreeMap;

use clusternet_tfplugin::Value;
use serde_json::Value as Json;

use super::deploy::release_state;
use super::keys;
use super::plan::{chart_releases, no_values};
use crate::config::{ProviderConfig, Target};
use crate::targets;

/// Updates `descriptions` and `releases` (state attributes of a subscription) from the
/// clusters. Entries of unreachable clusters and directory targets stay as they are.
pub async fn read(
    inventory: &ProviderConfig,
    descriptions: &mut BTreeMap<String, Value>,
    releases: &mut BTreeMap<String, Value>,
) {
    let charts = chart_releases(descriptions);
    if charts.is_empty() {
        return;
    }
    let Ok(helm) = super::helm_binary::helm(inventory).await else {
        return;
    };
    let mut tasks = tokio::task::JoinSet::new();
    for release in charts {
        let Some(Target::Cluster(connection)) =
            inventory.clusters.get(&release.cluster).map(|c| &c.target)
        else {
            continue;
        };
        let config = targets::connection_config(connection);
        let helm = helm.clone();
        tasks.spawn(async move {
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
        });
    }
    while let Some(joined) = tasks.join_next().await {
        let Ok((release, status, values)) = joined else {
            continue;
        };
        match status {
            Err(e) => {
                tracing::warn!(cluster = release.cluster, "cannot read release: {e}");
            }
            Ok(None) => {
                // Gone: the next plan re-creates it.
                descriptions.retain(|k, _| {
                    *k != release.entry_key
                        && !keys::is_templated_of(k, &release.cluster, &release.name)
                });
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
}
