//! The keys of the preview map and of `releases`:
//!
//! * `<cluster>/<apiVersion>/<Kind>/[<namespace>/]<name>`: a plain object (Clusternet's feed
//!   key prefixed with the cluster name);
//! * `<cluster>/helm/<chart namespace>/<chart name>`: a rendered chart (`{chart, values}`);
//! * `<cluster>/helm/<release>/<apiVersion>/<Kind>/[<namespace>/]<name>`: an object of the
//!   chart's `helm template`;
//! * `<cluster>/<namespace>/<release>`: a Helm release in `releases`.
//!
//! No Kubernetes API group is called `helm` (groups have dots), so `helm` after the cluster
//! always marks a chart entry.

use std::fmt;
use std::str::FromStr;

use crate::identity::{InvalidKey, ObjectIdentity};

/// The segment that marks Helm entries after the cluster name.
pub const HELM: &str = "helm";

/// The key of one preview entry: the cluster and what is previewed there.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PreviewKey {
    /// The cluster name.
    pub cluster: String,
    /// What the entry shows.
    pub previewed: Previewed,
}

/// What a preview entry shows in its cluster: the key after `<cluster>/`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Previewed {
    /// A plain object: `<apiVersion>/<Kind>/[<namespace>/]<name>`.
    Object(ObjectIdentity),
    /// A rendered chart: `helm/<chart namespace>/<chart name>`.
    Chart {
        /// The HelmChart's namespace.
        namespace: String,
        /// The HelmChart's name.
        name: String,
    },
    /// An object of a chart's `helm template`:
    /// `helm/<release>/<apiVersion>/<Kind>/[<namespace>/]<name>`.
    Templated {
        /// The release name.
        release: String,
        /// The templated object.
        identity: ObjectIdentity,
    },
}

/// Why a text is not a preview key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidPreviewKey {
    /// No cluster name before the first `/`.
    #[error("{key:?} does not start with <cluster>/")]
    NoCluster {
        /// The text.
        key: String,
    },
    /// A Helm entry with an empty chart or release name, or with an object key of the wrong
    /// shape.
    #[error("{key:?} is not helm/<chart namespace>/<chart name> or helm/<release>/<object key>")]
    Helm {
        /// The text after the cluster.
        key: String,
    },
    /// The object key is not a feed key.
    #[error(transparent)]
    Object(#[from] InvalidKey),
}

impl PreviewKey {
    /// The key of a plain object of `cluster`.
    pub fn object(cluster: impl Into<String>, identity: ObjectIdentity) -> PreviewKey {
        PreviewKey {
            cluster: cluster.into(),
            previewed: Previewed::Object(identity),
        }
    }

    /// The key of the chart `namespace/name` rendered for `cluster`.
    pub fn chart(
        cluster: impl Into<String>,
        namespace: impl Into<String>,
        name: impl Into<String>,
    ) -> PreviewKey {
        PreviewKey {
            cluster: cluster.into(),
            previewed: Previewed::Chart {
                namespace: namespace.into(),
                name: name.into(),
            },
        }
    }

    /// The key of an object the chart of `release` templates for `cluster`.
    pub fn templated(
        cluster: impl Into<String>,
        release: impl Into<String>,
        identity: ObjectIdentity,
    ) -> PreviewKey {
        PreviewKey {
            cluster: cluster.into(),
            previewed: Previewed::Templated {
                release: release.into(),
                identity,
            },
        }
    }

    /// Whether this is an object templated by any chart.
    pub fn is_templated(&self) -> bool {
        matches!(self.previewed, Previewed::Templated { .. })
    }

    /// The object templated by the chart of `release` in `cluster`, if this is one.
    pub fn templated_of(&self, cluster: &str, release: &str) -> Option<&ObjectIdentity> {
        match &self.previewed {
            Previewed::Templated {
                release: r,
                identity,
            } if self.cluster == cluster && r == release => Some(identity),
            _ => None,
        }
    }
}

impl fmt::Display for PreviewKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.cluster, self.previewed)
    }
}

impl FromStr for PreviewKey {
    type Err = InvalidPreviewKey;

    fn from_str(key: &str) -> Result<PreviewKey, InvalidPreviewKey> {
        let (cluster, rest) = key
            .split_once('/')
            .filter(|(cluster, _)| !cluster.is_empty())
            .ok_or_else(|| InvalidPreviewKey::NoCluster {
                key: key.to_string(),
            })?;
        Ok(PreviewKey {
            cluster: cluster.to_string(),
            previewed: rest.parse()?,
        })
    }
}

impl fmt::Display for Previewed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Previewed::Object(identity) => write!(f, "{identity}"),
            Previewed::Chart { namespace, name } => write!(f, "{HELM}/{namespace}/{name}"),
            Previewed::Templated { release, identity } => {
                write!(f, "{HELM}/{release}/{identity}")
            }
        }
    }
}

impl FromStr for Previewed {
    type Err = InvalidPreviewKey;

    /// Parses the key after `<cluster>/`.
    fn from_str(rest: &str) -> Result<Previewed, InvalidPreviewKey> {
        let Some(helm) = rest.strip_prefix(HELM).and_then(|r| r.strip_prefix('/')) else {
            return Ok(Previewed::Object(rest.parse()?));
        };
        let invalid = || InvalidPreviewKey::Helm {
            key: rest.to_string(),
        };
        let (first, after) = helm.split_once('/').ok_or_else(invalid)?;
        if first.is_empty() || after.is_empty() {
            return Err(invalid());
        }
        if !after.contains('/') {
            return Ok(Previewed::Chart {
                namespace: first.to_string(),
                name: after.to_string(),
            });
        }
        Ok(Previewed::Templated {
            release: first.to_string(),
            identity: after.parse().map_err(|_| invalid())?,
        })
    }
}

