//! GVK -> resource resolution by API discovery, cached per cluster client.
//!
//! One discovery request per `apiVersion` the objects use (never a full discovery walk); the
//! cache is dropped after CustomResourceDefinitions are applied so their kinds become visible.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use kube::core::GroupVersion;
use kube::discovery::{ApiCapabilities, ApiResource, Scope};

use crate::error::ObjectError;
use clusternet_model::identity::ObjectIdentity;

/// A kind as the cluster serves it.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// Group, version, kind and plural resource.
    pub resource: ApiResource,
    /// Whether objects of this kind live in namespaces.
    pub namespaced: bool,
}

/// What one `apiVersion` serves: kind -> resource (empty when the version is not served).
type Served = Arc<HashMap<String, Resolved>>;

/// The per-client discovery cache. Cheap to clone (shared).
#[derive(Debug, Clone, Default)]
pub struct DiscoveryCache {
    versions: Arc<Mutex<HashMap<String, Served>>>,
}

impl DiscoveryCache {
    /// Resolves the kind of `reference`, asking the cluster once per `apiVersion`.
    pub async fn resolve(
        &self,
        client: &kube::Client,
        cluster: &str,
        reference: &ObjectIdentity,
    ) -> Result<Resolved, ObjectError> {
        let served = self.served(client, cluster, reference).await?;
        served
            .get(&reference.kind)
            .cloned()
            .ok_or_else(|| ObjectError::UnknownKind {
                reference: Box::new(reference.clone()),
            })
    }

    /// Forgets everything (e.g. after CRDs were applied or deleted).
    pub fn invalidate(&self) {
        self.versions
            .lock()
            .expect("discovery cache poisoned")
            .clear();
    }

    /// Forgets one `apiVersion`.
    pub fn invalidate_version(&self, api_version: &str) {
        self.versions
            .lock()
            .expect("discovery cache poisoned")
            .remove(api_version);
    }

    async fn served(
        &self,
        client: &kube::Client,
        cluster: &str,
        reference: &ObjectIdentity,
    ) -> Result<Served, ObjectError> {
        let key = reference.api_version.clone();
        if let Some(hit) = self
            .versions
            .lock()
            .expect("discovery cache poisoned")
            .get(&key)
        {
            return Ok(hit.clone());
        }
        let gv = GroupVersion::gv(reference.group(), reference.version());
        let served: Served = match kube::discovery::pinned_group(client, &gv).await {
            Ok(group) => Arc::new(
                group
                    .versioned_resources(reference.version())
                    .into_iter()
                    // Subresources (`deployments/scale`) share kinds with their parents.
                    .filter(|(resource, _)| !resource.plural.contains('/'))
                    .map(|(resource, caps): (ApiResource, ApiCapabilities)| {
                        let namespaced = caps.scope == Scope::Namespaced;
                        (
                            resource.kind.clone(),
                            Resolved {
                                resource,
                                namespaced,
                            },
                        )
                    })
                    .collect(),
            ),
            Err(kube::Error::Api(status)) if status.code == 404 => Arc::new(HashMap::new()),
            Err(kube::Error::Discovery(_)) => Arc::new(HashMap::new()),
            Err(e) => return Err(ObjectError::from_kube(cluster, reference, e)),
        };
        self.versions
            .lock()
            .expect("discovery cache poisoned")
            .insert(key, served.clone());
        Ok(served)
    }
}
