//! `ClusternetProvider`: the provider's schemas and the dispatch of Terraform's calls to the
//! resources and data sources.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, RwLock};

use clusternet_tfplugin::provider::{
    ApplyRequest, ApplyResponse, ImportedResource, PlanRequest, PlanResponse, ReadRequest,
    ReadResponse,
};
use clusternet_tfplugin::{Diagnostic, Diagnostics, Provider, ProviderSchemas, Value};

use crate::config::{self, ProviderConfig};
use crate::data_sources;
use crate::pending_overrides::PendingOverrides;
use crate::resources::manifest::{self, FeedResource};
use crate::resources::{helm_chart, overrides, subscription};
use crate::snapshot::HubSnapshot;

/// The provider's source address.
pub const PROVIDER_ADDRESS: &str = "registry.terraform.io/clusternet/clusternet";

/// The Clusternet provider.
pub struct ClusternetProvider {
    schemas: ProviderSchemas,
    config: RwLock<Option<Arc<ProviderConfig>>>,
    /// The configuration with the hub snapshot merged in: taken once per process, on first
    /// need, and before this process writes anything to the hub (DESIGN.md §5 (d)).
    inventory: tokio::sync::OnceCell<Result<Arc<ProviderConfig>, Diagnostics>>,
    /// Overrides and subscriptions planned in this process, for the next-apply warning.
    pending: Mutex<PendingOverrides>,
}

impl Default for ClusternetProvider {
    fn default() -> Self {
        Self::new()
    }
}

impl ClusternetProvider {
    /// A provider not yet configured.
    pub fn new() -> Self {
        ClusternetProvider {
            schemas: schemas(),
            config: RwLock::new(None),
            inventory: tokio::sync::OnceCell::new(),
            pending: Mutex::new(PendingOverrides::default()),
        }
    }

    /// The cluster inventory and hub snapshot every rendering of this process uses. Without
    /// a (known) hub, the configuration as it is; with one, the snapshot is taken on the
    /// first call and kept. Every path that writes to the hub calls this first.
    async fn inventory(&self) -> Result<Arc<ProviderConfig>, Diagnostics> {
        let config = self.configured()?;
        let Some(hub) = config.hub.clone() else {
            return Ok(config);
        };
        self.inventory
            .get_or_init(|| async move {
                let snapshot = HubSnapshot::take(&hub).await.map_err(|e| e.diagnostic())?;
                Ok(Arc::new(config.with_snapshot(Arc::new(snapshot))))
            })
            .await
            .clone()
    }

    fn configured(&self) -> Result<Arc<ProviderConfig>, Diagnostics> {
        self.config
            .read()
            .expect("config lock")
            .clone()
            .ok_or_else(|| {
                Diagnostic::error(
                    "Provider not configured",
                    "Terraform called the provider before configuring it; this is a bug.",
                )
                .into()
            })
    }
}

/// Every schema the provider serves.
pub fn schemas() -> ProviderSchemas {
    ProviderSchemas {
        provider: config::provider_schema(),
        resources: BTreeMap::from([
            (
                manifest::TYPE_NAME.to_string(),
                manifest::schema(FeedResource::Manifest),
            ),
            (
                manifest::SECRET_TYPE_NAME.to_string(),
                manifest::schema(FeedResource::Secret),
            ),
            (helm_chart::TYPE_NAME.to_string(), helm_chart::schema()),
            (subscription::TYPE_NAME.to_string(), subscription::schema()),
            (
                overrides::LOCALIZATION.to_string(),
                overrides::schema(overrides::LOCALIZATION),
            ),
            (
                overrides::GLOBALIZATION.to_string(),
                overrides::schema(overrides::GLOBALIZATION),
            ),
        ]),
        data_sources: BTreeMap::from([
            (
                data_sources::clusters::TYPE_NAME.to_string(),
                data_sources::clusters::schema(),
            ),
            (
                data_sources::render::TYPE_NAME.to_string(),
                data_sources::render::schema(),
            ),
        ]),
    }
}

