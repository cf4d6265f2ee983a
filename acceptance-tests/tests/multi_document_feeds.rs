//! `clusternet_manifests`: a multi-document stream is one resource exporting one feed per
//! object, errors name the document at fault, and a CRD with its custom resource in one stream
//! deploys in one apply to real clusters (issue 14, point 4).

use std::path::Path;

use acceptance_tests::terraform::{Terraform, Workspace, squashed};
use acceptance_tests::testbed::{Testbed, names_of, unique_name};

const DIRECTORY_PROVIDER: &str = r#"
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

/// A `clusternet_manifests` of `app.yaml` and a subscription of its feeds.
const FROM_FILE: &str = r#"
resource "clusternet_manifests" "app" {
  manifests = file("${path.module}/app.yaml")
}

resource "clusternet_subscription" "app" {
  name = "app"
  subscriber {
    cluster_affinity {
      match_labels = { env = "prod" }
    }
  }
  feeds = clusternet_manifests.app.feeds
}

output "feed_keys" {
  value = clusternet_manifests.app.feed_keys
}
"#;

/// A workspace with a directory target and `stream` as app.yaml.
fn workspace(tf: &Terraform, stream: &str) -> Workspace {
    Workspace::from_files(
        &[
            ("main.tf", &format!("{DIRECTORY_PROVIDER}{FROM_FILE}")),
            ("app.yaml", stream),
        ],
        tf,
    )
}

fn config_map(name: &str, value: &str) -> String {
    format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n  namespace: default\ndata:\n  value: \"{value}\"\n"
    )
}

/// `count` ConfigMaps as one stream, each holding `value`.
fn config_maps(count: usize, value: &str) -> String {
    (1..=count)
        .map(|i| config_map(&format!("object-{i:02}"), value))
        .collect::<Vec<_>>()
        .join("---\n")
}

fn rendered_files(dir: &Path) -> usize {
    walk(dir)
}

fn walk(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| {
            let path = entry.path();
            if path.is_dir() {
                walk(&path)
            } else {
                usize::from(path.extension().is_some_and(|e| e == "yaml"))
            }
        })
        .sum()
}

/// Applies a bad stream and checks that every phrase is in the error.
fn expect_error(stream: &str, phrases: &[&str]) {
    for tf in Terraform::all() {
        let v = tf.version;
        let ws = workspace(&tf, stream);
        let out = ws.apply().expect_failure();
        let text = squashed(&out.all_output());
        for phrase in phrases {
            assert!(
                text.contains(phrase),
                "{v}: expected {phrase:?} in:\n{text}"
            );
        }
        assert!(text.contains("manifests"), "{v}: attribute path:\n{text}");
    }
}

#[test]
fn fifty_objects_are_one_resource_with_feeds_in_document_order() {
    for tf in Terraform::all() {
        let v = tf.version;
        let ws = workspace(&tf, &config_maps(50, "1"));
        ws.apply().expect_success();
        assert_eq!(
            rendered_files(&ws.path().join("rendered/eu-1")),
            50,
            "{v}: every object deployed"
        );
        let keys = ws.outputs()["feed_keys"].clone();
        assert_eq!(keys[0], "v1/ConfigMap/default/object-01", "{v}: {keys}");
        assert_eq!(keys[49], "v1/ConfigMap/default/object-50", "{v}: {keys}");
        ws.expect_no_changes("after applying fifty objects");

        // A change to every object is one in-place update of the stream and of the
        // subscription; reformatting alone (comments, a leading marker) is no change.
        ws.write(
            "app.yaml",
            &format!("# the app\n---\n{}", config_maps(50, "1")),
        );
        ws.expect_no_changes("the same objects, reformatted");
        ws.write("app.yaml", &config_maps(50, "2"));
        let plan = ws.plan().expect_success();
        assert!(plan.stdout.contains("2 to change"), "{v}: {}", plan.stdout);
    }
}

