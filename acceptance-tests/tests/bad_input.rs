//! Bad input gets a clear diagnostic on the attribute at fault, and what is already deployed
//! stays as it was.

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

const GOOD: &str = r#"
resource "clusternet_manifest" "settings" {
  manifest = <<-YAML
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: settings
      namespace: default
    data:
      color: blue
  YAML
}

resource "clusternet_subscription" "app" {
  name = "app"
  subscriber {
    cluster_affinity {
      match_labels = { env = "prod" }
    }
  }
  feeds = [clusternet_manifest.settings.feed]
}
"#;

fn deployed(ws: &Workspace) -> String {
    std::fs::read_to_string(
        ws.path()
            .join("rendered/eu-1/default.app/core_v1_configmap_default_settings.yaml"),
    )
    .unwrap_or_default()
}

/// Applies GOOD, then `bad` (replacing main.tf's resources), and checks the diagnostic and
/// that the deployed file is untouched.
fn expect_rejected(name: &str, bad: &str, summary: &str, line_hint: &str) {
    let tf = Terraform::v1_11();
    let ws = Workspace::from_files(&[("main.tf", &format!("{PROVIDER}{GOOD}"))], &tf);
    ws.apply().expect_success();
    let before = deployed(&ws);
    assert!(before.contains("color: blue"), "{name}: setup failed");

    ws.write("main.tf", &format!("{PROVIDER}{bad}"));
    let out = ws.apply().expect_failure();
    let text = out.all_output();
    assert!(
        text.contains(summary),
        "{name}: expected {summary:?} in:\n{text}"
    );
    assert!(
        text.contains(line_hint),
        "{name}: the diagnostic should point at {line_hint:?}:\n{text}"
    );
    assert_eq!(deployed(&ws), before, "{name}: deployed objects changed");
}

#[test]
fn invalid_yaml_in_a_manifest() {
    expect_rejected(
        "invalid yaml",
        &GOOD.replace("      color: blue", "      color: [blue"),
        "Invalid manifest",
        "manifest = <<-YAML",
    );
}

#[test]
fn a_secret_in_clusternet_manifest() {
    expect_rejected(
        "secret in a manifest",
        &GOOD.replace("kind: ConfigMap", "kind: Secret"),
        "A Secret belongs in clusternet_secret",
        "manifest = <<-YAML",
    );
}

#[test]
fn a_secret_binary_value_that_is_not_base64() {
    let bad = format!(
        "{GOOD}\nresource \"clusternet_secret\" \"keystore\" {{\n  manifest = jsonencode({{ apiVersion = \"v1\", kind = \"Secret\", metadata = {{ name = \"keystore\", namespace = \"default\" }} }})\n  secret_binary_data = {{ \"store.p12\" = \"not base64!\" }}\n}}\n"
    );
    expect_rejected(
        "secret binary data",
        &bad,
        "Invalid Secret value",
        "secret_binary_data",
    );
}

#[test]
fn invalid_selector_operator() {
    expect_rejected(
        "invalid selector",
        &GOOD.replace(
            "      match_labels = { env = \"prod\" }",
            "      match_expressions {\n        key = \"env\"\n        operator = \"Near\"\n        values = [\"prod\"]\n      }",
        ),
        "Invalid selector operator",
        "operator = \"Near\"",
    );
}

#[test]
fn localization_for_an_unknown_cluster() {
    let bad = format!(
        "{GOOD}\nresource \"clusternet_localization\" \"x\" {{\n  name = \"x\"\n  cluster = \"mars-1\"\n  feed = clusternet_manifest.settings.feed\n  override {{\n    type = \"MergePatch\"\n    value = \"{{}}\"\n  }}\n}}\n"
    );
    expect_rejected(
        "unknown cluster",
        &bad,
        "Localization for an unknown cluster",
        "cluster = \"mars-1\"",
    );
}

#[test]
fn strategic_merge_patch_is_rejected_like_clusternet_does() {
    let bad = format!(
        "{GOOD}\nresource \"clusternet_globalization\" \"x\" {{\n  name = \"x\"\n  feed = clusternet_manifest.settings.feed\n  override {{\n    type = \"StrategicMergePatch\"\n    value = \"{{}}\"\n  }}\n}}\n"
    );
    expect_rejected(
        "strategic merge patch",
        &bad,
        "StrategicMergePatch is not supported",
        "type = \"StrategicMergePatch\"",
    );
}

#[test]
fn a_feed_given_by_key_without_a_hub() {
    expect_rejected(
        "feed by key",
        &GOOD.replace(
            "feeds = [clusternet_manifest.settings.feed]",
            "feeds = [\"v1/ConfigMap/default/elsewhere\"]",
        ),
        "Feed not found",
        "feeds = ",
    );
}

#[test]
fn an_override_handle_this_configuration_does_not_manage_without_a_hub() {
    expect_rejected(
        "override handle of no resource",
        &GOOD.replace(
            "feeds = [clusternet_manifest.settings.feed]",
            "feeds = [clusternet_manifest.settings.feed]\n  overrides = [\"Localization/clusternet-eu-1/elsewhere\"]",
        ),
        "Override not found",
        "overrides = ",
    );
}

#[test]
fn an_override_reference_that_is_no_handle() {
    expect_rejected(
        "override reference of another kind",
        &GOOD.replace(
            "feeds = [clusternet_manifest.settings.feed]",
            "feeds = [clusternet_manifest.settings.feed]\n  overrides = [\"Manifest/default/settings\"]",
        ),
        "Invalid override reference",
        "overrides = ",
    );
}

#[test]
fn a_patch_on_a_missing_path_is_a_warning_and_the_object_stays_unpatched() {
    let tf = Terraform::v1_11();
    let config = format!(
        "{PROVIDER}{GOOD}\nresource \"clusternet_globalization\" \"missing\" {{\n  name = \"missing\"\n  feed = clusternet_manifest.settings.feed\n  override {{\n    type = \"JSONPatch\"\n    value = jsonencode([{{ op = \"replace\", path = \"/data/absent\", value = \"x\" }}])\n  }}\n}}\n"
    );
    let config = config.replace(
        "  feeds = [clusternet_manifest.settings.feed]",
        "  feeds = [clusternet_manifest.settings.feed]\n  overrides = [clusternet_globalization.missing.ref]",
    );
    let ws = Workspace::from_files(&[("main.tf", &config)], &tf);
    let out = ws.apply().expect_success();
    let text = out.all_output();
    assert!(
        text.contains("Warning: Patch skipped: path missing"),
        "a skipped patch is reported:\n{text}"
    );
    assert!(
        text.contains("/data/absent"),
        "the warning names the path:\n{text}"
    );
    assert!(deployed(&ws).contains("color: blue"));
    assert!(!deployed(&ws).contains("absent"));
}
