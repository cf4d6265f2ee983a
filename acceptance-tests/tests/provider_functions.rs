//! Issue 17: provider-defined functions (`provider::clusternet::divide`, `feed_key`,
//! `manifest_decode`, `manifest_decode_multi`, `manifest_encode`) with terraform 1.11:
//! `terraform console`, errors naming the argument, unknown in gives unknown out, a
//! `terraform test` run, `divide` against `clusternet_subscription.replicas` on directory
//! targets, and every example of docs/functions. Terraform 1.0.3, which has no functions,
//! plans with the same binary and sees no trace of them. No cluster needed.

use std::path::PathBuf;

use acceptance_tests::terraform::{PROVIDER_SOURCE, Terraform, Workspace, repo_root};
use serde_json::{Value as Json, json};

const REQUIRED_PROVIDERS: &str = r#"
terraform {
  required_providers {
    clusternet = { source = "clusternet/clusternet" }
  }
}
"#;

/// A 1.11 workspace with the provider required and `extra` as main.tf.
fn workspace(extra: &str) -> Workspace {
    Workspace::from_files(
        &[("main.tf", &format!("{REQUIRED_PROVIDERS}{extra}"))],
        &Terraform::v1_11(),
    )
}

/// The value `terraform console` prints for `expression`, or panics with the output.
fn evaluate(expression: &str) -> String {
    let out = workspace("").console(expression).expect_success();
    out.stdout.trim().to_string()
}

