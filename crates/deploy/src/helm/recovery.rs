//! Getting a release out of an interrupted `pending-*` state before the next install or
//! upgrade (rules in the module documentation of [`super`]).

use serde::Deserialize;

use super::Helm;
use super::command::Invocation;
use super::error::HelmError;
use super::kubeconfig::PrivateKubeconfig;
use super::lifecycle::cluster_args;
use super::release::{self, ReleaseSpec, ReleaseStatus};

/// One entry of `helm history -o json`.
#[derive(Debug, Deserialize)]
struct Revision {
    revision: u32,
    status: String,
}

/// How far back the history is read.
const HISTORY_DEPTH: &str = "256";

impl Helm {
    /// Brings the release into a state helm can install or upgrade from. Returns the status
    /// of its latest revision afterwards, `None` when there is no release (any more).
    pub(crate) async fn recover(
        &self,
        kubeconfig: &PrivateKubeconfig,
        release: &ReleaseSpec,
    ) -> Result<Option<ReleaseStatus>, HelmError> {
        let history = self
            .history(kubeconfig, &release.namespace, &release.name)
            .await?;
        let Some(last) = history.iter().max_by_key(|r| r.revision) else {
            return Ok(None);
        };
        let status = ReleaseStatus::parse(&last.status);
        let timeout = release.options.timeout;
        if status.is_pending() {
            let good = history
                .iter()
                .filter(|r| r.revision < last.revision)
                .filter(|r| {
                    matches!(
                        ReleaseStatus::parse(&r.status),
                        ReleaseStatus::Deployed | ReleaseStatus::Superseded
                    )
                })
                .max_by_key(|r| r.revision);
            return match good {
                Some(good) => {
                    tracing::info!(
                        release = %release.name,
                        namespace = %release.namespace,
                        from = %status,
                        to = good.revision,
                        "rolling back an interrupted release"
                    );
                    self.rollback(kubeconfig, release, good.revision).await?;
                    Ok(Some(ReleaseStatus::Deployed))
                }
                None => {
                    tracing::info!(
                        release = %release.name,
                        namespace = %release.namespace,
                        from = %status,
                        "uninstalling a release whose first install was interrupted"
                    );
                    self.uninstall_with(kubeconfig, &release.namespace, &release.name, timeout)
                        .await?;
                    Ok(None)
                }
            };
        }
        if release.options.atomic
            && !matches!(status, ReleaseStatus::Deployed | ReleaseStatus::Uninstalled)
        {
            tracing::info!(
                release = %release.name,
                namespace = %release.namespace,
                from = %status,
                "atomic: uninstalling a release that is not deployed"
            );
            self.uninstall_with(kubeconfig, &release.namespace, &release.name, timeout)
                .await?;
            return Ok(None);
        }
        Ok(Some(status))
    }

    /// The release's revisions (empty when there is no release).
    async fn history(
        &self,
        kubeconfig: &PrivateKubeconfig,
        namespace: &str,
        name: &str,
    ) -> Result<Vec<Revision>, HelmError> {
        let invocation = Invocation::new(
            "history",
            &["history", name, "-o", "json", "--max", HISTORY_DEPTH],
            self.command_timeout,
        )
        .args(cluster_args(kubeconfig, namespace));
        let finished = self.run(invocation).await?;
        if !finished.success && finished.stderr.contains("release: not found") {
            return Ok(Vec::new());
        }
        let output = finished.checked("history", &kubeconfig.secrets())?;
        serde_json::from_str(output.trim()).map_err(|e| HelmError::Output {
            command: "history",
            message: e.to_string(),
        })
    }

    /// `helm rollback <name> <revision>`.
    async fn rollback(
        &self,
        kubeconfig: &PrivateKubeconfig,
        release: &ReleaseSpec,
        revision: u32,
    ) -> Result<(), HelmError> {
        let options = &release.options;
        let invocation = Invocation::new(
            "rollback",
            &["rollback", &release.name, &revision.to_string()],
            options.timeout + std::time::Duration::from_secs(60),
        )
        .arg("--timeout")
        .arg(release::helm_duration(options.timeout))
        .flag_if(options.wait, "--wait")
        .args(cluster_args(kubeconfig, &release.namespace));
        self.run(invocation)
            .await?
            .checked("rollback", &kubeconfig.secrets())
            .map(drop)
    }
}
