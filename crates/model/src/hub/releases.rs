//! What the hub shows about a rollout with deployer = "provider" (spec/clusternet.md §3.2,
//! §5.3, §7.2): one `HelmRelease` per chart of each `-helm` Description, and the status of
//! every Description. On a Clusternet hub the controller-manager and the agents write these;
//! here the provider, which rendered and deployed, writes them after the deploy.
//!
//! The objects are built from the rendering ([`releases_of`]); their statuses from what
//! the deploy did ([`Rollout`]): a HelmRelease's `status` mirrors the Helm release recorded
//! in the subscription's `releases` (`<status>/<revision>`), a Description's `phase` is
//! `Success` for a cluster deployed, `Failure` with the reason for a cluster that failed,
//! and for Helm Descriptions Clusternet's mapping of the releases' statuses.

use std::collections::BTreeMap;

use base64::Engine as _;
use serde_json::{Map, Value as Json, json};

use crate::preview::ReleaseKey;
use crate::types::cluster::CLUSTER_NAME_LABEL;
use crate::types::{APPS_API_VERSION as APPS, Deployer, Description};

/// The release state recorded for a chart written to a directory target (not released).
pub const WRITTEN: &str = "written";

/// The label naming the uid of a HelmRelease's Description.
pub const CONFIG_UID: &str = "apps.clusternet.io/config.uid";

/// One HelmRelease the hub gets, with the Helm release it stands for.
#[derive(Debug, Clone, PartialEq)]
pub struct HubRelease {
    /// Its key in the subscription's `releases` (`<cluster>/<namespace>/<release>`).
    pub release_key: String,
    /// The name of its Description (same namespace).
    pub description: String,
    /// The HelmRelease object, without its Description's uid (known once that is written).
    pub object: Json,
}

/// One Description, with what its status depends on.
#[derive(Debug, Clone, PartialEq)]
pub struct DescriptionRollout {
    /// The cluster it is deployed to.
    pub cluster: String,
    /// Its namespace (the cluster's dedicated namespace).
    pub namespace: String,
    /// Its name.
    pub name: String,
    /// Helm Descriptions: the `releases` keys of its charts, in chart order.
    pub release_keys: Vec<String>,
}

/// What the deploy did, as the hub's statuses report it.
#[derive(Debug, Clone, Default)]
pub struct Rollout {
    /// The subscription's `releases` after the deploy.
    pub releases: BTreeMap<String, String>,
    /// Clusters whose deploy failed, with the reason.
    pub failed: BTreeMap<String, String>,
    /// The dedicated namespaces of those clusters, with the reason: their hub objects are
    /// kept, and their Descriptions no longer rendered show the failure.
    pub failed_namespaces: BTreeMap<String, String>,
}

/// The HelmReleases of a Helm Description of `cluster` (none for a Generic one): per chart,
/// `<description>-<chart namespace>-<chart name>` with the rendered chart's labels and
/// annotations plus Clusternet's owner labels, and as spec the chart's HelmOptions and
/// `targetNamespace`, `releaseName` = the rendered chart's name and `overrides` = the
/// cluster's rendered values (none when they are empty).
pub fn releases_of(cluster: &str, description: &Description) -> Vec<HubRelease> {
    if description.spec.deployer != Deployer::Helm {
        return Vec::new();
    }
    let meta = &description.metadata;
    description
        .spec
        .charts
        .iter()
        .zip(&description.spec.chart_raw)
        .zip(&description.spec.raw)
        .filter_map(|((reference, chart_raw), values)| {
            let chart = crate::json::parse(chart_raw).ok()?;
            let release_name = chart["metadata"]["name"].as_str()?.to_string();
            let target_namespace = chart["spec"]["targetNamespace"].as_str()?.to_string();
            let mut labels = string_map(&chart["metadata"]["labels"]);
            for (key, value) in [
                (
                    "clusternet.io/created-by",
                    "clusternet-controller-manager".to_string(),
                ),
                ("apps.clusternet.io/config.kind", "Description".to_string()),
                ("apps.clusternet.io/config.name", meta.name.clone()),
                (
                    "apps.clusternet.io/config.namespace",
                    meta.namespace.clone(),
                ),
                ("apps.clusternet.io/subs.name", String::new()),
            ] {
                labels.insert(key.into(), value.into());
            }
            for key in [
                "clusters.clusternet.io/cluster-id",
                CLUSTER_NAME_LABEL,
                "apps.clusternet.io/subs.namespace",
                "apps.clusternet.io/subs.uid",
            ] {
                if let Some(value) = meta.labels.get(key) {
                    labels.insert(key.into(), value.as_str().into());
                }
            }
            let mut metadata = json!({
                "name": format!("{}-{}-{}", meta.name, reference.namespace, reference.name),
                "namespace": meta.namespace,
                "labels": labels,
            });
            let annotations = string_map(&chart["metadata"]["annotations"]);
            if !annotations.is_empty() {
                metadata["annotations"] = Json::Object(annotations);
            }
            let mut spec = chart["spec"].as_object().cloned().unwrap_or_default();
            spec.insert("releaseName".into(), release_name.clone().into());
            let values = values.trim();
            if !values.is_empty() {
                let encoded = base64::engine::general_purpose::STANDARD.encode(values);
                spec.insert("overrides".into(), encoded.into());
            }
            Some(HubRelease {
                release_key: ReleaseKey::new(cluster, &target_namespace, &release_name).to_string(),
                description: meta.name.clone(),
                object: json!({
                    "apiVersion": APPS,
                    "kind": "HelmRelease",
                    "metadata": metadata,
                    "spec": spec,
                }),
            })
        })
        .collect()
}

