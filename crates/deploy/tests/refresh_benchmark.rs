//! A manual benchmark, not a timed test (run with `--ignored --nocapture` on a bed of 5
//! children; `scripts/bench-refresh` runs it): the refresh read of 200 objects per child
//! (4 namespaces x 40 ConfigMaps + 10 Deployments, stamped with a subscription's ownership
//! labels), every child at once as the provider reads them, by list
//! (`Cluster::read_live_by_list`) versus one GET per object (`Cluster::read_live`, the read
//! before issue 14), side by side in each round, alternating which goes first. Each read
//! connects afresh, as the provider's refresh does.

use std::time::{Duration, Instant};

mod common;

use acceptance_tests::testbed::{Testbed, unique_name};
use clusternet_deploy::ownership::{SUBS_NAME, SUBS_NAMESPACE};
use clusternet_deploy::{ApplyOptions, ClusterApply, LiveObject, Ownership, apply_many, fan_out};
use clusternet_model::identity::ObjectIdentity;
use common::connection::{by_kubeconfig, connect};
use serde_json::{Value, json};

/// The provider's default `parallelism` (clusters at once) and its reads per cluster.
const PARALLELISM: usize = 10;
const READS_PER_CLUSTER: usize = 8;
const ROUNDS: usize = 7;

fn objects(prefix: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for n in 0..4 {
        let ns = format!("{prefix}-{n}");
        out.push(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}));
        out.extend((0..40).map(|i| {
            json!({"apiVersion": "v1", "kind": "ConfigMap",
                   "metadata": {"name": format!("cm-{i}"), "namespace": ns},
                   "data": {"i": i.to_string(), "payload": "x".repeat(512)}})
        }));
        out.extend((0..10).map(|i| {
            json!({"apiVersion": "apps/v1", "kind": "Deployment",
                   "metadata": {"name": format!("web-{i}"), "namespace": ns},
                   "spec": {"replicas": 0, "selector": {"matchLabels": {"app": format!("web-{i}")}},
                            "template": {"metadata": {"labels": {"app": format!("web-{i}")}},
                                         "spec": {"containers": [{"name": "web", "image": "registry.k8s.io/pause:3.9"}]}}}})
        }));
    }
    out
}

/// Reads `references` on every child at once, connecting afresh; `by_list`: the new path.
async fn read_all(
    bed: &Testbed,
    references: &[ObjectIdentity],
    selector: &str,
    by_list: bool,
) -> (Duration, Vec<Vec<LiveObject>>) {
    let started = Instant::now();
    let jobs: Vec<_> = bed
        .children()
        .iter()
        .map(|c| (c.name().to_string(), by_kubeconfig(c)))
        .collect();
    let read = fan_out(jobs, PARALLELISM, |(name, config)| {
        let references = references.to_vec();
        let selector = selector.to_string();
        async move {
            let cluster = clusternet_deploy::Cluster::connect(
                name,
                &config,
                clusternet_deploy::Timeouts::default(),
            )
            .await
            .unwrap();
            if by_list {
                cluster
                    .read_live_by_list(&references, &selector, READS_PER_CLUSTER)
                    .await
            } else {
                cluster.read_live(&references, READS_PER_CLUSTER).await
            }
        }
    })
    .await;
    let elapsed = started.elapsed();
    (elapsed, read.into_iter().map(Result::unwrap).collect())
}

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values[values.len() / 2]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: run by hand with --ignored --nocapture"]
async fn refresh_by_list_versus_one_get_per_object() {
    let bed = Testbed::shared();
    let prefix = unique_name("bench-refresh");
    let subscription = unique_name("bench");
    let owner = Ownership::for_description("bench", &format!("apps-{subscription}"))
        .with_label(SUBS_NAME, &subscription)
        .with_label(SUBS_NAMESPACE, "apps");
    let selector = owner.label_selector().unwrap();
    let objects = objects(&prefix);
    let mut jobs = Vec::new();
    for child in bed.children() {
        jobs.push(ClusterApply {
            cluster: connect(child).await,
            objects: objects.clone(),
            options: ApplyOptions {
                ownership: Some(owner.clone()),
                ..ApplyOptions::default()
            },
        });
    }
    assert!(
        apply_many(jobs, PARALLELISM)
            .await
            .iter()
            .all(|r| r.is_success())
    );
    // What a subscription's state holds: its objects less the Namespaces (one each, a GET).
    let references: Vec<ObjectIdentity> = objects
        .iter()
        .filter(|o| o["kind"] != "Namespace")
        .map(|o| ObjectIdentity::of(o).unwrap())
        .collect();
    eprintln!(
        "{} objects x {} children, {ROUNDS} rounds",
        references.len(),
        bed.children().len()
    );
    let (mut lists, mut gets) = (Vec::new(), Vec::new());
    for round in 0..ROUNDS {
        let list_first = round % 2 == 0;
        let mut timings = [Duration::ZERO; 2];
        for by_list in [list_first, !list_first] {
            let (elapsed, read) = read_all(bed, &references, &selector, by_list).await;
            for live in read.iter().flatten() {
                assert!(
                    matches!(live.state, Ok(Some(_))),
                    "{:?}: {:?}",
                    live.reference,
                    live.state
                );
            }
            timings[usize::from(by_list)] = elapsed;
        }
        let [get, list] = timings;
        eprintln!(
            "round {round}: by list {list:?}, one GET per object {get:?} (ratio {:.1})",
            get.as_secs_f64() / list.as_secs_f64()
        );
        lists.push(list);
        gets.push(get);
    }
    let (list, get) = (median(lists), median(gets));
    eprintln!(
        "median: by list {list:?}, one GET per object {get:?} (ratio {:.1})",
        get.as_secs_f64() / list.as_secs_f64()
    );
    for child in bed.children() {
        for n in 0..4 {
            let _ = child.kubectl([
                "delete",
                "namespace",
                &format!("{prefix}-{n}"),
                "--wait=false",
            ]);
        }
    }
}
