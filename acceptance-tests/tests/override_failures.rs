//! An invalid override fails only its own cluster (issue 16, point 2). Clusternet stops only
//! that cluster's Description (`FailedApplyingOverrides`) and deploys the others; the render
//! engine does the same, so:
//! * the `render` CLI prints every Description it could render, reports the failed ones on
//!   stderr and exits 3;
//! * `clusternet_render` and `clusternet_subscription` refuse the plan with one error per
//!   failing override, naming the cluster, the object and the override, on the attribute that
//!   passed it - with and without a rollout, and nothing changes on any cluster (ADR 0027);
//! * the CLI and the plan report the same failures for the same objects.
//!
//! Directory targets, both terraform versions.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use acceptance_tests::terraform::{Terraform, Workspace, provider_binary, repo_root, squashed};

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

/// A guard that holds on no cluster: the feed's color is never green.
const GUARD: &str = r#"
resource "clusternet_localization" "guard" {
  name    = "guard"
  cluster = "eu-2"
  feed    = clusternet_manifest.settings.id
  override {
    name  = "only-if-green"
    type  = "JSONPatch"
    value = jsonencode([
      { op = "test", path = "/data/color", value = "green" },
      { op = "replace", path = "/data/color", value = "red" },
    ])
  }
}
"#;

const CANARY_THEN_REST: &str = r#"
  rollout {
    stage {
      name = "canary"
      cluster_affinity {
        match_labels = { ring = "canary" }
      }
    }
    stage { name = "rest" }
  }
"#;

fn subscription(overrides: &str, rollout: &str) -> String {
    format!(
        r#"
resource "clusternet_subscription" "app" {{
  name = "app"
  subscriber {{
    cluster_affinity {{
      match_labels = {{ env = "prod" }}
    }}
  }}
  feeds     = [clusternet_manifest.settings.feed]
  overrides = [{overrides}]
{rollout}
}}
"#
    )
}

/// Every file under `dir`, by path, with its content.
fn files(dir: &Path) -> BTreeMap<PathBuf, String> {
    let mut found = BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(next) = pending.pop() {
        for entry in std::fs::read_dir(&next).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                found.insert(path, text);
            }
        }
    }
    found
}

#[test]
fn a_failing_override_fails_the_plan_naming_cluster_and_override_and_changes_nothing() {
    for tf in Terraform::all() {
        for (label, rollout) in [("no rollout", ""), ("rollout", CANARY_THEN_REST)] {
            let v = format!("{} ({label})", tf.version);
            let mut ws = Workspace::from_files(
                &[(
                    "main.tf",
                    &format!("{PROVIDER}{GUARD}{}", subscription("", rollout)),
                )],
                &tf,
            );
            ws.apply().expect_success();
            let rendered = ws.path().join("rendered");
            let before = files(&rendered);
            assert_eq!(
                before
                    .values()
                    .filter(|t| t.contains("color: blue"))
                    .count(),
                2,
                "{v}: both clusters deployed: {before:?}"
            );

            // The guard is passed, and the feed changes at the same time: eu-1 could take
            // the change, eu-2 cannot; the plan is refused whole.
            ws.write(
                "main.tf",
                &format!(
                    "{PROVIDER}{GUARD}{}",
                    subscription("clusternet_localization.guard.ref", rollout)
                ),
            );
            ws.set_env("TF_VAR_color", "yellow");
            let out = ws.apply().expect_failure();
            let text = squashed(&out.all_output());
            for expected in [
                "Error: Override fails on cluster eu-2",
                "overrides[0] (\"only-if-green\") cannot be applied to ConfigMap default/settings for cluster eu-2: JSON patch: testing value /data/color failed.",
                "Nothing is changed on any cluster.",
                "overrides = [clusternet_localization.guard.ref]",
            ] {
                assert!(
                    text.contains(expected),
                    "{v}: {expected:?} missing:\n{text}"
                );
            }
            assert!(
                text.contains("Localization/clusternet-") && text.contains("/guard overrides[0]"),
                "{v}: the Localization is named:\n{text}"
            );
            assert!(
                !text.contains("cluster eu-1"),
                "{v}: eu-1 is not at fault:\n{text}"
            );
            assert_eq!(files(&rendered), before, "{v}: a cluster changed");

            // Dropping the guard plans and applies the change everywhere.
            ws.write(
                "main.tf",
                &format!("{PROVIDER}{GUARD}{}", subscription("", rollout)),
            );
            ws.apply().expect_success();
            let after = files(&rendered);
            assert_eq!(
                after
                    .values()
                    .filter(|t| t.contains("color: yellow"))
                    .count(),
                2,
                "{v}: {after:?}"
            );
        }
    }
}

