//! What every resource call may need besides its request: the provider configuration, the
//! cluster inventory with the hub snapshot, and what this process has planned so far.

use std::sync::{Arc, Mutex, RwLock};

use clusternet_tfplugin::{Diagnostic, Diagnostics};

use crate::config::ProviderConfig;
use crate::diagnostics::ToDiagnostic;
use crate::override_handles::KnownOverrides;
use crate::pending_overrides::PendingOverrides;
use crate::snapshot::HubSnapshot;

/// The provider's state for one Terraform walk, shared by every resource call.
#[derive(Default)]
pub struct Context {
    config: RwLock<Option<Arc<ProviderConfig>>>,
    /// The configuration with the hub snapshot merged in and the clusters' capacity read:
    /// taken once per process, on first need, and before this process writes anything
    /// (DESIGN.md §5 (d), ADR 0029).
    inventory: tokio::sync::OnceCell<Result<Arc<ProviderConfig>, Diagnostics>>,
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

    /// The cluster inventory, hub snapshot and cluster capacity every rendering of this
    /// process uses, taken on the first call and kept. Without a (known) hub, the
    /// configuration as it is; with one, merged with the hub's snapshot. The capacity of the
    /// clusters with credentials (their Nodes and Pods, for dynamic dividing) is read at the
    /// same time. Every path that writes to the hub or to a cluster calls this first.
    pub async fn inventory(&self) -> Result<Arc<ProviderConfig>, Diagnostics> {
        let config = self.configured()?;
        self.inventory
            .get_or_init(|| async move {
                let to_read = config.capacity_to_read();
                let snapshot = async {
                    match &config.hub {
                        None => Ok(None),
                        Some(hub) => HubSnapshot::take(&hub.describe(), &hub.deploy_config())
                            .await
                            .map(Some),
                    }
                };
                let (snapshot, capacity) = tokio::join!(
                    snapshot,
                    crate::capacity::CapacitySnapshot::read(to_read, config.parallelism)
                );
                let mut inventory = match snapshot.map_err(|e| e.to_diagnostic())? {
                    None => (*config).clone(),
                    Some(snapshot) => config.with_snapshot(Arc::new(snapshot)),
                };
                inventory.capacity = Some(Arc::new(capacity));
                Ok(Arc::new(inventory))
            })
            .await
            .clone()
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
