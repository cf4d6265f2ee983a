//! The scheduler (spec §2.4): cluster selection, taint filtering, scoring, sub-groups,
//! and replica division. Pure and deterministic: where upstream's order depends on an
//! unstable sort, clusters are ordered by score and then by `namespace/name`, and the
//! resulting tie is reported as a [`Warning`].

pub mod by_weight;
pub mod dividing;

use std::collections::{BTreeMap, BTreeSet};

use crate::provenance::{Warning, WarningCode};
use crate::selectors::SelectorError;
use crate::taints;
use crate::types::{
    DividingType, FeedInventory, FeedKey, ManagedCluster, SchedulingStrategy, Subscription,
};

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
    /// Ties and filtered clusters.
    pub warnings: Vec<Warning>,
}

/// Schedule one Subscription over `clusters`.
///
/// `inventory` is the Subscription's FeedInventory (for dividing), `availability` is keyed
/// by `"<namespace>/<name>"` (for dynamic dividing).
pub fn schedule(
    subscription: &Subscription,
    clusters: &[ManagedCluster],
    inventory: Option<&FeedInventory>,
    availability: &BTreeMap<String, Availability>,
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
                let mut map = BTreeMap::new();
                for (f, feed) in spec.feeds.iter().enumerate() {
                    let key = feed.key();
                    let list = match desired_of(f) {
                        Some(desired) => {
                            let available: Vec<i64> = names
                                .iter()
                                .map(|name| {
                                    availability
                                        .get(name)
                                        .and_then(|a| a.for_feed(&key))
                                        .unwrap_or_else(|| {
                                            warnings.push(Warning::new(
                                                WarningCode::UnknownAvailability,
                                                format!("Subscription {sub_name}: feed {key}: no availability known for cluster {name}; taken as 0"),
                                            ));
                                            0
                                        })
                                })
                                .collect();
                            let division = dividing::dynamic_divide(desired as i64, &available);
                            if division.tie {
                                warnings.push(tie_warning(&sub_name, &key, "remainder"));
                            }
                            division.replicas
                        }
                        None => Vec::new(),
                    };
                    map.insert(key, list);
                }
                replicas = Some(map);
            }
        }
    }

    // 9: the binder sorts clusters by name and permutes replica vectors along.
    let mut order: Vec<usize> = (0..candidates.len()).collect();
    order.sort_by_cached_key(|&k| clusters[candidates[k]].binding_name());
    let binding_clusters = order
        .iter()
        .map(|&k| clusters[candidates[k]].binding_name())
        .collect();
    let cluster_indices = order.iter().map(|&k| candidates[k]).collect();
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
        warnings,
    })
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
