//! The resource layer: every managed resource implements [`Resource`], every data source
//! [`DataSource`], and [`Registry`] maps Terraform's type names to them, so that
//! [`crate::provider`] dispatches by lookup and a new resource is one entry in its list.
//!
//! Each implementation decodes Terraform's dynamic `Value` once, at the start of the call,
//! into its typed configuration, and answers with Terraform's values; what it computes lives
//! in `clusternet_model`, what it does to clusters in `clusternet_deploy`.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use clusternet_tfplugin::provider::{
    ApplyRequest, ApplyResponse, PlanRequest, PlanResponse, ReadRequest, ReadResponse,
};
use clusternet_tfplugin::{Diagnostic, Diagnostics, Schema, Value};

use crate::config::ProviderConfig;
use crate::context::Context;

/// A boxed future: what the traits' asynchronous methods return, so that they can be called
/// through `dyn`.
pub type Fut<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A managed resource type.
pub trait Resource: Send + Sync {
    /// Terraform's type name, e.g. `clusternet_subscription`.
    fn type_name(&self) -> &'static str;

    /// The schema.
    fn schema(&self) -> Schema;

    /// Offline checks of a configuration (values may be unknown).
    fn validate(&self, config: &Value) -> Diagnostics;

    /// PlanResourceChange.
    fn plan<'a>(&'a self, ctx: &'a Context, req: PlanRequest) -> Fut<'a, PlanResponse>;

    /// ApplyResourceChange.
    fn apply<'a>(&'a self, ctx: &'a Context, req: ApplyRequest) -> Fut<'a, ApplyResponse>;

    /// UpgradeResourceState: `state`, decoded with the current schema, written with schema
    /// `version`. The default keeps it (a schema still at version 0).
    fn upgrade_state(&self, _version: i64, state: Value) -> Value {
        state
    }

    /// ReadResource. The default: the state is what configuration and plan made it (feeds and
    /// overrides live in state).
    fn read<'a>(&'a self, _ctx: &'a Context, req: ReadRequest) -> Fut<'a, ReadResponse> {
        Box::pin(async move { unchanged(req) })
    }
}

/// A data source type.
pub trait DataSource: Send + Sync {
    /// Terraform's type name, e.g. `clusternet_clusters`.
    fn type_name(&self) -> &'static str;

    /// The schema.
    fn schema(&self) -> Schema;

    /// Offline checks of a configuration (values may be unknown).
    fn validate(&self, config: &Value) -> Diagnostics;

    /// ReadDataSource: the result must be wholly known.
    fn read<'a>(&'a self, ctx: &'a Context, config: Value) -> Fut<'a, (Value, Diagnostics)>;
}

/// A ReadResource answer that keeps the state as it is.
pub fn unchanged(req: ReadRequest) -> ReadResponse {
    ReadResponse {
        new_state: req.current_state,
        private: req.private,
        diagnostics: Diagnostics::new(),
    }
}

/// An ApplyResourceChange answer that makes the plan the state (nothing leaves the provider).
pub fn planned(req: ApplyRequest) -> ApplyResponse {
    ApplyResponse {
        new_state: req.planned_state,
        private: req.planned_private,
        diagnostics: Diagnostics::new(),
    }
}

/// The answer to an apply that cannot go ahead (no inventory, an unknown type): the prior
/// state kept, with why.
pub fn apply_refused(req: ApplyRequest, diagnostics: Diagnostics) -> ApplyResponse {
    ApplyResponse {
        new_state: req.prior_state,
        private: Vec::new(),
        diagnostics,
    }
}

/// The answer to a read that cannot go ahead: the state kept, with why.
pub fn read_refused(req: ReadRequest, diagnostics: Diagnostics) -> ReadResponse {
    ReadResponse {
        new_state: req.current_state,
        private: req.private,
        diagnostics,
    }
}

/// The inventory, or the answer to give when it cannot be had (made by `fail` from the
/// diagnostics that say why).
pub async fn inventory_or<T>(
    ctx: &Context,
    fail: impl FnOnce(Diagnostics) -> T,
) -> Result<Arc<ProviderConfig>, T> {
    ctx.inventory().await.map_err(fail)
}

/// Every resource and data source of the provider, by type name.
pub struct Registry {
    resources: BTreeMap<&'static str, Box<dyn Resource>>,
    data_sources: BTreeMap<&'static str, Box<dyn DataSource>>,
}

impl Registry {
    /// A registry of `resources` and `data_sources`, by their type names.
    pub fn new(
        resources: Vec<Box<dyn Resource>>,
        data_sources: Vec<Box<dyn DataSource>>,
    ) -> Registry {
        Registry {
            resources: resources.into_iter().map(|r| (r.type_name(), r)).collect(),
            data_sources: data_sources
                .into_iter()
                .map(|d| (d.type_name(), d))
                .collect(),
        }
    }

    /// The resource of `type_name`, or the diagnostic for a type this provider lacks.
    pub fn resource(&self, type_name: &str) -> Result<&dyn Resource, Diagnostics> {
        self.resources
            .get(type_name)
            .map(Box::as_ref)
            .ok_or_else(|| unsupported(type_name))
    }

    /// The data source of `type_name`, or the diagnostic for a type this provider lacks.
    pub fn data_source(&self, type_name: &str) -> Result<&dyn DataSource, Diagnostics> {
        self.data_sources
            .get(type_name)
            .map(Box::as_ref)
            .ok_or_else(|| unsupported(type_name))
    }

    /// Every resource, by type name.
    pub fn resources(&self) -> impl Iterator<Item = &dyn Resource> {
        self.resources.values().map(Box::as_ref)
    }

    /// Every data source, by type name.
    pub fn data_sources(&self) -> impl Iterator<Item = &dyn DataSource> {
        self.data_sources.values().map(Box::as_ref)
    }
}

fn unsupported(type_name: &str) -> Diagnostics {
    Diagnostic::error(
        format!("Unsupported type {type_name:?}"),
        "This provider version does not implement it.",
    )
    .into()
}
