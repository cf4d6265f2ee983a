//! Settings of a subscription that change nothing, each a warning on its attribute: a
//! configuration never does less than it says without saying so.

use clusternet_model::render::SubscriptionRender;
use clusternet_model::selectors;
use clusternet_model::types::SchedulingStrategy;
use clusternet_tfplugin::{AttributePath, Diagnostic, Diagnostics};

use super::config::SubscriptionConfig;
use crate::config::{Deployer, ProviderConfig};

/// The warnings for `config` rendered as `result` against `inventory`.
pub fn warnings(
    config: &SubscriptionConfig,
    inventory: &ProviderConfig,
    result: &SubscriptionRender,
) -> Diagnostics {
    let mut diags = Diagnostics::new();
    let subscriber = |i: usize| AttributePath::root().attr("subscriber").index(i as i64);
    let names: Vec<&str> = inventory.clusters.keys().map(String::as_str).collect();
    for (i, s) in config.subscribers.iter().enumerate() {
        let selects_one = inventory
            .clusters
            .values()
            .any(|c| selectors::matches(s.cluster_affinity.as_ref(), &c.labels));
        if !selects_one {
            let detail = match &s.cluster_affinity {
                None => format!(
                    "subscriber[{i}] has no cluster_affinity, so it selects no cluster. Add \
                     `cluster_affinity {{}}` to select every cluster, or labels to select some."
                ),
                Some(_) => format!(
                    "The cluster_affinity of subscriber[{i}] matches none of the clusters the \
                     provider knows ({}). Check the labels for a typo.",
                    if names.is_empty() {
                        "none".to_string()
                    } else {
                        names.join(", ")
                    }
                ),
            };
            diags.push(
                Diagnostic::warning("Subscriber selects no cluster", detail)
                    .at(subscriber(i).attr("cluster_affinity")),
            );
        }
    }
    match config.strategy {
        SchedulingStrategy::Replication => {
            for (i, set) in config.weights_set.iter().enumerate() {
                if *set {
                    diags.push(
                        Diagnostic::warning(
                            "Weight has no effect",
                            "With scheduling_strategy = \"Replication\" every selected cluster \
                             gets every feed whole; weights only divide replicas with \
                             \"Dividing\". Remove the weight, or divide.",
                        )
                        .at(subscriber(i).attr("weight")),
                    );
                }
            }
            if config.dividing_type_set {
                diags.push(
                    Diagnostic::warning(
                        "dividing_type has no effect",
                        "dividing_type applies with scheduling_strategy = \"Dividing\" only; \
                         with \"Replication\" nothing is divided. Remove it, or divide.",
                    )
                    .at(AttributePath::root().attr("dividing_type")),
                );
            }
        }
        SchedulingStrategy::Dividing => {
            let divided = result
                .subscription
                .status
                .replicas
                .as_ref()
                .is_some_and(|per_feed| per_feed.values().any(|counts| !counts.is_empty()));
            if !divided && !result.clusters.is_empty() {
                diags.push(
                    Diagnostic::warning(
                        "Nothing to divide",
                        "scheduling_strategy = \"Dividing\" divides the replicas of workloads \
                         (Deployments, StatefulSets, ...), and none of the feeds has replicas, \
                         so every selected cluster gets every feed as with \"Replication\". \
                         Add a workload feed, or use Replication.",
                    )
                    .at(AttributePath::root().attr("scheduling_strategy")),
                );
            }
        }
    }
    if inventory.deployer == Deployer::Clusternet {
        for &name in &config.apply_settings_set {
            diags.push(
                Diagnostic::warning(
                    format!("{name} has no effect with deployer = \"clusternet\""),
                    "Clusternet's own controllers deploy to the clusters, so the provider \
                     applies nothing there and reads no drift. Remove it, or deploy with \
                     deployer = \"provider\".",
                )
                .at(AttributePath::root().attr(name)),
            );
        }
    }
    diags
}
