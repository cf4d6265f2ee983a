//! PlanResourceChange: `id`, `ref` and the defaults, and the next-apply warning for
//! subscriptions that do not pass a changed override.

use std::sync::Mutex;

use clusternet_tfplugin::provider::{PlanRequest, PlanResponse};
use clusternet_tfplugin::{AttributePath, Diagnostics, Value};
use serde_json::Value as Json;

use super::config::build;
use super::{DEFAULT_POLICY, DEFAULT_PRIORITY, LOCALIZATION, parse_feed_reference};
use crate::attrs;
use crate::config::ProviderConfig;
use crate::override_handles::KnownOverrides;
use crate::pending_overrides::{self, ChangedOverride, PendingOverrides};
use crate::snapshot::OverrideId;

/// `base` with the computed attributes (`id`, `ref`, a Localization's `namespace`, and the
/// defaults of `priority` and `override_policy`) derived from `config`, and the override
/// object Clusternet would hold: the one function behind plan, apply and import. Unknown
/// inputs make them unknown (and no object).
pub(super) fn with_computed(
    type_name: &str,
    base: &Value,
    config: &Value,
    inventory: &ProviderConfig,
) -> Result<(Value, Option<Json>), Diagnostics> {
    let mut entries = base.as_entries().cloned().unwrap_or_default();
    let localization = type_name == LOCALIZATION;
    // Computed only to hold the default: unset in configuration means the default, never the
    // prior value.
    if !attrs::string(config, "override_policy").is_set() {
        entries.insert("override_policy".into(), DEFAULT_POLICY.into());
    }
    if !attrs::integer(config, "priority").is_set() {
        entries.insert("priority".into(), Value::from(DEFAULT_PRIORITY));
    }
    let built = build(type_name, config, Some(inventory))?;
    match &built {
        Some((id, object)) => {
            let handle = OverrideId::of(object).map(|id| id.handle());
            entries.insert("id".into(), id.clone().into());
            entries.insert(
                "ref".into(),
                handle.map_or_else(Value::unknown, Value::from),
            );
            if localization {
                let ns = object["metadata"]["namespace"].as_str().unwrap_or_default();
                entries.insert("namespace".into(), ns.into());
            }
        }
        None => {
            entries.insert("id".into(), Value::unknown());
            entries.insert("ref".into(), Value::unknown());
            if localization {
                entries.insert("namespace".into(), Value::unknown());
            }
        }
    }
    Ok((Value::Object(entries), built.map(|(_, object)| object)))
}

/// Records an override this plan creates or changes (any of its attributes differs from the
/// prior state); with a hub, warns for the subscriptions planned earlier in this process
/// that do not pass it.
pub(super) fn note_change(
    req: &PlanRequest,
    planned: &Value,
    object: Option<&Json>,
    inventory: &ProviderConfig,
    pending: &Mutex<PendingOverrides>,
) -> Diagnostics {
    let mut diags = Diagnostics::new();
    if inventory.hub.is_none() || planned == &req.prior_state {
        return diags;
    }
    let feed = parse_feed_reference(
        &attrs::string(&req.config, "feed")
            .known()
            .unwrap_or_default(),
    );
    let (Some(id), Ok(feed)) = (object.and_then(OverrideId::of), feed) else {
        return diags;
    };
    let missed = pending
        .lock()
        .expect("pending overrides lock")
        .override_changed(ChangedOverride {
            id: id.clone(),
            feed,
        });
    for subscription in missed {
        diags.extend(pending_overrides::warning(&id, &subscription, "feed"));
    }
    diags
}

/// Plans `id`, `namespace` and `ref`, and records the override object for the subscriptions
/// planned after it in this process.
pub fn plan(
    req: PlanRequest,
    inventory: &ProviderConfig,
    pending: &Mutex<PendingOverrides>,
    known: &KnownOverrides,
) -> PlanResponse {
    let mut response = PlanResponse::null(Diagnostics::new());
    if req.proposed_new_state.is_null() {
        return response;
    }
    let localization = req.type_name == LOCALIZATION;
    match with_computed(
        &req.type_name,
        &req.proposed_new_state,
        &req.config,
        inventory,
    ) {
        Ok((planned, object)) => {
            if let Some(object) = &object {
                known.record(object);
            }
            response.diagnostics = note_change(&req, &planned, object.as_ref(), inventory, pending);
            response.planned_state = planned;
        }
        Err(diags) => {
            response.diagnostics = diags;
            return response;
        }
    }
    // Another cluster means another namespace: another object.
    if localization && !req.prior_state.is_null() {
        response
            .requires_replace
            .push(AttributePath::root().attr("cluster"));
    }
    response
        .requires_replace
        .push(AttributePath::root().attr("name"));
    response
}
