//! Whether a kind is namespaced, without asking a cluster: the built-in kinds of Kubernetes
//! that are cluster-scoped, plus the scopes that CustomResourceDefinitions declare.
//!
//! Helm leaves `metadata.namespace` out of most templates and installs such an object in the
//! release namespace when its kind is namespaced (it asks the cluster's REST mapping). The
//! plan has to name that object before any cluster is asked, so it decides the same way from
//! this table and from the CRDs the chart itself brings (`spec.scope`). A kind neither
//! knows - a custom resource whose CRD comes from elsewhere - is taken as namespaced, as
//! most custom resources are.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::identity::ObjectIdentity;

/// The cluster-scoped kinds Kubernetes serves itself, as `(group, kind)`.
const CLUSTER_SCOPED: &[(&str, &str)] = &[
    ("", "ComponentStatus"),
    ("", "Namespace"),
    ("", "Node"),
    ("", "PersistentVolume"),
    ("admissionregistration.k8s.io", "MutatingAdmissionPolicy"),
    (
        "admissionregistration.k8s.io",
        "MutatingAdmissionPolicyBinding",
    ),
    (
        "admissionregistration.k8s.io",
        "MutatingWebhookConfiguration",
    ),
    ("admissionregistration.k8s.io", "ValidatingAdmissionPolicy"),
    (
        "admissionregistration.k8s.io",
        "ValidatingAdmissionPolicyBinding",
    ),
    (
        "admissionregistration.k8s.io",
        "ValidatingWebhookConfiguration",
    ),
    ("apiextensions.k8s.io", "CustomResourceDefinition"),
    ("apiregistration.k8s.io", "APIService"),
    ("authentication.k8s.io", "SelfSubjectReview"),
    ("authentication.k8s.io", "TokenReview"),
    ("authorization.k8s.io", "SelfSubjectAccessReview"),
    ("authorization.k8s.io", "SelfSubjectRulesReview"),
    ("authorization.k8s.io", "SubjectAccessReview"),
    ("certificates.k8s.io", "CertificateSigningRequest"),
    ("certificates.k8s.io", "ClusterTrustBundle"),
    ("flowcontrol.apiserver.k8s.io", "FlowSchema"),
    ("flowcontrol.apiserver.k8s.io", "PriorityLevelConfiguration"),
    ("internal.apiserver.k8s.io", "StorageVersion"),
    ("networking.k8s.io", "IPAddress"),
    ("networking.k8s.io", "IngressClass"),
    ("networking.k8s.io", "ServiceCIDR"),
    ("node.k8s.io", "RuntimeClass"),
    ("policy", "PodSecurityPolicy"),
    ("rbac.authorization.k8s.io", "ClusterRole"),
    ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
    ("resource.k8s.io", "DeviceClass"),
    ("resource.k8s.io", "ResourceSlice"),
    ("scheduling.k8s.io", "PriorityClass"),
    ("storage.k8s.io", "CSIDriver"),
    ("storage.k8s.io", "CSINode"),
    ("storage.k8s.io", "StorageClass"),
    ("storage.k8s.io", "VolumeAttachment"),
    ("storage.k8s.io", "VolumeAttributesClass"),
];

/// Whether `(group, kind)` is one of Kubernetes' own cluster-scoped kinds.
pub fn is_builtin_cluster_scoped(group: &str, kind: &str) -> bool {
    CLUSTER_SCOPED.binary_search(&(group, kind)).is_ok()
}

/// Kind scopes known without a cluster: the built-in table plus CRDs seen.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scopes {
    /// `(group, kind)` of CRDs that declare `spec.scope: Cluster`.
    cluster_scoped_crds: BTreeSet<(String, String)>,
}

