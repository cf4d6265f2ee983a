//! The cluster inventory with the hub's ManagedClusters merged in.
//!
//! Clusters registered on the hub are selectable like configured ones. A cluster in both
//! places is one cluster, matched by name:
//! - **labels**: the hub's labels, then the configuration's on top (configuration wins on a
//!   key both set; the hub's other labels stay);
//! - **taints**: the hub's taints and the configuration's; on the same key and effect the
//!   configuration's value wins;
//! - **namespace**: `namespace` when set in the configuration, else the ManagedCluster's
//!   namespace (its real dedicated namespace);
//! - **credentials / directory**: from the configuration only - it says where to deploy. A
//!   cluster known only from the hub has none ([`Target::HubOnly`]).

use std::collections::BTreeMap;
use std::sync::Arc;

use clusternet_model::types::TaintEffect;
use serde_json::Value as Json;

use super::{ClusterConfig, ClusterSource, ProviderConfig, TaintConfig, Target};
use crate::snapshot::HubSnapshot;

/// A ManagedCluster of the hub, as the inventory sees it.
fn hub_cluster(object: &Json) -> Option<ClusterConfig> {
    let meta = &object["metadata"];
    let name = meta["name"].as_str()?.to_string();
    let namespace = meta["namespace"].as_str()?.to_string();
    let labels = meta["labels"]
        .as_object()
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default();
    let taints = object["spec"]["taints"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| {
            Some(TaintConfig {
                key: t["key"].as_str()?.to_string(),
                value: t["value"].as_str().unwrap_or_default().to_string(),
                // A taint whose effect is none of Kubernetes' three selects like no taint.
                effect: TaintEffect::parse(t["effect"].as_str()?)?,
            })
        })
        .collect();
    Some(ClusterConfig {
        name,
        labels,
        namespace,
        taints,
        target: Target::HubOnly,
        source: ClusterSource::Hub,
        namespace_set: true,
        capacity: None,
    })
}

/// `configured` merged with the hub's view of the same cluster (module docs).
fn merge(configured: &ClusterConfig, hub: ClusterConfig) -> ClusterConfig {
    let mut labels = hub.labels;
    labels.extend(configured.labels.clone());
    let mut taints: Vec<TaintConfig> = hub
        .taints
        .into_iter()
        .filter(|h| {
            !configured
                .taints
                .iter()
                .any(|c| c.key == h.key && c.effect == h.effect)
        })
        .collect();
    taints.extend(configured.taints.iter().cloned());
    ClusterConfig {
        name: configured.name.clone(),
        labels,
        namespace: if configured.namespace_set {
            configured.namespace.clone()
        } else {
            hub.namespace
        },
        taints,
        target: configured.target.clone(),
        source: ClusterSource::ConfigAndHub,
        namespace_set: configured.namespace_set,
        capacity: configured.capacity,
    }
}

