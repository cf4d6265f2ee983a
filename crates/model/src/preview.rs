//! The Terraform preview format (DESIGN.md §6): one map per Subscription, from
//! `<cluster>/<apiVersion>/<Kind>/<namespace>/<name>` (namespace omitted for
//! cluster-scoped objects) and `<cluster>/helm/<chart namespace>/<chart name>` to
//! compact, sorted-key JSON. Terraform diffs such a map key by key and field by field.
//! The keys are [`PreviewKey`]s.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::render::SubscriptionRender;

pub mod grouped;
pub mod key;

pub use key::{PreviewKey, Previewed, ReleaseKey};

/// The preview of one Subscription, values shown as rendered.
pub fn preview(result: &SubscriptionRender) -> BTreeMap<String, String> {
    build(result, None)
}

/// The preview with the values of `v1` Secrets (`data` and `stringData` entries) replaced
/// by `redact(value)` - e.g. a salted hash - so that they never appear in a plan.
pub fn preview_redacted(
    result: &SubscriptionRender,
    redact: &dyn Fn(&str) -> String,
) -> BTreeMap<String, String> {
    build(result, Some(redact))
}

fn build(
    result: &SubscriptionRender,
    redact: Option<&dyn Fn(&str) -> String>,
) -> BTreeMap<String, String> {
    let mut entries = BTreeMap::new();
    for cluster in &result.clusters {
        for object in &cluster.objects {
            let key = PreviewKey::object(&cluster.cluster_name, (*object.identity).clone());
            let is_secret = object.identity.is_secret();
            let text = match redact {
                Some(redact) if is_secret => {
                    let mut value = crate::json::parse(&object.json).unwrap_or(Value::Null);
                    redact_secret(&mut value, redact);
                    crate::json::to_compact(&value)
                }
                _ => object.json.clone(),
            };
            entries.insert(key.to_string(), text);
        }
        for chart in &cluster.charts {
            let mut entry = Map::new();
            let parse = |text: &str| crate::json::parse(text).unwrap_or(Value::Null);
            entry.insert(String::from("chart"), parse(&chart.chart));
            entry.insert(String::from("values"), parse(&chart.values));
            entries.insert(
                PreviewKey::chart(&cluster.cluster_name, &chart.namespace, &chart.name).to_string(),
                crate::json::to_compact(&Value::Object(entry)),
            );
        }
    }
    entries
}

/// Replaces every value of a Secret's `data` and `stringData` with `redact(value)`.
pub fn redact_secret(secret: &mut Value, redact: &dyn Fn(&str) -> String) {
    for field in ["data", "stringData"] {
        if let Some(map) = secret.get_mut(field).and_then(Value::as_object_mut) {
            for value in map.values_mut() {
                let text = value
                    .as_str()
                    .map(String::from)
                    .unwrap_or_else(|| value.to_string());
                *value = Value::String(redact(&text));
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::render::render;
    use crate::stream::{Source, read_sources};

    /// One cluster, one Subscription of a Namespace, a Secret and a chart.
    pub(crate) const INPUT: &str = r#"
apiVersion: clusters.clusternet.io/v1beta1
kind: ManagedCluster
metadata: {name: eu-1, namespace: clusternet-eu1ab}
spec: {clusterId: x, syncMode: Push}
---
apiVersion: apps.clusternet.io/v1alpha1
kind: Subscription
metadata: {name: app, namespace: default}
spec:
  subscribers: [{clusterAffinity: {}}]
  feeds:
  - {apiVersion: v1, kind: Namespace, name: app}
  - {apiVersion: v1, kind: Secret, namespace: app, name: creds}
  - {apiVersion: apps.clusternet.io/v1alpha1, kind: HelmChart, namespace: default, name: redis}
---
apiVersion: v1
kind: Namespace
metadata: {name: app}
---
apiVersion: v1
kind: Secret
metadata: {name: creds, namespace: app}
stringData: {password: hunter2}
---
apiVersion: apps.clusternet.io/v1alpha1
kind: HelmChart
metadata: {name: redis, namespace: default}
spec: {repo: "https://charts.example.com", chart: redis, targetNamespace: cache}
"#;

    #[test]
    fn keys_and_values() {
        let input = read_sources(&[Source {
            name: "t",
            text: INPUT,
        }])
        .unwrap();
        let output = render(&input).unwrap();
        let entries = preview_redacted(&output.subscriptions[0], &|_| String::from("(sensitive)"));
        let keys: Vec<&str> = entries.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "eu-1/helm/default/redis",
                "eu-1/v1/Namespace/app",
                "eu-1/v1/Secret/app/creds"
            ]
        );
        assert!(
            entries["eu-1/v1/Secret/app/creds"]
                .contains(r#""stringData":{"password":"(sensitive)"}"#)
        );
        assert!(entries["eu-1/helm/default/redis"].ends_with(r#""values":null}"#));
        assert!(
            entries["eu-1/v1/Namespace/app"]
                .starts_with(r#"{"apiVersion":"v1","kind":"Namespace""#)
        );
    }
}