/// A kustomization: a name prefix, common labels, a namespace and a generated ConfigMap whose
/// name carries a hash of its content.
fn kustomization(dir: &Path, color: &str) {
    std::fs::create_dir_all(dir).expect("mkdir");
    std::fs::write(
        dir.join("kustomization.yaml"),
        format!(
            "namespace: shop\nnamePrefix: shop-\nlabels:\n- pairs:\n    app: web\n  includeSelectors: true\nresources:\n- deployment.yaml\nconfigMapGenerator:\n- name: settings\n  literals:\n  - color={color}\n"
        ),
    )
    .expect("kustomization.yaml");
    std::fs::write(
        dir.join("deployment.yaml"),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n  selector:\n    matchLabels: {}\n  template:\n    spec:\n      containers:\n      - name: web\n        image: nginx:1.27\n        envFrom:\n        - configMapRef:\n            name: settings\n",
    )
    .expect("deployment.yaml");
}

/// The real `kubectl kustomize` of `dir`.
fn kustomize(dir: &Path) -> String {
    let kubectl = acceptance_tests::terraform::cache_dir().join("bin/kubectl");
    let out = std::process::Command::new(&kubectl)
        .arg("kustomize")
        .arg(dir)
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}", kubectl.display()));
    assert!(
        out.status.success(),
        "kubectl kustomize: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

#[test]
fn kustomize_output_is_one_resource_and_a_generated_name_change_replaces_that_feed() {
    for tf in Terraform::all() {
        let v = tf.version;
        let base = tempfile_dir(v);
        kustomization(&base, "blue");
        let ws = workspace(&tf, &kustomize(&base));
        ws.apply().expect_success();
        let keys = ws.outputs()["feed_keys"].clone();
        let keys: Vec<&str> = keys
            .as_array()
            .expect("feed_keys")
            .iter()
            .filter_map(|k| k.as_str())
            .collect();
        assert_eq!(keys.len(), 2, "{v}: {keys:?}");
        let config_map = keys[0];
        assert!(
            config_map.starts_with("v1/ConfigMap/shop/shop-settings-"),
            "{v}: the generated ConfigMap, prefixed and hashed: {keys:?}"
        );
        assert_eq!(keys[1], "apps/v1/Deployment/shop/shop-web", "{v}");
        let deployment = std::fs::read_to_string(
            ws.path()
                .join("rendered/eu-1/default.app/apps_v1_deployment_shop_shop-web.yaml"),
        )
        .expect("the Deployment is rendered");
        let hashed_name = config_map.rsplit('/').next().unwrap_or_default();
        assert!(
            deployment.contains(hashed_name) && deployment.contains("app: web"),
            "{v}: kustomize's references and labels are deployed as rendered:\n{deployment}"
        );
        ws.expect_no_changes("the same kustomize output");

        // Another literal: kustomize generates a ConfigMap of another name, and the plan
        // shows that feed leave and the new one come, with the Deployment's reference.
        kustomization(&base, "green");
        ws.write("app.yaml", &kustomize(&base));
        let plan = squashed(&ws.plan().expect_success().stdout);
        let gone = format!("- \"{config_map}\" = jsonencode(");
        assert!(
            plan.contains(&gone)
                && plan.contains("+ \"v1/ConfigMap/shop/shop-settings-")
                && plan.contains("+ color = \"green\""),
            "{v}: the old generated ConfigMap leaves, the new one comes:\n{plan}"
        );
        ws.apply().expect_success();
        ws.expect_no_changes("after applying the new kustomize output");
        assert_eq!(
            rendered_files(&ws.path().join("rendered/eu-1")),
            2,
            "{v}: the old generated ConfigMap is pruned"
        );
        let _ = std::fs::remove_dir_all(&base);
    }
}

/// A scratch directory of this test process for a kustomization.
fn tempfile_dir(version: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("kustomize-{}-{version}", std::process::id()))
}

#[test]
fn a_bad_document_is_named_by_its_index_and_line() {
    let stream = format!(
        "{}---\n{}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  namespace: default\n",
        config_map("a", "1"),
        config_map("b", "1")
    );
    expect_error(
        &stream,
        &[
            "Incomplete manifest",
            "document 3 (line 17)",
            "metadata.name",
        ],
    );
}

#[test]
fn invalid_yaml_in_one_document_is_named_by_its_index() {
    let stream = format!("{}---\nkey: [unclosed\n", config_map("a", "1"));
    expect_error(&stream, &["Invalid manifest", "document 2 (line 9)"]);
}

