//! ApplyResourceChange: the override written to the hub, when there is one, and recorded for
//! the subscriptions applied after it in this process.

use clusternet_tfplugin::provider::{ApplyRequest, ApplyResponse};
use clusternet_tfplugin::{Diagnostics, Value};

use super::plan::with_computed;
use crate::attrs;
use crate::config::ProviderConfig;
use crate::override_handles::{KnownOverrides, OverrideRef};
use crate::snapshot::OverrideId;

/// Applies: the override lives in state, and on the hub when one is configured (with
/// either deployer); destroy removes it from the hub. A hub failure is an error and
/// keeps the prior state, so the next apply retries.
pub async fn apply(
    req: ApplyRequest,
    inventory: &ProviderConfig,
    known: &KnownOverrides,
) -> ApplyResponse {
    let planned = if req.planned_state.is_null() {
        None
    } else {
        match with_computed(&req.type_name, &req.planned_state, &req.config, inventory) {
            Ok((_, object)) => object,
            Err(diagnostics) => {
                return ApplyResponse {
                    new_state: req.prior_state,
                    private: req.planned_private,
                    diagnostics,
                };
            }
        }
    };
    if let Some(object) = &planned {
        known.record(object);
    }
    let Some(hub) = crate::hub::override_target(inventory) else {
        return ApplyResponse {
            new_state: req.planned_state,
            private: req.planned_private,
            diagnostics: Diagnostics::new(),
        };
    };
    let prior = prior_identity(&req.prior_state);
    let mut diagnostics = Diagnostics::new();
    if let Some(object) = &planned {
        diagnostics.extend(crate::hub::apply_override(hub, object).await);
    }
    // Destroy, or a replacement under another identity: remove the old object.
    if !diagnostics.has_errors()
        && let Some(old) = &prior
        && planned.as_ref().and_then(OverrideId::of).as_ref() != Some(old)
    {
        diagnostics.extend(crate::hub::remove_override(hub, &old.reference_object()).await);
    }
    let new_state = if diagnostics.has_errors() {
        req.prior_state
    } else {
        req.planned_state
    };
    ApplyResponse {
        new_state,
        private: req.planned_private,
        diagnostics,
    }
}

/// The override a state holds: its `ref`, a handle (or, in a state from before handles,
/// the object as JSON).
fn prior_identity(state: &Value) -> Option<OverrideId> {
    OverrideRef::parse(&attrs::string(state, "ref").known()?)
        .ok()?
        .id()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value as Json, json};

    fn state(reference: &str) -> Value {
        Value::Object([("ref".to_string(), Value::from(reference))].into())
    }

    #[test]
    fn the_prior_override_is_read_from_a_handle_or_an_old_object() {
        let handle = "Localization/clusternet-c1/color";
        let old: Json = json!({"apiVersion": "apps.clusternet.io/v1alpha1",
            "kind": "Localization", "metadata": {"namespace": "clusternet-c1", "name": "color"}});
        assert_eq!(
            prior_identity(&state(handle)),
            OverrideId::from_handle(handle)
        );
        assert_eq!(
            prior_identity(&state(&old.to_string())),
            OverrideId::from_handle(handle)
        );
        assert_eq!(prior_identity(&Value::Null), None);
    }
}
