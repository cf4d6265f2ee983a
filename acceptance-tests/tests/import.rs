//! `terraform import` on the real bed: a rollout applied in hub mode (the hub with Clusternet's
//! upstream CRDs, two children) is imported into an empty state - subscription, manifests, a
//! Localization and a Globalization - with the `terraform import` command (terraform 1.11 and
//! 1.0.3) and with `import {}` blocks (1.11); the plan after it shows no changes. A Secret and
//! the subscription that sends it are imported next: Terraform cannot record at import that
//! the subscription's configuration passes a sensitive value, so the plan after that updates
//! only that subscription, without changing a value, and one apply settles it.
//! `terraform destroy` from the imported state then leaves nothing of the rollout in the
//! children or on the hub. Bad IDs, missing objects and a provider without a hub give clear
//! errors.

use acceptance_tests::terraform::{Outcome, Terraform, Workspace, squashed};
use acceptance_tests::testbed::{Cluster, Testbed, unique_name};
use serde_json::Value as Json;

struct Names {
    ns: String,
    cluster_ns_1: String,
    cluster_ns_2: String,
    glob: String,
}

impl Names {
    fn new() -> Names {
        Names {
            ns: unique_name("imp"),
            cluster_ns_1: unique_name("imp-c1"),
            cluster_ns_2: unique_name("imp-c2"),
            glob: unique_name("imp-size"),
        }
    }

    /// Resource address and import ID of everything main.tf creates (no Secret).
    fn imports(&self) -> Vec<(&'static str, String)> {
        let ns = &self.ns;
        vec![
            (
                "clusternet_manifest.namespace",
                format!("v1/Namespace/{ns}"),
            ),
            (
                "clusternet_manifest.settings",
                format!("v1/ConfigMap/{ns}/settings"),
            ),
            (
                "clusternet_manifest.web",
                format!("apps/v1/Deployment/{ns}/web"),
            ),
            (
                "clusternet_localization.eu",
                format!("{}/eu-color", self.cluster_ns_1),
            ),
            ("clusternet_globalization.size", self.glob.clone()),
            ("clusternet_subscription.app", format!("{ns}/app")),
        ]
    }

    /// Resource address and import ID of what secrets.tf creates: the Secret and the
    /// subscription that sends it.
    fn secret_imports(&self) -> Vec<(&'static str, String)> {
        let ns = &self.ns;
        vec![
            (
                "clusternet_secret.credentials",
                format!("v1/Secret/{ns}/credentials"),
            ),
            ("clusternet_subscription.secrets", format!("{ns}/secrets")),
        ]
    }

    fn all_imports(&self) -> Vec<(&'static str, String)> {
        let mut all = self.imports();
        all.extend(self.secret_imports());
        all
    }
}

/// The only resource whose configuration passes a sensitive value (a Secret's `feed`).
const SENSITIVE_SUBSCRIPTION: &str = "clusternet_subscription.secrets";

fn workspace(tf: &Terraform, bed: &Testbed, names: &Names) -> Workspace {
    let mut ws = Workspace::new("import", tf);
    let path = |c: &Cluster| c.kubeconfig().display().to_string();
    ws.set_env("TF_VAR_kubeconfig_hub", &path(bed.hub()));
    ws.set_env("TF_VAR_kubeconfig_1", &path(bed.child(1)));
    ws.set_env("TF_VAR_kubeconfig_2", &path(bed.child(2)));
    ws.set_env("TF_VAR_ns", &names.ns);
    ws.set_env("TF_VAR_cluster_ns_1", &names.cluster_ns_1);
    ws.set_env("TF_VAR_cluster_ns_2", &names.cluster_ns_2);
    ws.set_env("TF_VAR_glob_name", &names.glob);
    ws
}

/// The scenario's Secret value, plain and base64-encoded, appears nowhere in `output`.
fn assert_no_secret(output: &str, v: &str) {
    for secret in ["s3cret-import", "czNjcmV0LWltcG9ydA=="] {
        assert!(!output.contains(secret), "{v}: {secret} shown:\n{output}");
    }
}

fn import(ws: &Workspace, address: &str, id: &str) -> Outcome {
    ws.run(&["import", "-no-color", "-input=false", address, id])
}

fn plan_exit_code(ws: &Workspace) -> Outcome {
    ws.plan_detailed()
}

