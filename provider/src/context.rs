//! What every resource call may need besides its request: the provider configuration, the
//! cluster inventory with the hub snapshot, and what this process has planned so far.

use std::sync::{Arc, Mutex, RwLock};

use clusternet_tfplugin::{Diagnostic, Diagnostics};

use crate::capacity::CapacitySnapshot;
use crate::config::ProviderConfig;
use crate::diagnostics::ToDiagnostic;
use crate::override_handles::KnownOverrides;
use crate::pending_overrides::PendingOverrides;
use crate::snapshot::HubSnapshot;

/// The provider's state for one Terraform walk, shared by every resource call.
#[derive(Default)]
pub struct Context {
    config: RwLock<Option<Arc<ProviderConfig>>>,
    /// The configuration with the hub snapshot merged in: taken once per process, on first
    /// need, and before this process writes anything to the hub (DESIGN.md §5 (d)).
    inventory: tokio::sync::OnceCell<Result<Arc<ProviderConfig>, Diagnostics>>,
    /// The clusters' Nodes and Pods, read once per process: when dynamic dividing first needs
    /// them, and at the latest before the process writes (ADR 0029).
    capacity: tokio::sync::OnceCell<Arc<CapacitySnapshot>>,
    /// Overrides and subscriptions planned in this process, for the next-apply warning.
    pending: Mutex<PendingOverrides>,
    /// Override objects planned, applied or imported in this process, for the subscriptions
    /// that pass them by handle.
    known_overrides: KnownOverrides,
}

impl Context {
    /// Records the provider configuration (ConfigureProvider).
    pub fn configure(&self, config: ProviderConfig) {
        *self.config.write().expect("config lock") = Some(Arc::new(config));
    }

    /// The provider configuration as configured, without the hub snapshot.
    pub fn configured(&self) -> Result<Arc<ProviderConfig>, Diagnostics> {
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

    /// The cluster inventory and hub snapshot every rendering of this process uses, taken on
    /// the first call and kept. Without a (known) hub, the configuration as it is; with one,
    /// merged with the hub's snapshot. Every path that writes to the hub or to a cluster
    /// calls this first.
    pub async fn inventory(&self) -> Result<Arc<ProviderConfig>, Diagnostics> {
        let config = self.configured()?;
        self.inventory
            .get_or_init(|| async move {
                let Some(hub) = &config.hub else {
                    return Ok(config.clone());
                };
                let snapshot = HubSnapshot::take(&hub.describe(), &hub.deploy_config())
                    .await
                    .map_err(|e| e.to_diagnostic())?;
                Ok(Arc::new(config.with_snapshot(Arc::new(snapshot))))
            })
            .await
            .clone()
    }

    /// [`Context::inventory`] with the clusters' capacity for dynamic dividing: their Nodes
    /// and Pods, read on the first call of the process and kept (ADR 0029). A plan asks for it
    /// only for a subscription that divides dynamically, so a plan without one lists no Node
    /// and no Pod; an apply reads it before its first write.
    pub async fn inventory_with_capacity(&self) -> Result<Arc<ProviderConfig>, Diagnostics> {
        let inventory = self.inventory().await?;
        let capacity = self
            .capacity
            .get_or_init(|| async {
                Arc::new(
                    CapacitySnapshot::read(inventory.capacity_to_read(), inventory.parallelism)
                        .await,
                )
            })
            .await
            .clone();
        let mut with_capacity = (*inventory).clone();
        with_capacity.capacity = Some(capacity);
        Ok(Arc::new(with_capacity))
    }

    /// [`Context::inventory`] for a path that writes (to the hub or to a cluster): with the
    /// clusters' capacity, read first if no Dynamic subscription has yet, so that every
    /// division of the process divides by numbers taken before its first write (ADR 0029).
    pub async fn inventory_for_write(&self) -> Result<Arc<ProviderConfig>, Diagnostics> {
        self.inventory_with_capacity().await
    }

    /// Overrides and subscriptions planned in this process.
    pub fn pending(&self) -> &Mutex<PendingOverrides> {
        &self.pending
    }

    /// Override objects planned, applied or imported in this process.
    pub fn known_overrides(&self) -> &KnownOverrides {
        &self.known_overrides
    }
}
