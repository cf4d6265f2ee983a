//! The preview grouped by identical rendering (ADR 0026): what a fleet of clusters gets, shown
//! once, and each cluster's difference from it.
//!
//! The per-cluster preview ([`super::preview`]) has one entry per cluster and object, so a
//! change made the same way on 500 clusters is 500 diffs. Grouped, it has:
//!
//! * `shared`: one entry per object, keyed by what follows `<cluster>/` in the per-cluster
//!   key ([`super::Previewed`]), holding the rendering the clusters share;
//! * `deviations`: one entry per cluster whose rendering of an object differs from the shared
//!   one, keyed `<cluster>/<object>` like the per-cluster preview, holding a [`Deviation`]:
//!   usually a JSON merge patch (RFC 7386) from the shared rendering to the cluster's;
//! * `clusters`: the clusters the preview covers.
//!
//! A cluster's rendering of every object is the shared one unless a deviation says otherwise,
//! so [`expand`] gives back the per-cluster preview exactly.
//!
//! Which rendering is shared: the previous shared rendering, while some cluster still has it
//! (so that drift on some clusters, or a replica share that moves, never turns the group
//! inside out); else the one the most clusters have, ties going to the first cluster by name.
//! Renderings that are not JSON objects (the markers of a cluster that could not be read) are
//! shared only when no cluster has a JSON rendering.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::{Map, Value};

use crate::json;

/// The deviation of a cluster that has no such object while the others do.
pub const ABSENT: &str = "(absent)";

/// The prefix of a deviation that holds the cluster's whole rendering: used where no merge
/// patch gives it exactly (a `null` the cluster's object holds where the shared one has a
/// value, which a merge patch would read as "remove").
pub const WHOLE_PREFIX: &str = "(whole) ";

/// A preview grouped by identical rendering.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Grouped {
    /// Object key (the per-cluster key without `<cluster>/`) to the shared rendering.
    pub shared: BTreeMap<String, String>,
    /// `<cluster>/<object key>` to the [`Deviation`] text of that cluster.
    pub deviations: BTreeMap<String, String>,
    /// The clusters covered, sorted.
    pub clusters: Vec<String>,
}

