//! The error type of the value codec.

use super::path::AttributePath;

/// What went wrong while parsing a type, decoding or encoding a value.
///
/// Every variant that concerns a value carries the [`AttributePath`] where it happened, so the
/// protocol layer can turn it into a diagnostic that points at the attribute.
#[derive(Debug, thiserror::Error)]
pub enum ValueError {
    /// The input held something other than what the type requires.
    #[error("at {path}: expected {expected}, found {found}")]
    Mismatch {
        /// Where in the value.
        path: AttributePath,
        /// What the type required.
        expected: String,
        /// What was there instead.
        found: String,
    },
    /// The input ended in the middle of a value.
    #[error("at {path}: unexpected end of input")]
    Truncated {
        /// Where in the value.
        path: AttributePath,
    },
    /// Bytes were left over after a complete value.
    #[error("{count} unexpected bytes after the value")]
    TrailingBytes {
        /// How many bytes were left.
        count: usize,
    },
    /// An object lacks an attribute of its type.
    #[error("at {path}: missing attribute {name:?}")]
    MissingAttribute {
        /// The object's path.
        path: AttributePath,
        /// The attribute that is missing.
        name: String,
    },
    /// An object has an attribute that its type does not declare.
    #[error("at {path}: unsupported attribute {name:?}")]
    UnsupportedAttribute {
        /// The object's path.
        path: AttributePath,
        /// The attribute that is not in the type.
        name: String,
    },
    /// A map or object key appeared twice.
    #[error("at {path}: duplicate key {key:?}")]
    DuplicateKey {
        /// The map's path.
        path: AttributePath,
        /// The repeated key.
        key: String,
    },
    /// A number that is not a valid decimal, or too large to handle.
    #[error("at {path}: invalid number {text:?}: {reason}")]
    InvalidNumber {
        /// Where in the value (root when building a number outside a value).
        path: AttributePath,
        /// The offending text.
        text: String,
        /// Why it was refused.
        reason: &'static str,
    },
    /// Type JSON that is not a valid cty type.
    #[error("invalid type JSON: {reason}")]
    InvalidType {
        /// What is wrong with it.
        reason: String,
    },
    /// A dynamic value whose embedded type JSON is invalid.
    #[error("at {path}: invalid type in dynamic value: {source}")]
    InvalidDynamicType {
        /// Where in the value.
        path: AttributePath,
        /// Why the type was refused.
        #[source]
        source: Box<ValueError>,
    },
    /// An unknown value's refinement payload (msgpack extension 12) is malformed.
    #[error("at {path}: invalid unknown-value refinement: {reason}")]
    InvalidRefinement {
        /// Where in the value.
        path: AttributePath,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// JSON cannot represent unknown values.
    #[error("at {path}: an unknown value cannot be written as JSON")]
    UnknownInJson {
        /// Where in the value.
        path: AttributePath,
    },
    /// Values nested deeper than the decoder allows (a guard against hostile input).
    #[error("at {path}: value nested more than {limit} levels deep")]
    TooDeep {
        /// Where in the value.
        path: AttributePath,
        /// The nesting limit.
        limit: usize,
    },
    /// Input that is not well-formed JSON.
    #[error("at {path}: malformed JSON: {source}")]
    Json {
        /// Where in the value.
        path: AttributePath,
        /// The parser's error.
        #[source]
        source: serde_json::Error,
    },
}

impl ValueError {
    /// The path of the attribute concerned, if the error is about a part of a value.
    pub fn path(&self) -> Option<&AttributePath> {
        match self {
            Self::Mismatch { path, .. }
            | Self::Truncated { path }
            | Self::MissingAttribute { path, .. }
            | Self::UnsupportedAttribute { path, .. }
            | Self::DuplicateKey { path, .. }
            | Self::InvalidNumber { path, .. }
            | Self::InvalidDynamicType { path, .. }
            | Self::InvalidRefinement { path, .. }
            | Self::UnknownInJson { path }
            | Self::TooDeep { path, .. }
            | Self::Json { path, .. } => Some(path),
            Self::TrailingBytes { .. } | Self::InvalidType { .. } => None,
        }
    }

    pub(crate) fn mismatch(
        path: &AttributePath,
        expected: impl Into<String>,
        found: impl Into<String>,
    ) -> Self {
        Self::Mismatch {
            path: path.clone(),
            expected: expected.into(),
            found: found.into(),
        }
    }

    /// Re-anchors a root-level number error at `path`.
    pub(crate) fn at(self, at: &AttributePath) -> Self {
        match self {
            Self::InvalidNumber { text, reason, .. } => Self::InvalidNumber {
                path: at.clone(),
                text,
                reason,
            },
            other => other,
        }
    }
}
