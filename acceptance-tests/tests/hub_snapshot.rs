//! The hub snapshot on the real bed (deployer = "provider", upstream Clusternet CRDs): the
//! hub's ManagedClusters join the inventory, feeds given by key come from the hub's
//! Manifests, the hub's overrides apply, the Subscription's status is written, a bound
//! cluster without credentials is a plan error, and an override changed in this run but not passed to a subscription reaches it at
//! the next apply, with a warning (issue 5 point 8) - with terraform 1.11 and 1.0.3.

use acceptance_tests::terraform::{Terraform, Workspace, squashed};
use acceptance_tests::testbed::{Cluster, Testbed, unique_name};
use serde_json::Value as Json;

fn configmap(cluster: &Cluster, ns: &str, name: &str, path: &str) -> Option<String> {
    cluster
        .kubectl([
            "get",
            "configmap",
            name,
            "-n",
            ns,
            "-o",
            &format!("jsonpath={path}"),
        ])
        .ok()
}

/// What the test puts on the hub as if Clusternet and its users had.
struct HubFixture {
    ns: String,
    cluster: String,
    cluster_ns: String,
    edge: String,
    edge_ns: String,
    tier: String,
}

impl HubFixture {
    fn new() -> HubFixture {
        HubFixture {
            ns: unique_name("snap"),
            cluster: unique_name("m"),
            cluster_ns: unique_name("clusternet-m"),
            edge: unique_name("edge"),
            edge_ns: unique_name("clusternet-e"),
            tier: unique_name("gold"),
        }
    }

    fn yaml(&self) -> String {
        let HubFixture {
            ns,
            cluster,
            cluster_ns,
            edge,
            edge_ns,
            tier,
        } = self;
        format!(
            r#"
apiVersion: v1
kind: Namespace
metadata: {{name: {cluster_ns}}}
---
apiVersion: v1
kind: Namespace
metadata: {{name: {edge_ns}}}
---
apiVersion: v1
kind: Namespace
metadata: {{name: clusternet-reserved}}
---
apiVersion: clusters.clusternet.io/v1beta1
kind: ManagedCluster
metadata:
  name: {cluster}
  namespace: {cluster_ns}
  labels: {{tier: {tier}, env: staging}}
spec: {{clusterId: 6e0b1b4a-6f3e-4c55-9d1a-7f2d3c4b5a61, syncMode: Push}}
---
apiVersion: clusters.clusternet.io/v1beta1
kind: ManagedCluster
metadata:
  name: {edge}
  namespace: {edge_ns}
  labels: {{tier: {tier}-silver}}
spec: {{clusterId: 0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f, syncMode: Push}}
---
apiVersion: apps.clusternet.io/v1alpha1
kind: Manifest
metadata:
  name: configmaps.{ns}.from-hub
  namespace: clusternet-reserved
  labels:
    apps.clusternet.io/config.group: ""
    apps.clusternet.io/config.version: v1
    apps.clusternet.io/config.kind: ConfigMap
    apps.clusternet.io/config.namespace: {ns}
    apps.clusternet.io/config.name: from-hub
template:
  apiVersion: v1
  kind: ConfigMap
  metadata:
    name: from-hub
    namespace: {ns}
    labels: {{clusternet.io/created-by: clusternet-hub}}
  data: {{source: hub}}
---
apiVersion: apps.clusternet.io/v1alpha1
kind: Localization
metadata: {{name: hub-color, namespace: {cluster_ns}}}
spec:
  feed: {{apiVersion: v1, kind: ConfigMap, namespace: {ns}, name: settings}}
  priority: 500
  overridePolicy: ApplyLater
  overrides:
  - {{name: color, type: MergePatch, value: '{{"data":{{"color":"hub-red"}}}}'}}
"#
        )
    }

    fn remove(&self, hub: &Cluster) {
        let _ = hub.kubectl([
            "delete",
            "managedclusters.clusters.clusternet.io",
            &self.cluster,
            "-n",
            &self.cluster_ns,
        ]);
        let _ = hub.kubectl([
            "delete",
            "managedclusters.clusters.clusternet.io",
            &self.edge,
            "-n",
            &self.edge_ns,
        ]);
        let _ = hub.kubectl([
            "delete",
            "manifests.apps.clusternet.io",
            &format!("configmaps.{}.from-hub", self.ns),
            "-n",
            "clusternet-reserved",
        ]);
        for ns in [&self.cluster_ns, &self.edge_ns, &self.ns] {
            let _ = hub.kubectl(["delete", "namespace", ns, "--wait=false"]);
        }
    }
}

#[test]
fn hub_clusters_feeds_and_overrides_come_from_the_snapshot() {
    let bed = Testbed::shared();
    let hub = bed.hub();
    hub.install_clusternet_crds()
        .expect("install Clusternet's CRDs on the hub");
    for tf in Terraform::all() {
        let fixture = HubFixture::new();
        hub.apply_yaml(&fixture.yaml()).expect("hub fixture");
        hub_snapshot(&tf, bed, &fixture);
        fixture.remove(hub);
    }
}

