//! Dynamic dividing on the real bed (ADR 0029): replicas divided in proportion to what each
//! cluster can still host, computed at plan time as Clusternet's predictor computes it.
//!
//! child-1 and child-2 get extra Node objects of different capacity (labelled for this test
//! only, and unschedulable so that the real kube-scheduler puts nothing on them; upstream's
//! predictor, like ours, ignores `unschedulable`) and Pods bound to them that request part of
//! it. The workload selects those Nodes by nodeSelector. The hub's API server stands in for a
//! third cluster whose `capacity` comes from the provider configuration.
//!
//! Per replica: 500m cpu, 256Mi memory.
//! - c1: node a1 4 cpu - a Pod's 1 cpu = 3000m -> 6; node a2 2 cpu -> 4: availability 10.
//! - c2: node b1 6 cpu - a Pod's 3 cpu = 3000m -> 6: availability 6.
//! - c3: `capacity = 2`.
//!
//! 10 replicas over [10, 6, 2] (A = 18): 5, 3, 1 with remainders 10/18, 6/18, 2/18; the
//! leftover goes to c1: 6/3/1. The `render` CLI given the same Nodes and Pods agrees. A Pod
//! added later on b1 (500m) changes c2's availability to 5 but not the plan (no deviation:
//! Clusternet does not divide again). Scaling to 14 divides only the 4 more over [10, 5, 2]
//! (A = 17): 2, 1, 0 with remainders 6/17, 3/17, 8/17, the leftover to c3: 8/4/2 (dividing
//! all 14 afresh would give 8/5/1).

use acceptance_tests::terraform::{Terraform, Workspace, provider_binary};
use acceptance_tests::testbed::{Cluster, Testbed, unique_name};
use serde_json::{Value as Json, json};

const MAIN_TF: &str = r#"
terraform {
  required_providers {
    clusternet = { source = "clusternet/clusternet" }
  }
}

variable "kubeconfig_1" { type = string }
variable "kubeconfig_2" { type = string }
variable "kubeconfig_3" { type = string }
variable "ns" { type = string }
variable "pool" { type = string }
variable "replicas" { type = number }

provider "clusternet" {
  clusters = {
    "c1" = { labels = { pool = "dyn" }, kubeconfig_path = var.kubeconfig_1, context = "child-1" }
    "c2" = { labels = { pool = "dyn" }, kubeconfig_path = var.kubeconfig_2, context = "child-2" }
    "c3" = { labels = { pool = "dyn" }, kubeconfig_path = var.kubeconfig_3, context = "hub", capacity = 2 }
  }
}

resource "clusternet_manifest" "namespace" {
  manifest = yamlencode({ apiVersion = "v1", kind = "Namespace", metadata = { name = var.ns } })
}

resource "clusternet_manifest" "web" {
  manifest = yamlencode({
    apiVersion = "apps/v1"
    kind       = "Deployment"
    metadata   = { name = "web", namespace = var.ns }
    spec = {
      replicas = var.replicas
      selector = { matchLabels = { app = "web" } }
      template = {
        metadata = { labels = { app = "web" } }
        spec = {
          nodeSelector = { "clusternet-test/pool" = var.pool }
          containers = [{
            name      = "web"
            image     = "nginx:1.27"
            resources = { requests = { cpu = "500m", memory = "256Mi" } }
          }]
        }
      }
    }
  })
}

resource "clusternet_subscription" "web" {
  name                = "web"
  namespace           = var.ns
  scheduling_strategy = "Dividing"
  dividing_type       = "Dynamic"

  subscriber {
    cluster_affinity {
      match_labels = { pool = "dyn" }
    }
  }

  feeds = [clusternet_manifest.namespace.feed, clusternet_manifest.web.feed]
}
"#;