fn fixture() -> PathBuf {
    repo_root().join("crates/model/tests/fixtures/override-failure-one-cluster/input.yaml")
}

#[test]
fn the_render_cli_prints_what_it_could_render_and_reports_the_failed_description() {
    let out = Command::new(provider_binary())
        .args(["render", "--decode"])
        .arg(fixture())
        .output()
        .expect("render runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    // eu-1: helm and generic; eu-2: helm only.
    for name in ["app-d2njn-helm", "app-d2njn-generic", "app-2c6bb-helm"] {
        assert!(
            stdout.contains(&format!("name: {name}\n")),
            "{name}:\n{stdout}"
        );
    }
    assert!(!stdout.contains("app-2c6bb-generic"), "{stdout}");
    let stderr = squashed(&stderr);
    for expected in [
        "render: error: Description clusternet-eu2cd/app-2c6bb-generic (Subscription default/app, cluster eu-2) is not rendered:",
        "rendering ConfigMap default/settings: Localization clusternet-eu2cd/settings-guard (priority 500) overrides[0] \"only-if-green\": JSON patch: testing value /data/mode failed;",
        "rendering ConfigMap default/files: Localization clusternet-eu2cd/files-format (priority 500) overrides[0] \"no-format\": field patch: unsupported FieldFormatType \"\"",
        "render: 1 Description(s) not rendered; the output holds the others",
    ] {
        assert!(stderr.contains(expected), "{expected:?} missing:\n{stderr}");
    }
}

#[test]
fn the_plan_reports_the_failures_the_render_cli_reports() {
    let fixture_text = std::fs::read_to_string(fixture()).expect("fixture");
    let main = r#"
terraform {
  required_providers {
    clusternet = { source = "clusternet/clusternet" }
  }
}

data "clusternet_render" "app" {
  objects = [file("${path.module}/input.yaml")]
}

output "subscriptions" {
  value = keys(data.clusternet_render.app.subscriptions)
}
"#;
    for tf in Terraform::all() {
        let v = tf.version;
        let ws = Workspace::from_files(&[("main.tf", main), ("input.yaml", &fixture_text)], &tf);
        let text = squashed(&ws.plan().expect_failure().all_output());
        // One error per failing override, as the CLI lists them, on `objects`.
        assert_eq!(
            text.matches("Error: Override fails on cluster eu-2")
                .count(),
            2,
            "{v}:\n{text}"
        );
        for expected in [
            "Localization/clusternet-eu2cd/settings-guard overrides[0] (\"only-if-green\") cannot be applied to ConfigMap default/settings for cluster eu-2: JSON patch: testing value /data/mode failed.",
            "Localization/clusternet-eu2cd/files-format overrides[0] (\"no-format\") cannot be applied to ConfigMap default/files for cluster eu-2: field patch: unsupported FieldFormatType \"\"",
            "Description clusternet-eu2cd/app-2c6bb-generic",
            "objects = [file(\"${path.module}/input.yaml\")]",
        ] {
            assert!(
                text.contains(expected),
                "{v}: {expected:?} missing:\n{text}"
            );
        }
        assert!(!text.contains("cluster eu-1"), "{v}:\n{text}");
    }
}
