//! ApplyResourceChange with deployer = "provider": the rendering deployed to every bound
//! cluster in parallel, what left removed, and the hub told what was rolled out.

use std::collections::BTreeMap;

use clusternet_deploy::fan_out;
use clusternet_tfplugin::provider::{ApplyRequest, ApplyResponse};
use clusternet_tfplugin::{Diagnostic, Diagnostics, Value};
use serde_json::Value as Json;

use super::markers::KEY_ATTRIBUTE;
use super::plan::computed_state;
use super::rollout;
use super::state::{
    HUB_NOT_WRITTEN, clusters_of, descriptions_of, in_cluster, keep_only, matches_plan,
    record_failures, releases_value,
};
use crate::apply_options::{field_manager, ignore_fields, timeouts};
use crate::attrs;
use crate::charts;
use crate::config::{Deployer, ProviderConfig};
use crate::diagnostics::ToDiagnostic;
use crate::override_handles::KnownOverrides;
use crate::targets;

/// Deploys the planned rendering to every bound cluster (in parallel, bounded by the
/// provider's `parallelism`) and removes what left. A cluster that fails keeps, in the new
/// state, the entries it had before, so the next plan shows it as still to do.
pub async fn apply(
    req: ApplyRequest,
    inventory: &ProviderConfig,
    known: &KnownOverrides,
) -> ApplyResponse {
    if inventory.deployer == Deployer::Clusternet {
        return super::apply_clusternet::apply(req, inventory, known).await;
    }
    let mut diagnostics = Diagnostics::new();
    let prior = descriptions_of(&req.prior_state);
    let prior_clusters = clusters_of(&req.prior_state);
    let settings = deploy_settings(&req);
    if req.planned_state.is_null() {
        // Destroy: remove everything this subscription deployed.
        let id = attrs::string(&req.prior_state, "id")
            .known()
            .unwrap_or_default();
        let prior_charts = charts::plan::chart_releases(&prior);
        let work = prior_clusters
            .iter()
            .map(|c| ClusterWork {
                cluster: c.clone(),
                objects: None,
                charts: charts::deploy::ChartWork {
                    install: Vec::new(),
                    uninstall: prior_charts
                        .iter()
                        .filter(|r| &r.cluster == c)
                        .cloned()
                        .collect(),
                    wait: None,
                    deadline: None,
                },
            })
            .collect::<Vec<_>>();
        let outcome =
            run_per_cluster(inventory, &id, work, &prior, &settings, &mut diagnostics).await;
        let failed = outcome.failed();
        // Hub objects go after the children (DESIGN.md §7); a cluster not cleaned up keeps
        // them.
        let mut hub_failed = false;
        if let Some(hub) = crate::hub::target(inventory)
            && let Some((ns, name)) = id.split_once('/')
        {
            let kept = cluster_namespaces(inventory, &failed);
            let diags = crate::hub::remove_subscription(hub, ns, name, &kept).await;
            hub_failed = diags.has_errors();
            diagnostics.extend(diags);
        }
        let new_state = if failed.is_empty() && !hub_failed {
            Value::Null
        } else {
            keep_only(&req.prior_state, &prior, &failed)
        };
        return ApplyResponse {
            new_state,
            private: Vec::new(),
            diagnostics,
        };
    }
    let hub = crate::hub::target(inventory);
    let super::ForApply {
        config,
        rendered,
        marker_key: key,
    } = match super::render_for_apply(&req, inventory, hub.is_some(), known).await {
        Ok(Some(r)) => r,
        Ok(None) => {
            diagnostics.push(super::still_unknown());
            return ApplyResponse {
                new_state: req.prior_state,
                private: Vec::new(),
                diagnostics,
            };
        }
        Err(d) => {
            return ApplyResponse {
                new_state: req.prior_state,
                private: Vec::new(),
                diagnostics: d,
            };
        }
    };
    let planned_descriptions = descriptions_of(&req.planned_state);
    let mut planned = computed_state(&req.planned_state, Some(&rendered), &req.prior_state);
    if !matches_plan(&req.planned_state, &planned) {
        diagnostics.push(Diagnostic::error(
            "Rendering changed between plan and apply",
            "The subscription rendered differently during apply than in the plan; nothing was \
             deployed. Run terraform plan again.",
        ));
        return ApplyResponse {
            new_state: req.prior_state,
            private: Vec::new(),
            diagnostics,
        };
    }
    if let Value::Object(entries) = &mut planned {
        entries.insert(KEY_ATTRIBUTE.into(), key);
    }
    let id = attrs::string(&planned, "id").known().unwrap_or_default();
    let planned_releases = req
        .planned_state
        .get("releases")
        .and_then(Value::as_entries)
        .cloned()
        .unwrap_or_default();
    let chart_work = chart_work(&prior, &planned_descriptions, &planned_releases);
    let objects = match rendered.objects.parsed() {
        Ok(objects) => objects,
        Err(e) => {
            diagnostics.push(e.to_diagnostic());
            return ApplyResponse {
                new_state: req.prior_state,
                private: Vec::new(),
                diagnostics,
            };
        }
    };
    let mut work: Vec<ClusterWork> = objects
        .into_iter()
        .map(|(c, objects)| ClusterWork {
            objects: Some(objects),
            charts: chart_work.get(&c).cloned().unwrap_or_default(),
            cluster: c,
        })
        .collect();
    work.extend(
        prior_clusters
            .iter()
            .filter(|c| !rendered.objects.contains(c))
            .map(|c| ClusterWork {
                cluster: c.clone(),
                objects: None,
                charts: chart_work.get(c).cloned().unwrap_or_default(),
            }),
    );
    let waiting = config.waiting;
    let outcome = if waiting.waits() {
        let mut changed = changed_clusters(&prior, &planned_descriptions, &work);
        // A cluster that was not ready after the last apply is deployed and waited for again.
        for cluster in rollout::plan::not_ready(&req.prior_state) {
            if !changed.contains(&cluster) && work.iter().any(|w| w.cluster == cluster) {
                changed.push(cluster);
            }
        }
        let stages = match &waiting {
            rollout::config::Waiting::Staged(spec) => rollout::plan::stages(
                spec,
                &rendered.binding_clusters,
                inventory,
                &mut Diagnostics::new(),
            ),
            _ => None,
        };
        let work = rollout::apply::StagedWork {
            work,
            stages,
            changed,
        };
        let staged = rollout::apply::run(
            inventory,
            &id,
            work,
            &prior,
            &waiting,
            &settings,
            &mut diagnostics,
        )
        .await;
        if let Value::Object(entries) = &mut planned {
            // A status planned known is what apply must return (nothing changed).
            if !entries.get("cluster_status").is_some_and(Value::is_known) {
                entries.insert(
                    "cluster_status".into(),
                    rollout::apply::status_value(&staged.status),
                );
            }
        }
        staged.outcomes
    } else {
        run_per_cluster(inventory, &id, work, &prior, &settings, &mut diagnostics).await
    };
    let failed = outcome.failed();
    let failed_themselves = outcome.failed_not_halted();
    let prior_releases = req
        .prior_state
        .get("releases")
        .and_then(Value::as_entries)
        .cloned()
        .unwrap_or_default();
    let releases = applied_releases(
        &planned_releases,
        &prior_releases,
        &outcome.installed,
        &failed,
    );
    let rollout = clusternet_model::hub::releases::Rollout {
        releases: releases
            .iter()
            .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
            .collect(),
        failed_namespaces: outcome
            .reasons
            .iter()
            .filter_map(|(c, reason)| {
                let namespace = inventory.clusters.get(c)?.namespace.clone();
                Some((namespace, reason.clone()))
            })
            .collect(),
        failed: outcome.reasons,
    };
    if let Value::Object(entries) = &mut planned {
        entries.insert("releases".into(), releases_value(releases));
    }
    // The hub records what was rolled out; a hub failure is a diagnostic and keeps what the
    // children got (the next apply writes the hub again, as every apply does).
    let mut hub_failed = false;
    if let (Some(hub), Some(objects)) = (hub, &rendered.hub) {
        let diags = crate::hub::apply_subscription(hub, objects, &rollout).await;
        hub_failed = diags.has_errors();
        diagnostics.extend(diags);
    }
    if req.prior_state.is_null() && (!failed.is_empty() || hub_failed) {
        // A create that failed anywhere records no state: Terraform would taint a state
        // returned with an error, and replacing a tainted subscription deletes what the
        // healthy clusters got. Without a state the next apply is a create again, which
        // adopts what is deployed (same ownership, server-side apply). ADR 0009.
        diagnostics.push(not_recorded(&failed_themselves, hub_failed));
        return ApplyResponse {
            new_state: Value::Null,
            private: Vec::new(),
            diagnostics,
        };
    }
    let mut new_state = if failed.is_empty() {
        planned
    } else {
        record_failures(&planned, &prior, &failed)
    };
    if hub_failed && let Value::Object(entries) = &mut new_state {
        // Recorded as not done, so that the next plan shows a change and apply retries.
        entries.insert("spec_hash".into(), HUB_NOT_WRITTEN.into());
    }
    ApplyResponse {
        new_state,
        private: Vec::new(),
        diagnostics,
    }
}

