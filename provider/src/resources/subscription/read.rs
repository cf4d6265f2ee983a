//! ReadResource: what is deployed now, so that drift shows as a diff in the next plan.

use std::collections::BTreeMap;

use clusternet_tfplugin::provider::{ReadRequest, ReadResponse};
use clusternet_tfplugin::{Diagnostics, Value};

use super::markers::SecretMarkers;
use super::state::releases_value;
use crate::attrs;
use crate::charts;
use crate::config::{Deployer, ProviderConfig};
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
    let id = attrs::string(&state, "id").known().unwrap_or_default();
    if let Some(descriptions) = state
        .get("descriptions")
        .and_then(Value::as_entries)
        .cloned()
    {
        // The plan's marker key; a state from before keys has none, and shows a drifted
        // Secret value as a bare marker until its next apply makes one (ADR 0008).
        let markers = SecretMarkers::of_state(&state);
        let redact = |value: &str| markers.marker(value);
        let live = targets::read(inventory, &id, &descriptions, &redact).await;
        let mut live: BTreeMap<String, Value> =
            live.into_iter().map(|(k, v)| (k, Value::from(v))).collect();
        let mut releases = state
            .get("releases")
            .and_then(Value::as_entries)
            .cloned()
            .unwrap_or_default();
        charts::drift::read(inventory, &mut live, &mut releases).await;
        charts::drift::read_objects(inventory, &mut live).await;
        charts::drift::read_files(inventory, &id, &mut live, &mut releases);
        if let Value::Object(entries) = &mut state {
            entries.insert("descriptions".into(), Value::Map(live));
            entries.insert("releases".into(), releases_value(releases));
        }
    }
    ReadResponse {
        new_state: state,
        private: req.private,
        diagnostics: Diagnostics::new(),
    }
}
