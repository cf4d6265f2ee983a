//! A handle on one cluster: its client, name, field manager and discovery cache.

use kube::api::{Api, DynamicObject};

use crate::connection::{ConnectionConfig, ConnectionError, Timeouts};
use crate::discovery::{DiscoveryCache, Resolved};
use crate::error::ObjectError;
use clusternet_model::identity::ObjectIdentity;

/// The field manager used unless another is configured.
pub const DEFAULT_FIELD_MANAGER: &str = "clusternet-terraform";

/// One cluster the provider deploys to. Cheap to clone, `Send + Sync`, usable from many tasks.
#[derive(Clone)]
pub struct Cluster {
    name: String,
    client: kube::Client,
    field_manager: String,
    discovery: DiscoveryCache,
}

impl std::fmt::Debug for Cluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cluster")
            .field("name", &self.name)
            .field("field_manager", &self.field_manager)
            .finish_non_exhaustive()
    }
}

impl Cluster {
    /// A cluster named `name` (used in messages) reached through `client`.
    pub fn new(name: impl Into<String>, client: kube::Client) -> Cluster {
        Cluster {
            name: name.into(),
            client,
            field_manager: DEFAULT_FIELD_MANAGER.to_string(),
            discovery: DiscoveryCache::default(),
        }
    }

    /// Builds the client from `config` (no request is sent yet).
    pub async fn connect(
        name: impl Into<String>,
        config: &ConnectionConfig,
        timeouts: Timeouts,
    ) -> Result<Cluster, ConnectionError> {
        Ok(Cluster::new(name, config.client(timeouts).await?))
    }

    /// Uses `manager` as the server-side apply field manager.
    pub fn with_field_manager(mut self, manager: impl Into<String>) -> Cluster {
        self.field_manager = manager.into();
        self
    }

    /// The cluster's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The field manager.
    pub fn field_manager(&self) -> &str {
        &self.field_manager
    }

    /// The underlying client.
    pub fn client(&self) -> &kube::Client {
        &self.client
    }

    /// The discovery cache.
    pub fn discovery(&self) -> &DiscoveryCache {
        &self.discovery
    }

    /// Resolves the kind of `reference` by discovery.
    pub async fn resolve(&self, reference: &ObjectIdentity) -> Result<Resolved, ObjectError> {
        self.discovery
            .resolve(&self.client, &self.name, reference)
            .await
    }

    /// A dynamic API for the object's kind and namespace (namespaced kinds without a
    /// namespace use `default`, as kubectl does).
    pub(crate) fn api_for(
        &self,
        resolved: &Resolved,
        reference: &ObjectIdentity,
    ) -> Api<DynamicObject> {
        if resolved.namespaced {
            let namespace = reference.namespace.as_deref().unwrap_or("default");
            Api::namespaced_with(self.client.clone(), namespace, &resolved.resource)
        } else {
            Api::all_with(self.client.clone(), &resolved.resource)
        }
    }

    /// Classifies a kube error for `reference` on this cluster.
    pub(crate) fn error(&self, reference: &ObjectIdentity, error: kube::Error) -> ObjectError {
        ObjectError::from_kube(&self.name, reference, error)
    }
}
