//! What a subscription's rendering takes from the hub snapshot besides its feeds by key: the
//! overrides found on the hub (Clusternet's loose coupling), and the check that every bound
//! cluster can be deployed to.

use std::collections::BTreeSet;

use clusternet_model::identity::ObjectIdentity;
use clusternet_model::render::{RenderInput, SubscriptionRender};
use clusternet_tfplugin::{AttributePath, Diagnostic, Diagnostics};
use serde_json::Value as Json;

use crate::config::{Deployer, ProviderConfig, Target};
use crate::snapshot::{APPS, HubSnapshot, OverrideId};

/// The identities of the feeds among `objects` that came from the hub (stored Manifests):
/// they are the hub's, never written back by the provider.
pub fn hub_feed_identities(objects: &[Json]) -> BTreeSet<ObjectIdentity> {
    objects
        .iter()
        .filter(|o| o["apiVersion"] == APPS && o["kind"] == "Manifest")
        .filter_map(|o| ObjectIdentity::of(&o["template"]).ok())
        .collect()
}

/// Adds the hub's overrides of `feeds` not passed in `overrides` (`passed` wins over the hub copy
/// of the same name). A Localization in a namespace that is no cluster's is left out (it
/// can reach no cluster); a hub override the render engine rejects is left out with a
/// warning.
pub fn add_hub_overrides(
    input: &mut RenderInput,
    snapshot: &HubSnapshot,
    inventory: &ProviderConfig,
    feeds: &[ObjectIdentity],
    passed: &BTreeSet<OverrideId>,
) -> Diagnostics {
    let namespaces: BTreeSet<&str> = inventory
        .clusters
        .values()
        .map(|c| c.namespace.as_str())
        .collect();
    let mut diags = Diagnostics::new();
    for object in snapshot.overrides_for(feeds, passed) {
        let Some(id) = OverrideId::of(object) else {
            continue;
        };
        if id.kind == "Localization" && !namespaces.contains(id.namespace.as_str()) {
            continue;
        }
        if let Err(e) = input.add_object(object.clone()) {
            diags.push(
                Diagnostic::warning(
                    "Hub override ignored",
                    format!(
                        "{id} on the hub overrides a feed of this subscription but cannot be \
                         used: {e}. Fix or delete it on the hub."
                    ),
                )
                .at(AttributePath::root().attr("overrides")),
            );
        }
    }
    diags
}

/// With deployer = "provider", every bound cluster needs credentials or a directory: a
/// cluster known only from the hub is an error naming it.
pub fn check_deployable(result: &SubscriptionRender, inventory: &ProviderConfig) -> Diagnostics {
    let mut diags = Diagnostics::new();
    if inventory.deployer != Deployer::Provider {
        return diags;
    }
    for cluster in &result.clusters {
        let hub_only = inventory
            .clusters
            .get(&cluster.cluster_name)
            .is_some_and(|c| c.target == Target::HubOnly);
        if hub_only {
            diags.error_at(
                AttributePath::root().attr("subscriber"),
                format!("Cluster {:?} has no credentials", cluster.cluster_name),
                format!(
                    "The subscription selects cluster {name:?}, which is registered on the hub \
                     (ManagedCluster {ns}/{name}) but not in the provider's `clusters`, and \
                     with deployer = \"provider\" the provider deploys to it itself. Add \
                     `clusters = {{ {name:?} = {{ kubeconfig_path = ..., context = ... }} }}` \
                     to the provider configuration, narrow the subscribers' \
                     cluster_affinity, or use deployer = \"clusternet\" to let Clusternet \
                     deploy.",
                    name = cluster.cluster_name,
                    ns = cluster.namespace,
                ),
            );
        }
    }
    diags
}
