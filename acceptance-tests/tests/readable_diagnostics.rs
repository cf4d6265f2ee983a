//! Issue 12, point 7: provider-level errors name the cluster and the attribute in their text,
//! not only through a source line (a cluster built by an expression has none of its own).
//! Terraform 1.11 and 1.0.3.

use acceptance_tests::terraform::{Terraform, Workspace};

#[test]
fn a_cluster_error_names_the_cluster_and_the_attribute() {
    let config = r#"
terraform {
  required_providers {
    clusternet = { source = "clusternet/clusternet" }
  }
}

locals {
  clusters = { for name in ["eu-1", "us-1"] : name => { labels = { env = "prod" }, host = "https://127.0.0.1:6443", kubeconfig_path = "/nonexistent" } }
}

provider "clusternet" {
  clusters = local.clusters
}

data "clusternet_clusters" "all" {}
"#;
    for tf in Terraform::all() {
        let v = tf.version;
        let ws = Workspace::from_files(&[("main.tf", config)], &tf);
        let out = ws.plan().expect_failure();
        let text = out.all_output();
        for cluster in ["eu-1", "us-1"] {
            assert!(
                text.contains(&format!("clusters[\"{cluster}\"].host:")),
                "{v}: the error names cluster {cluster} and its attribute:\n{text}"
            );
        }
        assert!(!text.contains(" { "), "{v}: no Debug output:\n{text}");
    }
}
