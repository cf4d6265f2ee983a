//! FeedInventory detection (spec §8): what the controller-manager's built-in parsers
//! write for Deployments, StatefulSets and ReplicaSets. Used when the input has no
//! FeedInventory for a Dividing Subscription.
//!
//! Divergence: `replicaRequirements.resources` (the per-replica resource sum) is not
//! computed; it only feeds the dynamic predictor, which the model replaces with given
//! availabilities. `nodeSelector`, `tolerations` and `affinity` are copied.

use serde_json::{Map, Value};

use crate::feeds::{FeedIndex, Resolved, is_divisible_workload};
use crate::types::{FeedInventory, FeedInventorySpec, FeedOrder, ObjectMeta, Subscription};

/// Build the FeedInventory the controller-manager would write for `subscription`.
pub fn detect(subscription: &Subscription, index: &FeedIndex) -> FeedInventory {
    let feeds = subscription
        .spec
        .feeds
        .iter()
        .map(|feed| {
            let mut order = FeedOrder {
                feed: feed.clone(),
                desired_replicas: None,
                replica_requirements: None,
                replica_json_path: String::new(),
            };
            if !is_divisible_workload(&feed.api_version, &feed.kind) {
                return order;
            }
            if let Some(Resolved::Manifests(found)) = index.resolve(feed) {
                let template = &index.manifests[found[0]].template;
                order.desired_replicas = template
                    .pointer("/spec/replicas")
                    .and_then(Value::as_i64)
                    .and_then(|n| i32::try_from(n).ok());
                order.replica_json_path = String::from("/spec/replicas");
                let pod = template.pointer("/spec/template/spec");
                let mut requirements = Map::new();
                for key in ["nodeSelector", "tolerations", "affinity"] {
                    if let Some(v) = pod.and_then(|p| p.get(key)) {
                        requirements.insert(key.to_string(), v.clone());
                    }
                }
                order.replica_requirements = Some(Value::Object(requirements));
            }
            order
        })
        .collect();
    FeedInventory {
        metadata: ObjectMeta {
            name: subscription.metadata.name.clone(),
            namespace: subscription.metadata.namespace.clone(),
            ..Default::default()
        },
        spec: FeedInventorySpec { feeds },
    }
}
