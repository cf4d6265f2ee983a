//! `HelmChart` (apps.clusternet.io/v1alpha1): a chart feed.

use serde::{Deserialize, Serialize};

use super::meta::ObjectMeta;

/// A HelmChart feed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HelmChart {
    /// Metadata.
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// Spec, CRD defaults applied.
    pub spec: HelmChartSpec,
    /// Status as resolved by the controller-manager.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<HelmChartStatus>,
}

/// `HelmChartSpec` (inline `HelmOptions` + `targetNamespace`), Go field order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HelmChartSpec {
    /// Chart repository URL (http, https or oci).
    pub repo: String,
    /// Chart name in the repository.
    pub chart: String,
    /// Chart version; empty means latest.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub version: String,
    /// Secret with `username` / `password` for the repository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chart_pull_secret: Option<ChartPullSecret>,
    /// OCI over plain HTTP.
    #[serde(default, rename = "plainHTTP", skip_serializing_if = "Option::is_none")]
    pub plain_http: Option<bool>,
    /// Create the target namespace on install (CRD default `true`).
    #[serde(default = "some_true", skip_serializing_if = "Option::is_none")]
    pub create_namespace: Option<bool>,
    /// Timeout for install/upgrade/uninstall (CRD default 300).
    #[serde(default = "default_timeout", skip_serializing_if = "Option::is_none")]
    pub timeout_seconds: Option<i32>,
    /// Wait for resources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait: Option<bool>,
    /// Wait for jobs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait_for_job: Option<bool>,
    /// Reuse a deleted release name on install.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replace: Option<bool>,
    /// Uninstall and reinstall a release that is not `deployed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub atomic: Option<bool>,
    /// Helm atomic upgrade.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upgrade_atomic: Option<bool>,
    /// Skip CRDs.
    #[serde(default, rename = "skipCRDs", skip_serializing_if = "Option::is_none")]
    pub skip_crds: Option<bool>,
    /// Replace chart CRDs before install/upgrade.
    #[serde(
        default,
        rename = "replaceCRDs",
        skip_serializing_if = "Option::is_none"
    )]
    pub replace_crds: Option<bool>,
    /// Disable hooks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_hooks: Option<bool>,
    /// Upgrade with `--force`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub force: Option<bool>,
    /// Namespace in the child cluster to install into.
    pub target_namespace: String,
}

fn some_true() -> Option<bool> {
    Some(true)
}

fn default_timeout() -> Option<i32> {
    Some(300)
}

/// Reference to the pull secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChartPullSecret {
    /// Secret name.
    pub name: String,
    /// Secret namespace.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub namespace: String,
}

/// `HelmChartStatus`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HelmChartStatus {
    /// `Found`, `NotFound`, or empty while verifying.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<ChartPhase>,
    /// Reason of the phase.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
}

/// Chart resolution phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChartPhase {
    /// The chart exists in the repository.
    Found,
    /// The chart does not exist: every Base using it renders nothing (quirk).
    NotFound,
}
