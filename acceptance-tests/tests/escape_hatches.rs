//! The escape hatches of `clusternet_subscription` (issue 15) on the real bed, with both
//! terraform versions:
//!
//! * `ignore_fields`: another field manager (`kubectl scale`, a server-side apply as `hpa`)
//!   changes an ignored field -> no diff, and an apply that does change the object neither
//!   conflicts nor takes the value back; a field nobody took over is not reset either; an
//!   element matching nothing is a warning on it.
//! * `field_manager`: a conflict on an object applied for the first time is an error naming
//!   the other manager and the field, unless `force_conflicts = true`, which takes ownership;
//!   the custom name is the manager in `managedFields`.
//! * `timeouts`: a readiness wait that cannot finish ends at `timeouts.update`, naming the
//!   cluster (recorded as failed in `cluster_status`), and the next apply after the fix works;
//!   a chart installed with helm's own wait gets the same limit as its `--timeout`.

use std::time::{Duration, Instant};

use acceptance_tests::terraform::{Terraform, Workspace, squashed};
use acceptance_tests::testbed::{ChartRepo, Cluster, Testbed, charts_dir, tools, unique_name};
use serde_json::Value as Json;

const GOOD: &str = "registry.k8s.io/pause:3.9";
const FIXED: &str = "registry.k8s.io/pause:3.10";
const NEVER_READY: &str = "registry.k8s.io/pause:never-ready";

fn header(bed: &Testbed) -> String {
    format!(
        r#"
terraform {{
  required_providers {{
    clusternet = {{ source = "clusternet/clusternet" }}
  }}
}}

variable "image" {{
  type    = string
  default = "{GOOD}"
}}

provider "clusternet" {{
  force_conflicts = false
  clusters = {{
    "c1" = {{ labels = {{ env = "prod" }}, kubeconfig_path = "{}", context = "child-1" }}
  }}
}}
"#,
        bed.child(1).kubeconfig().display()
    )
}

fn deployment_feed(ns: &str, replicas: u32) -> String {
    format!(
        r#"
resource "clusternet_manifest" "web" {{
  manifest = jsonencode({{
    apiVersion = "apps/v1", kind = "Deployment"
    metadata   = {{ name = "web", namespace = "{ns}" }}
    spec = {{
      replicas = {replicas}
      selector = {{ matchLabels = {{ app = "web" }} }}
      template = {{
        metadata = {{ labels = {{ app = "web" }} }}
        spec     = {{ containers = [{{ name = "web", image = var.image }}] }}
      }}
    }}
  }})
}}
"#
    )
}

fn deployment(cluster: &Cluster, ns: &str) -> Json {
    cluster
        .get_json(["deployment", "web", "-n", ns, "--show-managed-fields"])
        .unwrap_or_default()
}

/// The managers whose main-resource fieldsV1 reach `path` (e.g. `["f:spec", "f:replicas"]`).
fn owners(object: &Json, path: &[&str]) -> Vec<String> {
    object["metadata"]["managedFields"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|entry| {
            path.iter()
                .try_fold(&entry["fieldsV1"], |at, key| at.get(*key))
                .is_some()
        })
        .filter_map(|entry| entry["manager"].as_str().map(str::to_string))
        .collect()
}

fn cleanup(bed: &Testbed, ws: &Workspace, ns: &str) {
    ws.destroy().expect_success();
    let _ = bed
        .child(1)
        .kubectl(["delete", "namespace", ns, "--wait=false"]);
}

