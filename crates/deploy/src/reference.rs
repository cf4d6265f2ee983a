//! Object identity: which Kubernetes object a JSON document names.

use std::fmt;

use serde_json::Value;

/// Identifies one Kubernetes object: `apiVersion`, `kind`, namespace (none for cluster-scoped
/// objects, or for namespaced objects that rely on the server's default) and name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectRef {
    /// `apiVersion`, e.g. `apps/v1` or `v1`.
    pub api_version: String,
    /// `kind`, e.g. `Deployment`.
    pub kind: String,
    /// `metadata.namespace`, if any.
    pub namespace: Option<String>,
    /// `metadata.name`.
    pub name: String,
}

/// Why a JSON document is not a Kubernetes object.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a Kubernetes object: {reason}")]
pub struct InvalidObject {
    /// What is missing or wrong.
    pub reason: String,
}

impl ObjectRef {
    /// A reference from its parts; an empty namespace means none.
    pub fn new(
        api_version: impl Into<String>,
        kind: impl Into<String>,
        namespace: Option<&str>,
        name: impl Into<String>,
    ) -> ObjectRef {
        ObjectRef {
            api_version: api_version.into(),
            kind: kind.into(),
            namespace: namespace.filter(|n| !n.is_empty()).map(str::to_string),
            name: name.into(),
        }
    }

    /// Reads `apiVersion`, `kind`, `metadata.namespace` and `metadata.name` from an object.
    pub fn from_object(object: &Value) -> Result<ObjectRef, InvalidObject> {
        let text = |pointer: &str| object.pointer(pointer).and_then(Value::as_str);
        let required = |pointer: &str, what: &str| {
            text(pointer)
                .filter(|s| !s.is_empty())
                .ok_or_else(|| InvalidObject {
                    reason: format!("{what} is missing or not a string"),
                })
        };
        let api_version = required("/apiVersion", "apiVersion")?;
        let kind = required("/kind", "kind")?;
        let name = required("/metadata/name", "metadata.name")?;
        Ok(ObjectRef::new(
            api_version,
            kind,
            text("/metadata/namespace"),
            name,
        ))
    }

    /// The API group (empty for the core group).
    pub fn group(&self) -> &str {
        self.api_version
            .rsplit_once('/')
            .map_or("", |(group, _)| group)
    }

    /// The API version without the group, e.g. `v1`.
    pub fn version(&self) -> &str {
        self.api_version
            .rsplit_once('/')
            .map_or(self.api_version.as_str(), |(_, version)| version)
    }
}

impl fmt::Display for ObjectRef {
    /// `apiVersion/Kind namespace/name`, or `apiVersion/Kind name` when cluster-scoped.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{}/{} {}/{}", self.api_version, self.kind, ns, self.name),
            None => write!(f, "{}/{} {}", self.api_version, self.kind, self.name),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_identity_and_splits_group_and_version() {
        let r = ObjectRef::from_object(&json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "shop"}
        }))
        .unwrap();
        assert_eq!((r.group(), r.version()), ("apps", "v1"));
        assert_eq!(r.to_string(), "apps/v1/Deployment shop/web");
        let core = ObjectRef::new("v1", "Namespace", Some(""), "shop");
        assert_eq!((core.group(), core.version()), ("", "v1"));
        assert_eq!(core.namespace, None);
    }

    #[test]
    fn an_object_without_a_name_is_invalid() {
        let e = ObjectRef::from_object(&json!({"apiVersion": "v1", "kind": "ConfigMap"}));
        assert_eq!(
            e.unwrap_err().reason,
            "metadata.name is missing or not a string"
        );
    }
}
