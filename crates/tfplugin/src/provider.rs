//! The interface a provider implements: typed values in, typed values and diagnostics out.
//!
//! The gRPC adapter ([`crate::grpc`]) decodes every DynamicValue with the schema's type before
//! calling these methods and encodes the results, so implementations never see msgpack.

use std::future::Future;

use crate::diagnostics::Diagnostics;
use crate::function::FunctionError;
use crate::schema::ProviderSchemas;
use crate::value::{AttributePath, Value};

/// PlanResourceChange, decoded.
#[derive(Debug, Clone)]
pub struct PlanRequest {
    /// Resource type.
    pub type_name: String,
    /// State before the change; null for a create.
    pub prior_state: Value,
    /// Terraform's merge of configuration and prior state; null for a destroy.
    pub proposed_new_state: Value,
    /// The configuration as written (may hold unknowns).
    pub config: Value,
    /// Private data stored with the prior state.
    pub prior_private: Vec<u8>,
}

/// The answer to a [`PlanRequest`].
#[derive(Debug, Clone)]
pub struct PlanResponse {
    /// What the provider will produce (unknown where it cannot tell yet).
    pub planned_state: Value,
    /// Attributes whose change forces replacement.
    pub requires_replace: Vec<AttributePath>,
    /// Private data handed to apply.
    pub planned_private: Vec<u8>,
    /// Problems found.
    pub diagnostics: Diagnostics,
}

impl PlanResponse {
    /// A null plan carrying `diagnostics`: what to answer when there is nothing to plan (a
    /// destroy) or planning failed.
    pub fn null(diagnostics: Diagnostics) -> Self {
        PlanResponse {
            planned_state: Value::Null,
            requires_replace: Vec::new(),
            planned_private: Vec::new(),
            diagnostics,
        }
    }
}

/// ApplyResourceChange, decoded.
#[derive(Debug, Clone)]
pub struct ApplyRequest {
    /// Resource type.
    pub type_name: String,
    /// State before the change; null for a create.
    pub prior_state: Value,
    /// The planned state; null for a destroy.
    pub planned_state: Value,
    /// The configuration (wholly known at apply).
    pub config: Value,
    /// Private data from the plan.
    pub planned_private: Vec<u8>,
}

/// The answer to an [`ApplyRequest`].
#[derive(Debug, Clone)]
pub struct ApplyResponse {
    /// The resulting state (null after a destroy). Must agree with every known planned value.
    pub new_state: Value,
    /// Private data to store.
    pub private: Vec<u8>,
    /// Problems found. With errors, a non-null state is still saved: partial work is kept.
    pub diagnostics: Diagnostics,
}

/// ReadResource, decoded.
#[derive(Debug, Clone)]
pub struct ReadRequest {
    /// Resource type.
    pub type_name: String,
    /// The state Terraform holds.
    pub current_state: Value,
    /// Private data stored with it.
    pub private: Vec<u8>,
}

/// The answer to a [`ReadRequest`].
#[derive(Debug, Clone)]
pub struct ReadResponse {
    /// Live state; null when the object is gone.
    pub new_state: Value,
    /// Private data to store.
    pub private: Vec<u8>,
    /// Problems found.
    pub diagnostics: Diagnostics,
}

/// One resource produced by an import.
#[derive(Debug, Clone)]
pub struct ImportedResource {
    /// Resource type.
    pub type_name: String,
    /// Partial state; Terraform reads it next.
    pub state: Value,
    /// Private data.
    pub private: Vec<u8>,
}

/// A Terraform provider: schemas plus the operations on them.
///
/// One process serves one provider configuration for one Terraform walk, so implementations
/// keep configuration in interior state set by [`Provider::configure`].
pub trait Provider: Send + Sync + 'static {
    /// Every schema served.
    fn schemas(&self) -> &ProviderSchemas;

    /// Checks the provider block offline; values may be unknown.
    fn validate_provider_config(&self, config: &Value) -> Diagnostics;

    /// Configures the provider; values may be unknown at plan time.
    fn configure(
        &self,
        config: Value,
        terraform_version: String,
    ) -> impl Future<Output = Diagnostics> + Send;

    /// Checks a resource block offline; values may be unknown.
    fn validate_resource_config(&self, type_name: &str, config: &Value) -> Diagnostics;

    /// Checks a data source block offline; values may be unknown.
    fn validate_data_source_config(&self, type_name: &str, config: &Value) -> Diagnostics;

    /// Reads a data source; the result must be wholly known.
    fn read_data_source(
        &self,
        type_name: &str,
        config: Value,
    ) -> impl Future<Output = (Value, Diagnostics)> + Send;

    /// Plans a create, update or destroy.
    fn plan_resource_change(&self, req: PlanRequest) -> impl Future<Output = PlanResponse> + Send;

    /// Carries out a planned change.
    fn apply_resource_change(
        &self,
        req: ApplyRequest,
    ) -> impl Future<Output = ApplyResponse> + Send;

    /// Refreshes a resource from the live system.
    fn read_resource(&self, req: ReadRequest) -> impl Future<Output = ReadResponse> + Send;

    /// Turns an import id into partial states.
    fn import_resource_state(
        &self,
        type_name: &str,
        id: &str,
    ) -> impl Future<Output = (Vec<ImportedResource>, Diagnostics)> + Send;

    /// Upgrades a state decoded with the current schema from schema `version`. The default
    /// keeps it as is (every schema so far is version 0).
    fn upgrade_resource_state(
        &self,
        _type_name: &str,
        _version: i64,
        state: Value,
    ) -> (Value, Diagnostics) {
        (state, Diagnostics::new())
    }

    /// Calls the function `name` (one of [`ProviderSchemas::functions`]) with its arguments,
    /// each decoded with its parameter's type. Terraform may call it on a provider that was
    /// never configured, so a function must compute from its arguments alone. The default
    /// knows no function.
    fn call_function(&self, name: &str, _arguments: Vec<Value>) -> Result<Value, FunctionError> {
        Err(FunctionError::call(format!(
            "This provider defines no function {name:?}."
        )))
    }

    /// Ctrl-C: cancel in-flight work and return quickly.
    fn stop(&self) {}
}
