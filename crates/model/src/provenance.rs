//! Provenance and warnings: what the preview reports besides the rendered objects.

use std::sync::Arc;

use serde::{Serialize, Serializer};

fn serialize_shared<S: Serializer>(source: &Arc<OverrideSource>, s: S) -> Result<S::Ok, S::Error> {
    source.as_ref().serialize(s)
}

/// Kinds of warnings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum WarningCode {
    /// Upstream's choice is not deterministic here; the model chose by name.
    Tie,
    /// An override object matched no rendered object.
    OverrideMatchedNothing,
    /// A JSON patch was skipped entirely because a path was missing (upstream does so silently).
    PatchSkipped,
    /// A HelmChart has `status.phase: NotFound`: the whole Base renders nothing.
    ChartNotFound,
    /// A cluster was not bound because of a taint.
    ClusterTainted,
    /// Replicas left over after dividing went to one of clusters that are equal for the
    /// scheduler (same weight or availability): upstream's pick follows an unstable order.
    ReplicaTie,
    /// Dynamic dividing without a known availability for a cluster (taken as 0).
    UnknownAvailability,
    /// A generated Localization could not be produced (e.g. `replicaJsonPath` unset).
    DividingSkipped,
}

/// A warning, with a message naming the objects involved.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Warning {
    /// What kind of warning.
    pub code: WarningCode,
    /// Human-readable message naming objects and fields.
    pub message: String,
}

impl Warning {
    /// Build a warning.
    pub fn new(code: WarningCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

/// Which override object an override came from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OverrideSource {
    /// `Globalization` or `Localization`.
    pub kind: String,
    /// Namespace (empty for Globalizations).
    pub namespace: String,
    /// Name.
    pub name: String,
    /// Priority of the override object.
    pub priority: i32,
    /// Index in `spec.overrides`.
    pub index: usize,
    /// `name` of the override entry.
    pub override_name: String,
    /// True for the dividing Localization the controller-manager generates.
    pub generated: bool,
}

impl OverrideSource {
    /// The override object as `Kind/namespace/name` (`Globalization/name` for the
    /// cluster-scoped Globalizations).
    pub fn object_reference(&self) -> String {
        if self.namespace.is_empty() {
            format!("{}/{}", self.kind, self.name)
        } else {
            format!("{}/{}/{}", self.kind, self.namespace, self.name)
        }
    }
}

impl std::fmt::Display for OverrideSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.namespace.is_empty() {
            write!(f, "{} {}", self.kind, self.name)?;
        } else {
            write!(f, "{} {}/{}", self.kind, self.namespace, self.name)?;
        }
        write!(f, " (priority {}) overrides[{}]", self.priority, self.index)?;
        if !self.override_name.is_empty() {
            write!(f, " {:?}", self.override_name)?;
        }
        Ok(())
    }
}

/// What one override did to one rendered object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Effect {
    /// The value was blank: skipped.
    Blank,
    /// Applied and changed the object.
    Changed,
    /// Applied, but the object was already like that.
    Unchanged,
    /// The buffer was blank, so the value was taken verbatim.
    TakenVerbatim,
    /// `overrideChart` with a blank chart buffer: the value became the chart patch.
    ChartPatchSet,
    /// A JSON patch was skipped as a whole because a path was missing.
    SkippedMissingPath,
}

/// One entry of an object's provenance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppliedOverride {
    /// Where the override came from.
    #[serde(serialize_with = "serialize_shared")]
    pub source: Arc<OverrideSource>,
    /// What it did.
    pub effect: Effect,
    /// Detail, e.g. the missing path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}