impl ProviderConfig {
    /// This configuration with the snapshot's ManagedClusters merged into `clusters` (module
    /// docs) and the snapshot kept for rendering. Of two ManagedClusters with one name, the
    /// first in (namespace, name) order counts.
    pub fn with_snapshot(&self, snapshot: Arc<HubSnapshot>) -> ProviderConfig {
        let mut hub: BTreeMap<String, ClusterConfig> = BTreeMap::new();
        let mut listed: Vec<ClusterConfig> = snapshot
            .managed_clusters
            .iter()
            .filter_map(hub_cluster)
            .collect();
        listed.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
        for cluster in listed {
            hub.entry(cluster.name.clone()).or_insert(cluster);
        }
        let mut clusters = BTreeMap::new();
        for (name, configured) in &self.clusters {
            let merged = match hub.remove(name) {
                Some(from_hub) => merge(configured, from_hub),
                None => configured.clone(),
            };
            clusters.insert(name.clone(), merged);
        }
        clusters.extend(hub);
        ProviderConfig {
            clusters,
            snapshot: Some(snapshot),
            ..self.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{DEFAULT_PARALLELISM, Deployer, default_namespace};
    use serde_json::json;

    fn configured(name: &str, namespace: Option<&str>) -> ClusterConfig {
        ClusterConfig {
            name: name.into(),
            labels: BTreeMap::from([
                ("env".to_string(), "prod".to_string()),
                ("region".to_string(), "eu".to_string()),
            ]),
            namespace: namespace
                .map(str::to_string)
                .unwrap_or_else(|| default_namespace(name)),
            taints: vec![TaintConfig {
                key: "gpu".into(),
                value: "config".into(),
                effect: TaintEffect::NoSchedule,
            }],
            target: Target::Directory("out".into()),
            source: ClusterSource::Config,
            namespace_set: namespace.is_some(),
            capacity: None,
        }
    }

    fn config(clusters: Vec<ClusterConfig>) -> ProviderConfig {
        ProviderConfig {
            hub: None,
            deployer: Deployer::Provider,
            clusters: clusters.into_iter().map(|c| (c.name.clone(), c)).collect(),
            parallelism: DEFAULT_PARALLELISM,
            force_conflicts: false,
            has_unknowns: false,
            helm_binary: None,
            snapshot: None,
            capacity: None,
            verify_timeout: None,
        }
    }

    fn managed(namespace: &str, name: &str, labels: Json, taints: Json) -> Json {
        json!({
            "apiVersion": "clusters.clusternet.io/v1beta1",
            "kind": "ManagedCluster",
            "metadata": {"name": name, "namespace": namespace, "labels": labels},
            "spec": {"clusterId": "0", "syncMode": "Push", "taints": taints},
        })
    }

    fn snapshot(clusters: Vec<Json>) -> Arc<HubSnapshot> {
        Arc::new(HubSnapshot {
            managed_clusters: clusters,
            ..HubSnapshot::default()
        })
    }

    #[test]
    fn hub_only_clusters_join_the_inventory_without_credentials() {
        let merged = config(vec![configured("eu-1", None)]).with_snapshot(snapshot(vec![managed(
            "clusternet-abcde",
            "edge-7",
            json!({"env": "edge"}),
            json!([]),
        )]));
        let edge = &merged.clusters["edge-7"];
        assert_eq!(edge.target, Target::HubOnly);
        assert_eq!(edge.source, ClusterSource::Hub);
        assert_eq!(edge.namespace, "clusternet-abcde");
        assert_eq!(edge.labels["env"], "edge");
        assert_eq!(merged.clusters["eu-1"].source, ClusterSource::Config);
        assert!(merged.snapshot.is_some());
    }

    #[test]
    fn configuration_wins_on_labels_taints_and_an_explicit_namespace() {
        let hub = snapshot(vec![managed(
            "clusternet-xyz",
            "eu-1",
            json!({"env": "staging", "tier": "gold"}),
            json!([
                {"key": "gpu", "value": "hub", "effect": "NoSchedule"},
                {"key": "maintenance", "effect": "NoExecute"}
            ]),
        )]);
        let merged = config(vec![configured("eu-1", None)]).with_snapshot(hub.clone());
        let eu = &merged.clusters["eu-1"];
        assert_eq!(eu.source, ClusterSource::ConfigAndHub);
        assert_eq!(eu.labels["env"], "prod", "configuration wins");
        assert_eq!(eu.labels["tier"], "gold", "the hub's other labels stay");
        assert_eq!(eu.namespace, "clusternet-xyz", "the hub's real namespace");
        assert_eq!(eu.target, Target::Directory("out".into()));
        let taints: Vec<(&str, &str)> = eu
            .taints
            .iter()
            .map(|t| (t.key.as_str(), t.value.as_str()))
            .collect();
        assert_eq!(taints, [("maintenance", ""), ("gpu", "config")]);

        let explicit = config(vec![configured("eu-1", Some("mine"))]).with_snapshot(hub);
        assert_eq!(explicit.clusters["eu-1"].namespace, "mine");
    }
}
