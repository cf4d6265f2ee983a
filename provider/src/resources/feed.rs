//! Feeds passed by value: what `clusternet_manifest.feed` carries to a subscription.
//!
//! A feed value is the compact, sorted-key JSON of the Kubernetes object (the content the
//! shadow API would store as a Manifest). A feed may also be given by identity only
//! (`<apiVersion>/<Kind>/<namespace>/<name>`, an [`ObjectIdentity`]), to be looked up on
//! the hub.

use clusternet_model::identity::ObjectIdentity;
use clusternet_tfplugin::Value;
use serde_json::Value as Json;

/// A feed object without an identity: the field it lacks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the object has no {field}")]
pub struct NoIdentity {
    /// `apiVersion`, `kind` or `metadata.name`.
    pub field: &'static str,
}

/// Why a feed value (JSON text) is not a feed.
#[derive(Debug, thiserror::Error)]
pub enum FeedValueError {
    /// Not JSON.
    #[error("{0}")]
    NotJson(#[from] serde_json::Error),
    /// JSON without an identity.
    #[error(transparent)]
    NoIdentity(#[from] NoIdentity),
}

/// The identity of a feed object, or which field it lacks.
pub fn identity_of(object: &Json) -> Result<ObjectIdentity, NoIdentity> {
    ObjectIdentity::of(object).map_err(|e| NoIdentity { field: e.field })
}

/// A feed value: the object and its identity.
pub fn decode(text: &str) -> Result<(Json, ObjectIdentity), FeedValueError> {
    let object = clusternet_model::json::parse(text)?;
    let identity = identity_of(&object)?;
    Ok((object, identity))
}

/// Checks a feed's apiVersion, kind, namespace and name as the API server would, so that no
/// name that Kubernetes rejects (or that reads as a path) reaches a key, a label or a file.
pub fn check_names(identity: &ObjectIdentity) -> Result<(), String> {
    clusternet_model::names::check_identity(identity)
        .map_err(|e| format!("{e}; Kubernetes would reject the object"))
}

/// `planned`, with the prior text of the configured attribute `text` when every attribute of
/// `meaning` (what the text says: its feeds, a Secret's values) is known and as before, an
/// attribute absent from both counting as the same: reformatted YAML, comments, or JSON
/// written as YAML plan no change. Terraform accepts the prior value of a configured
/// attribute as the provider's statement that the two are equivalent.
pub fn keep_equivalent_text(planned: Value, prior: &Value, text: &str, meaning: &[&str]) -> Value {
    let same = meaning.iter().all(|name| {
        let value = planned.get(name);
        value.is_none_or(Value::is_known) && value == prior.get(name)
    });
    match prior.get(text).filter(|t| t.as_str().is_some()) {
        Some(prior_text) if same => {
            let mut entries = planned.as_entries().cloned().unwrap_or_default();
            entries.insert(text.to_string(), prior_text.clone());
            Value::Object(entries)
        }
        _ => planned,
    }
}