/// How one cluster's rendering of an object differs from the shared one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Deviation<'a> {
    /// A JSON merge patch (an object's text) to apply to the shared rendering.
    Patch(&'a str),
    /// The cluster has no such object.
    Absent,
    /// The cluster's whole entry (a JSON text after [`WHOLE_PREFIX`], or a marker text such as
    /// `(not read: ...)`).
    Whole(&'a str),
}

impl<'a> Deviation<'a> {
    /// Reads a deviation's text.
    pub fn parse(text: &'a str) -> Deviation<'a> {
        if text == ABSENT {
            Deviation::Absent
        } else if let Some(whole) = text.strip_prefix(WHOLE_PREFIX) {
            Deviation::Whole(whole)
        } else if text.starts_with('{') {
            Deviation::Patch(text)
        } else {
            Deviation::Whole(text)
        }
    }
}

/// Splits a per-cluster key into its cluster and object key.
fn split(key: &str) -> Option<(&str, &str)> {
    key.split_once('/')
        .filter(|(c, rest)| !c.is_empty() && !rest.is_empty())
}

/// Groups the per-cluster preview `entries` (`<cluster>/<object key>` to rendering) of the
/// `clusters` (clusters with entries are covered even when not listed; a listed cluster with
/// no entry for an object that others have gets [`ABSENT`]). `prior_shared` is the previous
/// shared rendering per object, kept where a cluster still has it. Keys without a cluster are
/// ignored (they cannot be per-cluster keys).
pub fn group(
    entries: &BTreeMap<String, String>,
    clusters: &[String],
    prior_shared: &BTreeMap<String, String>,
) -> Grouped {
    let mut by_object: BTreeMap<&str, Vec<(&str, &str)>> = BTreeMap::new();
    let mut covered: BTreeSet<&str> = clusters.iter().map(String::as_str).collect();
    for (key, text) in entries {
        if let Some((cluster, object)) = split(key) {
            covered.insert(cluster);
            by_object
                .entry(object)
                .or_default()
                .push((cluster, text.as_str()));
        }
    }
    let mut grouped = Grouped {
        clusters: covered.iter().map(|c| c.to_string()).collect(),
        ..Grouped::default()
    };
    for (object, mut holders) in by_object {
        // Keys sort `a-b/` before `a/`: order by cluster name for the walk below.
        holders.sort_unstable_by_key(|(cluster, _)| *cluster);
        let shared = shared_rendering(&holders, prior_shared.get(object).map(String::as_str));
        let mut held = holders.iter().peekable();
        for cluster in &covered {
            let text = match held.peek() {
                Some((c, text)) if c == cluster => {
                    held.next();
                    Some(*text)
                }
                _ => None,
            };
            let deviation = match text {
                Some(text) if text == shared => continue,
                Some(text) => deviation(shared, text),
                None => ABSENT.to_string(),
            };
            grouped
                .deviations
                .insert(format!("{cluster}/{object}"), deviation);
        }
        grouped
            .shared
            .insert(object.to_string(), shared.to_string());
    }
    grouped
}

/// [`group`] as a plan shows it, against the previous grouping (`prior_shared`,
/// `prior_deviations`): a cluster that deviated before keeps a deviation that names the same
/// fields, with their planned values, even where it no longer differs. So a drifted field reads
/// `"red" -> "blue"` and a Localization taken away reads `"hallo" -> "hello"` instead of a
/// deviation removed; a cluster whose object was absent (or could not be read) gets its whole
/// planned object as the patch, which reads as the object being created there. The next
/// refresh, which groups with [`group`], drops what no longer differs.
pub fn group_as_planned(
    entries: &BTreeMap<String, String>,
    clusters: &[String],
    prior_shared: &BTreeMap<String, String>,
    prior_deviations: &BTreeMap<String, String>,
) -> Grouped {
    let mut grouped = group(entries, clusters, prior_shared);
    for (key, prior) in prior_deviations {
        let (Some(text), Some((_, object))) = (entries.get(key), split(key)) else {
            continue;
        };
        let Some(shared) = grouped.shared.get(object) else {
            continue;
        };
        if let Some(Deviation::Absent | Deviation::Whole(_)) =
            grouped.deviations.get(key).map(|d| Deviation::parse(d))
        {
            continue;
        }
        if let Some(sticky) = sticky_deviation(shared, text, prior) {
            grouped.deviations.insert(key.clone(), sticky);
        }
    }
    grouped
}

/// The patch from `shared` to `text` that also names the fields the `prior` deviation named
/// (all of `text`'s when the prior one was not a patch), or `None` when no exact one exists.
fn sticky_deviation(shared: &str, text: &str, prior: &str) -> Option<String> {
    let (Ok(from), Ok(to)) = (json::parse(shared), json::parse(text)) else {
        return None;
    };
    let named = match Deviation::parse(prior) {
        Deviation::Patch(patch) => json::parse(patch).ok()?,
        Deviation::Absent | Deviation::Whole(_) => to.clone(),
    };
    let mut patch = merge_diff(&from, &to);
    widen(&mut patch, &named, &to);
    let mut merged = from;
    merge(&mut merged, &patch);
    (json::to_compact(&merged) == text).then(|| json::to_compact(&patch))
}

/// Adds to the merge patch `patch` every field `named` names that it lacks, with its value in
/// `to` (`null` where `to` has none).
fn widen(patch: &mut Value, named: &Value, to: &Value) {
    let (Value::Object(fields), Value::Object(named)) = (patch, named) else {
        return;
    };
    for (key, named) in named {
        let wanted = to.get(key);
        match (fields.get_mut(key), wanted) {
            (Some(existing @ Value::Object(_)), Some(wanted)) => widen(existing, named, wanted),
            (Some(_), _) => {}
            (None, Some(wanted @ Value::Object(_))) if named.is_object() => {
                let mut nested = Value::Object(Map::new());
                widen(&mut nested, named, wanted);
                fields.insert(key.clone(), nested);
            }
            (None, wanted) => {
                fields.insert(key.clone(), wanted.cloned().unwrap_or(Value::Null));
            }
        }
    }
}

/// The rendering the holders of one object share (see the module documentation).
fn shared_rendering<'a>(holders: &[(&str, &'a str)], prior: Option<&str>) -> &'a str {
    if let Some(prior) = prior
        && let Some((_, text)) = holders.iter().find(|(_, text)| *text == prior)
    {
        return text;
    }
    let json_only = holders.iter().any(|(_, text)| text.starts_with('{'));
    let mut counts: HashMap<&str, (usize, usize)> = HashMap::new();
    for (order, (_, text)) in holders.iter().enumerate() {
        if json_only && !text.starts_with('{') {
            continue;
        }
        counts.entry(text).or_insert((0, order)).0 += 1;
    }
    counts
        .into_iter()
        .max_by(|(_, (a, first_a)), (_, (b, first_b))| a.cmp(b).then(first_b.cmp(first_a)))
        .map(|(text, _)| text)
        .unwrap_or_default()
}

