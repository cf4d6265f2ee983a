//! How a subscription names the overrides it passes (ADR 0030).
//!
//! `clusternet_localization.x.ref` is a handle, `Localization/<namespace>/<name>` or
//! `Globalization/<name>`, not the override object: an edit of the override then shows once,
//! in its own `override` blocks, and its effect in the subscription's preview, with nothing
//! marked sensitive that is not a Secret. The object itself travels inside the provider:
//!
//! - the override's plan, apply and import record it in this process's [`KnownOverrides`]
//!   (Terraform plans and applies an override before any subscription that refers to it);
//! - the subscription's plan stores the objects it rendered with in its planned private
//!   state, apply in its private state, and refresh records there what this run's overrides
//!   hold, because an unchanged override is not planned again during apply;
//! - with a hub, the hub snapshot holds the overrides of other configurations.
//!
//! A JSON object in `overrides` (what `ref` held before) is still accepted as it is.

use std::collections::BTreeMap;
use std::sync::Mutex;

use serde_json::{Value as Json, json};

use clusternet_tfplugin::Value;

use crate::attrs::{self, Field};
use crate::snapshot::{APPS, HubSnapshot, OverrideId};
use clusternet_model::names;

/// The kinds a handle names.
const KINDS: [&str; 2] = ["Localization", "Globalization"];

impl OverrideId {
    /// The handle `ref` exports: `Localization/<namespace>/<name>` or `Globalization/<name>`.
    pub fn handle(&self) -> String {
        if self.namespace.is_empty() {
            format!("{}/{}", self.kind, self.name)
        } else {
            format!("{}/{}/{}", self.kind, self.namespace, self.name)
        }
    }

    /// Reads a handle; `None` when `text` is not one (kind, and names Kubernetes accepts).
    pub fn from_handle(text: &str) -> Option<OverrideId> {
        let segments: Vec<&str> = text.split('/').collect();
        let (kind, namespace, name) = match segments.as_slice() {
            ["Localization", namespace, name] => ("Localization", *namespace, *name),
            ["Globalization", name] => ("Globalization", "", *name),
            _ => return None,
        };
        if (!namespace.is_empty() && names::check_dns_label(namespace).is_err())
            || names::check_dns_subdomain(name).is_err()
        {
            return None;
        }
        Some(OverrideId {
            kind: kind.to_string(),
            namespace: namespace.to_string(),
            name: name.to_string(),
        })
    }

    /// The smallest object that identifies it on the hub (for a removal).
    pub fn reference_object(&self) -> Json {
        let mut metadata = json!({ "name": self.name });
        if !self.namespace.is_empty() {
            metadata["namespace"] = Json::from(self.namespace.clone());
        }
        json!({ "apiVersion": APPS, "kind": self.kind, "metadata": metadata })
    }
}

/// One entry of a subscription's `overrides`.
#[derive(Debug, Clone, PartialEq)]
pub enum OverrideRef {
    /// A handle, resolved through [`Sources`].
    Handle(OverrideId),
    /// An override object given as JSON.
    Object(Json),
}

/// Why an entry of `overrides` names no override.
#[derive(Debug, thiserror::Error)]
#[error(
    "{0:?} is neither the `ref` of a clusternet_localization or clusternet_globalization \
     (`Localization/<namespace>/<name>`, `Globalization/<name>`) nor an override object as JSON"
)]
pub struct InvalidRef(pub String);

impl OverrideRef {
    /// Reads one entry of `overrides`.
    pub fn parse(text: &str) -> Result<OverrideRef, InvalidRef> {
        if let Some(id) = OverrideId::from_handle(text.trim()) {
            return Ok(OverrideRef::Handle(id));
        }
        match clusternet_model::json::parse(text) {
            Ok(object)
                if object["apiVersion"] == APPS
                    && KINDS.contains(&object["kind"].as_str().unwrap_or_default())
                    && OverrideId::of(&object).is_some() =>
            {
                Ok(OverrideRef::Object(object))
            }
            _ => Err(InvalidRef(text.chars().take(80).collect())),
        }
    }

    /// The override it names.
    pub fn id(&self) -> Option<OverrideId> {
        match self {
            OverrideRef::Handle(id) => Some(id.clone()),
            OverrideRef::Object(object) => OverrideId::of(object),
        }
    }
}

/// The override objects this provider process has planned, applied or imported, by identity.
#[derive(Debug, Default)]
pub struct KnownOverrides(Mutex<BTreeMap<OverrideId, Json>>);

impl KnownOverrides {
    /// Records `object`, an override this process planned, applied or imported.
    pub fn record(&self, object: &Json) {
        if let Some(id) = OverrideId::of(object) {
            self.0
                .lock()
                .expect("known overrides lock")
                .insert(id, object.clone());
        }
    }

    /// The object recorded for `id`.
    pub fn get(&self, id: &OverrideId) -> Option<Json> {
        self.0
            .lock()
            .expect("known overrides lock")
            .get(id)
            .cloned()
    }
}

/// Where a subscription's handles are resolved, in this order.
pub struct Sources<'a> {
    /// What this process planned, applied or imported.
    pub known: &'a KnownOverrides,
    /// What the subscription rendered with before (its planned or prior private state).
    pub recorded: Vec<Json>,
    /// The hub's copies, when there is a hub.
    pub snapshot: Option<&'a HubSnapshot>,
}

