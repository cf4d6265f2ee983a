//! Import IDs: what `terraform import ADDRESS ID` names, per resource type.

use crate::resources::{helm_chart, manifest, overrides, subscription};
use clusternet_model::identity::ObjectIdentity;

use super::error::ImportError;

/// A parsed import ID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportId {
    /// A namespaced hub object: a Subscription or a Localization.
    Namespaced {
        /// Namespace (for a Localization, its cluster's dedicated namespace).
        namespace: String,
        /// Name.
        name: String,
    },
    /// A cluster-scoped hub object: a Globalization.
    ClusterScoped {
        /// Name.
        name: String,
    },
    /// A feed, by its key.
    Feed(ObjectIdentity),
}

/// The ID format of `type_name`, for hints.
pub fn expected_format(type_name: &str) -> Option<&'static str> {
    match type_name {
        subscription::TYPE_NAME => Some("<namespace>/<name> of the hub's Subscription"),
        manifest::TYPE_NAME => Some(
            "the feed key <apiVersion>/<Kind>/<namespace>/<name> (cluster-scoped: \
             <apiVersion>/<Kind>/<name>), e.g. apps/v1/Deployment/shop/web",
        ),
        manifest::SECRET_TYPE_NAME => {
            Some("the feed key v1/Secret/<namespace>/<name>, e.g. v1/Secret/shop/db")
        }
        overrides::LOCALIZATION => Some(
            "<namespace>/<name> of the hub's Localization (the namespace is the cluster's \
             dedicated namespace)",
        ),
        overrides::GLOBALIZATION => Some("<name> of the hub's Globalization (cluster-scoped)"),
        helm_chart::TYPE_NAME => Some("<namespace>/<name> of the hub's HelmChart"),
        _ => None,
    }
}

/// Parses `id` for `type_name`.
pub fn parse(type_name: &str, id: &str) -> Result<ImportId, ImportError> {
    let Some(expected) = expected_format(type_name) else {
        return Err(ImportError::UnsupportedType {
            type_name: type_name.to_string(),
        });
    };
    let invalid = |reason: String| ImportError::InvalidId {
        type_name: type_name.to_string(),
        id: id.to_string(),
        reason,
        expected,
    };
    let segments: Vec<&str> = id.split('/').collect();
    if segments.iter().any(|s| s.trim().is_empty()) {
        return Err(invalid("it has an empty segment".to_string()));
    }
    match type_name {
        manifest::TYPE_NAME | manifest::SECRET_TYPE_NAME => id
            .parse::<ObjectIdentity>()
            .map(ImportId::Feed)
            .map_err(|e| invalid(e.to_string())),
        overrides::GLOBALIZATION => match segments.as_slice() {
            [name] => Ok(ImportId::ClusterScoped {
                name: name.to_string(),
            }),
            _ => Err(invalid(
                "Globalizations are cluster-scoped: give the name alone".to_string(),
            )),
        },
        _ => match segments.as_slice() {
            [namespace, name] => Ok(ImportId::Namespaced {
                namespace: namespace.to_string(),
                name: name.to_string(),
            }),
            _ => Err(invalid(format!(
                "it has {} segment(s), not 2",
                segments.len()
            ))),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::ToDiagnostic;

    #[test]
    fn each_type_takes_its_own_id_form() {
        assert_eq!(
            parse(subscription::TYPE_NAME, "shop/app").unwrap(),
            ImportId::Namespaced {
                namespace: "shop".into(),
                name: "app".into()
            }
        );
        assert_eq!(
            parse(overrides::GLOBALIZATION, "size").unwrap(),
            ImportId::ClusterScoped {
                name: "size".into()
            }
        );
        let ImportId::Feed(feed) =
            parse(manifest::TYPE_NAME, "apps/v1/Deployment/shop/web").unwrap()
        else {
            panic!("a feed");
        };
        assert_eq!(feed.key(), "apps/v1/Deployment/shop/web");
        assert!(matches!(
            parse(manifest::TYPE_NAME, "v1/Namespace/shop").unwrap(),
            ImportId::Feed(f) if f.namespace.is_none()
        ));
    }

    #[test]
    fn malformed_ids_say_what_was_expected() {
        for (type_name, id) in [
            (subscription::TYPE_NAME, "app"),
            (subscription::TYPE_NAME, "a/b/c"),
            (subscription::TYPE_NAME, "shop/"),
            (overrides::LOCALIZATION, "eu-color"),
            (overrides::GLOBALIZATION, "ns/size"),
            (manifest::TYPE_NAME, "Deployment"),
            (helm_chart::TYPE_NAME, "smoke"),
        ] {
            let error = parse(type_name, id).unwrap_err();
            let ImportError::InvalidId { expected, .. } = &error else {
                panic!("{type_name} {id}: {error:?}");
            };
            assert!(error.to_string().contains(id), "{error}");
            assert!(!expected.is_empty());
        }
        let error = parse("clusternet_nothing", "x").unwrap_err();
        assert!(matches!(error, ImportError::UnsupportedType { .. }));
        assert!(!error.to_diagnostic().detail.is_empty());
    }
}
