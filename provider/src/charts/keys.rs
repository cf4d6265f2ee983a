//! Preview keys of charts: `<cluster>/helm/<chart namespace>/<chart name>` for a rendered
//! chart, `<cluster>/helm/<release>/<apiVersion>/<Kind>/[<namespace>/]<name>` for an object
//! of its `helm template`, and `<cluster>/<namespace>/<release>` in `releases`.

/// The segment that marks Helm entries after the cluster name.
pub const HELM: &str = "helm";

/// Whether a preview key without its cluster prefix is a Helm entry (a chart or a templated
/// object) rather than a plain object.
pub fn is_helm(key_without_cluster: &str) -> bool {
    key_without_cluster
        .strip_prefix(HELM)
        .is_some_and(|rest| rest.starts_with('/'))
}

/// A chart entry key split into (cluster, chart namespace, chart name).
pub fn parse_chart_key(key: &str) -> Option<(&str, &str, &str)> {
    let mut parts = key.split('/');
    let (cluster, helm, namespace, name) =
        (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    (parts.next().is_none() && helm == HELM && !cluster.is_empty() && !name.is_empty())
        .then_some((cluster, namespace, name))
}

/// Whether `key` is a templated object of `release` in `cluster`.
pub fn is_templated_of(key: &str, cluster: &str, release: &str) -> bool {
    key.strip_prefix(cluster)
        .and_then(|k| k.strip_prefix('/'))
        .and_then(|k| k.strip_prefix(HELM))
        .and_then(|k| k.strip_prefix('/'))
        .and_then(|k| k.strip_prefix(release))
        .and_then(|k| k.strip_prefix('/'))
        .is_some_and(|rest| rest.split('/').count() >= 3)
}

/// Whether `key` is a templated object (of any release).
pub fn is_templated(key: &str) -> bool {
    let parts: Vec<&str> = key.split('/').collect();
    parts.len() >= 6 && parts[1] == HELM
}

/// The key of a templated object whose own key is `object_key` (`<apiVersion>/<Kind>/...`).
pub fn templated_key(cluster: &str, release: &str, object_key: &str) -> String {
    format!("{cluster}/{HELM}/{release}/{object_key}")
}

/// The key of a release in `releases`.
pub fn release_key(cluster: &str, namespace: &str, release: &str) -> String {
    format!("{cluster}/{namespace}/{release}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chart_and_templated_keys_are_told_apart() {
        assert_eq!(
            parse_chart_key("eu-1/helm/default/web"),
            Some(("eu-1", "default", "web"))
        );
        assert_eq!(
            parse_chart_key("eu-1/helm/web/v1/ConfigMap/web/settings"),
            None
        );
        assert_eq!(parse_chart_key("eu-1/v1/ConfigMap/web"), None);
        assert!(is_templated("eu-1/helm/web/v1/ConfigMap/web/settings"));
        assert!(is_templated("eu-1/helm/web/v1/Namespace/web"));
        assert!(!is_templated("eu-1/helm/default/web"));
        assert!(is_templated_of(
            "eu-1/helm/web/apps/v1/Deployment/web/frontend",
            "eu-1",
            "web"
        ));
        assert!(!is_templated_of(
            "eu-1/helm/web2/v1/Namespace/x",
            "eu-1",
            "web"
        ));
        assert!(is_helm("helm/default/web"));
        assert!(!is_helm("helmet.io/v1/Hat/x"));
    }
}
