//! FeedInventory detection (spec §8): what the controller-manager's built-in parsers
//! write for Deployments, StatefulSets and ReplicaSets. Used when the input has no
//! FeedInventory for a Dividing Subscription.
//!
//! `replicaRequirements` holds the pod template's `nodeSelector`, `tolerations`, `affinity`
//! and `resources`: per resource, the sum over containers (a request defaults to the
//! limit when only a limit is given), then the maximum with each init container.

use serde_json::{Map, Value};

use std::collections::BTreeMap;

use crate::feeds::{FeedIndex, Resolved, is_divisible_workload};
use crate::quantity::Quantity;
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
                if let Some(resources) = pod.and_then(pod_resources) {
                    requirements.insert(String::from("resources"), resources);
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

type ResourceList = BTreeMap<String, Quantity>;

fn resource_list(value: Option<&Value>) -> ResourceList {
    value
        .and_then(Value::as_object)
        .map(|map| {
            map.iter()
                .filter_map(|(name, q)| Some((name.clone(), Quantity::parse(q.as_str()?)?)))
                .collect()
        })
        .unwrap_or_default()
}

/// (requests, limits) of one container, requests defaulted from limits.
fn container_resources(container: &Value) -> (ResourceList, ResourceList) {
    let resources = container.get("resources");
    let limits = resource_list(resources.and_then(|r| r.get("limits")));
    let mut requests = resource_list(resources.and_then(|r| r.get("requests")));
    for (name, limit) in &limits {
        requests.entry(name.clone()).or_insert(*limit);
    }
    (requests, limits)
}

fn add_into(total: &mut ResourceList, list: &ResourceList) {
    for (name, q) in list {
        total
            .entry(name.clone())
            .and_modify(|t| *t = *t + *q)
            .or_insert(*q);
    }
}

fn max_into(total: &mut ResourceList, list: &ResourceList) {
    for (name, q) in list {
        match total.get(name) {
            Some(current) if current >= q => {}
            _ => {
                total.insert(name.clone(), *q);
            }
        }
    }
}

fn to_json(list: &ResourceList) -> Value {
    Value::Object(
        list.iter()
            .map(|(name, q)| (name.clone(), Value::String(q.to_string())))
            .collect::<Map<_, _>>(),
    )
}

/// `{requests, limits}` of one replica, or `None` when the pod declares no resources.
fn pod_resources(pod: &Value) -> Option<Value> {
    let (mut requests, mut limits) = (ResourceList::new(), ResourceList::new());
    let containers = |key: &str| {
        pod.get(key)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    for container in containers("containers") {
        let (r, l) = container_resources(&container);
        add_into(&mut requests, &r);
        add_into(&mut limits, &l);
    }
    for container in containers("initContainers") {
        let (r, l) = container_resources(&container);
        max_into(&mut requests, &r);
        max_into(&mut limits, &l);
    }
    let mut out = Map::new();
    if !limits.is_empty() {
        out.insert(String::from("limits"), to_json(&limits));
    }
    if !requests.is_empty() {
        out.insert(String::from("requests"), to_json(&requests));
    }
    (!out.is_empty()).then_some(Value::Object(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn resources_are_summed_then_maxed_with_init_containers() {
        let pod = json!({
            "containers": [
                {"resources": {"requests": {"cpu": "100m", "memory": "128Mi"}}},
                {"resources": {"limits": {"cpu": "1", "memory": "256Mi"}}}
            ],
            "initContainers": [
                {"resources": {"requests": {"cpu": "2", "memory": "64Mi"}}}
            ]
        });
        assert_eq!(
            pod_resources(&pod).unwrap(),
            json!({"limits": {"cpu": "1", "memory": "256Mi"},
                   "requests": {"cpu": "2", "memory": "384Mi"}})
        );
        assert!(pod_resources(&json!({"containers": [{"name": "x"}]})).is_none());
    }
}
