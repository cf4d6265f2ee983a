//! The Helm wrapper on the test bed when helm is killed in the middle of its `--wait`: the
//! release left pending is recovered by the next `upgrade_install`.

mod common;

use std::os::unix::fs::PermissionsExt as _;
use std::time::Duration;

use acceptance_tests::testbed::{Testbed, unique_name};
use clusternet_deploy::ConnectionConfig;
use clusternet_deploy::helm::{Helm, ReleaseSpec, ReleaseStatus};
use common::charts::{chart, release};
use common::connection::by_kubeconfig;
use common::helm::{helm3, leftovers, running_helms};
use serde_json::{Value, json};

/// Runs `upgrade_install` of `spec` until the release shows `pending` and `waiting()` says
/// helm has reached its `--wait`, checking meanwhile that helm's kubeconfig is a 0600 file
/// holding only this cluster, then drops the call (which kills helm) and returns.
async fn interrupt_when_pending(
    helm: &Helm,
    cluster: &ConnectionConfig,
    spec: &ReleaseSpec,
    pending: ReleaseStatus,
    server: &str,
    waiting: impl Fn() -> bool,
) {
    let observer = helm.clone();
    let mut saw_kubeconfig = false;
    let operation = helm.upgrade_install(cluster, spec);
    tokio::pin!(operation);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        tokio::select! {
            result = &mut operation => panic!("the operation was meant to hang, got {result:?}"),
            () = tokio::time::sleep(Duration::from_millis(300)) => {}
        }
        for entry in std::fs::read_dir(observer.work_dir()).unwrap() {
            let path = entry.unwrap().path();
            let named = path.file_name().unwrap().to_string_lossy().into_owned();
            if named.starts_with("kubeconfig-") {
                let Ok(meta) = std::fs::metadata(&path) else {
                    continue;
                };
                assert_eq!(meta.permissions().mode() & 0o777, 0o600, "{path:?}");
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                if !text.is_empty() {
                    let document: Value = serde_json::from_str(&text).unwrap();
                    assert_eq!(document["clusters"].as_array().unwrap().len(), 1);
                    assert_eq!(document["clusters"][0]["cluster"]["server"], server);
                    saw_kubeconfig = true;
                }
            }
        }
        // Observed through helm's own storage (the release Secret), not through our API.
        let status = tokio::select! {
            result = &mut operation => panic!("the operation was meant to hang, got {result:?}"),
            status = observer.status(cluster, &spec.namespace, &spec.name) => status.unwrap(),
        };
        if status.is_some_and(|s| s.status == pending) && waiting() {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "never became {pending}"
        );
    }
    assert!(saw_kubeconfig, "no private kubeconfig seen while helm ran");
    assert!(!running_helms(helm).is_empty(), "helm is not running");
    // Dropping the future kills helm in the middle of its --wait.
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_first_install_is_uninstalled_and_installed_again() {
    let bed = Testbed::shared();
    let child = bed.child(2);
    let cluster = by_kubeconfig(child);
    let helm = helm3().await;
    let namespace = unique_name("helm-pending");
    let mut stuck = release(&namespace, "web", chart("stuck", "0.1.0"), Value::Null);
    stuck.options.wait = true;
    stuck.options.timeout = Duration::from_secs(600);
    interrupt_when_pending(
        &helm,
        &cluster,
        &stuck,
        ReleaseStatus::PendingInstall,
        child.server(),
        || child.exists("deployment", "web-web", &namespace),
    )
    .await;
    let left = helm
        .status(&cluster, &namespace, "web")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(left.status, ReleaseStatus::PendingInstall);
    assert!(
        running_helms(&helm).is_empty(),
        "{:?}",
        running_helms(&helm)
    );
    assert!(leftovers(&helm).is_empty(), "{:?}", leftovers(&helm));
    // Plain helm refuses to touch it now.
    let refused = child
        .helm_command()
        .args(["upgrade", "web", "--namespace", &namespace])
        .arg(helm.fetch(&chart("stuck", "0.1.0")).await.unwrap())
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("another operation"));

    stuck.options.wait = false;
    let recovered = helm.upgrade_install(&cluster, &stuck).await.unwrap();
    assert_eq!(
        (recovered.revision, recovered.status),
        (1, ReleaseStatus::Deployed)
    );
    assert!(
        helm.uninstall(&cluster, &namespace, "web", Duration::from_secs(60))
            .await
            .unwrap()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_upgrade_is_rolled_back_before_the_next_upgrade() {
    let bed = Testbed::shared();
    let child = bed.child(2);
    let cluster = by_kubeconfig(child);
    let helm = helm3().await;
    let namespace = unique_name("helm-rollback");
    let smoke = release(&namespace, "web", chart("smoke", "0.1.0"), Value::Null);
    assert_eq!(
        helm.upgrade_install(&cluster, &smoke)
            .await
            .unwrap()
            .revision,
        1
    );
    let mut stuck = release(&namespace, "web", chart("stuck", "0.1.0"), Value::Null);
    stuck.options.wait = true;
    stuck.options.timeout = Duration::from_secs(600);
    interrupt_when_pending(
        &helm,
        &cluster,
        &stuck,
        ReleaseStatus::PendingUpgrade,
        child.server(),
        // Past helm's object updates (the Deployment created, the ConfigMap deleted), in
        // its --wait.
        || {
            child.exists("deployment", "web-web", &namespace)
                && !child.exists("configmap", "web-config", &namespace)
        },
    )
    .await;

    let next = release(
        &namespace,
        "web",
        chart("smoke", "0.2.0"),
        json!({"greeting": "hej"}),
    );
    let upgraded = helm.upgrade_install(&cluster, &next).await.unwrap();
    // 1 installed, 2 interrupted, 3 the rollback to 1, 4 the upgrade.
    assert_eq!(
        (upgraded.revision, &upgraded.status, upgraded.chart.as_str()),
        (4, &ReleaseStatus::Deployed, "smoke-0.2.0")
    );
    let history = child
        .helm(["history", "web", "--namespace", &namespace, "-o", "json"])
        .unwrap();
    let history: Vec<Value> = serde_json::from_str(&history).unwrap();
    let descriptions: Vec<&str> = history
        .iter()
        .filter_map(|r| r["description"].as_str())
        .collect();
    assert!(
        descriptions[2].contains("Rollback to 1"),
        "{descriptions:?}"
    );
    assert!(
        helm.uninstall(&cluster, &namespace, "web", Duration::from_secs(60))
            .await
            .unwrap()
    );
}
