//! ApplyResourceChange with deployer = "clusternet": the hub gets the Subscription and its
//! feeds, Clusternet's controllers render and deploy.

use clusternet_tfplugin::provider::{ApplyRequest, ApplyResponse};
use clusternet_tfplugin::{Diagnostic, Diagnostics, Value};

use super::markers::KEY_ATTRIBUTE;
use super::plan::computed_state;
use super::state::matches_plan;
use crate::attrs;
use crate::config::ProviderConfig;
use crate::override_handles::KnownOverrides;

/// deployer = "clusternet": the Subscription and its feeds passed by value go to the hub
/// and Clusternet's controllers render and deploy; nothing is written to the children, and
/// the planned `descriptions` are the provider's prediction of what Clusternet renders.
/// Destroy removes the Subscription and the Manifests no other Subscription uses. A hub
/// failure keeps the prior state, so the next apply retries.
pub async fn apply(
    req: ApplyRequest,
    inventory: &ProviderConfig,
    known: &KnownOverrides,
) -> ApplyResponse {
    let respond = |new_state: Value, diagnostics: Diagnostics| ApplyResponse {
        new_state,
        private: Vec::new(),
        diagnostics,
    };
    let Some(hub) = &inventory.hub else {
        let diagnostics = Diagnostic::error(
            "The clusternet deployer needs a hub",
            "deployer = \"clusternet\" writes to the hub; configure `hub`.",
        )
        .into();
        return respond(req.prior_state, diagnostics);
    };
    if req.planned_state.is_null() {
        let id = attrs::string(&req.prior_state, "id")
            .known()
            .unwrap_or_default();
        let Some((ns, name)) = id.split_once('/') else {
            return respond(Value::Null, Diagnostics::new());
        };
        let diagnostics = crate::hub::remove_subscription(hub, ns, name, &[]).await;
        let new_state = if diagnostics.has_errors() {
            req.prior_state
        } else {
            Value::Null
        };
        return respond(new_state, diagnostics);
    }
    let super::ForApply {
        rendered,
        marker_key: key,
        ..
    } = match super::render_for_apply(&req, inventory, true, known).await {
        Ok(Some(r)) => r,
        Ok(None) => {
            let diagnostics = super::still_unknown().into();
            return respond(req.prior_state, diagnostics);
        }
        Err(d) => return respond(req.prior_state, d),
    };
    let mut planned = computed_state(&req.planned_state, Some(&rendered), &req.prior_state);
    if !matches_plan(&req.planned_state, &planned) {
        let diagnostics = Diagnostic::error(
            "Rendering changed between plan and apply",
            "The subscription rendered differently during apply than in the plan; nothing was \
             written. Run terraform plan again.",
        )
        .into();
        return respond(req.prior_state, diagnostics);
    }
    if let Value::Object(entries) = &mut planned {
        entries.insert(KEY_ATTRIBUTE.into(), key);
    }
    let mut diagnostics = match &rendered.hub {
        Some(objects) => crate::hub::apply_user_objects(hub, objects).await,
        None => Diagnostics::new(),
    };
    if diagnostics.has_errors() {
        return respond(req.prior_state, diagnostics);
    }
    if let (Some(timeout), Some(objects)) = (inventory.verify_timeout, &rendered.hub) {
        let clusters = inventory
            .clusters
            .values()
            .map(|c| (c.namespace.clone(), c.name.clone()))
            .collect();
        diagnostics.extend(
            crate::rendering_check::verify(
                hub,
                &objects.namespace,
                &objects.name,
                &objects.descriptions,
                &clusters,
                timeout,
            )
            .await,
        );
    }
    respond(planned, diagnostics)
}
