//! State upgrades of `clusternet_subscription` (UpgradeResourceState), so that a change of
//! how entries are keyed never shows as a diff, nor makes apply redo what is deployed.
//!
//! * Version 0 -> 1: an object a chart templates without a namespace, of a namespaced kind,
//!   is keyed in the release namespace, where helm installs it
//!   (`<cluster>/helm/<release>/<apiVersion>/<Kind>/<namespace>/<name>`); version 0 left the
//!   namespace out of its key.
//! * Version 1 -> 2: the per-cluster `descriptions` (`<cluster>/<object key>` to entry) is
//!   grouped by identical rendering into `descriptions`, `deviations` and
//!   `description_clusters` (ADR 0026).
//! * Version 2 -> 3: `overrides` holds handles (`Localization/<namespace>/<name>`), the
//!   overrides' `ref` since ADR 0030, instead of the override objects as JSON.

use std::collections::BTreeMap;

use clusternet_model::json;
use clusternet_model::preview::PreviewKey;
use clusternet_model::scope::Scopes;
use clusternet_tfplugin::Value;
use serde_json::Value as Json;

use super::state::with_descriptions;
use crate::charts::plan::chart_releases;
use crate::charts::release::ChartRelease;
use crate::override_handles::OverrideRef;

/// The schema version this provider writes.
pub const SCHEMA_VERSION: i64 = 3;

/// `state`, written with schema `version`, as this schema version keys it.
pub fn upgrade(version: i64, mut state: Value) -> Value {
    if version >= SCHEMA_VERSION || state.is_null() {
        return state;
    }
    if version < 1 {
        state = namespace_templated_keys(state);
    }
    if version < 2 {
        state = group_per_cluster_entries(state);
    }
    overrides_as_handles(state)
}

/// Version 2 -> 3: each override object in `overrides` replaced by its handle.
fn overrides_as_handles(state: Value) -> Value {
    let Value::Object(mut entries) = state else {
        return state;
    };
    if let Some(Value::List(items)) = entries.get_mut("overrides") {
        for item in items.iter_mut() {
            let handle = item
                .as_str()
                .and_then(|text| OverrideRef::parse(text).ok()?.id())
                .map(|id| id.handle());
            if let Some(handle) = handle {
                *item = Value::from(handle);
            }
        }
    }
    Value::Object(entries)
}

/// The per-cluster `descriptions` of a version 0 or 1 state.
fn per_cluster(state: &Value) -> BTreeMap<String, Value> {
    state
        .get("descriptions")
        .and_then(Value::as_entries)
        .cloned()
        .unwrap_or_default()
}

/// Version 1 -> 2: the per-cluster entries grouped by identical rendering.
fn group_per_cluster_entries(state: Value) -> Value {
    let entries = per_cluster(&state);
    with_descriptions(&state, entries, &[], &Value::Null)
}