fn hub_snapshot(tf: &Terraform, bed: &Testbed, f: &HubFixture) {
    let v = tf.version;
    let (hub, c1) = (bed.hub(), bed.child(1));
    let mut ws = Workspace::new("hub_snapshot", tf);
    ws.set_env(
        "TF_VAR_kubeconfig_hub",
        &hub.kubeconfig().display().to_string(),
    );
    ws.set_env(
        "TF_VAR_kubeconfig_1",
        &c1.kubeconfig().display().to_string(),
    );
    ws.set_env("TF_VAR_ns", &f.ns);
    ws.set_env("TF_VAR_cluster", &f.cluster);
    ws.set_env("TF_VAR_tier", &f.tier);
    ws.set_env("TF_VAR_selected_tiers", &format!("[\"{}\"]", f.tier));
    let from_hub = format!("v1/ConfigMap/{}/from-hub", f.ns);
    ws.set_env("TF_VAR_hub_feed", &from_hub);

    // A feed key the hub does not hold: an error on that feed.
    ws.set_env("TF_VAR_hub_feed", &format!("v1/ConfigMap/{}/nowhere", f.ns));
    let missing = ws.plan().expect_failure();
    let text = squashed(&missing.all_output());
    assert!(text.contains("Feed not found on the hub"), "{v}: {text}");
    assert!(text.contains("nowhere"), "{v}: {text}");
    // Terraform points at the element of `feeds` the diagnostic's path names.
    assert!(text.contains("var.hub_feed"), "{v}: {text}");

    // Selecting the cluster known only from the hub: an error naming it, with a hint.
    ws.set_env("TF_VAR_hub_feed", &from_hub);
    ws.set_env(
        "TF_VAR_selected_tiers",
        &format!("[\"{}\", \"{}-silver\"]", f.tier, f.tier),
    );
    let unreachable = ws.plan().expect_failure();
    let text = squashed(&unreachable.all_output());
    assert!(
        text.contains(&format!("Cluster \"{}\" has no credentials", f.edge)),
        "{v}: {text}"
    );
    assert!(text.contains("deployer = \"clusternet\""), "{v}: {text}");

    ws.set_env("TF_VAR_selected_tiers", &format!("[\"{}\"]", f.tier));
    let plan = ws.plan().expect_success();
    assert!(
        plan.stdout
            .contains(&format!("v1/ConfigMap/{}/from-hub\" = jsonencode(", f.ns)),
        "{v}: the feed by key is not in the preview:\n{}",
        plan.stdout
    );
    assert!(plan.stdout.contains("hub-red"), "{v}: {}", plan.stdout);
    ws.apply().expect_success();

    // The inventory: the configured cluster merged with its ManagedCluster, and the
    // hub-only one.
    let outputs = ws.outputs();
    let gold = outputs["gold"].as_array().cloned().unwrap_or_default();
    assert_eq!(gold.len(), 1, "{v}: {gold:?}");
    let merged = &gold[0];
    assert_eq!(merged["name"], f.cluster.as_str(), "{v}: {merged}");
    assert_eq!(merged["source"], "config+hub", "{v}: {merged}");
    assert_eq!(merged["namespace"], f.cluster_ns.as_str(), "{v}: {merged}");
    assert_eq!(
        merged["labels"]["env"], "prod",
        "{v}: config wins: {merged}"
    );
    assert_eq!(merged["labels"]["tier"], f.tier.as_str(), "{v}: {merged}");
    assert_eq!(merged["target"], "kubernetes", "{v}: {merged}");
    let all: Vec<Json> = outputs["snapshot"].as_array().cloned().unwrap_or_default();
    let edge = all
        .iter()
        .find(|c| c["name"] == f.edge.as_str())
        .unwrap_or_else(|| panic!("{v}: {} not listed: {all:?}", f.edge));
    assert_eq!(edge["source"], "hub", "{v}: {edge}");
    assert_eq!(edge["target"], "hub", "{v}: {edge}");
    assert_eq!(edge["namespace"], f.edge_ns.as_str(), "{v}: {edge}");

    // The child: the hub's feed, and the hub's Localization on the feed passed by value.
    assert_eq!(
        configmap(c1, &f.ns, "from-hub", "{.data.source}").as_deref(),
        Some("hub"),
        "{v}"
    );
    assert_eq!(
        configmap(c1, &f.ns, "settings", "{.data.color}").as_deref(),
        Some("hub-red"),
        "{v}"
    );
    // The Subscription's status, written through its status subresource.
    let status: Json = serde_json::from_str(
        &hub.kubectl([
            "get",
            "subscriptions.apps.clusternet.io",
            "app",
            "-n",
            &f.ns,
            "-o",
            "jsonpath={.status}",
        ])
        .unwrap_or_default(),
    )
    .unwrap_or_default();
    assert_eq!(
        status["bindingClusters"],
        serde_json::json!([format!("{}/{}", f.cluster_ns, f.cluster)]),
        "{v}: {status}"
    );
    assert_eq!(status["desiredReleases"], 1, "{v}: {status}");
    assert!(status["specHash"].is_number(), "{v}: {status}");
    // The hub: the Base in the ManagedCluster's namespace; the hub's feed left as it was.
    let bases = hub
        .kubectl([
            "get",
            "bases.apps.clusternet.io",
            "-n",
            &f.cluster_ns,
            "-o",
            "name",
        ])
        .unwrap_or_default();
    assert_eq!(bases.lines().count(), 1, "{v}: {bases}");
    let owner = hub
        .kubectl([
            "get",
            "manifests.apps.clusternet.io",
            &format!("configmaps.{}.from-hub", f.ns),
            "-n",
            "clusternet-reserved",
            "-o",
            "jsonpath={.metadata.managedFields[*].manager}",
        ])
        .unwrap_or_default();
    assert!(
        !owner.contains("clusternet-terraform"),
        "{v}: the provider took over the hub's Manifest: {owner}"
    );

    let again = ws.plan_detailed();
    assert_eq!(again.exit_code, Some(0), "{v}:\n{}", again.all_output());

    ws.destroy().expect_success();
    assert!(
        configmap(c1, &f.ns, "settings", "{.data.color}").is_none(),
        "{v}: settings left in the child"
    );
    assert!(
        hub.kubectl([
            "get",
            "manifests.apps.clusternet.io",
            &format!("configmaps.{}.from-hub", f.ns),
            "-n",
            "clusternet-reserved",
        ])
        .is_ok(),
        "{v}: destroy removed the hub's own Manifest"
    );
    assert!(
        hub.kubectl([
            "get",
            "localizations.apps.clusternet.io",
            "hub-color",
            "-n",
            &f.cluster_ns
        ])
        .is_ok(),
        "{v}: destroy removed the hub's own Localization"
    );
    let _ = c1.kubectl(["delete", "namespace", &f.ns, "--wait=false"]);
}

