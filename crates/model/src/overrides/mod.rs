//! The override engine (spec §6.4-6.5): Clusternet's `applyOverrides`, exactly.
//!
//! Two buffers are threaded through the list of overrides: `generic` (the object, or the
//! Helm values) and `chart` (a patch for the HelmChart object). For each override:
//! blank values are skipped; the value is converted YAML->JSON; with `overrideChart` and a
//! blank chart buffer the value *becomes* the chart buffer; without it, a blank generic
//! buffer takes the value verbatim (except for JSONPatch); otherwise the value is applied
//! according to its type. Three built-in JSON patches then remove `metadata.managedFields`,
//! `metadata.uid` and `status`.
//!
//! Buffers hold parsed JSON between steps and are serialised once at the end; since every
//! successful step re-serialises upstream as compact JSON with sorted keys, the bytes are
//! the same.

pub mod field_patch;
pub mod helm;
pub mod json_patch;
pub mod lazy_patch;
pub mod merge_patch;
pub mod ordering;

use std::sync::Arc;

use serde_json::Value;

use crate::provenance::{Effect, OverrideSource};
use crate::types::{OverrideConfig, OverrideType};
use crate::yaml::YamlError;
use field_patch::{FieldPatchError, Inner};
use helm::HelmError;
use json_patch::{Outcome, Patch, PatchError};
use merge_patch::MergePatchError;

/// A render buffer: either still the raw (blank) bytes, or parsed JSON.
#[derive(Debug, Clone, PartialEq)]
pub enum Buffer {
    /// Raw bytes that are blank after trimming, e.g. `" "`; kept verbatim.
    Blank(String),
    /// Parsed JSON; serialised compact with sorted keys.
    Json(Value),
}

impl Buffer {
    /// The single space Clusternet starts Helm buffers with.
    pub fn space() -> Self {
        Buffer::Blank(String::from(" "))
    }

    /// Whether the buffer is blank.
    pub fn is_blank(&self) -> bool {
        matches!(self, Buffer::Blank(_))
    }

    /// The bytes Clusternet would store.
    pub fn to_text(&self) -> String {
        match self {
            Buffer::Blank(text) => text.clone(),
            Buffer::Json(value) => crate::json::to_compact(value),
        }
    }

    /// The JSON value, if not blank.
    pub fn as_json(&self) -> Option<&Value> {
        match self {
            Buffer::Json(value) => Some(value),
            Buffer::Blank(_) => None,
        }
    }
}

