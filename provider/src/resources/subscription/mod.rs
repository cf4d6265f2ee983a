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
//! "clusternet"), [`read`] and [`import`] answer Terraform; [`state`] reads and writes the
//! preview entries in state.

mod apply;
mod apply_clusternet;
mod config;
mod import;
mod no_effect;
mod plan;
mod read;
mod render;
mod schema;
mod state;

use clusternet_tfplugin::provider::{
    ApplyRequest, ApplyResponse, PlanRequest, PlanResponse, ReadRequest, ReadResponse,
};
use clusternet_tfplugin::{Diagnostic, Diagnostics, Schema, Value};

use crate::config::ProviderConfig;
use crate::context::Context;
use crate::registry::{self, Fut, Resource};

pub use import::imported_state;
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

/// Decodes the (wholly known) configuration of an apply and renders it.
fn decode_and_render(
    config: &Value,
    inventory: &ProviderConfig,
    with_hub: bool,
) -> Result<Option<render::Rendered>, Diagnostics> {
    let mut diags = Diagnostics::new();
    let decoded = config::SubscriptionConfig::decode(config, &mut diags);
    if diags.has_errors() {
        return Err(diags);
    }
    match decoded {
        Some(decoded) => render::render(&decoded, inventory, with_hub),
        None => Ok(None),
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
            match registry::inventory_or(ctx, PlanResponse::null).await {
                Ok(inventory) => plan(req, &inventory, ctx.pending()).await,
                Err(response) => response,
            }
        })
    }

    fn apply<'a>(&'a self, ctx: &'a Context, req: ApplyRequest) -> Fut<'a, ApplyResponse> {
        Box::pin(async move {
            // The snapshot is taken here at the latest, before anything is written to the hub.
            match ctx.inventory().await {
                Ok(inventory) => apply::apply(req, &inventory).await,
                Err(diagnostics) => ApplyResponse {
                    new_state: req.prior_state,
                    private: Vec::new(),
                    diagnostics,
                },
            }
        })
    }

    fn read<'a>(&'a self, ctx: &'a Context, req: ReadRequest) -> Fut<'a, ReadResponse> {
        Box::pin(async move {
            match ctx.inventory().await {
                Ok(inventory) => read::read(req, &inventory).await,
                Err(diagnostics) => ReadResponse {
                    new_state: req.current_state,
                    private: req.private,
                    diagnostics,
                },
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
