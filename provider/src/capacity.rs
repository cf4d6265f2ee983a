//! The child clusters' capacity for dynamic dividing (ADR 0029): each cluster's Nodes and
//! Pods, listed once per provider process together with the hub snapshot, before the
//! process writes anything, so that every rendering of a run divides by the same numbers
//! and the plan made during apply equals the plan made before it.
//!
//! Only clusters the provider can reach (credentials, no `capacity` in the configuration)
//! are read, at most `parallelism` at a time. A cluster that cannot be read is kept with
//! its reason: dividing by it fails with that reason, and nothing else is affected.

use std::collections::BTreeMap;

use clusternet_deploy::cluster::Cluster;
use clusternet_deploy::connection::Timeouts;
use clusternet_deploy::parallel::fan_out;
use clusternet_model::render::RenderInput;
use clusternet_model::scheduling::{Availability, ClusterResources};

use crate::config::{ProviderConfig, Target};

/// What was read of each cluster, by cluster name.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CapacitySnapshot {
    /// Nodes and Pods, or why they could not be listed.
    pub clusters: BTreeMap<String, Result<ClusterResources, String>>,
}

impl CapacitySnapshot {
    /// Lists the Nodes and Pods of every cluster of `config` with credentials and no
    /// `capacity`.
    pub async fn read(config: &ProviderConfig) -> CapacitySnapshot {
        let jobs: Vec<(String, clusternet_deploy::connection::ConnectionConfig)> = config
            .clusters
            .values()
            .filter(|c| c.capacity.is_none())
            .filter_map(|c| match &c.target {
                Target::Cluster(connection) => Some((c.name.clone(), connection.deploy_config())),
                _ => None,
            })
            .collect();
        let names: Vec<String> = jobs.iter().map(|(name, _)| name.clone()).collect();
        let results = fan_out(jobs, config.parallelism, |(name, connection)| async move {
            let cluster = Cluster::connect(name.clone(), &connection, Timeouts::default())
                .await
                .map_err(|e| format!("cannot connect to cluster {name}: {e}"))?;
            cluster.read_resources().await.map_err(|e| e.to_string())
        })
        .await;
        let clusters = names
            .into_iter()
            .zip(results)
            .map(|(name, result)| {
                let read = result.unwrap_or_else(|failed| Err(failed.to_string()));
                if let Err(reason) = &read {
                    tracing::debug!(cluster = %name, %reason, "cluster capacity not read");
                }
                (name, read)
            })
            .collect();
        CapacitySnapshot { clusters }
    }

    /// Why clusters could not be read, one reason each, in name order.
    pub fn unreadable(&self) -> Vec<&str> {
        self.clusters
            .values()
            .filter_map(|r| r.as_ref().err().map(String::as_str))
            .collect()
    }
}

/// " Its Nodes and Pods could not be read: <reasons>." for the clusters that could not be
/// read, or "" when every cluster was.
pub fn unreadable_sentence(inventory: &ProviderConfig) -> String {
    let reasons = inventory
        .capacity
        .as_ref()
        .map(|s| s.unreadable())
        .unwrap_or_default();
    if reasons.is_empty() {
        String::new()
    } else {
        format!(" Nodes and Pods could not be read: {}.", reasons.join("; "))
    }
}

/// Fills `input` with what dynamic dividing divides by: the configured `capacity` of a
/// cluster (for every feed), else its Nodes and Pods as read.
pub fn add_to_input(input: &mut RenderInput, inventory: &ProviderConfig) {
    for cluster in inventory.clusters.values() {
        let binding = format!("{}/{}", cluster.namespace, cluster.name);
        if let Some(capacity) = cluster.capacity {
            input.availability.insert(
                binding,
                Availability {
                    default: Some(capacity),
                    per_feed: BTreeMap::new(),
                },
            );
        } else if let Some(Ok(resources)) = inventory
            .capacity
            .as_ref()
            .and_then(|snapshot| snapshot.clusters.get(&cluster.name))
        {
            input.cluster_resources.insert(binding, resources.clone());
        }
    }
}