/// The rollout record of a Description of `cluster`.
pub fn rollout_of(
    cluster: &str,
    description: &Description,
    releases: &[HubRelease],
) -> DescriptionRollout {
    DescriptionRollout {
        cluster: cluster.to_string(),
        namespace: description.metadata.namespace.clone(),
        name: description.metadata.name.clone(),
        release_keys: releases
            .iter()
            .filter(|r| r.description == description.metadata.name)
            .map(|r| r.release_key.clone())
            .collect(),
    }
}

/// `object` owned by its Description, whose live uid is `uid`: the controller owner
/// reference and the `config.uid` label.
pub fn owned_by(mut object: Json, description: &str, uid: &str) -> Json {
    object["metadata"]["labels"][CONFIG_UID] = uid.into();
    object["metadata"]["ownerReferences"] = json!([{
        "apiVersion": APPS,
        "kind": "Description",
        "name": description,
        "uid": uid,
        "controller": true,
        "blockOwnerDeletion": true,
    }]);
    object
}

/// The HelmRelease status for the release state `<status>/<revision>` recorded in
/// `releases` (`None` for a state that is no Helm release, e.g. a directory target's).
pub fn release_status(state: &str) -> Option<Json> {
    let (status, revision) = state.split_once('/')?;
    let revision: u64 = revision.parse().ok()?;
    Some(json!({"phase": status, "version": revision}))
}

/// The status of a Description kept for a cluster whose deploy failed with `reason`.
pub fn failure_status(reason: &str) -> Json {
    json!({"phase": "Failure", "reason": reason})
}

/// Clusternet's Description phase for a Helm release status (§7.2).
fn phase_of(release_status: &str) -> &'static str {
    match release_status {
        "deployed" => "Success",
        "pending-install" => "Installing",
        "pending-upgrade" => "Upgrading",
        "uninstalling" => "Uninstalling",
        "superseded" => "Superseded",
        "failed" => "Failure",
        _ => "Unknown",
    }
}

/// The status of a Description after the deploy: `Failure` with the reason when its
/// cluster failed; for a Helm Description the phase of the first release not deployed
/// (Clusternet's mapping), else `Success`.
pub fn description_status(description: &DescriptionRollout, rollout: &Rollout) -> Json {
    if let Some(reason) = rollout.failed.get(&description.cluster) {
        return failure_status(reason);
    }
    for key in &description.release_keys {
        let Some(state) = rollout.releases.get(key) else {
            return json!({"phase": "Unknown", "reason": format!("release {key} was not recorded")});
        };
        let status = state.split_once('/').map_or(state.as_str(), |(s, _)| s);
        // A directory target's chart is written, not released: done as far as it goes.
        if state == WRITTEN {
            continue;
        }
        let phase = phase_of(status);
        if phase != "Success" {
            return json!({"phase": phase, "reason": format!("release {key} is {status}")});
        }
    }
    json!({"phase": "Success"})
}

