//! Feeds passed by value: what `clusternet_manifest.feed` carries to a subscription.
//!
//! A feed value is the compact, sorted-key JSON of the Kubernetes object (the content the
//! shadow API would store as a Manifest). A feed may also be given by identity only
//! (`<apiVersion>/<Kind>/<namespace>/<name>`), to be looked up on the hub.

use serde_json::Value as Json;

/// The identity of a Kubernetes object, as Clusternet's feed key spells it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct FeedIdentity {
    /// `group/version` or `version`.
    pub api_version: String,
    /// Kind.
    pub kind: String,
    /// Namespace; empty for cluster-scoped objects.
    pub namespace: String,
    /// Name.
    pub name: String,
}

impl FeedIdentity {
    /// `<apiVersion>/<Kind>/<namespace>/<name>`, the namespace segment omitted when empty.
    pub fn key(&self) -> String {
        if self.namespace.is_empty() {
            format!("{}/{}/{}", self.api_version, self.kind, self.name)
        } else {
            format!(
                "{}/{}/{}/{}",
                self.api_version, self.kind, self.namespace, self.name
            )
        }
    }

    /// Reads the identity of an object.
    pub fn of(object: &Json) -> Result<FeedIdentity, String> {
        let text = |v: Option<&Json>| v.and_then(Json::as_str).unwrap_or_default().to_string();
        let identity = FeedIdentity {
            api_version: text(object.get("apiVersion")),
            kind: text(object.get("kind")),
            namespace: text(object.pointer("/metadata/namespace")),
            name: text(object.pointer("/metadata/name")),
        };
        for (field, value) in [
            ("apiVersion", &identity.api_version),
            ("kind", &identity.kind),
            ("metadata.name", &identity.name),
        ] {
            if value.is_empty() {
                return Err(format!("the object has no {field}"));
            }
        }
        Ok(identity)
    }

    /// Parses `<apiVersion>/<Kind>/<namespace>/<name>` (apiVersion may contain one `/`).
    pub fn parse_key(key: &str) -> Result<FeedIdentity, String> {
        let parts: Vec<&str> = key.split('/').collect();
        // core group: v1/Kind[/ns]/name; other groups: group/version/Kind[/ns]/name.
        let (api_version, rest) = if parts.first().is_some_and(|p| p.contains('.'))
            || (parts.len() >= 4 && !parts[0].starts_with('v'))
        {
            if parts.len() < 4 {
                return Err(format!(
                    "{key:?} is not <apiVersion>/<Kind>/[<namespace>/]<name>"
                ));
            }
            (format!("{}/{}", parts[0], parts[1]), &parts[2..])
        } else {
            (parts[0].to_string(), &parts[1..])
        };
        let (kind, namespace, name) = match rest {
            [kind, name] => (*kind, "", *name),
            [kind, namespace, name] => (*kind, *namespace, *name),
            _ => {
                return Err(format!(
                    "{key:?} is not <apiVersion>/<Kind>/[<namespace>/]<name>"
                ));
            }
        };
        if kind.is_empty() || name.is_empty() || api_version.is_empty() {
            return Err(format!("{key:?} has an empty segment"));
        }
        Ok(FeedIdentity {
            api_version,
            kind: kind.to_string(),
            namespace: namespace.to_string(),
            name: name.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_for_core_and_grouped_kinds() {
        for key in [
            "v1/ConfigMap/web/settings",
            "v1/Namespace/web",
            "apps/v1/Deployment/web/frontend",
            "apiextensions.k8s.io/v1/CustomResourceDefinition/widgets.example.com",
        ] {
            assert_eq!(FeedIdentity::parse_key(key).unwrap().key(), key);
        }
        assert!(FeedIdentity::parse_key("nonsense").is_err());
    }
}
