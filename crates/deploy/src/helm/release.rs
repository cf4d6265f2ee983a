//! Releases: what to install, with which options, and what helm reports back.

use std::fmt;
use std::time::Duration;

use serde_json::Value;

use super::HelmMajor;
use super::chart::ChartRef;
use super::command::Invocation;
use super::error::HelmError;

/// Helm options of a release (Clusternet's `HelmOptions`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseOptions {
    /// Create the release namespace on install (`--create-namespace`).
    pub create_namespace: bool,
    /// Time limit of each install, upgrade, rollback or uninstall (`--timeout`).
    pub timeout: Duration,
    /// Wait until the release's resources are ready (`--wait`).
    pub wait: bool,
    /// With `wait`, also wait for Jobs to complete (`--wait-for-jobs`).
    pub wait_for_jobs: bool,
    /// Install: reuse the name of a deleted release still in the history (`--replace`).
    pub replace: bool,
    /// Install: remove the release again when the install fails (helm 3 `--atomic`, helm 4
    /// `--rollback-on-failure`); also, as in Clusternet, a release whose last revision is
    /// not `deployed` is uninstalled and installed anew.
    pub atomic: bool,
    /// Upgrade: roll back when the upgrade fails (helm 3 `--atomic`, helm 4
    /// `--rollback-on-failure`).
    pub upgrade_atomic: bool,
    /// Do not install the chart's CRDs (`--skip-crds`).
    pub skip_crds: bool,
    /// Replace the chart's CRDs before install or upgrade (ignored with `skip_crds`): helm has
    /// no flag for it; [`super::Helm::upgrade_install`] server-side applies the chart's
    /// `crds/` with force first.
    pub replace_crds: bool,
    /// Do not run hooks (`--no-hooks`).
    pub disable_hooks: bool,
    /// Upgrade: replace resources instead of patching them (helm 3 `--force`, helm 4
    /// `--force-replace --server-side=false`, since helm 4 cannot replace while applying
    /// server-side).
    pub force: bool,
}

impl Default for ReleaseOptions {
    /// Clusternet's defaults: create the namespace, 300 s, everything else off.
    fn default() -> Self {
        ReleaseOptions {
            create_namespace: true,
            timeout: Duration::from_secs(300),
            wait: false,
            wait_for_jobs: false,
            replace: false,
            atomic: false,
            upgrade_atomic: false,
            skip_crds: false,
            replace_crds: false,
            disable_hooks: false,
            force: false,
        }
    }
}

/// A release to install or upgrade.
#[derive(Debug, Clone, PartialEq)]
pub struct ReleaseSpec {
    /// The release name.
    pub name: String,
    /// The namespace it lives in (helm's `--namespace`).
    pub namespace: String,
    /// The chart.
    pub chart: ChartRef,
    /// The user-supplied values (a JSON object; `null` means none).
    pub values: Value,
    /// The helm options.
    pub options: ReleaseOptions,
}

/// A release's status as helm stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReleaseStatus {
    /// `deployed`.
    Deployed,
    /// `failed`.
    Failed,
    /// `pending-install`: an install is running, or was interrupted.
    PendingInstall,
    /// `pending-upgrade`: an upgrade is running, or was interrupted.
    PendingUpgrade,
    /// `pending-rollback`: a rollback is running, or was interrupted.
    PendingRollback,
    /// `uninstalling`.
    Uninstalling,
    /// `superseded`: an older revision.
    Superseded,
    /// `uninstalled` (kept in the history).
    Uninstalled,
    /// Anything else helm may report.
    Unknown(String),
}

impl ReleaseStatus {
    /// Parses helm's status string.
    pub fn parse(status: &str) -> ReleaseStatus {
        match status {
            "deployed" => ReleaseStatus::Deployed,
            "failed" => ReleaseStatus::Failed,
            "pending-install" => ReleaseStatus::PendingInstall,
            "pending-upgrade" => ReleaseStatus::PendingUpgrade,
            "pending-rollback" => ReleaseStatus::PendingRollback,
            "uninstalling" => ReleaseStatus::Uninstalling,
            "superseded" => ReleaseStatus::Superseded,
            "uninstalled" => ReleaseStatus::Uninstalled,
            other => ReleaseStatus::Unknown(other.to_string()),
        }
    }

