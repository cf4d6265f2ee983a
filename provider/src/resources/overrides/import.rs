//! ImportResourceState: an override rebuilt from its object on the hub.

use clusternet_tfplugin::{Diagnostic, Diagnostics, Value};
use serde_json::Value as Json;

use super::plan::with_computed;
use super::schema::schema;
use super::{DEFAULT_POLICY, DEFAULT_PRIORITY, LOCALIZATION};
use crate::config::ProviderConfig;

/// The state of an override imported from its object on the hub (`object`, a Localization
/// or Globalization as the hub holds it). `feed` is what the `feed` attribute is to hold (the
/// feed's value when its Manifest is on the hub, else its key); a Localization's namespace is
/// mapped back to the configured cluster that owns it. Also the object as the state
/// describes it, for a subscription imported with it.
pub fn imported_state(
    type_name: &str,
    object: &Json,
    feed: String,
    inventory: &ProviderConfig,
) -> Result<(Value, Option<Json>), Diagnostics> {
    use crate::values::{block_value, nested, non_empty};
    let schema = schema(type_name);
    let spec = &object["spec"];
    let override_block = nested(&schema.block, "override");
    let overrides = spec["overrides"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|o| {
            block_value(
                override_block,
                [
                    ("name", non_empty(o["name"].as_str())),
                    ("type", non_empty(o["type"].as_str())),
                    (
                        "value",
                        Value::from(o["value"].as_str().unwrap_or_default()),
                    ),
                    (
                        "override_chart",
                        match o["overrideChart"].as_bool() {
                            Some(true) => Value::Bool(true),
                            _ => Value::Null,
                        },
                    ),
                    ("field_path", non_empty(o["fieldPath"].as_str())),
                    ("field_format", non_empty(o["fieldFormat"].as_str())),
                ],
            )
        })
        .collect();
    let mut set = vec![
        ("name", non_empty(object["metadata"]["name"].as_str())),
        ("feed", Value::from(feed)),
        (
            "priority",
            Value::from(spec["priority"].as_i64().unwrap_or(DEFAULT_PRIORITY)),
        ),
        (
            "override_policy",
            Value::from(spec["overridePolicy"].as_str().unwrap_or(DEFAULT_POLICY)),
        ),
        ("override", Value::List(overrides)),
    ];
    if type_name == LOCALIZATION {
        let namespace = object["metadata"]["namespace"].as_str().unwrap_or_default();
        let Some(cluster) = inventory
            .clusters
            .values()
            .find(|c| c.namespace == namespace)
        else {
            return Err(Diagnostic::error(
                "Localization of an unknown cluster",
                format!(
                    "The Localization is in namespace {namespace:?}, which is the dedicated \
                     namespace of no cluster in the provider's `clusters` and of no \
                     ManagedCluster on the hub. Add that cluster (with \
                     `namespace = {namespace:?}`) to the provider configuration, then import \
                     again."
                ),
            )
            .into());
        };
        set.push(("cluster", Value::from(cluster.name.as_str())));
    } else if let Some(affinity) = spec.get("clusterAffinity").filter(|a| a.is_object()) {
        set.push(("cluster_affinity", crate::selector::imported(affinity)));
    }
    let config = block_value(&schema.block, set);
    with_computed(type_name, &config, &config, inventory)
}