/// Version 0 -> 1: templated objects keyed in their release namespace.
fn namespace_templated_keys(mut state: Value) -> Value {
    let descriptions = per_cluster(&state);
    if descriptions.is_empty() {
        return state;
    }
    // Per release, the scopes its chart's own CRDs declare, as at plan.
    let releases: Vec<(ChartRelease, Scopes)> = chart_releases(&descriptions)
        .into_iter()
        .map(|release| {
            let crds: Vec<Json> = descriptions
                .iter()
                .filter(|(k, _)| release.templates(k))
                .filter_map(|(_, v)| json::parse(v.as_str()?).ok())
                .collect();
            let scopes = Scopes::with_crds(&crds);
            (release, scopes)
        })
        .collect();
    let mut upgraded = BTreeMap::new();
    for (key, text) in &descriptions {
        let moved = releases.iter().find_map(|(release, scopes)| {
            let identity = release.templated_object(key)?;
            let identity = scopes.in_release_namespace(identity, &release.namespace);
            Some(PreviewKey::templated(&release.cluster, &release.name, identity).to_string())
        });
        upgraded.insert(moved.unwrap_or_else(|| key.clone()), text.clone());
    }
    if let Value::Object(attributes) = &mut state {
        attributes.insert("descriptions".into(), Value::Map(upgraded));
    }
    state
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(entries: &[(&str, &str)]) -> Value {
        let map = entries
            .iter()
            .map(|(k, v)| (k.to_string(), Value::from(*v)))
            .collect();
        let mut attributes = BTreeMap::new();
        attributes.insert("id".to_string(), Value::from("default/web"));
        attributes.insert("descriptions".to_string(), Value::Map(map));
        Value::Object(attributes)
    }

    const CHART: &str = r#"{"chart":{"apiVersion":"apps.clusternet.io/v1alpha1","kind":"HelmChart","metadata":{"name":"web","namespace":"default"},"spec":{"chart":"web","repo":"http://127.0.0.1/charts","targetNamespace":"shop","version":"0.1.0"}},"values":{}}"#;
    const CRD: &str = r#"{"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"gadgets.example.com"},"spec":{"group":"example.com","names":{"kind":"Gadget"},"scope":"Cluster"}}"#;

    #[test]
    fn version_0_templated_keys_move_into_the_release_namespace() {
        let old = state(&[
            ("eu-1/helm/default/web", CHART),
            ("eu-1/helm/web/v1/ConfigMap/settings", "{}"),
            ("eu-1/helm/web/v1/ConfigMap/other/kept", "{}"),
            (
                "eu-1/helm/web/rbac.authorization.k8s.io/v1/ClusterRole/reader",
                "{}",
            ),
            (
                "eu-1/helm/web/apiextensions.k8s.io/v1/CustomResourceDefinition/gadgets.example.com",
                CRD,
            ),
            ("eu-1/helm/web/example.com/v1/Gadget/g", "{}"),
            ("eu-1/helm/web/example.com/v1/Widget/w", "{}"),
            ("eu-1/v1/ConfigMap/default/plain", "{}"),
        ]);
        let new = namespace_templated_keys(old);
        let keys: Vec<String> = per_cluster(&new).into_keys().collect();
        assert_eq!(
            keys,
            [
                "eu-1/helm/default/web",
                "eu-1/helm/web/apiextensions.k8s.io/v1/CustomResourceDefinition/gadgets.example.com",
                "eu-1/helm/web/example.com/v1/Gadget/g",
                "eu-1/helm/web/example.com/v1/Widget/shop/w",
                "eu-1/helm/web/rbac.authorization.k8s.io/v1/ClusterRole/reader",
                "eu-1/helm/web/v1/ConfigMap/other/kept",
                "eu-1/helm/web/v1/ConfigMap/shop/settings",
                "eu-1/v1/ConfigMap/default/plain",
            ]
        );
        assert_eq!(new.get("id"), Some(&Value::from("default/web")));
    }

    #[test]
    fn version_1_entries_are_grouped_and_expand_to_what_they_were() {
        let old = state(&[
            ("eu-1/v1/ConfigMap/default/plain", r#"{"data":{"a":"1"}}"#),
            ("eu-2/v1/ConfigMap/default/plain", r#"{"data":{"a":"1"}}"#),
            ("us-1/v1/ConfigMap/default/plain", r#"{"data":{"a":"2"}}"#),
        ]);
        let new = upgrade(1, old.clone());
        assert_eq!(
            new.get("descriptions"),
            Some(&Value::Map(BTreeMap::from([(
                "v1/ConfigMap/default/plain".to_string(),
                Value::from(r#"{"data":{"a":"1"}}"#)
            )])))
        );
        assert_eq!(
            super::super::state::descriptions_of(&new),
            per_cluster(&old)
        );
    }

    #[test]
    fn current_states_are_left_alone() {
        let current = state(&[
            ("eu-1/helm/default/web", CHART),
            ("eu-1/helm/web/v1/ConfigMap/settings", "{}"),
        ]);
        assert_eq!(upgrade(SCHEMA_VERSION, current.clone()), current);
        assert_eq!(upgrade(0, Value::Null), Value::Null);
    }

    #[test]
    fn version_2_override_objects_become_handles() {
        let object = r#"{"apiVersion":"apps.clusternet.io/v1alpha1","kind":"Localization","metadata":{"name":"color","namespace":"clusternet-c1"},"spec":{"priority":500}}"#;
        let mut old = state(&[]);
        if let Value::Object(entries) = &mut old {
            entries.insert(
                "overrides".into(),
                Value::List(vec![Value::from(object), Value::from("Globalization/size")]),
            );
        }
        let upgraded = upgrade(2, old);
        assert_eq!(
            upgraded.get("overrides"),
            Some(&Value::List(vec![
                Value::from("Localization/clusternet-c1/color"),
                Value::from("Globalization/size"),
            ]))
        );
        assert_eq!(upgraded.get("descriptions"), state(&[]).get("descriptions"));
    }
}