/// The subscription's escape hatches for this apply: from the configuration, or for a
/// destroy (which has none) from the prior state. The deadline of the operation starts now.
fn deploy_settings(req: &ApplyRequest) -> targets::DeploySettings {
    let (source, operation) = if req.planned_state.is_null() {
        (&req.prior_state, "delete")
    } else if req.prior_state.is_null() {
        (&req.config, "create")
    } else {
        (&req.config, "update")
    };
    // Validated at plan; what cannot be decoded here falls back to the defaults.
    let mut ignored = Diagnostics::new();
    let timeouts = timeouts::decode(source, &mut ignored).unwrap_or_default();
    targets::DeploySettings {
        field_manager: field_manager::decode(source, &mut ignored).unwrap_or_default(),
        ignore_fields: ignore_fields::decode(source, &mut ignored).unwrap_or_default(),
        deadline: timeouts::Deadline::of(&timeouts, operation),
    }
}

/// The warning that explains why a create that failed left no state.
fn not_recorded(failed: &[String], hub_failed: bool) -> Diagnostic {
    let mut failing: Vec<String> = failed.iter().map(|c| format!("cluster {c:?}")).collect();
    if hub_failed {
        failing.push("the hub".to_string());
    }
    Diagnostic::warning(
        "Subscription not recorded in state",
        format!(
            "Creating the subscription failed on {}, so it is not recorded in state: a failed \
             create recorded in state would be replaced (destroyed and created again) by the \
             next apply, deleting what the other clusters got. What was deployed stays; the \
             next terraform apply creates the subscription again, adopts it and finishes the \
             rest.",
            failing.join(" and ")
        ),
    )
}

