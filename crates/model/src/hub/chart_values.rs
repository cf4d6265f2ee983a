//! `clusternet_helm_chart.values`: default values of a chart, carried in the feed and turned
//! by the subscription into what they are in Clusternet terms - a Globalization of priority 0
//! for every cluster, with one `Helm` override holding the values. Overrides of the chart
//! (any Localization, and Globalizations of priority 0 or more ordered after it) win over them.

use serde_json::{Value as Json, json};

/// The feed field that carries the values; never part of the HelmChart object itself.
pub const FIELD: &str = "defaultValues";

/// The priority of the generated Globalization: the lowest, so every override wins.
pub const PRIORITY: i64 = 0;

/// The `apps.clusternet.io/owned-by-description` mark of the generated Globalization, also
/// on the copy written to the hub: the hub snapshot and import tell it from users' overrides
/// by it (it belongs to the chart's configuration, not to the hub).
pub const HUB_MARK: &str = "terraform.helm-chart-values";

/// The annotation carrying [`HUB_MARK`].
const MARK_ANNOTATION: &str = "apps.clusternet.io/owned-by-description";

/// The name of the Globalization holding the values of the chart `namespace/name`.
pub fn globalization_name(namespace: &str, name: &str) -> String {
    format!("{namespace}-{name}-default-values")
}

/// Whether `object` is a Globalization generated from a chart's values.
pub fn is_chart_values(object: &Json) -> bool {
    object["kind"] == "Globalization"
        && object["metadata"]["annotations"][MARK_ANNOTATION].as_str() == Some(HUB_MARK)
}

/// Puts `values` into the feed `chart`.
pub fn attach(chart: &mut Json, values: Json) {
    if let Some(map) = chart.as_object_mut() {
        map.insert(FIELD.to_string(), values);
    }
}

/// Takes the values out of the feed `chart` (leaving the plain HelmChart) and returns the
/// Globalization that applies them, if there were any.
pub fn take(chart: &mut Json) -> Option<Json> {
    if chart["kind"] != "HelmChart" {
        return None;
    }
    let values = chart.as_object_mut()?.remove(FIELD)?;
    let namespace = chart["metadata"]["namespace"]
        .as_str()
        .unwrap_or(crate::types::DEFAULT_NAMESPACE);
    let name = chart["metadata"]["name"].as_str().unwrap_or_default();
    Some(json!({
        "apiVersion": "apps.clusternet.io/v1alpha1",
        "kind": "Globalization",
        "metadata": {
            "name": globalization_name(namespace, name),
            "annotations": {MARK_ANNOTATION: HUB_MARK},
        },
        "spec": {
            "feed": {
                "apiVersion": "apps.clusternet.io/v1alpha1",
                "kind": "HelmChart",
                "namespace": namespace,
                "name": name,
            },
            "overridePolicy": "ApplyNow",
            "priority": PRIORITY,
            "overrides": [{
                "name": "clusternet_helm_chart values",
                "type": "Helm",
                "value": crate::json::to_compact(&values),
            }],
        },
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_leave_the_feed_as_a_priority_zero_globalization() {
        let mut chart = json!({
            "apiVersion": "apps.clusternet.io/v1alpha1", "kind": "HelmChart",
            "metadata": {"name": "web", "namespace": "apps"},
            "spec": {"repo": "https://charts.example.com", "chart": "web", "targetNamespace": "web"},
        });
        let plain = chart.clone();
        attach(&mut chart, json!({"greeting": "hi"}));
        let globalization = take(&mut chart).unwrap();
        assert_eq!(chart, plain);
        assert_eq!(globalization["spec"]["priority"], json!(0));
        assert_eq!(globalization["spec"]["feed"]["name"], json!("web"));
        assert_eq!(
            globalization["spec"]["overrides"][0]["value"],
            json!(r#"{"greeting":"hi"}"#)
        );
        assert!(is_chart_values(&globalization));
        assert_eq!(globalization["metadata"]["name"], "apps-web-default-values");
        assert_eq!(take(&mut chart), None);
    }
}
