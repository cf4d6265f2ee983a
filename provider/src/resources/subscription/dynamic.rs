//! Dynamic dividing in a subscription (ADR 0029): the division its prior state holds, which
//! Clusternet's scheduler starts from (it divides only the deviation from it), and the
//! `availability` the plan shows.

use std::collections::BTreeMap;

use clusternet_model::render::{RenderInput, SubscriptionRender};
use clusternet_model::scheduling::Availability;
use clusternet_model::types::{DividingType, FeedKey, SubscriptionStatus};
use clusternet_tfplugin::Value;

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
