//! Rendering charts and the release operations: status, install/upgrade, uninstall, and
//! reading a deployed release's values and manifest.

use std::ffi::OsString;
use std::io::Write as _;
use std::time::Duration;

use serde_json::Value;

use super::command::Invocation;
use super::error::HelmError;
use super::kubeconfig::PrivateKubeconfig;
use super::release::{self, ReleaseInfo, ReleaseSpec, ReleaseStatus};
use super::{Helm, yaml};
use crate::connection::ConnectionConfig;

/// Extra time given to a helm process beyond its own `--timeout` before it is killed.
const GRACE: Duration = Duration::from_secs(60);

/// Whether helm's stderr says the release does not exist.
fn release_missing(stderr: &str) -> bool {
    stderr.contains("release: not found")
}

impl Helm {
    /// The objects `helm template` renders from the (cached) chart with the release's values
    /// and namespace: CRDs of `crds/` included unless `skip_crds`, hooks unless
    /// `disable_hooks`. Empty documents are skipped. Contacts no cluster.
    pub async fn template(&self, release: &ReleaseSpec) -> Result<Vec<Value>, HelmError> {
        let chart = self.fetch(&release.chart).await?;
        let values = self.values_file(&release.values)?;
        let options = &release.options;
        let mut invocation = Invocation::new(
            "template",
            &["template", &release.name],
            self.command_timeout,
        )
        .arg(&chart)
        .arg("--namespace")
        .arg(&release.namespace)
        .flag_if(!options.skip_crds, "--include-crds")
        .flag_if(options.disable_hooks, "--no-hooks");
        if let Some(values) = &values {
            invocation = invocation.arg("-f").arg(values.path());
        }
        let output = self
            .run(invocation)
            .await?
            .checked("template", &release.chart.secrets())?;
        yaml::documents("template", &output)
    }

    /// The release's latest revision, or `None` when there is no such release.
    pub async fn status(
        &self,
        cluster: &ConnectionConfig,
        namespace: &str,
        name: &str,
    ) -> Result<Option<ReleaseInfo>, HelmError> {
        let kubeconfig = self.private_kubeconfig(cluster)?;
        self.status_with(&kubeconfig, namespace, name).await
    }

    /// [`Helm::status`] with an existing private kubeconfig (`helm get metadata`, which,
    /// unlike `helm status`, names the chart and its version).
    async fn status_with(
        &self,
        kubeconfig: &PrivateKubeconfig,
        namespace: &str,
        name: &str,
    ) -> Result<Option<ReleaseInfo>, HelmError> {
        let invocation = Invocation::new(
            "get metadata",
            &["get", "metadata", name, "-o", "json"],
            self.command_timeout,
        )
        .args(cluster_args(kubeconfig, namespace));
        let finished = self.run(invocation).await?;
        if !finished.success && release_missing(&finished.stderr) {
            return Ok(None);
        }
        let output = finished.checked("get metadata", &kubeconfig.secrets())?;
        ReleaseInfo::from_metadata_json("get metadata", &output).map(Some)
    }

    /// Installs the release, or upgrades it when it exists, after recovering a release left
    /// `pending-*` by an interrupted helm (see the module documentation for the rules).
    /// Returns the new revision.
    pub async fn upgrade_install(
        &self,
        cluster: &ConnectionConfig,
        release: &ReleaseSpec,
    ) -> Result<ReleaseInfo, HelmError> {
        let chart = self.fetch(&release.chart).await?;
        let values = self.values_file(&release.values)?;
        let kubeconfig = self.private_kubeconfig(cluster)?;
        let mut secrets = kubeconfig.secrets();
        secrets.extend(release.chart.secrets());
        let existing = self.recover(cluster, &kubeconfig, release).await?;
        let options = &release.options;
        if options.replace_crds && !options.skip_crds {
            self.replace_crds(cluster, &chart).await?;
        }
        let timeout = options.timeout + GRACE;
        let mut invocation = match existing {
            None | Some(ReleaseStatus::Uninstalled) => release::install_flags(
                Invocation::new("install", &["install", &release.name], timeout),
                options,
                self.major,
            )
            // A release uninstalled with --keep-history can only be installed again this way.
            .flag_if(existing.is_some() && !options.replace, "--replace"),
            Some(_) => release::upgrade_flags(
                Invocation::new("upgrade", &["upgrade", &release.name], timeout),
                options,
                self.major,
            ),
        };
        let command = invocation.command;
        invocation = invocation
            .arg(&chart)
            .args(["--output", "json"])
            .args(cluster_args(&kubeconfig, &release.namespace));
        if let Some(values) = &values {
            invocation = invocation.arg("-f").arg(values.path());
        }
        let output = self.run(invocation).await?.checked(command, &secrets)?;
        ReleaseInfo::from_release_json(command, &output)
    }

