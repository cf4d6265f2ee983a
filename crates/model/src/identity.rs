//! Object identity: which Kubernetes object a JSON document names, and Clusternet's feed key
//! that spells it (`<apiVersion>/<Kind>/[<namespace>/]<name>`).

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use serde_json::Value;

use crate::types::Feed;

/// Identifies one Kubernetes object: `apiVersion`, `kind`, namespace (none for cluster-scoped
/// objects, or for namespaced objects that rely on a default) and name.
///
/// `Display` and `FromStr` use Clusternet's feed key, `<apiVersion>/<Kind>/[<namespace>/]<name>`.
/// Identities are ordered by group, version, kind, namespace and name (the model's stand-in
/// for informer order).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ObjectIdentity {
    /// `apiVersion`, e.g. `apps/v1` or `v1`.
    pub api_version: String,
    /// `kind`, e.g. `Deployment`.
    pub kind: String,
    /// `metadata.namespace`, if any (never empty).
    pub namespace: Option<String>,
    /// `metadata.name`.
    pub name: String,
}

/// Why a JSON document is not a Kubernetes object.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a Kubernetes object: {reason}")]
pub struct InvalidObject {
    /// The field that is missing or not a string: `apiVersion`, `kind` or `metadata.name`.
    pub field: &'static str,
    /// What is missing or wrong.
    pub reason: String,
}

/// Why a text is not a feed key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidKey {
    /// Too few or too many segments.
    #[error("{key:?} is not <apiVersion>/<Kind>/[<namespace>/]<name>")]
    Shape {
        /// The text.
        key: String,
    },
    /// The apiVersion, kind or name segment is empty.
    #[error("{key:?} has an empty segment")]
    EmptySegment {
        /// The text.
        key: String,
    },
}

/// `apps/v1` -> (`apps`, `v1`); `v1` -> (``, `v1`).
pub fn split_api_version(api_version: &str) -> (&str, &str) {
    api_version.rsplit_once('/').unwrap_or(("", api_version))
}

impl ObjectIdentity {
    /// An identity from its parts; an empty namespace means none.
    pub fn new(
        api_version: impl Into<String>,
        kind: impl Into<String>,
        namespace: Option<&str>,
        name: impl Into<String>,
    ) -> ObjectIdentity {
        ObjectIdentity {
            api_version: api_version.into(),
            kind: kind.into(),
            namespace: namespace.filter(|n| !n.is_empty()).map(str::to_string),
            name: name.into(),
        }
    }

    /// Reads `apiVersion`, `kind`, `metadata.namespace` and `metadata.name` from an object;
    /// the first three must be non-empty strings.
    pub fn of(object: &Value) -> Result<ObjectIdentity, InvalidObject> {
        let text = |pointer: &str| object.pointer(pointer).and_then(Value::as_str);
        let required = |pointer: &str, field: &'static str| {
            text(pointer)
                .filter(|s| !s.is_empty())
                .ok_or_else(|| InvalidObject {
                    field,
                    reason: format!("{field} is missing or not a string"),
                })
        };
        let api_version = required("/apiVersion", "apiVersion")?;
        let kind = required("/kind", "kind")?;
        let name = required("/metadata/name", "metadata.name")?;
        Ok(ObjectIdentity::new(
            api_version,
            kind,
            text("/metadata/namespace"),
            name,
        ))
    }

    /// The API group (empty for the core group).
    pub fn group(&self) -> &str {
        split_api_version(&self.api_version).0
    }

    /// The API version without the group, e.g. `v1`.
    pub fn version(&self) -> &str {
        split_api_version(&self.api_version).1
    }

    /// The namespace, empty for none (as Clusternet's labels and feeds spell it).
    pub fn namespace_or_empty(&self) -> &str {
        self.namespace.as_deref().unwrap_or_default()
    }

    /// The feed key, `<apiVersion>/<Kind>/[<namespace>/]<name>` (what `Display` writes).
    pub fn key(&self) -> String {
        self.to_string()
    }

    /// Whether this is a core `v1` Secret (whose values are redacted wherever they show).
    pub fn is_secret(&self) -> bool {
        self.kind == "Secret" && self.group().is_empty()
    }

    /// `Kind namespace/name` or `Kind name`.
    pub fn describe(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{} {}/{}", self.kind, ns, self.name),
            None => format!("{} {}", self.kind, self.name),
        }
    }

    /// `apiVersion/Kind namespace/name` or `apiVersion/Kind name`: how messages about a
    /// cluster's objects name them.
    pub fn describe_versioned(&self) -> String {
        format!("{}/{}", self.api_version, self.describe())
    }

    /// Whether a (non-HelmChart) feed selects this object: group, version, kind and name
    /// equal, and the namespace too unless the feed leaves it empty (then every
    /// namespace matches - upstream quirk).
    pub fn matched_by(&self, feed: &Feed) -> bool {
        self.kind == feed.kind
            && self.name == feed.name
            && split_api_version(&feed.api_version) == (self.group(), self.version())
            && (feed.namespace.is_empty() || feed.namespace == self.namespace_or_empty())
    }

    fn sort_key(&self) -> (&str, &str, &str, &Option<String>, &str) {
        (
            self.group(),
            self.version(),
            &self.kind,
            &self.namespace,
            &self.name,
        )
    }
}

