//! Reading and writing the subscription's state: the preview entries (`descriptions`), keyed
//! by cluster, and `releases`.

use std::collections::BTreeMap;

use clusternet_tfplugin::Value;

/// `spec_hash` recorded when the hub could not be written: the next plan shows the change.
pub const HUB_NOT_WRITTEN: &str = "(hub not written)";

/// `releases` as state holds it: null for a subscription without charts (as an imported
/// state has it), else the map.
pub fn releases_value(releases: BTreeMap<String, Value>) -> Value {
    if releases.is_empty() {
        Value::Null
    } else {
        Value::Map(releases)
    }
}

pub fn descriptions_of(state: &Value) -> BTreeMap<String, Value> {
    state
        .get("descriptions")
        .and_then(Value::as_entries)
        .cloned()
        .unwrap_or_default()
}

/// Whether the `descriptions` rendered at apply are what the plan planned: the same entries,
/// each planned value that was known unchanged (an entry planned unknown - Secret values
/// under a marker key made at apply - may take any value).
pub fn matches_plan(planned: Option<&Value>, rendered: &BTreeMap<String, String>) -> bool {
    match planned {
        Some(Value::Map(planned)) => {
            planned.len() == rendered.len()
                && planned.iter().all(|(key, value)| {
                    rendered
                        .get(key)
                        .is_some_and(|text| !value.is_known() || value.as_str() == Some(text))
                })
        }
        _ => false,
    }
}

pub fn in_cluster(key: &str, clusters: &[String]) -> bool {
    key.split_once('/')
        .is_some_and(|(c, _)| clusters.iter().any(|f| f == c))
}

/// `planned`, with the entries of `failed` clusters as they were before.
pub fn record_failures(
    planned: &Value,
    prior: &BTreeMap<String, Value>,
    failed: &[String],
) -> Value {
    let mut descriptions: BTreeMap<String, Value> = descriptions_of(planned)
        .into_iter()
        .filter(|(k, _)| !in_cluster(k, failed))
        .collect();
    descriptions.extend(
        prior
            .iter()
            .filter(|(k, _)| in_cluster(k, failed))
            .map(|(k, v)| (k.clone(), v.clone())),
    );
    with_descriptions(planned, descriptions)
}

/// `state` keeping only the entries of `failed` clusters (a destroy that did not finish).
pub fn keep_only(state: &Value, prior: &BTreeMap<String, Value>, failed: &[String]) -> Value {
    let descriptions = prior
        .iter()
        .filter(|(k, _)| in_cluster(k, failed))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    with_descriptions(state, descriptions)
}

pub fn with_descriptions(state: &Value, descriptions: BTreeMap<String, Value>) -> Value {
    let mut entries = state.as_entries().cloned().unwrap_or_default();
    entries.insert("descriptions".into(), Value::Map(descriptions));
    Value::Object(entries)
}

/// The clusters a state's descriptions cover.
pub fn clusters_of(state: &Value) -> Vec<String> {
    let mut clusters: Vec<String> = state
        .get("descriptions")
        .and_then(Value::as_entries)
        .map(|m| {
            m.keys()
                .filter_map(|k| k.split('/').next())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    clusters.sort();
    clusters.dedup();
    clusters
}
