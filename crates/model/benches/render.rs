//! Render benchmark: 1,000 clusters x 50 feeds x 3 overrides per feed and cluster
//! (two Globalizations, one of them with a clusterAffinity, and one Localization in every
//! cluster namespace), one Replication Subscription binding every cluster.
//!
//! Run: `cargo bench -p clusternet-model --bench render`.

use criterion::measurement::{Measurement, ValueFormatter};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde_json::json;
use std::hint::black_box;

use clusternet_model::render::{RenderInput, render};

const CLUSTERS: usize = 1000;
const FEEDS: usize = 50;

/// The benchmark world; without per-cluster Localizations when `globalizations_only`.
fn world() -> RenderInput {
    build_world(false)
}

fn build_world(globalizations_only: bool) -> RenderInput {
    let mut input = RenderInput::default();
    let regions = ["eu", "us", "ap"];
    for c in 0..CLUSTERS {
        input
            .add_object(json!({
                "apiVersion": "clusters.clusternet.io/v1beta1", "kind": "ManagedCluster",
                "metadata": {"name": format!("cluster-{c:04}"), "namespace": format!("clusternet-{c:04}"),
                    "labels": {"region": regions[c % 3], "env": "prod"}},
                "spec": {"clusterId": format!("00000000-0000-4000-8000-{c:012}"), "syncMode": "Push"}
            }))
            .unwrap();
    }
    let mut feeds = Vec::new();
    for f in 0..FEEDS {
        let name = format!("app-{f:02}");
        let (api_version, kind) = if f % 2 == 0 {
            ("apps/v1", "Deployment")
        } else {
            ("v1", "ConfigMap")
        };
        feeds.push(
            json!({"apiVersion": api_version, "kind": kind, "namespace": "apps", "name": name}),
        );
        let object = if kind == "Deployment" {
            json!({"apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": {"name": name, "namespace": "apps", "labels": {"app": name}},
                "spec": {"replicas": 3, "selector": {"matchLabels": {"app": name}},
                    "template": {"metadata": {"labels": {"app": name}},
                        "spec": {"containers": [{"name": "main", "image": "registry.example.com/app:1.0",
                            "ports": [{"containerPort": 8080}],
                            "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}},
                            "env": [{"name": "MODE", "value": "production"}, {"name": "LOG", "value": "info"}]}]}}}})
        } else {
            json!({"apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": name, "namespace": "apps", "labels": {"app": name}},
                "data": {"config.json": "{\n    \"level\": \"info\",\n    \"port\": 8080\n}", "mode": "production"}})
        };
        input.add_object(object).unwrap();
        let feed =
            json!({"apiVersion": api_version, "kind": kind, "namespace": "apps", "name": name});
        input
            .add_object(json!({"apiVersion": "apps.clusternet.io/v1alpha1", "kind": "Globalization",
                "metadata": {"name": format!("{name}-all")},
                "spec": {"priority": 100, "feed": feed,
                    "overrides": [{"type": "MergePatch", "value": "{\"metadata\":{\"annotations\":{\"owner\":\"platform\"}}}"}]}}))
            .unwrap();
        input
            .add_object(json!({"apiVersion": "apps.clusternet.io/v1alpha1", "kind": "Globalization",
                "metadata": {"name": format!("{name}-eu")},
                "spec": {"priority": 200, "feed": feed, "clusterAffinity": {"matchLabels": {"region": "eu"}},
                    "overrides": [{"type": "JSONPatch", "value": "[{\"op\":\"add\",\"path\":\"/metadata/labels/region\",\"value\":\"eu\"}]"}]}}))
            .unwrap();
        for c in (0..CLUSTERS).filter(|_| !globalizations_only) {
            input
                .add_object(json!({"apiVersion": "apps.clusternet.io/v1alpha1", "kind": "Localization",
                    "metadata": {"name": name, "namespace": format!("clusternet-{c:04}")},
                    "spec": {"priority": 500, "feed": feed,
                        "overrides": [{"type": "MergePatch", "value": format!("{{\"metadata\":{{\"labels\":{{\"cluster\":\"cluster-{c:04}\"}}}}}}")}]}}))
                .unwrap();
        }
    }
    input
        .add_object(
            json!({"apiVersion": "apps.clusternet.io/v1alpha1", "kind": "Subscription",
            "metadata": {"name": "fleet", "namespace": "apps"},
            "spec": {"subscribers": [{"clusterAffinity": {}}], "feeds": feeds}}),
        )
        .unwrap();
    input
}

