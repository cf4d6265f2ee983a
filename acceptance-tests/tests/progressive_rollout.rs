//! Progressive rollout on the real bed (issue 13): three child clusters with the real
//! scheduler, ReplicaSet/Deployment and endpoints controllers, and the bed's node agent
//! standing in for the kubelet (pods with an image tagged `never-ready` never start).
//!
//! * A canary stage gates the rest: everything ends Ready; a canary that never becomes
//!   ready fails the apply after `progress_deadline`, naming cluster, object and cause, and
//!   leaves the rest untouched (same resourceVersion); the next plan shows them pending, and
//!   fixing the image completes every stage.
//! * `max_failures` tolerates a failed cluster (a cluster that is down counts as a failure,
//!   quickly, never a hang); with `max_failures = 0` the same failure halts the rollout.
//! * Charts in a staged subscription are installed with helm's wait within the deadline.

use std::time::Instant;

use acceptance_tests::preview;
use acceptance_tests::terraform::{Terraform, Workspace, squashed};
use acceptance_tests::testbed::{ChartRepo, Cluster, Testbed, charts_dir, tools, unique_name};
use serde_json::Value as Json;

const GOOD: &str = "registry.k8s.io/pause:3.9";
const FIXED: &str = "registry.k8s.io/pause:3.10";
const NEVER_READY: &str = "registry.k8s.io/pause:never-ready";

fn clusters_block(bed: &Testbed, extra: &str) -> String {
    let entry = |name: &str, n: usize, labels: &str| {
        format!(
            "    \"{name}\" = {{ labels = {{ {labels} }}, kubeconfig_path = \"{}\", context = \"child-{n}\" }}\n",
            bed.child(n).kubeconfig().display()
        )
    };
    format!(
        "{}{}{}{extra}",
        entry("c1", 1, "env = \"prod\", ring = \"canary\""),
        entry("c2", 2, "env = \"prod\""),
        entry("c3", 3, "env = \"prod\""),
    )
}

fn header(clusters: &str) -> String {
    let helm = tools().helm.display().to_string();
    format!(
        r#"
terraform {{
  required_providers {{
    clusternet = {{ source = "clusternet/clusternet" }}
  }}
}}

variable "image" {{ type = string }}
variable "max_failures" {{
  type    = number
  default = 0
}}

provider "clusternet" {{
  helm_binary = "{helm}"
  clusters = {{
{clusters}  }}
}}
"#
    )
}

/// A Namespace, a 2-replica Deployment `web` of `var.image` and a Service selecting it.
fn app(ns: &str) -> String {
    format!(
        r#"
resource "clusternet_manifest" "namespace" {{
  manifest = jsonencode({{
    apiVersion = "v1", kind = "Namespace", metadata = {{ name = "{ns}" }}
  }})
}}

resource "clusternet_manifest" "web" {{
  manifest = jsonencode({{
    apiVersion = "apps/v1", kind = "Deployment"
    metadata   = {{ name = "web", namespace = "{ns}" }}
    spec = {{
      replicas = 2
      selector = {{ matchLabels = {{ app = "web" }} }}
      template = {{
        metadata = {{ labels = {{ app = "web" }} }}
        spec     = {{ containers = [{{ name = "web", image = var.image }}] }}
      }}
    }}
  }})
}}

resource "clusternet_manifest" "service" {{
  manifest = jsonencode({{
    apiVersion = "v1", kind = "Service"
    metadata   = {{ name = "web", namespace = "{ns}" }}
    spec       = {{ selector = {{ app = "web" }}, ports = [{{ port = 80 }}] }}
  }})
}}
"#
    )
}

fn subscription(name: &str, rollout: &str) -> String {
    format!(
        r#"
resource "clusternet_subscription" "web" {{
  name = "{name}"
  subscriber {{
    cluster_affinity {{
      match_labels = {{ env = "prod" }}
    }}
  }}
  feeds = [
    clusternet_manifest.namespace.feed,
    clusternet_manifest.web.feed,
    clusternet_manifest.service.feed,
  ]
{rollout}
}}
"#
    )
}

