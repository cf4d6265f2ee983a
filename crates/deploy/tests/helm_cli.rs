//! The Helm wrapper's use of the helm CLI without a cluster: telling helm 3 and 4 apart,
//! fetching charts from a chart repository served on 127.0.0.1 (cache, versions, credentials,
//! failures) and rendering them.

mod common;

use std::path::Path;
use std::time::Duration;

use acceptance_tests::testbed::{self, ChartRepo};
use clusternet_deploy::helm::{ChartRef, Helm, HelmError, HelmMajor, RepoCredentials};
use common::charts::{chart, release, repo};
use common::helm::{helm3, helm4, leftovers, running_helms};
use serde_json::{Value, json};

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

#[tokio::test]
async fn repository_credentials_are_used_and_never_shown() {
    // `Basic` + base64 of "robot:s3cret-pa55".
    let private = ChartRepo::serve_private(
        &[&testbed::charts_dir().join("smoke")],
        "Basic cm9ib3Q6czNjcmV0LXBhNTU=",
    )
    .unwrap();
    let helm = helm3().await;
    let with = |password: &str| ChartRef {
        repo: private.url().to_string(),
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