impl Ord for ObjectIdentity {
    fn cmp(&self, other: &Self) -> Ordering {
        self.sort_key().cmp(&other.sort_key())
    }
}

impl PartialOrd for ObjectIdentity {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for ObjectIdentity {
    /// The feed key: `<apiVersion>/<Kind>/<namespace>/<name>`, the namespace segment
    /// omitted when there is none.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{}/{}/{}/{}", self.api_version, self.kind, ns, self.name),
            None => write!(f, "{}/{}/{}", self.api_version, self.kind, self.name),
        }
    }
}

impl FromStr for ObjectIdentity {
    type Err = InvalidKey;

    /// Parses `<apiVersion>/<Kind>/[<namespace>/]<name>`. The apiVersion has a group when its
    /// first segment has a dot, or when there are four segments or more and the first does
    /// not look like a core version (`v...`).
    fn from_str(key: &str) -> Result<ObjectIdentity, InvalidKey> {
        let shape = || InvalidKey::Shape {
            key: key.to_string(),
        };
        let parts: Vec<&str> = key.split('/').collect();
        let (api_version, rest) = if parts.first().is_some_and(|p| p.contains('.'))
            || (parts.len() >= 4 && !parts[0].starts_with('v'))
        {
            if parts.len() < 4 {
                return Err(shape());
            }
            (format!("{}/{}", parts[0], parts[1]), &parts[2..])
        } else {
            (parts[0].to_string(), &parts[1..])
        };
        let (kind, namespace, name) = match rest {
            [kind, name] => (*kind, "", *name),
            [kind, namespace, name] => (*kind, *namespace, *name),
            _ => return Err(shape()),
        };
        if kind.is_empty() || name.is_empty() || api_version.is_empty() {
            return Err(InvalidKey::EmptySegment {
                key: key.to_string(),
            });
        }
        Ok(ObjectIdentity::new(
            api_version,
            kind,
            Some(namespace),
            name,
        ))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn reads_identity_and_splits_group_and_version() {
        let r = ObjectIdentity::of(&json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "shop"}
        }))
        .unwrap();
        assert_eq!((r.group(), r.version()), ("apps", "v1"));
        assert_eq!(r.describe_versioned(), "apps/v1/Deployment shop/web");
        let core = ObjectIdentity::new("v1", "Namespace", Some(""), "shop");
        assert_eq!((core.group(), core.version()), ("", "v1"));
        assert_eq!(core.namespace, None);
    }

    #[test]
    fn an_object_without_a_name_is_invalid() {
        let e = ObjectIdentity::of(&json!({"apiVersion": "v1", "kind": "ConfigMap"}));
        assert_eq!(
            e.unwrap_err().reason,
            "metadata.name is missing or not a string"
        );
    }

    #[test]
    fn keys_round_trip_for_core_and_grouped_kinds() {
        for key in [
            "v1/ConfigMap/web/settings",
            "v1/Namespace/web",
            "apps/v1/Deployment/web/frontend",
            "apiextensions.k8s.io/v1/CustomResourceDefinition/widgets.example.com",
        ] {
            assert_eq!(key.parse::<ObjectIdentity>().unwrap().to_string(), key);
        }
        assert!("nonsense".parse::<ObjectIdentity>().is_err());
    }

    #[test]
    fn bad_keys_say_what_is_wrong() {
        assert_eq!(
            "v1/ConfigMap".parse::<ObjectIdentity>().unwrap_err(),
            InvalidKey::Shape {
                key: "v1/ConfigMap".into()
            }
        );
        assert_eq!(
            "v1//x".parse::<ObjectIdentity>().unwrap_err().to_string(),
            r#""v1//x" has an empty segment"#
        );
    }

    #[test]
    fn descriptions_name_kind_namespace_and_name() {
        let namespaced = ObjectIdentity::new("v1", "ConfigMap", Some("shop"), "settings");
        assert_eq!(namespaced.describe(), "ConfigMap shop/settings");
        let cluster_scoped = ObjectIdentity::new("v1", "Namespace", None, "shop");
        assert_eq!(cluster_scoped.describe_versioned(), "v1/Namespace shop");
        assert!(ObjectIdentity::new("v1", "Secret", None, "s").is_secret());
        assert!(!ObjectIdentity::new("example.com/v1", "Secret", None, "s").is_secret());
    }

    #[test]
    fn order_is_group_then_version_then_kind_namespace_name() {
        let mut ids = [
            ObjectIdentity::new("apps/v1", "Deployment", Some("a"), "x"),
            ObjectIdentity::new("v1", "ConfigMap", Some("b"), "x"),
            ObjectIdentity::new("v1", "ConfigMap", None, "x"),
            ObjectIdentity::new("apps.example.com/v1", "Widget", None, "x"),
        ];
        ids.sort();
        let keys: Vec<String> = ids.iter().map(ToString::to_string).collect();
        assert_eq!(
            keys,
            [
                "v1/ConfigMap/x",
                "v1/ConfigMap/b/x",
                "apps/v1/Deployment/a/x",
                "apps.example.com/v1/Widget/x",
            ]
        );
    }

    /// A segment of a key: no `/`, not empty.
    pub(crate) fn segment() -> impl Strategy<Value = String> {
        "[a-zA-Z0-9][a-zA-Z0-9.-]{0,12}"
    }

    /// An apiVersion the feed key can spell: the core group's `v...`, or a group that has a
    /// dot or does not start with `v` (as Kubernetes' groups).
    pub(crate) fn api_version() -> impl Strategy<Value = String> {
        let version = "v[0-9]{1,2}((alpha|beta)[0-9])?";
        prop_oneof![
            version.prop_map(String::from),
            ("[a-uw-z][a-z0-9]{0,8}(\\.[a-z]{1,6}){0,2}", version)
                .prop_map(|(group, version)| format!("{group}/{version}")),
            ("v[a-z0-9]{0,8}(\\.[a-z]{1,6}){1,2}", version)
                .prop_map(|(group, version)| format!("{group}/{version}")),
        ]
    }

    /// Any identity.
    pub(crate) fn identity() -> impl Strategy<Value = ObjectIdentity> {
        (
            api_version(),
            segment(),
            proptest::option::of(segment()),
            segment(),
        )
            .prop_map(|(api_version, kind, namespace, name)| {
                ObjectIdentity::new(api_version, kind, namespace.as_deref(), name)
            })
    }

    proptest! {
        #[test]
        fn feed_keys_round_trip(id in identity()) {
            prop_assert_eq!(id.to_string().parse::<ObjectIdentity>(), Ok(id));
        }
    }
}
