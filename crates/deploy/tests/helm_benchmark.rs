//! A manual benchmark, not a timed test (run with `--ignored --nocapture` on a bed): one
//! chart to both children through the Helm wrapper, in parallel and one after the other,
//! versus plain `helm upgrade --install` calls.

mod common;

use std::time::Duration;

use acceptance_tests::testbed::{Testbed, unique_name};
use common::charts::{chart, release};
use common::connection::by_kubeconfig;
use common::helm::helm3;
use serde_json::json;

/// The median of `samples` in milliseconds.
fn median_ms(samples: &mut [Duration]) -> f64 {
    samples.sort();
    samples[samples.len() / 2].as_secs_f64() * 1000.0
}

/// Issue 6 point 7, for BENCHMARKS.md ("Helm apply"): one chart to both children, through
/// `upgrade_install` in parallel (tokio::join), through `upgrade_install` one cluster after
/// the other, and as a serial loop of plain `helm upgrade --install` calls; same chart file,
/// same bed, interleaved rounds, each round an upgrade with new values. Prints medians, asserts
/// only that every run succeeded.
///
/// `cargo test -p clusternet-deploy --test helm_benchmark -- --ignored --nocapture helm_apply_benchmark`
/// (`HELM_BENCH_ROUNDS`, default 9).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark; run by hand for BENCHMARKS.md"]
async fn helm_apply_benchmark() {
    let rounds: usize = std::env::var("HELM_BENCH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(9);
    let bed = Testbed::shared();
    let children = [bed.child(1), bed.child(2)];
    let configs = [by_kubeconfig(children[0]), by_kubeconfig(children[1])];
    let helm = helm3().await;
    let namespace = unique_name("helm-bench");
    let chart_file = helm.fetch(&chart("smoke", "0.2.0")).await.unwrap();
    let values_dir = tempfile::tempdir().unwrap();
    let (mut parallel, mut serial, mut cli) = (Vec::new(), Vec::new(), Vec::new());
    // Round 0 installs (not timed); the timed rounds are upgrades.
    for round in 0..=rounds {
        let values = json!({"greeting": format!("round-{round}")});
        let spec = |name: &str| release(&namespace, name, chart("smoke", "0.2.0"), values.clone());
        let (parallel_spec, serial_spec) = (spec("par"), spec("ser"));

        let started = std::time::Instant::now();
        let (a, b) = tokio::join!(
            helm.upgrade_install(&configs[0], &parallel_spec),
            helm.upgrade_install(&configs[1], &parallel_spec)
        );
        let parallel_time = started.elapsed();
        a.unwrap();
        b.unwrap();

        let started = std::time::Instant::now();
        for config in &configs {
            helm.upgrade_install(config, &serial_spec).await.unwrap();
        }
        let serial_time = started.elapsed();

        let values_file = values_dir.path().join(format!("values-{round}.json"));
        std::fs::write(&values_file, values.to_string()).unwrap();
        let started = std::time::Instant::now();
        for child in children {
            let output = child
                .helm_command()
                .args(["upgrade", "--install", "cli", "--namespace", &namespace])
                .args(["--create-namespace", "--timeout", "60s", "-f"])
                .arg(&values_file)
                .arg(&chart_file)
                .output()
                .unwrap();
            assert!(output.status.success(), "{output:?}");
        }
        let cli_time = started.elapsed();
        if round > 0 {
            parallel.push(parallel_time);
            serial.push(serial_time);
            cli.push(cli_time);
        }
    }
    let (p, s, c) = (
        median_ms(&mut parallel),
        median_ms(&mut serial),
        median_ms(&mut cli),
    );
    println!("helm apply, 2 children, {rounds} rounds (medians):");
    println!("| upgrade_install x2 in parallel (tokio::join) | {p:.0} ms |");
    println!("| upgrade_install x2 one after the other | {s:.0} ms |");
    println!("| `helm upgrade --install` CLI x2 serial | {c:.0} ms |");
    println!("ratio CLI serial / parallel: {:.2}", c / p);
    println!("ratio wrapper serial / parallel: {:.2}", s / p);
    for (config, child) in configs.iter().zip(children) {
        for name in ["par", "ser"] {
            helm.uninstall(config, &namespace, name, Duration::from_secs(60))
                .await
                .unwrap();
        }
        child
            .helm(["uninstall", "cli", "--namespace", &namespace])
            .unwrap();
    }
}
