//! Reading back live objects, reduced to the fields our field manager owns, so the provider
//! can compare them with what it planned.

use futures::StreamExt;
use serde_json::Value;

use crate::cluster::Cluster;
use crate::error::ObjectError;
use crate::fields;
use crate::reference::ObjectRef;

/// One object as the cluster has it now.
#[derive(Debug, Clone)]
pub struct LiveObject {
    /// The object asked for.
    pub reference: ObjectRef,
    /// `Ok(None)`: it is gone (or its kind is no longer served); `Ok(Some(object))`: the
    /// fields our manager owns plus identity; `Err`: it could not be read.
    pub state: Result<Option<Value>, ObjectError>,
}

impl Cluster {
    /// Reads each referenced object and reduces it to the fields this cluster's field manager
    /// owns (see [`fields::owned_by`]). At most `concurrency` reads are in flight.
    pub async fn read_owned(
        &self,
        references: &[ObjectRef],
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
    pub async fn read_live(&self, references: &[ObjectRef], concurrency: usize) -> Vec<LiveObject> {
        futures::stream::iter(references)
            .map(|reference| async move {
                LiveObject {
                    reference: reference.clone(),
                    state: self.get(reference).await,
                }
            })
            .buffered(concurrency.max(1))
            .collect()
            .await
    }

    /// One live object, `None` when it or its kind does not exist.
    pub async fn get(&self, reference: &ObjectRef) -> Result<Option<Value>, ObjectError> {
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
