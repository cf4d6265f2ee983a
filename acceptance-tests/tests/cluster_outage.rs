//! Issue 5, point 7: one child cluster goes down during apply. A diagnostic names it, the other
//! cluster is fully applied, the state records exactly that, and once the cluster is back the
//! next `terraform apply` finishes the rest with no manual step.
//!
//! The outage is a real one: `bed stop-cluster` kills the child's kube-apiserver (its port
//! refuses connections) and `bed start-cluster` brings it back on the same port with the same
//! data. These tests use a private bed of their own, so stopping a cluster disturbs no other
//! test binary, and they take turns on it.
//!
//! Two forms of the outage. First "stopped between plan and apply": a saved plan is what a
//! reviewed rollout applies (`plan -out`, review, `apply plan`), the plan contacts no child,
//! and the apply meets the outage at a known point. Second "killed while the apply runs":
//! killing the server while ordinary objects are in flight would race the test's poll of the
//! child against the provider's requests (a few milliseconds per object here), so the test
//! could not say what landed before the outage. Instead the apply is held at a known point:
//! its new CRD cannot become Established on child-2 (a CRD already there claims its kind), so
//! the provider applies it and then waits; the test kills child-2 as soon as that CRD shows up
//! there, i.e. during the wait and before any later object, and removes the conflict after
//! the restart. Both forms run with terraform 1.11 and 1.0.3.
//!
//! With a hub (deployer = "provider"), the cluster that failed keeps its objects on the hub -
//! its `-helm` Description and HelmRelease although the plan dropped the chart - and its
//! Descriptions say `Failure` with the error, until the next apply reaches it.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard, OnceLock};

use acceptance_tests::preview;
use acceptance_tests::terraform::{Terraform, Workspace};
use acceptance_tests::testbed::{ChartRepo, Cluster, Testbed, charts_dir, tools, unique_name};
use serde_json::Value as Json;

/// A private bed (hub + 2 children, no controller managers), down when this process ends.
fn bed() -> &'static Testbed {
    static BED: OnceLock<Testbed> = OnceLock::new();
    BED.get_or_init(|| {
        let pid = std::process::id();
        let dir: PathBuf = std::env::temp_dir().join(format!("clusternet-outage-{pid}"));
        Testbed::up(&dir, 2, false, Some(pid)).unwrap_or_else(|e| panic!("private bed: {e}"))
    })
}

/// Tests that stop a cluster of the private bed take turns.
fn outage_turn() -> MutexGuard<'static, ()> {
    static TURN: Mutex<()> = Mutex::new(());
    TURN.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Brings the cluster back however the test ends, so a failed assertion cannot leave the next
/// test with a stopped cluster.
struct Outage<'a>(&'a Cluster);

impl<'a> Outage<'a> {
    fn begin(cluster: &'a Cluster) -> Outage<'a> {
        cluster.stop().expect("bed stop-cluster");
        Outage(cluster)
    }

    fn end(self) {
        self.0.start().expect("bed start-cluster");
    }
}

impl Drop for Outage<'_> {
    fn drop(&mut self) {
        if self.0.is_stopped() {
            let _ = self.0.start();
        }
    }
}

#[test]
fn a_stopped_cluster_refuses_connections_and_comes_back_on_its_port_with_its_objects() {
    let bed = bed();
    let _turn = outage_turn();
    let child = bed.child(2);
    let ns = child.create_namespace("outage-smoke").unwrap();
    child
        .kubectl([
            "create",
            "configmap",
            "kept",
            "-n",
            &ns,
            "--from-literal=k=v",
        ])
        .unwrap();

    let outage = Outage::begin(child);
    assert!(child.is_stopped());
    let down = child
        .kubectl_output([
            "get",
            "configmap",
            "kept",
            "-n",
            &ns,
            "--request-timeout=5s",
        ])
        .unwrap();
    assert!(!down.status.success());
    let stderr = String::from_utf8_lossy(&down.stderr);
    assert!(stderr.contains("refused"), "{stderr}");
    // Only that cluster is down.
    assert!(bed.child(1).kubectl(["get", "namespaces"]).is_ok());
    assert!(bed.hub().kubectl(["get", "namespaces"]).is_ok());
    assert!(
        !Testbed::is_running(bed.state_dir()),
        "status names the stop"
    );

    outage.end();
    assert!(!child.is_stopped());
    assert!(Testbed::is_running(bed.state_dir()));
    // Same server URL and kubeconfig as before, same data: the object is still there.
    let value = child
        .kubectl([
            "get",
            "configmap",
            "kept",
            "-n",
            &ns,
            "-o",
            "jsonpath={.data.k}",
        ])
        .unwrap();
    assert_eq!(value, "v");
    let reopened = Testbed::open(bed.state_dir()).unwrap();
    let again = reopened.child(2);
    assert_eq!(again.server(), child.server());
    assert_ne!(
        again.apiserver_pid(),
        child.apiserver_pid(),
        "a new process"
    );
    assert!(std::path::Path::new(&format!("/proc/{}", again.apiserver_pid())).exists());
}

