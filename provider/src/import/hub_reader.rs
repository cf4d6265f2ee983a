//! Reads of the hub for import: its Subscriptions, the Manifests and HelmCharts that hold the
//! feeds, and the Localizations and Globalizations. Read-only; a client of its own (the hub writes of apply
//! live in [`crate::hub`]).

use clusternet_deploy::cluster::Cluster;
use clusternet_deploy::connection::Timeouts;
use clusternet_deploy::error::ObjectError;
use clusternet_deploy::ownership::{OWNED_BY_DESCRIPTION, SUBS_UID};
use clusternet_model::feeds::RESERVED_NAMESPACE;
use clusternet_model::identity::ObjectIdentity;
use serde_json::Value as Json;

use super::error::ImportError;
use crate::config::Connection;

/// Clusternet's API version for apps objects.
pub const APPS: &str = "apps.clusternet.io/v1alpha1";

/// The `owned-by-description` mark the provider puts on the override objects it writes for
/// `clusternet_localization` and `clusternet_globalization` (the generated dividing
/// Localizations carry their subscription's mark instead).
const USER_OVERRIDE_MARK: &str = "terraform";

/// A connected, read-only view of the hub.
pub struct HubReader {
    hub: Cluster,
}

impl HubReader {
    /// Builds the client (no request is sent yet).
    pub async fn connect(connection: &Connection) -> Result<HubReader, ImportError> {
        let hub = Cluster::connect("hub", &connection.deploy_config(), Timeouts::default())
            .await
            .map_err(|e| ImportError::HubUnreachable(e.to_string()))?;
        Ok(HubReader { hub })
    }

    fn read_error(what: &str, error: ObjectError) -> ImportError {
        if error.is_unreachable() {
            ImportError::HubUnreachable(error.to_string())
        } else {
            ImportError::HubRead {
                what: what.to_string(),
                message: error.to_string(),
            }
        }
    }

    /// One Clusternet object; an error when it, or its CRD, does not exist.
    pub async fn object(
        &self,
        kind: &str,
        namespace: Option<&str>,
        name: &str,
    ) -> Result<Json, ImportError> {
        let reference = ObjectIdentity::new(APPS, kind, namespace, name);
        let id = match namespace {
            Some(ns) => format!("{ns}/{name}"),
            None => name.to_string(),
        };
        match self.hub.resolve(&reference).await {
            Ok(_) => {}
            Err(ObjectError::UnknownKind { .. }) => {
                return Err(ImportError::CrdMissing {
                    kind: kind.to_string(),
                });
            }
            Err(e) => return Err(Self::read_error(kind, e)),
        }
        self.hub
            .get(&reference)
            .await
            .map_err(|e| Self::read_error(kind, e))?
            .ok_or(ImportError::NotFound {
                kind: kind.to_string(),
                id,
            })
    }

    /// One Clusternet object, `None` when it does not exist.
    pub async fn optional_object(
        &self,
        kind: &str,
        namespace: Option<&str>,
        name: &str,
    ) -> Result<Option<Json>, ImportError> {
        match self.object(kind, namespace, name).await {
            Ok(object) => Ok(Some(object)),
            Err(ImportError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The templates of every Manifest (the stored feeds), with their feed identities.
    pub async fn feed_templates(&self) -> Result<Vec<(ObjectIdentity, Json)>, ImportError> {
        let manifests = self
            .hub
            .list(APPS, "Manifest", Some(RESERVED_NAMESPACE), None)
            .await
            .map_err(|e| Self::read_error("Manifests", e))?;
        Ok(manifests
            .into_iter()
            .filter_map(|m| {
                let template = m.get("template")?.clone();
                Some((ObjectIdentity::of(&template).ok()?, template))
            })
            .collect())
    }

    /// The Localizations and Globalizations the provider wrote for users (not the generated
    /// dividing ones), as (kind, object): Localizations first, each kind by namespace and
    /// name.
    pub async fn user_overrides(&self) -> Result<Vec<(&'static str, Json)>, ImportError> {
        let mut found = Vec::new();
        for kind in ["Localization", "Globalization"] {
            let mut objects: Vec<Json> = self
                .hub
                .list(APPS, kind, None, None)
                .await
                .map_err(|e| Self::read_error(kind, e))?
                .into_iter()
                .filter(is_user_override)
                .collect();
            objects.sort_by_key(|o| {
                (
                    o["metadata"]["namespace"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                    o["metadata"]["name"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                )
            });
            found.extend(objects.into_iter().map(|o| (kind, o)));
        }
        Ok(found)
    }
}

fn is_user_override(object: &Json) -> bool {
    let meta = &object["metadata"];
    meta["annotations"][OWNED_BY_DESCRIPTION].as_str() == Some(USER_OVERRIDE_MARK)
        && meta["labels"].get(SUBS_UID).is_none()
}

/// The feed identity a Subscription's or override's `feed` entry names.
pub fn feed_identity(feed: &Json) -> Option<ObjectIdentity> {
    let text = |key: &str| feed.get(key).and_then(Json::as_str).unwrap_or_default();
    let identity = ObjectIdentity::new(
        text("apiVersion"),
        text("kind"),
        Some(text("namespace")),
        text("name"),
    );
    (!identity.kind.is_empty() && !identity.name.is_empty()).then_some(identity)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_overrides_written_for_users_count() {
        let user = json!({"metadata": {"annotations": {OWNED_BY_DESCRIPTION: "terraform"}}});
        let generated = json!({"metadata": {
            "annotations": {OWNED_BY_DESCRIPTION: "terraform.shop.app"},
            "labels": {SUBS_UID: "x"}
        }});
        let foreign = json!({"metadata": {"name": "by-kubectl"}});
        assert!(is_user_override(&user));
        assert!(!is_user_override(&generated));
        assert!(!is_user_override(&foreign));
    }

    #[test]
    fn feed_entries_name_identities() {
        let feed = json!({"apiVersion": "v1", "kind": "Namespace", "name": "shop"});
        assert_eq!(feed_identity(&feed).unwrap().key(), "v1/Namespace/shop");
        assert!(feed_identity(&json!({"kind": "ConfigMap"})).is_none());
    }
}