/// Why an override failed (the whole Description then fails, as upstream).
#[derive(Debug, thiserror::Error)]
pub enum OverrideErrorKind {
    /// The value is not YAML/JSON.
    #[error("value is not valid YAML or JSON: {0}")]
    Value(#[from] YamlError),
    /// JSON patch failure other than a missing path.
    #[error("JSON patch: {0}")]
    JsonPatch(#[from] PatchError),
    /// Merge patch failure.
    #[error("merge patch: {0}")]
    MergePatch(#[from] MergePatchError),
    /// Helm coalesce failure.
    #[error("Helm values: {0}")]
    Helm(#[from] HelmError),
    /// Field patch failure.
    #[error("field patch: {0}")]
    Field(#[from] FieldPatchError),
    /// StrategicMergePatch is not supported.
    #[error(
        "unsupported OverrideType StrategicMergePatch: strategic merge needs patch metadata Clusternet does not have; use MergePatch or JSONPatch"
    )]
    StrategicMergePatch,
}

/// An override failure, naming the override.
#[derive(Debug, thiserror::Error)]
#[error("{origin}: {kind}")]
pub struct OverrideError {
    /// Which override failed, as [`OverrideSource`]'s `Display` spells it.
    pub origin: String,
    /// Which override failed.
    pub source_override: Arc<OverrideSource>,
    /// What went wrong.
    #[source]
    pub kind: OverrideErrorKind,
}

/// An override with its value already converted (once, however many clusters use it).
#[derive(Debug, Clone)]
pub struct PreparedOverride {
    /// Where it comes from (shared with every provenance entry it produces).
    pub source: Arc<OverrideSource>,
    /// Type.
    pub kind: OverrideType,
    /// `overrideChart`.
    pub override_chart: bool,
    /// `fieldPath`.
    pub field_path: String,
    /// `fieldFormat`.
    pub field_format: Option<crate::types::FieldFormat>,
    value: PreparedValue,
}

#[derive(Debug, Clone)]
enum PreparedValue {
    Blank,
    Invalid(String),
    Json {
        value: Value,
        patch: Option<Result<Patch, PatchError>>,
    },
}

impl PreparedOverride {
    /// Convert an [`OverrideConfig`]: blank check, YAML->JSON as `yaml.YAMLToJSON` reads it
    /// (YAML 1.1: an unquoted `on` is `true`), JSON-patch decoding.
    /// Conversion errors are kept and reported only if the override is used.
    pub fn new(source: OverrideSource, config: &OverrideConfig) -> Self {
        let value = if config.value.trim().is_empty() {
            PreparedValue::Blank
        } else {
            match crate::goyaml::yaml_to_json(&config.value) {
                Err(e) => PreparedValue::Invalid(e.to_string()),
                Ok(value) => {
                    let needs_patch = matches!(
                        config.kind,
                        OverrideType::JsonPatch | OverrideType::FieldJsonPatch
                    );
                    let patch = needs_patch.then(|| Patch::decode(&value));
                    PreparedValue::Json { value, patch }
                }
            }
        };
        Self {
            source: Arc::new(source),
            kind: config.kind,
            override_chart: config.override_chart,
            field_path: config.field_path.clone(),
            field_format: config.field_format,
            value,
        }
    }

    /// An override the controller-manager adds itself (built-in removals, chart
    /// protections, the chart merge step), from its JSON text.
    pub fn builtin(patch: &str) -> Self {
        let config = OverrideConfig {
            name: String::from("built-in"),
            value: patch.to_string(),
            kind: OverrideType::JsonPatch,
            override_chart: false,
            field_path: String::new(),
            field_format: None,
        };
        let source = OverrideSource {
            kind: String::from("built-in"),
            namespace: String::new(),
            name: String::from("clusternet"),
            priority: 0,
            index: 0,
            override_name: patch.to_string(),
            generated: true,
        };
        Self::new(source, &config)
    }

    /// An internal override whose value is already JSON (e.g. the rendered chart patch).
    pub fn from_value(kind: OverrideType, value: Value) -> Self {
        let mut prepared = Self::builtin("");
        prepared.kind = kind;
        let patch = (kind == OverrideType::JsonPatch).then(|| Patch::decode(&value));
        prepared.value = PreparedValue::Json { value, patch };
        prepared
    }

    /// Whether the value is blank (such overrides are skipped).
    pub fn is_blank(&self) -> bool {
        matches!(self.value, PreparedValue::Blank)
    }

    fn error(&self, kind: impl Into<OverrideErrorKind>) -> OverrideError {
        OverrideError {
            origin: self.source.to_string(),
            source_override: self.source.clone(),
            kind: kind.into(),
        }
    }
}

/// What each override did, aligned with the input list, plus missing-path details.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Trace {
    /// One entry per input override: its effect and, for skipped patches, the reason.
    pub effects: Vec<(Effect, Option<String>)>,
}

/// The JSON patches Clusternet appends to every override list.
pub fn builtin_removals() -> &'static [PreparedOverride] {
    static BUILTINS: std::sync::OnceLock<Vec<PreparedOverride>> = std::sync::OnceLock::new();
    BUILTINS.get_or_init(|| {
        [
            r#"[{"path":"/metadata/managedFields","op":"remove"}]"#,
            r#"[{"path":"/metadata/uid","op":"remove"}]"#,
            r#"[{"path":"/status","op":"remove"}]"#,
        ]
        .into_iter()
        .map(PreparedOverride::builtin)
        .collect()
    })
}

/// `applyOverrides(generic, chart, overrides)`: the overrides followed by the built-in
/// removals. On error the buffers may be partially updated; callers discard them.
pub fn apply_overrides(
    generic: &mut Buffer,
    chart: &mut Buffer,
    overrides: &[&PreparedOverride],
) -> Result<Trace, OverrideError> {
    let mut trace = Trace {
        effects: Vec::with_capacity(overrides.len()),
    };
    for &ov in overrides {
        trace.effects.push(apply_one(generic, chart, ov)?);
    }
    for ov in builtin_removals() {
        apply_one(generic, chart, ov)?;
    }
    Ok(trace)
}

fn changed(flag: bool) -> Effect {
    if flag {
        Effect::Changed
    } else {
        Effect::Unchanged
    }
}

/// One step of `applyOverrides`.
pub fn apply_one(
    generic: &mut Buffer,
    chart: &mut Buffer,
    ov: &PreparedOverride,
) -> Result<(Effect, Option<String>), OverrideError> {
    let (value, patch) = match &ov.value {
        PreparedValue::Blank => return Ok((Effect::Blank, None)),
        PreparedValue::Invalid(message) => {
            return Err(ov.error(YamlError::NotJson(message.clone())));
        }
        PreparedValue::Json { value, patch } => (value, patch),
    };
    if ov.override_chart && chart.is_blank() {
        *chart = Buffer::Json(value.clone());
        return Ok((Effect::ChartPatchSet, None));
    }
    if !ov.override_chart && generic.is_blank() && ov.kind != OverrideType::JsonPatch {
        *generic = Buffer::Json(value.clone());
        return Ok((Effect::TakenVerbatim, None));
    }
    let decoded = |patch: &Option<Result<Patch, PatchError>>| -> Result<Patch, OverrideError> {
        match patch {
            Some(Ok(p)) => Ok(p.clone()),
            Some(Err(e)) => Err(ov.error(e.clone())),
            None => Patch::decode(value).map_err(|e| ov.error(e)),
        }
    };
    match ov.kind {
        OverrideType::Helm if ov.override_chart => {
            let Buffer::Json(doc) = chart else {
                unreachable!("blank chart handled above")
            };
            let flag = merge_patch::merge_patch(doc, value).map_err(|e| ov.error(e))?;
            Ok((changed(flag), None))
        }
        OverrideType::Helm => {
            let doc = json_doc(generic, ov, || HelmError::BaseNotObject.into())?;
            let flag = helm::coalesce(doc, value).map_err(|e| ov.error(e))?;
            Ok((changed(flag), None))
        }
        OverrideType::JsonPatch => {
            let Buffer::Json(doc) = generic else {
                return Ok((Effect::Unchanged, None)); // blank document: no-op
            };
            let outcome = match patch {
                Some(Ok(p)) => json_patch::apply_lenient(p, doc),
                _ => json_patch::apply_lenient(&decoded(patch)?, doc),
            }
            .map_err(|e| ov.error(e))?;
            Ok(match outcome {
                Outcome::Applied { changed: flag } => (changed(flag), None),
                Outcome::SkippedMissing(why) => (Effect::SkippedMissingPath, Some(why)),
            })
        }
        OverrideType::MergePatch => {
            let doc = json_doc(generic, ov, || MergePatchError::BadDocument.into())?;
            let flag = merge_patch::merge_patch(doc, value).map_err(|e| ov.error(e))?;
            Ok((changed(flag), None))
        }
        OverrideType::FieldJsonPatch | OverrideType::FieldMergePatch => {
            let path = ov.field_path.clone();
            let doc = json_doc(generic, ov, || {
                FieldPatchError::NotFound(path.clone()).into()
            })?;
            let flag = if ov.kind == OverrideType::FieldJsonPatch {
                let p = decoded(patch)?;
                field_patch::field_patch(doc, &ov.field_path, ov.field_format, Inner::JsonPatch(&p))
            } else {
                field_patch::field_patch(
                    doc,
                    &ov.field_path,
                    ov.field_format,
                    Inner::MergePatch(value),
                )
            }
            .map_err(|e| ov.error(e))?;
            Ok((changed(flag), None))
        }
        OverrideType::StrategicMergePatch => Err(ov.error(OverrideErrorKind::StrategicMergePatch)),
    }
}

fn json_doc<'a>(
    buffer: &'a mut Buffer,
    ov: &PreparedOverride,
    blank_error: impl FnOnce() -> OverrideErrorKind,
) -> Result<&'a mut Value, OverrideError> {
    match buffer {
        Buffer::Json(doc) => Ok(doc),
        Buffer::Blank(_) => Err(ov.error(blank_error())),
    }
}

#[cfg(test)]
mod tests;
