//! `clusternet_localization` (one cluster) and `clusternet_globalization` (all clusters, or a
//! labelled group): override objects. Each exports `ref`, a handle to the Clusternet object
//! (`Localization/<namespace>/<name>`, `Globalization/<name>`), which subscriptions take in
//! `overrides`; the object reaches them through the provider process (ADR 0030).

mod apply;
mod config;
mod import;
mod plan;
mod schema;

use clusternet_model::identity::{InvalidKey, ObjectIdentity};
use clusternet_tfplugin::provider::{
    ApplyRequest, ApplyResponse, PlanRequest, PlanResponse, ReadRequest, ReadResponse,
};
use clusternet_tfplugin::{Diagnostic, Diagnostics, Schema, Value};
use serde_json::Value as Json;

use super::feed::NoIdentity;
use crate::context::Context;
use crate::diagnostics::ToDiagnostic;
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

/// Why an override's `feed` names no feed.
#[derive(Debug, thiserror::Error)]
pub enum FeedReferenceError {
    /// It starts like a feed value, and is not JSON.
    #[error("the feed value is not JSON: {0}")]
    NotJson(serde_json::Error),
    /// A feed value without an identity.
    #[error(transparent)]
    NoIdentity(#[from] NoIdentity),
    /// Not a feed key.
    #[error(transparent)]
    NotAKey(#[from] InvalidKey),
    /// A name, namespace, group or kind Kubernetes would reject.
    #[error("{0}; Kubernetes would reject the object")]
    InvalidName(#[from] clusternet_model::names::InvalidIdentity),
}

impl ToDiagnostic for FeedReferenceError {
    fn to_diagnostic(&self) -> Diagnostic {
        Diagnostic::error("Invalid feed", self.to_string())
    }
}

/// Reads a feed reference: a feed value (JSON object) or a feed key.
pub fn parse_feed_reference(text: &str) -> Result<ObjectIdentity, FeedReferenceError> {
    let identity = parse_feed_identity(text)?;
    clusternet_model::names::check_identity(&identity)?;
    Ok(identity)
}

fn parse_feed_identity(text: &str) -> Result<ObjectIdentity, FeedReferenceError> {
    if text.trim_start().starts_with('{') {
        let object: Json =
            clusternet_model::json::parse(text).map_err(FeedReferenceError::NotJson)?;
        Ok(super::feed::identity_of(&object)?)
    } else {
        Ok(text.trim().parse::<ObjectIdentity>()?)
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

    fn upgrade_state(&self, version: i64, state: Value) -> Value {
        schema::upgrade(version, state)
    }

    fn plan<'a>(&'a self, ctx: &'a Context, req: PlanRequest) -> Fut<'a, PlanResponse> {
        Box::pin(async move {
            match registry::inventory_or(ctx, PlanResponse::null).await {
                Ok(inventory) => plan(req, &inventory, ctx.pending(), ctx.known_overrides()),
                Err(response) => response,
            }
        })
    }

    fn apply<'a>(&'a self, ctx: &'a Context, req: ApplyRequest) -> Fut<'a, ApplyResponse> {
        Box::pin(async move {
            // The snapshot and the capacity are taken here at the latest, before anything is
            // written.
            match ctx.inventory_for_write().await {
                Ok(inventory) => apply::apply(req, &inventory, ctx.known_overrides()).await,
                Err(diagnostics) => registry::apply_refused(req, diagnostics),
            }
        })
    }

    fn read<'a>(&'a self, ctx: &'a Context, req: ReadRequest) -> Fut<'a, ReadResponse> {
        Box::pin(async move {
            match ctx.inventory().await {
                Ok(_) => read(req),
                Err(diagnostics) => registry::read_refused(req, diagnostics),
            }
        })
    }
}
