//! Overrides in the plan show only what changed (issue 14, point 6): an override that names
//! its feed by key is left alone when the feed is edited, and its `feed` is not masked
//! unless it carries a Secret's values; an override's edit shows once, in its own `override`
//! blocks, and its effect in the subscription's preview, with nothing masked (ADR 0030); a
//! Secret value in an override's patch never shows. Directory targets, both terraform
//! versions.

use acceptance_tests::terraform::{Terraform, Workspace, copy_example, repo_root, squashed};
use serde_json::{Value as Json, json};

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
        // A saved plan applied by another terraform process: apply plans the subscription
        // again without planning the unchanged overrides, so it renders with the objects it
        // recorded (ADR 0030), exactly as planned.
        ws.run(&["plan", "-no-color", "-input=false", "-out=edit.tfplan"])
            .expect_success();
        ws.run(&["apply", "-no-color", "-input=false", "edit.tfplan"])
            .expect_success();
        ws.expect_no_changes("the plan after applying the feed's edit");
        let rendered = std::fs::read_to_string(
            ws.path()
                .join("rendered/eu-1/default.web/core_v1_configmap_web_settings.yaml"),
        )
        .expect("eu-1's ConfigMap");
        assert!(
            rendered.contains("log_level: warn") && rendered.contains("hallo"),
            "{v}: eu-1 keeps both overrides:\n{rendered}"
        );
    }
}

#[test]
fn an_override_edit_shows_once_and_nothing_is_masked() {
    for tf in Terraform::all() {
        let v = tf.version;
        let ws = Workspace::from_files(&[], &tf);
        copy_example(&repo_root().join("examples/quickstart"), ws.path());
        let created = squashed(&ws.plan().expect_success().stdout);
        assert!(
            created.contains("+ ref = \"Localization/clusternet-eu-1/eu-greeting\""),
            "{v}: the ref is a readable handle:\n{created}"
        );
        ws.apply().expect_success();

        let main = ws.path().join("main.tf");
        let text = std::fs::read_to_string(&main).expect("main.tf");
        let edited = text.replace("value = \"hallo\"", "value = \"servus\"");
        assert_ne!(text, edited, "{v}: the example's Localization says hallo");
        std::fs::write(&main, edited).expect("write main.tf");
        let plan = ws.plan_detailed();
        assert_eq!(plan.exit_code, Some(2), "{v}:\n{}", plan.all_output());
        let text = squashed(&plan.stdout);
        assert!(
            !text.contains("sensitive"),
            "{v}: nothing in a plan without Secrets is masked:\n{text}"
        );
        for unchanged in ["~ ref", "~ overrides", "~ feed"] {
            assert!(
                !text.contains(unchanged),
                "{v}: {unchanged} changes although only the override's patch did:\n{text}"
            );
        }
        // The patch shows once as the override's change, once as its effect on eu-1's
        // rendering of the ConfigMap.
        assert_eq!(
            text.matches("servus").count(),
            2,
            "{v}: the edit shows in the override and in the preview:\n{text}"
        );
        assert!(
            text.contains("Plan: 0 to add, 2 to change, 0 to destroy."),
            "{v}: the Localization and the subscription change, nothing else:\n{text}"
        );
        ws.apply().expect_success();
        ws.expect_no_changes("the plan after applying the override's edit");
        let rendered = |cluster: &str| {
            std::fs::read_to_string(ws.path().join(format!(
                "rendered/{cluster}/default.web/core_v1_configmap_web_settings.yaml"
            )))
            .expect("the ConfigMap is rendered")
        };
        assert!(
            rendered("eu-1").contains("servus"),
            "{v}: eu-1 got the new greeting"
        );
        assert!(
            !rendered("us-1").contains("servus"),
            "{v}: the Localization is eu-1's only"
        );
    }
}