fn string_map(value: &Json) -> Map<String, Json> {
    value
        .as_object()
        .map(|m| {
            m.iter()
                .filter(|(_, v)| v.is_string())
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn helm_description() -> Description {
        let chart = json!({
            "metadata": {"name": "web-rel", "namespace": "apps",
                         "labels": {"team": "shop"}, "annotations": {"note": "x"}},
            "spec": {"repo": "https://charts.example.com", "chart": "nginx", "version": "1.2.3",
                     "targetNamespace": "web", "atomic": true, "timeoutSeconds": 60},
        });
        serde_json::from_value(json!({
            "apiVersion": APPS,
            "kind": "Description",
            "metadata": {"name": "app-abcde-helm", "namespace": "clusternet-c1",
                "labels": {
                    "clusters.clusternet.io/cluster-name": "c1",
                    "clusters.clusternet.io/cluster-id": "id-1",
                    "apps.clusternet.io/subs.namespace": "apps",
                    "apps.clusternet.io/subs.uid": "sub-uid",
                }},
            "spec": {
                "deployer": "Helm",
                "charts": [{"namespace": "apps", "name": "web"}],
                "raw": [base64::engine::general_purpose::STANDARD.encode(r#"{"size":"s"}"#)],
                "chartRaw": [base64::engine::general_purpose::STANDARD.encode(chart.to_string())],
            },
        }))
        .expect("a Description")
    }

    #[test]
    fn a_helm_description_has_one_helm_release_per_chart() {
        let releases = releases_of("c1", &helm_description());
        assert_eq!(releases.len(), 1);
        let release = &releases[0];
        assert_eq!(release.release_key, "c1/web/web-rel");
        assert_eq!(release.description, "app-abcde-helm");
        let object = &release.object;
        assert_eq!(object["kind"], "HelmRelease");
        assert_eq!(object["metadata"]["name"], "app-abcde-helm-apps-web");
        assert_eq!(object["metadata"]["namespace"], "clusternet-c1");
        let labels = &object["metadata"]["labels"];
        assert_eq!(labels["team"], "shop");
        assert_eq!(labels["apps.clusternet.io/config.kind"], "Description");
        assert_eq!(labels["apps.clusternet.io/config.name"], "app-abcde-helm");
        assert_eq!(labels["clusters.clusternet.io/cluster-name"], "c1");
        assert_eq!(labels["apps.clusternet.io/subs.uid"], "sub-uid");
        assert_eq!(object["metadata"]["annotations"], json!({"note": "x"}));
        let spec = &object["spec"];
        assert_eq!(spec["releaseName"], "web-rel");
        assert_eq!(spec["targetNamespace"], "web");
        assert_eq!(spec["atomic"], true);
        assert_eq!(spec["timeoutSeconds"], 60);
        let overrides = base64::engine::general_purpose::STANDARD
            .decode(spec["overrides"].as_str().expect("overrides"))
            .expect("base64");
        assert_eq!(overrides, br#"{"size":"s"}"#);
    }

    #[test]
    fn empty_values_give_no_overrides_and_generic_descriptions_no_releases() {
        let mut description = helm_description();
        description.spec.raw = vec![" ".to_string()];
        let releases = releases_of("c1", &description);
        assert!(releases[0].object["spec"].get("overrides").is_none());
        description.spec.deployer = Deployer::Generic;
        assert!(releases_of("c1", &description).is_empty());
    }

    #[test]
    fn ownership_points_at_the_live_description() {
        let release = releases_of("c1", &helm_description()).remove(0);
        let owned = owned_by(release.object, "app-abcde-helm", "uid-1");
        assert_eq!(owned["metadata"]["labels"][CONFIG_UID], "uid-1");
        assert_eq!(owned["metadata"]["ownerReferences"][0]["uid"], "uid-1");
        assert_eq!(
            owned["metadata"]["ownerReferences"][0]["kind"],
            "Description"
        );
    }

    #[test]
    fn release_states_become_helm_release_statuses() {
        assert_eq!(
            release_status("deployed/3"),
            Some(json!({"phase": "deployed", "version": 3}))
        );
        assert_eq!(release_status("written"), None);
    }

    #[test]
    fn description_phases_follow_the_deploy() {
        let description = helm_description();
        let releases = releases_of("c1", &description);
        let rollout_record = rollout_of("c1", &description, &releases);
        let mut rollout = Rollout::default();
        rollout
            .releases
            .insert("c1/web/web-rel".into(), "deployed/1".into());
        assert_eq!(
            description_status(&rollout_record, &rollout),
            json!({"phase": "Success"})
        );
        rollout
            .releases
            .insert("c1/web/web-rel".into(), "pending-upgrade/2".into());
        assert_eq!(
            description_status(&rollout_record, &rollout)["phase"],
            "Upgrading"
        );
        rollout.failed.insert("c1".into(), "helm failed".into());
        assert_eq!(
            description_status(&rollout_record, &rollout),
            json!({"phase": "Failure", "reason": "helm failed"})
        );
    }
}
