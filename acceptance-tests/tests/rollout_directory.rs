//! Progressive rollout on directory targets (issue 13): the plan shows `rollout_plan` - each
//! bound cluster's stage - with the per-cluster diff; apply writes stage by stage (directory
//! targets, GitOps exports, are ready once written) and reports `cluster_status`; unchanged
//! clusters take no part (a cluster that joins goes alone, the canary is not rewritten); bad
//! rollout settings are errors on their attribute and stages
//! that do nothing are warnings.

use acceptance_tests::terraform::{Terraform, Workspace, squashed};
use serde_json::Value as Json;

const PROVIDER: &str = r#"
terraform {
  required_providers {
    clusternet = { source = "clusternet/clusternet" }
  }
}

provider "clusternet" {
  clusters = {
    "eu-1" = { labels = { env = "prod", ring = "canary" }, directory = "${path.module}/rendered/eu-1" }
    "eu-2" = { labels = { env = "prod" }, directory = "${path.module}/rendered/eu-2" }
    "us-1" = { labels = { env = "prod" }, directory = "${path.module}/rendered/us-1" }
  }
}

variable "color" {
  type    = string
  default = "blue"
}

resource "clusternet_manifest" "settings" {
  manifest = jsonencode({
    apiVersion = "v1", kind = "ConfigMap"
    metadata   = { name = "settings", namespace = "default" }
    data       = { color = var.color }
  })
}
"#;