impl Scopes {
    /// The scopes of the built-in kinds and of every CustomResourceDefinition among `objects`
    /// (any other object is ignored).
    pub fn with_crds<'a>(objects: impl IntoIterator<Item = &'a Value>) -> Scopes {
        let cluster_scoped_crds = objects
            .into_iter()
            .filter(|o| {
                o["kind"] == "CustomResourceDefinition"
                    && o["apiVersion"]
                        .as_str()
                        .is_some_and(|v| v.starts_with("apiextensions.k8s.io/"))
                    && o["spec"]["scope"] == "Cluster"
            })
            .filter_map(|o| {
                let group = o["spec"]["group"].as_str()?;
                let kind = o["spec"]["names"]["kind"].as_str()?;
                Some((group.to_string(), kind.to_string()))
            })
            .collect();
        Scopes {
            cluster_scoped_crds,
        }
    }

    /// Whether objects of `identity`'s kind live in a namespace: `false` for the built-in
    /// cluster-scoped kinds and CRDs seen with `scope: Cluster`, `true` otherwise.
    pub fn is_namespaced(&self, identity: &ObjectIdentity) -> bool {
        let group = identity.group();
        let kind = identity.kind.as_str();
        !(is_builtin_cluster_scoped(group, kind)
            || self
                .cluster_scoped_crds
                .contains(&(group.to_string(), kind.to_string())))
    }

    /// `identity` as Helm installs it into a release namespace: a namespaced object the
    /// template leaves without a namespace gets `release_namespace`; anything else is
    /// unchanged.
    pub fn in_release_namespace(
        &self,
        mut identity: ObjectIdentity,
        release_namespace: &str,
    ) -> ObjectIdentity {
        if identity.namespace.is_none()
            && !release_namespace.is_empty()
            && self.is_namespaced(&identity)
        {
            identity.namespace = Some(release_namespace.to_string());
        }
        identity
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_table_is_sorted_for_binary_search() {
        assert!(CLUSTER_SCOPED.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn built_in_kinds_are_told_apart() {
        let scopes = Scopes::default();
        let of = |v: &str, k: &str| ObjectIdentity::new(v, k, None, "x");
        assert!(!scopes.is_namespaced(&of("v1", "Namespace")));
        assert!(!scopes.is_namespaced(&of("rbac.authorization.k8s.io/v1", "ClusterRole")));
        assert!(!scopes.is_namespaced(&of("storage.k8s.io/v1", "StorageClass")));
        assert!(scopes.is_namespaced(&of("v1", "ConfigMap")));
        assert!(scopes.is_namespaced(&of("rbac.authorization.k8s.io/v1", "Role")));
        assert!(scopes.is_namespaced(&of("apps/v1", "Deployment")));
        // Unknown custom resources are taken as namespaced.
        assert!(scopes.is_namespaced(&of("example.com/v1", "Widget")));
    }

    #[test]
    fn crds_declare_their_scope() {
        let crds = [
            json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
                   "spec": {"group": "example.com", "scope": "Cluster",
                            "names": {"kind": "ClusterWidget"}}}),
            json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
                   "spec": {"group": "example.com", "scope": "Namespaced",
                            "names": {"kind": "Widget"}}}),
            json!({"apiVersion": "v1", "kind": "ConfigMap", "spec": {"scope": "Cluster"}}),
        ];
        let scopes = Scopes::with_crds(&crds);
        let cluster = ObjectIdentity::new("example.com/v1", "ClusterWidget", None, "a");
        let namespaced = ObjectIdentity::new("example.com/v1", "Widget", None, "a");
        assert!(!scopes.is_namespaced(&cluster));
        assert!(scopes.is_namespaced(&namespaced));
        // The same kind name in another group is not that CRD's.
        let other = ObjectIdentity::new("other.io/v1", "ClusterWidget", None, "a");
        assert!(scopes.is_namespaced(&other));
    }

    #[test]
    fn release_namespace_goes_only_where_helm_puts_it() {
        let scopes = Scopes::default();
        let cm = ObjectIdentity::new("v1", "ConfigMap", None, "settings");
        assert_eq!(
            scopes.in_release_namespace(cm, "web").namespace.as_deref(),
            Some("web")
        );
        let own = ObjectIdentity::new("v1", "ConfigMap", Some("other"), "settings");
        assert_eq!(
            scopes.in_release_namespace(own, "web").namespace.as_deref(),
            Some("other")
        );
        let role = ObjectIdentity::new("rbac.authorization.k8s.io/v1", "ClusterRole", None, "r");
        assert_eq!(scopes.in_release_namespace(role, "web").namespace, None);
    }
}
