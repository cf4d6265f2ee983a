//! Apply with waiting: stage by stage (a `rollout`), or every cluster at once and then a wait
//! (`wait_for_ready`).
//!
//! Only clusters whose rendering changes take part: an unchanged cluster is neither written
//! nor waited for. In a stage, the changed clusters are deployed in batches of `max_parallel`
//! and each batch is waited for (charts by helm's own wait) until the stage's
//! `progress_deadline`, counted from the stage's start. A cluster that fails to deploy, does
//! not become ready in time, or cannot be read counts as a failure of its stage; more than
//! `max_failures` of them halt the rollout: later batches and stages are not touched, and
//! their clusters keep their previous entries in state (the next plan shows them still to
//! do). Clusters that left the subscription are cleaned up only after every stage passed.
//! Nothing is rolled back.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clusternet_deploy::rollout::{Phase, PlannedStage};
use clusternet_deploy::{WaitError, WaitOptions, fan_out};
use clusternet_model::identity::ObjectIdentity;
use clusternet_tfplugin::{Diagnostic, Diagnostics, Value};
use serde_json::Value as Json;

use super::config::Waiting;
use crate::config::{ProviderConfig, Target};
use crate::resources::subscription::apply::{ClusterOutcomes, ClusterWork, run_per_cluster};
use crate::targets;

/// How often readiness is polled: the gate latency from the last object ready to the next
/// stage's first write is at most about this.
const POLL_INTERVAL: Duration = Duration::from_millis(250);

/// The stage name of clusters waited for without a rollout.
const ALL_AT_ONCE: &str = "all";

/// One cluster's line of `cluster_status`.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterStatus {
    /// `<number>/<stage>`.
    pub stage: String,
    /// Where it stands.
    pub phase: Phase,
    /// `<ready>/<total> objects`, empty when not deployed now.
    pub ready: String,
    /// Why it is not ready, or what happened.
    pub message: String,
}

impl ClusterStatus {
    fn new(stage: &str, phase: Phase, ready: String, message: impl Into<String>) -> Self {
        ClusterStatus {
            stage: stage.to_string(),
            phase,
            ready,
            message: message.into(),
        }
    }

