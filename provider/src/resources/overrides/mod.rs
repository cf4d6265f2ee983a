//! `clusternet_localization` (one cluster) and `clusternet_globalization` (all clusters, or a
//! labelled group): override objects. Each exports `ref`, the Clusternet object as JSON, which
//! subscriptions take by value in `overrides`.

mod apply;
mod config;
mod import;
mod plan;
mod schema;

use clusternet_model::identity::ObjectIdentity;
use clusternet_tfplugin::provider::{
    ApplyRequest, ApplyResponse, PlanRequest, PlanResponse, ReadRequest, ReadResponse,
};
use clusternet_tfplugin::{Diagnostics, Schema, Value};
use serde_json::Value as Json;

use crate::context::Context;
use crate::registry::{self, Fut, Resource};

pub use import::imported_state;
pub use plan::plan;
pub use schema::schema;

/// Type name of Localizations.
pub const LOCALIZATION: &str = "clusternet_localization";

/// Type name of Globalizations.
pub const GLOBALIZATION: &str = "clusternet_globalization";

/// Clusternet's default override priority.
pub const DEFAULT_PRIORITY: i64 = 500;

/// Clusternet's default override policy.
pub const DEFAULT_POLICY: &str = "ApplyLater";

const OVERRIDE_TYPES: [&str; 5] = [
    "Helm",
    "JSONPatch",
    "MergePatch",
    "FieldJSONPatch",
    "FieldMergePatch",
];

/// Reads a feed reference: a feed value (JSON object) or a feed key.
pub fn parse_feed_reference(text: &str) -> Result<ObjectIdentity, String> {
    let identity = parse_feed_identity(text)?;
    super::feed::check_names(&identity)?;
    Ok(identity)
}

fn parse_feed_identity(text: &str) -> Result<ObjectIdentity, String> {
    if text.trim_start().starts_with('{') {
        let object: Json = clusternet_model::json::parse(text)
            .map_err(|e| format!("the feed value is not JSON: {e}"))?;
        super::feed::identity_of(&object)
    } else {
        text.trim()
            .parse::<ObjectIdentity>()
            .map_err(|e| e.to_string())
    }
}

/// Offline checks (the cluster is checked at plan, against the configured inventory).
pub fn validate(type_name: &str, config: &Value) -> Diagnostics {
    match config::build(type_name, config, None) {
        Err(diags) => diags,
        Ok(_) => Diagnostics::new(),
    }
}

/// Reads: unchanged in the embedded mode.
pub fn read(req: ReadRequest) -> ReadResponse {
    ReadResponse {
        new_state: req.current_state,
        private: req.private,
        diagnostics: Diagnostics::new(),
    }
}

/// `clusternet_localization` and `clusternet_globalization`: they share everything but the
/// clusters they select.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Override {
    /// One cluster's override.
    Localization,
    /// All clusters', or a labelled group's.
    Globalization,
}

impl Resource for Override {
    fn type_name(&self) -> &'static str {
        match self {
            Override::Localization => LOCALIZATION,
            Override::Globalization => GLOBALIZATION,
        }
    }

    fn schema(&self) -> Schema {
        schema(self.type_name())
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        validate(self.type_name(), config)
    }

    fn plan<'a>(&'a self, ctx: &'a Context, req: PlanRequest) -> Fut<'a, PlanResponse> {
        Box::pin(async move {
            match registry::inventory_or(ctx, PlanResponse::null).await {
                Ok(inventory) => plan(req, &inventory, ctx.pending()),
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
                Ok(_) => read(req),
                Err(diagnostics) => ReadResponse {
                    new_state: req.current_state,
                    private: req.private,
                    diagnostics,
                },
            }
        })
    }
}
