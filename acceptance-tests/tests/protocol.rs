//! The provider speaks Terraform's plugin protocol to the real terraform binaries, 1.11 and
//! 1.0: schema, plan and apply of the inventory data source, and attribute-level validation.

use acceptance_tests::terraform::{PROVIDER_SOURCE, Terraform, Workspace};
use serde_json::json;

#[test]
fn providers_schema_lists_the_provider_with_both_terraform_versions() {
    for tf in Terraform::all() {
        let ws = Workspace::new("clusters_inventory", &tf);
        let schema = ws.providers_schema();
        let provider = &schema["provider_schemas"][PROVIDER_SOURCE];
        assert!(
            provider.is_object(),
            "terraform {}: no schema for {PROVIDER_SOURCE}: {schema}",
            tf.version
        );
        let attrs = &provider["provider"]["block"]["attributes"];
        for name in ["hub", "deployer", "clusters", "parallelism"] {
            assert!(
                attrs[name].is_object(),
                "terraform {}: no provider attribute {name}",
                tf.version
            );
        }
        assert_eq!(
            attrs["hub"]["nested_type"]["attributes"]["token"]["sensitive"],
            json!(true)
        );
        assert_eq!(
            provider["provider"]["block"]["description_kind"],
            json!("markdown"),
            "descriptions are Markdown"
        );
        let data_source = &provider["data_source_schemas"]["clusternet_clusters"]["block"];
        assert_eq!(data_source["attributes"]["names"]["computed"], json!(true));
    }
}

#[test]
fn plan_and_apply_of_the_inventory_give_the_expected_outputs() {
    for tf in Terraform::all() {
        let ws = Workspace::new("clusters_inventory", &tf);
        let plan = ws.plan().expect_success();
        assert!(
            plan.stdout.contains("+ prod") && plan.stdout.contains("\"us-1\""),
            "terraform {}: plan should show the outputs:\n{}",
            tf.version,
            plan.stdout
        );
        ws.apply().expect_success();
        let outputs = ws.outputs();
        assert_eq!(
            outputs["all"],
            json!(["eu-1", "eu-2", "us-1"]),
            "terraform {}",
            tf.version
        );
        assert_eq!(
            outputs["prod"],
            json!(["eu-1", "us-1"]),
            "terraform {}",
            tf.version
        );
        assert_eq!(
            outputs["eu_not_prod"],
            json!(["eu-2"]),
            "terraform {}",
            tf.version
        );
        assert_eq!(outputs["us_namespace"], json!("clusternet-us"));
        assert_eq!(outputs["eu_1_target"], json!("directory"));

        let state = ws.show_json();
        let resources = state["values"]["root_module"]["resources"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let all = resources
            .iter()
            .find(|r| r["address"] == json!("data.clusternet_clusters.all"))
            .expect("the data source is in state");
        assert_eq!(
            all["values"]["clusters"][0],
            json!({
                "name": "eu-1",
                "labels": {"env": "prod", "region": "eu"},
                "namespace": "clusternet-eu-1",
                "target": "directory",
                "directory": "rendered/eu-1",
                "source": "config"
            })
        );
        // A second plan is empty: reads are deterministic.
        let replan = ws.plan_detailed();
        assert!(
            replan.success,
            "terraform {}: second plan not empty:\n{}",
            tf.version,
            replan.all_output()
        );
    }
}

#[test]
fn validate_names_the_attribute_of_a_bad_provider_configuration() {
    for tf in Terraform::all() {
        let ws = Workspace::new("bad_provider_config", &tf);
        let out = ws.validate().expect_failure();
        let text = out.all_output();
        assert!(
            text.contains("Unknown deployer"),
            "terraform {}:\n{text}",
            tf.version
        );
        assert!(
            text.contains("deployer = \"bogus\""),
            "terraform {}: the diagnostic should point at the deployer line:\n{text}",
            tf.version
        );
        assert!(
            text.contains("Invalid label key"),
            "terraform {}:\n{text}",
            tf.version
        );
        assert!(
            text.contains("Cluster has no credentials and no directory"),
            "terraform {}:\n{text}",
            tf.version
        );
    }
}

#[test]
fn each_bad_cluster_configuration_gets_its_own_diagnostic() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "both_directory_and_credentials",
            r#"clusters = { "a" = { directory = "out", host = "https://127.0.0.1:1", token = "t" } }"#,
            "Cluster has both a directory and credentials",
        ),
        (
            "unreadable_kubeconfig",
            r#"clusters = { "a" = { kubeconfig_path = "/nonexistent/kubeconfig", context = "x" } }"#,
            "Unusable kubeconfig",
        ),
        (
            "host_without_credentials",
            r#"clusters = { "a" = { host = "https://127.0.0.1:6443" } }"#,
            "host without credentials",
        ),
        (
            "bad_cluster_name",
            r#"clusters = { "EU_1" = { directory = "out" } }"#,
            "Invalid cluster name",
        ),
        (
            "clusternet_deployer_without_hub",
            r#"deployer = "clusternet""#,
            "The clusternet deployer needs a hub",
        ),
        (
            "bad_parallelism",
            r#"parallelism = 0"#,
            "Invalid parallelism",
        ),
        (
            "bad_verify_timeout",
            r#"verify_timeout = "2 minutes""#,
            "Invalid verify_timeout",
        ),
    ];
    let tf = Terraform::v1_11();
    for (name, body, summary) in cases {
        let config = format!(
            "terraform {{\n  required_providers {{\n    clusternet = {{ source = \"clusternet/clusternet\" }}\n  }}\n}}\n\nprovider \"clusternet\" {{\n  {body}\n}}\n\ndata \"clusternet_clusters\" \"all\" {{}}\n"
        );
        let ws = Workspace::from_files(&[("main.tf", &config)], &tf);
        let out = ws.validate().expect_failure();
        let text = out.all_output();
        assert!(
            text.contains(summary),
            "{name}: expected {summary:?} in:\n{text}"
        );
    }
}

#[test]
fn unknown_provider_configuration_at_plan_is_not_a_crash() {
    // The cluster's directory comes from a resource that does not exist yet, so the provider
    // is configured with an unknown value during plan.
    let config = r#"
terraform {
  required_providers {
    clusternet = { source = "clusternet/clusternet" }
  }
}

resource "terraform_data" "dir" {
  input = "rendered/late"
}

provider "clusternet" {
  clusters = {
    "late" = { directory = terraform_data.dir.output }
  }
}

data "clusternet_clusters" "all" {
  depends_on = [terraform_data.dir]
}

output "names" {
  value = data.clusternet_clusters.all.names
}
"#;
    let tf = Terraform::v1_11();
    let ws = Workspace::from_files(&[("main.tf", config)], &tf);
    let plan = ws.plan().expect_success();
    assert!(
        plan.stdout.contains("names = (known after apply)"),
        "the output waits for apply:\n{}",
        plan.stdout
    );
    ws.apply().expect_success();
    assert_eq!(ws.outputs()["names"], json!(["late"]));
}

#[test]
fn plaintext_mode_works_when_terraform_disables_plugin_tls() {
    let tf = Terraform::v1_11();
    let mut ws = Workspace::new("clusters_inventory", &tf);
    ws.set_env("TF_DISABLE_PLUGIN_TLS", "1");
    ws.apply().expect_success();
    assert_eq!(ws.outputs()["prod"], json!(["eu-1", "us-1"]));
}
