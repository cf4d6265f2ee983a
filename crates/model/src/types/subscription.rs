//! `Subscription` (apps.clusternet.io/v1alpha1) and its `Feed` references.
//!
//! Field order of the spec structs follows the Go structs: it is the order of the
//! JSON that `specHash` hashes (spec §2.6).

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::cluster::Toleration;
use super::meta::{LabelSelector, ObjectMeta};

/// A Subscription: which feeds go to which clusters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Subscription {
    /// Metadata.
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// Spec (CRD defaults applied on deserialisation, as the API server would).
    pub spec: SubscriptionSpec,
    /// Status; written by the scheduler.
    #[serde(default, skip_serializing_if = "SubscriptionStatus::is_empty")]
    pub status: SubscriptionStatus,
}

/// `SubscriptionSpec`, in Go field order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionSpec {
    /// Scheduler profile, default `default`.
    #[serde(
        default = "default_scheduler",
        skip_serializing_if = "String::is_empty"
    )]
    pub scheduler_name: String,
    /// Truncate per subscriber to `subGroupStrategy.minClusters`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduling_by_sub_group: Option<bool>,
    /// `Replication` (default) or `Dividing`.
    #[serde(default)]
    pub scheduling_strategy: SchedulingStrategy,
    /// Dividing parameters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dividing_scheduling: Option<DividingScheduling>,
    /// Scheduling priority.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<i32>,
    /// Preemption policy, default `PreemptLowerPriority`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preemption_policy: Option<PreemptionPolicy>,
    /// Subscribers (cluster selectors with weights).
    pub subscribers: Vec<Subscriber>,
    /// Tolerations matched against ManagedCluster taints.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cluster_tolerations: Vec<Toleration>,
    /// Feeds, in order.
    pub feeds: Vec<Feed>,
}

impl SubscriptionSpec {
    /// Apply the CRD defaults the API server applies on admission.
    pub fn apply_defaults(&mut self) {
        if self.preemption_policy.is_none() {
            self.preemption_policy = Some(PreemptionPolicy::PreemptLowerPriority);
        }
        if self.scheduler_name.is_empty() {
            self.scheduler_name = default_scheduler();
        }
    }
}

fn default_scheduler() -> String {
    String::from("default")
}

/// Scheduling strategies.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum SchedulingStrategy {
    /// Every bound cluster gets everything.
    #[default]
    Replication,
    /// Workload replicas are divided between clusters.
    Dividing,
}

/// Preemption policies (CRD enum values).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PreemptionPolicy {
    /// May preempt lower-priority subscriptions.
    PreemptLowerPriority,
    /// Never preempts.
    PreemptNever,
}

/// `DividingScheduling`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DividingScheduling {
    /// `Static` (default) or `Dynamic`.
    #[serde(default, rename = "type")]
    pub kind: DividingType,
    /// Dynamic parameters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dynamic_dividing: Option<DynamicDividing>,
}

/// Dividing types.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum DividingType {
    /// By subscriber weights.
    #[default]
    Static,
    /// By predicted availability.
    Dynamic,
}

/// `DynamicDividing`; the core-typed lists are kept opaque.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DynamicDividing {
    /// `Spread` (default) or `Binpack` (not implemented upstream either).
    #[serde(default)]
    pub strategy: DynamicStrategy,
    /// Topology spread constraints (not evaluated offline).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topology_spread_constraints: Option<Value>,
    /// Preferred clusters (not evaluated offline).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_clusters: Option<Value>,
    /// Lower bound of clusters (not evaluated offline).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_clusters: Option<i32>,
    /// Upper bound of clusters (not evaluated offline).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_clusters: Option<i32>,
}

/// Dynamic dividing strategies.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum DynamicStrategy {
    /// Spread replicas proportionally to availability.
    #[default]
    Spread,
    /// Pack replicas (treated as Spread, as upstream only implements Spread).
    Binpack,
}

/// A subscriber: a cluster selector with a static weight.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Subscriber {
    /// Cluster label selector (required; `{}` selects all clusters).
    pub cluster_affinity: Option<LabelSelector>,
    /// Static dividing weight.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub weight: i32,
    /// Sub-group truncation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_group_strategy: Option<SubGroupStrategy>,
}

fn is_zero(n: &i32) -> bool {
    *n == 0
}

/// `SubGroupStrategy`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubGroupStrategy {
    /// How many clusters this subscriber contributes.
    #[serde(default)]
    pub min_clusters: i32,
}

/// A feed reference, in Go field order (`kind`, `apiVersion`, `namespace`, `name`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Feed {
    /// Kind; `HelmChart` means a HelmChart object whatever the apiVersion.
    pub kind: String,
    /// API version the object was submitted with.
    pub api_version: String,
    /// Namespace; empty matches every namespace (quirk) or a cluster-scoped object.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    /// Name.
    pub name: String,
}

impl Feed {
    /// `utils.GetFeedKey`: `<apiVersion>/<kind>/<namespace>/<name>`, namespace omitted when empty.
    pub fn key(&self) -> FeedKey {
        FeedKey(if self.namespace.is_empty() {
            format!("{}/{}/{}", self.api_version, self.kind, self.name)
        } else {
            format!(
                "{}/{}/{}/{}",
                self.api_version, self.kind, self.namespace, self.name
            )
        })
    }

    /// Whether this feed refers to a HelmChart.
    pub fn is_helm_chart(&self) -> bool {
        self.kind == "HelmChart"
    }
}

/// `utils.FormatFeed`: `"<Kind> <namespace>/<name>"` or `"<Kind> <name>"`.
impl fmt::Display for Feed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.namespace.is_empty() {
            write!(f, "{} {}", self.kind, self.name)
        } else {
            write!(f, "{} {}/{}", self.kind, self.namespace, self.name)
        }
    }
}

/// A feed key as used in `status.replicas` (see [`Feed::key`]).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FeedKey(pub String);

impl fmt::Display for FeedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// `SubscriptionStatus` (the fields the scheduler writes, plus the opaque rest).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionStatus {
    /// `"<namespace>/<cluster>"`, sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub binding_clusters: Vec<String>,
    /// Per feed key, replicas aligned with `binding_clusters` (Dividing only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<BTreeMap<FeedKey, Vec<i32>>>,
    /// Hash of the spec (§2.6).
    #[serde(default, skip_serializing_if = "is_zero_u64")]
    pub spec_hash: u64,
    /// Number of bound clusters.
    #[serde(default, skip_serializing_if = "is_zero_usize")]
    pub desired_releases: usize,
    /// Declared upstream but never written (quirk).
    #[serde(default, skip_serializing_if = "is_zero_usize")]
    pub completed_releases: usize,
    /// Aggregated feed statuses (collected from clusters; opaque here).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aggregated_statuses: Option<Value>,
}

impl SubscriptionStatus {
    fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

fn is_zero_u64(n: &u64) -> bool {
    *n == 0
}

fn is_zero_usize(n: &usize) -> bool {
    *n == 0
}
