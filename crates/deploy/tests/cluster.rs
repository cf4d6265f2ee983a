//! clusternet-deploy against the real test bed (real kube-apiservers, no fakes). Every test
//! works in its own namespaces and names.

use std::time::{Duration, Instant};

mod common;

use acceptance_tests::testbed::{Testbed, unique_name};
use clusternet_deploy::{
    ApplyOptions, Cluster, ClusterApply, ConnectionConfig, Deleted, ObjectError, Ownership,
    Timeouts, apply_many,
};
use clusternet_model::identity::ObjectIdentity;
use common::connection::{connect, direct};
use serde_json::{Value, json};

fn config_map(namespace: &str, name: &str, data: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "ConfigMap",
           "metadata": {"name": name, "namespace": namespace}, "data": data})
}

fn owned(test: &str) -> Ownership {
    Ownership::for_description("clusternet-test", &format!("{test}-generic")).with_subscription(
        "apps",
        test,
        &unique_name("uid"),
    )
}

fn reference(object: &Value) -> ObjectIdentity {
    ObjectIdentity::of(object).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn applies_a_crd_and_its_custom_resource_in_one_call_in_dependency_order() {
    let bed = Testbed::shared();
    let child = bed.child(1);
    let cluster = connect(child).await;
    let namespace = unique_name("deploy-order");
    let group = format!("{}.deploy.example.com", unique_name("g"));
    let crd = json!({
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": format!("widgets.{group}")},
        "spec": {"group": group, "scope": "Namespaced",
                 "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "listKind": "WidgetList"},
                 "versions": [{"name": "v1", "served": true, "storage": true,
                               "schema": {"openAPIV3Schema": {"type": "object", "properties": {
                                   "spec": {"type": "object", "properties": {"size": {"type": "integer"}}}}}}}]}
    });
    // Deliberately in the worst order: everything depends on something later in the list.
    let objects = vec![
        json!({"apiVersion": format!("{group}/v1"), "kind": "Widget",
               "metadata": {"name": "w", "namespace": namespace}, "spec": {"size": 3}}),
        json!({"apiVersion": "apps/v1", "kind": "Deployment",
               "metadata": {"name": "web", "namespace": namespace},
               "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                        "template": {"metadata": {"labels": {"app": "web"}},
                                     "spec": {"containers": [{"name": "web", "image": "nginx:1.25",
                                              "envFrom": [{"configMapRef": {"name": "settings"}}]}]}}}}),
        config_map(&namespace, "settings", json!({"mode": "fast"})),
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}}),
        crd,
    ];
    let ownership = owned("order");
    let options = ApplyOptions {
        ownership: Some(ownership.clone()),
        ..ApplyOptions::default()
    };
    let started = Instant::now();
    let report = cluster.apply(objects.clone(), &options).await;
    eprintln!("apply of CRD + 4 objects took {:?}", started.elapsed());
    for outcome in &report.outcomes {
        let applied = outcome.result.as_ref().unwrap_or_else(|e| panic!("{e}"));
        assert!(!applied.uid.is_empty() && !applied.resource_version.is_empty());
    }

    let widget = child
        .get_json([
            format!("widgets.{group}").as_str(),
            "w",
            "-n",
            &namespace,
            "--show-managed-fields",
        ])
        .unwrap();
    assert_eq!(widget["spec"]["size"], 3);
    let cm = child
        .get_json([
            "configmap",
            "settings",
            "-n",
            &namespace,
            "--show-managed-fields",
        ])
        .unwrap();
    assert_eq!(
        cm["metadata"]["annotations"]["apps.clusternet.io/owned-by-description"],
        "clusternet-test.order-generic"
    );
    assert_eq!(
        cm["metadata"]["labels"]["apps.clusternet.io/subs.name"],
        "order"
    );
    assert!(
        cm["metadata"]["annotations"]["clusternet.io/last-applied-configuration"]
            .as_str()
            .unwrap()
            .contains("\"mode\":\"fast\"")
    );
    let managers = cm["metadata"]["managedFields"][0]["manager"].clone();
    assert_eq!(managers, "clusternet-terraform");

    // Destroy: reverse order, custom resource before its CRD, namespace last.
    let refs: Vec<ObjectIdentity> = objects.iter().map(reference).collect();
    let deleted = cluster.delete(&refs, Some(&ownership), 4).await;
    let order: Vec<&str> = deleted
        .outcomes
        .iter()
        .map(|o| o.reference.kind.as_str())
        .collect();
    assert_eq!(
        order,
        [
            "Widget",
            "Deployment",
            "ConfigMap",
            "Namespace",
            "CustomResourceDefinition"
        ]
    );
    assert!(
        deleted
            .outcomes
            .iter()
            .all(|o| o.result == Ok(Deleted::Deleted))
    );
    // A CRD's deletion completes asynchronously: it stays Terminating until the API server
    // has cleaned up its custom resources.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let crds = child.kubectl(["get", "crd", "-o", "name"]).unwrap();
        if !crds.contains(&group) {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the CRD of {group} is still there a minute after its deletion"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_conflict_with_another_manager_is_typed_and_force_takes_over() {
    let bed = Testbed::shared();
    let child = bed.child(1);
    let namespace = child.create_namespace("deploy-conflict").unwrap();
    let rival = config_map(&namespace, "contested", json!({"key": "theirs"}));
    child
        .kubectl_stdin(
            [
                "apply",
                "--server-side",
                "--field-manager=rival-tool",
                "-f",
                "-",
            ],
            &rival.to_string(),
        )
        .unwrap();
    let cluster = connect(child).await;
    let ours = vec![config_map(&namespace, "contested", json!({"key": "ours"}))];

    let report = cluster.apply(ours.clone(), &ApplyOptions::default()).await;
    match &report.outcomes[0].result {
        Err(ObjectError::Conflict {
            managers, message, ..
        }) => {
            assert_eq!(managers, &["rival-tool"], "{message}");
            assert!(message.contains(".data.key"), "{message}");
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    let unchanged = child
        .get_json(["cm", "contested", "-n", &namespace, "--show-managed-fields"])
        .unwrap();
    assert_eq!(unchanged["data"]["key"], "theirs");

    let forced = ApplyOptions {
        force: true,
        ..ApplyOptions::default()
    };
    let report = cluster.apply(ours, &forced).await;
    assert!(report.is_success(), "{:?}", report.outcomes);
    let taken = child
        .get_json(["cm", "contested", "-n", &namespace, "--show-managed-fields"])
        .unwrap();
    assert_eq!(taken["data"]["key"], "ours");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_kind_is_a_clear_error_and_the_other_objects_still_apply() {
    let bed = Testbed::shared();
    let child = bed.child(2);
    let namespace = child.create_namespace("deploy-unknown").unwrap();
    let cluster = connect(child).await;
    let objects = vec![
        config_map(&namespace, "before", json!({})),
        json!({"apiVersion": "nonexistent.example.com/v1", "kind": "Gizmo",
               "metadata": {"name": "g", "namespace": namespace}}),
        json!({"apiVersion": "v1", "kind": "Gizmo", "metadata": {"name": "g2", "namespace": namespace}}),
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "bad", "namespace": namespace},
               "spec": {"ports": [{"port": 70000, "protocol": "TCP"}]}}),
        config_map(&namespace, "after", json!({})),
    ];
    let report = cluster.apply(objects, &ApplyOptions::default()).await;
    assert!(report.outcomes[0].result.is_ok());
    assert!(report.outcomes[4].result.is_ok());
    let unknown = report.outcomes[1].result.as_ref().unwrap_err();
    assert!(matches!(unknown, ObjectError::UnknownKind { .. }));
    let message = unknown.to_string();
    assert!(
        message.contains("\"nonexistent.example.com/v1\"") && message.contains("\"Gizmo\""),
        "{message}"
    );
    assert!(matches!(
        report.outcomes[2].result,
        Err(ObjectError::UnknownKind { .. })
    ));
    match &report.outcomes[3].result {
        Err(ObjectError::Rejected { message, .. }) => {
            assert!(message.contains("70000"), "{message}")
        }
        other => panic!("expected a 422 rejection, got {other:?}"),
    }
    child
        .kubectl(["get", "cm", "before", "after", "-n", &namespace])
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prune_removes_the_object_that_left_the_set_and_nothing_else() {
    let bed = Testbed::shared();
    let child = bed.child(1);
    let namespace = child.create_namespace("deploy-prune").unwrap();
    let cluster = connect(child).await;
    let ownership = owned("prune");
    let options = ApplyOptions {
        ownership: Some(ownership.clone()),
        ..ApplyOptions::default()
    };
    let kept = config_map(&namespace, "kept", json!({"a": "1"}));
    let left = config_map(&namespace, "left", json!({"b": "2"}));
    let report = cluster
        .apply(vec![kept.clone(), left.clone()], &options)
        .await;
    assert!(report.is_success(), "{:?}", report.outcomes);
    // Not ours: no marks at all, and the same labels but another Description.
    child
        .kubectl(["create", "configmap", "foreign", "-n", &namespace])
        .unwrap();
    let mut impostor = ownership.clone();
    impostor.description = "clusternet-test.other-generic".into();
    let report = cluster
        .apply(
            vec![config_map(&namespace, "impostor", json!({}))],
            &ApplyOptions {
                ownership: Some(impostor),
                ..ApplyOptions::default()
            },
        )
        .await;
    assert!(report.is_success());

    // The provider lost its record of what it applied (previous = []): labels find "left".
    let desired = [reference(&kept)];
    let pruned = cluster.prune(&desired, &[], &ownership).await;
    assert!(pruned.is_success(), "{:?}", pruned.outcomes);
    let deleted: Vec<&str> = pruned.deleted().map(|r| r.name.as_str()).collect();
    assert_eq!(deleted, ["left"]);
    let impostor_outcome = pruned
        .outcomes
        .iter()
        .find(|o| o.reference.name == "impostor")
        .expect("the labelled impostor is a candidate");
    assert_eq!(impostor_outcome.result, Ok(Deleted::NotOwned));

    let names = child
        .kubectl(["get", "cm", "-n", &namespace, "-o", "name"])
        .unwrap();
    for name in ["kept", "foreign", "impostor"] {
        assert!(
            names.contains(&format!("configmap/{name}\n")),
            "{name} in {names}"
        );
    }
    assert!(!names.contains("configmap/left\n"));

    let labelled = cluster
        .list(
            "v1",
            "ConfigMap",
            Some(&namespace),
            ownership.label_selector().as_deref(),
        )
        .await
        .unwrap();
    let mut names: Vec<&str> = labelled
        .iter()
        .map(|o| o["metadata"]["name"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["impostor", "kept"]);
    assert_eq!(labelled[0]["kind"], "ConfigMap");

    // Pruning again is a no-op.
    let again = cluster
        .prune(&desired, &[reference(&left)], &ownership)
        .await;
    assert_eq!(again.deleted().count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drift_shows_a_field_changed_by_another_manager_and_a_deleted_object() {
    let bed = Testbed::shared();
    let child = bed.child(2);
    let namespace = child.create_namespace("deploy-drift").unwrap();
    let cluster = connect(child).await;
    let ownership = owned("drift");
    let options = ApplyOptions {
        ownership: Some(ownership.clone()),
        ..ApplyOptions::default()
    };
    let edited = config_map(&namespace, "edited", json!({"k": "planned", "other": "x"}));
    let deleted = config_map(&namespace, "deleted", json!({"k": "v"}));
    let untouched = json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": namespace},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                 "template": {"metadata": {"labels": {"app": "web"}},
                              "spec": {"containers": [{"name": "web", "image": "nginx:1.25"}]}}}});
    let objects = vec![edited.clone(), deleted.clone(), untouched.clone()];
    assert!(cluster.apply(objects.clone(), &options).await.is_success());
    let refs: Vec<ObjectIdentity> = objects.iter().map(reference).collect();

    // Right after apply, the owned fields are exactly what was applied (after stripping marks).
    let live = cluster.read_owned(&refs, 4).await;
    for (object, live) in objects.iter().zip(&live) {
        let mut seen = live.state.clone().unwrap().expect("present");
        ownership.strip(&mut seen);
        assert_eq!(&seen, object, "no drift expected for {}", live.reference);
    }

    child
        .kubectl([
            "patch",
            "configmap",
            "edited",
            "-n",
            &namespace,
            "--type=merge",
            "-p",
            r#"{"data":{"k":"changed"},"metadata":{"labels":{"extra":"x"}}}"#,
        ])
        .unwrap();
    child
        .kubectl(["delete", "configmap", "deleted", "-n", &namespace])
        .unwrap();

    let live = cluster.read_owned(&refs, 4).await;
    let mut seen = live[0].state.clone().unwrap().expect("still there");
    ownership.strip(&mut seen);
    assert_ne!(seen, edited, "the patch must show as drift");
    // kubectl took ownership of data.k; the label it added is not ours and stays invisible.
    assert_eq!(seen["data"].get("k"), None);
    assert_eq!(seen["data"]["other"], "x");
    assert_eq!(seen["metadata"].get("labels"), None);
    assert_eq!(live[1].state, Ok(None));
    let mut web = live[2].state.clone().unwrap().unwrap();
    ownership.strip(&mut web);
    assert_eq!(web, untouched);

    // kubectl now owns data.k: applying again is a conflict naming it, forcing restores.
    let report = cluster.apply(objects.clone(), &options).await;
    match &report.outcomes[0].result {
        Err(ObjectError::Conflict { managers, .. }) => assert_eq!(managers, &["kubectl-patch"]),
        other => panic!("expected a conflict, got {other:?}"),
    }
    let forced = ApplyOptions {
        force: true,
        ..options
    };
    assert!(cluster.apply(objects, &forced).await.is_success());
    let restored = child
        .get_json(["cm", "edited", "-n", &namespace, "--show-managed-fields"])
        .unwrap();
    assert_eq!(restored["data"]["k"], "planned");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_cluster_fails_fast_with_the_typed_error() {
    // A port that was free a moment ago: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let config = ConnectionConfig::Direct {
        host: format!("https://127.0.0.1:{port}"),
        token: Some("not-a-real-token".into()),
        ca_certificate_pem: None,
        client_certificate_pem: None,
        client_key_pem: None,
        insecure: true,
        exec: None,
    };
    let timeouts = Timeouts {
        connect: Duration::from_secs(2),
        ..Timeouts::default()
    };
    let cluster = Cluster::connect("stopped", &config, timeouts)
        .await
        .unwrap();
    let objects = vec![
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "x"}}),
        config_map("x", "a", json!({})),
        config_map("x", "b", json!({})),
    ];
    let started = Instant::now();
    let report = cluster.apply(objects, &ApplyOptions::default()).await;
    let elapsed = started.elapsed();
    eprintln!("unreachable cluster reported after {elapsed:?}");
    assert!(elapsed < Duration::from_secs(10), "took {elapsed:?}");
    match report.unreachable() {
        Some(ObjectError::Unreachable { source, .. }) => {
            assert_eq!(source.cluster, "stopped");
            assert!(source.message.contains("onnect"), "{}", source.message);
        }
        other => panic!("expected unreachable, got {other:?}"),
    }
    assert!(report.outcomes.iter().all(|o| matches!(
        o.result,
        Err(ObjectError::Unreachable { .. } | ObjectError::Skipped { .. })
    )));
    let live = cluster
        .read_owned(&[ObjectIdentity::new("v1", "ConfigMap", Some("x"), "a")], 1)
        .await;
    assert!(
        live[0]
            .state
            .as_ref()
            .is_err_and(ObjectError::is_unreachable)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn direct_token_and_ca_settings_reach_the_cluster() {
    let bed = Testbed::shared();
    let child = bed.child(2);
    let namespace = child.create_namespace("deploy-direct").unwrap();
    let config = direct(child);
    let cluster = Cluster::connect("child-2", &config, Timeouts::default())
        .await
        .unwrap()
        .with_field_manager("clusternet-terraform-direct-test");
    let report = cluster
        .apply(
            vec![config_map(&namespace, "direct", json!({"a": "b"}))],
            &ApplyOptions::default(),
        )
        .await;
    assert!(report.is_success(), "{:?}", report.outcomes);
    let cm = child
        .get_json(["cm", "direct", "-n", &namespace, "--show-managed-fields"])
        .unwrap();
    assert_eq!(
        cm["metadata"]["managedFields"][0]["manager"],
        "clusternet-terraform-direct-test"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_many_applies_to_every_child_and_an_unreachable_one_does_not_stop_the_others() {
    let bed = Testbed::shared();
    let name = unique_name("deploy-many");
    let objects: Vec<Value> = std::iter::once(
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}),
    )
    .chain((0..50).map(|i| config_map(&name, &format!("cm-{i}"), json!({"i": i.to_string()}))))
    .collect();
    let mut jobs = Vec::new();
    for child in bed.children() {
        jobs.push(ClusterApply {
            cluster: connect(child).await,
            objects: objects.clone(),
            options: ApplyOptions {
                ownership: Some(owned("many")),
                ..ApplyOptions::default()
            },
        });
    }
    let dead = ConnectionConfig::Direct {
        host: "https://127.0.0.1:1".into(),
        token: None,
        ca_certificate_pem: None,
        client_certificate_pem: None,
        client_key_pem: None,
        insecure: true,
        exec: None,
    };
    jobs.push(ClusterApply {
        cluster: Cluster::connect("dead", &dead, Timeouts::default())
            .await
            .unwrap(),
        objects: objects.clone(),
        options: ApplyOptions::default(),
    });
    let started = Instant::now();
    let reports = apply_many(jobs, 4).await;
    eprintln!(
        "apply_many: {} objects x {} children (+1 unreachable) in {:?}",
        objects.len(),
        bed.children().len(),
        started.elapsed()
    );
    let (live, dead) = reports.split_at(bed.children().len());
    for report in live {
        assert!(
            report.is_success(),
            "{}: {:?}",
            report.cluster,
            report.errors().next()
        );
    }
    assert!(dead[0].unreachable().is_some());
    for child in bed.children() {
        let count = child
            .kubectl(["get", "cm", "-n", &name, "-o", "name"])
            .unwrap()
            .lines()
            .filter(|l| l.starts_with("configmap/cm-"))
            .count();
        assert_eq!(count, 50, "{}", child.name());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_frozen_server_that_accepts_but_never_answers_times_out_as_unreachable() {
    // Like a stopped (SIGSTOP) kube-apiserver: the kernel accepts, nothing ever replies.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let config = ConnectionConfig::Direct {
        host: format!("https://127.0.0.1:{port}"),
        token: None,
        ca_certificate_pem: None,
        client_certificate_pem: None,
        client_key_pem: None,
        insecure: true,
        exec: None,
    };
    let timeouts = Timeouts {
        connect: Duration::from_secs(1),
        read: Duration::from_secs(2),
        write: Duration::from_secs(2),
    };
    let cluster = Cluster::connect("frozen", &config, timeouts).await.unwrap();
    let started = Instant::now();
    let report = cluster
        .apply(
            vec![config_map("x", "a", json!({}))],
            &ApplyOptions::default(),
        )
        .await;
    let elapsed = started.elapsed();
    eprintln!("frozen cluster reported after {elapsed:?}");
    assert!(report.unreachable().is_some(), "{:?}", report.outcomes);
    assert!(elapsed < Duration::from_secs(10), "took {elapsed:?}");
    drop(listener);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_token_is_a_credentials_error_for_the_whole_cluster() {
    let bed = Testbed::shared();
    let child = bed.child(1);
    let config = ConnectionConfig::Direct {
        host: child.server().to_string(),
        token: Some("wrong-token".into()),
        ca_certificate_pem: Some(std::fs::read_to_string(child.ca_file()).unwrap()),
        client_certificate_pem: None,
        client_key_pem: None,
        insecure: false,
        exec: None,
    };
    let cluster = Cluster::connect("child-1", &config, Timeouts::default())
        .await
        .unwrap();
    let report = cluster
        .apply(
            vec![
                config_map("default", "a", json!({})),
                config_map("default", "b", json!({})),
            ],
            &ApplyOptions::default(),
        )
        .await;
    assert!(
        matches!(report.cluster_failure(), Some(ObjectError::Credentials { cluster, .. }) if cluster == "child-1"),
        "{:?}",
        report.outcomes
    );
    assert!(matches!(
        report.outcomes[1].result,
        Err(ObjectError::Skipped { .. })
    ));
}
