//! The child clusters' capacity for dynamic dividing (ADR 0029): each cluster's Nodes and
//! Pods, listed once per provider process when a subscription that divides dynamically first
//! needs them, so that every rendering of a run divides by the same numbers.
//!
//! Only clusters the provider can reach (credentials, no `capacity` in the configuration)
//! are read, at most `parallelism` at a time. A cluster that cannot be read is kept with its
//! reason: dividing by it fails with that reason, and nothing else is affected.

use std::collections::BTreeMap;

use clusternet_deploy::cluster::Cluster;
use clusternet_deploy::connection::{ConnectionConfig, Timeouts};
use clusternet_deploy::parallel::fan_out;
use clusternet_model::scheduling::ClusterResources;

/// What was read of each cluster, by cluster name.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CapacitySnapshot {
    /// Nodes and Pods, or why they could not be listed.
    pub clusters: BTreeMap<String, Result<ClusterResources, String>>,
}

impl CapacitySnapshot {
    /// Lists the Nodes and Pods of every cluster of `clusters` (name and connection), at
    /// most `parallelism` at a time.
    pub async fn read(
        clusters: Vec<(String, ConnectionConfig)>,
        parallelism: usize,
    ) -> CapacitySnapshot {
        let names: Vec<String> = clusters.iter().map(|(name, _)| name.clone()).collect();
        let results = fan_out(clusters, parallelism, |(name, connection)| async move {
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