#[test]
fn a_duplicate_object_names_both_documents() {
    let stream = format!(
        "{}---\n{}---\n{}",
        config_map("a", "1"),
        config_map("b", "1"),
        config_map("a", "2")
    );
    expect_error(
        &stream,
        &[
            "Duplicate object in manifests",
            "document 3 (line 17) gives v1/ConfigMap/default/a again, already given by document 1 (line 1)",
        ],
    );
}

#[test]
fn an_invalid_name_is_rejected_as_clusternet_manifest_rejects_it() {
    expect_error(
        &config_map("Not_A_Name", "1"),
        &["Invalid object name", "document 1 (line 1)"],
    );
}

#[test]
fn a_secret_in_the_stream_is_refused_without_showing_its_values() {
    let stream = format!(
        "{}---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: default\nstringData:\n  password: hunter2\n",
        config_map("a", "1")
    );
    expect_error(
        &stream,
        &[
            "A Secret belongs in clusternet_secret",
            "document 2 (line 9) (v1/Secret/default/db)",
        ],
    );
    for tf in Terraform::all() {
        let ws = workspace(&tf, &stream);
        let out = ws.plan().expect_failure();
        assert!(!out.all_output().contains("hunter2"), "{}", tf.version);
    }
}

#[test]
fn a_stream_without_objects_is_a_warning() {
    for tf in Terraform::all() {
        let v = tf.version;
        let ws = workspace(&tf, "# nothing here yet\n---\n---\n");
        let out = ws.apply().expect_success();
        let text = squashed(&out.all_output());
        assert!(text.contains("No objects in manifests"), "{v}:\n{text}");
    }
}

/// A CRD and a custom resource of it in one stream, for three real clusters.
fn crd_and_cr(group: &str, ns: &str) -> String {
    format!(
        r#"apiVersion: v1
kind: Namespace
metadata:
  name: {ns}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.{group}
spec:
  group: {group}
  scope: Namespaced
  names: {{ plural: widgets, singular: widget, kind: Widget, listKind: WidgetList }}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                size: {{ type: string }}
---
apiVersion: {group}/v1
kind: Widget
metadata:
  name: w1
  namespace: {ns}
spec:
  size: m
"#
    )
}

fn bed_workspace(tf: &Terraform, bed: &Testbed, stream: &str) -> Workspace {
    bed_workspace_with_hub(tf, bed, stream, None)
}

/// [`bed_workspace`], with the bed's hub when `hub_namespaces` gives each child's dedicated
/// namespace on it (a prefix, unique per test).
fn bed_workspace_with_hub(
    tf: &Terraform,
    bed: &Testbed,
    stream: &str,
    hub_namespaces: Option<&str>,
) -> Workspace {
    let clusters: String = bed
        .children()
        .iter()
        .map(|c| {
            let namespace = hub_namespaces
                .map(|prefix| format!(", namespace = \"{prefix}-{}\"", c.name()))
                .unwrap_or_default();
            format!(
                "    \"{name}\" = {{ labels = {{ env = \"prod\" }}, kubeconfig_path = \"{path}\", context = \"{name}\"{namespace} }}\n",
                name = c.name(),
                path = c.kubeconfig().display()
            )
        })
        .collect();
    let hub = hub_namespaces
        .map(|_| {
            format!(
                "  hub = {{ kubeconfig_path = \"{}\", context = \"hub\" }}\n",
                bed.hub().kubeconfig().display()
            )
        })
        .unwrap_or_default();
    let provider = format!(
        r#"
terraform {{
  required_providers {{
    clusternet = {{ source = "clusternet/clusternet" }}
  }}
}}

provider "clusternet" {{
{hub}  clusters = {{
{clusters}  }}
}}
"#
    );
    // On the shared hub, the Subscription lives in the test's own namespace.
    let resources = match hub_namespaces {
        Some(prefix) => FROM_FILE.replace(
            "name = \"app\"",
            &format!("name      = \"app\"\n  namespace = \"{prefix}\""),
        ),
        None => FROM_FILE.to_string(),
    };
    Workspace::from_files(
        &[
            ("main.tf", &format!("{provider}{resources}")),
            ("app.yaml", stream),
        ],
        tf,
    )
}

