//! deployer = "clusternet": after apply, wait for Clusternet's controllers to write a
//! subscription's Descriptions on the hub and compare them with the plan's prediction.
//!
//! The comparison is by content, never by name (Clusternet names Bases and Descriptions with
//! random suffixes): per cluster namespace and deployer, the Generic objects by feed key and
//! the Helm charts with their values. Differences are reported as warnings that name the
//! cluster and the object, never a value (Secrets would show).

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use clusternet_deploy::cluster::Cluster;
use clusternet_deploy::connection::{ConnectionError, Timeouts};
use clusternet_deploy::error::ObjectError;
use clusternet_model::types::base::{Deployer, Description};
use clusternet_tfplugin::{Diagnostic, Diagnostics};
use serde_json::Value as Json;

use crate::config::Connection;
use clusternet_model::identity::ObjectIdentity;

const APPS: &str = "apps.clusternet.io/v1alpha1";
const SUBSCRIPTION_UID_LABEL: &str = "apps.clusternet.io/subs.uid";
const POLL: Duration = Duration::from_secs(1);

/// What one cluster's Descriptions hold, in comparable form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Content {
    /// Generic objects by feed key, as normalised JSON.
    objects: BTreeMap<String, Json>,
    /// Helm charts (`<namespace>/<name>`) with their rendered values.
    charts: BTreeMap<String, Json>,
}

/// One way Clusternet's rendering differs from the prediction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Difference {
    /// A predicted cluster has no Description.
    NotRendered { cluster: String },
    /// Clusternet rendered for a cluster the plan did not bind.
    Unexpected { cluster: String },
    /// A predicted object is missing from the cluster's Descriptions.
    Missing { cluster: String, object: String },
    /// The Descriptions hold an object the plan did not predict.
    Extra { cluster: String, object: String },
    /// The object (or chart values) differs from the prediction.
    Differs { cluster: String, object: String },
}

impl Difference {
    fn describe(&self) -> String {
        match self {
            Difference::NotRendered { cluster } => {
                format!("cluster {cluster}: no Description yet")
            }
            Difference::Unexpected { cluster } => format!(
                "cluster {cluster}: Clusternet bound it, the plan did not (its ManagedCluster \
                 labels or taints may have changed since the snapshot)"
            ),
            Difference::Missing { cluster, object } => {
                format!("cluster {cluster}: {object} was predicted, Clusternet left it out")
            }
            Difference::Extra { cluster, object } => {
                format!("cluster {cluster}: {object} is rendered, the plan did not predict it")
            }
            Difference::Differs { cluster, object } => {
                format!("cluster {cluster}: {object} is rendered differently")
            }
        }
    }
}

/// Waits up to `timeout` for the Descriptions of Subscription `namespace/name` to match
/// `predicted` (the Description objects the plan rendered; `clusters` maps each cluster
/// namespace to its cluster name) and returns warnings for what still differs then. An
/// unreadable hub is a warning too: the apply itself succeeded.
pub async fn verify(
    hub: &Connection,
    namespace: &str,
    name: &str,
    predicted: &[Json],
    clusters: &BTreeMap<String, String>,
    timeout: Duration,
) -> Diagnostics {
    match wait_for_match(hub, namespace, name, predicted, clusters, timeout).await {
        Ok(differences) if differences.is_empty() => Diagnostics::new(),
        Ok(differences) => {
            let lines: Vec<String> = differences
                .iter()
                .map(|d| format!("- {}", d.describe()))
                .collect();
            Diagnostic::warning(
                format!("Clusternet's rendering of {namespace}/{name} differs from the plan"),
                format!(
                    "After {} the hub's Descriptions still differ from the prediction:\n{}\n\
                     Check that Clusternet's controllers run on the hub, and the overrides and \
                     ManagedClusters they see (`kubectl get descriptions -A -l \
                     {SUBSCRIPTION_UID_LABEL}=...`). Values are not shown.",
                    shown(timeout),
                    lines.join("\n")
                ),
            )
            .into()
        }
        Err(error) => Diagnostic::warning(
            format!("Clusternet's rendering of {namespace}/{name} was not checked"),
            format!("{error}. The objects were written to the hub."),
        )
        .into(),
    }
}

fn shown(timeout: Duration) -> String {
    format!("{}s", timeout.as_secs())
}