/// Extra Nodes and Pods created for the test, removed again by `drop` (also on failure), so
/// that other tests sharing the bed see its Nodes as they were.
struct Capacity<'a> {
    pool: String,
    pods_ns: String,
    nodes: Vec<(&'a Cluster, String)>,
    pods: Vec<(&'a Cluster, String)>,
}

impl<'a> Capacity<'a> {
    fn new(c1: &'a Cluster, c2: &'a Cluster) -> Capacity<'a> {
        let pool = unique_name("pool");
        let pods_ns = unique_name("dyn-pods");
        for c in [c1, c2] {
            c.kubectl(["create", "namespace", &pods_ns])
                .expect("create the namespace of the consuming pods");
        }
        Capacity {
            pool,
            pods_ns,
            nodes: Vec::new(),
            pods: Vec::new(),
        }
    }

    /// A Node with `cpu` allocatable, 8Gi of memory and 110 pod slots, in this test's pool.
    fn node(&mut self, cluster: &'a Cluster, suffix: &str, cpu: &str) {
        let name = format!("{}-{suffix}", self.pool);
        let node = json!({
            "apiVersion": "v1", "kind": "Node",
            "metadata": {"name": name, "labels": {"clusternet-test/pool": self.pool}},
            "spec": {"unschedulable": true},
        });
        cluster
            .kubectl_stdin(["create", "-f", "-"], &node.to_string())
            .expect("create a Node");
        self.nodes.push((cluster, name.clone()));
        let resources = json!({"cpu": cpu, "memory": "8Gi", "pods": "110"});
        let status = json!({"status": {"capacity": resources, "allocatable": resources}});
        cluster
            .kubectl([
                "patch",
                "node",
                &name,
                "--subresource=status",
                "--type=merge",
                "-p",
                &status.to_string(),
            ])
            .expect("set the Node's allocatable");
    }

    /// A Pod bound to the pool's Node `suffix` requesting `cpu` (Pending: no kubelet serves
    /// the Node, and the predictor counts every Pod that has not finished).
    fn pod(&mut self, cluster: &'a Cluster, name: &str, suffix: &str, cpu: &str) {
        let pod = json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": self.pods_ns},
            "spec": {"nodeName": format!("{}-{suffix}", self.pool), "containers": [
                {"name": "c", "image": "busybox:1.36", "resources": {"requests": {"cpu": cpu}}}]},
        });
        cluster
            .kubectl_stdin(["create", "-f", "-"], &pod.to_string())
            .expect("create a Pod");
        self.pods.push((cluster, name.to_string()));
    }

    /// Deletes a Pod made by [`Capacity::pod`] at once.
    fn remove_pod(&mut self, cluster: &Cluster, name: &str) {
        cluster
            .kubectl([
                "delete",
                "pod",
                name,
                "-n",
                &self.pods_ns,
                "--grace-period=0",
                "--force",
            ])
            .expect("delete a Pod");
        self.pods.retain(|(_, pod)| pod != name);
    }

    /// The Nodes and Pods of the pool as the `render` CLI takes them: annotated with the
    /// ManagedCluster they belong to.
    fn as_render_input(&self, bindings: &[(&Cluster, &str)]) -> Vec<Json> {
        let mut objects = Vec::new();
        for (cluster, binding) in bindings {
            let mut listed = Vec::new();
            for (kind, namespace) in [("nodes", None), ("pods", Some(self.pods_ns.as_str()))] {
                let mut args = vec![kind];
                if let Some(ns) = namespace {
                    args.extend(["-n", ns]);
                }
                let list = cluster.get_json(args).expect("list");
                listed.extend(list["items"].as_array().cloned().unwrap_or_default());
            }
            for mut object in listed {
                object["apiVersion"] = json!("v1");
                object["kind"] = json!(if object["spec"]["containers"].is_array() {
                    "Pod"
                } else {
                    "Node"
                });
                object["metadata"]["annotations"]["render.clusternet.io/cluster"] = json!(binding);
                objects.push(object);
            }
        }
        objects
    }
}

