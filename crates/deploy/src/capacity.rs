//! Reading what a child cluster can still host: its Nodes and Pods, one LIST each, for the
//! model's predictor ([`clusternet_model::scheduling::predictor`]) to divide replicas by.

use clusternet_model::scheduling::ClusterResources;

use crate::cluster::Cluster;
use crate::error::ObjectError;

/// Why a cluster's Nodes or Pods could not be listed.
#[derive(Debug, thiserror::Error)]
#[error("cannot list the {kind} of cluster {cluster}: {source}")]
pub struct CapacityError {
    /// The cluster.
    pub cluster: String,
    /// `Nodes` or `Pods`.
    pub kind: &'static str,
    /// The API error.
    #[source]
    pub source: ObjectError,
}

impl Cluster {
    /// Lists every Node and every Pod (all namespaces) of the cluster, concurrently.
    pub async fn read_resources(&self) -> Result<ClusterResources, CapacityError> {
        let failed = |kind: &'static str| {
            move |source| CapacityError {
                cluster: self.name().to_string(),
                kind,
                source,
            }
        };
        let (nodes, pods) = tokio::join!(
            self.list("v1", "Node", None, None),
            self.list("v1", "Pod", None, None),
        );
        Ok(ClusterResources {
            nodes: nodes.map_err(failed("Nodes"))?,
            pods: pods.map_err(failed("Pods"))?,
        })
    }
}
