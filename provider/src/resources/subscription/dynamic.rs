//! Dynamic dividing in a subscription (ADR 0029): the division its prior state holds, which
//! Clusternet's scheduler starts from (it divides only the deviation from it), and the
//! `availability` the plan shows.

use std::collections::BTreeMap;

use clusternet_model::render::{RenderInput, SubscriptionRender};
use clusternet_model::scheduling::Availability;
use clusternet_model::types::{DividingType, FeedKey, SubscriptionStatus};
use clusternet_tfplugin::Value;
use serde_json::Value as Json;

use super::config::SubscriptionConfig;
use crate::attrs;
use crate::config::ProviderConfig;

/// The computed attribute showing each cluster's availability.
pub const AVAILABILITY: &str = "availability";

/// What a dynamically divided subscription's prior state holds: its binding, replicas and
/// the availability they were divided by, keyed `<cluster>/<feed key>`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CurrentDivision {
    /// Bound cluster names.
    pub binding_clusters: Vec<String>,
    /// Replicas, `<cluster>/<feed key>`.
    pub replicas: BTreeMap<String, i64>,
    /// Availability shown, `<cluster>/<feed key>`.
    pub availability: BTreeMap<String, i64>,
}

fn numbers(state: &Value, name: &str) -> BTreeMap<String, i64> {
    match attrs::entries(state, name) {
        attrs::Field::Known(entries) => entries
            .iter()
            .filter_map(|(k, v)| Some((k.clone(), v.as_number()?.as_i64()?)))
            .collect(),
        _ => BTreeMap::new(),
    }
}

impl CurrentDivision {
    /// The division of a prior state that was dynamically divided and has replicas; `None`
    /// otherwise (a subscription that turns Dynamic is divided from scratch).
    pub fn of_state(prior: &Value) -> Option<CurrentDivision> {
        if prior.is_null()
            || attrs::string(prior, "scheduling_strategy")
                .known()
                .as_deref()
                != Some("Dividing")
            || attrs::string(prior, "dividing_type").known().as_deref() != Some("Dynamic")
        {
            return None;
        }
        let binding_clusters = match attrs::elements(prior, "binding_clusters") {
            attrs::Field::Known(items) => items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            _ => return None,
        };
        let replicas = numbers(prior, "replicas");
        (!replicas.is_empty()).then(|| CurrentDivision {
            binding_clusters,
            replicas,
            availability: numbers(prior, AVAILABILITY),
        })
    }
}

impl CurrentDivision {
    /// The division a Subscription on the hub (`object`, its status as the scheduler, or this
    /// provider, wrote it) holds, in the inventory's cluster names; `None` unless it divides
    /// dynamically and has replicas, or when a bound cluster is not in the inventory. An
    /// import starts from it, as Clusternet's scheduler would, so that the imported
    /// replicas are those deployed.
    pub fn of_hub(object: &Json, inventory: &ProviderConfig) -> Option<CurrentDivision> {
        let spec = &object["spec"];
        if spec["schedulingStrategy"] != "Dividing"
            || spec.pointer("/dividingScheduling/type") != Some(&Json::from("Dynamic"))
        {
            return None;
        }
        let status = &object["status"];
        let binding_clusters = status["bindingClusters"]
            .as_array()?
            .iter()
            .map(|binding| {
                let (namespace, name) = binding.as_str()?.split_once('/')?;
                inventory
                    .clusters
                    .values()
                    .find(|c| c.namespace == namespace && c.name == name)
                    .map(|c| c.name.clone())
            })
            .collect::<Option<Vec<String>>>()?;
        let mut replicas = BTreeMap::new();
        for (feed, counts) in status["replicas"].as_object()? {
            for (cluster, count) in binding_clusters.iter().zip(counts.as_array()?) {
                replicas.insert(format!("{cluster}/{feed}"), count.as_i64()?);
            }
        }
        (!replicas.is_empty()).then(|| CurrentDivision {
            binding_clusters,
            replicas,
            availability: BTreeMap::new(),
        })
    }
}

/// `<cluster>/<feed key>` split at the first `/` (cluster names are DNS labels).
fn split(key: &str) -> Option<(&str, &str)> {
    key.split_once('/')
}

/// The Subscription status the scheduler starts from: the current division of `config`, its
/// clusters as the inventory names them on the hub (`<namespace>/<name>`, sorted as the
/// binder sorts). Empty (divide from scratch) when there is none or a bound cluster left the
/// inventory.
pub fn current_status(
    config: &SubscriptionConfig,
    inventory: &ProviderConfig,
) -> SubscriptionStatus {
    let Some(current) = config
        .current
        .as_ref()
        .filter(|_| config.dividing_type == DividingType::Dynamic)
    else {
        return SubscriptionStatus::default();
    };
    let mut bound: Vec<(String, &str)> = Vec::new();
    for name in &current.binding_clusters {
        let Some(cluster) = inventory.clusters.get(name) else {
            return SubscriptionStatus::default();
        };
        bound.push((
            format!("{}/{}", cluster.namespace, cluster.name),
            name.as_str(),
        ));
    }
    bound.sort();
    let mut replicas: BTreeMap<FeedKey, Vec<i32>> = BTreeMap::new();
    for (key, &n) in &current.replicas {
        let Some((cluster, feed)) = split(key) else {
            continue;
        };
        let Some(index) = bound.iter().position(|(_, name)| *name == cluster) else {
            return SubscriptionStatus::default();
        };
        let list = replicas
            .entry(FeedKey(feed.to_string()))
            .or_insert_with(|| vec![0; bound.len()]);
        list[index] = i32::try_from(n).unwrap_or(i32::MAX);
    }
    SubscriptionStatus {
        binding_clusters: bound.into_iter().map(|(binding, _)| binding).collect(),
        replicas: Some(replicas),
        ..SubscriptionStatus::default()
    }
}