async fn wait_for_match(
    hub: &Connection,
    namespace: &str,
    name: &str,
    predicted: &[Json],
    clusters: &BTreeMap<String, String>,
    timeout: Duration,
) -> Result<Vec<Difference>, CheckError> {
    let deadline = Instant::now() + timeout;
    let hub = Cluster::connect("hub", &hub.deploy_config(), Timeouts::default())
        .await
        .map_err(CheckError::Connect)?;
    let expected = contents(predicted.iter().cloned());
    let uid = subscription_uid(&hub, namespace, name).await?;
    loop {
        let live = hub
            .list(
                APPS,
                "Description",
                None,
                Some(&format!("{SUBSCRIPTION_UID_LABEL}={uid}")),
            )
            .await
            .map_err(CheckError::ListDescriptions)?;
        let differences = compare(&expected, &contents(live), clusters);
        if differences.is_empty() || Instant::now() >= deadline {
            return Ok(differences);
        }
        tokio::time::sleep(POLL.min(deadline.saturating_duration_since(Instant::now()))).await;
    }
}

/// Why Clusternet's rendering could not be compared with the prediction.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// No client for the hub.
    #[error("the hub cannot be connected to: {0}")]
    Connect(ConnectionError),
    /// The Subscription could not be read.
    #[error("Subscription {subscription} cannot be read: {source}")]
    ReadSubscription {
        /// `<namespace>/<name>`.
        subscription: String,
        /// The deploy layer's error.
        source: ObjectError,
    },
    /// The Subscription is not on the hub.
    #[error("Subscription {0} is not on the hub")]
    NoSubscription(String),
    /// The Subscription has no uid to find its Descriptions by.
    #[error("Subscription {0} has no uid")]
    NoUid(String),
    /// The Descriptions could not be listed.
    #[error("the hub's Descriptions cannot be listed: {0}")]
    ListDescriptions(ObjectError),
}

async fn subscription_uid(
    hub: &Cluster,
    namespace: &str,
    name: &str,
) -> Result<String, CheckError> {
    let reference = clusternet_model::identity::ObjectIdentity::new(
        APPS,
        "Subscription",
        Some(namespace),
        name,
    );
    let subscription = format!("{namespace}/{name}");
    let object = hub
        .get(&reference)
        .await
        .map_err(|source| CheckError::ReadSubscription {
            subscription: subscription.clone(),
            source,
        })?
        .ok_or_else(|| CheckError::NoSubscription(subscription.clone()))?;
    object["metadata"]["uid"]
        .as_str()
        .map(str::to_string)
        .ok_or(CheckError::NoUid(subscription))
}

/// The content of Description objects, by namespace.
fn contents(descriptions: impl IntoIterator<Item = Json>) -> BTreeMap<String, Content> {
    let mut out: BTreeMap<String, Content> = BTreeMap::new();
    for object in descriptions {
        let Ok(description) = serde_json::from_value::<Description>(object) else {
            continue;
        };
        let content = out
            .entry(description.metadata.namespace.clone())
            .or_default();
        match description.spec.deployer {
            Deployer::Generic => {
                for raw in &description.spec.raw {
                    // Raw bytes that are no object with an identity cannot be a feed.
                    let Ok(object) = serde_json::from_str::<Json>(raw) else {
                        continue;
                    };
                    let Ok(identity) = ObjectIdentity::of(&object) else {
                        continue;
                    };
                    content
                        .objects
                        .insert(identity.to_string(), normalised(object));
                }
            }
            Deployer::Helm => {
                for (i, chart) in description.spec.charts.iter().enumerate() {
                    let values = description
                        .spec
                        .raw
                        .get(i)
                        .map(|v| values_of(v))
                        .unwrap_or(Json::Null);
                    content
                        .charts
                        .insert(format!("{}/{}", chart.namespace, chart.name), values);
                }
            }
        }
    }
    out
}

/// Helm values as JSON; a blank buffer (Clusternet's `" "`) is no values.
fn values_of(raw: &str) -> Json {
    match raw.trim() {
        "" => Json::Object(Default::default()),
        text => serde_json::from_str(text).unwrap_or(Json::String(text.to_string())),
    }
}

/// What the hub adds to a stored feed that the prediction cannot know.
fn normalised(mut object: Json) -> Json {
    if let Some(meta) = object.get_mut("metadata").and_then(Json::as_object_mut) {
        for field in [
            "uid",
            "resourceVersion",
            "creationTimestamp",
            "generation",
            "managedFields",
        ] {
            meta.remove(field);
        }
    }
    object
}