/// An override passed by handle that no source holds.
#[derive(Debug, thiserror::Error)]
#[error(
    "{} is passed in `overrides`, but this provider has not planned it in this run and {}",
    .id,
    if *.with_hub { "the hub holds no such object" } else { "there is no hub to read it from" }
)]
pub struct UnresolvedRef {
    /// The override.
    pub id: OverrideId,
    /// Whether a hub was looked at.
    pub with_hub: bool,
}

impl Sources<'_> {
    /// The objects `refs` name, in order.
    pub fn resolve(&self, refs: &[OverrideRef]) -> Result<Vec<Json>, (usize, UnresolvedRef)> {
        refs.iter()
            .enumerate()
            .map(|(i, r)| match r {
                OverrideRef::Object(object) => Ok(object.clone()),
                OverrideRef::Handle(id) => self.find(id).ok_or_else(|| {
                    (
                        i,
                        UnresolvedRef {
                            id: id.clone(),
                            with_hub: self.snapshot.is_some(),
                        },
                    )
                }),
            })
            .collect()
    }

    fn find(&self, id: &OverrideId) -> Option<Json> {
        self.known
            .get(id)
            .or_else(|| {
                self.recorded
                    .iter()
                    .find(|o| OverrideId::of(o).as_ref() == Some(id))
                    .cloned()
            })
            .or_else(|| self.snapshot.and_then(|s| s.override_object(id).cloned()))
    }
}

/// A subscription's private state: the override objects it rendered with.
#[derive(serde::Serialize, serde::Deserialize, Default)]
struct Private {
    overrides: Vec<Json>,
}

/// The private state recording `objects`; empty when there are none.
pub fn private_state(objects: &[Json]) -> Vec<u8> {
    if objects.is_empty() {
        return Vec::new();
    }
    serde_json::to_vec(&Private {
        overrides: objects.to_vec(),
    })
    .expect("JSON values serialize")
}

/// The override objects a private state records (none when it is empty or not ours).
pub fn recorded(private: &[u8]) -> Vec<Json> {
    serde_json::from_slice::<Private>(private)
        .map(|p| p.overrides)
        .unwrap_or_default()
}

/// The private state of a subscription `state` after a refresh: for each override it passes
/// by handle, the object this process planned in this run (Terraform refreshes a subscription
/// after planning the overrides it refers to), else the one recorded before.
pub fn refreshed(private: &[u8], state: &Value, known: &KnownOverrides) -> Vec<u8> {
    let Field::Known(entries) = attrs::string_list(state, "overrides") else {
        return private.to_vec();
    };
    // What this process planned, else what was recorded: resolution without the hub.
    let sources = Sources {
        known,
        recorded: recorded(private),
        snapshot: None,
    };
    let objects: Vec<Json> = entries
        .iter()
        .filter_map(|text| match OverrideRef::parse(text).ok()? {
            OverrideRef::Handle(id) => sources.find(&id),
            OverrideRef::Object(_) => None,
        })
        .collect();
    private_state(&objects)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn localization(name: &str, priority: i64) -> Json {
        json!({"apiVersion": APPS, "kind": "Localization",
               "metadata": {"namespace": "clusternet-c1", "name": name},
               "spec": {"priority": priority}})
    }

    #[test]
    fn handles_round_trip_and_reject_what_kubernetes_would() {
        for handle in ["Localization/clusternet-c1/color", "Globalization/size.v2"] {
            let id = OverrideId::from_handle(handle).unwrap();
            assert_eq!(id.handle(), handle);
        }
        for bad in [
            "Localization/color",
            "Globalization/ns/size",
            "Manifest/ns/x",
            "Localization/Upper/x",
            "Globalization/../x",
            "Localization/ns/",
            "",
        ] {
            assert!(OverrideId::from_handle(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn an_entry_is_a_handle_or_an_override_object() {
        assert_eq!(
            OverrideRef::parse("Globalization/size").unwrap().id(),
            OverrideId::from_handle("Globalization/size")
        );
        let object = localization("color", 500);
        let parsed = OverrideRef::parse(&object.to_string()).unwrap();
        assert_eq!(parsed, OverrideRef::Object(object));
        for bad in ["{}", r#"{"kind":"ConfigMap"}"#, "not a ref", "[1]"] {
            let e = OverrideRef::parse(bad).unwrap_err().to_string();
            assert!(e.contains("Localization/<namespace>/<name>"), "{e}");
        }
    }

    #[test]
    fn this_process_wins_over_what_the_subscription_recorded() {
        let known = KnownOverrides::default();
        known.record(&localization("color", 700));
        let sources = Sources {
            known: &known,
            recorded: vec![localization("color", 500), localization("size", 500)],
            snapshot: None,
        };
        let refs = [
            OverrideRef::parse("Localization/clusternet-c1/color").unwrap(),
            OverrideRef::parse("Localization/clusternet-c1/size").unwrap(),
        ];
        let resolved = sources.resolve(&refs).unwrap();
        assert_eq!(resolved[0]["spec"]["priority"], 700);
        assert_eq!(resolved[1]["metadata"]["name"], "size");

        let missing = [OverrideRef::parse("Globalization/gone").unwrap()];
        let (index, e) = sources.resolve(&missing).unwrap_err();
        assert_eq!(index, 0);
        assert!(e.to_string().contains("there is no hub"), "{e}");
    }

    #[test]
    fn private_state_round_trips_and_tolerates_foreign_bytes() {
        let objects = vec![localization("color", 500)];
        assert_eq!(recorded(&private_state(&objects)), objects);
        assert!(private_state(&[]).is_empty());
        assert!(recorded(b"").is_empty());
        assert!(recorded(b"\x00garbage").is_empty());
    }
}