/// The key of a Helm release in a subscription's `releases`: `<cluster>/<namespace>/<release>`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ReleaseKey {
    /// The cluster name.
    pub cluster: String,
    /// The release namespace in the cluster (the chart's `targetNamespace`).
    pub namespace: String,
    /// The release name.
    pub release: String,
}

/// Why a text is not a release key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{key:?} is not <cluster>/<namespace>/<release>")]
pub struct InvalidReleaseKey {
    /// The text.
    pub key: String,
}

impl ReleaseKey {
    /// The key of `release` in `namespace` of `cluster`.
    pub fn new(
        cluster: impl Into<String>,
        namespace: impl Into<String>,
        release: impl Into<String>,
    ) -> ReleaseKey {
        ReleaseKey {
            cluster: cluster.into(),
            namespace: namespace.into(),
            release: release.into(),
        }
    }
}

impl fmt::Display for ReleaseKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}", self.cluster, self.namespace, self.release)
    }
}

impl FromStr for ReleaseKey {
    type Err = InvalidReleaseKey;

    fn from_str(key: &str) -> Result<ReleaseKey, InvalidReleaseKey> {
        match key.split('/').collect::<Vec<_>>().as_slice() {
            [cluster, namespace, release]
                if [cluster, namespace, release].iter().all(|s| !s.is_empty()) =>
            {
                Ok(ReleaseKey::new(*cluster, *namespace, *release))
            }
            _ => Err(InvalidReleaseKey {
                key: key.to_string(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::tests::{identity, segment};
    use proptest::prelude::*;

    fn parse(key: &str) -> Option<PreviewKey> {
        key.parse().ok()
    }

    #[test]
    fn chart_and_templated_keys_are_told_apart() {
        assert_eq!(
            parse("eu-1/helm/default/web"),
            Some(PreviewKey::chart("eu-1", "default", "web"))
        );
        let templated = parse("eu-1/helm/web/v1/ConfigMap/web/settings").unwrap();
        assert!(templated.is_templated());
        assert_eq!(
            templated
                .templated_of("eu-1", "web")
                .map(ToString::to_string),
            Some("v1/ConfigMap/web/settings".to_string())
        );
        assert!(
            parse("eu-1/helm/web/v1/Namespace/web")
                .unwrap()
                .is_templated()
        );
        assert!(!parse("eu-1/helm/default/web").unwrap().is_templated());
        assert!(
            parse("eu-1/helm/web/apps/v1/Deployment/web/frontend")
                .unwrap()
                .templated_of("eu-1", "web")
                .is_some()
        );
        assert!(
            parse("eu-1/helm/web2/v1/Namespace/x")
                .unwrap()
                .templated_of("eu-1", "web")
                .is_none()
        );
        assert!(matches!(
            parse("eu-1/v1/ConfigMap/web").unwrap().previewed,
            Previewed::Object(_)
        ));
        assert!(matches!(
            parse("eu-1/helmet.io/v1/Hat/x").unwrap().previewed,
            Previewed::Object(_)
        ));
    }

    #[test]
    fn malformed_keys_are_errors() {
        for key in [
            "no-cluster",
            "/v1/Namespace/x",
            "eu-1/helm/web",
            "eu-1/helm//web",
            "eu-1/helm/web/v1/ConfigMap",
            "eu-1/v1/ConfigMap",
        ] {
            assert!(key.parse::<PreviewKey>().is_err(), "{key}");
        }
        assert_eq!(
            "eu-1/helm/web"
                .parse::<PreviewKey>()
                .unwrap_err()
                .to_string(),
            r#""helm/web" is not helm/<chart namespace>/<chart name> or helm/<release>/<object key>"#
        );
    }

    #[test]
    fn release_keys_name_cluster_namespace_and_release() {
        let key: ReleaseKey = "eu-1/web/web-eu".parse().unwrap();
        assert_eq!(key, ReleaseKey::new("eu-1", "web", "web-eu"));
        assert_eq!(key.to_string(), "eu-1/web/web-eu");
        assert!("eu-1/web".parse::<ReleaseKey>().is_err());
        assert!("eu-1//web".parse::<ReleaseKey>().is_err());
    }

    fn preview_key() -> impl Strategy<Value = PreviewKey> {
        let object = identity().prop_filter("no API group is called helm", |id| id.group() != HELM);
        prop_oneof![
            (segment(), object).prop_map(|(c, id)| PreviewKey::object(c, id)),
            (segment(), segment(), segment()).prop_map(|(c, ns, n)| PreviewKey::chart(c, ns, n)),
            (segment(), segment(), identity())
                .prop_map(|(c, r, id)| PreviewKey::templated(c, r, id)),
        ]
    }

    proptest! {
        #[test]
        fn preview_keys_round_trip(key in preview_key()) {
            prop_assert_eq!(key.to_string().parse::<PreviewKey>(), Ok(key));
        }

        #[test]
        fn release_keys_round_trip(c in segment(), ns in segment(), r in segment()) {
            let key = ReleaseKey::new(c, ns, r);
            prop_assert_eq!(key.to_string().parse::<ReleaseKey>(), Ok(key));
        }
    }
}
