//! Reading and writing the subscription's state: the preview, grouped by identical rendering
//! (`descriptions`, `deviations`, `description_clusters`; ADR 0026), and `releases`.
//!
//! The rest of the resource works with the per-cluster preview (`<cluster>/<object key>` to
//! entry): [`descriptions_of`] expands a state's grouped attributes into it, and
//! [`grouped_attributes`] / [`with_descriptions`] group it for the state.

use std::collections::BTreeMap;

use clusternet_model::preview::grouped::{self, Grouped};
use clusternet_tfplugin::Value;

/// The attribute with the shared rendering of every object.
pub const SHARED: &str = "descriptions";
/// The attribute with each cluster's differences from the shared rendering.
pub const DEVIATIONS: &str = "deviations";
/// The attribute with the clusters the preview covers.
pub const CLUSTERS: &str = "description_clusters";

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

/// The entries of a map attribute, `None` for those not known yet.
fn texts(state: &Value, attribute: &str) -> BTreeMap<String, Option<String>> {
    state
        .get(attribute)
        .and_then(Value::as_entries)
        .map(|entries| {
            entries
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().map(str::to_string)))
                .collect()
        })
        .unwrap_or_default()
}

/// The per-cluster preview of `state`: `<cluster>/<object key>` to the entry (unknown where
/// the plan leaves it to apply).
pub fn descriptions_of(state: &Value) -> BTreeMap<String, Value> {
    let shared = texts(state, SHARED);
    let deviations = texts(state, DEVIATIONS);
    grouped::expand(&shared, &deviations, &clusters_of(state))
        .into_iter()
        .map(|(k, v)| (k, v.map_or_else(Value::unknown, Value::from)))
        .collect()
}

/// The shared renderings of `state`, where known: the preference for the next grouping.
fn shared_of(state: &Value) -> BTreeMap<String, String> {
    texts(state, SHARED)
        .into_iter()
        .filter_map(|(k, v)| Some((k, v?)))
        .collect()
}

/// The values of the three preview attributes planned for the per-cluster preview `entries`
/// of `clusters`, grouped against `prior`'s (see [`grouped::group_as_planned`]).
pub fn grouped_attributes(
    entries: &BTreeMap<String, String>,
    clusters: &[String],
    prior: &Value,
) -> [(&'static str, Value); 3] {
    let prior_deviations = texts(prior, DEVIATIONS)
        .into_iter()
        .filter_map(|(k, v)| Some((k, v?)))
        .collect();
    attribute_values(grouped::group_as_planned(
        entries,
        clusters,
        &shared_of(prior),
        &prior_deviations,
    ))
}

/// The values of the three preview attributes of `grouped`.
fn attribute_values(grouped: Grouped) -> [(&'static str, Value); 3] {
    let Grouped {
        shared,
        deviations,
        clusters,
    } = grouped;
    let map = |items: BTreeMap<String, String>| {
        Value::Map(
            items
                .into_iter()
                .map(|(k, v)| (k, Value::from(v)))
                .collect(),
        )
    };
    [
        (SHARED, map(shared)),
        (DEVIATIONS, map(deviations)),
        (
            CLUSTERS,
            Value::List(clusters.into_iter().map(Value::from).collect()),
        ),
    ]
}

/// Whether the preview of `rendered` (the state computed at apply) is what the plan planned:
/// the same attributes and entries, each planned value that was known unchanged (an entry
/// planned unknown - Secret values under a marker key made at apply - may take any value).
pub fn matches_plan(planned: &Value, rendered: &Value) -> bool {
    [SHARED, DEVIATIONS, CLUSTERS].iter().all(|attribute| {
        let Some(value) = rendered.get(attribute) else {
            return false;
        };
        match (planned.get(attribute), value) {
            (Some(Value::Map(planned)), Value::Map(rendered)) => {
                planned.len() == rendered.len()
                    && planned.iter().all(|(key, value)| {
                        rendered
                            .get(key)
                            .is_some_and(|r| !value.is_known() || value == r)
                    })
            }
            (Some(planned), rendered) => !planned.is_known() || planned == rendered,
            (None, _) => false,
        }
    })
}

/// Whether the per-cluster key `key` is one of `clusters`'.
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
    // A failed cluster that had nothing before is not covered: the next plan shows it whole.
    let clusters: Vec<String> = clusters_of(planned)
        .into_iter()
        .filter(|c| !failed.contains(c))
        .collect();
    with_descriptions(planned, descriptions, &clusters, planned)
}

/// `state` keeping only the entries of `failed` clusters (a destroy that did not finish).
pub fn keep_only(state: &Value, prior: &BTreeMap<String, Value>, failed: &[String]) -> Value {
    let descriptions = prior
        .iter()
        .filter(|(k, _)| in_cluster(k, failed))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    with_descriptions(state, descriptions, &[], state)
}

/// `state` with the per-cluster preview `descriptions` of `clusters` (clusters with entries
/// are covered anyway) grouped into its preview attributes as they are (a deviation only where
/// a cluster differs), `prior`'s shared renderings preferred. Entries not known are left out
/// (state after apply or refresh has none).
pub fn with_descriptions(
    state: &Value,
    descriptions: BTreeMap<String, Value>,
    clusters: &[String],
    prior: &Value,
) -> Value {
    let texts: BTreeMap<String, String> = descriptions
        .into_iter()
        .filter_map(|(k, v)| match v {
            Value::String(text) => Some((k, text)),
            _ => None,
        })
        .collect();
    let mut entries = state.as_entries().cloned().unwrap_or_default();
    let grouped = grouped::group(&texts, clusters, &shared_of(prior));
    for (attribute, value) in attribute_values(grouped) {
        entries.insert(attribute.into(), value);
    }
    Value::Object(entries)
}

/// The clusters a state's preview covers.
pub fn clusters_of(state: &Value) -> Vec<String> {
    state
        .get(CLUSTERS)
        .and_then(Value::as_elements)
        .map(|items| {
            items
                .iter()
                .filter_map(|c| c.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}