#[test]
fn override_not_passed_takes_effect_at_the_next_apply() {
    let bed = Testbed::shared();
    bed.hub()
        .install_clusternet_crds()
        .expect("install Clusternet's CRDs on the hub");
    for tf in Terraform::all() {
        override_later(&tf, bed);
    }
}

fn override_later(tf: &Terraform, bed: &Testbed) {
    let v = tf.version;
    let (hub, c1) = (bed.hub(), bed.child(1));
    let ns = unique_name("later");
    let cluster_ns = unique_name("cn-later");
    let mut ws = Workspace::new("hub_override_later", tf);
    ws.set_env(
        "TF_VAR_kubeconfig_hub",
        &hub.kubeconfig().display().to_string(),
    );
    ws.set_env(
        "TF_VAR_kubeconfig_1",
        &c1.kubeconfig().display().to_string(),
    );
    ws.set_env("TF_VAR_ns", &ns);
    ws.set_env("TF_VAR_cluster_ns", &cluster_ns);
    ws.set_env("TF_VAR_color", "green");
    ws.set_env("TF_VAR_size", "m");
    ws.set_env("TF_VAR_release", "one");
    let data = || configmap(c1, &ns, "settings", "{.data.color}/{.data.size}");
    let warning = format!("takes effect for subscription {ns}/app at its next apply");

    // First run: the size Localization is created, the subscription does not pass it.
    let first = ws.apply().expect_success();
    let text = squashed(&first.all_output());
    assert!(text.contains(&warning), "{v}: no warning:\n{text}");
    assert!(text.contains("Localization"), "{v}: {text}");
    assert_eq!(data().as_deref(), Some("green/s"), "{v}");

    // Next apply: the hub's copy reaches the child.
    let next = ws.plan_detailed();
    assert_eq!(next.exit_code, Some(2), "{v}: {}", next.all_output());
    ws.apply().expect_success();
    assert_eq!(data().as_deref(), Some("green/m"), "{v}");

    // The subscription and the Localization it passes change together, the other one too:
    // one consistent plan, the passed one applied at once, the other one next time.
    ws.set_env("TF_VAR_color", "yellow");
    ws.set_env("TF_VAR_release", "two");
    ws.set_env("TF_VAR_size", "l");
    let both = ws.apply().expect_success();
    let text = squashed(&both.all_output());
    assert!(!text.contains("inconsistent"), "{v}: {text}");
    assert!(text.contains(&warning), "{v}: no warning:\n{text}");
    assert_eq!(data().as_deref(), Some("yellow/m"), "{v}");
    assert_eq!(
        configmap(c1, &ns, "settings", "{.metadata.labels.release}").as_deref(),
        Some("two"),
        "{v}"
    );
    ws.apply().expect_success();
    assert_eq!(data().as_deref(), Some("yellow/l"), "{v}");
    let settled = ws.plan_detailed();
    assert_eq!(settled.exit_code, Some(0), "{v}: {}", settled.all_output());

    ws.destroy().expect_success();
    for n in [&ns, &cluster_ns] {
        let _ = hub.kubectl(["delete", "namespace", n, "--wait=false"]);
    }
    let _ = c1.kubectl(["delete", "namespace", &ns, "--wait=false"]);
}
