//! The Helm CLI wrapper: fetching and rendering charts, and installing, upgrading,
//! inspecting and uninstalling releases on clusters given by a [`ConnectionConfig`].
//!
//! [`Helm::detect`] probes a helm binary (3 or 4). Every call runs one helm process (or a
//! few) with `tokio::process`, killed after a time limit or when the future is dropped, and
//! isolated from the user's environment:
//!
//! * `HELM_CONFIG_HOME`, `HELM_CACHE_HOME`, `HELM_DATA_HOME` and client-go's `KUBECACHEDIR`
//!   point into a private temporary directory of the [`Helm`] value; inherited `HELM_*`
//!   variables and `KUBECONFIG` are removed; `HELM_DRIVER` is `secret`.
//! * Each cluster operation writes a private kubeconfig (mode 0600) with only that cluster's
//!   server, CA and credentials, passes it with `--kubeconfig` and removes it afterwards.
//! * Values go through a 0600 temporary file (`-f`), never `--set`; repository credentials
//!   through a private repositories file or registry configuration, never arguments.
//! * helm's stderr becomes [`HelmError::Failed`] with the `Error: ` prefixes removed and
//!   credentials replaced by `***`.
//!
//! Charts are pulled once into a cache ([`Helm::fetch`]); [`Helm::template`] and
//! [`Helm::upgrade_install`] use the cached `.tgz`.
//!
//! **Install or upgrade.** [`Helm::upgrade_install`] runs `helm install` when the release
//! does not exist (with the install options: `create_namespace`, `replace`, `atomic`) and
//! `helm upgrade --reset-values` when it does (with `upgrade_atomic`, `force`), as Clusternet
//! does, rather than `helm upgrade --install`, which mixes the two option sets.
//!
//! **Recovering interrupted releases.** A helm process killed mid-operation leaves the
//! release `pending-*`, and helm then refuses every further upgrade. Before installing or
//! upgrading, [`Helm::upgrade_install`] looks at the release history:
//! * last revision `pending-install`, `pending-upgrade` or `pending-rollback`: roll back to the
//!   newest earlier revision that was `deployed` or `superseded`; when there is none (a first
//!   install that never finished), uninstall the release and install it anew. When helm
//!   refuses the rollback (an operation killed half-way can leave objects no stored manifest
//!   lists), the failed rollback is recorded as `failed`, which is enough for the upgrade to
//!   go ahead from the last deployed revision; objects only the interrupted revision created
//!   then stay behind, unmanaged;
//! * with `atomic` (Clusternet's rule), a last revision that is not `deployed` (e.g. `failed`)
//!   is uninstalled and installed anew;
//! * anything else is upgraded as it is.
//!
//! The history comes from the labels of helm's storage Secrets (`owner=helm`, `name`,
//! `version`, `status`): one list request, no `helm history` process.
//!
//! **helm 4** renamed two flags: `atomic`/`upgrade_atomic` become `--rollback-on-failure`, and
//! `force` becomes `--force-replace`, together with `--server-side=false`, since helm 4
//! refuses to replace objects while applying server-side (its default).
//!
//! **replace_crds** has no helm flag: when set (and `skip_crds` is not), the CRDs of the
//! chart's `crds/` directory (`helm show crds`) are server-side applied with force before
//! the install or upgrade, so that changed CRDs replace the installed ones (helm itself only
//! creates missing CRDs).
//!
//! **uninstall** does not pass `--wait`: it returns when helm has deleted the release's
//! objects, not when their finalizers have run.

mod chart;
mod command;
mod crds;
mod error;
mod kubeconfig;
mod lifecycle;
mod recovery;
mod release;
mod yaml;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

pub use chart::{ChartRef, RepoCredentials};
pub use error::HelmError;
pub use kubeconfig::PrivateKubeconfig;
pub use release::{ReleaseInfo, ReleaseOptions, ReleaseSpec, ReleaseStatus};

use crate::connection::ConnectionConfig;
use command::{Finished, HelmHome, Invocation};

/// The kubeconfig given to commands that talk to no cluster.
const EMPTY_KUBECONFIG: &str = "empty-kubeconfig";

/// The major version of a helm binary; some flags differ between them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HelmMajor {
    /// Helm 3.
    V3,
    /// Helm 4 (server-side apply by default, renamed `--atomic` and `--force`).
    V4,
}

/// A probed helm binary with its private helm homes and chart cache. Cheap to clone; clones
/// share the homes, the cache and the fetch locks.
#[derive(Debug, Clone)]
pub struct Helm {
    binary: PathBuf,
    major: HelmMajor,
    version: String,
    home: Arc<tempfile::TempDir>,
    cache_dir: PathBuf,
    fetch_locks: Arc<chart::FetchLocks>,
    command_timeout: Duration,
}

