//! `ClusternetProvider`: Terraform's calls, dispatched through the [`Registry`] to the
//! resources and data sources.

use clusternet_tfplugin::provider::{
    ApplyRequest, ApplyResponse, ImportedResource, PlanRequest, PlanResponse, ReadRequest,
    ReadResponse,
};
use clusternet_tfplugin::{Diagnostics, FunctionError, Provider, ProviderSchemas, Value};

use crate::config;
use crate::context::Context;
use crate::data_sources;
use crate::functions::Functions;
use crate::registry::Registry;
use crate::resources::{helm_chart, manifest, manifests, overrides, subscription};

/// The provider's source address.
pub const PROVIDER_ADDRESS: &str = "registry.terraform.io/clusternet/clusternet";

/// The Clusternet provider.
pub struct ClusternetProvider {
    schemas: ProviderSchemas,
    registry: Registry,
    functions: Functions,
    context: Context,
}

impl Default for ClusternetProvider {
    fn default() -> Self {
        Self::new()
    }
}

impl ClusternetProvider {
    /// A provider not yet configured.
    pub fn new() -> Self {
        let registry = registry();
        let functions = Functions::new();
        ClusternetProvider {
            schemas: schemas_of(&registry, &functions),
            registry,
            functions,
            context: Context::default(),
        }
    }
}

/// Every resource and data source the provider serves.
fn registry() -> Registry {
    Registry::new(
        vec![
            Box::new(manifest::FeedResource::Manifest),
            Box::new(manifest::FeedResource::Secret),
            Box::new(manifests::Manifests),
            Box::new(helm_chart::HelmChart),
            Box::new(subscription::Subscription),
            Box::new(overrides::Override::Localization),
            Box::new(overrides::Override::Globalization),
        ],
        vec![
            Box::new(data_sources::clusters::Clusters),
            Box::new(data_sources::render::Render),
        ],
    )
}

/// Every schema the provider serves.
pub fn schemas() -> ProviderSchemas {
    schemas_of(&registry(), &Functions::new())
}

fn schemas_of(registry: &Registry, functions: &Functions) -> ProviderSchemas {
    ProviderSchemas {
        provider: config::provider_schema(),
        resources: registry
            .resources()
            .map(|r| (r.type_name().to_string(), r.schema()))
            .collect(),
        data_sources: registry
            .data_sources()
            .map(|d| (d.type_name().to_string(), d.schema()))
            .collect(),
        functions: functions.declarations(),
    }
}

impl Provider for ClusternetProvider {
    fn schemas(&self) -> &ProviderSchemas {
        &self.schemas
    }

    fn validate_provider_config(&self, config: &Value) -> Diagnostics {
        config::parse(config).1
    }

    async fn configure(&self, config: Value, terraform_version: String) -> Diagnostics {
        let (parsed, diags) = config::parse(&config);
        tracing::debug!(
            terraform_version,
            clusters = parsed.clusters.len(),
            hub = parsed.hub.is_some(),
            deployer = parsed.deployer.as_str(),
            has_unknowns = parsed.has_unknowns,
            "provider configured"
        );
        self.context.configure(parsed);
        diags
    }

    fn validate_resource_config(&self, type_name: &str, config: &Value) -> Diagnostics {
        match self.registry.resource(type_name) {
            Ok(resource) => resource.validate(config),
            Err(diagnostics) => diagnostics,
        }
    }

    fn validate_data_source_config(&self, type_name: &str, config: &Value) -> Diagnostics {
        match self.registry.data_source(type_name) {
            Ok(data_source) => data_source.validate(config),
            Err(diagnostics) => diagnostics,
        }
    }

    async fn read_data_source(&self, type_name: &str, config: Value) -> (Value, Diagnostics) {
        match self.registry.data_source(type_name) {
            Ok(data_source) => data_source.read(&self.context, config).await,
            Err(diagnostics) => (Value::Null, diagnostics),
        }
    }

    async fn plan_resource_change(&self, req: PlanRequest) -> PlanResponse {
        match self.registry.resource(&req.type_name) {
            Ok(resource) => resource.plan(&self.context, req).await,
            Err(diagnostics) => PlanResponse::null(diagnostics),
        }
    }

    async fn apply_resource_change(&self, req: ApplyRequest) -> ApplyResponse {
        match self.registry.resource(&req.type_name) {
            Ok(resource) => resource.apply(&self.context, req).await,
            Err(diagnostics) => crate::registry::apply_refused(req, diagnostics),
        }
    }

    fn upgrade_resource_state(
        &self,
        type_name: &str,
        version: i64,
        state: Value,
    ) -> (Value, Diagnostics) {
        match self.registry.resource(type_name) {
            Ok(resource) => (resource.upgrade_state(version, state), Diagnostics::new()),
            Err(diagnostics) => (state, diagnostics),
        }
    }

    async fn read_resource(&self, req: ReadRequest) -> ReadResponse {
        match self.registry.resource(&req.type_name) {
            Ok(resource) => resource.read(&self.context, req).await,
            Err(diagnostics) => crate::registry::read_refused(req, diagnostics),
        }
    }

    async fn import_resource_state(
        &self,
        type_name: &str,
        id: &str,
    ) -> (Vec<ImportedResource>, Diagnostics) {
        if let Err(diagnostics) = self.registry.resource(type_name) {
            return (Vec::new(), diagnostics);
        }
        let configured = match self.context.configured() {
            Ok(configured) => configured,
            Err(diagnostics) => return (Vec::new(), diagnostics),
        };
        // States are built with the inventory plan uses: the hub's ManagedClusters joined (a
        // Localization of a cluster known only there, a subscription bound to one) and the
        // hub's overrides. When the snapshot cannot be taken, import's own reads of the hub
        // report why (no hub, missing CRDs, unreachable) more precisely.
        // A subscription may divide dynamically: it is imported with the clusters' capacity.
        let inventory = if type_name == crate::resources::subscription::TYPE_NAME {
            self.context.inventory_with_capacity().await
        } else {
            self.context.inventory().await
        };
        let inventory = inventory.unwrap_or(configured);
        crate::import::import(type_name, id, &inventory).await
    }

    fn call_function(&self, name: &str, arguments: Vec<Value>) -> Result<Value, FunctionError> {
        self.functions.call(name, &arguments)
    }
}
