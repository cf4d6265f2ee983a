//! The objects a chart templates are keyed where helm installs them (issue 12, point 8): an
//! object of a namespaced kind that the template leaves without a namespace is keyed in the
//! release namespace, `<cluster>/helm/<release>/<apiVersion>/<Kind>/<namespace>/<name>`;
//! cluster-scoped kinds - built in, or declared so by the chart's own CRDs - have no
//! namespace in their key. On the real bed the keys find the live objects (drift shows under
//! them, a settled plan is empty); a state of schema version 0, which keyed such objects
//! without the namespace, is upgraded without a diff.

use acceptance_tests::preview;
use acceptance_tests::terraform::{Terraform, Workspace, squashed};
use acceptance_tests::testbed::{ChartRepo, Testbed, charts_dir, tools, unique_name};
use serde_json::Value as Json;

const GROUP: &str = "scopes.testbed.clusternet.io/v1";

fn config(target: &str, repo: &str, release: &str) -> String {
    let helm = tools().helm.display().to_string();
    format!(
        r#"
terraform {{
  required_providers {{
    clusternet = {{ source = "clusternet/clusternet" }}
  }}
}}

provider "clusternet" {{
  helm_binary = "{helm}"
  clusters = {{
    "c1" = {{ labels = {{ env = "prod" }}, {target} }}
  }}
}}

resource "clusternet_helm_chart" "scopes" {{
  name             = "{release}"
  repo             = "{repo}"
  chart            = "scopes"
  version          = "0.1.0"
  target_namespace = "{release}"
}}

resource "clusternet_subscription" "scopes" {{
  name = "{release}"
  subscriber {{
    cluster_affinity {{
      match_labels = {{ env = "prod" }}
    }}
  }}
  feeds = [clusternet_helm_chart.scopes.feed]
}}
"#
    )
}

/// The templated keys the plan must show for release `r` (also its namespace).
fn expected_keys(r: &str) -> Vec<String> {
    vec![
        format!("c1/helm/{r}/v1/ConfigMap/{r}/{r}-settings"),
        format!("c1/helm/{r}/{GROUP}/Widget/{r}/{r}-widget"),
        format!("c1/helm/{r}/rbac.authorization.k8s.io/v1/ClusterRole/{r}-reader"),
        format!("c1/helm/{r}/{GROUP}/Gadget/{r}-gadget"),
    ]
}

fn templated_keys(ws: &Workspace) -> Vec<String> {
    preview::per_cluster(&ws.resource_values("clusternet_subscription"))
        .into_keys()
        .filter(|k| !k.contains("/CustomResourceDefinition/") && k.split('/').count() > 4)
        .collect()
}

#[test]
fn templated_objects_are_keyed_in_the_release_namespace_on_real_clusters() {
    let bed = Testbed::shared();
    let c1 = bed.child(1);
    let repo = ChartRepo::serve(&[&charts_dir().join("scopes")]).expect("chart repository");
    for tf in Terraform::all() {
        let release = unique_name("scopes");
        let target = format!(
            "kubeconfig_path = \"{}\", context = \"child-1\"",
            c1.kubeconfig().display()
        );
        let ws = Workspace::from_files(&[("main.tf", &config(&target, repo.url(), &release))], &tf);
        let plan = ws.plan().expect_success();
        let text = squashed(&plan.stdout);
        // One cluster: its entries are the shared ones, keyed without the cluster.
        for key in expected_keys(&release) {
            let key = key.strip_prefix("c1/").expect("c1's key");
            assert!(
                text.contains(&format!("\"{key}\"")),
                "{tf:?}: {key} missing from the plan:\n{}",
                plan.stdout
            );
        }
        ws.apply().expect_success();
        let mut keys = templated_keys(&ws);
        keys.sort();
        let mut expected = expected_keys(&release);
        expected.sort();
        assert_eq!(keys, expected, "{tf:?}");
        // The keys name the live objects: a settled plan is empty.
        ws.expect_no_changes("after the first apply");

        // Drift of the namespaced object shows under its namespaced key, and apply restores it.
        c1.kubectl([
            "patch",
            "configmap",
            &format!("{release}-settings"),
            "-n",
            &release,
            "--type=merge",
            "-p",
            r#"{"data":{"greeting":"edited"}}"#,
        ])
        .expect("edit the ConfigMap");
        let plan = ws.plan().expect_success();
        let text = squashed(&plan.stdout);
        assert!(
            text.contains(&format!(
                "helm/{release}/v1/ConfigMap/{release}/{release}-settings\""
            )) && text.contains("greeting = \"edited\" -> \"hello\""),
            "{tf:?}: drift not shown under the namespaced key:\n{}",
            plan.stdout
        );
        ws.apply().expect_success();
        let data: Json = c1
            .get_json(["configmap", &format!("{release}-settings"), "-n", &release])
            .expect("ConfigMap");
        assert_eq!(data["data"]["greeting"], "hello", "{tf:?}");
        ws.expect_no_changes("after drift was repaired");
        ws.destroy().expect_success();
        c1.kubectl(["delete", "namespace", &release, "--wait=false"])
            .expect("delete the release namespace");
    }
}

/// A state written with schema version 0 keyed templated objects without the release
/// namespace; Terraform upgrades it through the provider, and the plan shows nothing to do.
#[test]
fn a_version_0_state_is_upgraded_without_a_diff() {
    let repo = ChartRepo::serve(&[&charts_dir().join("scopes")]).expect("chart repository");
    for tf in Terraform::all() {
        let release = unique_name("scopes");
        let target = "directory = \"${path.module}/rendered/c1\"";
        let ws = Workspace::from_files(&[("main.tf", &config(target, repo.url(), &release))], &tf);
        ws.apply().expect_success();
        ws.expect_no_changes("after the first apply");

        // Rewrite the state as version 0 wrote it.
        let path = ws.path().join("terraform.tfstate");
        let mut state: Json =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("state")).expect("JSON");
        let namespaced = format!("/{release}/{release}-");
        let mut rewritten = 0;
        for resource in state["resources"].as_array_mut().expect("resources") {
            if resource["type"] != "clusternet_subscription" {
                continue;
            }
            let instance = &mut resource["instances"][0];
            assert_eq!(instance["schema_version"], 3, "{tf:?}");
            instance["schema_version"] = Json::from(0);
            // Version 0 kept one entry per cluster and object in `descriptions`.
            let per_cluster = preview::per_cluster(&instance["attributes"]);
            let attributes = instance["attributes"].as_object_mut().expect("attributes");
            attributes.remove("deviations");
            attributes.remove("description_clusters");
            let old: serde_json::Map<String, Json> = per_cluster
                .into_iter()
                .map(|(k, v)| (k, Json::from(v)))
                .map(|(k, v)| {
                    if k.contains("/helm/") && k.contains(&namespaced) {
                        rewritten += 1;
                        (k.replace(&namespaced, &format!("/{release}-")), v)
                    } else {
                        (k, v)
                    }
                })
                .collect();
            attributes.insert("descriptions".into(), Json::Object(old));
        }
        assert_eq!(rewritten, 2, "{tf:?}: ConfigMap and Widget keys rewritten");
        std::fs::write(&path, serde_json::to_string_pretty(&state).unwrap()).unwrap();

        ws.expect_no_changes("after the version 0 state was upgraded");
        ws.destroy().expect_success();
    }
}
