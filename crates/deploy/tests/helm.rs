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
    RepoCredentials,
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

/// A CRD of group `group` whose schema has the properties `fields` (all strings).
fn widget_crd(group: &str, fields: &[&str]) -> String {
    let properties: Vec<String> = fields
        .iter()
        .map(|f| format!("\"{f}\": {{\"type\": \"string\"}}"))
        .collect();
    format!(
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.{group}\nspec:\n  group: {group}\n  scope: Namespaced\n  names: {{plural: widgets, singular: widget, kind: Widget, listKind: WidgetList}}\n  versions:\n  - name: v1\n    served: true\n    storage: true\n    schema:\n      openAPIV3Schema:\n        type: object\n        properties:\n          spec:\n            type: object\n            properties: {{{}}}\n",
        properties.join(", ")
    )
}

/// The API group of the `crds` chart's CRD, unique to this test process (CRDs are
/// cluster-wide and the bed outlives the process).
fn crd_group() -> &'static str {
    static GROUP: OnceLock<String> = OnceLock::new();
    GROUP.get_or_init(|| format!("{}.helm.example.com", unique_name("g")))
}

/// One repository for the whole test process: the bed's `smoke` chart (0.1.0), `smoke`
/// 0.2.0, `stuck` 0.1.0 (a Deployment that never gets ready), and `crds` 0.1.0 / 0.2.0 (a
/// CRD in `crds/` that gains a field in 0.2.0).
fn repo() -> &'static ChartRepo {
    static REPO: OnceLock<ChartRepo> = OnceLock::new();
    REPO.get_or_init(|| {
        let sources = tempfile::tempdir().unwrap();
        let root = sources.path();
        let mut charts = vec![
            testbed::charts_dir().join("smoke"),
            write_chart(root, "smoke", "0.2.0", &[("cm.yaml", CONFIG_MAP)]),
            write_chart(root, "stuck", "0.1.0", &[("web.yaml", NEVER_READY)]),
        ];
        for (version, fields) in [("0.1.0", &["size"][..]), ("0.2.0", &["size", "color"][..])] {
            let chart = write_chart(root, "crds", version, &[("cm.yaml", CONFIG_MAP)]);
            std::fs::create_dir(chart.join("crds")).unwrap();
            std::fs::write(
                chart.join("crds/widget.yaml"),
                widget_crd(crd_group(), fields),
            )
            .unwrap();
            charts.push(chart);
        }
        let charts: Vec<&Path> = charts.iter().map(PathBuf::as_path).collect();
        ChartRepo::serve(&charts).expect("chart repository")
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

/// Live processes whose command line mentions this `Helm`'s work directory (every helm it
/// runs does, through `--kubeconfig` or `--repository-config`). Zombies have an empty
/// command line and do not count.
fn running_helms(helm: &Helm) -> Vec<String> {
    let marker = helm.work_dir().to_string_lossy().into_owned();
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let cmdline = std::fs::read(entry.path().join("cmdline")).ok()?;
            let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
            cmdline.contains(&marker).then_some(cmdline)
        })
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_fetches_of_one_chart_share_one_cached_file() {
    let helm = helm3().await;
    let smoke = chart("smoke", "0.2.0");
    let fetches = (0..6).map(|_| helm.fetch(&smoke));
    let paths = futures::future::join_all(fetches).await;
    let first = paths[0].as_ref().unwrap();
    for path in &paths {
        assert_eq!(path.as_ref().unwrap(), first);
    }
    let cached: Vec<_> = std::fs::read_dir(first.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(cached.len(), 1, "{cached:?}");
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

/// Whether the object exists on the cluster.
fn exists(cluster: &testbed::Cluster, kind: &str, name: &str, namespace: &str) -> bool {
    cluster
        .kubectl_output(["get", kind, name, "-n", namespace])
        .unwrap()
        .status
        .success()
}

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
        || exists(child, "deployment", "web-web", &namespace),
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
            exists(child, "deployment", "web-web", &namespace)
                && !exists(child, "configmap", "web-config", &namespace)
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replace_crds_updates_the_crds_helm_only_creates() {
    let bed = Testbed::shared();
    let child = bed.child(1);
    let cluster = by_kubeconfig(child);
    let helm = helm3().await;
    let namespace = unique_name("helm-crds");
    let crd_name = format!("widgets.{}", crd_group());
    let fields = || {
        let crd = child
            .kubectl(["get", "crd", &crd_name, "-o", "json"])
            .unwrap();
        let crd: Value = serde_json::from_str(&crd).unwrap();
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

/// A chart repository on 127.0.0.1 that answers only requests with HTTP basic credentials
/// `user`/`password` (401 otherwise), serving the `smoke` 0.1.0 chart.
struct PrivateRepo {
    url: String,
    _dir: tempfile::TempDir,
}

fn serve_private_repo(user: &str, password: &str) -> PrivateRepo {
    use base64::Engine as _;
    use std::io::{BufRead as _, BufReader, Write as _};
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        repo().dir().join("smoke-0.1.0.tgz"),
        dir.path().join("smoke-0.1.0.tgz"),
    )
    .unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let indexed = testbed::tools().helm.clone();
    let status = std::process::Command::new(indexed)
        .args(["repo", "index"])
        .arg(dir.path())
        .args(["--url", &url])
        .status()
        .unwrap();
    assert!(status.success());
    let expected = format!(
        "authorization: basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
    )
    .to_lowercase();
    let root = dir.path().to_path_buf();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request = String::new();
            let mut authorized = false;
            let mut line = String::new();
            let _ = reader.read_line(&mut request);
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                authorized |= line.trim().to_lowercase() == expected;
                line.clear();
            }
            let file = request
                .split_whitespace()
                .nth(1)
                .unwrap_or("/")
                .trim_start_matches('/');
            let body = std::fs::read(root.join(file))
                .ok()
                .filter(|_| !file.contains(".."));
            let (status, body) = match (authorized, body) {
                (false, _) => ("401 Unauthorized", b"unauthorized\n".to_vec()),
                (true, Some(body)) => ("200 OK", body),
                (true, None) => ("404 Not Found", b"not found\n".to_vec()),
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(&body);
        }
    });
    PrivateRepo { url, _dir: dir }
}

#[tokio::test]
async fn repository_credentials_are_used_and_never_shown() {
    let private = serve_private_repo("robot", "s3cret-pa55");
    let helm = helm3().await;
    let with = |password: &str| ChartRef {
        repo: private.url.clone(),
        credentials: Some(RepoCredentials {
            username: "robot".into(),
            password: password.into(),
        }),
        ..chart("smoke", "0.1.0")
    };
    let refused = helm.fetch(&with("wrong-pa55")).await.unwrap_err();
    assert!(
        matches!(refused, HelmError::RepoUnreachable { .. }),
        "{refused:?}"
    );
    let shown = format!("{refused} {refused:?}");
    assert!(!shown.contains("wrong-pa55"), "{shown}");
    assert!(shown.contains("401"), "{shown}");
    let anonymous = ChartRef {
        credentials: None,
        ..with("")
    };
    assert!(helm.fetch(&anonymous).await.is_err());
    let fetched = helm.fetch(&with("s3cret-pa55")).await.unwrap();
    assert!(fetched.is_file());
    assert!(leftovers(&helm).is_empty(), "{:?}", leftovers(&helm));
}

#[tokio::test]
async fn a_repository_that_never_answers_is_a_timeout() {
    // Connections are accepted by the kernel and then left without an answer.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let helm = helm3().await.with_command_timeout(Duration::from_secs(3));
    let never = ChartRef {
        repo: format!("http://{}", silent.local_addr().unwrap()),
        ..chart("smoke", "0.1.0")
    };
    let error = helm.fetch(&never).await.unwrap_err();
    assert!(
        matches!(error, HelmError::Timeout { command: "repo update", after } if after == Duration::from_secs(3)),
        "{error:?}"
    );
    assert!(
        running_helms(&helm).is_empty(),
        "{:?}",
        running_helms(&helm)
    );
    assert!(leftovers(&helm).is_empty(), "{:?}", leftovers(&helm));
}

// ------------------------------------------------------------------ benchmark

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
/// `cargo test -p clusternet-deploy --test helm -- --ignored --nocapture helm_apply_benchmark`
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
        assert!(!exists(child, "deployment", "web-web", &namespace));
        assert!(
            helm.uninstall(&cluster, &namespace, "web", Duration::from_secs(60))
                .await
                .unwrap()
        );
    }
}

