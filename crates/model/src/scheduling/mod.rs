//! The scheduler (spec §2.4): cluster selection, taint filtering, scoring, sub-groups,
//! and replica division. Pure and deterministic: where upstream's order depends on an
//! unstable sort, clusters are ordered by score and then by `namespace/name`, and the
//! resulting tie is reported as a [`Warning`].

pub mod by_weight;
pub mod dividing;
pub mod predictor;

use std::collections::{BTreeMap, BTreeSet};

use crate::provenance::{Warning, WarningCode};
use crate::selectors::SelectorError;
use crate::taints;
use crate::types::{
    DividingType, FeedInventory, FeedKey, ManagedCluster, SchedulingStrategy, Subscription,
    SubscriptionStatus,
};
pub use predictor::{ClusterResources, PredictError};

/// Replicas a cluster can still host, as Clusternet's predictor would report them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Availability {
    /// For feeds not listed in `per_feed`.
    pub default: Option<i64>,
    /// Per feed key.
    pub per_feed: BTreeMap<FeedKey, i64>,
}

impl Availability {
    /// Availability for one feed, if known.
    pub fn for_feed(&self, key: &FeedKey) -> Option<i64> {
        self.per_feed.get(key).copied().or(self.default)
    }
}

/// Scheduling failures.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SchedulingError {
    /// A subscriber's selector is malformed.
    #[error("spec.subscribers[{index}].clusterAffinity: {source}")]
    Selector {
        /// Subscriber index.
        index: usize,
        /// The problem.
        #[source]
        source: SelectorError,
    },
    /// `schedulingBySubGroup` without a `subGroupStrategy`.
    #[error(
        "spec.subscribers[{index}].subGroupStrategy: required when schedulingBySubGroup is true"
    )]
    MissingSubGroupStrategy {
        /// Subscriber index.
        index: usize,
    },
}

/// The scheduler's decision for one Subscription.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Schedule {
    /// `"<namespace>/<name>"`, sorted.
    pub binding_clusters: Vec<String>,
    /// Indices into the cluster slice, aligned with `binding_clusters`.
    pub cluster_indices: Vec<usize>,
    /// Dividing only: per feed key, replicas aligned with `binding_clusters`.
    pub replicas: Option<BTreeMap<FeedKey, Vec<i32>>>,
    /// Dynamic dividing only: per feed key divided by availability in this scheduling, the
    /// availability of each candidate cluster (`"<namespace>/<name>"`). Feeds whose replicas
    /// were kept or scaled down over the current ones (no availability needed) are absent.
    pub availability: BTreeMap<FeedKey, BTreeMap<String, i64>>,
    /// Ties and filtered clusters.
    pub warnings: Vec<Warning>,
}

/// What dynamic dividing knows of the clusters' capacity, both keyed by
/// `"<namespace>/<name>"`: availabilities given outright win over Nodes and Pods to predict
/// from.
#[derive(Debug, Clone, Copy)]
pub struct Capacity<'a> {
    /// Availabilities given outright (annotation, provider configuration).
    pub availability: &'a BTreeMap<String, Availability>,
    /// Nodes and Pods, for the predictor.
    pub resources: &'a BTreeMap<String, ClusterResources>,
}

