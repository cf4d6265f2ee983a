//! A multi-cluster rollout to directory targets (no cluster needed), with both terraform
//! versions: the plan previews each cluster's objects, apply writes exactly the selected
//! clusters, overrides and replica division land where they should, drift in the files shows
//! up and is repaired, clusters leaving the selector are pruned, destroy cleans up.

use std::path::Path;

use acceptance_tests::terraform::{Terraform, Workspace, squashed};
use serde_json::json;

fn file(ws: &Workspace, cluster: &str, name: &str) -> String {
    std::fs::read_to_string(
        ws.path()
            .join("rendered")
            .join(cluster)
            .join("default.shop")
            .join(name),
    )
    .unwrap_or_default()
}

fn files(ws: &Workspace, cluster: &str) -> Vec<String> {
    let dir = ws
        .path()
        .join("rendered")
        .join(cluster)
        .join("default.shop");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| !n.starts_with('.'))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

const CONFIGMAP: &str = "core_v1_configmap_shop_settings.yaml";
const DEPLOYMENT: &str = "apps_v1_deployment_shop_web.yaml";

#[test]
fn rollout_to_directory_targets_with_both_terraform_versions() {
    for tf in Terraform::all() {
        rollout(&tf);
    }
}

fn rollout(tf: &Terraform) {
    let v = tf.version;
    let mut ws = Workspace::new("directory_rollout", tf);

    // Plan: the objects as the clusters share them, each cluster's differences (its replica
    // share, its Localization) as its own deviation, replicas 2 and 4, secrets masked.
    let plan = ws.plan().expect_success();
    let text = &squashed(&plan.stdout);
    assert!(
        text.contains("\"v1/ConfigMap/shop/settings\" = jsonencode("),
        "{v}:\n{text}"
    );
    assert!(
        text.contains("\"us-1/v1/ConfigMap/shop/settings\" = jsonencode( { + data = { + greeting = \"hello\" } } )"),
        "{v}:\n{text}"
    );
    assert!(
        text.contains(
            "\"us-1/apps/v1/Deployment/shop/web\" = jsonencode( { + spec = { + replicas = 4 } } )"
        ),
        "{v}:\n{text}"
    );
    assert!(!text.contains("\"ap-1/"), "{v}: ap-1 is not selected");
    assert!(
        text.contains("\"eu-1/apps/v1/Deployment/shop/web\" = 2"),
        "{v}: replicas in plan"
    );
    assert!(
        text.contains("\"us-1/apps/v1/Deployment/shop/web\" = 4"),
        "{v}"
    );
    assert!(
        !text.contains("s3cr3t-value"),
        "{v}: a secret leaked into the plan"
    );
    assert!(
        !text.contains("czNjcjN0LXZhbHVl"),
        "{v}: a base64 secret leaked into the plan"
    );
    // The Secret's markers need the key apply makes (ADR 0008): its entries wait for it.
    assert!(
        text.contains("\"v1/Secret/shop/credentials\" = (known after apply)"),
        "{v}: secret entry planned unknown"
    );

    // Apply: files in exactly the two selected clusters, with Clusternet's labels.
    ws.apply().expect_success();
    let expected = vec![
        DEPLOYMENT.to_string(),
        "core_v1_namespace_shop.yaml".to_string(),
        "core_v1_secret_shop_credentials.yaml".to_string(),
        "core_v1_service_shop_web.yaml".to_string(),
        CONFIGMAP.to_string(),
    ];
    let mut expected_sorted = expected.clone();
    expected_sorted.sort();
    assert_eq!(files(&ws, "eu-1"), expected_sorted, "{v}");
    assert_eq!(files(&ws, "us-1"), expected_sorted, "{v}");
    assert!(files(&ws, "ap-1").is_empty(), "{v}");
    assert!(
        file(&ws, "eu-1", CONFIGMAP).contains("clusternet.io/created-by"),
        "{v}"
    );
    assert!(file(&ws, "eu-1", DEPLOYMENT).contains("replicas: 2"), "{v}");
    assert!(file(&ws, "us-1", DEPLOYMENT).contains("replicas: 4"), "{v}");
    // The Globalization (priority 100) applies to both; the Localization (600) to eu-1 only.
    assert!(
        file(&ws, "eu-1", CONFIGMAP).contains("log_level: warn"),
        "{v}"
    );
    assert!(
        file(&ws, "us-1", CONFIGMAP).contains("log_level: warn"),
        "{v}"
    );
    assert!(
        file(&ws, "eu-1", CONFIGMAP).contains("greeting: hallo"),
        "{v}"
    );
    assert!(
        file(&ws, "us-1", CONFIGMAP).contains("greeting: hello"),
        "{v}"
    );
    // The real secret value is deployed (base64 in data).
    assert!(file(&ws, "eu-1", "core_v1_secret_shop_credentials.yaml").contains("czNjcjN0LXZhbHVl"));
    assert_eq!(ws.outputs()["clusters"], json!(["eu-1", "us-1"]), "{v}");
    let state = ws.show_json().to_string();
    assert!(
        !state.contains("s3cr3t-value") || state.contains("sensitive"),
        "{v}"
    );

    // No changes on a second plan.
    let again = ws.plan_detailed();
    assert_eq!(
        again.exit_code,
        Some(0),
        "{v}: second plan not empty:\n{}",
        again.all_output()
    );

    // Changing one override's value: a diff only on the affected cluster and field.
    ws.set_env("TF_VAR_eu_greeting", "servus");
    let plan = ws.plan().expect_success();
    let text = &squashed(&plan.stdout);
    assert!(
        text.contains("greeting = \"hallo\" -> \"servus\""),
        "{v}:\n{text}"
    );
    // eu-1's rendering is the shared one (two clusters tie, the first by name wins); us-1
    // keeps its own greeting as its deviation, which does not change.
    assert!(
        text.contains("~ \"v1/ConfigMap/shop/settings\""),
        "{v}:\n{text}"
    );
    assert!(
        !text.contains("\"us-1/v1/ConfigMap/shop/settings\""),
        "{v}: us-1 unaffected:\n{text}"
    );
    ws.apply().expect_success();
    assert!(
        file(&ws, "eu-1", CONFIGMAP).contains("greeting: servus"),
        "{v}"
    );

    // Drift: an edited file and a deleted file show in the plan; apply restores them.
    let cm = ws.path().join("rendered/us-1/default.shop").join(CONFIGMAP);
    let edited = std::fs::read_to_string(&cm)
        .unwrap()
        .replace("log_level: warn", "log_level: debug");
    std::fs::write(&cm, edited).unwrap();
    std::fs::remove_file(
        ws.path()
            .join("rendered/eu-1/default.shop")
            .join(DEPLOYMENT),
    )
    .unwrap();
    // Drift shows as the cluster's own deviation: us-1's edited field, taken back to the
    // shared value, and eu-1's deleted Deployment, planned whole (made again).
    let plan = squashed(&ws.plan().expect_success().stdout);
    assert!(
        plan.contains("~ \"us-1/v1/ConfigMap/shop/settings\" = jsonencode( ~ { ~ data = { ~ log_level = \"debug\" -> \"warn\""),
        "{v}:\n{plan}"
    );
    assert!(
        plan.contains("~ \"eu-1/apps/v1/Deployment/shop/web\" = \"(absent)\" -> jsonencode("),
        "{v}:\n{plan}"
    );
    ws.apply().expect_success();
    assert!(
        file(&ws, "us-1", CONFIGMAP).contains("log_level: warn"),
        "{v}"
    );
    // The repair is complete: the next plan is empty. Its refresh drops the fields the plan
    // named only to show the repair; Terraform 1.2 and later report such a refresh change
    // only when it matters to the plan, 1.0 and 1.1 always (ADR 0026).
    let repaired = ws.plan_detailed();
    assert_eq!(
        repaired.exit_code,
        Some(0),
        "{v}:\n{}",
        repaired.all_output()
    );
    if v != "1.0" {
        assert!(
            !repaired.stdout.contains("changed outside of Terraform"),
            "{v}:\n{}",
            repaired.stdout
        );
    }
    assert!(
        Path::new(
            &ws.path()
                .join("rendered/eu-1/default.shop")
                .join(DEPLOYMENT)
        )
        .exists()
    );

    // Moving the selector: eu-1 and us-1 leave (pruned, shown in plan), ap-1 joins.
    ws.set_env("TF_VAR_selected_env", "staging");
    let plan = squashed(&ws.plan().expect_success().stdout);
    let covered = plan
        .split_once("~ description_clusters = [")
        .and_then(|(_, rest)| rest.split_once(']'))
        .map(|(list, _)| list.to_string())
        .unwrap_or_default();
    for change in ["+ \"ap-1\"", "- \"eu-1\"", "- \"us-1\""] {
        assert!(covered.contains(change), "{v}: {change}:\n{plan}");
    }
    assert!(
        plan.contains("- \"us-1/v1/ConfigMap/shop/settings\""),
        "{v}: us-1's deviations go with it:\n{plan}"
    );
    ws.apply().expect_success();
    assert!(files(&ws, "eu-1").is_empty(), "{v}: eu-1 pruned");
    assert!(files(&ws, "us-1").is_empty(), "{v}: us-1 pruned");
    assert_eq!(files(&ws, "ap-1"), expected_sorted, "{v}");
    assert!(
        file(&ws, "ap-1", DEPLOYMENT).contains("replicas: 6"),
        "{v}: ap-1 alone gets all"
    );

    // Destroy leaves nothing.
    ws.destroy().expect_success();
    for cluster in ["eu-1", "us-1", "ap-1"] {
        assert!(files(&ws, cluster).is_empty(), "{v}: {cluster} not cleaned");
    }
}