    fn value(&self) -> Value {
        Value::Object(
            [
                ("stage", Value::from(self.stage.as_str())),
                ("phase", Value::from(self.phase.to_string().as_str())),
                ("ready", Value::from(self.ready.as_str())),
                ("message", Value::from(self.message.as_str())),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
        )
    }
}

/// `cluster_status` as a value.
pub fn status_value(status: &BTreeMap<String, ClusterStatus>) -> Value {
    Value::Map(status.iter().map(|(c, s)| (c.clone(), s.value())).collect())
}

/// What the staged apply did.
pub struct Staged {
    /// Per cluster: failed (deploy, readiness, or halted before its turn), with why.
    pub outcomes: ClusterOutcomes,
    /// `cluster_status`.
    pub status: BTreeMap<String, ClusterStatus>,
}

/// What a waiting apply does.
pub struct StagedWork {
    /// Per cluster: deploy (or remove) its objects and charts.
    pub work: Vec<ClusterWork>,
    /// The rollout's stages (as planned), or `None` to deploy every cluster at once.
    pub stages: Option<Vec<PlannedStage>>,
    /// The clusters whose rendering or charts change: only they are deployed and waited for.
    pub changed: Vec<String>,
}

/// Runs `work` with waiting.
pub async fn run(
    inventory: &ProviderConfig,
    subscription_id: &str,
    work: StagedWork,
    prior: &BTreeMap<String, Value>,
    waiting: &Waiting,
    settings: &targets::DeploySettings,
    diagnostics: &mut Diagnostics,
) -> Staged {
    let StagedWork {
        work,
        stages,
        changed,
    } = work;
    let changed = changed.as_slice();
    let (removals, mut work): (Vec<ClusterWork>, Vec<ClusterWork>) =
        work.into_iter().partition(|w| w.objects.is_none());
    let bound: Vec<String> = work.iter().map(|w| w.cluster.clone()).collect();
    let staged = stages.is_some();
    let stages = stages.unwrap_or_else(|| {
        vec![PlannedStage {
            number: 1,
            name: ALL_AT_ONCE.to_string(),
            clusters: bound.clone(),
            max_parallel: None,
        }]
    });
    let (max_failures, min_ready) = match waiting {
        Waiting::Staged(spec) => (spec.max_failures, spec.min_ready),
        _ => (0, Duration::ZERO),
    };
    let mut outcomes = ClusterOutcomes::default();
    let mut status = BTreeMap::new();
    let mut halted: Option<String> = None;
    for stage in &stages {
        let label = stage.label();
        for cluster in stage.clusters.iter().filter(|c| !changed.contains(c)) {
            status.insert(
                cluster.clone(),
                ClusterStatus::new(&label, Phase::Ready, String::new(), "unchanged"),
            );
        }
        let started = Instant::now();
        // Failed clusters (and why) whose deploy diagnostics are in `deploy_diags`, and
        // those that deployed but were not ready.
        let mut deploy_failed: Vec<String> = Vec::new();
        let mut deploy_diags = Diagnostics::new();
        let mut failures: Vec<(String, String)> = Vec::new();
        for batch in stage.batches(changed) {
            if let Some(why) = &halted {
                for cluster in batch {
                    halt(cluster, &label, why, &mut outcomes, &mut status);
                }
                continue;
            }
            let remaining = settings.within(waiting.deadline().saturating_sub(started.elapsed()));
            let batch_work: Vec<ClusterWork> = batch
                .iter()
                .filter_map(|c| {
                    let i = work.iter().position(|w| &w.cluster == *c)?;
                    let mut w = work.swap_remove(i);
                    w.charts.wait = Some(remaining);
                    Some(w)
                })
                .collect();
            let objects: BTreeMap<String, Vec<Json>> = batch_work
                .iter()
                .map(|w| (w.cluster.clone(), w.objects.clone().unwrap_or_default()))
                .collect();
            let releases: BTreeMap<String, usize> = batch_work
                .iter()
                .map(|w| (w.cluster.clone(), w.charts.install.len()))
                .collect();
            let deployed = run_per_cluster(
                inventory,
                subscription_id,
                batch_work,
                prior,
                settings,
                &mut deploy_diags,
            )
            .await;
            let ready_to_wait: Vec<(String, Vec<Json>)> = objects
                .into_iter()
                .filter(|(c, _)| !deployed.reasons.contains_key(c))
                .collect();
            for (cluster, reason) in &deployed.reasons {
                deploy_failed.push(cluster.clone());
                status.insert(
                    cluster.clone(),
                    ClusterStatus::new(&label, Phase::Failed, String::new(), reason.clone()),
                );
            }
            outcomes.installed.extend(deployed.installed);
            outcomes.reasons.extend(deployed.reasons);
            let remaining = settings.within(waiting.deadline().saturating_sub(started.elapsed()));
            let waited = wait_all(inventory, ready_to_wait, remaining, min_ready).await;
            for (cluster, result) in waited {
                let charts = releases.get(&cluster).copied().unwrap_or(0);
                match result {
                    Ok(total) => {
                        let total = total + charts;
                        status.insert(
                            cluster.clone(),
                            ClusterStatus::new(
                                &label,
                                Phase::Ready,
                                format!("{total}/{total} objects"),
                                "",
                            ),
                        );
                    }
                    Err(NotReadyIn {
                        ready,
                        total,
                        mut reason,
                    }) => {
                        if let Some(deadline) = settings.deadline.as_ref().filter(|d| d.passed()) {
                            reason = format!(
                                "{} (the wait ended at {})",
                                reason.trim_end_matches('.'),
                                deadline.describe()
                            );
                        }
                        status.insert(
                            cluster.clone(),
                            ClusterStatus::new(
                                &label,
                                Phase::Failed,
                                format!("{}/{} objects", ready + charts, total + charts),
                                reason.clone(),
                            ),
                        );
                        failures.push((cluster.clone(), reason.clone()));
                        outcomes.reasons.insert(cluster, reason);
                    }
                }
            }
            if failures.len() + deploy_failed.len() > max_failures {
                halted = Some(format!("stage {label} failed"));
            }
        }
        let failed = StageFailures {
            stage: &label,
            deploy_failed: &deploy_failed,
            deploy_diags,
            not_ready: &failures,
        };
        failed.report(max_failures, staged, diagnostics);
    }
    // Clusters that left go once everything else passed.
    if let Some(why) = &halted {
        for w in removals {
            outcomes.halted.insert(w.cluster.clone());
            outcomes.reasons.insert(
                w.cluster,
                format!("not removed: the rollout halted ({why})"),
            );
        }
    } else if !removals.is_empty() {
        let removed = run_per_cluster(
            inventory,
            subscription_id,
            removals,
            prior,
            settings,
            diagnostics,
        )
        .await;
        outcomes.installed.extend(removed.installed);
        outcomes.reasons.extend(removed.reasons);
    }
    Staged { outcomes, status }
}

/// A cluster left untouched because an earlier stage or batch failed.
fn halt(
    cluster: &str,
    stage: &str,
    why: &str,
    outcomes: &mut ClusterOutcomes,
    status: &mut BTreeMap<String, ClusterStatus>,
) {
    let message = format!("not updated: the rollout halted ({why})");
    outcomes
        .reasons
        .insert(cluster.to_string(), message.clone());
    outcomes.halted.insert(cluster.to_string());
    status.insert(
        cluster.to_string(),
        ClusterStatus::new(stage, Phase::Halted, String::new(), message),
    );
}

/// The failures of one stage.
struct StageFailures<'a> {
    /// `<number>/<name>`.
    stage: &'a str,
    /// Clusters whose deploy failed ...
    deploy_failed: &'a [String],
    /// ... with the deploy's diagnostics (of every cluster of the stage).
    deploy_diags: Diagnostics,
    /// Clusters deployed but not ready, with why.
    not_ready: &'a [(String, String)],
}

