//! ImportResourceState: a subscription rebuilt from the hub's Subscription, rendered as plan
//! renders it.

use clusternet_tfplugin::{Diagnostic, Diagnostics, Value};
use serde_json::Value as Json;

use clusternet_model::types::SchedulingStrategy;

use super::config::{
    DEFAULT_DIVIDING_TYPE, DEFAULT_NAMESPACE, DEFAULT_STRATEGY, SubscriptionConfig, dividing_word,
    strategy_word,
};
use super::markers::{self, SecretMarkers};
use super::plan::computed_state;
use super::render::{render, template_charts};
use super::schema::schema;
use crate::config::ProviderConfig;

/// The state of a subscription imported from the hub's Subscription `object`, with `feeds`
/// (each the `feed` of the imported `clusternet_manifest`, or a key) and `overrides` (each the
/// `ref` of an imported override, `override_objects` the objects they name), rendered
/// exactly as plan renders it.
pub async fn imported_state(
    object: &Json,
    feeds: Vec<String>,
    overrides: Vec<String>,
    override_objects: &[Json],
    inventory: &ProviderConfig,
) -> Result<Value, Diagnostics> {
    use crate::values::{block_value, nested, non_empty};
    let schema = schema();
    let spec = &object["spec"];
    let strategy = spec["schedulingStrategy"]
        .as_str()
        .unwrap_or(strategy_word(DEFAULT_STRATEGY));
    let dividing_type = if strategy == strategy_word(SchedulingStrategy::Dividing) {
        Value::from(
            spec.pointer("/dividingScheduling/type")
                .and_then(Json::as_str)
                .unwrap_or(dividing_word(DEFAULT_DIVIDING_TYPE)),
        )
    } else {
        Value::Null
    };
    let subscriber_block = nested(&schema.block, "subscriber");
    let subscribers = spec["subscribers"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|s| {
            let weight = match s["weight"].as_i64() {
                Some(w) if w != 0 => Value::from(w),
                _ => Value::Null,
            };
            let affinity = s
                .get("clusterAffinity")
                .filter(|a| a.is_object())
                .map_or(Value::Null, crate::selector::imported);
            block_value(
                subscriber_block,
                [("weight", weight), ("cluster_affinity", affinity)],
            )
        })
        .collect();
    let toleration_block = nested(&schema.block, "toleration");
    let tolerations = spec["clusterTolerations"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| {
            let text = |field: &str| {
                t.get(field)
                    .and_then(Json::as_str)
                    .map_or(Value::Null, Value::from)
            };
            block_value(
                toleration_block,
                [
                    ("key", text("key")),
                    ("operator", text("operator")),
                    ("value", text("value")),
                    ("effect", text("effect")),
                ],
            )
        })
        .collect();
    let list = |items: Vec<String>| Value::List(items.into_iter().map(Value::from).collect());
    let config = block_value(
        &schema.block,
        [
            ("name", non_empty(object["metadata"]["name"].as_str())),
            (
                "namespace",
                Value::from(
                    object["metadata"]["namespace"]
                        .as_str()
                        .unwrap_or(DEFAULT_NAMESPACE),
                ),
            ),
            ("scheduling_strategy", Value::from(strategy)),
            ("dividing_type", dividing_type),
            ("feeds", list(feeds)),
            (
                "overrides",
                if overrides.is_empty() {
                    Value::Null
                } else {
                    list(overrides)
                },
            ),
            ("subscriber", Value::List(subscribers)),
            ("toleration", Value::List(tolerations)),
        ],
    );
    let mut diags = Diagnostics::new();
    let mut decoded = SubscriptionConfig::decode(&config, &mut diags);
    if diags.has_errors() {
        return Err(diags);
    }
    if let Some(decoded) = &mut decoded {
        // A dynamic division starts from the one on the hub, as the next plan starts from
        // the imported state's.
        decoded.current = super::dynamic::CurrentDivision::of_hub(object, inventory);
    }
    // The imported state gets its marker key now, so that the plan after import renders
    // exactly this (ADR 0008); one without Secret values needs none.
    let key = markers::new_key().map_err(|e| {
        Diagnostics::from(Diagnostic::error(
            "No key for the Secret markers",
            format!("{e}."),
        ))
    })?;
    let markers = SecretMarkers::Keyed(key.clone());
    let rendered = match &decoded {
        Some(decoded) => {
            render(decoded, override_objects, inventory, false, &markers)?.map(|r| (decoded, r))
        }
        None => None,
    };
    match rendered {
        Some((decoded, mut rendered)) => {
            // A chart's objects are in the plan's preview: the import's too.
            let diags = template_charts(decoded, inventory, &mut rendered, &markers).await;
            if diags.has_errors() {
                return Err(diags);
            }
            let mut state = computed_state(&config, Some(&rendered), &Value::Null);
            if let Value::Object(entries) = &mut state {
                let key = if markers::any_secret_values(&rendered.descriptions) {
                    Value::from(key)
                } else {
                    Value::Null
                };
                entries.insert(markers::KEY_ATTRIBUTE.into(), key);
            }
            Ok(state)
        }
        None => Err(Diagnostic::error(
            "Subscription cannot be rendered for import",
            "Part of the provider configuration is not known yet (e.g. a cluster endpoint from \
             another resource); import once it is known.",
        )
        .into()),
    }
}