/// Schedule one Subscription over `clusters`.
///
/// `inventory` is the Subscription's FeedInventory (for dividing), `capacity` what dynamic
/// dividing divides by. Dynamic dividing starts from the Subscription's `status` (its
/// current binding and replicas) as upstream does.
pub fn schedule(
    subscription: &Subscription,
    clusters: &[ManagedCluster],
    inventory: Option<&FeedInventory>,
    capacity: Capacity<'_>,
) -> Result<Schedule, SchedulingError> {
    let spec = &subscription.spec;
    let sub_name = subscription.metadata.namespaced_name();
    let mut warnings = Vec::new();
    for (index, subscriber) in spec.subscribers.iter().enumerate() {
        if let Some(selector) = &subscriber.cluster_affinity {
            selector
                .validate()
                .map_err(|source| SchedulingError::Selector { index, source })?;
        }
    }
    let matches = |subscriber: usize, cluster: &ManagedCluster| {
        crate::selectors::matches(
            spec.subscribers[subscriber].cluster_affinity.as_ref(),
            &cluster.metadata.labels,
        )
    };

    // 1-2: candidates (union of subscribers, not being deleted), then the taint filter.
    let mut seen = BTreeSet::new();
    let mut candidates: Vec<usize> = Vec::new();
    for (i, cluster) in clusters.iter().enumerate() {
        if cluster.metadata.deletion_timestamp.is_some() {
            continue;
        }
        if !(0..spec.subscribers.len()).any(|s| matches(s, cluster)) {
            continue;
        }
        if !seen.insert(cluster.binding_name()) {
            continue;
        }
        if let Some(taint) =
            taints::untolerated_hard_taint(&cluster.spec.taints, &spec.cluster_tolerations)
        {
            warnings.push(Warning::new(
                WarningCode::ClusterTainted,
                format!(
                    "Subscription {sub_name}: cluster {} not bound: taint {}={}:{:?} is not tolerated by spec.clusterTolerations",
                    cluster.binding_name(),
                    taint.key,
                    taint.value,
                    taint.effect
                ),
            ));
            continue;
        }
        candidates.push(i);
    }

    // 4: score (fewer intolerable PreferNoSchedule taints first), ties by name.
    let penalty = |i: usize| {
        taints::intolerable_prefer_no_schedule(&clusters[i].spec.taints, &spec.cluster_tolerations)
    };
    candidates.sort_by_cached_key(|&i| (penalty(i), clusters[i].binding_name()));

    // 5: sub-group truncation.
    if spec.scheduling_by_sub_group == Some(true) {
        let mut chosen = Vec::new();
        let mut taken = BTreeSet::new();
        for (index, subscriber) in spec.subscribers.iter().enumerate() {
            let strategy = subscriber
                .sub_group_strategy
                .as_ref()
                .ok_or(SchedulingError::MissingSubGroupStrategy { index })?;
            let limit = strategy.min_clusters.max(0) as usize;
            for &i in candidates
                .iter()
                .filter(|&&i| matches(index, &clusters[i]))
                .take(limit)
            {
                if taken.insert(i) {
                    chosen.push(i);
                }
            }
        }
        candidates = chosen;
    }

    // 7-8: division, in score order.
    let mut replicas: Option<BTreeMap<FeedKey, Vec<i64>>> = None;
    let mut dynamic_availability = BTreeMap::new();
    // The bound clusters, aligned with `replicas`: the candidates, except after dynamic
    // dividing over a current binding.
    let mut chosen = candidates.clone();
    if spec.scheduling_strategy == SchedulingStrategy::Dividing {
        let dividing_type = spec
            .dividing_scheduling
            .as_ref()
            .map(|d| d.kind)
            .unwrap_or_default();
        let desired_of = |feed_index: usize| {
            let feed = &spec.feeds[feed_index];
            inventory.and_then(|inv| {
                inv.spec
                    .feeds
                    .iter()
                    .find(|order| order.feed == *feed)
                    .and_then(|order| order.desired_replicas)
            })
        };
        let names: Vec<String> = candidates
            .iter()
            .map(|&i| clusters[i].binding_name())
            .collect();
        match dividing_type {
            DividingType::Static => {
                let weights: Vec<i64> = candidates
                    .iter()
                    .map(|&i| {
                        spec.subscribers
                            .iter()
                            .enumerate()
                            .filter(|(s, sub)| sub.weight > 0 && matches(*s, &clusters[i]))
                            .map(|(_, sub)| sub.weight as i64)
                            .sum()
                    })
                    .collect();
                if weights.iter().sum::<i64>() > 0 {
                    let mut map = BTreeMap::new();
                    for (f, feed) in spec.feeds.iter().enumerate() {
                        let list = match desired_of(f) {
                            Some(desired) => {
                                let division = dividing::static_divide(desired as i64, &weights);
                                if division.tie {
                                    warnings.push(tie_warning(&sub_name, &feed.key(), "weight"));
                                }
                                division.replicas
                            }
                            None => Vec::new(),
                        };
                        map.insert(feed.key(), list);
                    }
                    replicas = Some(map);
                }
            }
            DividingType::Dynamic => {
                let order_of = |feed_index: usize| {
                    let feed = &spec.feeds[feed_index];
                    inventory.and_then(|inv| inv.spec.feeds.iter().find(|o| o.feed == *feed))
                };
                let current = Current::of(&subscription.status, &names);
                let mut result = current.clone().unwrap_or_default();
                for (f, feed) in spec.feeds.iter().enumerate() {
                    let key = feed.key();
                    let desired = desired_of(f).map(i64::from);
                    let scheduled = current.as_ref().and_then(|c| c.replicas.get(&key));
                    let deviation = desired.map(|d| d - scheduled.map_or(0, |r| r.iter().sum()));
                    // upstream dynamic.go PreAssign/DynamicDivideReplicas: first scheduling
                    // and scaling up divide the deviation by availability, scaling down
                    // divides it by the current replicas, no deviation changes nothing.
                    let divided = match (scheduled, deviation) {
                        (None, _) | (_, Some(1..)) => {
                            let Some(d) = deviation else {
                                result.merge(&names, &key, &[]);
                                continue;
                            };
                            let requirements =
                                order_of(f).and_then(|o| o.replica_requirements.as_ref());
                            let available: Vec<i64> = names
                                .iter()
                                .map(|name| {
                                    available_replicas(capacity, name, &key, requirements)
                                        .unwrap_or_else(|reason| {
                                            warnings.push(Warning::new(
                                                WarningCode::UnknownAvailability,
                                                format!("Subscription {sub_name}: feed {key}: {reason} for cluster {name}; taken as 0"),
                                            ));
                                            0
                                        })
                                })
                                .collect();
                            let division = dividing::dynamic_divide(d, &available);
                            if division.tie {
                                warnings.push(tie_warning(&sub_name, &key, "remainder"));
                            }
                            dynamic_availability.insert(
                                key.clone(),
                                names.iter().cloned().zip(available).collect(),
                            );
                            (names.clone(), division.replicas)
                        }
                        (Some(now), Some(d @ ..=-1)) => {
                            let division = dividing::dynamic_divide(d, now);
                            if division.tie {
                                warnings.push(tie_warning(&sub_name, &key, "remainder"));
                            }
                            let bound = current
                                .as_ref()
                                .map(|c| c.bindings.clone())
                                .unwrap_or_default();
                            (bound, division.replicas)
                        }
                        _ => continue,
                    };
                    result.merge(&divided.0, &key, &divided.1);
                }
                chosen = result
                    .bindings
                    .iter()
                    .map(|b| {
                        candidates[names
                            .iter()
                            .position(|n| n == b)
                            .expect("bound clusters are candidates")]
                    })
                    .collect();
                replicas = Some(result.replicas);
            }
        }
    }

    // 9: the binder sorts clusters by name and permutes replica vectors along.
    let mut order: Vec<usize> = (0..chosen.len()).collect();
    order.sort_by_cached_key(|&k| clusters[chosen[k]].binding_name());
    let binding_clusters = order
        .iter()
        .map(|&k| clusters[chosen[k]].binding_name())
        .collect();
    let cluster_indices = order.iter().map(|&k| chosen[k]).collect();
    let replicas = replicas.map(|map| {
        map.into_iter()
            .map(|(key, list)| {
                let sorted = if list.is_empty() {
                    Vec::new()
                } else {
                    order.iter().map(|&k| list[k] as i32).collect()
                };
                (key, sorted)
            })
            .collect()
    });
    Ok(Schedule {
        binding_clusters,
        cluster_indices,
        replicas,
        availability: dynamic_availability,
        warnings,
    })
}

