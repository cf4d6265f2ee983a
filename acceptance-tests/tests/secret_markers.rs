//! Secret markers in `descriptions` are keyed hashes (ADR 0008), on directory targets with
//! terraform 1.11 and 1.0.3: two unrelated states mark the same value differently; the key is
//! the state's sensitive `secret_marker_key` and never printed; no output holds the value or
//! an unkeyed hash of it; the plan after apply is empty; a changed value changes that entry
//! only; a state from before the key plans once and settles.

use acceptance_tests::terraform::{Outcome, Terraform, Workspace};
use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde_json::Value as Json;
use sha2::Digest as _;

const PASSWORD: &str = "Summer2024!";
const NEW_PASSWORD: &str = "Winter2025!";
const TOKEN: &str = "static-api-token";
// The entries of `descriptions`: one cluster, so each object's shared rendering is eu-1's.
const DB: &str = "v1/Secret/shop/db";
const API: &str = "v1/Secret/shop/api";
const SETTINGS: &str = "v1/ConfigMap/shop/settings";

const MAIN_TF: &str = r#"
terraform {
  required_providers {
    clusternet = { source = "clusternet/clusternet" }
  }
}

variable "password" {
  type      = string
  sensitive = true
  default   = "Summer2024!"
}

provider "clusternet" {
  clusters = {
    "eu-1" = { labels = { env = "prod" }, directory = "${path.module}/rendered/eu-1" }
  }
}

resource "clusternet_manifest" "settings" {
  manifest = yamlencode({
    apiVersion = "v1"
    kind       = "ConfigMap"
    metadata   = { name = "settings", namespace = "shop" }
    data       = { color = "blue" }
  })
}

resource "clusternet_secret" "db" {
  manifest = yamlencode({
    apiVersion = "v1"
    kind       = "Secret"
    metadata   = { name = "db", namespace = "shop" }
  })
  secret_data = { password = var.password }
}

resource "clusternet_secret" "api" {
  manifest = yamlencode({
    apiVersion = "v1"
    kind       = "Secret"
    metadata   = { name = "api", namespace = "shop" }
  })
  secret_data = { token = "static-api-token" }
}

resource "clusternet_subscription" "app" {
  name      = "app"
  namespace = "shop"
  feeds = [
    clusternet_manifest.settings.feed,
    clusternet_secret.db.feed,
    clusternet_secret.api.feed,
  ]
  subscriber {
    cluster_affinity {}
  }
}

output "descriptions" {
  value = clusternet_subscription.app.descriptions
}
"#;

fn b64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

