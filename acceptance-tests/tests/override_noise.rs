//! Overrides in the plan show only what changed (issue 14, point 6): an override that names
//! its feed by key is left alone when the feed is edited, and its `feed` is not masked
//! unless it carries a Secret's values. Directory targets, both terraform versions.

use acceptance_tests::terraform::{Terraform, Workspace, copy_example, repo_root, squashed};

#[test]
fn a_feed_edit_leaves_the_overrides_that_name_it_by_key_alone() {
    for tf in Terraform::all() {
        let v = tf.version;
        let ws = Workspace::from_files(&[], &tf);
        copy_example(&repo_root().join("examples/quickstart"), ws.path());
        let plan = squashed(&ws.plan().expect_success().stdout);
        assert!(
            plan.contains("+ feed = \"v1/ConfigMap/web/settings\""),
            "{v}: the override's feed key is shown:\n{plan}"
        );
        ws.apply().expect_success();

        let main = ws.path().join("main.tf");
        let text = std::fs::read_to_string(&main).expect("main.tf");
        let edited = text.replace("log_level: info", "log_level: debug");
        assert_ne!(text, edited, "{v}: the example's feed has log_level: info");
        std::fs::write(&main, edited).expect("write main.tf");
        let plan = ws.plan_detailed();
        assert_eq!(plan.exit_code, Some(2), "{v}:\n{}", plan.all_output());
        let text = squashed(&plan.stdout);
        for unchanged in [
            "clusternet_globalization.prod_logging",
            "clusternet_localization.eu_greeting",
        ] {
            assert!(
                !text.contains(&format!("# {unchanged} will be updated")),
                "{v}: {unchanged} is planned although only its feed changed:\n{text}"
            );
        }
        assert!(
            text.contains("# clusternet_manifest.settings will be updated"),
            "{v}:\n{text}"
        );
        assert!(
            text.contains("Plan: 0 to add, 2 to change, 0 to destroy."),
            "{v}: the feed and the subscription change, nothing else:\n{text}"
        );
    }
}

#[test]
fn a_secret_passed_by_value_stays_masked() {
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

resource "clusternet_secret" "db" {
  manifest = yamlencode({
    apiVersion = "v1"
    kind       = "Secret"
    metadata   = { name = "db", namespace = "shop" }
  })
  secret_data = { password = "s3cr3t-value" }
}

resource "clusternet_localization" "db" {
  name    = "db-eu"
  cluster = "eu-1"
  feed    = clusternet_secret.db.feed
  override {
    type  = "MergePatch"
    value = jsonencode({ metadata = { labels = { tier = "db" } } })
  }
}
"#;
    for tf in Terraform::all() {
        let v = tf.version;
        let ws = Workspace::from_files(&[("main.tf", main)], &tf);
        let plan = ws.plan().expect_success();
        let text = squashed(&plan.stdout);
        assert!(
            text.contains("+ feed = (sensitive value)"),
            "{v}: a Secret's feed value stays masked:\n{text}"
        );
        assert!(!plan.all_output().contains("s3cr3t-value"), "{v}");
    }
}
