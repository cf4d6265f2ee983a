//! `clusternet_render` is a pure render: it runs under `terraform test` with no cluster, and
//! it gives exactly the descriptions `clusternet_subscription` plans for the same objects.

use acceptance_tests::preview;
use acceptance_tests::terraform::{Terraform, Workspace, repo_root};

fn example(path: &str) -> String {
    let file = repo_root().join("examples").join(path);
    std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

/// `terraform test` exists from Terraform 1.6, so only 1.11 runs the module tests.
#[test]
fn module_tests_of_the_example_pass_with_no_cluster() {
    let tf = Terraform::v1_11();
    let ws = Workspace::from_files(&[("main.tf", &example("module-testing/main.tf"))], &tf);
    std::fs::create_dir_all(ws.path().join("tests")).expect("tests dir");
    ws.write(
        "tests/rollout.tftest.hcl",
        &example("module-testing/tests/rollout.tftest.hcl"),
    );
    let out = ws.run(&["test", "-no-color"]).expect_success();
    assert!(
        out.stdout.contains("3 passed, 0 failed"),
        "{}",
        out.all_output()
    );
}

/// The same Deployment and Subscription, once as resources on directory targets and once
/// through the data source with the same clusters: the descriptions are equal, key for key.
const SAME_RENDERING: &str = r#"
terraform {
  required_providers {
    clusternet = { source = "clusternet/clusternet" }
  }
}

provider "clusternet" {
  clusters = {
    "eu-1" = { labels = { size = "small" }, directory = "${path.module}/rendered/eu-1" }
    "eu-2" = { labels = { size = "large" }, directory = "${path.module}/rendered/eu-2" }
  }
}

resource "clusternet_manifest" "web" {
  manifest = yamlencode({
    apiVersion = "apps/v1"
    kind       = "Deployment"
    metadata   = { name = "web", namespace = "shop" }
    spec = {
      replicas = 6
      selector = { matchLabels = { app = "web" } }
      template = {
        metadata = { labels = { app = "web" } }
        spec     = { containers = [{ name = "web", image = "nginx:1.27" }] }
      }
    }
  })
}

resource "clusternet_secret" "key" {
  manifest = yamlencode({
    apiVersion = "v1"
    kind       = "Secret"
    metadata   = { name = "key", namespace = "shop" }
    stringData = { token = "not-for-your-eyes" }
  })
}

resource "clusternet_subscription" "web" {
  name                = "web"
  namespace           = "shop"
  scheduling_strategy = "Dividing"
  subscriber {
    weight = 1
    cluster_affinity {
      match_labels = { size = "small" }
    }
  }
  subscriber {
    weight = 2
    cluster_affinity {
      match_labels = { size = "large" }
    }
  }
  feeds = [clusternet_manifest.web.feed, clusternet_secret.key.feed]
}

data "clusternet_render" "web" {
  cluster {
    name   = "eu-1"
    labels = { size = "small" }
  }
  cluster {
    name   = "eu-2"
    labels = { size = "large" }
  }
  objects = [
    clusternet_manifest.web.feed,
    clusternet_secret.key.feed,
    yamlencode({
      apiVersion = "apps.clusternet.io/v1alpha1"
      kind       = "Subscription"
      metadata   = { name = "web", namespace = "shop" }
      spec = {
        schedulingStrategy = "Dividing"
        dividingScheduling = { type = "Static" }
        subscribers = [
          { clusterAffinity = { matchLabels = { size = "small" } }, weight = 1 },
          { clusterAffinity = { matchLabels = { size = "large" } }, weight = 2 },
        ]
        feeds = [
          { apiVersion = "apps/v1", kind = "Deployment", name = "web", namespace = "shop" },
          { apiVersion = "v1", kind = "Secret", name = "key", namespace = "shop" },
        ]
      }
    }),
  ]
}

output "from_resource" {
  value = {
    descriptions         = clusternet_subscription.web.descriptions
    deviations           = clusternet_subscription.web.deviations
    description_clusters = clusternet_subscription.web.description_clusters
  }
}

output "from_data_source" {
  value = data.clusternet_render.web.subscriptions["shop/web"].descriptions
}

output "replicas" {
  value = data.clusternet_render.web.subscriptions["shop/web"].replicas
}
"#;

/// `descriptions` with every keyed Secret marker shown as the bare `(sensitive value)`.
fn unkeyed(descriptions: &serde_json::Value) -> serde_json::Value {
    let mut descriptions = descriptions.clone();
    for text in descriptions
        .as_object_mut()
        .into_iter()
        .flat_map(|m| m.values_mut())
    {
        let Some(entry) = text.as_str() else { continue };
        let mut out = String::new();
        let mut rest = entry;
        while let Some(start) = rest.find("(sensitive value, hmac-sha256:") {
            out.push_str(&rest[..start]);
            out.push_str("(sensitive value)");
            let end = rest[start..]
                .find(')')
                .map_or(rest.len(), |e| start + e + 1);
            rest = &rest[end..];
        }
        out.push_str(rest);
        *text = serde_json::Value::from(out);
    }
    descriptions
}

#[test]
fn data_source_renders_what_the_subscription_plans() {
    for tf in Terraform::all() {
        let ws = Workspace::from_files(&[("main.tf", SAME_RENDERING)], &tf);
        ws.apply().expect_success();
        let outputs = ws.outputs();
        // The resource groups its preview (ADR 0026); per cluster, it is the data source's.
        let from_resource: serde_json::Map<String, serde_json::Value> =
            preview::per_cluster(&outputs["from_resource"])
                .into_iter()
                .map(|(k, v)| (k, serde_json::Value::from(v)))
                .collect();
        // The resource marks Secret values with its own key (ADR 0008); the data source, which
        // has no state to keep a key in, with a bare `(sensitive value)`.
        assert_eq!(
            unkeyed(&serde_json::Value::Object(from_resource.clone())),
            outputs["from_data_source"],
            "{}",
            tf.version
        );
        assert_eq!(from_resource.len(), 4, "{}: {from_resource:?}", tf.version);
        let replicas = &outputs["replicas"];
        assert_eq!(
            replicas["eu-1/apps/v1/Deployment/shop/web"], 2,
            "{replicas}"
        );
        assert_eq!(
            replicas["eu-2/apps/v1/Deployment/shop/web"], 4,
            "{replicas}"
        );
        // The secret's value is masked in both.
        let state = ws.show_json().to_string();
        let secret = &outputs["from_data_source"]["eu-1/v1/Secret/shop/key"];
        assert!(
            secret
                .as_str()
                .is_some_and(|s| s.contains("sensitive value")),
            "{secret}"
        );
        assert!(!outputs.to_string().contains("not-for-your-eyes"));
        assert!(
            !state.contains("bm90LWZvci15b3VyLWV5ZXM"),
            "the base64 secret leaked into non-sensitive state"
        );
    }
}

#[test]
fn bad_objects_are_diagnosed_on_their_element() {
    for tf in Terraform::all() {
        let ws = Workspace::from_files(
            &[(
                "main.tf",
                r#"
terraform {
  required_providers {
    clusternet = { source = "clusternet/clusternet" }
  }
}

provider "clusternet" {}

data "clusternet_render" "broken" {
  cluster {
    name = "eu-1"
  }
  cluster {
    name = "eu-1"
  }
  objects = [
    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok, namespace: default}\n",
    "apiVersion: v1\nkind: [unclosed\n",
    "- just\n- a list\n",
  ]
}
"#,
            )],
            &tf,
        );
        let out = ws.plan().expect_failure();
        let text = out
            .all_output()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        // Terraform points at the element: its source line and its value.
        for expected in [
            r#"kind: [unclosed\n", invalid YAML"#,
            r#""- just\n- a list\n", a document is a list, not an object"#,
            "Duplicate cluster",
            r#"Cluster "eu-1" is already given by cluster[0]"#,
        ] {
            assert!(
                text.contains(expected),
                "{}: {expected}: {text}",
                tf.version
            );
        }
        assert!(
            !text.contains("name: ok"),
            "the good element is not blamed: {text}"
        );
    }
}
