//! Getting a release out of an interrupted `pending-*` state before the next install or
//! upgrade (rules in the module documentation of [`super`]).

use kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind, ListParams};

use super::Helm;
use super::command::Invocation;
use super::error::HelmError;
use super::kubeconfig::PrivateKubeconfig;
use super::lifecycle::cluster_args;
use super::release::{self, ReleaseSpec, ReleaseStatus};
use crate::connection::{ConnectionConfig, Timeouts};
use crate::error::transport_message;

/// One stored revision of a release.
#[derive(Debug)]
struct Revision {
    revision: u32,
    status: String,
}

impl Helm {
    /// Brings the release into a state helm can install or upgrade from. Returns the status
    /// of its latest revision afterwards, `None` when there is no release (any more).
    pub(crate) async fn recover(
        &self,
        cluster: &ConnectionConfig,
        kubeconfig: &PrivateKubeconfig,
        release: &ReleaseSpec,
    ) -> Result<Option<ReleaseStatus>, HelmError> {
        let history = self
            .history(cluster, &release.namespace, &release.name)
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
                    match self.rollback(kubeconfig, release, good.revision).await {
                        Ok(()) => Ok(Some(ReleaseStatus::Deployed)),
                        // helm refuses a rollback when the interrupted operation stopped
                        // half-way (e.g. "no ConfigMap with the name .. found": created
                        // objects that no stored manifest lists). The failed rollback is
                        // recorded as `failed`, which unblocks the upgrade; that upgrade
                        // starts from the last deployed revision.
                        Err(HelmError::Failed { message, .. }) => {
                            tracing::warn!(
                                release = %release.name,
                                namespace = %release.namespace,
                                %message,
                                "rollback of an interrupted release failed; upgrading from the last deployed revision"
                            );
                            Ok(Some(ReleaseStatus::Failed))
                        }
                        Err(other) => Err(other),
                    }
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

    /// The release's revisions (empty when there is no release), read from the labels of
    /// helm's storage Secrets (`owner=helm`, `name`, `version`, `status`; the default
    /// `secret` storage driver, which [`Helm`] always uses): one list request instead of a
    /// `helm history` process.
    async fn history(
        &self,
        cluster: &ConnectionConfig,
        namespace: &str,
        name: &str,
    ) -> Result<Vec<Revision>, HelmError> {
        let client =
            cluster
                .client(Timeouts::default())
                .await
                .map_err(|e| HelmError::Kubeconfig {
                    message: e.to_string(),
                })?;
        let secrets = ApiResource::from_gvk(&GroupVersionKind::gvk("", "v1", "Secret"));
        let api: Api<DynamicObject> = Api::namespaced_with(client, namespace, &secrets);
        let selector = format!("owner=helm,name={name}");
        let list = api
            .list_metadata(&ListParams::default().labels(&selector))
            .await
            .map_err(|e| HelmError::Failed {
                command: "history",
                message: match &e {
                    kube::Error::Api(status) => format!(
                        "listing the release's Secrets: {} ({} {})",
                        status.message, status.code, status.reason
                    ),
                    other => transport_message(other),
                },
            })?;
        Ok(list
            .items
            .iter()
            .filter_map(|secret| {
                let labels = secret.metadata.labels.as_ref()?;
                Some(Revision {
                    revision: labels.get("version")?.parse().ok()?,
                    status: labels.get("status")?.clone(),
                })
            })
            .collect())
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