/// The `availability` to show: `None` unless dynamically divided. Feeds divided by
/// availability in this rendering show it for every candidate cluster; feeds whose replicas
/// were kept or scaled down over the current ones keep what the prior state showed (the
/// numbers their replicas were divided by), so that a plan without change stays empty.
pub fn shown(
    config: &SubscriptionConfig,
    result: &SubscriptionRender,
) -> Option<BTreeMap<String, i64>> {
    if config.strategy != clusternet_model::types::SchedulingStrategy::Dividing
        || config.dividing_type != DividingType::Dynamic
    {
        return None;
    }
    let mut shown = BTreeMap::new();
    for (feed, per_cluster) in &result.availability {
        for (binding, &n) in per_cluster {
            let cluster = split(binding).map_or(binding.as_str(), |(_, name)| name);
            shown.insert(format!("{cluster}/{}", feed.0), n);
        }
    }
    if let Some(current) = &config.current {
        for (key, &n) in &current.availability {
            let divided_now = split(key).is_some_and(|(_, feed)| {
                result.availability.contains_key(&FeedKey(feed.to_string()))
            });
            let still_a_feed = split(key).is_some_and(|(_, feed)| {
                result
                    .subscription
                    .spec
                    .feeds
                    .iter()
                    .any(|f| f.key().0 == feed)
            });
            if !divided_now && still_a_feed {
                shown.insert(key.clone(), n);
            }
        }
    }
    Some(shown)
}

/// `shown` as the attribute's value.
pub fn value(shown: Option<&BTreeMap<String, i64>>) -> Value {
    match shown {
        None => Value::Null,
        Some(map) => Value::Map(
            map.iter()
                .map(|(k, &n)| (k.clone(), Value::from(n)))
                .collect(),
        ),
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

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use serde_json::json;

    use super::*;
    use crate::config::{ClusterConfig, ClusterSource, Deployer, Target};

    fn inventory() -> ProviderConfig {
        let cluster = |name: &str| {
            (
                name.to_string(),
                ClusterConfig {
                    name: name.to_string(),
                    labels: BTreeMap::new(),
                    namespace: format!("clusternet-{name}"),
                    taints: Vec::new(),
                    target: Target::Directory(PathBuf::from("/nonexistent")),
                    source: ClusterSource::Config,
                    namespace_set: false,
                    capacity: Some(4),
                },
            )
        };
        ProviderConfig {
            hub: None,
            deployer: Deployer::Provider,
            clusters: BTreeMap::from([cluster("eu-1"), cluster("us-1")]),
            parallelism: 2,
            force_conflicts: false,
            helm_binary: None,
            has_unknowns: false,
            snapshot: None,
            verify_timeout: None,
            capacity: None,
        }
    }

    fn hub_subscription(dividing: &str, bindings: Json) -> Json {
        json!({
            "spec": {"schedulingStrategy": "Dividing", "dividingScheduling": {"type": dividing}},
            "status": {
                "bindingClusters": bindings,
                "replicas": {"apps/v1/Deployment/shop/web": [2, 5]}
            }
        })
    }

    #[test]
    fn an_import_starts_from_the_division_on_the_hub() {
        let object = hub_subscription(
            "Dynamic",
            json!(["clusternet-eu-1/eu-1", "clusternet-us-1/us-1"]),
        );
        let current = CurrentDivision::of_hub(&object, &inventory()).expect("a division");
        assert_eq!(current.binding_clusters, ["eu-1", "us-1"]);
        assert_eq!(
            current.replicas,
            BTreeMap::from([
                ("eu-1/apps/v1/Deployment/shop/web".to_string(), 2),
                ("us-1/apps/v1/Deployment/shop/web".to_string(), 5),
            ])
        );
    }

    #[test]
    fn no_division_to_start_from_unless_dynamic_and_every_cluster_known() {
        let known = json!(["clusternet-eu-1/eu-1", "clusternet-us-1/us-1"]);
        assert!(
            CurrentDivision::of_hub(&hub_subscription("Static", known), &inventory()).is_none()
        );
        let unknown = json!(["clusternet-eu-1/eu-1", "clusternet-ap-1/ap-1"]);
        assert!(
            CurrentDivision::of_hub(&hub_subscription("Dynamic", unknown), &inventory()).is_none()
        );
        assert!(CurrentDivision::of_hub(&json!({}), &inventory()).is_none());
    }
}