/// A state written before `ref` was a handle (overrides at schema version 0 holding the
/// object as JSON, the subscription at version 2 passing the objects, and no private state)
/// upgrades without a diff; a saved plan applied after it renders with the overrides as
/// before.
#[test]
fn a_state_with_override_objects_upgrades_without_a_diff() {
    for tf in Terraform::all() {
        let v = tf.version;
        let ws = Workspace::from_files(&[], &tf);
        copy_example(&repo_root().join("examples/quickstart"), ws.path());
        ws.apply().expect_success();
        let path = ws.path().join("terraform.tfstate");
        let mut state: Json =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("state")).expect("JSON");
        // The override object a `ref` held before handles, for the handle it holds now.
        let old_ref = |handle: &str| {
            let metadata = match handle.split('/').collect::<Vec<_>>().as_slice() {
                ["Localization", ns, name] => json!({"namespace": ns, "name": name}),
                ["Globalization", name] => json!({"name": name}),
                _ => panic!("{v}: ref {handle} is no handle"),
            };
            let kind = handle.split('/').next().unwrap_or_default();
            json!({"apiVersion": "apps.clusternet.io/v1alpha1", "kind": kind,
                   "metadata": metadata, "spec": {"priority": 500}})
            .to_string()
        };
        let mut rewritten = 0;
        for resource in state["resources"].as_array_mut().expect("resources") {
            let kind = resource["type"].as_str().unwrap_or_default().to_string();
            let instance = &mut resource["instances"][0];
            let attributes = instance["attributes"].clone();
            match kind.as_str() {
                "clusternet_localization" | "clusternet_globalization" => {
                    assert_eq!(instance["schema_version"], 1, "{v}");
                    let handle = attributes["ref"].as_str().expect("ref");
                    instance["attributes"]["ref"] = json!(old_ref(handle));
                    instance["schema_version"] = json!(0);
                    rewritten += 1;
                }
                "clusternet_subscription" if !attributes["overrides"].is_null() => {
                    assert_eq!(instance["schema_version"], 3, "{v}");
                    let old: Vec<Json> = attributes["overrides"]
                        .as_array()
                        .expect("overrides")
                        .iter()
                        .map(|h| json!(old_ref(h.as_str().expect("handle"))))
                        .collect();
                    instance["attributes"]["overrides"] = Json::from(old);
                    instance["schema_version"] = json!(2);
                    instance
                        .as_object_mut()
                        .expect("instance")
                        .remove("private");
                    rewritten += 1;
                }
                _ => {}
            }
        }
        assert_eq!(rewritten, 3, "{v}: two overrides and their subscription");
        state["serial"] = json!(state["serial"].as_i64().unwrap_or(0) + 1);
        std::fs::write(&path, state.to_string()).expect("write state");
        ws.expect_no_changes("the plan after upgrading the state");

        let main = ws.path().join("main.tf");
        let text = std::fs::read_to_string(&main).expect("main.tf");
        std::fs::write(&main, text.replace("log_level: info", "log_level: debug"))
            .expect("write main.tf");
        ws.run(&["plan", "-no-color", "-input=false", "-out=edit.tfplan"])
            .expect_success();
        ws.run(&["apply", "-no-color", "-input=false", "edit.tfplan"])
            .expect_success();
        ws.expect_no_changes("the plan after applying the feed's edit");
    }
}

#[test]
fn secrets_in_overrides_stay_masked() {
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

variable "eu_password" {
  type      = string
  sensitive = true
  default   = "eu-0nly-s3cret"
}

resource "clusternet_localization" "password" {
  name    = "db-password"
  cluster = "eu-1"
  feed    = clusternet_secret.db.id
  override {
    type  = "MergePatch"
    value = jsonencode({ stringData = { password = var.eu_password } })
  }
}

resource "clusternet_subscription" "db" {
  name  = "db"
  feeds = [clusternet_secret.db.feed]
  subscriber {
    cluster_affinity {}
  }
  overrides = [clusternet_localization.db.ref, clusternet_localization.password.ref]
}
"#;
    for tf in Terraform::all() {
        let v = tf.version;
        let mut ws = Workspace::from_files(&[("main.tf", main)], &tf);
        let plan = ws.plan().expect_success();
        let text = squashed(&plan.stdout);
        assert!(
            text.contains("+ feed = (sensitive value)"),
            "{v}: a Secret's feed value stays masked:\n{text}"
        );
        assert!(!plan.all_output().contains("s3cr3t-value"), "{v}");
        // The ref names the override without its content: a sensitive value in its patch
        // cannot show there, nor in the subscription's `overrides`.
        assert!(
            text.contains("+ ref = \"Localization/clusternet-eu-1/db-password\""),
            "{v}: the ref is a handle:\n{text}"
        );
        let applied = ws.apply().expect_success();
        ws.set_env("TF_VAR_eu_password", "an0ther-s3cret");
        let changed = ws.plan_detailed();
        assert_eq!(changed.exit_code, Some(2), "{v}:\n{}", changed.all_output());
        for output in [
            plan.all_output(),
            applied.all_output(),
            changed.all_output(),
        ] {
            for secret in ["eu-0nly-s3cret", "an0ther-s3cret", "s3cr3t-value"] {
                assert!(!output.contains(secret), "{v}: {secret} shown:\n{output}");
            }
        }
    }
}
