//! `ManagedCluster` (clusters.clusternet.io/v1beta1), taints and tolerations.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::meta::ObjectMeta;

/// Label on dedicated namespaces, ManagedClusters, Bases and Descriptions: the cluster UUID.
pub const CLUSTER_ID_LABEL: &str = "clusters.clusternet.io/cluster-id";
/// Label on dedicated namespaces, ManagedClusters, Bases and Descriptions: the cluster name.
pub const CLUSTER_NAME_LABEL: &str = "clusters.clusternet.io/cluster-name";

/// A child cluster registered with the hub. Its namespace is the cluster's dedicated namespace.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ManagedCluster {
    /// Metadata; `namespace` is the dedicated namespace, `labels` are what subscribers select on.
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// Spec.
    #[serde(default)]
    pub spec: ManagedClusterSpec,
    /// Status, kept opaque (readiness is not a scheduling filter).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Value>,
}

impl ManagedCluster {
    /// `"<dedicated namespace>/<name>"`, the form used in `status.bindingClusters`.
    pub fn binding_name(&self) -> String {
        format!("{}/{}", self.metadata.namespace, self.metadata.name)
    }

    /// The cluster UUID: the `cluster-id` label, else `spec.clusterId`.
    pub fn cluster_id(&self) -> &str {
        self.metadata
            .labels
            .get(CLUSTER_ID_LABEL)
            .map(String::as_str)
            .unwrap_or(&self.spec.cluster_id)
    }

    /// The cluster name: the `cluster-name` label, else `metadata.name`.
    pub fn cluster_name(&self) -> &str {
        self.metadata
            .labels
            .get(CLUSTER_NAME_LABEL)
            .map(String::as_str)
            .unwrap_or(&self.metadata.name)
    }
}

/// `ManagedClusterSpec`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManagedClusterSpec {
    /// Cluster UUID.
    #[serde(default)]
    pub cluster_id: String,
    /// `EdgeCluster` or `StandardCluster`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_type: Option<ClusterType>,
    /// Name of a Base used for cluster initialisation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_init_base_name: Option<String>,
    /// Who deploys: `Push`, `Pull` or `Dual`.
    #[serde(default)]
    pub sync_mode: SyncMode,
    /// Taints honoured by the scheduler.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub taints: Vec<Taint>,
}

/// Cluster type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ClusterType {
    /// Edge cluster.
    EdgeCluster,
    /// Standard cluster.
    StandardCluster,
}

/// Sync mode of a cluster.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum SyncMode {
    /// The hub deploys.
    Push,
    /// The agent deploys (registration default).
    #[default]
    Pull,
    /// Both, depending on AppPusher.
    Dual,
}

/// `core/v1 Taint`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Taint {
    /// Taint key.
    pub key: String,
    /// Taint value.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub value: String,
    /// Effect.
    pub effect: TaintEffect,
    /// When the taint was added (informational).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_added: Option<String>,
}

/// Taint effects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TaintEffect {
    /// Not scheduled unless tolerated.
    NoSchedule,
    /// Scheduling penalised unless tolerated.
    PreferNoSchedule,
    /// Not scheduled unless tolerated (evicts in Kubernetes).
    NoExecute,
}

impl TaintEffect {
    /// The effect as Kubernetes spells it, or `None` for any other word.
    pub fn parse(word: &str) -> Option<TaintEffect> {
        match word {
            "NoSchedule" => Some(TaintEffect::NoSchedule),
            "PreferNoSchedule" => Some(TaintEffect::PreferNoSchedule),
            "NoExecute" => Some(TaintEffect::NoExecute),
            _ => None,
        }
    }
}

/// `core/v1 Toleration`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Toleration {
    /// Taint key; empty with `Exists` tolerates everything.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub key: String,
    /// `Equal` (default) or `Exists`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator: Option<TolerationOperator>,
    /// Value compared with `Equal`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub value: String,
    /// Effect to tolerate; empty tolerates all effects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effect: Option<TaintEffect>,
    /// Toleration period for NoExecute (ignored by the scheduler).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub toleration_seconds: Option<i64>,
}

/// Toleration operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TolerationOperator {
    /// Key must exist; value ignored.
    Exists,
    /// Key and value must be equal.
    Equal,
}
