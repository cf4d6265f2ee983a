//! `FeedInventory` (apps.clusternet.io/v1alpha1): replica facts per feed, for dividing.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::meta::ObjectMeta;
use super::subscription::Feed;

/// Same namespace/name as its Subscription; entries aligned with `spec.feeds`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedInventory {
    /// Metadata.
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// Spec.
    pub spec: FeedInventorySpec,
}

/// `FeedInventorySpec`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FeedInventorySpec {
    /// One entry per Subscription feed.
    #[serde(default)]
    pub feeds: Vec<FeedOrder>,
}

/// One inventory entry: the feed plus how to divide it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FeedOrder {
    /// The feed.
    #[serde(flatten)]
    pub feed: Feed,
    /// Replicas to divide; absent means not divided.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desired_replicas: Option<i32>,
    /// What one replica needs (nodeSelector, tolerations, affinity, resources).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replica_requirements: Option<Value>,
    /// JSON pointer of the replica field, e.g. `/spec/replicas`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub replica_json_path: String,
}
