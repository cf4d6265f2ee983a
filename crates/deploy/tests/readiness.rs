//! `Cluster::wait_ready` against the real test bed (kube-apiserver, controllers, scheduler and
//! the node agent that stands in for the kubelet): objects without pods become ready; a
//! Deployment whose image the agent never starts (tag `never-ready`), a Service selecting its
//! pods and a missing object are reported not ready, with the pods' cause. The ready side of
//! workloads is covered by the provider's progressive-rollout acceptance tests.

use std::time::{Duration, Instant};

mod common;

use acceptance_tests::testbed::{Testbed, unique_name};
use clusternet_deploy::{ApplyOptions, WaitOptions, WaitOutcome};
use clusternet_model::identity::ObjectIdentity;
use common::connection::connect;
use serde_json::{Value, json};

fn reference(object: &Value) -> ObjectIdentity {
    ObjectIdentity::of(object).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn objects_without_pods_become_ready_and_workloads_that_never_start_do_not() {
    let bed = Testbed::shared();
    let cluster = connect(bed.child(1)).await;
    let namespace = unique_name("ready");
    let group = format!("{}.ready.example.com", unique_name("g"));
    let ready_objects = vec![
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}}),
        json!({"apiVersion": "v1", "kind": "ConfigMap",
               "metadata": {"name": "settings", "namespace": namespace}, "data": {"a": "b"}}),
        // No selector: its endpoints are someone else's, it is ready once it exists.
        json!({"apiVersion": "v1", "kind": "Service",
               "metadata": {"name": "external", "namespace": namespace},
               "spec": {"ports": [{"port": 80, "protocol": "TCP"}]}}),
        json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
               "metadata": {"name": format!("gadgets.{group}")},
               "spec": {"group": group, "scope": "Namespaced",
                        "names": {"plural": "gadgets", "singular": "gadget", "kind": "Gadget",
                                  "listKind": "GadgetList"},
                        "versions": [{"name": "v1", "served": true, "storage": true,
                                      "schema": {"openAPIV3Schema": {"type": "object"}}}]}}),
    ];
    let report = cluster
        .apply(ready_objects.clone(), &ApplyOptions::default())
        .await;
    for outcome in &report.outcomes {
        outcome.result.as_ref().unwrap_or_else(|e| panic!("{e}"));
    }
    let references: Vec<_> = ready_objects.iter().map(reference).collect();
    let options = WaitOptions {
        timeout: Duration::from_secs(30),
        min_ready: Duration::from_millis(500),
        ..WaitOptions::default()
    };
    let started = Instant::now();
    let report = cluster.wait_ready(&references, &options).await;
    let took = started.elapsed();
    eprintln!("wait for 4 ready objects with min_ready 0.5 s took {took:?}");
    assert_eq!(report.outcome, WaitOutcome::Ready, "{report:?}");
    assert_eq!((report.total, report.ready), (4, 4));
    assert!(took >= options.min_ready && took < Duration::from_secs(5));

    let waiting_objects = vec![
        json!({"apiVersion": "apps/v1", "kind": "Deployment",
               "metadata": {"name": "web", "namespace": namespace},
               "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                        "template": {"metadata": {"labels": {"app": "web"}},
                                     "spec": {"containers": [{"name": "web", "image": "nginx:never-ready"}]}}}}),
        json!({"apiVersion": "v1", "kind": "Service",
               "metadata": {"name": "web", "namespace": namespace},
               "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "protocol": "TCP"}]}}),
    ];
    let report = cluster
        .apply(waiting_objects.clone(), &ApplyOptions::default())
        .await;
    for outcome in &report.outcomes {
        outcome.result.as_ref().unwrap_or_else(|e| panic!("{e}"));
    }
    let mut references: Vec<_> = waiting_objects.iter().map(reference).collect();
    references.push(ObjectIdentity::new(
        "v1",
        "ConfigMap",
        Some(namespace.as_str()),
        "absent",
    ));
    // The Namespace, ready, to see it counted among the ready.
    references.push(reference(&ready_objects[0]));
    let options = WaitOptions {
        timeout: Duration::from_secs(3),
        ..WaitOptions::default()
    };
    let started = Instant::now();
    let report = cluster.wait_ready(&references, &options).await;
    let took = started.elapsed();
    assert!(
        took >= options.timeout && took < options.timeout + Duration::from_secs(2),
        "{took:?}"
    );
    assert_eq!((report.total, report.ready), (4, 1));
    let WaitOutcome::NotReady(not_ready) = &report.outcome else {
        panic!("expected NotReady, got {report:?}");
    };
    let messages: Vec<String> = not_ready.iter().map(ToString::to_string).collect();
    assert_eq!(messages.len(), 3, "{messages:?}");
    let deployment = format!("Deployment {namespace}/web: 0/2 available; pod web-");
    assert!(
        messages[0].starts_with(&deployment) && messages[0].ends_with(": ImagePullBackOff"),
        "{messages:?}"
    );
    assert!(
        messages[1].starts_with(&format!("Service {namespace}/web: no ready endpoints")),
        "{messages:?}"
    );
    assert_eq!(
        messages[2],
        format!("ConfigMap {namespace}/absent: not found")
    );
    let error = report.into_result().unwrap_err().to_string();
    assert!(
        error.starts_with("1 of 4 objects ready before the timeout; Deployment "),
        "{error}"
    );
}