/// The deviation text that turns `shared` into `text`.
fn deviation(shared: &str, text: &str) -> String {
    let (Ok(from), Ok(to)) = (json::parse(shared), json::parse(text)) else {
        return whole(text);
    };
    if !from.is_object() || !to.is_object() {
        return whole(text);
    }
    let patch = merge_diff(&from, &to);
    let mut merged = from;
    merge(&mut merged, &patch);
    if json::to_compact(&merged) == text {
        json::to_compact(&patch)
    } else {
        whole(text)
    }
}

fn whole(text: &str) -> String {
    if text.starts_with('{') || text == ABSENT || text.starts_with(WHOLE_PREFIX) {
        format!("{WHOLE_PREFIX}{text}")
    } else {
        text.to_string()
    }
}

/// The JSON merge patch from `from` to `to`.
pub fn merge_diff(from: &Value, to: &Value) -> Value {
    match (from, to) {
        (Value::Object(from), Value::Object(to)) => {
            let mut patch = Map::new();
            for (key, value) in to {
                match from.get(key) {
                    Some(old) if old == value => {}
                    Some(old) => {
                        patch.insert(key.clone(), merge_diff(old, value));
                    }
                    None => {
                        patch.insert(key.clone(), value.clone());
                    }
                }
            }
            for key in from.keys().filter(|k| !to.contains_key(*k)) {
                patch.insert(key.clone(), Value::Null);
            }
            Value::Object(patch)
        }
        _ => to.clone(),
    }
}

/// Applies the JSON merge patch `patch` to `target` (RFC 7386).
pub fn merge(target: &mut Value, patch: &Value) {
    let Value::Object(patch) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    let Value::Object(fields) = target else {
        return;
    };
    for (key, value) in patch {
        if value.is_null() {
            fields.remove(key);
        } else {
            merge(fields.entry(key.clone()).or_insert(Value::Null), value);
        }
    }
}