fn unsupported(type_name: &str) -> Diagnostics {
    Diagnostic::error(
        format!("Unsupported type {type_name:?}"),
        "This provider version does not implement it.",
    )
    .into()
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
        *self.config.write().expect("config lock") = Some(Arc::new(parsed));
        diags
    }

    fn validate_resource_config(&self, type_name: &str, config: &Value) -> Diagnostics {
        if let Some(resource) = FeedResource::of_type(type_name) {
            return manifest::validate(resource, config);
        }
        match type_name {
            helm_chart::TYPE_NAME => helm_chart::validate(config),
            subscription::TYPE_NAME => subscription::validate(config),
            overrides::LOCALIZATION | overrides::GLOBALIZATION => {
                overrides::validate(type_name, config)
            }
            other => unsupported(other),
        }
    }

    fn validate_data_source_config(&self, type_name: &str, config: &Value) -> Diagnostics {
        match type_name {
            data_sources::clusters::TYPE_NAME => data_sources::clusters::validate(config),
            data_sources::render::TYPE_NAME => data_sources::render::validate(config),
            other => unsupported(other),
        }
    }

    async fn read_data_source(&self, type_name: &str, config: Value) -> (Value, Diagnostics) {
        if type_name == data_sources::render::TYPE_NAME {
            // Pure: needs no provider configuration.
            return data_sources::render::read(&config);
        }
        let provider_config = match self.inventory().await {
            Ok(c) => c,
            Err(d) => return (Value::Null, d),
        };
        match type_name {
            data_sources::clusters::TYPE_NAME => {
                data_sources::clusters::read(&config, &provider_config)
            }
            other => (Value::Null, unsupported(other)),
        }
    }

    async fn plan_resource_change(&self, req: PlanRequest) -> PlanResponse {
        // Feeds need neither the inventory nor the hub.
        if let Some(resource) = FeedResource::of_type(&req.type_name) {
            return manifest::plan(resource, req);
        }
        if req.type_name == helm_chart::TYPE_NAME {
            return helm_chart::plan(req);
        }
        let inventory = match self.inventory().await {
            Ok(c) => c,
            Err(diagnostics) => return PlanResponse::null(diagnostics),
        };
        match req.type_name.as_str() {
            subscription::TYPE_NAME => subscription::plan(req, &inventory, &self.pending).await,
            overrides::LOCALIZATION | overrides::GLOBALIZATION => {
                overrides::plan(req, &inventory, &self.pending)
            }
            other => PlanResponse::null(unsupported(other)),
        }
    }

    async fn apply_resource_change(&self, req: ApplyRequest) -> ApplyResponse {
        // Feeds need neither the inventory nor the hub.
        if FeedResource::of_type(&req.type_name).is_some() {
            return manifest::apply(req);
        }
        if req.type_name == helm_chart::TYPE_NAME {
            return helm_chart::apply(req);
        }
        // The snapshot is taken here at the latest, before anything is written to the hub.
        let inventory = match self.inventory().await {
            Ok(c) => c,
            Err(diagnostics) => {
                return ApplyResponse {
                    new_state: req.prior_state,
                    private: Vec::new(),
                    diagnostics,
                };
            }
        };
        match req.type_name.as_str() {
            subscription::TYPE_NAME => subscription::apply(req, &inventory).await,
            overrides::LOCALIZATION | overrides::GLOBALIZATION => {
                overrides::apply(req, &inventory).await
            }
            other => ApplyResponse {
                diagnostics: unsupported(other),
                new_state: req.prior_state,
                private: Vec::new(),
            },
        }
    }

    async fn read_resource(&self, req: ReadRequest) -> ReadResponse {
        // Feeds need neither the inventory nor the hub.
        if FeedResource::of_type(&req.type_name).is_some() {
            return manifest::read(req);
        }
        if req.type_name == helm_chart::TYPE_NAME {
            return helm_chart::read(req);
        }
        let inventory = match self.inventory().await {
            Ok(c) => c,
            Err(diagnostics) => {
                return ReadResponse {
                    new_state: req.current_state,
                    private: req.private,
                    diagnostics,
                };
            }
        };
        match req.type_name.as_str() {
            subscription::TYPE_NAME => subscription::read(req, &inventory).await,
            overrides::LOCALIZATION | overrides::GLOBALIZATION => overrides::read(req),
            other => ReadResponse {
                diagnostics: unsupported(other),
                new_state: req.current_state,
                private: req.private,
            },
        }
    }

    async fn import_resource_state(
        &self,
        type_name: &str,
        id: &str,
    ) -> (Vec<ImportedResource>, Diagnostics) {
        let configured = match self.configured() {
            Ok(configured) => configured,
            Err(diagnostics) => return (Vec::new(), diagnostics),
        };
        // States are built with the inventory plan uses: the hub's ManagedClusters joined
        // (a Localization of a cluster known only there, a subscription bound to one) and the
        // hub's overrides. When the snapshot cannot be taken, import's own reads of the hub
        // report why (no hub, missing CRDs, unreachable) more precisely.
        let inventory = match self.inventory().await {
            Ok(inventory) => inventory,
            Err(_) => configured,
        };
        crate::import::import(type_name, id, &inventory).await
    }
}
