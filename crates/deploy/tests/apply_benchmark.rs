//! A manual benchmark, not a timed test (run with `--ignored --nocapture` on a bed): applying
//! one Namespace + 50 ConfigMaps + 10 Deployments to every child with `apply_many`, versus a
//! serial loop of one `kubectl apply --server-side` per cluster over the same objects.

use std::time::Instant;

mod common;

use acceptance_tests::testbed::{Testbed, unique_name};
use clusternet_deploy::{ApplyOptions, ClusterApply, Ownership, apply_many};
use common::connection::connect;
use serde_json::{Value, json};

fn objects(namespace: &str) -> Vec<Value> {
    let mut out =
        vec![json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}})];
    out.extend((0..50).map(|i| {
        json!({"apiVersion": "v1", "kind": "ConfigMap",
               "metadata": {"name": format!("cm-{i}"), "namespace": namespace},
               "data": {"i": i.to_string(), "payload": "x".repeat(512)}})
    }));
    out.extend((0..10).map(|i| {
        json!({"apiVersion": "apps/v1", "kind": "Deployment",
               "metadata": {"name": format!("web-{i}"), "namespace": namespace},
               "spec": {"replicas": 2, "selector": {"matchLabels": {"app": format!("web-{i}")}},
                        "template": {"metadata": {"labels": {"app": format!("web-{i}")}},
                                     "spec": {"containers": [{"name": "web", "image": "nginx:1.25"}]}}}})
    }));
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: run by hand with --ignored --nocapture"]
async fn apply_many_versus_serial_kubectl_server_side_apply() {
    let bed = Testbed::shared();
    for round in 0..3 {
        let ours = unique_name("bench-ours");
        let mut jobs = Vec::new();
        for child in bed.children() {
            jobs.push(ClusterApply {
                cluster: connect(child).await,
                objects: objects(&ours),
                options: ApplyOptions {
                    ownership: Some(Ownership::for_description("bench", "bench-generic")),
                    ..ApplyOptions::default()
                },
            });
        }
        let started = Instant::now();
        let reports = apply_many(jobs, 10).await;
        let parallel = started.elapsed();
        assert!(reports.iter().all(|r| r.is_success()));

        let theirs = unique_name("bench-kubectl");
        let stream: String = objects(&theirs)
            .iter()
            .map(|o| format!("---\n{o}\n"))
            .collect();
        let started = Instant::now();
        for child in bed.children() {
            child
                .kubectl_stdin(["apply", "--server-side", "-f", "-"], &stream)
                .unwrap();
        }
        let serial = started.elapsed();
        eprintln!(
            "round {round}: {} objects x {} children: apply_many {parallel:?}, serial kubectl {serial:?} (ratio {:.2})",
            objects("x").len(),
            bed.children().len(),
            serial.as_secs_f64() / parallel.as_secs_f64()
        );
    }
}