    /// helm's spelling.
    pub fn as_str(&self) -> &str {
        match self {
            ReleaseStatus::Deployed => "deployed",
            ReleaseStatus::Failed => "failed",
            ReleaseStatus::PendingInstall => "pending-install",
            ReleaseStatus::PendingUpgrade => "pending-upgrade",
            ReleaseStatus::PendingRollback => "pending-rollback",
            ReleaseStatus::Uninstalling => "uninstalling",
            ReleaseStatus::Superseded => "superseded",
            ReleaseStatus::Uninstalled => "uninstalled",
            ReleaseStatus::Unknown(other) => other,
        }
    }

    /// Whether an operation on the release is (or was left) in progress.
    pub fn is_pending(&self) -> bool {
        matches!(
            self,
            ReleaseStatus::PendingInstall
                | ReleaseStatus::PendingUpgrade
                | ReleaseStatus::PendingRollback
        )
    }
}

impl fmt::Display for ReleaseStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A release as helm reports it (its latest revision).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseInfo {
    /// The release name.
    pub name: String,
    /// Its namespace.
    pub namespace: String,
    /// The revision number (1 for the first install).
    pub revision: u32,
    /// The status of that revision.
    pub status: ReleaseStatus,
    /// `<chart name>-<chart version>`, as `helm list` shows it.
    pub chart: String,
    /// The chart version.
    pub chart_version: String,
}

impl ReleaseInfo {
    /// Reads the release JSON `helm install -o json` and `helm upgrade -o json` print.
    pub(crate) fn from_release_json(
        command: &'static str,
        text: &str,
    ) -> Result<ReleaseInfo, HelmError> {
        let bad = |message: String| HelmError::Output { command, message };
        let release: Value = serde_json::from_str(text.trim())
            .map_err(|e| bad(format!("not the release JSON helm prints: {e}")))?;
        let field = |pointer: &str| {
            release
                .pointer(pointer)
                .and_then(Value::as_str)
                .map(str::to_string)
                .ok_or_else(|| bad(format!("the release JSON has no {pointer}")))
        };
        let revision = release
            .get("version")
            .and_then(Value::as_u64)
            .and_then(|v| u32::try_from(v).ok())
            .ok_or_else(|| bad("the release JSON has no revision (version)".into()))?;
        let chart_version = field("/chart/metadata/version")?;
        Ok(ReleaseInfo {
            name: field("/name")?,
            namespace: field("/namespace")?,
            revision,
            status: ReleaseStatus::parse(&field("/info/status")?),
            chart: format!("{}-{chart_version}", field("/chart/metadata/name")?),
            chart_version,
        })
    }

    /// Reads `helm get metadata -o json`.
    pub(crate) fn from_metadata_json(
        command: &'static str,
        text: &str,
    ) -> Result<ReleaseInfo, HelmError> {
        let bad = |message: String| HelmError::Output { command, message };
        let metadata: Value = serde_json::from_str(text.trim())
            .map_err(|e| bad(format!("not the release metadata helm prints: {e}")))?;
        let field = |key: &str| {
            metadata
                .get(key)
                .and_then(Value::as_str)
                .map(str::to_string)
                .ok_or_else(|| bad(format!("the release metadata has no {key:?}")))
        };
        let revision = metadata
            .get("revision")
            .and_then(Value::as_u64)
            .and_then(|v| u32::try_from(v).ok())
            .ok_or_else(|| bad("the release metadata has no revision".into()))?;
        let chart_version = field("version")?;
        Ok(ReleaseInfo {
            name: field("name")?,
            namespace: field("namespace")?,
            revision,
            status: ReleaseStatus::parse(&field("status")?),
            chart: format!("{}-{chart_version}", field("chart")?),
            chart_version,
        })
    }
}