/// The clusters of `work` whose entries change from `prior` to `planned`, or whose charts
/// are installed or uninstalled: those a rollout updates and waits for.
fn changed_clusters(
    prior: &BTreeMap<String, Value>,
    planned: &BTreeMap<String, Value>,
    work: &[ClusterWork],
) -> Vec<String> {
    let entries = |map: &BTreeMap<String, Value>, cluster: &str| -> Vec<(String, Value)> {
        let prefix = format!("{cluster}/");
        map.range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    };
    work.iter()
        .filter(|w| {
            !w.charts.is_empty() || entries(prior, &w.cluster) != entries(planned, &w.cluster)
        })
        .map(|w| w.cluster.clone())
        .collect()
}

/// What apply does in one cluster.
pub(super) struct ClusterWork {
    pub cluster: String,
    /// The objects to deploy, or `None` to remove the subscription's objects.
    pub objects: Option<Vec<Json>>,
    /// Charts to install and uninstall (after the objects are deployed; before they are
    /// removed).
    pub charts: charts::deploy::ChartWork,
}

/// Per cluster, the charts whose release is planned unknown (to install or upgrade) and the
/// prior charts no longer planned (to uninstall).
fn chart_work(
    prior: &BTreeMap<String, Value>,
    planned: &BTreeMap<String, Value>,
    planned_releases: &BTreeMap<String, Value>,
) -> BTreeMap<String, charts::deploy::ChartWork> {
    let mut work: BTreeMap<String, charts::deploy::ChartWork> = BTreeMap::new();
    let planned_charts = charts::plan::chart_releases(planned);
    for release in &planned_charts {
        let settled = planned_releases
            .get(&release.release_key())
            .is_some_and(Value::is_known);
        if !settled {
            work.entry(release.cluster.clone())
                .or_default()
                .install
                .push(release.clone());
        }
    }
    for release in charts::plan::chart_releases(prior) {
        let key = release.release_key();
        if !planned_charts.iter().any(|p| p.release_key() == key) {
            work.entry(release.cluster.clone())
                .or_default()
                .uninstall
                .push(release);
        }
    }
    work
}

/// The `releases` after apply: what was installed now, what stayed settled, and for failed
/// clusters what they had before.
fn applied_releases(
    planned: &BTreeMap<String, Value>,
    prior: &BTreeMap<String, Value>,
    installed: &BTreeMap<String, String>,
    failed: &[String],
) -> BTreeMap<String, Value> {
    let in_failed = |key: &String| in_cluster(key, failed);
    let mut releases: BTreeMap<String, Value> = planned
        .iter()
        .filter(|(k, _)| !in_failed(k))
        .filter_map(|(k, v)| match installed.get(k) {
            Some(state) => Some((k.clone(), Value::from(state.as_str()))),
            None if v.is_known() => Some((k.clone(), v.clone())),
            None => None,
        })
        .collect();
    releases.extend(
        prior
            .iter()
            .filter(|(k, _)| in_failed(k))
            .map(|(k, v)| (k.clone(), v.clone())),
    );
    releases
}