/// The per-cluster preview of a grouped one whose values may not be known yet (`None`: known
/// after apply). A cluster's entry is unknown when its deviation is, or when it applies a
/// patch to (or takes) a shared rendering that is unknown. A deviation that cannot be applied
/// (a patch that is not JSON) gives the deviation's text.
pub fn expand(
    shared: &BTreeMap<String, Option<String>>,
    deviations: &BTreeMap<String, Option<String>>,
    clusters: &[String],
) -> BTreeMap<String, Option<String>> {
    let mut entries = BTreeMap::new();
    for cluster in clusters {
        for (object, shared) in shared {
            let key = format!("{cluster}/{object}");
            let entry = match deviations.get(&key) {
                None => shared.clone(),
                Some(None) => None,
                Some(Some(text)) => match Deviation::parse(text) {
                    Deviation::Absent => continue,
                    Deviation::Whole(whole) => Some(whole.to_string()),
                    Deviation::Patch(patch) => shared.as_deref().map(|shared| apply(shared, patch)),
                },
            };
            entries.insert(key, entry);
        }
    }
    // A deviation of an object no cluster shares (not written by `group`, kept by hand-edited
    // or foreign states) stands for itself.
    for (key, text) in deviations {
        if let Some((_, object)) = split(key)
            && !shared.contains_key(object)
        {
            let entry = text
                .as_deref()
                .and_then(|text| match Deviation::parse(text) {
                    Deviation::Absent => None,
                    Deviation::Whole(whole) | Deviation::Patch(whole) => Some(whole.to_string()),
                });
            if entry.is_some() || text.is_none() {
                entries.insert(key.clone(), entry);
            }
        }
    }
    entries
}

