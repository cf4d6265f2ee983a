//! Charts of one cluster at apply: `helm upgrade --install` of the charts whose release is
//! planned unknown (new or changed), `helm uninstall` of the charts that left the cluster's
//! description. A directory target gets files instead: per chart, the objects `helm template`
//! makes (values included, Secrets as they are) and the values, under
//! `<subscription dir>/helm/<release namespace>.<release>/`.

use std::collections::BTreeMap;
use std::fmt::Display;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clusternet_deploy::directory::{self, DirectoryError};
use clusternet_deploy::helm::ReleaseInfo;
use clusternet_model::hub::releases::WRITTEN;
use clusternet_tfplugin::{Diagnostic, Diagnostics};
use serde_json::Value as Json;

use super::release::ChartRelease;
use crate::config::{ProviderConfig, Target};
use crate::targets;

/// File holding a chart's values in a directory target.
pub const VALUES_FILE: &str = "values.json";

/// What to do with the charts of one cluster.
#[derive(Debug, Default, Clone)]
pub struct ChartWork {
    /// Charts to install or upgrade.
    pub install: Vec<ChartRelease>,
    /// Charts to uninstall.
    pub uninstall: Vec<ChartRelease>,
    /// Install with helm's wait (resources ready, Jobs complete) within this: a staged
    /// rollout or `wait_for_ready`. `None`: as the HelmChart says.
    pub wait: Option<Duration>,
    /// helm's own timeouts end by then (the subscription's `timeouts`).
    pub deadline: Option<std::time::Instant>,
}

impl ChartWork {
    /// `limit`, cut short to what is left before the deadline (at least a second: helm
    /// reads 0 as no limit).
    fn within(deadline: Option<std::time::Instant>, limit: Duration) -> Duration {
        deadline
            .map_or(limit, |at| {
                limit.min(at.saturating_duration_since(std::time::Instant::now()))
            })
            .max(Duration::from_secs(1))
    }
}

impl ChartWork {
    /// Whether there is nothing to do.
    pub fn is_empty(&self) -> bool {
        self.install.is_empty() && self.uninstall.is_empty()
    }
}

/// What happened to the charts of one cluster.
#[derive(Debug, Default)]
pub struct ChartOutcome {
    /// New release states (`<status>/<revision>`) by release key, for installed charts.
    pub releases: BTreeMap<String, String>,
    /// Release keys of uninstalled charts.
    pub removed: Vec<String>,
    /// Failures, one per chart.
    pub diagnostics: Diagnostics,
}

/// `<status>/<revision>`, the state recorded in `releases`.
pub fn release_state(info: &ReleaseInfo) -> String {
    format!("{}/{}", info.status, info.revision)
}

/// Where a directory target keeps the files of `release`, `helm/<namespace>.<name>/` (one to
/// one: a namespace has no `.`), never outside `subscription_dir`.
pub fn chart_dir(
    subscription_dir: &Path,
    release: &ChartRelease,
) -> Result<PathBuf, directory::DirectoryError> {
    directory::subdirectory(
        subscription_dir,
        &["helm", &format!("{}.{}", release.namespace, release.name)],
    )
}

/// Runs `work` on `cluster`.
pub async fn run(
    inventory: &ProviderConfig,
    subscription_id: &str,
    cluster: &str,
    work: ChartWork,
) -> ChartOutcome {
    let mut outcome = ChartOutcome::default();
    if work.is_empty() {
        return outcome;
    }
    match inventory.clusters.get(cluster).map(|c| &c.target) {
        Some(Target::Directory(root)) => match targets::subscription_dir(root, subscription_id) {
            Ok(dir) => to_directory(inventory, cluster, &dir, work, &mut outcome).await,
            Err(e) => outcome.diagnostics.push(Diagnostic::error(
                format!("Cluster {cluster:?}: charts not written"),
                format!("{e}."),
            )),
        },
        Some(Target::Cluster(connection)) => {
            let helm = match super::helm_binary::helm(inventory).await {
                Ok(helm) => helm,
                Err(e) => {
                    outcome.diagnostics.push(Diagnostic::error(
                        format!("Cluster {cluster:?}: charts not deployed"),
                        format!("{e}. The cluster's other objects were applied."),
                    ));
                    return outcome;
                }
            };
            let config = connection.deploy_config();
            let deadline = work.deadline;
            for release in work.uninstall {
                match helm
                    .uninstall(
                        &config,
                        &release.namespace,
                        &release.name,
                        ChartWork::within(deadline, release.timeout()),
                    )
                    .await
                {
                    Ok(_) => outcome.removed.push(release.release_key()),
                    Err(e) => outcome.diagnostics.push(Diagnostic::error(
                        format!(
                            "Cluster {cluster:?}: release {}/{} not uninstalled",
                            release.namespace, release.name
                        ),
                        format!("{e}. The next apply or destroy retries."),
                    )),
                }
            }
            for release in work.install {
                let mut spec = release.spec();
                if let Some(within) = work.wait {
                    spec.options.wait = true;
                    spec.options.wait_for_jobs = true;
                    spec.options.timeout = within.max(Duration::from_secs(1));
                }
                spec.options.timeout = ChartWork::within(deadline, spec.options.timeout);
                match super::credentials::of(inventory, &release).await {
                    Ok(credentials) => spec.chart.credentials = credentials,
                    Err(e) => {
                        outcome.diagnostics.push(Diagnostic::error(
                            format!(
                                "Cluster {cluster:?}: release {}/{} not installed",
                                release.namespace, release.name
                            ),
                            format!("{e}."),
                        ));
                        continue;
                    }
                }
                match helm.upgrade_install(&config, &spec).await {
                    Ok(info) => {
                        outcome
                            .releases
                            .insert(release.release_key(), release_state(&info));
                    }
                    Err(e) => outcome.diagnostics.push(Diagnostic::error(
                        format!(
                            "Cluster {cluster:?}: release {}/{} not installed",
                            release.namespace, release.name
                        ),
                        format!(
                            "{e}. The cluster's objects and other charts, and the other \
                             clusters, were applied; this cluster is recorded as not done and \
                             the next apply retries it."
                        ),
                    )),
                }
            }
        }
        Some(Target::HubOnly) => outcome.diagnostics.push(Diagnostic::error(
            format!("Cluster {cluster:?} has no credentials"),
            "It is registered on the hub but not in the provider's `clusters`; add it there \
             with credentials to install its charts.",
        )),
        Some(Target::Unknown) => outcome.diagnostics.push(Diagnostic::error(
            format!("Cluster {cluster:?}: credentials not known"),
            "Its credentials or directory are still unknown at apply; this is a bug (Terraform \
             configures the provider with known values before it applies).",
        )),
        None => outcome.diagnostics.push(Diagnostic::error(
            format!("Cluster {cluster:?} is no longer configured"),
            "Its charts cannot be installed or uninstalled; add the cluster back.",
        )),
    }
    outcome
}

