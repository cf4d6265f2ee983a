//! `Localization` and `Globalization` (apps.clusternet.io/v1alpha1): override objects.

use serde::{Deserialize, Serialize};

use super::meta::{LabelSelector, ObjectMeta};
use super::subscription::Feed;

/// Per-cluster overrides; effective only in a cluster's dedicated namespace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Localization {
    /// Metadata.
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// Spec.
    pub spec: LocalizationSpec,
}

/// Cluster-scoped overrides for all clusters or those matching `clusterAffinity`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Globalization {
    /// Metadata.
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// Spec.
    pub spec: GlobalizationSpec,
}

/// `LocalizationSpec`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LocalizationSpec {
    /// `ApplyNow` or `ApplyLater` (default): triggering only, never the result.
    #[serde(default)]
    pub override_policy: OverridePolicy,
    /// 0..=1000, default 500; lower applied first, higher wins.
    #[serde(default = "default_priority")]
    pub priority: i32,
    /// The feed whose objects are overridden.
    pub feed: Feed,
    /// Overrides, applied in order.
    #[serde(default)]
    pub overrides: Vec<OverrideConfig>,
}

/// `GlobalizationSpec`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GlobalizationSpec {
    /// `ApplyNow` or `ApplyLater` (default).
    #[serde(default)]
    pub override_policy: OverridePolicy,
    /// 0..=1000, default 500.
    #[serde(default = "default_priority")]
    pub priority: i32,
    /// The feed whose objects are overridden.
    pub feed: Feed,
    /// Overrides, applied in order.
    #[serde(default)]
    pub overrides: Vec<OverrideConfig>,
    /// Clusters concerned; absent means all clusters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_affinity: Option<LabelSelector>,
}

fn default_priority() -> i32 {
    500
}

/// When an override object triggers re-rendering.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum OverridePolicy {
    /// Re-render immediately.
    ApplyNow,
    /// Picked up at the next re-render.
    #[default]
    ApplyLater,
}

/// One override.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OverrideConfig {
    /// Free text.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// YAML or JSON text; blank values are skipped.
    #[serde(default)]
    pub value: String,
    /// Override type.
    #[serde(rename = "type")]
    pub kind: OverrideType,
    /// Target the HelmChart object instead of the values (meaningful with `Helm`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub override_chart: bool,
    /// Path of a string field (Field* types).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub field_path: String,
    /// Format of that string field (Field* types); required in practice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field_format: Option<FieldFormat>,
}

/// Override types. `StrategicMergePatch` parses so that it can be rejected with a clear error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum OverrideType {
    /// Helm values coalesce (or a merge patch of the chart with `overrideChart`).
    Helm,
    /// RFC 6902 JSON patch.
    #[serde(rename = "JSONPatch")]
    JsonPatch,
    /// RFC 7386 merge patch.
    MergePatch,
    /// JSON patch inside a string field.
    #[serde(rename = "FieldJSONPatch")]
    FieldJsonPatch,
    /// Merge patch inside a string field.
    FieldMergePatch,
    /// Not supported (no patch metadata): always an error.
    StrategicMergePatch,
}

/// Format of a string field targeted by a field patch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FieldFormat {
    /// YAML; re-encoded as YAML.
    #[serde(rename = "YAML")]
    Yaml,
    /// JSON; re-encoded as JSON with four-space indentation.
    #[serde(rename = "JSON")]
    Json,
}