/// `shared` with the merge patch `patch` applied, as compact JSON.
fn apply(shared: &str, patch: &str) -> String {
    match (json::parse(shared), json::parse(patch)) {
        (Ok(mut merged), Ok(patch)) => {
            merge(&mut merged, &patch);
            json::to_compact(&merged)
        }
        _ => patch.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(items: &[(&str, &str)]) -> BTreeMap<String, String> {
        items
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn known(map: &BTreeMap<String, String>) -> BTreeMap<String, Option<String>> {
        map.iter()
            .map(|(k, v)| (k.clone(), Some(v.clone())))
            .collect()
    }

    fn round_trip(grouped: &Grouped) -> BTreeMap<String, String> {
        expand(
            &known(&grouped.shared),
            &known(&grouped.deviations),
            &grouped.clusters,
        )
        .into_iter()
        .map(|(k, v)| (k, v.expect("known")))
        .collect()
    }

    const WEB: &str = r#"{"data":{"color":"blue","size":"m"},"kind":"ConfigMap"}"#;
    const RED: &str = r#"{"data":{"color":"red","size":"m"},"kind":"ConfigMap"}"#;

    fn clusters(names: &[&str]) -> Vec<String> {
        names.iter().map(|c| c.to_string()).collect()
    }

    #[test]
    fn a_uniform_rendering_is_one_entry() {
        let e = entries(&[
            ("a/v1/ConfigMap/ns/web", WEB),
            ("b/v1/ConfigMap/ns/web", WEB),
        ]);
        let g = group(&e, &clusters(&["a", "b"]), &BTreeMap::new());
        assert_eq!(g.shared, entries(&[("v1/ConfigMap/ns/web", WEB)]));
        assert!(g.deviations.is_empty());
        assert_eq!(round_trip(&g), e);
    }

    #[test]
    fn a_differing_cluster_gets_a_merge_patch() {
        let e = entries(&[
            ("a/v1/ConfigMap/ns/web", WEB),
            ("b/v1/ConfigMap/ns/web", RED),
            ("c/v1/ConfigMap/ns/web", WEB),
        ]);
        let g = group(&e, &clusters(&["a", "b", "c"]), &BTreeMap::new());
        assert_eq!(g.shared["v1/ConfigMap/ns/web"], WEB);
        assert_eq!(
            g.deviations,
            entries(&[("b/v1/ConfigMap/ns/web", r#"{"data":{"color":"red"}}"#)])
        );
        assert_eq!(round_trip(&g), e);
    }

    #[test]
    fn the_prior_shared_rendering_stays_while_a_cluster_has_it() {
        let e = entries(&[
            ("a/v1/ConfigMap/ns/web", RED),
            ("b/v1/ConfigMap/ns/web", RED),
            ("c/v1/ConfigMap/ns/web", WEB),
        ]);
        let prior = entries(&[("v1/ConfigMap/ns/web", WEB)]);
        let g = group(&e, &clusters(&["a", "b", "c"]), &prior);
        assert_eq!(g.shared["v1/ConfigMap/ns/web"], WEB);
        assert_eq!(g.deviations.len(), 2);
        // Once no cluster has it, the majority decides.
        let e = entries(&[
            ("a/v1/ConfigMap/ns/web", RED),
            ("b/v1/ConfigMap/ns/web", RED),
        ]);
        let g = group(&e, &clusters(&["a", "b"]), &prior);
        assert_eq!(g.shared["v1/ConfigMap/ns/web"], RED);
        assert!(g.deviations.is_empty());
    }

    #[test]
    fn ties_go_to_the_first_cluster_by_name() {
        let e = entries(&[
            ("a/v1/ConfigMap/ns/web", RED),
            ("b/v1/ConfigMap/ns/web", WEB),
        ]);
        let g = group(&e, &clusters(&["a", "b"]), &BTreeMap::new());
        assert_eq!(g.shared["v1/ConfigMap/ns/web"], RED);
        assert_eq!(g.deviations.len(), 1);
        assert!(g.deviations.contains_key("b/v1/ConfigMap/ns/web"));
    }

    #[test]
    fn a_covered_cluster_without_the_object_is_absent() {
        let e = entries(&[
            ("a/v1/ConfigMap/ns/web", WEB),
            ("b/v1/ConfigMap/ns/other", WEB),
        ]);
        let g = group(&e, &clusters(&["a", "b", "c"]), &BTreeMap::new());
        assert_eq!(g.clusters, clusters(&["a", "b", "c"]));
        assert_eq!(g.deviations["b/v1/ConfigMap/ns/web"], ABSENT);
        assert_eq!(g.deviations["c/v1/ConfigMap/ns/web"], ABSENT);
        assert_eq!(g.deviations["a/v1/ConfigMap/ns/other"], ABSENT);
        assert_eq!(round_trip(&g), e);
    }

    #[test]
    fn markers_are_whole_and_never_shared_over_json() {
        let unread = "(not read: connection refused)";
        let e = entries(&[
            ("a/v1/ConfigMap/ns/web", unread),
            ("b/v1/ConfigMap/ns/web", unread),
            ("c/v1/ConfigMap/ns/web", WEB),
        ]);
        let g = group(&e, &clusters(&["a", "b", "c"]), &BTreeMap::new());
        assert_eq!(g.shared["v1/ConfigMap/ns/web"], WEB);
        assert_eq!(g.deviations["a/v1/ConfigMap/ns/web"], unread);
        assert_eq!(round_trip(&g), e);
    }

    #[test]
    fn a_null_the_patch_cannot_say_keeps_the_whole_rendering() {
        let with_null = r#"{"data":null,"kind":"ConfigMap"}"#;
        let e = entries(&[
            ("a/v1/ConfigMap/ns/web", WEB),
            ("b/v1/ConfigMap/ns/web", WEB),
            ("c/v1/ConfigMap/ns/web", with_null),
        ]);
        let g = group(&e, &clusters(&["a", "b", "c"]), &BTreeMap::new());
        assert_eq!(
            g.deviations["c/v1/ConfigMap/ns/web"],
            format!("{WHOLE_PREFIX}{with_null}")
        );
        assert_eq!(round_trip(&g), e);
    }

    #[test]
    fn removed_fields_and_replaced_lists_round_trip() {
        let a = r#"{"spec":{"containers":[{"image":"nginx:1","name":"c"}],"replicas":3},"x":1}"#;
        let b = r#"{"spec":{"containers":[{"image":"nginx:2","name":"c"}]},"y":{"z":2}}"#;
        let e = entries(&[
            ("a/apps/v1/Deployment/ns/web", a),
            ("b/apps/v1/Deployment/ns/web", b),
        ]);
        let g = group(&e, &clusters(&["a", "b"]), &BTreeMap::new());
        assert_eq!(
            g.deviations["b/apps/v1/Deployment/ns/web"],
            r#"{"spec":{"containers":[{"image":"nginx:2","name":"c"}],"replicas":null},"x":null,"y":{"z":2}}"#
        );
        assert_eq!(round_trip(&g), e);
    }

    #[test]
    fn cluster_names_sort_as_names_not_as_keys() {
        let e = entries(&[
            ("a-b/v1/ConfigMap/ns/web", RED),
            ("a/v1/ConfigMap/ns/web", WEB),
            ("b/v1/ConfigMap/ns/web", RED),
            ("c/v1/ConfigMap/ns/web", WEB),
        ]);
        let g = group(&e, &[], &BTreeMap::new());
        // a (WEB) comes first by name and ties with a-b's RED.
        assert_eq!(g.shared["v1/ConfigMap/ns/web"], WEB);
        assert_eq!(round_trip(&g), e);
    }

    #[test]
    fn a_planned_deviation_names_the_fields_the_prior_one_named() {
        let e = entries(&[
            ("a/v1/ConfigMap/ns/web", WEB),
            ("b/v1/ConfigMap/ns/web", WEB),
            ("c/v1/ConfigMap/ns/web", WEB),
        ]);
        let prior_shared = entries(&[("v1/ConfigMap/ns/web", WEB)]);
        // Drift on b: its planned deviation takes the field back, by name.
        let drift = entries(&[("b/v1/ConfigMap/ns/web", r#"{"data":{"color":"red"}}"#)]);
        let g = group_as_planned(&e, &clusters(&["a", "b", "c"]), &prior_shared, &drift);
        assert_eq!(
            g.deviations,
            entries(&[("b/v1/ConfigMap/ns/web", r#"{"data":{"color":"blue"}}"#)])
        );
        assert_eq!(round_trip(&g), e);
        // The next refresh groups without it.
        assert!(
            group(&e, &clusters(&["a", "b", "c"]), &prior_shared)
                .deviations
                .is_empty()
        );
        // An object that was absent on c is planned whole.
        let absent = entries(&[("c/v1/ConfigMap/ns/web", ABSENT)]);
        let g = group_as_planned(&e, &clusters(&["a", "b", "c"]), &prior_shared, &absent);
        assert_eq!(g.deviations["c/v1/ConfigMap/ns/web"], WEB);
        assert_eq!(round_trip(&g), e);
        // A field the prior deviation removed, which the cluster now has again.
        let removed = entries(&[("a/v1/ConfigMap/ns/web", r#"{"data":{"size":null}}"#)]);
        let g = group_as_planned(&e, &clusters(&["a", "b", "c"]), &prior_shared, &removed);
        assert_eq!(
            g.deviations["a/v1/ConfigMap/ns/web"],
            r#"{"data":{"size":"m"}}"#
        );
        assert_eq!(round_trip(&g), e);
    }

    #[test]
    fn unknown_values_expand_to_unknown_entries() {
        let shared = BTreeMap::from([("v1/Secret/ns/db".to_string(), None)]);
        let deviations = BTreeMap::from([(
            "b/v1/Secret/ns/db".to_string(),
            Some(r#"{"data":{"p":"x"}}"#.to_string()),
        )]);
        let e = expand(&shared, &deviations, &clusters(&["a", "b"]));
        assert_eq!(e["a/v1/Secret/ns/db"], None);
        assert_eq!(e["b/v1/Secret/ns/db"], None);
    }

    #[test]
    fn five_hundred_clusters_with_one_change_are_one_entry_and_one_deviation() {
        let mut e = BTreeMap::new();
        let names: Vec<String> = (0..500).map(|i| format!("c{i}")).collect();
        for name in &names {
            let text = if name == "c7" { RED } else { WEB };
            e.insert(format!("{name}/v1/ConfigMap/ns/web"), text.to_string());
        }
        let g = group(&e, &names, &BTreeMap::new());
        assert_eq!(g.shared.len(), 1);
        assert_eq!(g.deviations.len(), 1);
        assert_eq!(round_trip(&g), e);
    }
}
