//! The Helm wrapper against real helm binaries (3.17 and 4), a chart repository served on
//! 127.0.0.1 and the real test bed. Every test works in its own namespaces and release names.

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use acceptance_tests::testbed::{self, ChartRepo, Testbed, unique_name};
use clusternet_deploy::ConnectionConfig;
use clusternet_deploy::helm::{
    ChartRef, Helm, HelmError, HelmMajor, ReleaseOptions, ReleaseSpec, ReleaseStatus,
};
use serde_json::{Value, json};

// ------------------------------------------------------------------ fixtures

/// Writes a chart directory `<parent>/<name>-<version>` and returns it.
fn write_chart(parent: &Path, name: &str, version: &str, templates: &[(&str, &str)]) -> PathBuf {
    let dir = parent.join(format!("{name}-{version}"));
    std::fs::create_dir_all(dir.join("templates")).unwrap();
    std::fs::write(
        dir.join("Chart.yaml"),
        format!("apiVersion: v2\nname: {name}\nversion: {version}\nappVersion: \"1.0\"\n"),
    )
    .unwrap();
    std::fs::write(dir.join("values.yaml"), "greeting: hello\n").unwrap();
    for (file, text) in templates {
        std::fs::write(dir.join("templates").join(file), text).unwrap();
    }
    dir
}

const CONFIG_MAP: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-config\ndata:\n  greeting: {{ .Values.greeting | quote }}\n  chart: {{ .Chart.Version | quote }}\n";

/// A Deployment that never becomes ready: the bed has no nodes, so its pods never run.
const NEVER_READY: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}-web\nspec:\n  replicas: 1\n  selector:\n    matchLabels: {app: {{ .Release.Name }}}\n  template:\n    metadata:\n      labels: {app: {{ .Release.Name }}}\n    spec:\n      containers:\n      - name: web\n        image: registry.invalid/never:1\n";

/// One repository for the whole test process: the bed's `smoke` chart (0.1.0), `smoke`
/// 0.2.0, and `stuck` 0.1.0 (a Deployment that never gets ready).
fn repo() -> &'static ChartRepo {
    static REPO: OnceLock<ChartRepo> = OnceLock::new();
    REPO.get_or_init(|| {
        let sources = tempfile::tempdir().unwrap();
        let smoke_2 = write_chart(sources.path(), "smoke", "0.2.0", &[("cm.yaml", CONFIG_MAP)]);
        let stuck = write_chart(
            sources.path(),
            "stuck",
            "0.1.0",
            &[("web.yaml", NEVER_READY)],
        );
        let smoke_1 = testbed::charts_dir().join("smoke");
        ChartRepo::serve(&[&smoke_1, &smoke_2, &stuck]).expect("chart repository")
    })
}

fn chart(name: &str, version: &str) -> ChartRef {
    ChartRef {
        repo: repo().url().to_string(),
        chart: name.to_string(),
        version: version.to_string(),
        plain_http: false,
        credentials: None,
    }
}

fn release(namespace: &str, name: &str, chart: ChartRef, values: Value) -> ReleaseSpec {
    ReleaseSpec {
        name: name.to_string(),
        namespace: namespace.to_string(),
        chart,
        values,
        options: ReleaseOptions {
            timeout: Duration::from_secs(60),
            ..ReleaseOptions::default()
        },
    }
}

async fn helm3() -> Helm {
    Helm::detect(&testbed::tools().helm).await.expect("helm 3")
}

async fn helm4() -> Option<Helm> {
    let binary = testbed::tools().helm4.clone()?;
    Some(Helm::detect(&binary).await.expect("helm 4"))
}

/// The cluster through its kubeconfig file.
fn by_kubeconfig(cluster: &testbed::Cluster) -> ConnectionConfig {
    ConnectionConfig::Kubeconfig {
        path: cluster.kubeconfig().to_path_buf(),
        context: None,
    }
}

/// The cluster through explicit server, token and CA.
fn direct(cluster: &testbed::Cluster) -> ConnectionConfig {
    ConnectionConfig::Direct {
        host: cluster.server().to_string(),
        token: Some(cluster.token().to_string()),
        ca_certificate_pem: Some(std::fs::read_to_string(cluster.ca_file()).unwrap()),
        client_certificate_pem: None,
        client_key_pem: None,
        insecure: false,
        exec: None,
    }
}

