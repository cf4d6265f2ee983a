//! Reading back live objects, reduced to the fields our field manager owns, so the provider
//! can compare them with what it planned.
//!
//! [`Cluster::read_live`] sends one GET per object; [`Cluster::read_live_by_list`] (in
//! [`by_list`]) reads the same objects with one LIST per kind and namespace where
//! [`read_plan`] finds that saves requests (a refresh of many objects).

pub mod by_list;
pub mod read_plan;

use futures::StreamExt;
use serde_json::Value;

use crate::cluster::Cluster;
use crate::error::ObjectError;
use crate::fields;
use clusternet_model::identity::ObjectIdentity;

/// One object as the cluster has it now.
#[derive(Debug, Clone)]
pub struct LiveObject {
    /// The object asked for.
    pub reference: ObjectIdentity,
    /// `Ok(None)`: it is gone (or its kind is no longer served); `Ok(Some(object))`: the
    /// fields our manager owns plus identity; `Err`: it could not be read.
    pub state: Result<Option<Value>, ObjectError>,
}

impl Cluster {
    /// Reads each referenced object and reduces it to the fields this cluster's field manager
    /// owns (see [`fields::owned_by`]). At most `concurrency` reads are in flight.
    pub async fn read_owned(
        &self,
        references: &[ObjectIdentity],
        concurrency: usize,
    ) -> Vec<LiveObject> {
        self.read_live(references, concurrency)
            .await
            .into_iter()
            .map(|live| LiveObject {
                state: live
                    .state
                    .map(|o| o.map(|o| fields::owned_by(&o, self.field_manager()))),
                reference: live.reference,
            })
            .collect()
    }

    /// Reads each referenced object whole (including `managedFields` and `status`).
    pub async fn read_live(
        &self,
        references: &[ObjectIdentity],
        concurrency: usize,
    ) -> Vec<LiveObject> {
        // Owned references: a closure over borrowed items makes the future lose `Send` under
        // higher-ranked lifetimes when callers spawn it.
        futures::stream::iter(references.iter().cloned())
            .map(|reference| async move {
                let state = self.get(&reference).await;
                LiveObject { reference, state }
            })
            .buffered(concurrency.max(1))
            .collect()
            .await
    }

    /// Every object of `api_version`/`kind` (in `namespace`, or all namespaces / cluster-wide
    /// when `None`) matching the label `selector`, whole. An unserved kind lists nothing.
    /// One request (e.g. the hub's ManagedClusters for the cluster inventory).
    pub async fn list(
        &self,
        api_version: &str,
        kind: &str,
        namespace: Option<&str>,
        selector: Option<&str>,
    ) -> Result<Vec<Value>, ObjectError> {
        let probe = ObjectIdentity::new(api_version, kind, namespace, "*");
        let resolved = match self.resolve(&probe).await {
            Ok(r) => r,
            Err(ObjectError::UnknownKind { .. }) => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        let api: kube::Api<kube::api::DynamicObject> = match namespace {
            Some(ns) if resolved.namespaced => {
                kube::Api::namespaced_with(self.client().clone(), ns, &resolved.resource)
            }
            _ => kube::Api::all_with(self.client().clone(), &resolved.resource),
        };
        let mut params = kube::api::ListParams::default();
        if let Some(selector) = selector {
            params = params.labels(selector);
        }
        let list = api.list(&params).await.map_err(|e| self.error(&probe, e))?;
        list.items
            .into_iter()
            .map(|mut item| {
                // List items carry no apiVersion/kind of their own.
                if item.types.is_none() {
                    item.types = Some(kube::core::TypeMeta {
                        api_version: api_version.to_string(),
                        kind: kind.to_string(),
                    });
                }
                serde_json::to_value(item).map_err(|e| ObjectError::Internal {
                    reference: Box::new(probe.clone()),
                    message: e.to_string(),
                })
            })
            .collect()
    }

    /// One live object, `None` when it or its kind does not exist.
    pub async fn get(&self, reference: &ObjectIdentity) -> Result<Option<Value>, ObjectError> {
        let resolved = match self.resolve(reference).await {
            Ok(r) => r,
            Err(ObjectError::UnknownKind { .. }) => return Ok(None),
            Err(e) => return Err(e),
        };
        match self
            .api_for(&resolved, reference)
            .get_opt(&reference.name)
            .await
        {
            Ok(Some(object)) => {
                serde_json::to_value(object)
                    .map(Some)
                    .map_err(|e| ObjectError::Internal {
                        reference: Box::new(reference.clone()),
                        message: e.to_string(),
                    })
            }
            Ok(None) => Ok(None),
            Err(e) => Err(self.error(reference, e)),
        }
    }
}
