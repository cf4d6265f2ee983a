//! `Manifest` (apps.clusternet.io/v1alpha1): a plain object stored by the shadow API.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::meta::ObjectMeta;

/// A Manifest: the trimmed dry-run result of an object submitted through the shadow API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Metadata (namespace `clusternet-reserved`, name `<plural>.<ns>.<name>`).
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// The stored object.
    pub template: Value,
}