/// A cluster's availability for one feed: given outright, else predicted from its Nodes
/// and Pods; `Err` says why there is none.
fn available_replicas(
    capacity: Capacity<'_>,
    cluster: &str,
    feed: &FeedKey,
    requirements: Option<&serde_json::Value>,
) -> Result<i64, String> {
    if let Some(n) = capacity
        .availability
        .get(cluster)
        .and_then(|a| a.for_feed(feed))
    {
        return Ok(n);
    }
    match capacity.resources.get(cluster) {
        Some(resources) => predictor::max_available_replicas(resources, requirements)
            .map_err(|e| format!("the predictor has no answer ({e})")),
        None => Err("no availability known".to_string()),
    }
}

/// A binding with replicas per feed, aligned (upstream's `TargetClusters`).
#[derive(Debug, Clone, Default)]
struct Current {
    bindings: Vec<String>,
    replicas: BTreeMap<FeedKey, Vec<i64>>,
}

impl Current {
    /// The Subscription's current binding, when it has replicas and every bound cluster is
    /// still a candidate (otherwise the model divides from scratch: it renders only
    /// clusters it can select, where upstream would keep replicas on a cluster gone).
    fn of(status: &SubscriptionStatus, candidates: &[String]) -> Option<Current> {
        let replicas = status.replicas.as_ref()?;
        let bindings = &status.binding_clusters;
        let aligned = replicas
            .values()
            .all(|r| r.is_empty() || r.len() == bindings.len());
        let selectable = bindings.iter().all(|b| candidates.contains(b));
        (aligned && selectable && !bindings.is_empty()).then(|| Current {
            bindings: bindings.clone(),
            replicas: replicas
                .iter()
                .map(|(k, r)| (k.clone(), r.iter().map(|&n| i64::from(n)).collect()))
                .collect(),
        })
    }

    /// Upstream `TargetClusters.MergeOneFeed` (scheduler framework/interfaces/types.go):
    /// `replicas` of `feed` over `bindings` added to the current ones; clusters new to the
    /// binding are appended (with 0 for the other feeds).
    fn merge(&mut self, bindings: &[String], feed: &FeedKey, replicas: &[i64]) {
        if bindings.is_empty() {
            return;
        }
        if replicas.is_empty() {
            self.replicas.entry(feed.clone()).or_default();
            return;
        }
        let width = self.bindings.len();
        let list = self
            .replicas
            .entry(feed.clone())
            .or_insert_with(|| vec![0; width]);
        if list.len() != width {
            *list = vec![0; width];
        }
        for (cluster, &n) in bindings.iter().zip(replicas) {
            match self.bindings.iter().position(|b| b == cluster) {
                Some(i) => self.replicas.get_mut(feed).expect("inserted above")[i] += n,
                None => {
                    self.bindings.push(cluster.clone());
                    for (key, list) in self.replicas.iter_mut() {
                        if key == feed {
                            list.push(n);
                        } else if !list.is_empty() {
                            list.push(0);
                        }
                    }
                }
            }
        }
    }
}

fn tie_warning(subscription: &str, feed: &FeedKey, what: &str) -> Warning {
    Warning::new(
        WarningCode::ReplicaTie,
        format!(
            "Subscription {subscription}: feed {feed}: leftover replicas went to clusters of equal {what}; \
             upstream's choice among them follows its (unstable) score order, the preview chose by cluster name"
        ),
    )
}