/// What the deploy did in the clusters.
#[derive(Debug, Default)]
pub(super) struct ClusterOutcomes {
    /// The clusters that failed, with the first error as the reason.
    pub reasons: BTreeMap<String, String>,
    /// The release states of the charts installed.
    pub installed: BTreeMap<String, String>,
    /// Of `reasons`, the clusters a halted rollout left untouched.
    pub halted: std::collections::BTreeSet<String>,
}

impl ClusterOutcomes {
    /// The clusters that failed, sorted.
    fn failed(&self) -> Vec<String> {
        self.reasons.keys().cloned().collect()
    }

    /// The clusters that failed themselves (not left untouched by a halted rollout).
    fn failed_not_halted(&self) -> Vec<String> {
        self.reasons
            .keys()
            .filter(|c| !self.halted.contains(*c))
            .cloned()
            .collect()
    }
}

/// The dedicated namespaces of `clusters` (those still configured).
fn cluster_namespaces(inventory: &ProviderConfig, clusters: &[String]) -> Vec<String> {
    clusters
        .iter()
        .filter_map(|c| inventory.clusters.get(c))
        .map(|c| c.namespace.clone())
        .collect()
}

/// The error of a cluster whose work did not finish before the `timeouts` deadline.
pub(super) fn timed_out(cluster: &str, deadline: &timeouts::Deadline) -> Diagnostic {
    Diagnostic::error(
        format!("Cluster {cluster:?} timed out"),
        format!(
            "{} passed before cluster {cluster:?} was done. What it got stays; it keeps its \
             previous state entries, so the next plan shows it still to do and the next apply \
             resumes. The other clusters were applied. Find out what is slow there, or allow \
             more time.",
            deadline.describe()
        ),
    )
}

/// Deploys (`Some(objects)`) or removes (`None`) per cluster, concurrently, charts included;
/// returns the clusters that failed (with why) and the release states of the charts
/// installed.
pub(super) async fn run_per_cluster(
    inventory: &ProviderConfig,
    subscription_id: &str,
    work: Vec<ClusterWork>,
    prior: &BTreeMap<String, Value>,
    settings: &targets::DeploySettings,
    diagnostics: &mut Diagnostics,
) -> ClusterOutcomes {
    let inventory = std::sync::Arc::new(inventory.clone());
    let parallelism = inventory.parallelism;
    let prior_keys: Vec<String> = prior.keys().cloned().collect();
    let done = fan_out(work, parallelism, |work| {
        let ClusterWork {
            cluster,
            objects,
            charts: mut chart_work,
        } = work;
        chart_work.deadline = settings.deadline.as_ref().map(|d| d.at);
        let previous = targets::references_in(&cluster, prior_keys.iter().cloned());
        let inventory = inventory.clone();
        let id = subscription_id.to_string();
        let deadline = settings.deadline.clone();
        let settings = settings.clone();
        let name = cluster.clone();
        let job = async move {
            let mut releases = BTreeMap::new();
            let diags = match objects {
                Some(objects) => {
                    let mut diags =
                        targets::deploy(&inventory, &id, &cluster, &objects, &previous, &settings)
                            .await;
                    if !diags.has_errors() {
                        let outcome =
                            charts::deploy::run(&inventory, &id, &cluster, chart_work).await;
                        releases = outcome.releases;
                        diags.extend(outcome.diagnostics);
                    }
                    diags
                }
                None => {
                    let outcome = charts::deploy::run(&inventory, &id, &cluster, chart_work).await;
                    let mut diags = outcome.diagnostics;
                    if !diags.has_errors() {
                        diags.extend(targets::remove(&inventory, &id, &cluster, &previous).await);
                    }
                    diags
                }
            };
            (cluster, diags, releases)
        };
        async move {
            match deadline {
                Some(deadline) => {
                    match tokio::time::timeout(deadline.remaining() + timeouts::GRACE, job).await {
                        Ok(done) => done,
                        Err(_) => {
                            let diags = timed_out(&name, &deadline).into();
                            (name, diags, BTreeMap::new())
                        }
                    }
                }
                None => job.await,
            }
        }
    })
    .await;
    let mut outcomes = ClusterOutcomes::default();
    for result in done {
        let (cluster, diags, releases) = match result {
            Ok(done) => done,
            Err(failed) => {
                diagnostics.push(Diagnostic::error(
                    "A cluster task failed",
                    format!("{failed}; this is a bug."),
                ));
                continue;
            }
        };
        if let Some(error) = diags.iter().find(|d| d.is_error()) {
            let reason = format!("{}: {}", error.summary, error.detail);
            outcomes.reasons.insert(cluster, reason);
        }
        outcomes.installed.extend(releases);
        diagnostics.extend(diags);
    }
    outcomes
}
