//! `clusternet_subscription`: which clusters get which feeds. Its plan renders, per cluster,
//! exactly what Clusternet would (bound clusters, replica split, overrides), and shows the
//! result as `descriptions`; its apply deploys that to the clusters.
//!
//! The rendering is a pure function of the configuration, the feeds and overrides passed by
//! value, and the provider's cluster inventory (DESIGN.md §5), so the plan made during apply
//! is the plan made before it.
//!
//! One file per call: [`config`] decodes Terraform's value once into Clusternet's types,
//! [`render`] renders, [`plan`], [`apply`] (and [`apply_clusternet`] for deployer =
//! "clusternet"), [`read`] and [`import`] answer Terraform; the escape hatches of how apply
//! treats the clusters (ignored fields, field manager, timeouts) are
//! [`crate::apply_options`]; [`state`] reads and writes the preview entries in state, and
//! [`upgrade`] moves states of older schema versions forward.

mod apply;
mod apply_clusternet;
mod config;
mod dynamic;
mod import;
mod markers;
mod no_effect;
pub(crate) mod override_failures;
mod plan;
mod read;
pub(crate) mod render;
mod rollout;
mod schema;
mod state;
mod upgrade;

use std::sync::Arc;

use clusternet_tfplugin::provider::{
    ApplyRequest, ApplyResponse, PlanRequest, PlanResponse, ReadRequest, ReadResponse,
};
use clusternet_tfplugin::{Diagnostic, Diagnostics, Schema, Value};

use crate::attrs::{self, Field};
use crate::config::ProviderConfig;
use crate::context::Context;
use crate::override_handles::{self, KnownOverrides, Sources};
use crate::registry::{self, Fut, Resource};

pub use import::imported_state;
pub(crate) use markers::SecretMarkers;
pub use plan::plan;
pub(crate) use render::{managed_cluster, summarise};
pub use schema::schema;

/// Type name.
pub const TYPE_NAME: &str = "clusternet_subscription";

/// Offline checks.
pub fn validate(config: &Value) -> Diagnostics {
    let mut diags = Diagnostics::new();
    config::SubscriptionConfig::decode(config, &mut diags);
    diags
}

/// The rendering an apply deploys: the (wholly known) configuration rendered with the planned
/// marker key - made now if the plan left it unknown (ADR 0008) - and the charts' templated
/// objects as planned (templated again only for entries the plan left unknown, those showing
/// Secret values under a key made now). `Ok(None)`: the configuration is still unknown (a
/// bug).
async fn render_for_apply(
    req: &clusternet_tfplugin::provider::ApplyRequest,
    inventory: &ProviderConfig,
    with_hub: bool,
    known: &KnownOverrides,
) -> Result<Option<ForApply>, Diagnostics> {
    use clusternet_model::preview::PreviewKey;
    let (markers, key) = match attrs::string(&req.planned_state, markers::KEY_ATTRIBUTE) {
        Field::Known(key) => (SecretMarkers::Keyed(key.clone()), Value::from(key)),
        Field::Unknown => match markers::new_key() {
            Ok(key) => (SecretMarkers::Keyed(key.clone()), Value::from(key)),
            Err(e) => {
                return Err(Diagnostic::error(
                    "No key for the Secret markers",
                    format!("{e}; nothing was deployed."),
                )
                .into());
            }
        },
        Field::Null => (SecretMarkers::Unkeyed, Value::Null),
    };
    let mut diags = Diagnostics::new();
    let decoded = config::SubscriptionConfig::decode(&req.config, &mut diags);
    if diags.has_errors() {
        return Err(diags);
    }
    let Some(mut decoded) = decoded else {
        return Ok(None);
    };
    decoded.current = dynamic::CurrentDivision::of_state(&req.prior_state);
    let sources = Sources {
        known,
        recorded: override_handles::recorded(&req.planned_private),
        snapshot: inventory.snapshot.as_deref(),
    };
    let overrides = decoded.override_objects(&sources)?;
    let Some(mut rendered) = render::render(&decoded, &overrides, inventory, with_hub, &markers)?
    else {
        return Ok(None);
    };
    let is_templated = |k: &String| k.parse::<PreviewKey>().is_ok_and(|k| k.is_templated());
    let planned_templated: std::collections::BTreeMap<String, Value> =
        state::descriptions_of(&req.planned_state)
            .into_iter()
            .filter(|(k, _)| is_templated(k))
            .collect();
    if planned_templated.values().any(|v| !v.is_known()) {
        let diags = render::template_charts(&decoded, inventory, &mut rendered, &markers).await;
        if diags.has_errors() {
            return Err(diags);
        }
    }
    rendered
        .descriptions
        .retain(|k, _| !is_templated(k) || planned_templated.contains_key(k));
    rendered.descriptions.extend(
        planned_templated
            .iter()
            .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string()))),
    );
    Ok(Some(ForApply {
        config: decoded,
        rendered,
        marker_key: key,
    }))
}

