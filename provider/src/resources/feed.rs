//! Feeds passed by value: what `clusternet_manifest.feed` carries to a subscription.
//!
//! A feed value is the compact, sorted-key JSON of the Kubernetes object (the content the
//! shadow API would store as a Manifest). A feed may also be given by identity only
//! (`<apiVersion>/<Kind>/<namespace>/<name>`, an [`ObjectIdentity`]), to be looked up on
//! the hub.

use clusternet_model::identity::ObjectIdentity;
use serde_json::Value as Json;

/// The identity of a feed object, or why it has none, as feed diagnostics say it.
pub fn identity_of(object: &Json) -> Result<ObjectIdentity, String> {
    ObjectIdentity::of(object).map_err(|e| format!("the object has no {}", e.field))
}

/// Checks a feed's apiVersion, kind, namespace and name as the API server would, so that no
/// name that Kubernetes rejects (or that reads as a path) reaches a key, a label or a file.
pub fn check_names(identity: &ObjectIdentity) -> Result<(), String> {
    clusternet_model::names::check_identity(identity)
        .map_err(|e| format!("{e}; Kubernetes would reject the object"))
}
