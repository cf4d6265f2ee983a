//! Issue 12, point 6: unknown values in the provider configuration are normal in Terraform (a
//! conditional, another module's outputs). `timestamp()` is unknown during plan and known at
//! apply, so it stands in for them here. A cluster whose directory is unknown keeps its preview
//! known; a whole cluster object that is unknown is tolerated at validate and plan (the preview
//! is then unknown: which clusters it selects is not known) and applied once known. Terraform
//! 1.11 and 1.0.3.

use acceptance_tests::terraform::{Terraform, Workspace, squashed};

const RESOURCES: &str = r#"
resource "clusternet_manifest" "settings" {
  manifest = jsonencode({
    apiVersion = "v1", kind = "ConfigMap"
    metadata   = { name = "settings", namespace = "default" }
    data       = { color = "blue" }
  })
}

resource "clusternet_subscription" "app" {
  name = "app"
  subscriber {
    cluster_affinity {}
  }
  feeds = [clusternet_manifest.settings.feed]
}
"#;

fn config(clusters: &str) -> String {
    format!(
        r#"
terraform {{
  required_providers {{
    clusternet = {{ source = "clusternet/clusternet" }}
  }}
}}

provider "clusternet" {{
  clusters = {{
{clusters}
  }}
}}
{RESOURCES}"#
    )
}

const FILE: &str = "default.app/core_v1_configmap_default_settings.yaml";

#[test]
fn a_directory_unknown_at_plan_keeps_the_preview_known() {
    let clusters = r#"
    "eu-1" = { labels = { env = "prod" }, directory = "${path.module}/rendered/eu-1" }
    "ap-1" = { labels = { env = "prod" }, directory = "${path.module}/rendered/${substr(timestamp(), 0, 0)}ap-1" }
"#;
    for tf in Terraform::all() {
        let v = tf.version;
        let ws = Workspace::from_files(&[("main.tf", &config(clusters))], &tf);
        ws.validate().expect_success();
        let plan = ws.plan().expect_success();
        let text = squashed(&plan.stdout);
        for shown in [
            "\"v1/ConfigMap/default/settings\" = jsonencode(",
            "+ description_clusters = [ + \"ap-1\", + \"eu-1\", ]",
        ] {
            assert!(
                text.contains(shown),
                "{v}: {shown} is known in the plan:\n{}",
                plan.stdout
            );
        }
        ws.apply().expect_success();
        assert!(ws.path().join("rendered/ap-1").join(FILE).exists(), "{v}");
        assert!(ws.path().join("rendered/eu-1").join(FILE).exists(), "{v}");
    }
}

#[test]
fn a_whole_cluster_unknown_at_plan_is_tolerated_and_applied_once_known() {
    let clusters = r#"
    "eu-1" = { labels = { env = "prod" }, directory = "${path.module}/rendered/eu-1" }
    "us-1" = timestamp() != "" ? { labels = { env = "prod" }, directory = "${path.module}/rendered/us-1" } : { labels = { env = "test" }, directory = "${path.module}/rendered/other" }
"#;
    for tf in Terraform::all() {
        let v = tf.version;
        let ws = Workspace::from_files(&[("main.tf", &config(clusters))], &tf);
        let validated = ws.validate().expect_success();
        assert!(
            !validated.all_output().contains("no credentials"),
            "{v}: {}",
            validated.all_output()
        );
        let plan = ws.plan().expect_success();
        assert!(
            !plan.all_output().contains("Error"),
            "{v}: {}",
            plan.all_output()
        );
        ws.apply().expect_success();
        assert!(ws.path().join("rendered/us-1").join(FILE).exists(), "{v}");
        assert!(ws.path().join("rendered/eu-1").join(FILE).exists(), "{v}");
    }
}