impl Helm {
    /// Runs `<binary> version` and keeps the binary if it is helm 3 or 4.
    pub async fn detect(binary: &Path) -> Result<Helm, HelmError> {
        let home = tempfile::Builder::new()
            .prefix("clusternet-helm-")
            .tempdir()
            .map_err(HelmError::io("cannot create a private helm home"))?;
        for sub in ["config", "cache", "data", "work", "charts"] {
            std::fs::create_dir(home.path().join(sub))
                .map_err(HelmError::io("cannot create a private helm home"))?;
        }
        // Commands that need no cluster still get a kubeconfig, an empty one, so that helm
        // never falls back to ~/.kube/config.
        std::fs::write(
            home.path().join(EMPTY_KUBECONFIG),
            r#"{"apiVersion":"v1","kind":"Config"}"#,
        )
        .map_err(HelmError::io("cannot create a private helm home"))?;
        let mut helm = Helm {
            binary: binary.to_path_buf(),
            major: HelmMajor::V3,
            version: String::new(),
            cache_dir: home.path().join("charts"),
            home: Arc::new(home),
            fetch_locks: Arc::default(),
            command_timeout: Duration::from_secs(120),
        };
        let bad = |message: String| HelmError::BadBinary {
            binary: binary.to_path_buf(),
            message,
        };
        let probe = Invocation::new(
            "version",
            &["version", "--template", "{{.Version}}"],
            Duration::from_secs(30),
        );
        let finished = helm.run(probe).await?;
        let version = finished
            .checked("version", &[])
            .map_err(|e| bad(e.to_string()))?
            .trim()
            .to_string();
        helm.major = match version.split('.').next() {
            Some("v3") => HelmMajor::V3,
            Some("v4") => HelmMajor::V4,
            _ => {
                return Err(bad(format!(
                    "`version` printed {version:?}, not v3.x or v4.x"
                )));
            }
        };
        helm.version = version;
        Ok(helm)
    }

    /// Keeps pulled charts in `dir` (created when needed) instead of the private temporary
    /// directory, so that they survive this value.
    pub fn with_cache_dir(mut self, dir: PathBuf) -> Helm {
        self.cache_dir = dir;
        self
    }

    /// Gives helm commands that take no `timeout` option (pull, status, get, ...) this long
    /// before they are killed (default 120 s).
    pub fn with_command_timeout(mut self, timeout: Duration) -> Helm {
        self.command_timeout = timeout;
        self
    }

    /// The major version.
    pub fn major(&self) -> HelmMajor {
        self.major
    }

    /// The version `helm version` reported, e.g. `v3.17.2`.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The binary.
    pub fn binary(&self) -> &Path {
        &self.binary
    }

    /// The chart cache directory.
    pub fn cache_dir(&self) -> &Path {
        &self.cache_dir
    }

    /// Where the temporary files of running commands live (private kubeconfigs, values,
    /// repository files); empty between commands.
    pub fn work_dir(&self) -> PathBuf {
        self.home.path().join("work")
    }

    /// A private kubeconfig for `cluster`, as every cluster operation writes one.
    pub fn private_kubeconfig(
        &self,
        cluster: &ConnectionConfig,
    ) -> Result<PrivateKubeconfig, HelmError> {
        PrivateKubeconfig::create(cluster, &self.work_dir())
    }

    /// Runs one helm process in the private homes.
    async fn run(&self, mut invocation: Invocation) -> Result<Finished, HelmError> {
        let root = self.home.path();
        if !invocation.args.iter().any(|a| a == "--kubeconfig") {
            invocation = invocation
                .arg("--kubeconfig")
                .arg(root.join(EMPTY_KUBECONFIG));
        }
        let home = HelmHome {
            config: &root.join("config"),
            cache: &root.join("cache"),
            data: &root.join("data"),
            kube_cache: &root.join("cache").join("kube"),
        };
        command::run(&self.binary, &home, invocation).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The operations' futures are `Send`, so that callers can `tokio::spawn` them.
    #[allow(dead_code)]
    fn futures_are_send(helm: &Helm, cluster: &ConnectionConfig, release: &ReleaseSpec) {
        fn send<T: Send>(_: T) {}
        send(Helm::detect(Path::new("helm")));
        send(helm.fetch(&release.chart));
        send(helm.template(release));
        send(helm.status(cluster, "ns", "name"));
        send(helm.upgrade_install(cluster, release));
        send(helm.uninstall(cluster, "ns", "name", Duration::from_secs(1)));
        send(helm.values(cluster, "ns", "name"));
        send(helm.manifest(cluster, "ns", "name"));
    }

    #[test]
    fn helm_is_send_and_sync() {
        fn both<T: Send + Sync>() {}
        both::<Helm>();
    }
}
