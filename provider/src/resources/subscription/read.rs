//! ReadResource: what is deployed now, so that drift shows as a diff in the next plan.

use std::collections::BTreeMap;

use clusternet_tfplugin::provider::{ReadRequest, ReadResponse};
use clusternet_tfplugin::{AttributePath, Diagnostic, Diagnostics, Value};

use super::markers::SecretMarkers;
use super::state::{clusters_of, descriptions_of, releases_value, with_descriptions};
use crate::attrs;
use crate::charts;
use crate::config::{Deployer, ProviderConfig, Target};
use crate::targets;

/// Reads: directory targets report the files as they are now (drift shows as a diff).
pub async fn read(req: ReadRequest, inventory: &ProviderConfig) -> ReadResponse {
    if inventory.deployer == Deployer::Clusternet {
        // Clusternet's controllers deploy: the children are theirs to keep in line.
        return ReadResponse {
            new_state: req.current_state,
            private: req.private,
            diagnostics: Diagnostics::new(),
        };
    }
    let mut state = req.current_state.clone();
    let mut diagnostics = Diagnostics::new();
    let id = attrs::string(&state, "id").known().unwrap_or_default();
    if state
        .get(super::state::SHARED)
        .is_some_and(|d| !d.is_null())
    {
        let descriptions = descriptions_of(&state);
        // The plan's marker key; a state from before keys has none, and shows a drifted
        // Secret value as a bare marker until its next apply makes one (ADR 0008).
        let markers = SecretMarkers::of_state(&state);
        let redact = |value: &str| markers.marker(value);
        // The state carries the configuration's ignore_fields (validated at plan).
        let ignored = crate::apply_options::ignore_fields::decode(&state, &mut Diagnostics::new())
            .unwrap_or_default();
        let read = targets::read(inventory, &id, &descriptions, &redact, &ignored).await;
        let mut live: BTreeMap<String, Value> = read
            .entries
            .into_iter()
            .map(|(k, v)| (k, Value::from(v)))
            .collect();
        let mut releases = state
            .get("releases")
            .and_then(Value::as_entries)
            .cloned()
            .unwrap_or_default();
        let mut unread = read.unreadable;
        for (cluster, reason) in charts::drift::read(inventory, &mut live, &mut releases).await {
            unread.entry(cluster).or_insert(reason);
        }
        for (cluster, reason) in charts::drift::read_objects(inventory, &mut live).await {
            unread.entry(cluster).or_insert(reason);
        }
        charts::drift::read_files(inventory, &id, &mut live, &mut releases);
        for cluster in inventory.clusters.values() {
            let prefix = format!("{}/", cluster.name);
            if cluster.target == Target::Unknown && live.keys().any(|k| k.starts_with(&prefix)) {
                unread
                    .entry(cluster.name.clone())
                    .or_insert_with(|| targets::NOT_KNOWN_YET.to_string());
            }
        }
        for (cluster, reason) in &unread {
            mark_unread(cluster, reason, &mut live, &mut releases);
            diagnostics.push(unreadable(cluster, reason));
        }
        // Still covering the clusters it covered: a cluster whose objects are all gone shows
        // each as absent.
        state = with_descriptions(&state, live, &clusters_of(&state), &req.current_state);
        if let Value::Object(entries) = &mut state {
            entries.insert("releases".into(), releases_value(releases));
        }
    }
    ReadResponse {
        new_state: state,
        private: req.private,
        diagnostics,
    }
}

/// What an entry of a cluster that could not be read holds in state until it can be: never
/// the planned text, so that the plan shows the entry as a change (DESIGN.md §7: an
/// unreadable cluster never looks in sync).
fn unread_marker(reason: &str) -> String {
    format!("(not read: {reason})")
}

/// Marks every entry and release of `cluster` as not read.
fn mark_unread(
    cluster: &str,
    reason: &str,
    descriptions: &mut BTreeMap<String, Value>,
    releases: &mut BTreeMap<String, Value>,
) {
    let prefix = format!("{cluster}/");
    for (key, value) in descriptions.iter_mut().chain(releases.iter_mut()) {
        if key.starts_with(&prefix) {
            *value = Value::from(unread_marker(reason));
        }
    }
}

/// The warning for a cluster that could not be read.
fn unreadable(cluster: &str, reason: &str) -> Diagnostic {
    Diagnostic::warning(
        format!("Cluster {cluster:?} could not be read"),
        format!(
            "{reason}. Its objects cannot be compared with the plan, so they are planned as \
             changes until the cluster can be read again; apply deploys them again (server-side \
             apply leaves what is already right as it is)."
        ),
    )
    .at(AttributePath::root().attr(super::state::DEVIATIONS))
}
