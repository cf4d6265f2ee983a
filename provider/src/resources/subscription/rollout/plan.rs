//! What a plan shows of a rollout: `rollout_plan` (each bound cluster's stage), warnings on
//! stages that select nothing, and `cluster_status` (unknown when apply will change it).

use std::collections::BTreeMap;

use clusternet_deploy::rollout::{PlannedStage, RolloutSpec, StageNotice, plan_stages};
use clusternet_tfplugin::{AttributePath, Diagnostic, Diagnostics, Value};

use super::config::Waiting;
use crate::config::ProviderConfig;

/// The stages of `spec` over `bound` (the bound clusters, labelled from `inventory`); clusters
/// in no stage are an error on `rollout`, stages selecting nothing warnings on their stage.
pub fn stages(
    spec: &RolloutSpec,
    bound: &[String],
    inventory: &ProviderConfig,
    diags: &mut Diagnostics,
) -> Option<Vec<PlannedStage>> {
    let labelled: Vec<(String, BTreeMap<String, String>)> = bound
        .iter()
        .map(|c| {
            let labels = inventory
                .clusters
                .get(c)
                .map(|c| c.labels.clone())
                .unwrap_or_default();
            (c.clone(), labels)
        })
        .collect();
    let stage_path = |i: usize| {
        AttributePath::root()
            .attr("rollout")
            .attr("stage")
            .index(i as i64)
    };
    match plan_stages(spec, &labelled) {
        Ok((stages, notices)) => {
            for notice in notices {
                diags.push(match notice {
                    StageNotice::SelectsNothing { stage } => Diagnostic::warning(
                        format!("Stage {:?} selects no cluster", spec.stages[stage].name),
                        "No bound cluster is left for this stage (its names or labels match \
                         none, or earlier stages took them), so it does nothing. Check its \
                         clusters or cluster_affinity against the bound clusters.",
                    )
                    .at(stage_path(stage)),
                    StageNotice::NotBound { stage, cluster } => Diagnostic::warning(
                        format!("Cluster {cluster:?} is not in this stage"),
                        format!(
                            "Stage {:?} lists {cluster:?}, but the subscription does not bind \
                             that cluster or an earlier stage took it. Check the name against \
                             binding_clusters.",
                            spec.stages[stage].name
                        ),
                    )
                    .at(stage_path(stage).attr("clusters")),
                });
            }
            Some(stages)
        }
        Err(unstaged) => {
            diags.error_at(
                AttributePath::root().attr("rollout"),
                "Clusters in no stage",
                format!(
                    "The {unstaged}: nothing would ever update them. Add a last stage without \
                     clusters or cluster_affinity, which takes every remaining cluster."
                ),
            );
            None
        }
    }
}

/// `rollout_plan`: cluster -> `<number>/<stage>`.
pub fn rollout_plan_value(stages: &[PlannedStage]) -> Value {
    Value::Map(
        stages
            .iter()
            .flat_map(|s| {
                s.clusters
                    .iter()
                    .map(move |c| (c.clone(), Value::from(s.label())))
            })
            .collect(),
    )
}

/// The planned `cluster_status`: null when apply does not wait; the prior value when apply
/// changes nothing in the clusters and every cluster was ready; else unknown (a cluster that
/// failed or was halted is deployed and waited for again, even with nothing else to do).
pub fn planned_cluster_status(waiting: &Waiting, prior: &Value, clusters_change: bool) -> Value {
    if !waiting.waits() {
        return Value::Null;
    }
    match prior.get("cluster_status") {
        Some(status) if !clusters_change && !status.is_null() && not_ready(prior).is_empty() => {
            status.clone()
        }
        _ => Value::unknown(),
    }
}

/// The clusters whose prior `cluster_status` phase is not `Ready`.
pub fn not_ready(prior: &Value) -> Vec<String> {
    prior
        .get("cluster_status")
        .and_then(Value::as_entries)
        .map(|status| {
            status
                .iter()
                .filter(|(_, s)| s.get("phase").and_then(Value::as_str) != Some("Ready"))
                .map(|(c, _)| c.clone())
                .collect()
        })
        .unwrap_or_default()
}