/// The error `terraform console` prints for `expression`, whitespace squashed.
fn evaluation_error(expression: &str) -> String {
    let out = workspace("").console(expression).expect_failure();
    out.all_output()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn console_evaluates_every_function() {
    assert_eq!(
        evaluate(r#"provider::clusternet::divide(6, { "eu-1" = 1, "us-1" = 2 })"#),
        "tomap({\n  \"eu-1\" = 2\n  \"us-1\" = 4\n})"
    );
    assert_eq!(
        evaluate(
            r#"provider::clusternet::feed_key({ apiVersion = "apps/v1", kind = "Deployment", metadata = { name = "web", namespace = "shop" } })"#
        ),
        "\"apps/v1/Deployment/shop/web\""
    );
    assert_eq!(
        evaluate(
            r#"provider::clusternet::manifest_decode("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {n: '1'}").data.n"#
        ),
        "\"1\""
    );
    assert_eq!(
        evaluate(
            r#"[for o in provider::clusternet::manifest_decode_multi("apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: shop}\n") : provider::clusternet::feed_key(o)]"#
        ),
        "[\n  \"v1/Namespace/shop\",\n  \"v1/ConfigMap/shop/a\",\n]"
    );
    assert_eq!(
        evaluate(
            r#"provider::clusternet::manifest_encode({ apiVersion = "v1", kind = "ConfigMap", metadata = { name = "a" }, data = { n = "1" } }, "json")"#
        ),
        "<<EOT\n{\n  \"apiVersion\": \"v1\",\n  \"data\": {\n    \"n\": \"1\"\n  },\n  \"kind\": \"ConfigMap\",\n  \"metadata\": {\n    \"name\": \"a\"\n  }\n}\nEOT"
    );
}

#[test]
fn errors_name_the_argument_and_say_what_to_do() {
    let cases = [
        (
            r#"provider::clusternet::divide(2.5, { a = 1 })"#,
            r#"Invalid value for "total" parameter: total must be a whole number from 0 to 2147483647"#,
        ),
        (
            r#"provider::clusternet::divide(-1, { a = 1 })"#,
            "and -1 is negative.",
        ),
        (
            r#"provider::clusternet::divide(3, { a = 0, b = 0 })"#,
            r#"Invalid value for "weights" parameter: The weights sum to 0, so Clusternet's static dividing divides nothing"#,
        ),
        (
            r#"provider::clusternet::divide(3, {})"#,
            r#"Invalid value for "weights" parameter: weights is empty"#,
        ),
        (
            r#"provider::clusternet::divide(3, { a = 1e30 })"#,
            r#"Invalid value for "weights" parameter: weights["a"] must be a whole number"#,
        ),
        (
            r#"provider::clusternet::feed_key({ apiVersion = "v1", kind = "ConfigMap" })"#,
            r#"Invalid value for "manifest" parameter: The manifest is incomplete: the object has no metadata.name"#,
        ),
        (
            r#"provider::clusternet::manifest_decode_multi("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\nkey: [unclosed\n")"#,
            r#"Invalid value for "manifest" parameter: The manifest's document 2 (line 5) is invalid:"#,
        ),
        (
            r#"provider::clusternet::manifest_decode("kind: A\n---\nkind: B\n")"#,
            "manifest_decode reads one. Use manifest_decode_multi for a stream.",
        ),
        (
            r#"provider::clusternet::manifest_encode({ apiVersion = "v1", kind = "ConfigMap", metadata = { name = "a" } }, "toml")"#,
            r#"Invalid value for "format" parameter: format must be "yaml" or "json", not "toml"."#,
        ),
    ];
    for (expression, expected) in cases {
        let text = evaluation_error(expression);
        assert!(
            text.contains("Error: Invalid function argument") && text.contains(expected),
            "{expression}: expected {expected:?} in:\n{text}"
        );
        // Terraform ends the sentence itself: no doubled period, and never Debug output.
        assert!(!text.contains(".."), "{expression}: {text}");
        assert!(!text.contains("{ ") && !text.contains("panicked"), "{text}");
    }
}

#[test]
fn unknown_arguments_give_unknown_results_in_a_plan() {
    let ws = workspace(
        r#"
resource "terraform_data" "later" {
  input = 3
}

output "split" {
  value = provider::clusternet::divide(terraform_data.later.output, { a = 1, b = 2 })
}

output "key" {
  value = provider::clusternet::feed_key({ apiVersion = "v1", kind = "ConfigMap", metadata = { name = terraform_data.later.id } })
}

output "known" {
  value = provider::clusternet::divide(3, { a = 1, b = 2 })
}
"#,
    );
    let plan = ws.plan().expect_success();
    let text = plan.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(text.contains("+ split = (known after apply)"), "{text}");
    assert!(text.contains("+ key = (known after apply)"), "{text}");
    assert!(text.contains("+ known = { + a = 1 + b = 2 }"), "{text}");
    ws.apply().expect_success();
    let outputs = ws.outputs();
    assert_eq!(outputs["split"], json!({"a": 1, "b": 2}));
    assert!(
        outputs["key"]
            .as_str()
            .unwrap_or_default()
            .starts_with("v1/ConfigMap/"),
        "{outputs}"
    );
}

#[test]
fn terraform_test_runs_a_module_that_validates_with_functions() {
    let ws = Workspace::new("provider_functions", &Terraform::v1_11());
    let out = ws.run(&["test", "-no-color"]).expect_success();
    assert!(
        out.stdout.contains("Success! 3 passed, 0 failed."),
        "{}",
        out.all_output()
    );
    assert!(
        out.stdout
            .contains("run \"a_tie_goes_by_dedicated_namespace_and_name\"... pass"),
        "{}",
        out.stdout
    );
}

/// Directory-target clusters; `z` has its own dedicated namespace, which sorts before every
/// `clusternet-*` one.
const CLUSTERS: &str = r#"
provider "clusternet" {
  clusters = {
    "a"   = { labels = { name = "a" }, directory = "${path.module}/rendered/a" }
    "a-b" = { labels = { name = "a-b" }, directory = "${path.module}/rendered/a-b" }
    "b"   = { labels = { name = "b" }, directory = "${path.module}/rendered/b" }
    "c"   = { labels = { name = "c" }, directory = "${path.module}/rendered/c" }
    "z"   = { labels = { name = "z" }, namespace = "aaa-z", directory = "${path.module}/rendered/z" }
  }
}

locals {
  cases = {
    even     = { total = 7, weights = { "a" = 1, "a-b" = 1, "b" = 1, "c" = 1 } }
    weighted = { total = 5, weights = { "a" = 2, "a-b" = 1, "b" = 0, "c" = 2 } }
    thirds   = { total = 10, weights = { "a" = 3, "a-b" = 3, "b" = 3, "c" = 1 } }
    names    = { total = 1, weights = { "a" = 1, "a-b" = 1 } }
    namespace = { total = 1, weights = { "a" = 1, "z" = 1 } }
    large    = { total = 1000003, weights = { "a" = 7, "a-b" = 11, "b" = 13, "c" = 7, "z" = 11 } }
  }
}

resource "clusternet_manifest" "web" {
  for_each = local.cases
  manifest = jsonencode({
    apiVersion = "apps/v1", kind = "Deployment"
    metadata   = { name = "web-${each.key}", namespace = "default" }
    spec = {
      replicas = each.value.total
      selector = { matchLabels = { app = "web" } }
      template = {
        metadata = { labels = { app = "web" } }
        spec     = { containers = [{ name = "web", image = "nginx:1.27" }] }
      }
    }
  })
}

resource "clusternet_subscription" "web" {
  for_each            = local.cases
  name                = "web-${each.key}"
  scheduling_strategy = "Dividing"
  dynamic "subscriber" {
    for_each = each.value.weights
    content {
      weight = subscriber.value
      cluster_affinity {
        match_labels = { name = subscriber.key }
      }
    }
  }
  feeds = [clusternet_manifest.web[each.key].feed]
}

output "from_subscription" {
  value = {
    for k, s in clusternet_subscription.web : k => { for key, n in s.replicas : split("/", key)[0] => n }
  }
}

# The function, keyed as its documentation says: `<namespace>/<name>` for z.
output "from_function" {
  value = {
    for k, c in local.cases : k => {
      for key, n in provider::clusternet::divide(c.total, { for name, w in c.weights : (name == "z" ? "aaa-z/z" : name) => w }) :
      reverse(split("/", key))[0] => n
    }
  }
}
"#;

#[test]
fn divide_agrees_with_the_subscription_replicas_on_directory_targets() {
    let ws = workspace(CLUSTERS);
    ws.apply().expect_success();
    let outputs = ws.outputs();
    let (from_subscription, from_function) =
        (&outputs["from_subscription"], &outputs["from_function"]);
    assert_eq!(from_subscription, from_function, "{outputs}");
    // The cases cover what they claim: ties broken by `<namespace>/<name>`, not by name.
    assert_eq!(from_function["names"], json!({"a": 0, "a-b": 1}));
    assert_eq!(from_function["namespace"], json!({"a": 0, "z": 1}));
    assert_eq!(
        from_function["even"],
        json!({"a": 2, "a-b": 2, "b": 2, "c": 1})
    );
    let large: i64 = from_function["large"]
        .as_object()
        .map(|m| m.values().filter_map(Json::as_i64).sum())
        .unwrap_or_default();
    assert_eq!(large, 1_000_003);
}

#[test]
fn every_function_example_applies_with_the_outputs_it_promises() {
    let dir = repo_root().join("examples/functions");
    let expected: [(&str, &str, Json); 5] = [
        (
            "divide",
            "replicas_per_cluster",
            json!({"eu-1": 2, "us-1": 4}),
        ),
        (
            "feed_key",
            "deployment_key",
            json!("apps/v1/Deployment/shop/web"),
        ),
        ("manifest_decode", "color", json!("blue")),
        (
            "manifest_decode_multi",
            "feed_keys",
            json!(["v1/Namespace/shop", "v1/ConfigMap/shop/settings"]),
        ),
        (
            "manifest_encode",
            "yaml",
            json!(
                "apiVersion: v1\ndata:\n  color: blue\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: shop\n"
            ),
        ),
    ];
    let found: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("examples/functions")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    assert_eq!(
        found.len(),
        expected.len(),
        "an example per function: {found:?}"
    );
    for (name, output, value) in expected {
        let example = std::fs::read_to_string(dir.join(name).join("function.tf"))
            .unwrap_or_else(|e| panic!("examples/functions/{name}/function.tf: {e}"));
        let ws = workspace(&example);
        ws.apply().expect_success();
        assert_eq!(ws.outputs()[output], value, "examples/functions/{name}");
    }
}

#[test]
fn providers_schema_declares_the_functions_to_1_11_only() {
    let ws = workspace("");
    let schema = ws.providers_schema();
    let functions = &schema["provider_schemas"][PROVIDER_SOURCE]["functions"];
    let names: Vec<&String> = functions
        .as_object()
        .map(|m| m.keys().collect())
        .unwrap_or_default();
    assert_eq!(
        names,
        [
            "divide",
            "feed_key",
            "manifest_decode",
            "manifest_decode_multi",
            "manifest_encode"
        ],
        "{schema}"
    );
    let divide = &functions["divide"];
    assert_eq!(divide["parameters"][0]["name"], json!("total"));
    assert_eq!(divide["parameters"][1]["type"], json!(["map", "number"]));
    assert_eq!(divide["return_type"], json!(["map", "number"]));
}

#[test]
fn terraform_1_0_plans_with_the_same_binary_and_sees_no_functions() {
    let tf = Terraform::v1_0();
    let config = format!(
        "{REQUIRED_PROVIDERS}{}",
        CLUSTERS
            .split("# The function, keyed")
            .next()
            .expect("the config before the function output")
    );
    let ws = Workspace::from_files(&[("main.tf", &config)], &tf);
    let schema = ws.providers_schema();
    let provider = &schema["provider_schemas"][PROVIDER_SOURCE];
    assert!(
        provider["resource_schemas"]["clusternet_subscription"].is_object(),
        "{schema}"
    );
    assert!(
        provider.get("functions").is_none(),
        "1.0.3 knows no functions: {provider}"
    );
    let plan = ws.plan().expect_success();
    assert!(
        plan.stdout.contains("Plan: 12 to add"),
        "{}",
        plan.all_output()
    );
    ws.apply().expect_success();
    assert_eq!(
        ws.outputs()["from_subscription"]["names"],
        json!({"a": 0, "a-b": 1}),
        "the same split as 1.11's divide"
    );
}