impl Drop for Capacity<'_> {
    fn drop(&mut self) {
        // No kubelet finishes these Pods: delete them at once, then the Nodes.
        for (cluster, pod) in &self.pods {
            let _ = cluster.kubectl([
                "delete",
                "pod",
                pod,
                "-n",
                &self.pods_ns,
                "--grace-period=0",
                "--force",
                "--wait=false",
            ]);
        }
        for (cluster, node) in &self.nodes {
            let _ = cluster.kubectl(["delete", "node", node, "--wait=false"]);
        }
        let mut seen = Vec::new();
        for (cluster, _) in self.nodes.iter().chain(&self.pods) {
            if !seen.contains(&cluster.name()) {
                seen.push(cluster.name());
                let _ = cluster.kubectl(["delete", "namespace", &self.pods_ns, "--wait=false"]);
            }
        }
    }
}

fn workspace(tf: &Terraform, bed: &Testbed, ns: &str, pool: &str) -> Workspace {
    let mut ws = Workspace::from_files(&[("main.tf", MAIN_TF)], tf);
    let path = |c: &Cluster| c.kubeconfig().display().to_string();
    ws.set_env("TF_VAR_kubeconfig_1", &path(bed.child(1)));
    ws.set_env("TF_VAR_kubeconfig_2", &path(bed.child(2)));
    ws.set_env("TF_VAR_kubeconfig_3", &path(bed.hub()));
    ws.set_env("TF_VAR_ns", ns);
    ws.set_env("TF_VAR_pool", pool);
    ws.set_env("TF_VAR_replicas", "10");
    ws
}

/// `<cluster>/<feed key>` -> number entries of a state attribute, for the `web` Deployment.
fn per_cluster(values: &Json, attribute: &str, ns: &str) -> Vec<(String, i64)> {
    let suffix = format!("/apps/v1/Deployment/{ns}/web");
    let mut out: Vec<(String, i64)> = values[attribute]
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| Some((k.strip_suffix(&suffix)?.to_string(), v.as_i64()?)))
        .collect();
    out.sort();
    out
}

fn pairs(expected: &[(&str, i64)]) -> Vec<(String, i64)> {
    expected.iter().map(|(c, n)| (c.to_string(), *n)).collect()
}

fn deployed_replicas(cluster: &Cluster, ns: &str) -> Option<String> {
    cluster
        .kubectl([
            "get",
            "deployment",
            "web",
            "-n",
            ns,
            "-o",
            "jsonpath={.spec.replicas}",
        ])
        .ok()
}

