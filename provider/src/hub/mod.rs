//! Hub writes with deployer = "provider" (DESIGN.md §3): the Clusternet objects a real hub
//! would hold for what the provider rendered and deployed - the Subscription, its feeds as
//! the shadow API stores them (Manifests in `clusternet-reserved`), and per bound cluster the
//! Base, the generated dividing Localizations and the Descriptions (`<base>-generic` for
//! plain objects, `<base>-helm` for charts) with their statuses and the HelmReleases of the
//! charts (`clusternet_model::hub`) - plus the user's Localizations and
//! Globalizations. Chart feeds passed by value are written as `HelmChart` objects (see
//! `clusternet_model::hub::charts`) with their `values` as the priority-0 Globalization they are in
//! Clusternet terms, with deployer = "clusternet" too.
//!
//! Everything here happens at apply: the plan never depends on it. Objects are written with
//! server-side apply, the fixed field manager and force (they are ours), stamped with the
//! subscription's identity so that objects that left the rendering are pruned and destroy
//! removes exactly ours.
//!
//! The Subscription's `status` (bindingClusters, replicas, specHash, desiredReleases) and,
//! with deployer = "provider", the HelmCharts' `status.phase: Found` are written through
//! their status subresources, which a plain apply ignores. The objects keep
//! Clusternet's labels but not its finalizers (no controller would ever remove them), and
//! owner references point at the live Bases.

mod client;
mod feeds;
mod removal;
mod rollout;

use crate::config::{Connection, Deployer, ProviderConfig};

pub use feeds::apply_user_objects;
pub use removal::{apply_override, remove_override, remove_subscription};
pub use rollout::apply_subscription;

/// The hub, when the provider renders and writes the rendering to it (deployer =
/// "provider").
pub fn target(inventory: &ProviderConfig) -> Option<&Connection> {
    match (&inventory.hub, inventory.deployer) {
        (Some(hub), Deployer::Provider) => Some(hub),
        _ => None,
    }
}

/// The hub, when users' override objects are written to it (any deployer).
pub fn override_target(inventory: &ProviderConfig) -> Option<&Connection> {
    inventory.hub.as_ref()
}