#[test]
fn ignored_fields_are_left_to_another_field_manager() {
    let bed = Testbed::shared();
    let c1 = bed.child(1);
    for tf in Terraform::all() {
        let ns = unique_name("ignore");
        c1.kubectl(["create", "namespace", &ns]).expect("namespace");
        let main = format!(
            r#"{}{}
resource "clusternet_subscription" "web" {{
  name = "{ns}"
  subscriber {{
    cluster_affinity {{}}
  }}
  feeds = [clusternet_manifest.web.feed]
  ignore_fields = [
    "apps/v1/Deployment:spec.replicas",
    "v1/ConfigMap:data.color",
  ]
}}
"#,
            header(bed),
            deployment_feed(&ns, 2)
        );
        let mut ws = Workspace::from_files(&[("main.tf", &main)], &tf);

        // An element that matches no object is a warning on it, not a silent no-op.
        let plan = ws.plan().expect_success();
        let text = squashed(&plan.all_output());
        assert!(
            text.contains("ignore_fields element matches nothing"),
            "{tf:?}: no warning on the unmatched element:\n{text}"
        );
        ws.apply().expect_success();
        assert_eq!(deployment(c1, &ns)["spec"]["replicas"], 2, "{tf:?}");

        // A change that re-applies the Deployment, with nobody else holding replicas: the
        // configured value stays (not reset to the default by leaving it out).
        ws.set_env("TF_VAR_image", FIXED);
        ws.apply().expect_success();
        let live = deployment(c1, &ns);
        assert_eq!(
            live["spec"]["replicas"], 2,
            "{tf:?}: replicas reset: {live}"
        );

        // Another manager scales: no diff.
        c1.kubectl(["scale", "deployment", "web", "-n", &ns, "--replicas=4"])
            .expect("kubectl scale");
        ws.expect_no_changes("after kubectl scale of an ignored field");

        // An apply that changes the Deployment neither conflicts nor takes replicas back.
        ws.set_env("TF_VAR_image", GOOD);
        ws.apply().expect_success();
        let live = deployment(c1, &ns);
        assert_eq!(live["spec"]["replicas"], 4, "{tf:?}: {live}");
        assert_eq!(
            live["spec"]["template"]["spec"]["containers"][0]["image"], GOOD,
            "{tf:?}"
        );

        // A server-side apply as another manager ("hpa") takes replicas: still no diff, and
        // another re-apply keeps its value, with no conflict.
        c1.kubectl_stdin(
            [
                "apply",
                "--server-side",
                "--field-manager=hpa",
                "--force-conflicts",
                "-f",
                "-",
            ],
            &format!(
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: {ns}\nspec:\n  replicas: 5\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      containers:\n      - name: web\n        image: {GOOD}\n"
            ),
        )
        .expect("server-side apply as hpa");
        ws.expect_no_changes("after a server-side apply as hpa");
        ws.set_env("TF_VAR_image", FIXED);
        ws.apply().expect_success();
        let live = deployment(c1, &ns);
        assert_eq!(live["spec"]["replicas"], 5, "{tf:?}: {live}");
        // hpa holds replicas alone: leaving the field out released the provider's share.
        assert_eq!(
            owners(&live, &["f:spec", "f:replicas"]),
            vec!["hpa".to_string()],
            "{tf:?}: {}",
            live["metadata"]["managedFields"]
        );

        // A field that is not ignored still shows as drift.
        c1.kubectl([
            "set",
            "image",
            "deployment/web",
            &format!("web={NEVER_READY}"),
            "-n",
            &ns,
        ])
        .expect("kubectl set image");
        let plan = ws.plan_detailed();
        assert_eq!(plan.exit_code, Some(2), "{tf:?}: {}", plan.all_output());
        ws.apply().expect_success();
        cleanup(bed, &ws, &ns);
    }
}

#[test]
fn a_conflict_names_the_manager_unless_the_subscription_forces() {
    let bed = Testbed::shared();
    let c1 = bed.child(1);
    for tf in Terraform::all() {
        let ns = unique_name("manager");
        c1.kubectl(["create", "namespace", &ns]).expect("namespace");
        c1.kubectl_stdin(
            [
                "apply",
                "--server-side",
                "--field-manager=other-tool",
                "-f",
                "-",
            ],
            &format!(
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: {ns}\ndata:\n  color: red\n"
            ),
        )
        .expect("the other tool's ConfigMap");
        let main = format!(
            r#"{}
variable "force" {{
  type    = bool
  default = false
}}

resource "clusternet_manifest" "settings" {{
  manifest = jsonencode({{
    apiVersion = "v1", kind = "ConfigMap"
    metadata   = {{ name = "settings", namespace = "{ns}" }}
    data       = {{ color = "blue", size = "L" }}
  }})
}}

resource "clusternet_subscription" "settings" {{
  name = "{ns}"
  subscriber {{
    cluster_affinity {{}}
  }}
  feeds = [clusternet_manifest.settings.feed]
  field_manager {{
    name            = "team-a"
    force_conflicts = var.force
  }}
}}
"#,
            header(bed)
        );
        let mut ws = Workspace::from_files(&[("main.tf", &main)], &tf);
        let failed = ws.apply().expect_failure();
        let output = squashed(&failed.all_output());
        for expected in ["Cluster \"c1\"", "other-tool", ".data.color"] {
            assert!(output.contains(expected), "{tf:?}: {expected}:\n{output}");
        }
        let live = c1
            .get_json(["configmap", "settings", "-n", &ns, "--show-managed-fields"])
            .expect("configmap");
        assert_eq!(live["data"]["color"], "red", "{tf:?}: not forced");

        ws.set_env("TF_VAR_force", "true");
        ws.apply().expect_success();
        let live = c1
            .get_json(["configmap", "settings", "-n", &ns, "--show-managed-fields"])
            .expect("configmap");
        assert_eq!(live["data"]["color"], "blue", "{tf:?}");
        assert_eq!(
            owners(&live, &["f:data", "f:color"]),
            vec!["team-a".to_string()],
            "{tf:?}: {}",
            live["metadata"]["managedFields"]
        );
        assert!(
            !owners(&live, &["f:data"]).contains(&"clusternet-terraform".into()),
            "{tf:?}: the default manager must not appear"
        );
        ws.expect_no_changes("after forcing");
        cleanup(bed, &ws, &ns);
    }
}