#[test]
fn replicas_follow_each_clusters_real_capacity() {
    let bed = Testbed::shared();
    let (c1, c2, hub) = (bed.child(1), bed.child(2), bed.hub());
    let mut capacity = Capacity::new(c1, c2);
    capacity.node(c1, "a1", "4");
    capacity.node(c1, "a2", "2");
    capacity.node(c2, "b1", "6");
    capacity.pod(c1, "busy-a1", "a1", "1");
    capacity.pod(c2, "busy-b1", "b1", "3");

    for tf in Terraform::all() {
        let v = tf.version;
        let ns = unique_name("dyn");
        let mut ws = workspace(&tf, bed, &ns, &capacity.pool);

        // The plan shows the availability and the division, and the render CLI given the
        // same Nodes and Pods divides the same way.
        let plan = ws.plan().expect_success();
        for expected in [
            format!("\"c1/apps/v1/Deployment/{ns}/web\" = 10"),
            format!("\"c2/apps/v1/Deployment/{ns}/web\" = 6"),
            format!("\"c3/apps/v1/Deployment/{ns}/web\" = 2"),
        ] {
            assert!(
                plan.stdout.contains(&expected),
                "{v}: the plan shows no {expected}:\n{}",
                plan.stdout
            );
        }
        let (replicas, stderr) = render_cli_replicas(&capacity, &ns);
        assert_eq!(
            replicas,
            [6, 3, 1],
            "{v}: the render CLI divides differently"
        );
        assert!(
            stderr.contains(&format!(
                "availability: Subscription {ns}/web, feed apps/v1/Deployment/{ns}/web: \
                 clusternet-c1/c1 10, clusternet-c2/c2 6, clusternet-c3/c3 2"
            )),
            "{v}: the render CLI reports the plan's availability:\n{stderr}"
        );

        ws.apply().expect_success();
        let state = ws.resource_values("clusternet_subscription");
        assert_eq!(
            per_cluster(&state, "availability", &ns),
            pairs(&[("c1", 10), ("c2", 6), ("c3", 2)]),
            "{v}: {state}"
        );
        assert_eq!(
            per_cluster(&state, "replicas", &ns),
            pairs(&[("c1", 6), ("c2", 3), ("c3", 1)]),
            "{v}: {state}"
        );
        assert_eq!(deployed_replicas(c1, &ns).as_deref(), Some("6"), "{v}");
        assert_eq!(deployed_replicas(c2, &ns).as_deref(), Some("3"), "{v}");
        assert_eq!(deployed_replicas(hub, &ns).as_deref(), Some("1"), "{v}");
        ws.expect_no_changes("dynamic dividing right after apply");

        // Less room on c2, same desired replicas: Clusternet divides nothing again.
        let late = format!("late-{}", v.replace('.', "-"));
        capacity.pod(c2, &late, "b1", "500m");
        ws.expect_no_changes("dynamic dividing after a cluster's capacity changed");

        // Scaling up divides the difference by today's availability.
        ws.set_env("TF_VAR_replicas", "14");
        let plan = ws.plan().expect_success();
        assert!(
            plan.stdout
                .contains(&format!("\"c2/apps/v1/Deployment/{ns}/web\" = 6 -> 5")),
            "{v}: the plan does not show c2's new availability:\n{}",
            plan.stdout
        );
        ws.apply().expect_success();
        let state = ws.resource_values("clusternet_subscription");
        assert_eq!(
            per_cluster(&state, "replicas", &ns),
            pairs(&[("c1", 8), ("c2", 4), ("c3", 2)]),
            "{v}: {state}"
        );
        assert_eq!(
            per_cluster(&state, "availability", &ns),
            pairs(&[("c1", 10), ("c2", 5), ("c3", 2)]),
            "{v}: {state}"
        );
        assert_eq!(deployed_replicas(c1, &ns).as_deref(), Some("8"), "{v}");
        assert_eq!(deployed_replicas(c2, &ns).as_deref(), Some("4"), "{v}");
        ws.expect_no_changes("dynamic dividing after scaling up");

        ws.destroy().expect_success();
        assert_eq!(
            deployed_replicas(c1, &ns),
            None,
            "{v}: destroy left the Deployment"
        );
        capacity.remove_pod(c2, &late);
    }
}

