//! `clusternet_helm_chart.values`: default values of a chart, carried in the feed and turned
//! by the subscription into what they are in Clusternet terms - a Globalization of priority 0
//! for every cluster, with one `Helm` override holding the values. Overrides of the chart
//! (any Localization, and Globalizations of priority 0 or more ordered after it) win over them.

use serde_json::{Value as Json, json};

/// The feed field that carries the values; never part of the HelmChart object itself.
pub const FIELD: &str = "defaultValues";

/// The priority of the generated Globalization: the lowest, so every override wins.
pub const PRIORITY: i64 = 0;

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
    let namespace = chart["metadata"]["namespace"].as_str().unwrap_or("default");
    let name = chart["metadata"]["name"].as_str().unwrap_or_default();
    Some(json!({
        "apiVersion": "apps.clusternet.io/v1alpha1",
        "kind": "Globalization",
        "metadata": {"name": format!("{namespace}-{name}-default-values")},
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
                "value": clusternet_model::json::to_compact(&values),
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
        assert_eq!(take(&mut chart), None);
    }
}
