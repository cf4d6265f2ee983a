//! ApplyResourceChange: the override written to the hub, when there is one.

use clusternet_tfplugin::provider::{ApplyRequest, ApplyResponse};
use clusternet_tfplugin::{Diagnostics, Value};
use serde_json::Value as Json;

use crate::attrs;
use crate::config::ProviderConfig;

/// Applies: the override lives in state, and on the hub when one is configured (with
/// either deployer); destroy removes it from the hub. A hub failure is an error and
/// keeps the prior state, so the next apply retries.
pub async fn apply(req: ApplyRequest, inventory: &ProviderConfig) -> ApplyResponse {
    let Some(hub) = crate::hub::override_target(inventory) else {
        return ApplyResponse {
            new_state: req.planned_state,
            private: req.planned_private,
            diagnostics: Diagnostics::new(),
        };
    };
    let object_of = |state: &Value| {
        attrs::string(state, "ref")
            .known()
            .and_then(|text| clusternet_model::json::parse(&text).ok())
    };
    let prior = object_of(&req.prior_state);
    let planned = object_of(&req.planned_state);
    let mut diagnostics = Diagnostics::new();
    if let Some(object) = &planned {
        diagnostics.extend(crate::hub::apply_override(hub, object).await);
    }
    // Destroy, or a replacement under another identity: remove the old object.
    let identity = |o: &Json| {
        (
            o["metadata"]["namespace"].clone(),
            o["metadata"]["name"].clone(),
        )
    };
    if !diagnostics.has_errors()
        && let Some(old) = &prior
        && planned.as_ref().map(identity) != Some(identity(old))
    {
        diagnostics.extend(crate::hub::remove_override(hub, old).await);
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
