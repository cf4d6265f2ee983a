//! Writing an object's `status` through its status subresource (e.g. a Subscription's
//! bindingClusters on the hub): a plain apply of the object ignores `status` when the kind
//! serves it as a subresource.

use kube::api::{DynamicObject, Patch, PatchParams};
use serde_json::{Value, json};

use crate::cluster::Cluster;
use crate::error::ObjectError;
use clusternet_model::identity::ObjectIdentity;

impl Cluster {
    /// Server-side applies `status` of the object `reference` with this cluster's field
    /// manager, forced (the status is ours to set). `Ok(false)`: the kind or the object has
    /// no status subresource, nothing was written.
    pub async fn apply_status(
        &self,
        reference: &ObjectIdentity,
        status: &Value,
    ) -> Result<bool, ObjectError> {
        let resolved = self.resolve(reference).await?;
        let mut metadata = json!({"name": reference.name});
        if let Some(namespace) = &reference.namespace {
            metadata["namespace"] = Value::String(namespace.clone());
        }
        let body = json!({
            "apiVersion": reference.api_version,
            "kind": reference.kind,
            "metadata": metadata,
            "status": status,
        });
        let params = PatchParams::apply(self.field_manager()).force();
        match self
            .api_for(&resolved, reference)
            .patch_status(&reference.name, &params, &Patch::Apply(&body))
            .await
        {
            Ok(DynamicObject { .. }) => Ok(true),
            Err(kube::Error::Api(status)) if status.code == 404 => Ok(false),
            Err(e) => Err(self.error(reference, e)),
        }
    }
}