/// CPU time of the benchmarking thread (Linux `schedstat`), so that the result means
/// "time on one core" even on a machine shared with other jobs.
struct ThreadCpu;

struct CpuFormatter;

fn thread_cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|n| n.parse().ok()))
        .unwrap_or(0)
}

impl ValueFormatter for CpuFormatter {
    fn scale_values(&self, typical: f64, values: &mut [f64]) -> &'static str {
        let (factor, unit) = if typical < 1e6 {
            (1e-3, "µs cpu")
        } else if typical < 1e9 {
            (1e-6, "ms cpu")
        } else {
            (1e-9, "s cpu")
        };
        values.iter_mut().for_each(|v| *v *= factor);
        unit
    }
    fn scale_throughputs(
        &self,
        _typical: f64,
        _throughput: &Throughput,
        _values: &mut [f64],
    ) -> &'static str {
        "n/a"
    }
    fn scale_for_machines(&self, _values: &mut [f64]) -> &'static str {
        "ns"
    }
}

impl Measurement for ThreadCpu {
    type Intermediate = u64;
    type Value = u64;
    fn start(&self) -> u64 {
        thread_cpu_ns()
    }
    fn end(&self, start: u64) -> u64 {
        thread_cpu_ns().saturating_sub(start)
    }
    fn add(&self, a: &u64, b: &u64) -> u64 {
        a + b
    }
    fn zero(&self) -> u64 {
        0
    }
    fn to_f64(&self, value: &u64) -> f64 {
        *value as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        &CpuFormatter
    }
}

fn check(input: &RenderInput) {
    let output = render(input).unwrap();
    let clusters = &output.subscriptions[0].clusters;
    let objects: usize = clusters.iter().map(|c| c.objects.len()).sum();
    assert_eq!(objects, CLUSTERS * FEEDS);
    let applied: usize = clusters
        .iter()
        .flat_map(|c| &c.objects)
        .map(|o| o.overrides.len())
        .sum();
    eprintln!("rendered {objects} objects, {applied} override applications");
}

fn bench_wall(c: &mut Criterion) {
    let input = world();
    check(&input);
    let mut group = c.benchmark_group("render_wall");
    group.sample_size(10);
    group.bench_function("1000_clusters_x_50_feeds_x_3_overrides", |b| {
        b.iter_with_large_drop(|| render(black_box(&input)).unwrap())
    });
    // Realistic fleets often have no per-cluster Localization for most feeds: every
    // cluster with the same Globalizations renders the same object, which is memoised.
    let shared = build_world(true);
    group.bench_function("1000_clusters_x_50_feeds_x_2_globalizations", |b| {
        b.iter_with_large_drop(|| render(black_box(&shared)).unwrap())
    });
    group.finish();
}

fn bench_cpu(c: &mut Criterion<ThreadCpu>) {
    let input = world();
    let mut group = c.benchmark_group("render_cpu");
    group.sample_size(10);
    group.bench_function("1000_clusters_x_50_feeds_x_3_overrides", |b| {
        b.iter_with_large_drop(|| render(black_box(&input)).unwrap())
    });
    group.finish();
}

criterion_group!(wall, bench_wall);
criterion_group! {
    name = cpu;
    config = Criterion::default().with_measurement(ThreadCpu);
    targets = bench_cpu
}
criterion_main!(wall, cpu);
