//! A rollout to real clusters of the test bed (real kube-apiservers): objects in exactly the
//! selected clusters with Clusternet's marks, replicas divided 2:4, a CRD and its custom
//! resource in one run, drift (changed and deleted objects) shown and repaired, destroy.

use acceptance_tests::terraform::{Terraform, Workspace, squashed};
use acceptance_tests::testbed::{Cluster, Testbed, unique_name};

fn workspace(tf: &Terraform, bed: &Testbed, ns: &str, group: &str) -> Workspace {
    let mut ws = Workspace::new("cluster_rollout", tf);
    ws.set_env(
        "TF_VAR_kubeconfig_1",
        &bed.child(1).kubeconfig().display().to_string(),
    );
    ws.set_env(
        "TF_VAR_kubeconfig_2",
        &bed.child(2).kubeconfig().display().to_string(),
    );
    ws.set_env(
        "TF_VAR_kubeconfig_3",
        &bed.hub().kubeconfig().display().to_string(),
    );
    ws.set_env("TF_VAR_ns", ns);
    ws.set_env("TF_VAR_group", group);
    ws
}

fn get(cluster: &Cluster, args: &[&str]) -> Option<String> {
    cluster.kubectl(args).ok()
}

#[test]
fn rollout_to_real_clusters() {
    let bed = Testbed::shared();
    for tf in Terraform::all() {
        let ns = unique_name("shop");
        let group = format!("{}.example.com", unique_name("g"));
        rollout(&tf, bed, &ns, &group);
    }
}

fn rollout(tf: &Terraform, bed: &Testbed, ns: &str, group: &str) {
    let v = tf.version;
    let ws = workspace(tf, bed, ns, group);
    let (c1, c2, c3) = (bed.child(1), bed.child(2), bed.hub());

    let plan = ws.plan().expect_success();
    assert!(
        squashed(&plan.stdout).contains("+ \"apps/v1/Deployment/"),
        "{v}:\n{}",
        plan.stdout
    );
    ws.apply().expect_success();

    // Exactly the two selected clusters, replicas 2 and 4, Clusternet's marks.
    let cm = get(
        c1,
        &["get", "configmap", "settings", "-n", ns, "-o", "json"],
    )
    .unwrap_or_else(|| panic!("{v}: configmap missing in child-1"));
    assert!(cm.contains("\"color\": \"blue\""), "{v}: {cm}");
    assert!(
        cm.contains("apps.clusternet.io/subs.name"),
        "{v}: labels: {cm}"
    );
    assert!(
        cm.contains("apps.clusternet.io/owned-by-description"),
        "{v}: {cm}"
    );
    let replicas = |c: &Cluster| {
        get(
            c,
            &[
                "get",
                "deployment",
                "web",
                "-n",
                ns,
                "-o",
                "jsonpath={.spec.replicas}",
            ],
        )
    };
    assert_eq!(replicas(c1).as_deref(), Some("2"), "{v}");
    assert_eq!(replicas(c2).as_deref(), Some("4"), "{v}");
    assert!(
        get(c3, &["get", "namespace", ns]).is_none(),
        "{v}: c3 is not selected"
    );
    // The CRD and its custom resource applied in one run.
    assert!(
        get(c1, &["get", &format!("widgets.{group}"), "w1", "-n", ns]).is_some(),
        "{v}"
    );
    assert!(
        get(c2, &["get", &format!("widgets.{group}"), "w1", "-n", ns]).is_some(),
        "{v}"
    );

    // The ports were given without `protocol`; the server's default was filled in, and the
    // plan below proves it does not read back as drift.
    assert_eq!(
        get(
            c1,
            &[
                "get",
                "service",
                "web",
                "-n",
                ns,
                "-o",
                "jsonpath={.spec.ports[0].protocol}"
            ]
        )
        .as_deref(),
        Some("TCP"),
        "{v}"
    );

    let again = ws.plan_detailed();
    assert_eq!(
        again.exit_code,
        Some(0),
        "{v}: second plan not empty:\n{}",
        again.all_output()
    );

    // Drift: a changed field in child-1 and a deleted object in child-2.
    c1.kubectl([
        "patch",
        "configmap",
        "settings",
        "-n",
        ns,
        "--type",
        "merge",
        "-p",
        r#"{"data":{"color":"red"}}"#,
    ])
    .expect("patch");
    c2.kubectl(["delete", "service", "web", "-n", ns])
        .expect("delete");
    let plan = ws.plan().expect_success();
    let squashed = plan.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        squashed.contains("color = \"red\" -> \"blue\""),
        "{v}: drift not shown:\n{}",
        plan.stdout
    );
    assert!(
        squashed.contains("\"c2/v1/Service/") && squashed.contains("\"(absent)\""),
        "{v}: deletion not shown:\n{}",
        plan.stdout
    );
    ws.apply().expect_success();
    let color = get(
        c1,
        &[
            "get",
            "configmap",
            "settings",
            "-n",
            ns,
            "-o",
            "jsonpath={.data.color}",
        ],
    );
    assert_eq!(color.as_deref(), Some("blue"), "{v}: drift not repaired");
    assert!(
        get(c2, &["get", "service", "web", "-n", ns]).is_some(),
        "{v}: service not restored"
    );

    // Destroy leaves nothing in the children.
    ws.destroy().expect_success();
    for c in [c1, c2] {
        assert!(
            get(c, &["get", "configmap", "settings", "-n", ns]).is_none(),
            "{v}"
        );
        assert!(
            get(c, &["get", "crd", &format!("widgets.{group}")]).is_none(),
            "{v}"
        );
    }
}