/// `kubectl get <kinds> [-n ns | -A] -l <selector> -o name` on `cluster`.
fn object_names(
    cluster: &Cluster,
    kinds: &str,
    namespace: Option<&str>,
    selector: &str,
) -> Vec<String> {
    let mut args = vec!["get", kinds, "-o", "name", "-l", selector];
    match namespace {
        Some(ns) => args.extend(["-n", ns]),
        None => args.push("-A"),
    }
    let text = cluster
        .kubectl(args)
        .unwrap_or_else(|e| panic!("kubectl get {kinds}: {e}"));
    text.lines().map(str::to_string).collect()
}

#[test]
fn imported_rollout_plans_no_changes_and_destroy_leaves_nothing() {
    let bed = Testbed::shared();
    bed.hub()
        .install_clusternet_crds()
        .expect("install Clusternet's CRDs on the hub");
    for tf in Terraform::all() {
        let names = Names::new();
        import_then_destroy(&tf, bed, &names);
    }
}

fn import_then_destroy(tf: &Terraform, bed: &Testbed, names: &Names) {
    let v = tf.version;
    let (hub, c1, c2) = (bed.hub(), bed.child(1), bed.child(2));
    let ns = names.ns.as_str();

    let created = workspace(tf, bed, names);
    created.apply().expect_success();
    let color = |c: &Cluster| {
        c.kubectl([
            "get",
            "configmap",
            "settings",
            "-n",
            ns,
            "-o",
            "jsonpath={.data.color}/{.data.size}",
        ])
        .ok()
    };
    assert_eq!(color(c1).as_deref(), Some("green/m"), "{v}");
    assert_eq!(color(c2).as_deref(), Some("blue/m"), "{v}");

    // The same configuration without secrets.tf, an empty state: import everything from the
    // hub.
    let imported = workspace(tf, bed, names);
    let secrets_tf = imported.path().join("secrets.tf");
    let secrets_text = std::fs::read_to_string(&secrets_tf).expect("scenario has secrets.tf");
    std::fs::remove_file(&secrets_tf).expect("remove secrets.tf");
    import_all(&imported, &names.imports(), v);
    // The imported state, shown: the Secret's value is in no attribute Terraform prints.
    let shown = imported.run(&["show", "-no-color"]).expect_success();
    assert!(shown.stdout.contains("clusternet_subscription.app"), "{v}");
    assert_no_secret(&shown.all_output(), v);
    let state = imported.show_json();
    let resources = state["values"]["root_module"]["resources"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let subscription = resources
        .iter()
        .find(|r| r["address"] == "clusternet_subscription.app")
        .expect("subscription in state");
    assert_eq!(
        subscription["values"]["binding_clusters"],
        serde_json::json!(["c1", "c2"]),
        "{v}: {subscription}"
    );
    assert_eq!(
        subscription["values"]["replicas"][format!("c1/apps/v1/Deployment/{ns}/web")],
        1,
        "{v}: {subscription}"
    );
    let resource_version = || {
        c1.kubectl([
            "get",
            "configmap",
            "settings",
            "-n",
            ns,
            "-o",
            "jsonpath={.metadata.resourceVersion}",
        ])
        .expect("configmap in child-1")
    };
    let before = resource_version();
    // The plan right after the import: no changes.
    imported.expect_no_changes("the plan after import");

    // The Secret and its subscription.
    imported.write("secrets.tf", &secrets_text);
    import_all(&imported, &names.secret_imports(), v);
    let shown = imported.run(&["show", "-no-color"]).expect_success();
    assert!(shown.stdout.contains(SENSITIVE_SUBSCRIPTION), "{v}");
    assert_no_secret(&shown.all_output(), v);
    let plan = plan_after_secret_import(&imported, tf);
    assert_no_secret(&plan, v);
    // Recording sensitivity changed nothing in the cluster.
    assert_eq!(resource_version(), before, "{v}");

    if tf.version.starts_with("1.11") {
        import_blocks_plan_only_imports(tf, bed, names);
    }

    // Destroy from the imported state: nothing of the rollout is left anywhere.
    imported.destroy().expect_success();
    let subs_label = format!("apps.clusternet.io/subs.namespace={ns}");
    for child in [c1, c2] {
        let left = object_names(
            child,
            "configmaps,secrets,deployments,services",
            None,
            &subs_label,
        );
        assert!(left.is_empty(), "{v}: left in {}: {left:?}", child.name());
        let phase = child
            .kubectl(["get", "namespace", ns, "-o", "jsonpath={.status.phase}"])
            .unwrap_or_default();
        assert!(
            phase.is_empty() || phase == "Terminating",
            "{v}: namespace {ns} still {phase} in {}",
            child.name()
        );
    }
    assert!(
        hub.items("subscriptions.apps.clusternet.io", ns).is_empty(),
        "{v}: Subscription left on the hub"
    );
    for cluster_ns in [&names.cluster_ns_1, &names.cluster_ns_2] {
        for kind in [
            "bases.apps.clusternet.io",
            "descriptions.apps.clusternet.io",
            "localizations.apps.clusternet.io",
        ] {
            let left = hub.items(kind, cluster_ns);
            assert!(
                left.is_empty(),
                "{v}: {kind} left in {cluster_ns}: {left:?}"
            );
        }
    }
    let manifests: Vec<String> = hub
        .items("manifests.apps.clusternet.io", "clusternet-reserved")
        .iter()
        .filter_map(|m| m["metadata"]["name"].as_str().map(str::to_string))
        .filter(|n| n.contains(ns))
        .collect();
    assert!(manifests.is_empty(), "{v}: Manifests left: {manifests:?}");
    assert!(
        hub.kubectl(["get", "globalizations.apps.clusternet.io", &names.glob])
            .is_err(),
        "{v}: Globalization left on the hub"
    );
    for n in [ns, &names.cluster_ns_1, &names.cluster_ns_2] {
        let _ = hub.kubectl(["delete", "namespace", n, "--wait=false"]);
    }
}

/// `terraform import` of each of `imports`, timed; no Secret value in any output.
fn import_all(ws: &Workspace, imports: &[(&'static str, String)], v: &str) {
    for (address, id) in imports {
        let started = std::time::Instant::now();
        let outcome = import(ws, address, id);
        assert!(
            outcome.success,
            "{v}: import {address} {id}:\n{}",
            outcome.all_output()
        );
        eprintln!("{v}: terraform import {address}: {:?}", started.elapsed());
        assert_no_secret(&outcome.all_output(), v);
    }
}

/// The plan right after importing the Secret and its subscription: no change of any value.
/// Terraform still plans an in-place update of the subscription, whose configuration passes a
/// sensitive value (the Secret's `feed`), to record which part is sensitive - the imported
/// state cannot carry that mark ("The value is unchanged"). That plan is applied, and the plan
/// after it is empty. Returns the first plan's output.
fn plan_after_secret_import(ws: &Workspace, tf: &Terraform) -> String {
    let v = tf.version;
    let plan = ws.run(&[
        "plan",
        "-no-color",
        "-input=false",
        "-detailed-exitcode",
        "-out=after-import.tfplan",
    ]);
    let output = plan.all_output();
    match plan.exit_code {
        Some(0) => return output,
        Some(2) => {}
        other => panic!("{v}: plan after import failed ({other:?}):\n{output}"),
    }
    assert_only_sensitivity_changes(ws, "after-import.tfplan", v);
    ws.run(&[
        "apply",
        "-auto-approve",
        "-no-color",
        "-input=false",
        "after-import.tfplan",
    ])
    .expect_success();
    let again = plan_exit_code(ws);
    assert_eq!(
        again.exit_code,
        Some(0),
        "{v}: the plan after recording sensitivity is not empty:\n{}",
        again.all_output()
    );
    output
}

/// Every change of the saved plan `file` keeps every value (`before == after`); imports are
/// allowed; nothing is created, replaced or deleted; only the subscription that takes the
/// Secret's `feed` may be updated (to record sensitivity).
fn assert_only_sensitivity_changes(ws: &Workspace, file: &str, v: &str) {
    let shown = ws.run(&["show", "-json", file]).expect_success();
    let plan: Json = serde_json::from_str(&shown.stdout).expect("show -json prints JSON");
    for change in plan["resource_changes"].as_array().into_iter().flatten() {
        let address = change["address"].as_str().unwrap_or_default();
        let actions = &change["change"]["actions"];
        assert!(
            *actions == serde_json::json!(["no-op"]) || *actions == serde_json::json!(["update"]),
            "{v}: {address} plans {actions}"
        );
        assert_eq!(
            change["change"]["before"], change["change"]["after"],
            "{v}: {address} changes a value after import"
        );
        if change["change"]["actions"][0] == "update" {
            assert_eq!(
                address, SENSITIVE_SUBSCRIPTION,
                "{v}: {address} updates: its configuration passes no sensitive value"
            );
            eprintln!("{v}: {address}: in-place update recording sensitivity only");
        }
    }
}

/// Terraform 1.11's `import {}` blocks: the plan imports every resource, adds and destroys
/// nothing, and changes no value.
fn import_blocks_plan_only_imports(tf: &Terraform, bed: &Testbed, names: &Names) {
    let ws = workspace(tf, bed, names);
    let blocks: String = names
        .all_imports()
        .iter()
        .map(|(address, id)| format!("import {{\n  to = {address}\n  id = \"{id}\"\n}}\n"))
        .collect();
    ws.write("imports.tf", &blocks);
    let plan = ws
        .run(&["plan", "-no-color", "-input=false", "-out=import.tfplan"])
        .expect_success();
    let count = names.all_imports().len();
    let text = squashed(&plan.all_output());
    assert!(
        text.contains(&format!("Plan: {count} to import, 0 to add,"))
            && text.contains(" to change, 0 to destroy."),
        "{}",
        plan.stdout
    );
    assert_only_sensitivity_changes(&ws, "import.tfplan", tf.version);
}

#[test]
fn bad_ids_and_missing_objects_are_clear_errors() {
    let bed = Testbed::shared();
    bed.hub()
        .install_clusternet_crds()
        .expect("install Clusternet's CRDs on the hub");
    let tf = Terraform::v1_11();
    let names = Names::new();
    let ws = workspace(&tf, bed, &names);
    let ns = &names.ns;
    for (address, id, expected) in [
        (
            "clusternet_subscription.app",
            "app".to_string(),
            "Give <namespace>/<name> of the hub's Subscription",
        ),
        (
            "clusternet_manifest.web",
            "Deployment".to_string(),
            "is not valid for clusternet_manifest",
        ),
        (
            "clusternet_globalization.size",
            format!("{ns}/size"),
            "Globalizations are cluster-scoped",
        ),
        (
            "clusternet_subscription.app",
            format!("{ns}/app"),
            &format!("Subscription {ns}/app does not exist on the hub"),
        ),
        (
            "clusternet_manifest.web",
            format!("apps/v1/Deployment/{ns}/web"),
            &format!("Manifest of feed apps/v1/Deployment/{ns}/web does not exist on the hub"),
        ),
        (
            "clusternet_manifest.web",
            format!("v1/Secret/{ns}/credentials"),
            "but it belongs in clusternet_secret",
        ),
        (
            "clusternet_secret.credentials",
            format!("apps/v1/Deployment/{ns}/web"),
            "but it belongs in clusternet_manifest",
        ),
    ] {
        let failed = import(&ws, address, &id).expect_failure();
        let text = squashed(&failed.all_output());
        assert!(text.contains(expected), "{address} {id}: {text}");
        assert!(text.contains("Cannot import"), "{address} {id}: {text}");
    }
}

#[test]
fn import_without_a_hub_says_to_configure_one() {
    let tf = Terraform::v1_11();
    let config = r#"
terraform {
  required_providers {
    clusternet = { source = "clusternet/clusternet" }
  }
}
provider "clusternet" {
  clusters = { "c1" = { directory = "out/c1" } }
}
resource "clusternet_subscription" "app" {
  name = "app"
  subscriber {
    cluster_affinity {}
  }
  feeds = []
}
"#;
    let ws = Workspace::from_files(&[("main.tf", config)], &tf);
    let failed = import(&ws, "clusternet_subscription.app", "default/app").expect_failure();
    let text = squashed(&failed.all_output());
    assert!(
        text.contains("importing clusternet_subscription reads the hub"),
        "{text}"
    );
    assert!(
        text.contains("Configure `hub` in the provider block"),
        "{text}"
    );
}

/// A hub that does not serve Clusternet's kinds (child-2's API server, which has no Clusternet
/// CRDs) is named as such, with how to install them.
#[test]
fn import_from_a_hub_without_clusternet_crds_names_them() {
    let bed = Testbed::shared();
    let hub = bed.child(2);
    if hub
        .kubectl(["get", "crd", "subscriptions.apps.clusternet.io"])
        .is_ok()
    {
        return; // Someone installed them there; nothing to test.
    }
    let tf = Terraform::v1_11();
    let config = format!(
        r#"
terraform {{
  required_providers {{
    clusternet = {{ source = "clusternet/clusternet" }}
  }}
}}
provider "clusternet" {{
  hub      = {{ kubeconfig_path = "{hub}", context = "child-2" }}
  clusters = {{ "c1" = {{ directory = "out/c1" }} }}
}}
resource "clusternet_subscription" "app" {{
  name = "app"
  subscriber {{
    cluster_affinity {{}}
  }}
  feeds = []
}}
"#,
        hub = hub.kubeconfig().display(),
    );
    let ws = Workspace::from_files(&[("main.tf", &config)], &tf);
    let failed = import(&ws, "clusternet_subscription.app", "default/app").expect_failure();
    let text = squashed(&failed.all_output());
    assert!(
        text.contains("the hub does not serve apps.clusternet.io/v1alpha1 Subscription"),
        "{text}"
    );
    assert!(
        text.contains("Install Clusternet's CRDs on the hub"),
        "{text}"
    );
}
