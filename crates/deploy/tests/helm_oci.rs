//! The Helm wrapper fetching charts from an OCI registry (Debian's `docker-registry`) on
//! 127.0.0.1, with and without credentials. Skipped outside CI when the registry is not
//! installed.

mod common;

use std::path::PathBuf;
use std::time::Duration;

use acceptance_tests::testbed;
use clusternet_deploy::helm::{ChartRef, HelmError, RepoCredentials};
use common::charts::{release, repo};
use common::helm::{helm3, leftovers};
use common::skip;
use serde_json::json;

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