fn subscription(rollout: &str) -> String {
    format!(
        r#"
resource "clusternet_subscription" "web" {{
  name = "web"
  subscriber {{
    cluster_affinity {{
      match_labels = {{ env = "prod" }}
    }}
  }}
  feeds = [clusternet_manifest.settings.feed]
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
    stage {
      name         = "rest"
      max_parallel = 1
    }
    progress_deadline = "1m"
  }
"#;

fn workspace(tf: &Terraform, rollout: &str) -> Workspace {
    let main = format!("{PROVIDER}{}", subscription(rollout));
    Workspace::from_files(&[("main.tf", &main)], tf)
}

/// Every file under `dir`.
fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files.sort();
    files
}

#[test]
fn stages_show_in_the_plan_and_every_cluster_ends_ready() {
    for tf in Terraform::all() {
        let mut ws = workspace(&tf, CANARY_THEN_REST);
        let plan = ws.plan().expect_success();
        let text = squashed(&plan.stdout);
        for (cluster, stage) in [("eu-1", "1/canary"), ("eu-2", "2/rest"), ("us-1", "2/rest")] {
            assert!(
                text.contains(&format!("\"{cluster}\" = \"{stage}\"")),
                "{tf:?}: rollout_plan of {cluster} missing:\n{}",
                plan.stdout
            );
        }
        assert!(
            text.contains("\"v1/ConfigMap/default/settings\" = jsonencode("),
            "{tf:?}: the preview shows with the stages:\n{}",
            plan.stdout
        );
        ws.apply().expect_success();
        let state = ws.resource_values("clusternet_subscription");
        for (cluster, stage) in [("eu-1", "1/canary"), ("eu-2", "2/rest"), ("us-1", "2/rest")] {
            let status = &state["cluster_status"][cluster];
            assert_eq!(status["stage"], stage, "{tf:?}: {state}");
            assert_eq!(status["phase"], "Ready", "{tf:?}: {state}");
            assert_eq!(status["ready"], "1/1 objects", "{tf:?}: {state}");
            assert!(
                ws.path()
                    .join(format!("rendered/{cluster}"))
                    .read_dir()
                    .is_ok_and(|mut d| d.next().is_some()),
                "{tf:?}: nothing written for {cluster}"
            );
        }
        ws.expect_no_changes("after the first apply");

        // A change: cluster_status is known after apply, and everything ends ready again.
        ws.set_env("TF_VAR_color", "green");
        let plan = ws.plan().expect_success();
        assert!(
            squashed(&plan.stdout).contains("cluster_status"),
            "{tf:?}: {}",
            plan.stdout
        );
        ws.apply().expect_success();
        let state = ws.resource_values("clusternet_subscription");
        assert_eq!(state["cluster_status"]["us-1"]["phase"], "Ready", "{tf:?}");
        ws.expect_no_changes("after the change");

        // A new cluster joins the last stage: only it changes, so only it takes part; the
        // canary goes untouched (its file keeps its modification time).
        let canary_dir = ws.path().join("rendered/eu-1");
        let stamp = |dir: &std::path::Path| -> Vec<std::time::SystemTime> {
            walk(dir)
                .iter()
                .filter_map(|f| f.metadata().and_then(|m| m.modified()).ok())
                .collect()
        };
        let before = stamp(&canary_dir);
        let joined = PROVIDER.replace(
            "    \"us-1\"",
            "    \"ap-1\" = { labels = { env = \"prod\" }, directory = \"${path.module}/rendered/ap-1\" }\n    \"us-1\"",
        );
        ws.write(
            "main.tf",
            &format!("{joined}{}", subscription(CANARY_THEN_REST)),
        );
        let plan = ws.plan().expect_success();
        assert!(
            squashed(&plan.stdout).contains("+ \"ap-1\" = \"2/rest\""),
            "{tf:?}: the new cluster's stage shows:\n{}",
            plan.stdout
        );
        ws.apply().expect_success();
        let state = ws.resource_values("clusternet_subscription");
        assert_eq!(
            state["cluster_status"]["eu-1"]["message"], "unchanged",
            "{state}"
        );
        assert_eq!(
            state["cluster_status"]["ap-1"]["ready"], "1/1 objects",
            "{state}"
        );
        assert_eq!(
            before,
            stamp(&canary_dir),
            "{tf:?}: the canary was rewritten"
        );
        ws.expect_no_changes("after the new cluster joined");
        ws.destroy().expect_success();
    }
}

#[test]
fn wait_for_ready_without_stages_reports_status() {
    let tf = Terraform::v1_11();
    let ws = workspace(&tf, "  wait_for_ready = true\n");
    let plan = ws.plan().expect_success();
    assert!(
        !squashed(&plan.stdout).contains("rollout_plan = {"),
        "no stages without a rollout:\n{}",
        plan.stdout
    );
    ws.apply().expect_success();
    let state = ws.resource_values("clusternet_subscription");
    assert_eq!(state["rollout_plan"], Json::Null);
    for cluster in ["eu-1", "eu-2", "us-1"] {
        assert_eq!(
            state["cluster_status"][cluster]["phase"], "Ready",
            "{state}"
        );
        assert_eq!(
            state["cluster_status"][cluster]["stage"], "1/all",
            "{state}"
        );
    }
    ws.expect_no_changes("after the apply");
}

/// Each bad setting is an error on its attribute, with nothing written; settings that do
/// nothing are warnings on theirs.
#[test]
fn bad_rollout_settings_are_diagnosed_at_plan() {
    for tf in Terraform::all() {
        let cases: [(&str, &str, &str); 5] = [
            (
                r#"
  rollout {
    stage {
      name = "canary"
      cluster_affinity {
        match_labels = { ring = "canary" }
      }
    }
  }"#,
                "Clusters in no stage",
                r#"bound clusters "eu-2", "us-1" are in no stage"#,
            ),
            (
                r#"
  rollout {
    stage { name = "all" }
    progress_deadline = "ten minutes"
  }"#,
                "Invalid progress deadline",
                "progress_deadline = \"ten minutes\"",
            ),
            (
                r#"
  rollout {
    stage { name = "a" }
    stage { name = "a" }
  }"#,
                "Duplicate stage name",
                "Another stage is named \"a\"",
            ),
            (
                r#"
  rollout {
    stage {
      name     = "both"
      clusters = ["eu-1"]
      cluster_affinity {
        match_labels = { ring = "canary" }
      }
    }
    stage { name = "rest" }
  }"#,
                "Stage selects clusters twice",
                "not both",
            ),
            (
                r#"
  rollout {
    stage {
      name         = "all"
      max_parallel = 0
    }
  }"#,
                "Invalid max_parallel",
                "max_parallel = 0",
            ),
        ];
        for (rollout, summary, detail) in cases {
            let ws = workspace(&tf, rollout);
            let plan = ws.plan().expect_failure();
            let output = squashed(&plan.all_output());
            assert!(
                output.contains(summary) && output.contains(detail),
                "{tf:?}: {summary}:\n{}",
                plan.all_output()
            );
            assert!(
                !ws.path().join("rendered").exists(),
                "{tf:?}: nothing may be written"
            );
        }

        let ws = workspace(
            &tf,
            r#"
  wait_for_ready = false
  rollout {
    stage {
      name     = "pilot"
      clusters = ["ap-1"]
    }
    stage { name = "rest" }
  }"#,
        );
        let plan = ws.plan().expect_success();
        let output = squashed(&plan.all_output());
        for warning in [
            "wait_for_ready = false has no effect",
            "Stage \"pilot\" selects no cluster",
            "Cluster \"ap-1\" is not in this stage",
        ] {
            assert!(output.contains(warning), "{tf:?}: {warning}:\n{output}");
        }
    }
}