/// What an apply works from.
struct ForApply {
    /// The configuration, decoded.
    config: config::SubscriptionConfig,
    /// Its rendering, as planned.
    rendered: render::Rendered,
    /// The value of `secret_marker_key` for the new state.
    marker_key: Value,
}

/// The inventory a subscription of `config` renders with: with the clusters' capacity when it
/// divides dynamically (ADR 0029).
async fn inventory(ctx: &Context, config: &Value) -> Result<Arc<ProviderConfig>, Diagnostics> {
    if config::divides_dynamically(config) {
        ctx.inventory_with_capacity().await
    } else {
        ctx.inventory().await
    }
}

/// `clusternet_subscription`.
pub struct Subscription;

impl Resource for Subscription {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        validate(config)
    }

    fn plan<'a>(&'a self, ctx: &'a Context, req: PlanRequest) -> Fut<'a, PlanResponse> {
        Box::pin(async move {
            match inventory(ctx, &req.config).await {
                Ok(inventory) => plan(req, &inventory, ctx.pending(), ctx.known_overrides()).await,
                Err(diagnostics) => PlanResponse::null(diagnostics),
            }
        })
    }

    fn apply<'a>(&'a self, ctx: &'a Context, req: ApplyRequest) -> Fut<'a, ApplyResponse> {
        Box::pin(async move {
            // The snapshot and the capacity are taken here at the latest, before anything is
            // written.
            match ctx.inventory_for_write().await {
                Ok(inventory) => {
                    let planned_private = req.planned_private.clone();
                    let mut response = apply::apply(req, &inventory, ctx.known_overrides()).await;
                    // What it renders with now, also when the apply failed and keeps the
                    // prior state: an apply-time plan finds the objects there (ADR 0030).
                    if !response.new_state.is_null() {
                        response.private = planned_private;
                    }
                    response
                }
                Err(diagnostics) => registry::apply_refused(req, diagnostics),
            }
        })
    }

    fn upgrade_state(&self, version: i64, state: Value) -> Value {
        upgrade::upgrade(version, state)
    }

    fn read<'a>(&'a self, ctx: &'a Context, req: ReadRequest) -> Fut<'a, ReadResponse> {
        Box::pin(async move {
            match ctx.inventory().await {
                Ok(inventory) => {
                    let mut response = read::read(req, &inventory).await;
                    response.private = override_handles::refreshed(
                        &response.private,
                        &response.new_state,
                        ctx.known_overrides(),
                    );
                    response
                }
                Err(diagnostics) => registry::read_refused(req, diagnostics),
            }
        })
    }
}

/// The error of an apply whose configuration is still unknown (Terraform guarantees it is
/// known; this is a bug).
fn still_unknown() -> Diagnostic {
    Diagnostic::error(
        "Subscription still unknown at apply",
        "Some input of this subscription is unknown during apply; this is a bug.",
    )
}