/// The replicas the `render` CLI divides for the same input (c1, c2, c3 in binding order).
/// The render CLI's replicas for `web` and its stderr (where it reports the availability).
fn render_cli_replicas(capacity: &Capacity<'_>, ns: &str) -> (Vec<i64>, String) {
    let cluster = |name: &str, annotations: Json| {
        json!({"apiVersion": "clusters.clusternet.io/v1beta1", "kind": "ManagedCluster",
               "metadata": {"name": name, "namespace": format!("clusternet-{name}"),
                            "labels": {"pool": "dyn"}, "annotations": annotations},
               "spec": {"clusterId": format!("00000000-0000-0000-0000-00000000000{}", &name[1..]),
                        "syncMode": "Push"}})
    };
    let bed = Testbed::shared();
    let mut objects = vec![
        cluster("c1", json!({})),
        cluster("c2", json!({})),
        cluster(
            "c3",
            json!({"render.clusternet.io/available-replicas": "2"}),
        ),
        json!({"apiVersion": "apps.clusternet.io/v1alpha1", "kind": "Subscription",
               "metadata": {"name": "web", "namespace": ns},
               "spec": {"schedulingStrategy": "Dividing",
                        "dividingScheduling": {"type": "Dynamic",
                                               "dynamicDividing": {"strategy": "Spread"}},
                        "subscribers": [{"clusterAffinity": {"matchLabels": {"pool": "dyn"}}}],
                        "feeds": [{"apiVersion": "apps/v1", "kind": "Deployment",
                                   "namespace": ns, "name": "web"}]}}),
        json!({"apiVersion": "apps/v1", "kind": "Deployment",
               "metadata": {"name": "web", "namespace": ns},
               "spec": {"replicas": 10, "selector": {"matchLabels": {"app": "web"}},
                        "template": {"metadata": {"labels": {"app": "web"}},
                                     "spec": {"nodeSelector": {"clusternet-test/pool": capacity.pool},
                                              "containers": [{"name": "web", "image": "nginx:1.27",
                                                 "resources": {"requests": {"cpu": "500m", "memory": "256Mi"}}}]}}}}),
    ];
    objects.extend(capacity.as_render_input(&[
        (bed.child(1), "clusternet-c1/c1"),
        (bed.child(2), "clusternet-c2/c2"),
    ]));
    let input: String = objects.iter().map(|o| format!("---\n{o}\n")).collect();
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("input.yaml");
    std::fs::write(&file, input).expect("write the render input");
    let output = std::process::Command::new(provider_binary())
        .args(["render", "--output", "json"])
        .arg(&file)
        .output()
        .expect("run the render CLI");
    assert!(
        output.status.success(),
        "render failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let list: Json = serde_json::from_slice(&output.stdout).expect("render prints JSON");
    let sub = list["items"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|o| o["kind"] == "Subscription")
        .expect("the Subscription is rendered");
    let replicas = sub["status"]["replicas"][format!("apps/v1/Deployment/{ns}/web")]
        .as_array()
        .expect("replicas")
        .iter()
        .filter_map(Json::as_i64)
        .collect();
    (
        replicas,
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// A cluster whose Nodes and Pods cannot be read never silently gets 0 replicas: the plan
/// fails on `dividing_type`, saying which cluster could not be read and why, and how to give
/// its capacity instead. A directory target divides by its configured `capacity`.
#[test]
fn an_unreadable_cluster_fails_the_plan_with_the_reason() {
    const UNREADABLE_TF: &str = r#"
terraform {
  required_providers {
    clusternet = { source = "clusternet/clusternet" }
  }
}

provider "clusternet" {
  clusters = {
    "gone" = { host = "https://127.0.0.1:1", token = "t", insecure = true }
    "disk" = { directory = "rendered/disk", capacity = 3 }
  }
}

resource "clusternet_manifest" "web" {
  manifest = yamlencode({
    apiVersion = "apps/v1"
    kind       = "Deployment"
    metadata   = { name = "web", namespace = "default" }
    spec = {
      replicas = 2
      selector = { matchLabels = { app = "web" } }
      template = {
        metadata = { labels = { app = "web" } }
        spec     = { containers = [{ name = "web", image = "nginx:1.27" }] }
      }
    }
  })
}

resource "clusternet_subscription" "web" {
  name                = "web"
  scheduling_strategy = "Dividing"
  dividing_type       = "Dynamic"
  subscriber {
    cluster_affinity {}
  }
  feeds = [clusternet_manifest.web.feed]
}
"#;
    for tf in Terraform::all() {
        let v = tf.version;
        let ws = Workspace::from_files(&[("main.tf", UNREADABLE_TF)], &tf);
        let plan = ws.plan().expect_failure();
        let text = acceptance_tests::terraform::squashed(&plan.all_output());
        for expected in [
            "Cluster capacity unknown",
            "for cluster clusternet-gone/gone",
            "Nodes and Pods could not be read: cannot list the Nodes of cluster gone",
            "Set `capacity` on the cluster in the provider configuration",
            "dividing_type",
        ] {
            assert!(text.contains(expected), "{v}: no {expected:?} in:\n{text}");
        }
        assert!(
            !text.contains("clusternet-disk/disk"),
            "{v}: the directory target has its capacity:\n{text}"
        );
    }
}

/// Hub mode, capacities from the provider configuration: the hub's Subscription holds the
/// division in its status.
fn hub_config(bed: &Testbed, ns: &str, capacities: (u32, u32)) -> String {
    let path = |c: &Cluster| c.kubeconfig().display().to_string();
    format!(
        r#"
terraform {{
  required_providers {{
    clusternet = {{ source = "clusternet/clusternet" }}
  }}
}}

provider "clusternet" {{
  hub = {{ kubeconfig_path = "{hub}", context = "hub" }}
  clusters = {{
    "c1" = {{ labels = {{ pool = "{ns}" }}, namespace = "{ns}-c1", kubeconfig_path = "{c1}", context = "child-1", capacity = {cap1} }}
    "c2" = {{ labels = {{ pool = "{ns}" }}, namespace = "{ns}-c2", kubeconfig_path = "{c2}", context = "child-2", capacity = {cap2} }}
  }}
}}

resource "clusternet_manifest" "namespace" {{
  manifest = yamlencode({{ apiVersion = "v1", kind = "Namespace", metadata = {{ name = "{ns}" }} }})
}}

resource "clusternet_manifest" "web" {{
  manifest = yamlencode({{
    apiVersion = "apps/v1"
    kind       = "Deployment"
    metadata   = {{ name = "web", namespace = "{ns}" }}
    spec = {{
      replicas = 4
      selector = {{ matchLabels = {{ app = "web" }} }}
      template = {{
        metadata = {{ labels = {{ app = "web" }} }}
        spec     = {{ containers = [{{ name = "web", image = "registry.k8s.io/pause:3.9" }}] }}
      }}
    }}
  }})
}}

resource "clusternet_subscription" "app" {{
  name                = "app"
  namespace           = "{ns}"
  scheduling_strategy = "Dividing"
  dividing_type       = "Dynamic"
  subscriber {{
    cluster_affinity {{
      match_labels = {{ pool = "{ns}" }}
    }}
  }}
  feeds = [clusternet_manifest.namespace.feed, clusternet_manifest.web.feed]
}}
"#,
        hub = path(bed.hub()),
        c1 = path(bed.child(1)),
        c2 = path(bed.child(2)),
        cap1 = capacities.0,
        cap2 = capacities.1,
    )
}

/// An import starts from the division the hub's Subscription holds, as Clusternet's scheduler
/// does: after the capacities change, the imported replicas are still those deployed and the
/// plan after the import is empty (dividing afresh would move replicas).
#[test]
fn an_imported_dynamic_subscription_keeps_the_division_on_the_hub() {
    let bed = Testbed::shared();
    bed.hub()
        .install_clusternet_crds()
        .expect("install Clusternet's CRDs on the hub");
    for tf in Terraform::all() {
        let v = tf.version;
        let ns = unique_name("dynimport");
        let ws = Workspace::from_files(&[("main.tf", &hub_config(bed, &ns, (3, 1)))], &tf);
        ws.apply().expect_success();
        assert_eq!(
            per_cluster(
                &ws.resource_values("clusternet_subscription"),
                "replicas",
                &ns
            ),
            pairs(&[("c1", 3), ("c2", 1)]),
            "{v}: 4 replicas over capacities 3 and 1"
        );
        // The capacities swap; an empty state imports everything from the hub.
        let imported = Workspace::from_files(&[("main.tf", &hub_config(bed, &ns, (1, 3)))], &tf);
        for (address, id) in [
            (
                "clusternet_manifest.namespace",
                format!("v1/Namespace/{ns}"),
            ),
            (
                "clusternet_manifest.web",
                format!("apps/v1/Deployment/{ns}/web"),
            ),
            ("clusternet_subscription.app", format!("{ns}/app")),
        ] {
            imported
                .run(&["import", "-no-color", "-input=false", address, &id])
                .expect_success();
        }
        assert_eq!(
            per_cluster(
                &imported.resource_values("clusternet_subscription"),
                "replicas",
                &ns
            ),
            pairs(&[("c1", 3), ("c2", 1)]),
            "{v}: the import keeps the hub's division"
        );
        imported.expect_no_changes("the plan after importing a dynamic subscription");
        assert_eq!(
            deployed_replicas(bed.child(1), &ns).as_deref(),
            Some("3"),
            "{v}"
        );
        ws.destroy().expect_success();
    }
}