/// Files helm's running commands leave in the work directory (none between commands).
fn leftovers(helm: &Helm) -> Vec<String> {
    std::fs::read_dir(helm.work_dir())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

// ------------------------------------------------------------------ binaries and charts

#[tokio::test]
async fn detects_helm_3_and_helm_4() {
    let helm = helm3().await;
    assert_eq!(helm.major(), HelmMajor::V3);
    assert!(helm.version().starts_with("v3."), "{}", helm.version());
    if let Some(helm) = helm4().await {
        assert_eq!(helm.major(), HelmMajor::V4);
        assert!(helm.version().starts_with("v4."), "{}", helm.version());
    }
}

#[tokio::test]
async fn a_missing_binary_and_a_binary_that_is_not_helm_are_told_apart() {
    let missing = Helm::detect(Path::new("/nonexistent/helm"))
        .await
        .unwrap_err();
    assert!(matches!(missing, HelmError::NotFound { .. }), "{missing}");
    let not_helm = Helm::detect(Path::new("/bin/echo")).await.unwrap_err();
    assert!(
        matches!(not_helm, HelmError::BadBinary { .. }),
        "{not_helm}"
    );
}

#[tokio::test]
async fn a_chart_is_pulled_once_and_then_served_from_the_cache() {
    // A repository of its own, stopped after the first fetch: the second fetch can only
    // succeed from the cache.
    let own = ChartRepo::serve(&[&testbed::charts_dir().join("smoke")]).unwrap();
    let cache = tempfile::tempdir().unwrap();
    let helm = helm3().await.with_cache_dir(cache.path().to_path_buf());
    let smoke = ChartRef {
        repo: own.url().to_string(),
        ..chart("smoke", "0.1.0")
    };
    let first = helm.fetch(&smoke).await.unwrap();
    assert!(
        first.starts_with(cache.path()) && first.is_file(),
        "{first:?}"
    );
    drop(own);
    let second = helm.fetch(&smoke).await.unwrap();
    assert_eq!(first, second);
    assert!(leftovers(&helm).is_empty(), "{:?}", leftovers(&helm));
}

#[tokio::test]
async fn an_empty_version_resolves_to_the_newest_and_is_cached_under_it() {
    let helm = helm3().await;
    let latest = helm.fetch(&chart("smoke", "")).await.unwrap();
    assert!(
        latest.ends_with("smoke/0.2.0/smoke-0.2.0.tgz"),
        "{latest:?}"
    );
}

#[tokio::test]
async fn a_version_the_repository_lacks_is_version_not_found() {
    let helm = helm3().await;
    let error = helm.fetch(&chart("smoke", "9.9.9")).await.unwrap_err();
    match error {
        HelmError::VersionNotFound {
            chart,
            version,
            repo: url,
        } => {
            assert_eq!((chart.as_str(), version.as_str()), ("smoke", "9.9.9"));
            assert_eq!(url, repo().url());
        }
        other => panic!("expected VersionNotFound, got {other:?}"),
    }
    let error = helm.fetch(&chart("absent", "1.0.0")).await.unwrap_err();
    assert!(
        matches!(error, HelmError::ChartNotFound { .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn an_unreachable_repository_is_repo_unreachable() {
    let helm = helm3().await;
    let unreachable = ChartRef {
        repo: "http://127.0.0.1:1".into(),
        ..chart("smoke", "0.1.0")
    };
    let error = helm.fetch(&unreachable).await.unwrap_err();
    match &error {
        HelmError::RepoUnreachable { repo, message } => {
            assert_eq!(repo, "http://127.0.0.1:1");
            assert!(message.contains("connection refused"), "{message}");
        }
        other => panic!("expected RepoUnreachable, got {other:?}"),
    }
}

#[tokio::test]
async fn template_renders_the_chart_with_the_values() {
    let helm = helm3().await;
    let spec = release(
        "apps",
        "web",
        chart("smoke", "0.2.0"),
        json!({"greeting": "bonjour"}),
    );
    let objects = helm.template(&spec).await.unwrap();
    assert_eq!(objects.len(), 1, "{objects:?}");
    assert_eq!(objects[0]["kind"], "ConfigMap");
    assert_eq!(objects[0]["metadata"]["name"], "web-config");
    assert_eq!(objects[0]["data"]["greeting"], "bonjour");
    assert_eq!(objects[0]["data"]["chart"], "0.2.0");
    let defaults = helm
        .template(&release(
            "apps",
            "web",
            chart("smoke", "0.2.0"),
            Value::Null,
        ))
        .await
        .unwrap();
    assert_eq!(defaults[0]["data"]["greeting"], "hello");
}

#[tokio::test]
async fn values_that_are_not_an_object_are_rejected_before_helm_runs() {
    let helm = helm3().await;
    let spec = release("apps", "web", chart("smoke", "0.2.0"), json!(["a"]));
    let error = helm.template(&spec).await.unwrap_err();
    assert!(
        matches!(error, HelmError::InvalidValues { .. }),
        "{error:?}"
    );
}

// ------------------------------------------------------------------ releases on the bed

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
    let live = child
        .kubectl([
            "get",
            "configmap",
            "web-config",
            "-n",
            &namespace,
            "-o",
            "jsonpath={.data.greeting}",
        ])
        .unwrap();
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
    let live = child
        .kubectl([
            "get",
            "configmap",
            "web-config",
            "-n",
            &namespace,
            "-o",
            "jsonpath={.data.chart}",
        ])
        .unwrap();
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
    assert!(shown.contains("credentials"), "{shown}");
}

/// Runs `upgrade_install` of `spec` until the release shows `pending`, checking meanwhile
/// that helm's kubeconfig is a 0600 file holding only this cluster, then drops the call
/// (which kills helm) and returns.
async fn interrupt_when_pending(
    helm: &Helm,
    cluster: &ConnectionConfig,
    spec: &ReleaseSpec,
    pending: ReleaseStatus,
    server: &str,
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
        if status.is_some_and(|s| s.status == pending) {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "never became {pending}"
        );
    }
    assert!(saw_kubeconfig, "no private kubeconfig seen while helm ran");
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
    )
    .await;
    let left = helm
        .status(&cluster, &namespace, "web")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(left.status, ReleaseStatus::PendingInstall);
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn helm_4_installs_upgrades_and_uninstalls() {
    let Some(helm) = helm4().await else {
        eprintln!("helm 4 is not installed; skipped");
        return;
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
    let live = child
        .kubectl([
            "get",
            "configmap",
            "web-config",
            "-n",
            &namespace,
            "-o",
            "jsonpath={.data.greeting}",
        ])
        .unwrap();
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