#[test]
fn a_crd_and_its_custom_resource_in_one_stream_deploy_in_one_apply() {
    let bed = Testbed::shared();
    for tf in Terraform::all() {
        let v = tf.version;
        let ns = unique_name("multi");
        let group = format!("{}.example.com", unique_name("g"));
        let ws = bed_workspace(&tf, bed, &crd_and_cr(&group, &ns));
        ws.apply().expect_success();
        for child in bed.children() {
            let size = child
                .kubectl([
                    "get",
                    &format!("widgets.{group}"),
                    "w1",
                    "-n",
                    &ns,
                    "-o",
                    "jsonpath={.spec.size}",
                ])
                .unwrap_or_else(|e| panic!("{v}: widget missing on {}: {e}", child.name()));
            assert_eq!(size, "m", "{v}: {}", child.name());
        }
        ws.expect_no_changes("after deploying a CRD and its custom resource");
        ws.destroy().expect_success();
    }
}

/// Hub mode: the stream's objects go to the hub as the Manifests Clusternet's shadow API
/// stores, one per feed, and to every child; destroy removes them from both.
#[test]
fn in_hub_mode_each_object_of_the_stream_is_a_manifest_on_the_hub() {
    let bed = Testbed::shared();
    bed.hub()
        .install_clusternet_crds()
        .expect("install Clusternet's CRDs on the hub");
    for tf in Terraform::all() {
        let v = tf.version;
        let ns = unique_name("multihub");
        let stream = format!(
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n---\n{}",
            (1..=3)
                .map(|i| config_map(&format!("object-{i}"), "1").replace("default", &ns))
                .collect::<Vec<_>>()
                .join("---\n")
        );
        let ws = bed_workspace_with_hub(&tf, bed, &stream, Some(&ns));
        ws.apply().expect_success();
        let manifests: Vec<String> = names_of(
            &bed.hub()
                .items("manifests.apps.clusternet.io", "clusternet-reserved"),
        )
        .into_iter()
        .filter(|n| n.contains(&ns))
        .collect();
        assert_eq!(
            manifests.len(),
            4,
            "{v}: the Namespace and three ConfigMaps as Manifests: {manifests:?}"
        );
        assert!(
            manifests.contains(&format!("configmaps.{ns}.object-2")),
            "{v}: {manifests:?}"
        );
        let subscriptions = bed.hub().items("subscriptions.apps.clusternet.io", &ns);
        let subscription = subscriptions
            .iter()
            .find(|s| s["metadata"]["name"] == "app")
            .unwrap_or_else(|| panic!("{v}: no Subscription app on the hub"));
        assert_eq!(
            subscription["spec"]["feeds"].as_array().map(Vec::len),
            Some(4),
            "{v}: {subscription}"
        );
        for child in bed.children() {
            assert!(
                child
                    .kubectl(["get", "configmap", "object-3", "-n", &ns])
                    .is_ok(),
                "{v}: object-3 missing on {}",
                child.name()
            );
        }
        ws.expect_no_changes("after applying the stream in hub mode");
        ws.destroy().expect_success();
        let left: Vec<String> = names_of(
            &bed.hub()
                .items("manifests.apps.clusternet.io", "clusternet-reserved"),
        )
        .into_iter()
        .filter(|n| n.contains(&ns))
        .collect();
        assert!(left.is_empty(), "{v}: Manifests left on the hub: {left:?}");
    }
}

#[test]
fn a_list_gives_the_same_feeds_as_clusternet_manifest() {
    let config = r#"
locals {
  settings = { apiVersion = "v1", kind = "ConfigMap", metadata = { name = "settings", namespace = "default" }, data = { b = "2", a = "1" } }
}

resource "clusternet_manifest" "settings" {
  manifest = yamlencode(local.settings)
}

resource "clusternet_manifests" "list" {
  manifests = jsonencode({ apiVersion = "v1", kind = "List", items = [local.settings] })
}

output "feeds" {
  value = clusternet_manifests.list.feeds
}

output "feed" {
  value = clusternet_manifest.settings.feed
}
"#;
    for tf in Terraform::all() {
        let ws = Workspace::from_files(
            &[("main.tf", &format!("{DIRECTORY_PROVIDER}{config}"))],
            &tf,
        );
        ws.apply().expect_success();
        let outputs = ws.outputs();
        assert_eq!(
            outputs["feeds"],
            serde_json::json!([outputs["feed"]]),
            "{}",
            tf.version
        );
    }
}
