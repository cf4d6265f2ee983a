//! deployer = "clusternet" on the real bed (upstream Clusternet CRDs on the hub, no
//! Clusternet controllers): the plan predicts each ManagedCluster's objects; apply writes
//! exactly the user objects - the Subscription, its feeds as the shadow API stores them and
//! the overrides - which the upstream CRDs accept, no Bases or Descriptions, and nothing to
//! the children; importing it all into an empty state plans no changes; destroy removes
//! them - with terraform 1.11 and 1.0.3.

use acceptance_tests::terraform::{Terraform, Workspace};
use acceptance_tests::testbed::{Cluster, Testbed, unique_name};
use serde_json::Value as Json;

fn items(cluster: &Cluster, kind: &str, ns: &str) -> Vec<Json> {
    let text = cluster
        .kubectl(["get", kind, "-n", ns, "-o", "json"])
        .unwrap_or_else(|e| panic!("kubectl get {kind} -n {ns}: {e}"));
    let list: Json = serde_json::from_str(&text).expect("kubectl prints JSON");
    list["items"].as_array().cloned().unwrap_or_default()
}

fn names(items: &[Json]) -> Vec<String> {
    let mut names: Vec<String> = items
        .iter()
        .filter_map(|i| i["metadata"]["name"].as_str().map(str::to_string))
        .collect();
    names.sort();
    names
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
    let key = format!("\"{cluster}/v1/ConfigMap/{ns}/settings\"");
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
    let subs = items(hub, "subscriptions.apps.clusternet.io", &ns);
    assert_eq!(names(&subs), ["app"], "{v}");
    assert_eq!(
        subs[0]["spec"]["subscribers"][0]["clusterAffinity"]["matchLabels"]["team"],
        team.as_str(),
        "{v}: {:?}",
        subs[0]
    );
    let manifests: Vec<String> = names(&items(
        hub,
        "manifests.apps.clusternet.io",
        "clusternet-reserved",
    ))
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
        names(&items(hub, "localizations.apps.clusternet.io", &cluster_ns)),
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
        let made = items(hub, kind, &cluster_ns);
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

    let again = ws.run(&["plan", "-no-color", "-input=false", "-detailed-exitcode"]);
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
    let after_import = imported.run(&["plan", "-no-color", "-input=false", "-detailed-exitcode"]);
    assert_eq!(
        after_import.exit_code,
        Some(0),
        "{v}: the plan after import is not empty:\n{}",
        after_import.all_output()
    );

    ws.destroy().expect_success();
    assert!(
        items(hub, "subscriptions.apps.clusternet.io", &ns).is_empty(),
        "{v}: Subscription left"
    );
    let left: Vec<String> = names(&items(
        hub,
        "manifests.apps.clusternet.io",
        "clusternet-reserved",
    ))
    .into_iter()
    .filter(|n| n.contains(&ns))
    .collect();
    assert!(left.is_empty(), "{v}: Manifests left: {left:?}");
    assert!(
        items(hub, "localizations.apps.clusternet.io", &cluster_ns).is_empty(),
        "{v}: Localization left"
    );
    assert!(
        hub.kubectl(["get", "globalizations.apps.clusternet.io", &glob])
            .is_err(),
        "{v}: Globalization left"
    );
    let _ = hub.kubectl([
        "delete",
        "managedclusters.clusters.clusternet.io",
        &cluster,
        "-n",
        &cluster_ns,
    ]);
    for n in [&ns, &cluster_ns] {
        let _ = hub.kubectl(["delete", "namespace", n, "--wait=false"]);
    }
}
