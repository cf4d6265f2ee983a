//! Smaller safety points of issue 12 (point 8), on terraform 1.11 and 1.0.3: what bad input
//! gets, and how files of directory targets are written.

use acceptance_tests::terraform::{Terraform, Workspace};

const PROVIDER: &str = r#"
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
"#;

/// A subscription of `feed` (an expression) to every cluster, with `extra` in its block.
fn subscription(feed: &str, extra: &str) -> String {
    format!(
        r#"
resource "clusternet_subscription" "app" {{
  name = "app"
  subscriber {{
    cluster_affinity {{
      match_labels = {{ env = "prod" }}
    }}
    {extra}
  }}
  feeds = [{feed}]
}}
"#
    )
}

/// `text` with every run of whitespace one space: terraform wraps diagnostics at 80 columns.
fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Applies `config` on each terraform version and returns the flattened output of the failure.
fn rejected(config: &str) -> Vec<(Terraform, String)> {
    Terraform::all()
        .into_iter()
        .map(|tf| {
            let ws = Workspace::from_files(&[("main.tf", config)], &tf);
            let text = flat(&ws.apply().expect_failure().all_output());
            assert!(
                !ws.path().join("rendered").exists(),
                "terraform {}: nothing is written",
                tf.version
            );
            (tf, text)
        })
        .collect()
}

#[test]
fn a_weight_beyond_int32_names_the_maximum() {
    let config = format!(
        "{PROVIDER}{}",
        subscription(
            "jsonencode({ apiVersion = \"v1\", kind = \"ConfigMap\", metadata = { name = \"c\", namespace = \"default\" } })",
            "weight = 9223372036854775807"
        )
    );
    for (tf, text) in rejected(&config) {
        assert!(
            text.contains("Error: Invalid weight")
                && text.contains(
                    "weight = 9223372036854775807: use a whole number from 0 to 2147483647."
                ),
            "terraform {}:\n{text}",
            tf.version
        );
    }
}

#[test]
fn a_secret_data_key_kubernetes_rejects_is_an_error_at_validate() {
    let config = format!(
        r#"{PROVIDER}
resource "clusternet_secret" "s" {{
  manifest    = jsonencode({{ apiVersion = "v1", kind = "Secret", metadata = {{ name = "s", namespace = "default" }} }})
  secret_data = {{ "db/password" = "hunter2" }}
}}
{}"#,
        subscription("clusternet_secret.s.feed", "")
    );
    for (tf, text) in rejected(&config) {
        assert!(
            text.contains("Error: Invalid Secret key")
                && text.contains(
                    "secret_data key \"db/password\" must consist of letters, digits, '-', '_' \
                     or '.'"
                ),
            "terraform {}:\n{text}",
            tf.version
        );
    }
}

#[test]
fn deeply_nested_yaml_is_refused_quickly_with_the_limit() {
    let deep = format!("{}1{}", "[".repeat(20_000), "]".repeat(20_000));
    let config = format!(
        "{PROVIDER}resource \"clusternet_manifest\" \"deep\" {{\n  manifest = <<-YAML\n    apiVersion: v1\n    kind: ConfigMap\n    metadata:\n      name: deep\n    data:\n      x: {deep}\n  YAML\n}}\n{}",
        subscription("clusternet_manifest.deep.feed", "")
    );
    let started = std::time::Instant::now();
    for (tf, text) in rejected(&config) {
        assert!(
            text.contains("Error: Invalid manifest")
                && text
                    .contains("the text nests collections more than 128 levels deep (at line 6)"),
            "terraform {}:\n{}",
            tf.version,
            &text[text.len().saturating_sub(1500)..]
        );
    }
    // Two init+apply runs; parsing the text took 4.8 s each before the limit.
    assert!(started.elapsed() < std::time::Duration::from_secs(60));
}

#[test]
fn secret_files_in_a_directory_target_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let config = format!(
        r#"{PROVIDER}
resource "clusternet_secret" "s" {{
  manifest    = jsonencode({{ apiVersion = "v1", kind = "Secret", metadata = {{ name = "s", namespace = "default" }} }})
  secret_data = {{ password = "hunter2" }}
}}
resource "clusternet_manifest" "c" {{
  manifest = jsonencode({{ apiVersion = "v1", kind = "ConfigMap", metadata = {{ name = "c", namespace = "default" }} }})
}}
{}"#,
        subscription("clusternet_secret.s.feed, clusternet_manifest.c.feed", "")
    );
    for tf in Terraform::all() {
        let ws = Workspace::from_files(&[("main.tf", &config)], &tf);
        ws.apply().expect_success();
        let dir = ws.path().join("rendered/eu-1/default.app");
        let mode = |name: &str| {
            std::fs::metadata(dir.join(name))
                .unwrap()
                .permissions()
                .mode()
                & 0o777
        };
        assert_eq!(
            mode("core_v1_secret_default_s.yaml"),
            0o600,
            "terraform {}",
            tf.version
        );
        assert_ne!(
            mode("core_v1_configmap_default_c.yaml") & 0o044,
            0,
            "terraform {}: other files stay readable",
            tf.version
        );
        ws.write("main.tf", &config.replace("hunter2", "hunter3"));
        ws.apply().expect_success();
        assert_eq!(mode("core_v1_secret_default_s.yaml"), 0o600);
    }
}