// ------------------------------------------------------------------ OCI

/// A CNCF distribution registry (Debian's `docker-registry`) on 127.0.0.1, plain HTTP,
/// stopped when dropped.
struct Registry {
    process: std::process::Child,
    host: String,
    dir: tempfile::TempDir,
}

impl Registry {
    /// `helm push` of the smoke chart 0.2.0 to `repo_url` over plain HTTP, with `extra`
    /// arguments (credentials).
    fn push_smoke(&self, repo_url: &str, extra: &[&str]) {
        let pushed = std::process::Command::new(&testbed::tools().helm)
            .env("HELM_CONFIG_HOME", self.dir.path().join("helm"))
            .arg("push")
            .arg(repo().dir().join("smoke-0.2.0.tgz"))
            .arg(repo_url)
            .arg("--plain-http")
            .args(extra)
            .output()
            .unwrap();
        assert!(pushed.status.success(), "{pushed:?}");
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// Outside CI a tool that `install-tools` could not install skips its test; in CI (`CI` set,
/// as `.ci/run` does) the missing tool fails the test, so no CI run passes without checking.
fn skip(tool: &str) {
    assert!(
        std::env::var_os("CI").is_none(),
        "{tool} is not installed; acceptance-tests/testbed/install-tools installs it"
    );
    eprintln!("{tool} is not installed; skipped");
}

/// The user of the registry that needs credentials, with the bcrypt hash of [`OCI_PASSWORD`]
/// (a fixture made once with Python's `crypt.crypt(password, crypt.mksalt(METHOD_BLOWFISH))`).
const OCI_HTPASSWD: &str = "reader:$2b$12$d6T6oeIr9SHTer2BNA.xce/OPQKC8057eC1PjDhgCHPpw3p6rpmVa\n";
const OCI_USER: &str = "reader";
const OCI_PASSWORD: &str = "oci-reader-pw";

/// Starts a registry if `docker-registry` is installed (`apt-get install docker-registry`).
fn start_registry() -> Option<Registry> {
    start_registry_with(None)
}

/// [`start_registry`], asking for basic-auth credentials when `htpasswd` (an htpasswd file's
/// content, bcrypt) is given.
fn start_registry_with(htpasswd: Option<&str>) -> Option<Registry> {
    let binary = ["/usr/bin/docker-registry", "/usr/local/bin/docker-registry"]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())?;
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let host = format!("127.0.0.1:{port}");
    let config = dir.path().join("config.yml");
    let mut text = format!(
        "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {}\nhttp:\n  addr: {host}\n",
        dir.path().join("data").display()
    );
    if let Some(htpasswd) = htpasswd {
        let path = dir.path().join("htpasswd");
        std::fs::write(&path, htpasswd).unwrap();
        text.push_str(&format!(
            "auth:\n  htpasswd:\n    realm: charts\n    path: {}\n",
            path.display()
        ));
    }
    std::fs::write(&config, text).unwrap();
    let process = std::process::Command::new(binary)
        .arg("serve")
        .arg(&config)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let registry = Registry { process, host, dir };
    assert!(
        testbed::wait_until(Duration::from_secs(20), || {
            std::net::TcpStream::connect(&registry.host).is_ok()
        }),
        "the registry did not start"
    );
    Some(registry)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn charts_come_from_an_oci_registry_over_plain_http() {
    let Some(registry) = start_registry() else {
        return skip("docker-registry");
    };
    let repo_url = format!("oci://{}/charts", registry.host);
    registry.push_smoke(&repo_url, &[]);
    let helm = helm3().await;
    let oci = |name: &str, version: &str| ChartRef {
        repo: repo_url.clone(),
        chart: name.into(),
        version: version.into(),
        plain_http: true,
        credentials: None,
    };
    let fetched = helm.fetch(&oci("smoke", "0.2.0")).await.unwrap();
    assert!(
        fetched.ends_with("smoke/0.2.0/smoke-0.2.0.tgz"),
        "{fetched:?}"
    );
    let latest = helm.fetch(&oci("smoke", "")).await.unwrap();
    assert_eq!(latest, fetched);
    let spec = release(
        "apps",
        "web",
        oci("smoke", "0.2.0"),
        json!({"greeting": "oci"}),
    );
    let objects = helm.template(&spec).await.unwrap();
    assert_eq!(objects[0]["data"]["greeting"], "oci");

    let error = helm.fetch(&oci("smoke", "9.9.9")).await.unwrap_err();
    assert!(
        matches!(error, HelmError::VersionNotFound { .. }),
        "{error:?}"
    );
    let error = helm.fetch(&oci("absent", "0.1.0")).await.unwrap_err();
    assert!(
        matches!(error, HelmError::ChartNotFound { .. }),
        "{error:?}"
    );
    drop(registry);
    let error = helm.fetch(&oci("smoke", "0.1.0")).await.unwrap_err();
    assert!(
        matches!(error, HelmError::RepoUnreachable { .. }),
        "{error:?}"
    );
    assert!(leftovers(&helm).is_empty(), "{:?}", leftovers(&helm));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn charts_come_from_an_oci_registry_that_needs_credentials() {
    let Some(registry) = start_registry_with(Some(OCI_HTPASSWD)) else {
        return skip("docker-registry");
    };
    let repo_url = format!("oci://{}/private", registry.host);
    registry.push_smoke(
        &repo_url,
        &["--username", OCI_USER, "--password", OCI_PASSWORD],
    );
    let cache = tempfile::tempdir().unwrap();
    let helm = helm3().await.with_cache_dir(cache.path().to_path_buf());
    let chart = |password: Option<&str>| ChartRef {
        repo: repo_url.clone(),
        chart: "smoke".into(),
        version: "0.2.0".into(),
        plain_http: true,
        credentials: password.map(|password| RepoCredentials {
            username: OCI_USER.into(),
            password: password.into(),
        }),
    };
    for (password, case) in [
        (None, "no credentials"),
        (Some("wrong-pw"), "a wrong password"),
    ] {
        let error = helm.fetch(&chart(password)).await.unwrap_err();
        assert!(
            matches!(error, HelmError::Unauthorized { .. }),
            "{case}: {error:?}"
        );
        let text = error.to_string();
        assert!(text.contains(&registry.host), "{case}: {text}");
        assert!(
            !text.contains("wrong-pw"),
            "{case}: the password is shown: {text}"
        );
    }
    let fetched = helm.fetch(&chart(Some(OCI_PASSWORD))).await.unwrap();
    assert!(
        fetched.ends_with("smoke/0.2.0/smoke-0.2.0.tgz"),
        "{fetched:?}"
    );
    let spec = release(
        "apps",
        "web",
        chart(Some(OCI_PASSWORD)),
        json!({"greeting": "private"}),
    );
    let objects = helm.template(&spec).await.unwrap();
    assert_eq!(objects[0]["data"]["greeting"], "private");
    // The registry configuration that held the credentials is gone with its workspace.
    assert!(leftovers(&helm).is_empty(), "{:?}", leftovers(&helm));
}