async fn to_directory(
    inventory: &ProviderConfig,
    cluster: &str,
    dir: &Path,
    work: ChartWork,
    outcome: &mut ChartOutcome,
) {
    let failed = |outcome: &mut ChartOutcome, release: &ChartRelease, e: &dyn Display| {
        outcome.diagnostics.push(Diagnostic::error(
            format!("Cluster {cluster:?}: chart {} not written", release.name),
            format!("{e}. The next apply retries."),
        ));
    };
    for release in work.uninstall {
        match chart_dir(dir, &release)
            .map_err(ChartDirError::from)
            .and_then(|chart_dir| remove_chart_dir(&chart_dir))
        {
            Ok(()) => outcome.removed.push(release.release_key()),
            Err(e) => failed(outcome, &release, &e),
        }
    }
    if work.install.is_empty() {
        let _ = std::fs::remove_dir(dir.join("helm"));
        return;
    }
    let helm = match super::helm_binary::helm(inventory).await {
        Ok(helm) => helm,
        Err(e) => {
            for release in &work.install {
                failed(outcome, release, &e);
            }
            return;
        }
    };
    for release in work.install {
        let mut spec = release.spec();
        match super::credentials::of(inventory, &release).await {
            Ok(credentials) => spec.chart.credentials = credentials,
            Err(e) => {
                failed(outcome, &release, &e);
                continue;
            }
        }
        let objects = match super::template::template(&helm, &spec).await {
            Ok(objects) => objects,
            Err(e) => {
                failed(outcome, &release, &e);
                continue;
            }
        };
        let written = chart_dir(dir, &release)
            .map_err(ChartDirError::from)
            .and_then(|chart_dir| write_chart_dir(&chart_dir, &objects, &release.values));
        match written {
            Ok(()) => {
                outcome
                    .releases
                    .insert(release.release_key(), WRITTEN.to_string());
            }
            Err(e) => failed(outcome, &release, &e),
        }
    }
}

/// Why a chart's files could not be written to or removed from a directory target.
#[derive(Debug, thiserror::Error)]
pub enum ChartDirError {
    /// Writing or clearing the templated objects failed.
    #[error("{0}")]
    Objects(#[from] DirectoryError),
    /// The values file could not be written.
    #[error("cannot write {VALUES_FILE}: {0}")]
    WriteValues(std::io::Error),
    /// The values file could not be removed.
    #[error("cannot remove {VALUES_FILE}: {0}")]
    RemoveValues(std::io::Error),
}

/// Writes a chart's templated objects and its values file.
fn write_chart_dir(chart_dir: &Path, objects: &[Json], values: &Json) -> Result<(), ChartDirError> {
    directory::write_directory(chart_dir, objects)?;
    let values = serde_json::to_string_pretty(values)
        .expect("JSON values serialise: their map keys are strings");
    std::fs::write(chart_dir.join(VALUES_FILE), values + "\n").map_err(ChartDirError::WriteValues)
}

/// Removes a chart's files from a directory target (only the files the provider wrote).
pub fn remove_chart_dir(chart_dir: &Path) -> Result<(), ChartDirError> {
    if !chart_dir.exists() {
        return Ok(());
    }
    directory::clear_directory(chart_dir)?;
    match std::fs::remove_file(chart_dir.join(VALUES_FILE)) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(ChartDirError::RemoveValues(e)),
    }
    let _ = std::fs::remove_dir(chart_dir);
    if let Some(parent) = chart_dir.parent() {
        let _ = std::fs::remove_dir(parent);
    }
    Ok(())
}