fn workspace(tf: &Terraform, bed: &Testbed, ns: &str) -> Workspace {
    let mut ws = Workspace::new("cluster_outage", tf);
    ws.set_env(
        "TF_VAR_kubeconfig_1",
        &bed.child(1).kubeconfig().display().to_string(),
    );
    ws.set_env(
        "TF_VAR_kubeconfig_2",
        &bed.child(2).kubeconfig().display().to_string(),
    );
    ws.set_env("TF_VAR_ns", ns);
    ws
}

/// `cluster`'s ConfigMap `name` in `ns`: its `data` as JSON, `None` when absent.
fn config_data(cluster: &Cluster, ns: &str, name: &str) -> Option<Json> {
    let object = cluster.get_json(["configmap", name, "-n", ns]).ok()?;
    Some(object["data"].clone())
}

/// The subscription's recorded preview in the state (`terraform show -json`), per cluster.
fn recorded_descriptions(ws: &Workspace) -> BTreeMap<String, String> {
    let state = ws.show_json();
    let resources = state["values"]["root_module"]["resources"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let subscription = resources
        .iter()
        .find(|r| r["address"] == "clusternet_subscription.app")
        .expect("subscription in state");
    preview::per_cluster(&subscription["values"])
}

#[test]
fn a_child_stopped_after_plan_fails_alone_and_the_next_apply_finishes_it() {
    let bed = bed();
    for tf in Terraform::all() {
        let _turn = outage_turn();
        let ns = unique_name("outage");
        outage_round(&tf, bed, &ns);
    }
}

fn outage_round(tf: &Terraform, bed: &Testbed, ns: &str) {
    let v = tf.version;
    let (c1, c2) = (bed.child(1), bed.child(2));
    let mut ws = workspace(tf, bed, ns);
    ws.apply().expect_success();
    for c in [c1, c2] {
        assert_eq!(
            config_data(c, ns, "settings"),
            Some(serde_json::json!({"color": "blue"})),
            "{v}: first apply on {}",
            c.name()
        );
    }

    // Version 2: a changed value and one more object, planned while both clusters are up.
    ws.set_env("TF_VAR_color", "red");
    ws.set_env("TF_VAR_with_extra", "true");
    ws.run(&["plan", "-no-color", "-input=false", "-out=v2.tfplan"])
        .expect_success();

    let outage = Outage::begin(c2);
    let failed = ws.run(&["apply", "-no-color", "-input=false", "v2.tfplan"]);
    let output = failed.all_output();
    assert!(!failed.success, "{v}: apply must fail:\n{output}");
    assert!(
        output.contains("Cluster \"child-2\""),
        "{v}: the diagnostic names child-2:\n{output}"
    );
    assert!(
        !output.contains("Cluster \"child-1\""),
        "{v}: child-1 has no error:\n{output}"
    );

    // child-1 got all of version 2.
    assert_eq!(
        config_data(c1, ns, "settings"),
        Some(serde_json::json!({"color": "red"})),
        "{v}"
    );
    assert!(
        config_data(c1, ns, "extra").is_some(),
        "{v}: extra on child-1"
    );

    // The state: child-1's entries are version 2, child-2's are still version 1.
    let descriptions = recorded_descriptions(&ws);
    let entry = |key: &str| descriptions.get(key).cloned();
    let settings = |cluster: &str| entry(&format!("{cluster}/v1/ConfigMap/{ns}/settings"));
    assert!(
        settings("child-1").is_some_and(|d| d.contains("\"red\"")),
        "{v}: {descriptions:?}"
    );
    assert!(
        settings("child-2").is_some_and(|d| d.contains("\"blue\"")),
        "{v}: child-2 keeps its previous entry: {descriptions:?}"
    );
    assert!(
        entry(&format!("child-1/v1/ConfigMap/{ns}/extra")).is_some(),
        "{v}"
    );
    assert!(
        entry(&format!("child-2/v1/ConfigMap/{ns}/extra")).is_none(),
        "{v}: nothing recorded for child-2 that was not applied: {descriptions:?}"
    );

    outage.end();
    // The outage lost nothing on child-2: it still has version 1.
    assert_eq!(
        config_data(c2, ns, "settings"),
        Some(serde_json::json!({"color": "blue"})),
        "{v}"
    );

    // The next apply only has child-2 left to do, and does it.
    let plan = ws.plan().expect_success();
    assert!(
        plan.stdout.contains("child-2/v1/ConfigMap/"),
        "{v}:\n{}",
        plan.stdout
    );
    ws.apply().expect_success();
    assert_eq!(
        config_data(c2, ns, "settings"),
        Some(serde_json::json!({"color": "red"})),
        "{v}"
    );
    assert!(
        config_data(c2, ns, "extra").is_some(),
        "{v}: extra on child-2"
    );
    let again = ws.plan_detailed();
    assert_eq!(
        again.exit_code,
        Some(0),
        "{v}: plan after recovery not empty:\n{}",
        again.all_output()
    );

    ws.destroy().expect_success();
    for c in [c1, c2] {
        assert_eq!(config_data(c, ns, "settings"), None, "{v}: destroyed");
    }
}

/// `kubectl get crd name` on `cluster` succeeds.
fn has_crd(cluster: &Cluster, name: &str) -> bool {
    cluster.kubectl(["get", "crd", name, "-o", "name"]).is_ok()
}

#[test]
fn a_child_killed_while_the_apply_waits_on_it_fails_alone_and_the_next_apply_finishes_it() {
    let bed = bed();
    let _turn = outage_turn();
    for tf in Terraform::all() {
        killed_mid_apply_round(&tf, bed);
    }
}

fn killed_mid_apply_round(tf: &Terraform, bed: &Testbed) {
    let v = tf.version;
    let (c1, c2) = (bed.child(1), bed.child(2));
    let ns = unique_name("midapply");
    let group = format!("{}.outage.example.com", unique_name("g"));
    let mut ws = workspace(tf, bed, &ns);
    ws.apply().expect_success();

    // On child-2 only, a CRD of the same group already serves kind Gizmo: the scenario's
    // gizmos CRD will be created there but never Established.
    let blocker = format!("things.{group}");
    c2.apply_yaml(&format!(
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n\
         metadata: {{name: {blocker}}}\nspec:\n  group: {group}\n  scope: Namespaced\n\
         \x20 names: {{kind: Gizmo, plural: things, singular: thing, listKind: GizmoList}}\n\
         \x20 versions:\n  - name: v1\n    served: true\n    storage: true\n\
         \x20   schema: {{openAPIV3Schema: {{type: object}}}}\n"
    ))
    .unwrap();

    ws.set_env("TF_VAR_color", "red");
    ws.set_env("TF_VAR_with_extra", "true");
    ws.set_env("TF_VAR_crd_group", &group);
    let gizmos = format!("gizmos.{group}");
    let (failed, outage) = std::thread::scope(|scope| {
        let apply = scope.spawn(|| ws.apply());
        // The CRD is the first object of child-2's apply; the provider then waits for it.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(50);
        while !has_crd(c2, &gizmos) {
            assert!(
                std::time::Instant::now() < deadline && !apply.is_finished(),
                "{v}: the CRD never reached child-2"
            );
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        let outage = Outage::begin(c2);
        (apply.join().expect("apply thread"), outage)
    });
    let output = failed.all_output();
    assert!(!failed.success, "{v}: apply must fail:\n{output}");
    assert!(
        output.contains("Cluster \"child-2\""),
        "{v}: the diagnostic names child-2:\n{output}"
    );
    assert!(
        !output.contains("Cluster \"child-1\""),
        "{v}: child-1 has no error:\n{output}"
    );
    // child-1 got everything, its CRD included.
    assert_eq!(
        config_data(c1, ns.as_str(), "settings"),
        Some(serde_json::json!({"color": "red"})),
        "{v}"
    );
    assert!(config_data(c1, &ns, "extra").is_some(), "{v}");
    assert!(has_crd(c1, &gizmos), "{v}");

    // State: child-2 keeps its previous entries, nothing of version 2.
    let descriptions = recorded_descriptions(&ws);
    let entry = |key: String| descriptions.get(&key).cloned();
    assert!(
        entry(format!("child-2/v1/ConfigMap/{ns}/settings"))
            .is_some_and(|d| d.contains("\"blue\"")),
        "{v}: {descriptions:?}"
    );
    assert!(
        entry(format!("child-2/v1/ConfigMap/{ns}/extra")).is_none(),
        "{v}"
    );
    assert!(
        entry(format!("child-1/v1/ConfigMap/{ns}/settings")).is_some_and(|d| d.contains("\"red\"")),
        "{v}: {descriptions:?}"
    );

    outage.end();
    // The killed apply got no further on child-2 than the CRD: objects new to the cluster go
    // in one batch in dependency order (the CRD first, then `extra`), after the batch of
    // objects it already had (`settings`, which may thus be new already; the state still
    // records the previous entry, and the next plan reads the live object).
    assert_eq!(config_data(c2, &ns, "extra"), None, "{v}");
    // Remove the fault that held the apply (not a recovery step: the conflict was the test's).
    c2.kubectl(["delete", "crd", &blocker]).unwrap();

    ws.apply().expect_success();
    assert_eq!(
        config_data(c2, &ns, "settings"),
        Some(serde_json::json!({"color": "red"})),
        "{v}"
    );
    assert!(config_data(c2, &ns, "extra").is_some(), "{v}");
    let again = ws.plan_detailed();
    assert_eq!(
        again.exit_code,
        Some(0),
        "{v}: plan after recovery not empty:\n{}",
        again.all_output()
    );
    ws.destroy().expect_success();
}

#[test]
fn a_failed_cluster_keeps_its_hub_objects_and_its_descriptions_show_the_failure() {
    let bed = bed();
    bed.hub()
        .install_clusternet_crds()
        .expect("install Clusternet's CRDs on the hub");
    let repo = ChartRepo::serve(&[&charts_dir().join("smoke")]).expect("chart repository");
    for tf in Terraform::all() {
        let _turn = outage_turn();
        hub_failure_round(&tf, bed, &repo);
    }
}

/// `kind` items in `namespace` of the hub, as (name, status).
fn hub_statuses(hub: &Cluster, kind: &str, namespace: &str) -> Vec<(String, Json)> {
    let mut items: Vec<(String, Json)> = hub
        .items(kind, namespace)
        .into_iter()
        .map(|i| {
            let name = i["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            (name, i["status"].clone())
        })
        .collect();
    items.sort_by(|a, b| a.0.cmp(&b.0));
    items
}

fn hub_failure_round(tf: &Terraform, bed: &Testbed, repo: &ChartRepo) {
    let v = tf.version;
    let (hub, c2) = (bed.hub(), bed.child(2));
    let (ns, release) = (unique_name("outhub"), unique_name("outrel"));
    let (cluster_ns_1, cluster_ns_2) = (unique_name("out-c1"), unique_name("out-c2"));
    let mut ws = Workspace::new("hub_helm", tf);
    let path = |c: &Cluster| c.kubeconfig().display().to_string();
    ws.set_env("TF_VAR_kubeconfig_hub", &path(hub));
    ws.set_env("TF_VAR_kubeconfig_1", &path(bed.child(1)));
    ws.set_env("TF_VAR_kubeconfig_2", &path(c2));
    ws.set_env("TF_VAR_cluster_ns_1", &cluster_ns_1);
    ws.set_env("TF_VAR_cluster_ns_2", &cluster_ns_2);
    ws.set_env("TF_VAR_helm", &tools().helm.display().to_string());
    ws.set_env("TF_VAR_repo", repo.url());
    ws.set_env("TF_VAR_release", &release);
    ws.set_env("TF_VAR_ns", &ns);
    ws.apply().expect_success();
    const DESCRIPTIONS: &str = "descriptions.apps.clusternet.io";
    const RELEASES: &str = "helmreleases.apps.clusternet.io";
    let before = hub_statuses(hub, RELEASES, &cluster_ns_2);
    assert_eq!(before.len(), 1, "{v}: {before:?}");

    // The chart leaves, planned while both clusters are up; child-2 is down for the apply.
    ws.set_env("TF_VAR_with_chart", "false");
    ws.run(&["plan", "-no-color", "-input=false", "-out=drop.tfplan"])
        .expect_success();
    let outage = Outage::begin(c2);
    let failed = ws.run(&["apply", "-no-color", "-input=false", "drop.tfplan"]);
    assert!(
        !failed.success,
        "{v}: apply must fail:\n{}",
        failed.all_output()
    );

    // c1 is done: only its `-generic` Description, Success, and no HelmRelease.
    let c1_descriptions = hub_statuses(hub, DESCRIPTIONS, &cluster_ns_1);
    assert_eq!(c1_descriptions.len(), 1, "{v}: {c1_descriptions:?}");
    assert!(c1_descriptions[0].0.ends_with("-generic"), "{v}");
    assert_eq!(c1_descriptions[0].1["phase"], "Success", "{v}");
    assert!(hub_statuses(hub, RELEASES, &cluster_ns_1).is_empty(), "{v}");
    // c2 keeps what it had, HelmRelease status included; its Descriptions show the failure.
    assert_eq!(hub_statuses(hub, RELEASES, &cluster_ns_2), before, "{v}");
    let c2_descriptions = hub_statuses(hub, DESCRIPTIONS, &cluster_ns_2);
    assert_eq!(c2_descriptions.len(), 2, "{v}: {c2_descriptions:?}");
    for (name, status) in &c2_descriptions {
        assert_eq!(status["phase"], "Failure", "{v}: {name}: {status}");
        let reason = status["reason"].as_str().unwrap_or_default();
        assert!(reason.contains("Cluster \"c2\""), "{v}: {name}: {reason}");
    }

    // Back up: the next apply finishes c2, on the hub as well.
    outage.end();
    ws.apply().expect_success();
    assert!(hub_statuses(hub, RELEASES, &cluster_ns_2).is_empty(), "{v}");
    let c2_descriptions = hub_statuses(hub, DESCRIPTIONS, &cluster_ns_2);
    assert_eq!(c2_descriptions.len(), 1, "{v}: {c2_descriptions:?}");
    assert_eq!(c2_descriptions[0].1["phase"], "Success", "{v}");
    ws.destroy().expect_success();
    for n in [&ns, &cluster_ns_1, &cluster_ns_2] {
        let _ = hub.kubectl(["delete", "namespace", n, "--wait=false"]);
    }
}

/// The uid of `kind/name` in `ns` (or cluster-scoped when `ns` is empty) on `cluster`.
fn uid(cluster: &Cluster, kind: &str, name: &str, ns: &str) -> Option<String> {
    let mut args = vec![kind, name];
    if !ns.is_empty() {
        args.extend(["-n", ns]);
    }
    let object = cluster.get_json(args).ok()?;
    object["metadata"]["uid"].as_str().map(str::to_string)
}

/// Issue 12, point 1: a child is down for the very first apply. The create fails naming it,
/// records no state (so nothing is tainted), and neither that apply nor its retries delete or
/// re-create anything on the healthy child: its objects keep their uid. Once the child is
/// back, the next apply creates the subscription again, adopting what child-1 has.
#[test]
fn a_create_that_fails_on_one_cluster_records_nothing_and_the_retry_adopts_the_rest() {
    let bed = bed();
    for tf in Terraform::all() {
        let _turn = outage_turn();
        let ns = unique_name("create-outage");
        failed_create_round(&tf, bed, &ns);
    }
}

fn failed_create_round(tf: &Terraform, bed: &Testbed, ns: &str) {
    let v = tf.version;
    let (c1, c2) = (bed.child(1), bed.child(2));
    let ws = workspace(tf, bed, ns);
    let outage = Outage::begin(c2);
    let failed = ws.apply().expect_failure();
    let output = failed.all_output();
    assert!(
        output.contains("Cluster \"child-2\""),
        "{v}: names child-2:\n{output}"
    );
    assert!(
        output.contains("Subscription not recorded in state"),
        "{v}: says why nothing is recorded:\n{output}"
    );
    let namespace_uid = uid(c1, "namespace", ns, "").expect("namespace on child-1");
    let settings_uid = uid(c1, "configmap", "settings", ns).expect("settings on child-1");
    let listed = ws.run(&["state", "list"]).expect_success().stdout;
    assert!(
        !listed.contains("clusternet_subscription.app"),
        "{v}: a failed create is not in state:\n{listed}"
    );

    // A retry while child-2 is still down: fails the same way, replaces nothing.
    let retry = ws.apply().expect_failure();
    let output = retry.all_output();
    assert!(!output.contains("Destroying"), "{v}: {output}");
    assert!(!output.contains("must be replaced"), "{v}: {output}");
    assert_eq!(
        uid(c1, "namespace", ns, "").as_ref(),
        Some(&namespace_uid),
        "{v}"
    );
    assert_eq!(
        uid(c1, "configmap", "settings", ns).as_ref(),
        Some(&settings_uid),
        "{v}"
    );

    outage.end();
    let plan = ws.plan().expect_success();
    assert!(
        plan.stdout
            .contains("clusternet_subscription.app will be created"),
        "{v}: the retry is a create:\n{}",
        plan.stdout
    );
    let done = ws.apply().expect_success();
    assert!(!done.all_output().contains("Destroying"), "{v}");
    assert_eq!(
        uid(c1, "namespace", ns, "").as_ref(),
        Some(&namespace_uid),
        "{v}"
    );
    assert_eq!(
        uid(c1, "configmap", "settings", ns).as_ref(),
        Some(&settings_uid),
        "{v}: child-1's objects were adopted, not re-created"
    );
    assert_eq!(
        config_data(c2, ns, "settings"),
        Some(serde_json::json!({"color": "blue"})),
        "{v}: child-2 finished"
    );
    let again = ws.plan_detailed();
    assert_eq!(again.exit_code, Some(0), "{v}:\n{}", again.all_output());
    ws.destroy().expect_success();
}

/// Issue 12, point 2: with child-2 down, `terraform plan` does not say "No changes": a warning
/// names child-2 and why, its entries plan as changes (`-detailed-exitcode` 2), and a change
/// made by hand on child-1 still shows as child-1's own diff.
#[test]
fn a_plan_with_a_cluster_down_never_looks_in_sync() {
    let bed = bed();
    for tf in Terraform::all() {
        let _turn = outage_turn();
        let ns = unique_name("plan-outage");
        unreadable_plan_round(&tf, bed, &ns);
    }
}

fn unreadable_plan_round(tf: &Terraform, bed: &Testbed, ns: &str) {
    let v = tf.version;
    let (c1, c2) = (bed.child(1), bed.child(2));
    let ws = workspace(tf, bed, ns);
    ws.apply().expect_success();
    c1.kubectl([
        "patch",
        "configmap",
        "settings",
        "-n",
        ns,
        "--type=merge",
        "-p",
        r#"{"data":{"color":"green"}}"#,
    ])
    .expect("edit on child-1");

    let outage = Outage::begin(c2);
    let plan = ws.plan_detailed();
    let output = plan.all_output();
    assert_eq!(plan.exit_code, Some(2), "{v}: changes expected:\n{output}");
    assert!(
        output.contains("Warning: Cluster \"child-2\" could not be read"),
        "{v}: names child-2:\n{output}"
    );
    assert!(
        output.contains("child-2/v1/ConfigMap/"),
        "{v}: child-2's entries are planned:\n{output}"
    );
    assert!(
        output.contains("green"),
        "{v}: child-1's drift still shows:\n{output}"
    );
    assert!(
        !output.contains("Cluster \"child-1\" could not be read"),
        "{v}: {output}"
    );
    outage.end();

    // Back up: apply repairs child-1's drift, and the plan after it is empty.
    ws.apply().expect_success();
    assert_eq!(
        config_data(c1, ns, "settings"),
        Some(serde_json::json!({"color": "blue"})),
        "{v}"
    );
    let again = ws.plan_detailed();
    assert_eq!(again.exit_code, Some(0), "{v}:\n{}", again.all_output());
    ws.destroy().expect_success();
}

/// Issue 12, point 7: a destroy that cannot reach a cluster says so in sentences (no Debug dump
/// of the delete report), keeps that cluster's entries, and the next destroy finishes.
#[test]
fn a_destroy_with_a_cluster_down_reads_as_sentences_and_finishes_later() {
    let bed = bed();
    for tf in Terraform::all() {
        let _turn = outage_turn();
        let ns = unique_name("destroy-outage");
        let v = tf.version;
        let (c1, c2) = (bed.child(1), bed.child(2));
        let ws = workspace(&tf, bed, &ns);
        ws.apply().expect_success();
        let outage = Outage::begin(c2);
        let failed = ws.destroy().expect_failure();
        let output = failed.all_output();
        assert!(output.contains("child-2"), "{v}: names child-2:\n{output}");
        for dump in ["DeleteReport", "DeleteOutcome", "Some(", "Err(", " { "] {
            assert!(!output.contains(dump), "{v}: {dump:?} in:\n{output}");
        }
        assert_eq!(
            config_data(c1, &ns, "settings"),
            None,
            "{v}: child-1 cleaned up"
        );
        outage.end();
        ws.destroy().expect_success();
        assert_eq!(
            config_data(c2, &ns, "settings"),
            None,
            "{v}: child-2 cleaned up"
        );
    }
}
