//! The review guide's jq (`docs/guides/per_cluster.jq`) reads a saved plan's grouped preview
//! per cluster as the provider means it (ADR 0026): run on the plan of the guide's own example
//! (examples/quickstart, then eu-2 promoted, us-1 retired and the log level raised), it gives
//! each cluster's objects exactly as the harness expands them, and the guide's listing.

use std::process::Command;

use acceptance_tests::preview;
use acceptance_tests::terraform::{Terraform, Workspace, copy_example, repo_root};
use serde_json::Value as Json;

/// What `jq -L docs/guides -r <program> <file>` prints.
fn jq(program: &str, file: &std::path::Path) -> String {
    let out = Command::new("jq")
        .args(["-L"])
        .arg(repo_root().join("docs/guides"))
        .args(["-r", program])
        .arg(file)
        .output()
        .expect("jq runs");
    assert!(
        out.status.success(),
        "jq: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

#[test]
fn the_guides_jq_expands_the_preview_per_cluster() {
    let tf = Terraform::all().into_iter().next().expect("terraform 1.11");
    let ws = Workspace::from_files(&[], &tf);
    copy_example(&repo_root().join("examples/quickstart"), ws.path());
    ws.apply().expect_success();
    let main = ws.path().join("main.tf");
    let text = std::fs::read_to_string(&main).expect("main.tf");
    let changed = text
        .replace(
            "jsonencode({ data = { log_level = \"warn\" } })",
            "jsonencode({ data = { log_level = \"error\" } })",
        )
        .replace(
            "labels    = { region = \"eu\", env = \"staging\" }",
            "labels    = { region = \"eu\", env = \"prod\" }",
        )
        .replace(
            "labels    = { region = \"us\", env = \"prod\" }",
            "labels    = { region = \"us\", env = \"staging\" }",
        );
    assert_ne!(
        text, changed,
        "the example still has what the guide changes"
    );
    std::fs::write(&main, changed).expect("write main.tf");
    ws.run(&["plan", "-no-color", "-input=false", "-out=tfplan"])
        .expect_success();
    let shown = ws.run(&["show", "-json", "tfplan"]).expect_success();
    let plan_json = ws.path().join("plan.json");
    std::fs::write(&plan_json, &shown.stdout).expect("write plan.json");
    let plan: Json = serde_json::from_str(&shown.stdout).expect("plan JSON");
    let change = &plan["resource_changes"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["address"] == "clusternet_subscription.web")
        .expect("the subscription changes")["change"];

    for when in ["before", "after"] {
        let expanded: Json = serde_json::from_str(&jq(
            &format!(
                "include \"per_cluster\"; .resource_changes[] \
                 | select(.address == \"clusternet_subscription.web\") | .change.{when} \
                 | per_cluster"
            ),
            &plan_json,
        ))
        .expect("jq prints JSON");
        let expected: serde_json::Map<String, Json> = preview::per_cluster(&change[when])
            .into_iter()
            .map(|(k, v)| (k, serde_json::from_str(&v).expect("entries are JSON")))
            .collect();
        assert_eq!(expanded, Json::Object(expected), "{when}");
    }

    let listing = jq(
        "include \"per_cluster\"; .resource_changes[] \
         | select(.type == \"clusternet_subscription\") | .address as $address \
         | ((.change.before // {}) | per_cluster) as $before \
         | ((.change.after // {}) | per_cluster) as $after \
         | ($before + $after | keys[]) as $key | select($before[$key] != $after[$key]) \
         | (if $before[$key] == null then \"+\" elif $after[$key] == null then \"-\" else \"~\" end) as $op \
         | \"\\($address) \\($op) \\($key)\"",
        &plan_json,
    );
    let guide = std::fs::read_to_string(
        repo_root().join("docs/guides/reviewing-a-multi-cluster-rollout.md"),
    )
    .expect("the guide");
    assert!(
        guide.contains(&listing),
        "the guide shows another listing than its jq prints:\n{listing}"
    );
}
