//! deployer = "clusternet" on the real bed (upstream Clusternet CRDs on the hub, no
//! Clusternet controllers): the plan predicts each ManagedCluster's objects; apply writes
//! exactly the user objects - the Subscription, its feeds as the shadow API stores them and
//! the overrides - which the upstream CRDs accept, no Bases or Descriptions, and nothing to
//! the children; importing it all into an empty state plans no changes; destroy removes
//! them - with terraform 1.11 and 1.0.3.

use acceptance_tests::preview;
use acceptance_tests::terraform::{Terraform, Workspace};
use acceptance_tests::testbed::{Cluster, Testbed, names_of, unique_name};
use serde_json::Value as Json;

/// A ManagedCluster `cluster` in its dedicated namespace, labelled `team`.
fn register_managed_cluster(hub: &Cluster, cluster: &str, cluster_ns: &str, team: &str) {
    hub.apply_yaml(&format!(
        r#"
apiVersion: v1
kind: Namespace
metadata: {{name: {cluster_ns}}}
---
apiVersion: clusters.clusternet.io/v1beta1
kind: ManagedCluster
metadata:
  name: {cluster}
  namespace: {cluster_ns}
  labels: {{team: {team}}}
spec: {{clusterId: 3f2e1d0c-9b8a-4766-a554-433221100fed, syncMode: Push}}
"#
    ))
    .expect("ManagedCluster on the hub");
}

/// Removes what [`register_managed_cluster`] made, and the rollout's namespace `ns`.
fn unregister_managed_cluster(hub: &Cluster, cluster: &str, cluster_ns: &str, ns: &str) {
    let _ = hub.kubectl([
        "delete",
        "managedclusters.clusters.clusternet.io",
        cluster,
        "-n",
        cluster_ns,
    ]);
    for n in [ns, cluster_ns] {
        let _ = hub.kubectl(["delete", "namespace", n, "--wait=false"]);
    }
}

#[test]
fn clusternet_deployer_writes_only_the_user_objects() {
    let bed = Testbed::shared();
    bed.hub()
        .install_clusternet_crds()
        .expect("install Clusternet's CRDs on the hub");
    for tf in Terraform::all() {
        clusternet_deployer(&tf, bed);
    }
}