fn compare(
    expected: &BTreeMap<String, Content>,
    live: &BTreeMap<String, Content>,
    clusters: &BTreeMap<String, String>,
) -> Vec<Difference> {
    let cluster = |ns: &String| clusters.get(ns).cloned().unwrap_or_else(|| ns.clone());
    let mut differences = Vec::new();
    let namespaces: BTreeSet<&String> = expected.keys().chain(live.keys()).collect();
    for ns in namespaces {
        let name = cluster(ns);
        let (want, got) = match (expected.get(ns), live.get(ns)) {
            (Some(want), Some(got)) => (want, got),
            (Some(_), None) => {
                differences.push(Difference::NotRendered { cluster: name });
                continue;
            }
            (None, Some(_)) => {
                differences.push(Difference::Unexpected { cluster: name });
                continue;
            }
            (None, None) => continue,
        };
        let charts = |m: &BTreeMap<String, Json>| -> BTreeMap<String, Json> {
            m.iter()
                .map(|(k, v)| (format!("HelmChart {k}"), v.clone()))
                .collect()
        };
        for (want, got) in [
            (want.objects.clone(), got.objects.clone()),
            (charts(&want.charts), charts(&got.charts)),
        ] {
            let keys: BTreeSet<&String> = want.keys().chain(got.keys()).collect();
            for key in keys {
                let object = key.clone();
                let cluster = name.clone();
                match (want.get(key), got.get(key)) {
                    (Some(a), Some(b)) if a == b => {}
                    (Some(_), Some(_)) => differences.push(Difference::Differs { cluster, object }),
                    (Some(_), None) => differences.push(Difference::Missing { cluster, object }),
                    (None, Some(_)) => differences.push(Difference::Extra { cluster, object }),
                    (None, None) => {}
                }
            }
        }
    }
    differences
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn description(ns: &str, deployer: &str, raw: &[&str], charts: Json) -> Json {
        use base64::Engine as _;
        let engine = base64::engine::general_purpose::STANDARD;
        json!({
            "apiVersion": APPS,
            "kind": "Description",
            "metadata": {"name": format!("app-x1y2z-{}", deployer.to_lowercase()), "namespace": ns},
            "spec": {
                "deployer": deployer,
                "raw": raw.iter().map(|r| engine.encode(r)).collect::<Vec<_>>(),
                "charts": charts,
            }
        })
    }

    fn clusters() -> BTreeMap<String, String> {
        BTreeMap::from([
            ("clusternet-a".to_string(), "a".to_string()),
            ("clusternet-b".to_string(), "b".to_string()),
        ])
    }

    const MAP: &str = r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"s","namespace":"web"},"data":{"color":"blue"}}"#;

    #[test]
    fn the_same_content_under_other_names_and_with_server_fields_matches() {
        let predicted = contents([description("clusternet-a", "Generic", &[MAP], json!([]))]);
        let with_uid = MAP.replace(r#""name":"s""#, r#""name":"s","uid":"1234""#);
        let mut live = description("clusternet-a", "Generic", &[&with_uid], json!([]));
        live["metadata"]["name"] = json!("app-zzzzz-generic");
        assert!(compare(&predicted, &contents([live]), &clusters()).is_empty());
    }

    #[test]
    fn every_kind_of_difference_names_cluster_and_object_only() {
        let predicted = contents([
            description("clusternet-a", "Generic", &[MAP], json!([])),
            description(
                "clusternet-a",
                "Helm",
                &[r#"{"replicas":2}"#],
                json!([{"namespace": "web", "name": "chart"}]),
            ),
            description("clusternet-b", "Generic", &[MAP], json!([])),
        ]);
        let purple = MAP.replace("blue", "purple");
        let other = MAP.replace(r#""name":"s""#, r#""name":"t""#);
        let live = contents([
            description("clusternet-a", "Generic", &[&purple, &other], json!([])),
            description(
                "clusternet-a",
                "Helm",
                &[r#"{"replicas":3}"#],
                json!([{"namespace": "web", "name": "chart"}]),
            ),
            description("clusternet-c", "Generic", &[MAP], json!([])),
        ]);
        let differences = compare(&predicted, &live, &clusters());
        assert_eq!(
            differences,
            [
                Difference::Differs {
                    cluster: "a".into(),
                    object: "v1/ConfigMap/web/s".into()
                },
                Difference::Extra {
                    cluster: "a".into(),
                    object: "v1/ConfigMap/web/t".into()
                },
                Difference::Differs {
                    cluster: "a".into(),
                    object: "HelmChart web/chart".into()
                },
                Difference::NotRendered {
                    cluster: "b".into()
                },
                Difference::Unexpected {
                    cluster: "clusternet-c".into()
                },
            ]
        );
        let text: String = differences.iter().map(Difference::describe).collect();
        assert!(!text.contains("purple") && !text.contains("blue"), "{text}");
    }

    #[test]
    fn blank_helm_values_are_no_values() {
        assert_eq!(values_of(" "), json!({}));
        assert_eq!(values_of(r#"{"a":1}"#), json!({"a": 1}));
    }
}
