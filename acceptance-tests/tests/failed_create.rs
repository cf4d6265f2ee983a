//! Issue 12, point 1, on directory targets: a create that fails on one target records no
//! state, so the retry is a create again - nothing is tainted, nothing destroyed - and what the
//! healthy target got stays as it was. Terraform 1.11 and 1.0.3.

use acceptance_tests::terraform::{Terraform, Workspace};

const CONFIG: &str = r#"
terraform {
  required_providers {
    clusternet = { source = "clusternet/clusternet" }
  }
}

provider "clusternet" {
  clusters = {
    "eu-1" = { labels = { env = "prod" }, directory = "${path.module}/rendered/eu-1" }
    "us-1" = { labels = { env = "prod" }, directory = "${path.module}/rendered/us-1" }
  }
}

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

const EU_FILE: &str = "rendered/eu-1/default.app/core_v1_configmap_default_settings.yaml";

#[test]
fn a_create_that_fails_on_one_target_records_nothing_and_the_retry_finishes_it() {
    for tf in Terraform::all() {
        let v = tf.version;
        let ws = Workspace::from_files(&[("main.tf", CONFIG)], &tf);
        // us-1's directory cannot be made: a file is where it should be.
        std::fs::create_dir_all(ws.path().join("rendered")).unwrap();
        std::fs::write(ws.path().join("rendered/us-1"), "in the way").unwrap();

        let failed = ws.apply().expect_failure();
        let output = failed.all_output();
        assert!(output.contains("us-1"), "{v}: names us-1:\n{output}");
        assert!(
            output.contains("Subscription not recorded in state"),
            "{v}:\n{output}"
        );
        let eu = std::fs::read_to_string(ws.path().join(EU_FILE)).expect("eu-1 written");
        assert!(eu.contains("color: blue"), "{v}: {eu}");
        let listed = ws.run(&["state", "list"]).expect_success().stdout;
        assert!(
            !listed.contains("clusternet_subscription.app"),
            "{v}: {listed}"
        );

        let retry = ws.apply().expect_failure();
        let output = retry.all_output();
        assert!(!output.contains("Destroying"), "{v}: {output}");
        assert!(!output.contains("must be replaced"), "{v}: {output}");
        assert_eq!(
            std::fs::read_to_string(ws.path().join(EU_FILE))
                .ok()
                .as_ref(),
            Some(&eu),
            "{v}"
        );

        std::fs::remove_file(ws.path().join("rendered/us-1")).unwrap();
        let plan = ws.plan().expect_success();
        assert!(
            plan.stdout
                .contains("clusternet_subscription.app will be created"),
            "{v}:\n{}",
            plan.stdout
        );
        let done = ws.apply().expect_success();
        assert!(!done.all_output().contains("Destroying"), "{v}");
        assert!(
            ws.path()
                .join("rendered/us-1/default.app/core_v1_configmap_default_settings.yaml")
                .exists(),
            "{v}: us-1 finished"
        );
        let again = ws.plan_detailed();
        assert_eq!(again.exit_code, Some(0), "{v}:\n{}", again.all_output());
    }
}

/// Issue 12, point 2, on directory targets: a target whose directory cannot be read is named
/// in a warning and its entries plan as changes (exit code 2), never "No changes".
#[test]
fn a_target_that_cannot_be_read_never_looks_in_sync() {
    for tf in Terraform::all() {
        let v = tf.version;
        let ws = Workspace::from_files(&[("main.tf", CONFIG)], &tf);
        ws.apply().expect_success();
        let dir = ws.path().join("rendered/us-1/default.app");
        std::fs::remove_dir_all(&dir).unwrap();
        std::fs::write(&dir, "not a directory").unwrap();

        let plan = ws.plan_detailed();
        let output = plan.all_output();
        assert_eq!(plan.exit_code, Some(2), "{v}:\n{output}");
        assert!(
            output.contains("Warning: Cluster \"us-1\" could not be read"),
            "{v}:\n{output}"
        );
        assert!(
            output.contains("us-1/v1/ConfigMap/default/settings"),
            "{v}:\n{output}"
        );
        assert!(
            !output.contains("Cluster \"eu-1\" could not be read"),
            "{v}:\n{output}"
        );
    }
}
