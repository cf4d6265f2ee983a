//! Static dividing of one replica count over named, weighted clusters, answered by the
//! scheduler itself ([`super::schedule`]) so that it agrees with every rendered Subscription:
//! the same candidate order (by `<dedicated namespace>/<name>`), the same arithmetic, the same
//! tie rule. The provider's `divide` function is built on it (docs/adr/0028).

use std::collections::BTreeMap;

use super::{Capacity, SchedulingError, schedule};
use crate::provenance::WarningCode;
use crate::types::{
    DividingScheduling, DividingType, Feed, FeedInventory, FeedInventorySpec, FeedOrder,
    LabelSelector, ManagedCluster, ObjectMeta, SchedulingStrategy, Subscriber, Subscription,
    SubscriptionSpec,
};

/// One cluster of a division.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeightedCluster {
    /// Its dedicated namespace on the hub (`clusternet-<name>` unless configured otherwise):
    /// part of the name the scheduler orders clusters by.
    pub namespace: String,
    /// The cluster's name.
    pub name: String,
    /// The weight of the subscriber that selects it (0: it gets no share).
    pub weight: i32,
}

/// The outcome of [`divide_by_weight`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WeightedDivision {
    /// Replicas per cluster, aligned with the input.
    Divided {
        /// Replicas of each input cluster.
        replicas: Vec<i64>,
        /// Leftover replicas went to clusters of equal weight, so upstream's unstable order
        /// could have picked others; the model picked by name.
        tie: bool,
    },
    /// The weights sum to 0: Clusternet divides nothing (the Subscription has no replicas).
    NothingWeighted,
}

/// The label that ties each synthetic subscriber to its one cluster.
const INDEX_LABEL: &str = "divide.clusternet.io/index";

/// Divides `desired` replicas of one workload over `clusters` as a Static `Dividing`
/// Subscription with one subscriber per cluster (of that cluster's weight) would.
pub fn divide_by_weight(
    desired: i32,
    clusters: &[WeightedCluster],
) -> Result<WeightedDivision, SchedulingError> {
    let managed: Vec<ManagedCluster> = clusters
        .iter()
        .enumerate()
        .map(|(i, c)| ManagedCluster {
            metadata: ObjectMeta {
                name: c.name.clone(),
                namespace: c.namespace.clone(),
                labels: [(INDEX_LABEL.to_string(), i.to_string())].into(),
                ..Default::default()
            },
            ..Default::default()
        })
        .collect();
    let subscribers = clusters
        .iter()
        .enumerate()
        .map(|(i, c)| Subscriber {
            cluster_affinity: Some(LabelSelector {
                match_labels: [(INDEX_LABEL.to_string(), i.to_string())].into(),
                match_expressions: Vec::new(),
            }),
            weight: c.weight,
            sub_group_strategy: None,
        })
        .collect();
    let feed = Feed {
        kind: "Deployment".to_string(),
        api_version: "apps/v1".to_string(),
        namespace: "default".to_string(),
        name: "divided".to_string(),
    };
    let metadata = ObjectMeta {
        name: "divide".to_string(),
        namespace: "default".to_string(),
        ..Default::default()
    };
    let subscription = Subscription {
        metadata: metadata.clone(),
        spec: SubscriptionSpec {
            scheduler_name: String::new(),
            scheduling_by_sub_group: None,
            scheduling_strategy: SchedulingStrategy::Dividing,
            dividing_scheduling: Some(DividingScheduling {
                kind: DividingType::Static,
                dynamic_dividing: None,
            }),
            priority: None,
            preemption_policy: None,
            subscribers,
            cluster_tolerations: Vec::new(),
            feeds: vec![feed.clone()],
        },
        status: Default::default(),
    };
    let inventory = FeedInventory {
        metadata,
        spec: FeedInventorySpec {
            feeds: vec![FeedOrder {
                feed: feed.clone(),
                desired_replicas: Some(desired),
                replica_requirements: None,
                replica_json_path: String::new(),
            }],
        },
    };
    // Static dividing divides by weight: no capacity is read.
    let schedule = schedule(
        &subscription,
        &managed,
        Some(&inventory),
        Capacity {
            availability: &BTreeMap::new(),
            resources: &BTreeMap::new(),
        },
    )?;
    let Some(list) = schedule.replicas.and_then(|mut m| m.remove(&feed.key())) else {
        return Ok(WeightedDivision::NothingWeighted);
    };
    let mut replicas = vec![0; clusters.len()];
    for (&index, &count) in schedule.cluster_indices.iter().zip(&list) {
        replicas[index] = i64::from(count);
    }
    let tie = schedule
        .warnings
        .iter()
        .any(|w| w.code == WarningCode::ReplicaTie);
    Ok(WeightedDivision::Divided { replicas, tie })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cluster(name: &str, weight: i32) -> WeightedCluster {
        WeightedCluster {
            namespace: format!("clusternet-{name}"),
            name: name.to_string(),
            weight,
        }
    }

    fn replicas(division: WeightedDivision) -> Vec<i64> {
        match division {
            WeightedDivision::Divided { replicas, .. } => replicas,
            WeightedDivision::NothingWeighted => panic!("nothing divided"),
        }
    }

    #[test]
    fn weights_divide_as_static_divide_does() {
        let division =
            divide_by_weight(6, &[cluster("eu-1", 1), cluster("us-1", 2)]).expect("schedules");
        assert_eq!(replicas(division), [2, 4]);
    }

    #[test]
    fn a_tie_goes_to_the_first_cluster_by_namespace_and_name() {
        // `clusternet-a-b/a-b` sorts before `clusternet-a/a` ('-' < '/'), although "a" < "a-b".
        let division =
            divide_by_weight(1, &[cluster("a", 1), cluster("a-b", 1)]).expect("schedules");
        assert_eq!(
            division,
            WeightedDivision::Divided {
                replicas: vec![0, 1],
                tie: true
            }
        );
    }

    #[test]
    fn zero_weights_divide_nothing() {
        assert_eq!(
            divide_by_weight(3, &[cluster("a", 0)]).expect("schedules"),
            WeightedDivision::NothingWeighted
        );
        assert_eq!(
            divide_by_weight(3, &[]).expect("schedules"),
            WeightedDivision::NothingWeighted
        );
    }

    #[test]
    fn a_zero_weight_cluster_is_bound_with_no_replicas() {
        let division = divide_by_weight(5, &[cluster("a", 0), cluster("b", 3)]).expect("schedules");
        assert_eq!(replicas(division), [0, 5]);
    }
}