const CANARY_THEN_REST: &str = r#"
  rollout {
    stage {
      name = "canary"
      cluster_affinity {
        match_labels = { ring = "canary" }
      }
    }
    stage { name = "rest" }
    progress_deadline = "20s"
  }
"#;

fn deployment(cluster: &Cluster, ns: &str) -> Json {
    cluster
        .get_json(["deployment", "web", "-n", ns])
        .unwrap_or_default()
}

fn image(cluster: &Cluster, ns: &str) -> String {
    deployment(cluster, ns)["spec"]["template"]["spec"]["containers"][0]["image"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

fn cleanup(bed: &Testbed, ws: &Workspace, ns: &str) {
    ws.destroy().expect_success();
    for child in bed.children() {
        let _ = child.kubectl(["delete", "namespace", ns, "--wait=false"]);
    }
}

#[test]
fn a_canary_gates_the_rest_and_a_failed_canary_halts_the_rollout() {
    let bed = Testbed::shared();
    let (c1, c2, c3) = (bed.child(1), bed.child(2), bed.child(3));
    for tf in Terraform::all() {
        let ns = unique_name("staged");
        let main = format!(
            "{}{}{}",
            header(&clusters_block(bed, "")),
            app(&ns),
            subscription(&ns, CANARY_THEN_REST)
        );
        let mut ws = Workspace::from_files(&[("main.tf", &main)], &tf);
        ws.set_env("TF_VAR_image", GOOD);

        // 1. The plan shows the stages with the per-cluster diff; apply ends Ready everywhere.
        let plan = ws.plan().expect_success();
        let text = squashed(&plan.stdout);
        for (cluster, stage) in [("c1", "1/canary"), ("c2", "2/rest"), ("c3", "2/rest")] {
            assert!(
                text.contains(&format!("\"{cluster}\" = \"{stage}\"")),
                "{tf:?}: {cluster}'s stage missing:\n{}",
                plan.stdout
            );
        }
        ws.apply().expect_success();
        let state = ws.resource_values("clusternet_subscription");
        for cluster in ["c1", "c2", "c3"] {
            let status = &state["cluster_status"][cluster];
            assert_eq!(status["phase"], "Ready", "{tf:?}: {state}");
            assert_eq!(status["ready"], "3/3 objects", "{tf:?}: {state}");
        }
        for child in [c1, c2, c3] {
            assert_eq!(
                deployment(child, &ns)["status"]["availableReplicas"],
                2,
                "{tf:?}: the Deployment is available once apply returns"
            );
        }
        ws.expect_no_changes("after the first apply");

        // 2. A canary that never becomes ready halts the rollout; the rest is untouched.
        let before: Vec<Json> = [c2, c3]
            .iter()
            .map(|c| deployment(c, &ns)["metadata"]["resourceVersion"].clone())
            .collect();
        ws.set_env("TF_VAR_image", NEVER_READY);
        let failed = ws.apply().expect_failure();
        let output = squashed(&failed.all_output());
        for expected in [
            "Cluster \"c1\" not ready",
            &format!("Deployment {ns}/web"),
            "ImagePullBackOff",
            "the rollout halted",
        ] {
            assert!(output.contains(expected), "{tf:?}: {expected}:\n{output}");
        }
        assert_eq!(
            image(c1, &ns),
            NEVER_READY,
            "{tf:?}: the canary was updated"
        );
        let after: Vec<Json> = [c2, c3]
            .iter()
            .map(|c| deployment(c, &ns)["metadata"]["resourceVersion"].clone())
            .collect();
        assert_eq!(before, after, "{tf:?}: the rest must be untouched");
        let state = ws.resource_values("clusternet_subscription");
        assert_eq!(state["cluster_status"]["c1"]["phase"], "Failed", "{state}");
        assert_eq!(state["cluster_status"]["c2"]["phase"], "Halted", "{state}");

        // 3. The state keeps the halted clusters' previous entries, so the next plan shows
        // the new image still to do (on the shared rendering: no cluster has it yet).
        let recorded = preview::per_cluster(&state);
        for cluster in ["c2", "c3"] {
            let entry = &recorded[&format!("{cluster}/apps/v1/Deployment/{ns}/web")];
            assert!(!entry.contains(NEVER_READY), "{tf:?}: {cluster}: {entry}");
        }
        let plan = ws.plan_detailed();
        assert_eq!(plan.exit_code, Some(2), "{}", plan.all_output());
        let text = squashed(&plan.stdout);
        assert!(
            text.contains(&format!("~ \"apps/v1/Deployment/{ns}/web\" = jsonencode("))
                && text.contains(&format!("-> \"{NEVER_READY}\"")),
            "{tf:?}: the halted clusters are not shown pending:\n{}",
            plan.stdout
        );

        // 4. Fixing the image completes every stage.
        ws.set_env("TF_VAR_image", FIXED);
        ws.apply().expect_success();
        for child in [c1, c2, c3] {
            assert_eq!(image(child, &ns), FIXED, "{tf:?}");
        }
        let state = ws.resource_values("clusternet_subscription");
        for cluster in ["c1", "c2", "c3"] {
            assert_eq!(
                state["cluster_status"][cluster]["phase"], "Ready",
                "{state}"
            );
        }
        ws.expect_no_changes("after the fix");
        cleanup(bed, &ws, &ns);
    }
}

/// A kubeconfig for a cluster that is down: child-3's, with the server on a port where
/// nothing listens (connections are refused at once, as for a stopped API server).
fn dead_kubeconfig(bed: &Testbed, ws: &Workspace) -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let text = std::fs::read_to_string(bed.child(3).kubeconfig()).expect("kubeconfig");
    let server = bed.child(3).server().to_string();
    let dead = text.replace(&server, &format!("https://127.0.0.1:{port}"));
    let path = ws.path().join("kubeconfig-dead");
    std::fs::write(&path, dead).expect("write kubeconfig");
    path.display().to_string()
}

#[test]
fn max_failures_tolerates_a_failed_cluster_and_a_cluster_down_fails_fast() {
    let bed = Testbed::shared();
    for tf in Terraform::all() {
        let ns = unique_name("tolerate");
        let rollout = r#"
  rollout {
    stage {
      name     = "wave"
      clusters = ["c1", "c2", "down"]
    }
    stage { name = "rest" }
    progress_deadline = "60s"
    max_failures      = var.max_failures
  }
"#;
        let mut ws = Workspace::from_files(&[("main.tf", "")], &tf);
        let dead = dead_kubeconfig(bed, &ws);
        let extra = format!(
            "    \"down\" = {{ labels = {{ env = \"prod\" }}, kubeconfig_path = \"{dead}\", context = \"child-3\" }}\n    \"d1\" = {{ labels = {{ env = \"prod\" }}, directory = \"${{path.module}}/rendered/d1\" }}\n"
        );
        let clusters = format!(
            "{}{extra}",
            clusters_block(bed, "")
                .lines()
                .filter(|l| !l.contains("\"c3\""))
                .map(|l| format!("{l}\n"))
                .collect::<String>()
        );
        ws.write(
            "main.tf",
            &format!(
                "{}{}{}",
                header(&clusters),
                app(&ns),
                subscription(&ns, rollout)
            ),
        );
        ws.set_env("TF_VAR_image", GOOD);

        // max_failures = 0: the cluster that is down halts the rollout, quickly.
        let started = Instant::now();
        let failed = ws.apply().expect_failure();
        let took = started.elapsed();
        let output = squashed(&failed.all_output());
        assert!(
            output.contains("Cluster \"down\" failed") && output.contains("the rollout halted"),
            "{tf:?}:\n{output}"
        );
        assert!(
            took.as_secs() < 60,
            "{tf:?}: a cluster that is down must fail, not wait out the deadline ({took:?})"
        );
        assert!(
            !ws.path().join("rendered/d1").exists(),
            "{tf:?}: the next stage must not run"
        );

        // max_failures = 1: the failure is reported (an error: that cluster did not get the
        // change), the stage passes and the next stage runs.
        ws.set_env("TF_VAR_max_failures", "1");
        let applied = ws.apply().expect_failure();
        let output = squashed(&applied.all_output());
        assert!(
            output.contains("Cluster \"down\" failed")
                && output.contains("allows 1 failed cluster(s), so the rollout went on"),
            "{tf:?}:\n{output}"
        );
        assert!(
            ws.path().join("rendered/d1").exists(),
            "{tf:?}: the next stage ran"
        );

        // The cluster comes back: the next apply finishes it, and everything is Ready.
        std::fs::copy(bed.child(3).kubeconfig(), &dead).expect("restore the kubeconfig");
        ws.apply().expect_success();
        let state = ws.resource_values("clusternet_subscription");
        for cluster in ["c1", "c2", "down", "d1"] {
            assert_eq!(
                state["cluster_status"][cluster]["phase"], "Ready",
                "{tf:?}: {state}"
            );
        }
        assert_eq!(state["cluster_status"]["d1"]["stage"], "2/rest", "{state}");
        ws.expect_no_changes("after the cluster came back");
        cleanup(bed, &ws, &ns);
    }
}

#[test]
fn charts_in_a_staged_subscription_wait_with_helm_within_the_deadline() {
    let bed = Testbed::shared();
    let repo = ChartRepo::serve(&[&charts_dir().join("workload")]).expect("chart repository");
    for tf in Terraform::all() {
        let release = unique_name("staged-chart");
        let main = format!(
            r#"{}
resource "clusternet_helm_chart" "workload" {{
  name             = "{release}"
  repo             = "{}"
  chart            = "workload"
  version          = "0.1.0"
  target_namespace = "{release}"
  values           = jsonencode({{ image = var.image }})
}}

resource "clusternet_subscription" "web" {{
  name = "{release}"
  subscriber {{
    cluster_affinity {{
      match_labels = {{ env = "prod" }}
    }}
  }}
  feeds = [clusternet_helm_chart.workload.feed]
  rollout {{
    stage {{
      name     = "canary"
      clusters = ["c1"]
    }}
    stage {{ name = "rest" }}
    progress_deadline = "15s"
  }}
}}
"#,
            header(&clusters_block(bed, "")),
            repo.url()
        );
        let mut ws = Workspace::from_files(&[("main.tf", &main)], &tf);
        ws.set_env("TF_VAR_image", NEVER_READY);
        let failed = ws.apply().expect_failure();
        let output = squashed(&failed.all_output());
        assert!(
            output.contains(&format!(
                "Cluster \"c1\": release {release}/{release} not installed"
            )) && output.contains("the rollout halted"),
            "{tf:?}: the canary's release fails helm's wait:\n{output}"
        );
        for child in [bed.child(2), bed.child(3)] {
            let list = child
                .helm(["list", "-n", &release, "-a", "-q"])
                .unwrap_or_default();
            assert!(
                list.trim().is_empty(),
                "{tf:?}: the rest has no release: {list}"
            );
        }
        ws.set_env("TF_VAR_image", GOOD);
        ws.apply().expect_success();
        for child in bed.children() {
            let status = child
                .helm(["status", &release, "-n", &release, "-o", "json"])
                .expect("helm status");
            let status: Json = serde_json::from_str(&status).expect("status JSON");
            assert_eq!(
                status["info"]["status"],
                "deployed",
                "{tf:?}: {}",
                child.name()
            );
        }
        ws.expect_no_changes("after the charts are deployed");
        ws.destroy().expect_success();
        for child in bed.children() {
            let _ = child.kubectl(["delete", "namespace", &release, "--wait=false"]);
        }
    }
}