#[test]
fn a_timeout_names_the_cluster_and_the_next_apply_resumes() {
    let bed = Testbed::shared();
    let c1 = bed.child(1);
    for tf in Terraform::all() {
        let ns = unique_name("timeout");
        let main = format!(
            r#"{}
resource "clusternet_manifest" "namespace" {{
  manifest = jsonencode({{
    apiVersion = "v1", kind = "Namespace", metadata = {{ name = "{ns}" }}
  }})
}}
{}
resource "clusternet_subscription" "web" {{
  name = "{ns}"
  subscriber {{
    cluster_affinity {{}}
  }}
  feeds          = [clusternet_manifest.namespace.feed, clusternet_manifest.web.feed]
  wait_for_ready = true
  timeouts {{
    update = "5s"
  }}
}}
"#,
            header(bed),
            deployment_feed(&ns, 1)
        );
        let mut ws = Workspace::from_files(&[("main.tf", &main)], &tf);
        ws.apply().expect_success();

        ws.set_env("TF_VAR_image", NEVER_READY);
        let started = Instant::now();
        let failed = ws.apply().expect_failure();
        let took = started.elapsed();
        let output = squashed(&failed.all_output());
        for expected in [
            "Cluster \"c1\" not ready",
            &format!("Deployment {ns}/web"),
            "timeouts.update = \"5s\"",
        ] {
            assert!(output.contains(expected), "{tf:?}: {expected}:\n{output}");
        }
        // Without the timeout the wait would last 10 minutes; terraform itself takes a few
        // seconds around it.
        assert!(
            took < Duration::from_secs(30),
            "{tf:?}: the apply took {took:?}"
        );
        // The cluster is recorded as failed, saying why.
        let state = ws.resource_values("clusternet_subscription");
        let status = &state["cluster_status"]["c1"];
        assert_eq!(status["phase"], "Failed", "{tf:?}: {state}");
        assert!(
            status["message"]
                .as_str()
                .is_some_and(|m| m.contains("timeouts.update")),
            "{tf:?}: {status}"
        );

        // Nothing else changes, but a cluster that was not ready is waited for again: the
        // plan is not empty, and apply fails again while the cause remains.
        let plan = ws.plan_detailed();
        assert_eq!(plan.exit_code, Some(2), "{tf:?}:\n{}", plan.all_output());
        assert!(
            plan.stdout.contains("cluster_status"),
            "{tf:?}:\n{}",
            plan.stdout
        );
        let again = ws.apply().expect_failure();
        assert!(
            squashed(&again.all_output()).contains("Cluster \"c1\" not ready"),
            "{tf:?}:\n{}",
            again.all_output()
        );

        ws.set_env("TF_VAR_image", FIXED);
        ws.apply().expect_success();
        assert_eq!(
            deployment(c1, &ns)["spec"]["template"]["spec"]["containers"][0]["image"],
            FIXED,
            "{tf:?}"
        );
        ws.expect_no_changes("after the fix");
        cleanup(bed, &ws, &ns);
    }
}