/// The helm flags for the options, as `helm install` takes them.
pub(crate) fn install_flags(
    invocation: Invocation,
    options: &ReleaseOptions,
    major: HelmMajor,
) -> Invocation {
    common_flags(invocation, options)
        .flag_if(options.create_namespace, "--create-namespace")
        .flag_if(options.replace, "--replace")
        .flag_if(options.atomic, rollback_flag(major))
}

/// The helm flags for the options, as `helm upgrade` takes them.
pub(crate) fn upgrade_flags(
    invocation: Invocation,
    options: &ReleaseOptions,
    major: HelmMajor,
) -> Invocation {
    // The values are exactly the ones given: nothing reused from the previous revision.
    let invocation = common_flags(invocation, options)
        .arg("--reset-values")
        .flag_if(options.upgrade_atomic, rollback_flag(major));
    match major {
        HelmMajor::V3 => invocation.flag_if(options.force, "--force"),
        // helm 4 refuses to replace objects while applying server-side ("cannot use
        // server-side apply and force replace together"): a forced upgrade applies
        // client-side.
        HelmMajor::V4 => invocation
            .flag_if(options.force, "--force-replace")
            .flag_if(options.force, "--server-side=false"),
    }
}

/// helm 4 renamed `--atomic`.
fn rollback_flag(major: HelmMajor) -> &'static str {
    match major {
        HelmMajor::V3 => "--atomic",
        HelmMajor::V4 => "--rollback-on-failure",
    }
}

fn common_flags(invocation: Invocation, options: &ReleaseOptions) -> Invocation {
    invocation
        .arg("--timeout")
        .arg(helm_duration(options.timeout))
        .flag_if(options.wait, "--wait")
        .flag_if(options.wait && options.wait_for_jobs, "--wait-for-jobs")
        .flag_if(options.skip_crds, "--skip-crds")
        .flag_if(options.disable_hooks, "--no-hooks")
}

/// A duration the way helm's `--timeout` parses it.
pub(crate) fn helm_duration(duration: Duration) -> String {
    format!("{}ms", duration.as_millis().max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(invocation: Invocation) -> Vec<String> {
        invocation
            .args
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn every_option_has_its_flag_in_helm_3_and_helm_4() {
        let options = ReleaseOptions {
            create_namespace: true,
            timeout: Duration::from_secs(90),
            wait: true,
            wait_for_jobs: true,
            replace: true,
            atomic: true,
            upgrade_atomic: true,
            skip_crds: true,
            replace_crds: false,
            disable_hooks: true,
            force: true,
        };
        let empty = || Invocation::new("x", &[], Duration::from_secs(1));
        let install3 = words(install_flags(empty(), &options, HelmMajor::V3));
        for flag in [
            "--create-namespace",
            "--replace",
            "--atomic",
            "--wait",
            "--wait-for-jobs",
            "--skip-crds",
            "--no-hooks",
            "90000ms",
        ] {
            assert!(install3.iter().any(|w| w == flag), "{flag} in {install3:?}");
        }
        let upgrade4 = words(upgrade_flags(empty(), &options, HelmMajor::V4));
        for flag in [
            "--rollback-on-failure",
            "--force-replace",
            "--server-side=false",
            "--reset-values",
        ] {
            assert!(upgrade4.iter().any(|w| w == flag), "{flag} in {upgrade4:?}");
        }
        assert!(!upgrade4.iter().any(|w| w == "--atomic" || w == "--force"));
        assert!(!upgrade4.iter().any(|w| w == "--create-namespace"));
        let upgrade3 = words(upgrade_flags(empty(), &options, HelmMajor::V3));
        assert!(upgrade3.iter().any(|w| w == "--force"));
    }

    #[test]
    fn statuses_round_trip() {
        for status in [
            "deployed",
            "failed",
            "pending-install",
            "pending-upgrade",
            "pending-rollback",
            "uninstalling",
            "superseded",
            "uninstalled",
            "odd",
        ] {
            assert_eq!(ReleaseStatus::parse(status).as_str(), status);
        }
        assert!(ReleaseStatus::parse("pending-install").is_pending());
        assert!(!ReleaseStatus::parse("failed").is_pending());
    }
}