/// Runs of spaces squashed (Terraform aligns columns).
fn squash(text: &str) -> String {
    text.split(' ')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The subscription's values in `terraform show -json` of the state.
fn subscription(ws: &Workspace) -> Json {
    let state = ws.show_json();
    state["values"]["root_module"]["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|r| r["address"] == "clusternet_subscription.app")
        .map(|r| r["values"].clone())
        .expect("the subscription is in state")
}

/// The marker of `field` in the Secret entry `entry` of `descriptions`.
fn marker(descriptions: &Json, entry: &str, field: &str) -> String {
    let text = descriptions[entry].as_str().expect("entry is a string");
    let object: Json = serde_json::from_str(text).expect("entry is JSON");
    object["data"][field]
        .as_str()
        .expect("the value is marked")
        .to_string()
}

/// The marker the provider must show for `value` (as the Secret's `data` holds it) under
/// `key`: HMAC-SHA256, first 8 bytes.
fn keyed(key: &str, value: &str) -> String {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes()).expect("any key length");
    mac.update(value.as_bytes());
    let hex: String = mac.finalize().into_bytes()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("(sensitive value, hmac-sha256:{hex})")
}

/// Unkeyed hashes anyone could compute from a guess: the old marker
/// (sha256 of `<id>\0<value>`) and plain sha256 of the value, both as the first 8 bytes.
fn unkeyed_hashes(value: &str) -> Vec<String> {
    let mut hashes = Vec::new();
    for text in [value.to_string(), b64(value)] {
        for input in [format!("shop/app\0{text}"), text.clone()] {
            let digest = sha2::Sha256::digest(input.as_bytes());
            hashes.push(digest[..8].iter().map(|b| format!("{b:02x}")).collect());
        }
    }
    hashes
}

/// Nothing in `output` reveals a secret: not the values, not their base64, not an unkeyed
/// hash of them, not `key`.
fn assert_reveals_nothing(output: &str, key: Option<&str>, what: &str) {
    for value in [PASSWORD, NEW_PASSWORD, TOKEN] {
        assert!(!output.contains(value), "{what}: {value} shown:\n{output}");
        assert!(
            !output.contains(&b64(value)),
            "{what}: base64 of {value} shown:\n{output}"
        );
        for hash in unkeyed_hashes(value) {
            assert!(
                !output.contains(&hash),
                "{what}: an unkeyed hash of {value} shown:\n{output}"
            );
        }
    }
    if let Some(key) = key {
        assert!(
            !output.contains(key),
            "{what}: the marker key shown:\n{output}"
        );
    }
}

fn plan_exit_code(ws: &Workspace) -> Outcome {
    ws.plan_detailed()
}

/// Applies a fresh workspace and returns it with its key and the marker of the password.
fn applied(tf: &Terraform) -> (Workspace, String, String) {
    let v = tf.version;
    let ws = Workspace::from_files(&[("main.tf", MAIN_TF)], tf);
    // The create plan: the entries with Secret values wait for the key apply makes; the
    // other entry is shown.
    let plan = ws.plan().expect_success();
    let text = squash(&plan.stdout);
    assert!(
        text.contains(&format!("\"{DB}\" = (known after apply)")),
        "{v}:\n{text}"
    );
    assert!(
        text.contains(&format!("\"{API}\" = (known after apply)")),
        "{v}:\n{text}"
    );
    assert!(
        text.contains(&format!("\"{SETTINGS}\" = jsonencode(")),
        "{v}: the ConfigMap entry is known:\n{text}"
    );
    assert!(
        text.contains("secret_marker_key = (sensitive value)"),
        "{v}:\n{text}"
    );
    assert_reveals_nothing(&plan.all_output(), None, &format!("{v} create plan"));
    let apply = ws.apply().expect_success();
    let values = subscription(&ws);
    let key = values["secret_marker_key"]
        .as_str()
        .expect("apply made a key")
        .to_string();
    assert_eq!(key.len(), 64, "{v}: {key}");
    assert!(key.chars().all(|c| c.is_ascii_hexdigit()), "{v}: {key}");
    assert_reveals_nothing(&apply.all_output(), Some(&key), &format!("{v} apply"));
    let descriptions = &values["descriptions"];
    let password = marker(descriptions, DB, "password");
    assert_eq!(password, keyed(&key, &b64(PASSWORD)), "{v}");
    assert_eq!(
        marker(descriptions, API, "token"),
        keyed(&key, &b64(TOKEN)),
        "{v}"
    );
    // The real value is deployed.
    let file = ws
        .path()
        .join("rendered/eu-1/shop.app/core_v1_secret_shop_db.yaml");
    let deployed = std::fs::read_to_string(&file).unwrap_or_else(|e| {
        let listing = std::process::Command::new("find")
            .arg(ws.path().join("rendered"))
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default();
        panic!("{v}: {}: {e}\n{listing}", file.display())
    });
    assert!(deployed.contains(&b64(PASSWORD)), "{v}: {deployed}");
    (ws, key, password)
}

#[test]
fn secret_markers_are_keyed_per_state_with_both_terraform_versions() {
    for tf in Terraform::all() {
        markers(&tf);
    }
}

fn markers(tf: &Terraform) {
    let v = tf.version;
    // Two unrelated states, the same value: different keys, different markers.
    let (mut ws, key, password) = applied(tf);
    let (other, other_key, other_password) = applied(tf);
    assert_ne!(key, other_key, "{v}");
    assert_ne!(
        password, other_password,
        "{v}: same value, same marker in two states"
    );
    drop(other);

    // The plan after apply is empty, and shows nothing secret.
    let again = plan_exit_code(&ws);
    assert_eq!(again.exit_code, Some(0), "{v}:\n{}", again.all_output());
    assert_reveals_nothing(&again.all_output(), Some(&key), &format!("{v} second plan"));
    let shown = ws.run(&["show", "-no-color"]).expect_success();
    assert!(shown.stdout.contains(&password), "{v}: markers are shown");
    assert_reveals_nothing(&shown.all_output(), Some(&key), &format!("{v} show"));

    // A changed value: one entry changes, from one marker to another; the key stays.
    ws.set_env("TF_VAR_password", NEW_PASSWORD);
    let changed = ws.run(&[
        "plan",
        "-no-color",
        "-input=false",
        "-detailed-exitcode",
        "-out=changed.tfplan",
    ]);
    assert_eq!(changed.exit_code, Some(2), "{v}:\n{}", changed.all_output());
    let new_password = keyed(&key, &b64(NEW_PASSWORD));
    let text = squash(&changed.stdout);
    assert!(
        text.contains(&format!("\"{password}\" -> \"{new_password}\"")),
        "{v}: the marker change is shown:\n{text}"
    );
    assert!(!text.contains("(known after apply)"), "{v}:\n{text}");
    assert_reveals_nothing(
        &changed.all_output(),
        Some(&key),
        &format!("{v} changed plan"),
    );
    let plan = ws
        .run(&["show", "-json", "changed.tfplan"])
        .expect_success();
    let plan: Json = serde_json::from_str(&plan.stdout).expect("plan JSON");
    let change = plan["resource_changes"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["address"] == "clusternet_subscription.app")
        .map(|c| c["change"].clone())
        .expect("the subscription changes");
    let (before, after) = (&change["before"], &change["after"]);
    assert_eq!(
        before["secret_marker_key"], after["secret_marker_key"],
        "{v}"
    );
    let changed_entries: Vec<&String> = after["descriptions"]
        .as_object()
        .expect("descriptions known")
        .iter()
        .filter(|(k, v)| before["descriptions"].get(k.as_str()) != Some(v))
        .map(|(k, _)| k)
        .collect();
    assert_eq!(
        changed_entries,
        [DB],
        "{v}: only the changed Secret's entry"
    );
    let apply = ws
        .run(&[
            "apply",
            "-auto-approve",
            "-no-color",
            "-input=false",
            "changed.tfplan",
        ])
        .expect_success();
    assert_reveals_nothing(
        &apply.all_output(),
        Some(&key),
        &format!("{v} apply change"),
    );
    assert_eq!(
        marker(&subscription(&ws)["descriptions"], DB, "password"),
        new_password,
        "{v}"
    );
    let settled = plan_exit_code(&ws);
    assert_eq!(settled.exit_code, Some(0), "{v}:\n{}", settled.all_output());

    upgrade_from_a_state_without_key(&ws, tf);
    ws.destroy().expect_success();
}

/// A state written before the key (no `secret_marker_key`, old sha256 markers): the plan
/// works, shows the marked entries as known after apply once, and the apply settles them.
fn upgrade_from_a_state_without_key(ws: &Workspace, tf: &Terraform) {
    let v = tf.version;
    let path = ws.path().join("terraform.tfstate");
    let mut state: Json =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("state")).expect("JSON");
    for resource in state["resources"].as_array_mut().expect("resources") {
        if resource["type"] != "clusternet_subscription" {
            continue;
        }
        for instance in resource["instances"].as_array_mut().expect("instances") {
            let attributes = instance["attributes"].as_object_mut().expect("attributes");
            attributes.remove("secret_marker_key");
            let descriptions = attributes["descriptions"].as_object_mut().expect("map");
            for entry in [DB, API] {
                let text = descriptions[entry].as_str().expect("text").to_string();
                let old = with_markers(&text, "(sensitive value, sha256:0011223344556677)");
                descriptions.insert(entry.to_string(), Json::from(old));
            }
        }
    }
    state["serial"] = Json::from(state["serial"].as_i64().unwrap_or(0) + 1);
    std::fs::write(&path, serde_json::to_string_pretty(&state).expect("JSON")).expect("write");

    let plan = ws.plan_detailed();
    assert_eq!(plan.exit_code, Some(2), "{v}:\n{}", plan.all_output());
    let text = squash(&plan.stdout);
    assert!(
        text.contains("(known after apply)") && !text.contains(&format!("\"{SETTINGS}\"")),
        "{v}: only the marked entries change:\n{text}"
    );
    assert_reveals_nothing(&plan.all_output(), None, &format!("{v} plan after upgrade"));
    ws.apply().expect_success();
    let key = subscription(ws)["secret_marker_key"]
        .as_str()
        .expect("the apply after upgrade made a key")
        .to_string();
    let settled = plan_exit_code(ws);
    assert_eq!(settled.exit_code, Some(0), "{v}:\n{}", settled.all_output());
    assert_reveals_nothing(&settled.all_output(), Some(&key), &format!("{v} settled"));
}

/// `text` with every `(sensitive value, ...)` marker replaced by `old`.
fn with_markers(text: &str, old: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("(sensitive value") {
        out.push_str(&rest[..start]);
        let end = rest[start..]
            .find(')')
            .map_or(rest.len(), |e| start + e + 1);
        out.push_str(old);
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}
