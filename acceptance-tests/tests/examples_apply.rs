//! The examples people copy work, with terraform 1.11 and 1.0.3: examples/quickstart and
//! both environments of examples/module-reuse apply to directory targets (no cluster), plan
//! clean afterwards and destroy (module-reuse as its README says: `terraform init` from the
//! filesystem mirror `scripts/package` writes, no dev_overrides, no `terraform get`); every resource and data-source example of the docs plans
//! against directory targets; examples/multi-cluster applies to the real test bed (hub and
//! two children) and destroys.

use std::path::{Path, PathBuf};

use acceptance_tests::package::Package;
use acceptance_tests::terraform::{Terraform, Workspace, copy_example, repo_root, squashed};
use acceptance_tests::testbed::{Cluster, Testbed, unique_name};

fn examples() -> PathBuf {
    repo_root().join("examples")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Object files a directory target holds for one subscription.
fn rendered(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
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

fn assert_no_changes(plan: &str, what: &str) {
    assert!(
        plan.contains("No changes."),
        "{what}: plan after apply is not clean:\n{plan}"
    );
}

#[test]
fn quickstart_applies_with_both_terraform_versions() {
    let main = read(&examples().join("quickstart/main.tf"));
    for tf in Terraform::all() {
        let v = tf.version;
        let ws = Workspace::from_files(&[("main.tf", &main)], &tf);
        let plan = ws.plan().expect_success();
        assert!(
            plan.stdout.contains("descriptions"),
            "{v}:\n{}",
            plan.stdout
        );
        ws.apply().expect_success();
        for cluster in ["eu-1", "us-1"] {
            let files = rendered(&ws.path().join("rendered").join(cluster).join("default.web"));
            assert!(
                files.iter().any(|f| f.contains("deployment")),
                "{v}: {cluster} got {files:?}"
            );
        }
        let staging = rendered(&ws.path().join("rendered/eu-2/default.web"));
        assert!(
            staging.is_empty(),
            "{v}: eu-2 is not selected but got {staging:?}"
        );
        assert_no_changes(
            &ws.plan().expect_success().stdout,
            &format!("quickstart {v}"),
        );
        ws.destroy().expect_success();
        for cluster in ["eu-1", "us-1"] {
            let files = rendered(&ws.path().join("rendered").join(cluster).join("default.web"));
            assert!(files.is_empty(), "{v}: {cluster} not cleaned: {files:?}");
        }
    }
}

/// One environment of examples/module-reuse in a fresh workspace: the whole example tree is
/// copied (the environment reaches the module by a relative path) and terraform runs in the
/// environment's directory, installing the provider from `package`'s mirror.
struct Environment {
    ws: Workspace,
    dir: String,
}

impl Environment {
    fn new(name: &str, tf: &Terraform, package: &Package) -> Environment {
        let ws = Workspace::from_files(&[], tf);
        ws.install_from_mirror(&package.mirror());
        copy_example(&examples().join("module-reuse"), ws.path());
        let env = Environment {
            ws,
            dir: format!("environments/{name}"),
        };
        // Installs the local module and the provider, with no network.
        env.run(&["init", "-input=false", "-no-color"])
            .expect_success();
        env
    }

    fn run(&self, args: &[&str]) -> acceptance_tests::terraform::Outcome {
        let chdir = format!("-chdir={}", self.dir);
        let mut all = vec![chdir.as_str()];
        all.extend_from_slice(args);
        self.ws.run(&all)
    }

    fn plan(&self) -> acceptance_tests::terraform::Outcome {
        self.run(&["plan", "-no-color", "-input=false"])
    }

    fn apply(&self) -> acceptance_tests::terraform::Outcome {
        self.run(&["apply", "-auto-approve", "-no-color", "-input=false"])
    }

    fn destroy(&self) -> acceptance_tests::terraform::Outcome {
        self.run(&["destroy", "-auto-approve", "-no-color", "-input=false"])
    }

    /// The files of `cluster`'s directory target for the `shop` subscription.
    fn files(&self, cluster: &str) -> Vec<String> {
        rendered(&self.object_dir(cluster))
    }

    fn object_dir(&self, cluster: &str) -> PathBuf {
        self.ws
            .path()
            .join(&self.dir)
            .join("rendered")
            .join(cluster)
            .join("default.shop")
    }

    fn object(&self, cluster: &str, file: &str) -> String {
        read(&self.object_dir(cluster).join(file))
    }
}

/// Whether a YAML document has `key: value` with `value` a quoted string (either quote style).
fn has_string(yaml: &str, key: &str, value: &str) -> bool {
    yaml.contains(&format!("{key}: '{value}'")) || yaml.contains(&format!("{key}: \"{value}\""))
}

const CONFIGMAP: &str = "core_v1_configmap_shop_shop-settings.yaml";
const DEPLOYMENT: &str = "apps_v1_deployment_shop_shop.yaml";

#[test]
fn module_reuse_environments_apply_with_both_terraform_versions() {
    let package = Package::build(&[]);
    for tf in Terraform::all() {
        let v = tf.version;

        let staging = Environment::new("staging", &tf, &package);
        staging.plan().expect_success();
        staging.apply().expect_success();
        let files = staging.files("staging-eu");
        assert!(files.contains(&CONFIGMAP.to_string()), "{v}: {files:?}");
        assert!(files.contains(&DEPLOYMENT.to_string()), "{v}: {files:?}");
        assert!(
            staging
                .object("staging-eu", DEPLOYMENT)
                .contains("replicas: 1"),
            "{v}: {}",
            staging.object("staging-eu", DEPLOYMENT)
        );
        assert!(
            staging
                .object("staging-eu", CONFIGMAP)
                .contains("log_level: debug")
        );
        assert_no_changes(&staging.plan().expect_success().stdout, "staging");

        let production = Environment::new("production", &tf, &package);
        let plan = production.plan().expect_success();
        let text = squashed(&plan.stdout);
        assert!(
            text.contains("\"apps/v1/Deployment/shop/shop\" = jsonencode("),
            "{v}: the Deployment is missing from the plan:\n{}",
            plan.stdout
        );
        let covered = text
            .split_once("+ description_clusters = [")
            .and_then(|(_, rest)| rest.split_once(']'))
            .map(|(list, _)| list.to_string())
            .unwrap_or_default();
        for cluster in ["prod-eu-1", "prod-eu-2", "prod-us-1"] {
            assert!(
                covered.contains(&format!("+ \"{cluster}\"")),
                "{v}: {cluster} missing from the plan:\n{}",
                plan.stdout
            );
        }
        production.apply().expect_success();
        let replicas = |cluster: &str| {
            let deployment = production.object(cluster, DEPLOYMENT);
            deployment
                .lines()
                .find_map(|l| l.trim().strip_prefix("replicas: ").map(str::to_string))
                .unwrap_or_else(|| panic!("{v}: no replicas in {cluster}:\n{deployment}"))
        };
        assert_eq!(replicas("prod-eu-1"), "3", "{v}");
        assert_eq!(replicas("prod-eu-2"), "2", "{v}");
        assert_eq!(replicas("prod-us-1"), "6", "{v}");
        let us = production.object("prod-us-1", CONFIGMAP);
        assert!(us.contains("log_level: warn"), "{v}: {us}");
        assert!(has_string(&us, "feature_checkout_v2", "true"), "{v}: {us}");
        let eu = production.object("prod-eu-1", CONFIGMAP);
        assert!(eu.contains("log_level: warn"), "{v}: {eu}");
        assert!(has_string(&eu, "feature_checkout_v2", "false"), "{v}: {eu}");
        // The staging cluster is not in production's inventory, and vice versa.
        assert!(production.files("staging-eu").is_empty(), "{v}");
        assert!(staging.files("prod-eu-1").is_empty(), "{v}");
        assert_no_changes(&production.plan().expect_success().stdout, "production");

        production.destroy().expect_success();
        staging.destroy().expect_success();
        for cluster in ["prod-eu-1", "prod-eu-2", "prod-us-1"] {
            assert!(production.files(cluster).is_empty(), "{v}: {cluster}");
        }
        assert!(staging.files("staging-eu").is_empty(), "{v}");
    }
}

/// Directory targets the resource and data-source examples select from.
const TEST_PROVIDER: &str = r#"
terraform {
  required_providers {
    clusternet = {
      source = "clusternet/clusternet"
    }
  }
}

provider "clusternet" {
  clusters = {
    "eu-1" = {
      labels    = { region = "eu", env = "prod" }
      directory = "${path.module}/rendered/eu-1"
    }
    "us-1" = {
      labels    = { region = "us", env = "prod" }
      directory = "${path.module}/rendered/us-1"
      taints    = [{ key = "dedicated", value = "payments", effect = "NoSchedule" }]
    }
  }
}
"#;

#[test]
fn resource_and_data_source_examples_plan() {
    let mut examples_found = Vec::new();
    for kind in ["resources", "data-sources"] {
        let dir = examples().join(kind);
        let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
            .expect("examples dir")
            .filter_map(Result::ok)
            .map(|e| e.path())
            .collect();
        entries.sort();
        for entry in entries {
            for file in ["resource.tf", "data-source.tf"] {
                if entry.join(file).exists() {
                    examples_found.push(entry.join(file));
                }
            }
        }
    }
    assert!(examples_found.len() >= 5, "{examples_found:?}");
    for tf in Terraform::all() {
        for example in &examples_found {
            let ws = Workspace::from_files(
                &[
                    ("provider.tf", TEST_PROVIDER),
                    ("example.tf", &read(example)),
                ],
                &tf,
            );
            let plan = ws.plan();
            assert!(
                plan.success,
                "{} ({}) does not plan:\n{}",
                example.display(),
                tf.version,
                plan.all_output()
            );
        }
    }
}

#[test]
fn provider_example_validates() {
    let example = read(&examples().join("provider/provider.tf"));
    for tf in Terraform::all() {
        let ws = Workspace::from_files(&[("main.tf", &example)], &tf);
        ws.validate().expect_success();
    }
}

/// `kubectl get <args> -o jsonpath=<path>` on `cluster`; `None` when it fails (absent).
fn jsonpath(cluster: &Cluster, args: &[&str], path: &str) -> Option<String> {
    let mut all = args.to_vec();
    let output = format!("jsonpath={path}");
    all.extend(["-o", &output]);
    cluster.kubectl(all).ok()
}

#[test]
fn multi_cluster_example_applies_on_the_bed_with_both_terraform_versions() {
    let bed = Testbed::shared();
    let hub = bed.hub();
    hub.install_clusternet_crds()
        .expect("install Clusternet's CRDs on the hub");
    let main = read(&examples().join("multi-cluster/main.tf"));
    let (c1, c2) = (bed.child(1), bed.child(2));
    for tf in Terraform::all() {
        let v = tf.version;
        let ns = unique_name("shop");
        let mut ws = Workspace::from_files(&[("main.tf", &main)], &tf);
        // What apply-example (and with-bed) export.
        ws.set_env(
            "TF_VAR_hub_kubeconfig",
            &hub.kubeconfig().display().to_string(),
        );
        ws.set_env(
            "TF_VAR_child_1_kubeconfig",
            &c1.kubeconfig().display().to_string(),
        );
        ws.set_env(
            "TF_VAR_child_2_kubeconfig",
            &c2.kubeconfig().display().to_string(),
        );
        ws.set_env("TF_VAR_namespace", &ns);

        // The division is in the plan, before anything is applied.
        let plan = ws.plan().expect_success();
        for (cluster, replicas) in [("child-1", 2), ("child-2", 4)] {
            let line = format!("\"{cluster}/apps/v1/Deployment/{ns}/shop\" = {replicas}");
            assert!(
                plan.stdout.contains(&line),
                "{v}: no {line}:\n{}",
                plan.stdout
            );
        }
        ws.apply().expect_success();

        let deployment = ["get", "deployment", "shop", "-n", &ns];
        let settings = ["get", "configmap", "shop-settings", "-n", &ns];
        for (cluster, replicas, currency, log_level) in
            [(c1, "2", "EUR", "info"), (c2, "4", "USD", "debug")]
        {
            let name = cluster.name();
            assert_eq!(
                jsonpath(cluster, &deployment, "{.spec.replicas}").as_deref(),
                Some(replicas),
                "{v}: {name}"
            );
            // The container port was given without protocol; the server default was filled in.
            assert_eq!(
                jsonpath(
                    cluster,
                    &deployment,
                    "{.spec.template.spec.containers[0].ports[0].protocol}"
                )
                .as_deref(),
                Some("TCP"),
                "{v}: {name}"
            );
            assert_eq!(
                jsonpath(cluster, &settings, "{.data.currency} {.data.log_level}"),
                Some(format!("{currency} {log_level}")),
                "{v}: {name}: Globalization, then the Localization of child-2"
            );
        }
        // The hub holds the Clusternet objects.
        let subscription = ["get", "subscriptions.apps.clusternet.io", "shop", "-n", &ns];
        assert_eq!(
            jsonpath(hub, &subscription, "{.spec.schedulingStrategy}").as_deref(),
            Some("Dividing"),
            "{v}"
        );
        assert!(
            jsonpath(
                hub,
                &[
                    "get",
                    "localizations.apps.clusternet.io",
                    "shop-us",
                    "-n",
                    "clusternet-child-2"
                ],
                "{.spec.priority}"
            )
            .is_some_and(|p| p == "600"),
            "{v}: the Localization on the hub"
        );
        assert_eq!(
            ws.outputs()["clusters"],
            serde_json::json!(["child-1", "child-2"]),
            "{v}"
        );
        assert_no_changes(
            &ws.plan().expect_success().stdout,
            &format!("multi-cluster {v}"),
        );

        ws.destroy().expect_success();
        for cluster in [c1, c2] {
            assert_eq!(
                jsonpath(cluster, &deployment, "{.metadata.name}"),
                None,
                "{v}: {} not cleaned",
                cluster.name()
            );
        }
        assert_eq!(
            jsonpath(hub, &subscription, "{.metadata.name}"),
            None,
            "{v}"
        );
    }
}
