//! The Helm wrapper against the real test bed: installing, reading, upgrading and
//! uninstalling releases with helm 3 and 4, CRDs, failed releases and readable failures.
//! Every test works in its own namespaces and release names.

mod common;

use std::time::Duration;

use acceptance_tests::testbed::{self, Testbed, unique_name};
use clusternet_deploy::ConnectionConfig;
use clusternet_deploy::helm::{HelmError, ReleaseStatus};
use common::charts::{chart, crd_group, release};
use common::connection::{by_kubeconfig, direct};
use common::helm::{helm3, helm4, leftovers};
use common::skip;
use serde_json::{Value, json};

/// The field at `path` (a kubectl jsonpath) of the release's `web-config` ConfigMap.
fn web_config(child: &testbed::Cluster, namespace: &str, path: &str) -> String {
    child
        .kubectl([
            "get",
            "configmap",
            "web-config",
            "-n",
            namespace,
            "-o",
            &format!("jsonpath={path}"),
        ])
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn installs_reads_upgrades_and_uninstalls_a_release() {
    let bed = Testbed::shared();
    let child = bed.child(1);
    let (by_file, by_token) = (by_kubeconfig(child), direct(child));
    let helm = helm3().await;
    let namespace = unique_name("helm-life");
    let name = "web";
    assert_eq!(helm.status(&by_file, &namespace, name).await.unwrap(), None);

    let values = json!({"greeting": "bonjour", "extra": {"n": 3}});
    let first = release(&namespace, name, chart("smoke", "0.1.0"), values.clone());
    let installed = helm.upgrade_install(&by_file, &first).await.unwrap();
    assert_eq!(
        (
            installed.revision,
            &installed.status,
            installed.chart.as_str()
        ),
        (1, &ReleaseStatus::Deployed, "smoke-0.1.0")
    );
    assert_eq!(installed.namespace, namespace);
    // The same release seen through the other connection kind.
    let status = helm.status(&by_token, &namespace, name).await.unwrap();
    assert_eq!(status.as_ref(), Some(&installed));
    assert_eq!(
        helm.values(&by_token, &namespace, name).await.unwrap(),
        values
    );
    let manifest = helm.manifest(&by_file, &namespace, name).await.unwrap();
    let kinds: Vec<&str> = manifest.iter().filter_map(|o| o["kind"].as_str()).collect();
    assert_eq!(kinds, ["Secret", "ConfigMap"]);
    let live = web_config(child, &namespace, "{.data.greeting}");
    assert_eq!(live, "bonjour");

    let second = release(&namespace, name, chart("smoke", "0.2.0"), json!({}));
    let upgraded = helm.upgrade_install(&by_file, &second).await.unwrap();
    assert_eq!(
        (
            upgraded.revision,
            &upgraded.status,
            upgraded.chart_version.as_str()
        ),
        (2, &ReleaseStatus::Deployed, "0.2.0")
    );
    assert_eq!(
        helm.values(&by_file, &namespace, name).await.unwrap(),
        json!({})
    );
    let live = web_config(child, &namespace, "{.data.chart}");
    assert_eq!(live, "0.2.0");
    // 0.2.0 has no Secret any more: helm removed it.
    let gone = child
        .kubectl_output(["get", "secret", "web-secret", "-n", &namespace])
        .unwrap();
    assert!(!gone.status.success());

    assert!(
        helm.uninstall(&by_file, &namespace, name, Duration::from_secs(60))
            .await
            .unwrap()
    );
    assert_eq!(helm.status(&by_file, &namespace, name).await.unwrap(), None);
    assert!(
        !helm
            .uninstall(&by_file, &namespace, name, Duration::from_secs(60))
            .await
            .unwrap()
    );
    let error = helm.values(&by_file, &namespace, name).await.unwrap_err();
    assert!(
        matches!(error, HelmError::ReleaseNotFound { .. }),
        "{error:?}"
    );
    assert!(leftovers(&helm).is_empty(), "{:?}", leftovers(&helm));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn helm_failures_are_readable_and_free_of_credentials() {
    let bed = Testbed::shared();
    let child = bed.child(1);
    let mut wrong = direct(child);
    if let ConnectionConfig::Direct { token, .. } = &mut wrong {
        *token = Some("not-the-token-4711".into());
    }
    let helm = helm3().await;
    let spec = release(
        &unique_name("helm-denied"),
        "web",
        chart("smoke", "0.1.0"),
        Value::Null,
    );
    let error = helm.upgrade_install(&wrong, &spec).await.unwrap_err();
    let shown = error.to_string();
    assert!(matches!(error, HelmError::Failed { .. }), "{error:?}");
    assert!(!shown.contains("not-the-token-4711"), "{shown}");
    assert!(!shown.contains("Error: "), "{shown}");
    assert!(shown.contains("Unauthorized"), "{shown}");
    // The same through helm's own stderr.
    let error = helm
        .status(&wrong, &spec.namespace, "web")
        .await
        .unwrap_err();
    let shown = format!("{error} {error:?}");
    assert!(
        matches!(
            error,
            HelmError::Failed {
                command: "get metadata",
                ..
            }
        ),
        "{error:?}"
    );
    assert!(!shown.contains("not-the-token-4711"), "{shown}");
    assert!(!shown.contains("Error: "), "{shown}");
    assert!(shown.contains("provide credentials"), "{shown}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn helm_4_installs_upgrades_and_uninstalls() {
    let Some(helm) = helm4().await else {
        return skip("helm 4");
    };
    let bed = Testbed::shared();
    let child = bed.child(2);
    let cluster = direct(child);
    let namespace = unique_name("helm4");
    let mut spec = release(
        &namespace,
        "web",
        chart("smoke", "0.1.0"),
        json!({"greeting": "hallo"}),
    );
    spec.options.atomic = true;
    let rendered = helm.template(&spec).await.unwrap();
    let kinds: Vec<&str> = rendered.iter().filter_map(|o| o["kind"].as_str()).collect();
    assert_eq!(kinds, ["Secret", "ConfigMap"]);
    let installed = helm.upgrade_install(&cluster, &spec).await.unwrap();
    assert_eq!(
        (installed.revision, &installed.status),
        (1, &ReleaseStatus::Deployed)
    );
    spec.chart = chart("smoke", "0.2.0");
    spec.options.upgrade_atomic = true;
    spec.options.force = true;
    let upgraded = helm.upgrade_install(&cluster, &spec).await.unwrap();
    assert_eq!(
        (upgraded.revision, upgraded.chart_version.as_str()),
        (2, "0.2.0")
    );
    assert_eq!(
        helm.values(&cluster, &namespace, "web").await.unwrap(),
        json!({"greeting": "hallo"})
    );
    let live = web_config(child, &namespace, "{.data.greeting}");
    assert_eq!(live, "hallo");
    assert!(
        helm.uninstall(&cluster, &namespace, "web", Duration::from_secs(60))
            .await
            .unwrap()
    );
    assert!(
        !helm
            .uninstall(&cluster, &namespace, "web", Duration::from_secs(60))
            .await
            .unwrap()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replace_crds_updates_the_crds_helm_only_creates() {
    let bed = Testbed::shared();
    let child = bed.child(1);
    let cluster = by_kubeconfig(child);
    let helm = helm3().await;
    let namespace = unique_name("helm-crds");
    let crd_name = format!("widgets.{}", crd_group());
    let fields = || {
        let crd = child.get_json(["crd", &crd_name]).unwrap();
        let properties = &crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]
            ["properties"];
        let mut names: Vec<String> = properties.as_object().unwrap().keys().cloned().collect();
        names.sort();
        names
    };
    let mut spec = release(&namespace, "web", chart("crds", "0.1.0"), Value::Null);
    let rendered = helm.template(&spec).await.unwrap();
    assert_eq!(rendered[0]["kind"], "CustomResourceDefinition");
    spec.options.skip_crds = true;
    let without = helm.template(&spec).await.unwrap();
    assert!(
        without
            .iter()
            .all(|o| o["kind"] != "CustomResourceDefinition")
    );
    spec.options.skip_crds = false;

    helm.upgrade_install(&cluster, &spec).await.unwrap();
    assert_eq!(fields(), ["size"]);
    // helm alone leaves an installed CRD as it is.
    spec.chart = chart("crds", "0.2.0");
    helm.upgrade_install(&cluster, &spec).await.unwrap();
    assert_eq!(fields(), ["size"]);
    spec.options.replace_crds = true;
    let upgraded = helm.upgrade_install(&cluster, &spec).await.unwrap();
    assert_eq!(upgraded.revision, 3);
    assert_eq!(fields(), ["color", "size"]);

    assert!(
        helm.uninstall(&cluster, &namespace, "web", Duration::from_secs(60))
            .await
            .unwrap()
    );
    child.kubectl(["delete", "crd", &crd_name]).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_install_is_upgraded_or_with_atomic_installed_anew() {
    let bed = Testbed::shared();
    let child = bed.child(1);
    let cluster = by_kubeconfig(child);
    let helm = helm3().await;
    for atomic in [false, true] {
        let namespace = unique_name("helm-failed");
        let mut stuck = release(&namespace, "web", chart("stuck", "0.1.0"), Value::Null);
        stuck.options.wait = true;
        stuck.options.timeout = Duration::from_secs(2);
        let error = helm.upgrade_install(&cluster, &stuck).await.unwrap_err();
        match &error {
            HelmError::Failed { command, message } => {
                assert_eq!(*command, "install");
                assert!(message.contains("context deadline exceeded"), "{message}");
            }
            other => panic!("expected the install to fail, got {other:?}"),
        }
        let failed = helm
            .status(&cluster, &namespace, "web")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(failed.status, ReleaseStatus::Failed);

        let mut smoke = release(&namespace, "web", chart("smoke", "0.1.0"), Value::Null);
        smoke.options.atomic = atomic;
        let next = helm.upgrade_install(&cluster, &smoke).await.unwrap();
        // Without atomic helm upgrades the failed release; with it (Clusternet's rule) the
        // failed release is uninstalled and installed again.
        let expected_revision = if atomic { 1 } else { 2 };
        assert_eq!(
            (next.revision, &next.status, next.chart.as_str()),
            (expected_revision, &ReleaseStatus::Deployed, "smoke-0.1.0"),
            "atomic: {atomic}"
        );
        // Either way the failed revision's Deployment is gone.
        assert!(!child.exists("deployment", "web-web", &namespace));
        assert!(
            helm.uninstall(&cluster, &namespace, "web", Duration::from_secs(60))
                .await
                .unwrap()
        );
    }
}