impl StageFailures<'_> {
    /// The stage's diagnostics, one error per failed cluster saying what follows from it:
    /// the rollout went on (`max_failures` tolerates it) or halted. A tolerated failure is
    /// still an error: the cluster did not get what the plan showed, and Terraform accepts a
    /// state that differs from the plan only with an error.
    fn report(self, max_failures: usize, staged: bool, diagnostics: &mut Diagnostics) {
        let stage = self.stage;
        let count = self.deploy_failed.len() + self.not_ready.len();
        let tolerated = staged && count <= max_failures;
        let consequence = if !staged {
            "The cluster keeps its previous state entries, so the next plan shows it still to \
             do; fix the cause and apply again."
                .to_string()
        } else if tolerated {
            format!(
                "Stage {stage} allows {max_failures} failed cluster(s), so the rollout went \
                 on; the next plan shows this cluster still to do."
            )
        } else {
            format!(
                "Stage {stage} had {count} failed cluster(s), more than max_failures = \
                 {max_failures}: the rollout halted. Later stages were not touched and show \
                 as still to do in the next plan; fix the cause and apply again to resume. \
                 Nothing was rolled back."
            )
        };
        for mut diagnostic in self.deploy_diags {
            if diagnostic.is_error() && staged {
                diagnostic.detail = format!("{} {consequence}", diagnostic.detail.trim_end());
            }
            diagnostics.push(diagnostic);
        }
        for (cluster, reason) in self.not_ready {
            diagnostics.push(Diagnostic::error(
                format!("Cluster {cluster:?} not ready"),
                format!("{}. {consequence}", reason.trim_end_matches('.')),
            ));
        }
    }
}

/// Why a cluster is not ready: how many of how many objects are, and why not.
struct NotReadyIn {
    ready: usize,
    total: usize,
    reason: String,
}

impl From<WaitError> for NotReadyIn {
    fn from(error: WaitError) -> Self {
        let (ready, total) = match &error {
            WaitError::NotReady { total, ready, .. } | WaitError::Failed { total, ready, .. } => {
                (*ready, *total)
            }
            WaitError::Unreachable(_) => (0, 0),
        };
        NotReadyIn {
            ready,
            total,
            reason: error.to_string(),
        }
    }
}

/// Waits, per cluster and in parallel, until its objects are ready (directory targets are
/// always ready). Returns, per cluster, the number of objects or why not.
async fn wait_all(
    inventory: &ProviderConfig,
    clusters: Vec<(String, Vec<Json>)>,
    timeout: Duration,
    min_ready: Duration,
) -> Vec<(String, Result<usize, NotReadyIn>)> {
    let names: Vec<String> = clusters.iter().map(|(c, _)| c.clone()).collect();
    let inventory = Arc::new(inventory.clone());
    let parallelism = inventory.parallelism;
    let done = fan_out(clusters, parallelism, |(cluster, objects)| {
        let inventory = inventory.clone();
        async move {
            let references: Vec<ObjectIdentity> = objects
                .iter()
                .filter_map(|o| ObjectIdentity::of(o).ok())
                .collect();
            match inventory.clusters.get(&cluster).map(|c| &c.target) {
                Some(Target::Cluster(connection)) => {
                    let client = match targets::connect(&cluster, connection).await {
                        Ok(client) => client,
                        Err(diags) => {
                            return Err(NotReadyIn {
                                ready: 0,
                                total: references.len(),
                                reason: diags
                                    .iter()
                                    .map(|d| d.detail.clone())
                                    .collect::<Vec<_>>()
                                    .join("; "),
                            });
                        }
                    };
                    let options = WaitOptions {
                        timeout,
                        min_ready,
                        poll_interval: POLL_INTERVAL,
                    };
                    let report = client.wait_ready(&references, &options).await;
                    report.into_result().map_err(NotReadyIn::from)
                }
                // Directory targets (GitOps exports) are ready once written.
                _ => Ok(references.len()),
            }
        }
    })
    .await;
    names
        .into_iter()
        .zip(done)
        .map(|(cluster, result)| {
            let result = result.unwrap_or_else(|failed| {
                Err(NotReadyIn {
                    ready: 0,
                    total: 0,
                    reason: format!("waiting stopped: {failed}; this is a bug"),
                })
            });
            (cluster, result)
        })
        .collect()
}