#[test]
fn a_timeout_cuts_helms_wait_short() {
    let bed = Testbed::shared();
    let c1 = bed.child(1);
    let repo = ChartRepo::serve(&[&charts_dir().join("stuck")]).expect("chart repository");
    let helm = tools().helm.display().to_string();
    for tf in Terraform::all() {
        let release = unique_name("helmtimeout");
        let main = format!(
            r#"
terraform {{
  required_providers {{
    clusternet = {{ source = "clusternet/clusternet" }}
  }}
}}

provider "clusternet" {{
  helm_binary = "{helm}"
  clusters = {{
    "c1" = {{ labels = {{ env = "prod" }}, kubeconfig_path = "{}", context = "child-1" }}
  }}
}}

resource "clusternet_helm_chart" "stuck" {{
  name             = "{release}"
  repo             = "{}"
  chart            = "stuck"
  version          = "0.1.0"
  target_namespace = "{release}"
  create_namespace = true
  wait             = true
}}

resource "clusternet_subscription" "stuck" {{
  name = "{release}"
  subscriber {{
    cluster_affinity {{}}
  }}
  feeds = [clusternet_helm_chart.stuck.feed]
  timeouts {{
    create = "5s"
  }}
}}
"#,
            c1.kubeconfig().display(),
            repo.url()
        );
        let ws = Workspace::from_files(&[("main.tf", &main)], &tf);
        let started = Instant::now();
        let failed = ws.apply().expect_failure();
        let took = started.elapsed();
        let output = squashed(&failed.all_output());
        assert!(
            output.contains(&format!(
                "Cluster \"c1\": release {release}/{release} not installed"
            )),
            "{tf:?}:\n{output}"
        );
        // The chart's own timeout is 300 s.
        assert!(
            took < Duration::from_secs(40),
            "{tf:?}: the apply took {took:?}"
        );
        let _ = c1.helm(["uninstall", &release, "-n", &release]);
        let _ = c1.kubectl(["delete", "namespace", &release, "--wait=false"]);
    }
}

#[test]
fn malformed_escape_hatches_are_errors_at_validate_on_the_element() {
    let main = r#"
terraform {
  required_providers {
    clusternet = { source = "clusternet/clusternet" }
  }
}

provider "clusternet" {
  clusters = {
    "eu-1" = { labels = { env = "prod" }, directory = "${path.module}/rendered/eu-1" }
  }
}

resource "clusternet_subscription" "app" {
  name = "app"
  subscriber {
    cluster_affinity {}
  }
  feeds = []
  ignore_fields = [
    "apps/v1/Deployment:spec.replicas",
    "apps/v1/Deployment",
  ]
  field_manager {
    name = ""
  }
  timeouts {
    update = "soon"
  }
}
"#;
    for tf in Terraform::all() {
        let ws = Workspace::from_files(&[("main.tf", main)], &tf);
        let out = ws.validate().expect_failure();
        let text = squashed(&out.all_output());
        for expected in [
            "Invalid ignore_fields element",
            "\"apps/v1/Deployment\": no \":\"",
            "Invalid field manager name",
            "Invalid timeout",
            "update = \"soon\"",
        ] {
            assert!(text.contains(expected), "{tf:?}: {expected}:\n{text}");
        }
        // The element at fault, not the list or its first element, is pointed at.
        let line = 1 + main
            .lines()
            .position(|l| l.trim() == "\"apps/v1/Deployment\",")
            .expect("the bad element");
        assert!(
            text.contains(&format!("{line}: \"apps/v1/Deployment\",")),
            "{tf:?}: line {line}:\n{text}"
        );
    }
}

#[test]
fn the_hatches_have_no_effect_when_clusternet_deploys_and_say_so() {
    let bed = Testbed::shared();
    let hub = bed.hub();
    hub.install_clusternet_crds()
        .expect("Clusternet CRDs on the hub");
    let main = format!(
        r#"
terraform {{
  required_providers {{
    clusternet = {{ source = "clusternet/clusternet" }}
  }}
}}

provider "clusternet" {{
  hub      = {{ kubeconfig_path = "{}", context = "hub" }}
  deployer = "clusternet"
}}

resource "clusternet_manifest" "settings" {{
  manifest = jsonencode({{
    apiVersion = "v1", kind = "ConfigMap"
    metadata   = {{ name = "settings", namespace = "default" }}
    data       = {{ color = "blue" }}
  }})
}}

resource "clusternet_subscription" "app" {{
  name = "{}"
  subscriber {{
    cluster_affinity {{}}
  }}
  feeds         = [clusternet_manifest.settings.feed]
  ignore_fields = ["v1/ConfigMap:data.color"]
  field_manager {{
    name = "team-a"
  }}
  timeouts {{
    create = "1m"
  }}
}}
"#,
        hub.kubeconfig().display(),
        unique_name("nohatch")
    );
    for tf in Terraform::all() {
        let ws = Workspace::from_files(&[("main.tf", &main)], &tf);
        let plan = ws.plan().expect_success();
        let text = squashed(&plan.all_output());
        for name in ["ignore_fields", "field_manager", "timeouts"] {
            assert!(
                text.contains(&format!(
                    "{name} has no effect with deployer = \"clusternet\""
                )),
                "{tf:?}: {name}:\n{text}"
            );
        }
    }
}
