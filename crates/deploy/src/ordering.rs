//! Dependency order inside one cluster: what must exist before what.
//!
//! CRDs first (their kinds must be served before custom resources apply), then Namespaces,
//! other cluster-scoped objects, configuration that workloads mount or run as, workloads, and
//! everything else. Deletion runs the same order backwards.

use clusternet_model::identity::ObjectIdentity;

/// The apply phases, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Phase {
    /// `apiextensions.k8s.io` CustomResourceDefinitions (waited for until Established).
    CustomResourceDefinitions,
    /// Core `Namespace`s.
    Namespaces,
    /// Other cluster-scoped objects (except RBAC, which is configuration).
    ClusterScoped,
    /// ServiceAccounts, ConfigMaps, Secrets and RBAC objects.
    Configuration,
    /// Pods and their controllers.
    Workloads,
    /// Everything else (Services, Ingresses, custom resources, ...).
    Rest,
}

impl Phase {
    /// All phases in apply order.
    pub const ALL: [Phase; 6] = [
        Phase::CustomResourceDefinitions,
        Phase::Namespaces,
        Phase::ClusterScoped,
        Phase::Configuration,
        Phase::Workloads,
        Phase::Rest,
    ];

    /// The phase of an object, given whether its kind is namespaced (`None` when unknown, e.g.
    /// a custom resource whose CRD is not served yet: then the object's own namespace decides).
    pub fn of(reference: &ObjectIdentity, namespaced: Option<bool>) -> Phase {
        let group = reference.group();
        let kind = reference.kind.as_str();
        match (group, kind) {
            ("apiextensions.k8s.io", "CustomResourceDefinition") => {
                return Phase::CustomResourceDefinitions;
            }
            ("", "Namespace") => return Phase::Namespaces,
            ("", "ServiceAccount" | "ConfigMap" | "Secret") | ("rbac.authorization.k8s.io", _) => {
                return Phase::Configuration;
            }
            ("", "Pod" | "ReplicationController")
            | ("apps", "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet")
            | ("batch", "Job" | "CronJob") => return Phase::Workloads,
            _ => {}
        }
        let namespaced = namespaced.unwrap_or(reference.namespace.is_some());
        if namespaced {
            Phase::Rest
        } else {
            Phase::ClusterScoped
        }
    }
}

/// Indices of `references` in apply order: by phase, stable within a phase (input order).
pub fn apply_order(references: &[(ObjectIdentity, Option<bool>)]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..references.len()).collect();
    order.sort_by_key(|&i| Phase::of(&references[i].0, references[i].1));
    order
}

/// Indices of `references` in deletion order: the apply order reversed.
pub fn delete_order(references: &[(ObjectIdentity, Option<bool>)]) -> Vec<usize> {
    let mut order = apply_order(references);
    order.reverse();
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(api_version: &str, kind: &str, ns: Option<&str>) -> (ObjectIdentity, Option<bool>) {
        (ObjectIdentity::new(api_version, kind, ns, "x"), None)
    }

    #[test]
    fn crds_then_namespaces_then_cluster_scoped_then_config_then_workloads_then_rest() {
        let input = vec![
            r("v1", "Service", Some("a")),
            r("apps/v1", "Deployment", Some("a")),
            r("example.com/v1", "Widget", Some("a")),
            r("v1", "ConfigMap", Some("a")),
            r("rbac.authorization.k8s.io/v1", "ClusterRole", None),
            r("storage.k8s.io/v1", "StorageClass", None),
            r("v1", "Namespace", None),
            r("apiextensions.k8s.io/v1", "CustomResourceDefinition", None),
            r("batch/v1", "Job", Some("a")),
            r("v1", "Secret", Some("a")),
        ];
        let kinds: Vec<&str> = apply_order(&input)
            .into_iter()
            .map(|i| input[i].0.kind.as_str())
            .collect();
        assert_eq!(
            kinds,
            [
                "CustomResourceDefinition",
                "Namespace",
                "StorageClass",
                "ConfigMap",
                "ClusterRole",
                "Secret",
                "Deployment",
                "Job",
                "Service",
                "Widget",
            ]
        );
    }

    #[test]
    fn discovery_scope_beats_the_objects_own_namespace() {
        let cluster_cr = (
            ObjectIdentity::new("example.com/v1", "Gadget", Some("a"), "g"),
            Some(false),
        );
        assert_eq!(Phase::of(&cluster_cr.0, cluster_cr.1), Phase::ClusterScoped);
        let unknown = ObjectIdentity::new("example.com/v1", "Gadget", None, "g");
        assert_eq!(Phase::of(&unknown, None), Phase::ClusterScoped);
        assert_eq!(Phase::of(&unknown, Some(true)), Phase::Rest);
    }

    #[test]
    fn deletion_is_the_reverse_of_apply() {
        let input = vec![
            r("apps/v1", "Deployment", Some("a")),
            r("v1", "Namespace", None),
            r("v1", "ConfigMap", Some("a")),
        ];
        let kinds: Vec<&str> = delete_order(&input)
            .into_iter()
            .map(|i| input[i].0.kind.as_str())
            .collect();
        assert_eq!(kinds, ["Deployment", "ConfigMap", "Namespace"]);
    }
}