fn clusternet_deployer(tf: &Terraform, bed: &Testbed) {
    let v = tf.version;
    let hub = bed.hub();
    let ns = unique_name("viacn");
    let cluster = unique_name("mc");
    let cluster_ns = unique_name("clusternet-mc");
    let team = unique_name("team");
    let glob = unique_name("size");
    register_managed_cluster(hub, &cluster, &cluster_ns, &team);

    let workspace = || {
        let mut ws = Workspace::new("deployer_clusternet", tf);
        ws.set_env(
            "TF_VAR_kubeconfig_hub",
            &hub.kubeconfig().display().to_string(),
        );
        ws.set_env("TF_VAR_ns", &ns);
        ws.set_env("TF_VAR_cluster", &cluster);
        ws.set_env("TF_VAR_team", &team);
        ws.set_env("TF_VAR_glob_name", &glob);
        ws
    };
    let ws = workspace();

    // The prediction: the ManagedCluster's objects with both overrides.
    let plan = ws.plan().expect_success();
    // One cluster: its rendering is the shared one.
    let key = format!("\"v1/ConfigMap/{ns}/settings\"");
    assert!(plan.stdout.contains(&key), "{v}: {}", plan.stdout);
    ws.apply().expect_success();
    let state = ws.show_json();
    let descriptions = state.to_string();
    assert!(
        descriptions.contains(r#"\"color\":\"green\""#)
            && descriptions.contains(r#"\"size\":\"m\""#),
        "{v}: the prediction lacks the overrides: {descriptions}"
    );

    // The hub: the user objects, accepted by the upstream CRDs.
    let subs = hub.items("subscriptions.apps.clusternet.io", &ns);
    assert_eq!(names_of(&subs), ["app"], "{v}");
    assert_eq!(
        subs[0]["spec"]["subscribers"][0]["clusterAffinity"]["matchLabels"]["team"],
        team.as_str(),
        "{v}: {:?}",
        subs[0]
    );
    let manifests: Vec<String> =
        names_of(&hub.items("manifests.apps.clusternet.io", "clusternet-reserved"))
            .into_iter()
            .filter(|n| n.contains(&ns))
            .collect();
    assert_eq!(
        manifests,
        [
            format!("configmaps.{ns}.settings"),
            format!("namespaces.{ns}")
        ],
        "{v}"
    );
    assert_eq!(
        names_of(&hub.items("localizations.apps.clusternet.io", &cluster_ns)),
        ["color"],
        "{v}: only the user's Localization (no dividing ones)"
    );
    assert!(
        hub.kubectl(["get", "globalizations.apps.clusternet.io", &glob])
            .is_ok(),
        "{v}: Globalization missing"
    );
    // Nothing Clusternet's controllers would make.
    for kind in [
        "bases.apps.clusternet.io",
        "descriptions.apps.clusternet.io",
    ] {
        let made = hub.items(kind, &cluster_ns);
        assert!(made.is_empty(), "{v}: {kind} written: {made:?}");
    }
    // The children are untouched.
    for child in bed.children() {
        assert!(
            child.kubectl(["get", "namespace", &ns]).is_err(),
            "{v}: {} got namespace {ns}",
            child.name()
        );
    }

    let again = ws.plan_detailed();
    assert_eq!(again.exit_code, Some(0), "{v}:\n{}", again.all_output());

    // Import into an empty state. The cluster exists only on the hub: import renders the
    // subscription with the hub snapshot, as plan does, so the plan after it is empty.
    let imported = workspace();
    for (address, id) in [
        (
            "clusternet_manifest.namespace",
            format!("v1/Namespace/{ns}"),
        ),
        (
            "clusternet_manifest.settings",
            format!("v1/ConfigMap/{ns}/settings"),
        ),
        (
            "clusternet_localization.color",
            format!("{cluster_ns}/color"),
        ),
        ("clusternet_globalization.size", glob.clone()),
        ("clusternet_subscription.app", format!("{ns}/app")),
    ] {
        imported
            .run(&["import", "-no-color", "-input=false", address, &id])
            .expect_success();
    }
    imported.expect_no_changes("the plan after import");

    ws.destroy().expect_success();
    assert!(
        hub.items("subscriptions.apps.clusternet.io", &ns)
            .is_empty(),
        "{v}: Subscription left"
    );
    let left: Vec<String> =
        names_of(&hub.items("manifests.apps.clusternet.io", "clusternet-reserved"))
            .into_iter()
            .filter(|n| n.contains(&ns))
            .collect();
    assert!(left.is_empty(), "{v}: Manifests left: {left:?}");
    assert!(
        hub.items("localizations.apps.clusternet.io", &cluster_ns)
            .is_empty(),
        "{v}: Localization left"
    );
    assert!(
        hub.kubectl(["get", "globalizations.apps.clusternet.io", &glob])
            .is_err(),
        "{v}: Globalization left"
    );
    unregister_managed_cluster(hub, &cluster, &cluster_ns, &ns);
}

/// What the test writes where Clusternet's controller-manager (not running on the bed) would
/// write the Description: nothing, the predicted objects, or the prediction with the
/// ConfigMap's color changed.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Rendering {
    None,
    AsPredicted,
    Changed,
}

/// `verify_timeout`: apply waits for the hub's Descriptions and warns, naming cluster and
/// object but no value, where they differ from the prediction.
#[test]
fn apply_compares_clusternet_descriptions_with_the_prediction() {
    let bed = Testbed::shared();
    let hub = bed.hub();
    hub.install_clusternet_crds()
        .expect("install Clusternet's CRDs on the hub");
    for tf in Terraform::all() {
        let v = tf.version;
        let none = verified_apply(&tf, bed, Rendering::None, "3s");
        assert!(
            none.contains("differs from the plan") && none.contains(": no Description yet"),
            "{v}: {none}"
        );
        let same = verified_apply(&tf, bed, Rendering::AsPredicted, "60s");
        assert!(!same.contains("differs from the plan"), "{v}: {same}");
        let changed = verified_apply(&tf, bed, Rendering::Changed, "5s");
        assert!(
            changed.contains("differs from the plan")
                && changed.contains("is rendered differently"),
            "{v}: {changed}"
        );
        assert!(
            !changed.contains("purple"),
            "{v}: a value is shown: {changed}"
        );
    }
}

/// Creates the scenario on a new ManagedCluster with `verify_timeout`, writing `rendering`
/// while apply waits; returns apply's output, squashed to single spaces. Cleans up.
fn verified_apply(tf: &Terraform, bed: &Testbed, rendering: Rendering, timeout: &str) -> String {
    let v = tf.version;
    let hub = bed.hub();
    let (ns, cluster, cluster_ns, team, glob) = (
        unique_name("verify"),
        unique_name("mc"),
        unique_name("clusternet-mc"),
        unique_name("team"),
        unique_name("size"),
    );
    register_managed_cluster(hub, &cluster, &cluster_ns, &team);
    let mut ws = Workspace::new("deployer_clusternet", tf);
    for (key, value) in [
        (
            "TF_VAR_kubeconfig_hub",
            hub.kubeconfig().display().to_string(),
        ),
        ("TF_VAR_ns", ns.clone()),
        ("TF_VAR_cluster", cluster.clone()),
        ("TF_VAR_team", team.clone()),
        ("TF_VAR_glob_name", glob.clone()),
        ("TF_VAR_verify_timeout", timeout.to_string()),
    ] {
        ws.set_env(key, &value);
    }
    ws.run(&["plan", "-no-color", "-input=false", "-out=verify.tfplan"])
        .expect_success();
    let shown = ws.run(&["show", "-json", "verify.tfplan"]).expect_success();
    let plan: Json = serde_json::from_str(&shown.stdout).expect("show -json prints JSON");
    let predicted: Vec<String> = plan["resource_changes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["address"] == "clusternet_subscription.app")
        .flat_map(|c| preview::per_cluster(&c["change"]["after"]))
        .filter(|(key, _)| key.starts_with(&format!("{cluster}/")))
        .map(|(_, object)| object)
        .collect();
    assert_eq!(predicted.len(), 2, "{v}: {predicted:?}");

    let outcome = std::thread::scope(|scope| {
        let apply =
            scope.spawn(|| ws.run(&["apply", "-no-color", "-input=false", "verify.tfplan"]));
        if rendering != Rendering::None {
            let raw: Vec<String> = predicted
                .iter()
                .map(|o| match rendering {
                    Rendering::Changed => o.replace("\"green\"", "\"purple\""),
                    _ => o.clone(),
                })
                .collect();
            write_description(hub, &ns, &cluster_ns, &raw, &apply);
        }
        apply.join().expect("apply thread")
    });
    let output = outcome.all_output();
    assert!(outcome.success, "{v}: apply failed:\n{output}");
    ws.destroy().expect_success();
    let _ = hub.kubectl([
        "delete",
        "descriptions.apps.clusternet.io",
        "--all",
        "-n",
        &cluster_ns,
    ]);
    unregister_managed_cluster(hub, &cluster, &cluster_ns, &ns);
    output.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Plays Clusternet's controller-manager: once the Subscription `ns/app` is on the hub,
/// writes a Generic Description of `raw` objects for it in `cluster_ns`, labelled with the
/// Subscription's uid as Clusternet labels its Descriptions.
fn write_description(
    hub: &Cluster,
    ns: &str,
    cluster_ns: &str,
    raw: &[String],
    apply: &std::thread::ScopedJoinHandle<'_, acceptance_tests::terraform::Outcome>,
) {
    use base64::Engine as _;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let uid = loop {
        let uid = hub
            .kubectl([
                "get",
                "subscriptions.apps.clusternet.io",
                "app",
                "-n",
                ns,
                "-o",
                "jsonpath={.metadata.uid}",
            ])
            .unwrap_or_default();
        if !uid.trim().is_empty() {
            break uid.trim().to_string();
        }
        assert!(
            std::time::Instant::now() < deadline && !apply.is_finished(),
            "the Subscription never reached the hub"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    let engine = base64::engine::general_purpose::STANDARD;
    let description = serde_json::json!({
        "apiVersion": "apps.clusternet.io/v1alpha1",
        "kind": "Description",
        "metadata": {
            "name": "app-t3st1-generic",
            "namespace": cluster_ns,
            "labels": {
                "clusternet.io/created-by": "clusternet-controller-manager",
                "apps.clusternet.io/subs.namespace": ns,
                "apps.clusternet.io/subs.uid": uid,
            },
        },
        "spec": {
            "deployer": "Generic",
            "raw": raw.iter().map(|o| engine.encode(o)).collect::<Vec<_>>(),
        },
    });
    hub.apply_yaml(&description.to_string())
        .expect("Description accepted by the upstream CRD");
}