    /// Uninstalls the release; `false` when there was none.
    pub async fn uninstall(
        &self,
        cluster: &ConnectionConfig,
        namespace: &str,
        name: &str,
        timeout: Duration,
    ) -> Result<bool, HelmError> {
        let kubeconfig = self.private_kubeconfig(cluster)?;
        self.uninstall_with(&kubeconfig, namespace, name, timeout)
            .await
    }

    /// [`Helm::uninstall`] with an existing private kubeconfig.
    pub(crate) async fn uninstall_with(
        &self,
        kubeconfig: &PrivateKubeconfig,
        namespace: &str,
        name: &str,
        timeout: Duration,
    ) -> Result<bool, HelmError> {
        let invocation = Invocation::new("uninstall", &["uninstall", name], timeout + GRACE)
            .arg("--timeout")
            .arg(release::helm_duration(timeout))
            .args(cluster_args(kubeconfig, namespace));
        let finished = self.run(invocation).await?;
        if finished.success {
            return Ok(true);
        }
        if release_missing(&finished.stderr) {
            return Ok(false);
        }
        Err(finished.failure("uninstall", &kubeconfig.secrets()))
    }

    /// The user-supplied values of the deployed release (`helm get values`); an empty object
    /// when it was installed without values.
    pub async fn values(
        &self,
        cluster: &ConnectionConfig,
        namespace: &str,
        name: &str,
    ) -> Result<Value, HelmError> {
        let output = self
            .get(
                cluster,
                namespace,
                name,
                &["get", "values", name, "-o", "json"],
            )
            .await?;
        let values: Value = serde_json::from_str(output.trim()).map_err(|e| HelmError::Output {
            command: "get",
            message: format!("values are not JSON: {e}"),
        })?;
        Ok(if values.is_null() {
            Value::Object(serde_json::Map::new())
        } else {
            values
        })
    }

    /// The objects of the deployed release's manifest (`helm get manifest`).
    pub async fn manifest(
        &self,
        cluster: &ConnectionConfig,
        namespace: &str,
        name: &str,
    ) -> Result<Vec<Value>, HelmError> {
        let output = self
            .get(cluster, namespace, name, &["get", "manifest", name])
            .await?;
        yaml::documents("get", &output)
    }

    /// Runs a `helm get ...`; [`HelmError::ReleaseNotFound`] when the release does not exist.
    async fn get(
        &self,
        cluster: &ConnectionConfig,
        namespace: &str,
        name: &str,
        words: &[&str],
    ) -> Result<String, HelmError> {
        let kubeconfig = self.private_kubeconfig(cluster)?;
        let invocation = Invocation::new("get", words, self.command_timeout)
            .args(cluster_args(&kubeconfig, namespace));
        let finished = self.run(invocation).await?;
        if !finished.success && release_missing(&finished.stderr) {
            return Err(HelmError::ReleaseNotFound {
                name: name.to_string(),
                namespace: namespace.to_string(),
            });
        }
        finished.checked("get", &kubeconfig.secrets())
    }

    /// The values as a 0600 temporary file for `-f` (`None` for `null`).
    fn values_file(&self, values: &Value) -> Result<Option<tempfile::NamedTempFile>, HelmError> {
        match values {
            Value::Null => Ok(None),
            Value::Object(_) => {
                let mut file = tempfile::Builder::new()
                    .prefix("values-")
                    .suffix(".yaml")
                    .tempfile_in(self.work_dir())
                    .map_err(HelmError::io("cannot create a values file"))?;
                // JSON is YAML; helm reads it as such.
                let text = serde_json::to_string(values).map_err(|e| HelmError::InvalidValues {
                    message: e.to_string(),
                })?;
                file.write_all(text.as_bytes())
                    .and_then(|()| file.flush())
                    .map_err(HelmError::io("cannot write a values file"))?;
                Ok(Some(file))
            }
            other => Err(HelmError::InvalidValues {
                message: format!("values must be an object (a YAML mapping), not {other}"),
            }),
        }
    }
}

/// `--kubeconfig <private file> --namespace <namespace>`.
pub(crate) fn cluster_args(kubeconfig: &PrivateKubeconfig, namespace: &str) -> Vec<OsString> {
    vec![
        "--kubeconfig".into(),
        kubeconfig.path().into(),
        "--namespace".into(),
        namespace.into(),
    ]
}
