//! Chart references and fetching charts into the local cache.
//!
//! A chart is pulled once per repository, chart and exact version into the cache directory
//! (`<cache>/<repository>/<chart>/<version>/<chart>-<version>.tgz`); later calls return the
//! cached file without contacting the repository. An empty version or a version range
//! (`^1.2`, `1.x`) is resolved by helm on every call and the result cached under the version
//! it resolved to.
//!
//! Missing charts and versions: for a repository with an `index.yaml` the index itself is
//! read; an OCI registry answers "not found" for a missing chart and a missing tag alike, so
//! on that answer `helm show chart` (the tag list) decides which one it was.
//!
//! Repository credentials never appear on a command line: for http(s) repositories they go
//! into a private `repositories.yaml` (mode 0600, `--repository-config`), for OCI registries
//! into a private registry configuration (`--registry-config`), both in a temporary directory
//! that is removed after the pull.

use std::collections::HashMap;
use std::fmt;
use std::io::Write as _;
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use base64::Engine as _;
use serde_json::{Value, json};

use super::Helm;
use super::command::Invocation;
use super::error::{HelmError, readable_stderr, redact};

/// Where a chart comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartRef {
    /// The repository URL: `http://`, `https://` or `oci://`.
    pub repo: String,
    /// The chart name in the repository (for OCI the reference is `<repo>/<chart>`).
    pub chart: String,
    /// The version; empty means the latest.
    pub version: String,
    /// Talk plain HTTP to an OCI registry.
    pub plain_http: bool,
    /// Credentials for the repository, if it needs them.
    pub credentials: Option<RepoCredentials>,
}

/// A user name and password for a chart repository or registry.
#[derive(Clone, PartialEq, Eq)]
pub struct RepoCredentials {
    /// The user name.
    pub username: String,
    /// The password (or token).
    pub password: String,
}

impl fmt::Debug for RepoCredentials {
    /// Shows the user name only.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RepoCredentials")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// One lock per repository and chart name, so that a chart is pulled once even when many
/// tasks ask for it at the same time.
#[derive(Debug, Default)]
pub(crate) struct FetchLocks {
    locks: std::sync::Mutex<HashMap<(String, String), ChartLock>>,
}

/// Held while one chart is being pulled.
type ChartLock = Arc<tokio::sync::Mutex<()>>;

impl FetchLocks {
    /// The lock of `chart`'s repository and name.
    fn for_chart(&self, chart: &ChartRef) -> ChartLock {
        let mut locks = self.locks.lock().unwrap_or_else(|e| e.into_inner());
        locks
            .entry((chart.repo.clone(), chart.chart.clone()))
            .or_default()
            .clone()
    }
}

/// The two kinds of chart sources helm knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RepoKind {
    /// A classic repository with an `index.yaml`.
    Index,
    /// An OCI registry.
    Oci,
}

impl ChartRef {
    /// The kind of repository, after checking that the reference can be used.
    fn kind(&self) -> Result<RepoKind, HelmError> {
        let invalid = |message: &str| HelmError::InvalidChart {
            repo: self.repo.clone(),
            message: message.to_string(),
        };
        let kind = if self.repo.starts_with("oci://") {
            RepoKind::Oci
        } else if self.repo.starts_with("http://") || self.repo.starts_with("https://") {
            RepoKind::Index
        } else {
            return Err(invalid(
                "the repository must be an http://, https:// or oci:// URL",
            ));
        };
        if self.chart.is_empty() || !self.chart.chars().all(is_name_char) {
            return Err(invalid(&format!(
                "chart name {:?} must be non-empty and made of letters, digits, '.', '_' and '-'",
                self.chart
            )));
        }
        if self.version.contains('/') || self.version.contains("..") {
            return Err(invalid(&format!(
                "version {:?} is not a version",
                self.version
            )));
        }
        Ok(kind)
    }

    /// The repository password, to keep it out of messages.
    pub(crate) fn secrets(&self) -> Vec<&str> {
        self.credentials
            .iter()
            .map(|c| c.password.as_str())
            .collect()
    }

    /// Whether `version` names one exact version (so a cached copy can be reused).
    fn is_exact_version(&self) -> bool {
        let version = self.version.trim_start_matches('v');
        !version.is_empty()
            && version
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+'))
            && version.chars().next().is_some_and(|c| c.is_ascii_digit())
            && !version
                .split(['.', '-', '+'])
                .any(|part| matches!(part, "x" | "X"))
    }
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')
}

/// A file-name-safe form of a repository URL.
fn repo_key(repo: &str) -> String {
    repo.trim_end_matches('/')
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Writes `contents` to a new file at `path` with mode 0600.
fn write_private(path: &Path, contents: &str) -> Result<(), HelmError> {
    let context = format!("cannot write {}", path.display());
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(HelmError::io(context.clone()))?;
    file.write_all(contents.as_bytes())
        .map_err(HelmError::io(context))
}

/// Words in helm's output that mean the registry or repository could not be reached.
const UNREACHABLE_HINTS: &[&str] = &[
    "connection refused",
    "no such host",
    "i/o timeout",
    "dial tcp",
    "tls:",
    "x509:",
    "server gave http response to https client",
    "context deadline exceeded",
];

/// What helm and registries say when they refuse the credentials (or their absence).
const REFUSED_HINTS: &[&str] = &[
    "401 unauthorized",
    "403 forbidden",
    "unauthorized",
    "authorization failed",
    "authentication required",
    "credential required",
    "access denied",
];

impl Helm {
    /// The cached `.tgz` of `chart`, pulling it first if it is not cached yet.
    ///
    /// Errors: [`HelmError::RepoUnreachable`] when the repository cannot be read,
    /// [`HelmError::ChartNotFound`] / [`HelmError::VersionNotFound`] when it is readable but
    /// lacks the chart or the version.
    pub async fn fetch(&self, chart: &ChartRef) -> Result<PathBuf, HelmError> {
        let kind = chart.kind()?;
        let exact = chart.is_exact_version();
        if exact && let Some(hit) = self.cached(chart, &chart.version) {
            return Ok(hit);
        }
        // One pull per chart at a time: parallel callers of the same chart wait for the
        // first one and then find it in the cache; other charts are pulled meanwhile.
        let lock = self.fetch_locks.for_chart(chart);
        let _pulling = lock.lock().await;
        if exact && let Some(hit) = self.cached(chart, &chart.version) {
            return Ok(hit);
        }
        let workspace = tempfile::Builder::new()
            .prefix("fetch-")
            .tempdir_in(self.work_dir())
            .map_err(HelmError::io("cannot create a fetch directory"))?;
        let out = workspace.path().join("out");
        std::fs::create_dir(&out).map_err(HelmError::io("cannot create a fetch directory"))?;
        match kind {
            RepoKind::Index => self.pull_from_index(chart, workspace.path(), &out).await?,
            RepoKind::Oci => {
                self.pull_from_registry(chart, workspace.path(), &out)
                    .await?
            }
        }
        let pulled = std::fs::read_dir(&out)
            .map_err(HelmError::io("cannot list the pulled chart"))?
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .find(|path| path.extension().is_some_and(|e| e == "tgz"))
            .ok_or_else(|| HelmError::Output {
                command: "pull",
                message: "helm pull left no .tgz file".into(),
            })?;
        let version = if exact {
            chart.version.clone()
        } else {
            resolved_version(&pulled)
        };
        self.store(chart, &version, &pulled)
    }

    /// The cache entry of `chart` at `version`, if present.
    fn cached(&self, chart: &ChartRef, version: &str) -> Option<PathBuf> {
        let path = self.cache_path(chart, version);
        path.is_file().then_some(path)
    }

    fn cache_path(&self, chart: &ChartRef, version: &str) -> PathBuf {
        self.cache_dir
            .join(repo_key(&chart.repo))
            .join(&chart.chart)
            .join(version)
            .join(format!("{}-{version}.tgz", chart.chart))
    }

    /// Moves a pulled chart into the cache (copy + rename, so readers never see a partial
    /// file even when the cache is on another file system).
    fn store(&self, chart: &ChartRef, version: &str, pulled: &Path) -> Result<PathBuf, HelmError> {
        let target = self.cache_path(chart, version);
        let dir = target.parent().unwrap_or(&self.cache_dir);
        std::fs::create_dir_all(dir).map_err(HelmError::io(format!(
            "cannot create the chart cache {}",
            dir.display()
        )))?;
        let partial = tempfile::Builder::new()
            .prefix(".partial-")
            .tempfile_in(dir)
            .map_err(HelmError::io("cannot write into the chart cache"))?;
        std::fs::copy(pulled, partial.path())
            .map_err(HelmError::io("cannot write into the chart cache"))?;
        partial
            .persist(&target)
            .map_err(|e| HelmError::io("cannot write into the chart cache")(e.error))?;
        Ok(target)
    }

    /// `helm repo update` + `helm pull` from a repository with an `index.yaml`, the repository
    /// (and its credentials) declared in a private repositories file.
    async fn pull_from_index(
        &self,
        chart: &ChartRef,
        workspace: &Path,
        out: &Path,
    ) -> Result<(), HelmError> {
        let config = workspace.join("repositories.yaml");
        let cache = workspace.join("repository-cache");
        let mut entry = json!({"name": "source", "url": chart.repo});
        if let Some(credentials) = &chart.credentials {
            entry["username"] = json!(credentials.username);
            entry["password"] = json!(credentials.password);
        }
        let repositories = json!({"apiVersion": "", "repositories": [entry]});
        write_private(&config, &repositories.to_string())?;
        let repo_args = |invocation: Invocation| {
            invocation
                .arg("--repository-config")
                .arg(&config)
                .arg("--repository-cache")
                .arg(&cache)
        };
        let secrets = chart.secrets();
        let update = self
            .run(repo_args(Invocation::new(
                "repo update",
                &["repo", "update", "source"],
                self.command_timeout,
            )))
            .await?;
        // helm 3 exits 0 when a repository cannot be read; the missing index tells.
        let index_file = cache.join("source-index.yaml");
        if !index_file.is_file() {
            let said = format!("{}\n{}", update.stdout, update.stderr);
            return Err(HelmError::RepoUnreachable {
                repo: chart.repo.clone(),
                message: readable_stderr(&unreachable_reason(&said), &secrets),
            });
        }
        check_index(chart, &index_file)?;
        let mut pull = repo_args(Invocation::new(
            "pull",
            &["pull", &format!("source/{}", chart.chart)],
            self.command_timeout,
        ))
        .arg("--destination")
        .arg(out);
        if !chart.version.is_empty() {
            pull = pull.arg("--version").arg(&chart.version);
        }
        let pulled = self.run(pull).await?;
        if pulled.success {
            return Ok(());
        }
        Err(classify_pull_failure(chart, &pulled.stderr, &secrets))
    }

    /// `helm pull oci://...`, credentials in a private registry configuration.
    async fn pull_from_registry(
        &self,
        chart: &ChartRef,
        workspace: &Path,
        out: &Path,
    ) -> Result<(), HelmError> {
        let registry_config = workspace.join("registry.json");
        let mut auths = serde_json::Map::new();
        if let Some(credentials) = &chart.credentials {
            let host = chart
                .repo
                .trim_start_matches("oci://")
                .split('/')
                .next()
                .unwrap_or_default();
            let auth = base64::engine::general_purpose::STANDARD
                .encode(format!("{}:{}", credentials.username, credentials.password));
            auths.insert(host.to_string(), json!({ "auth": auth }));
        }
        write_private(&registry_config, &json!({ "auths": auths }).to_string())?;
        let reference = format!("{}/{}", chart.repo.trim_end_matches('/'), chart.chart);
        let mut pull = Invocation::new("pull", &["pull", &reference], self.command_timeout)
            .arg("--destination")
            .arg(out)
            .arg("--registry-config")
            .arg(&registry_config)
            .flag_if(chart.plain_http, "--plain-http");
        if !chart.version.is_empty() {
            pull = pull.arg("--version").arg(&chart.version);
        }
        let pulled = self.run(pull).await?;
        if pulled.success {
            return Ok(());
        }
        let error = classify_pull_failure(chart, &pulled.stderr, &chart.secrets());
        if !matches!(error, HelmError::VersionNotFound { .. }) {
            return Err(error);
        }
        // A registry answers "<ref>:<version>: not found" for a missing chart as well as for
        // a missing tag; its tag list tells them apart.
        let probe = Invocation::new(
            "show chart",
            &["show", "chart", &reference],
            self.command_timeout,
        )
        .arg("--registry-config")
        .arg(&registry_config)
        .flag_if(chart.plain_http, "--plain-http");
        let probed = self.run(probe).await?;
        if probed.success {
            return Err(error);
        }
        Err(classify_pull_failure(
            &ChartRef {
                version: String::new(),
                ..chart.clone()
            },
            &probed.stderr,
            &chart.secrets(),
        ))
    }
}

/// The lines of `helm repo update` that explain why a repository could not be read.
fn unreachable_reason(output: &str) -> String {
    let lines: Vec<&str> = output
        .lines()
        .map(str::trim)
        .filter(|line| {
            !line.is_empty()
                && !line.starts_with("Hang tight")
                && !line.starts_with("Update Complete")
                && !line.starts_with("...Unable to get an update")
        })
        .collect();
    lines.join("\n")
}

/// Checks that the downloaded index lists the chart and, for an exact version, the version.
fn check_index(chart: &ChartRef, index_file: &Path) -> Result<(), HelmError> {
    let text = std::fs::read_to_string(index_file).map_err(HelmError::io(format!(
        "cannot read {}",
        index_file.display()
    )))?;
    let index: Value = serde_norway::from_str(&text).map_err(|e| HelmError::RepoUnreachable {
        repo: chart.repo.clone(),
        message: format!("its index.yaml is not valid YAML: {e}"),
    })?;
    let Some(versions) = index
        .get("entries")
        .and_then(|entries| entries.get(&chart.chart))
        .and_then(Value::as_array)
    else {
        return Err(HelmError::ChartNotFound {
            chart: chart.chart.clone(),
            repo: chart.repo.clone(),
        });
    };
    if chart.is_exact_version() {
        let wanted = chart.version.trim_start_matches('v');
        let listed = versions.iter().any(|entry| {
            entry
                .get("version")
                .and_then(Value::as_str)
                .is_some_and(|v| v.trim_start_matches('v') == wanted)
        });
        if !listed {
            return Err(HelmError::VersionNotFound {
                chart: chart.chart.clone(),
                version: chart.version.clone(),
                repo: chart.repo.clone(),
            });
        }
    }
    Ok(())
}

/// Turns a failed `helm pull` into the most telling error.
fn classify_pull_failure(chart: &ChartRef, stderr: &str, secrets: &[&str]) -> HelmError {
    let lower = stderr.to_ascii_lowercase();
    if UNREACHABLE_HINTS.iter().any(|hint| lower.contains(hint)) {
        return HelmError::RepoUnreachable {
            repo: chart.repo.clone(),
            message: readable_stderr(stderr, secrets),
        };
    }
    if REFUSED_HINTS.iter().any(|hint| lower.contains(hint)) {
        return HelmError::Unauthorized {
            repo: chart.repo.clone(),
            message: redact(&readable_stderr(stderr, secrets), secrets),
        };
    }
    let missing = [
        "not found",
        "manifest unknown",
        "name unknown",
        "no chart version found",
    ]
    .iter()
    .any(|hint| lower.contains(hint));
    if missing && !chart.version.is_empty() {
        return HelmError::VersionNotFound {
            chart: chart.chart.clone(),
            version: chart.version.clone(),
            repo: chart.repo.clone(),
        };
    }
    if missing {
        return HelmError::ChartNotFound {
            chart: chart.chart.clone(),
            repo: chart.repo.clone(),
        };
    }
    HelmError::Failed {
        command: "pull",
        message: redact(&readable_stderr(stderr, secrets), secrets),
    }
}

/// The version in a pulled file name `<chart>-<version>.tgz` (charts may contain dashes, so
/// the version starts at the first `-` followed by a digit or `v<digit>`).
fn resolved_version(pulled: &Path) -> String {
    let stem = pulled
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let bytes = stem.as_bytes();
    (0..bytes.len())
        .find(|&i| {
            bytes[i] == b'-'
                && (bytes.get(i + 1).is_some_and(u8::is_ascii_digit)
                    || (bytes.get(i + 1) == Some(&b'v')
                        && bytes.get(i + 2).is_some_and(u8::is_ascii_digit)))
        })
        .map_or(stem.clone(), |i| stem[i + 1..].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(repo: &str, name: &str, version: &str) -> ChartRef {
        ChartRef {
            repo: repo.into(),
            chart: name.into(),
            version: version.into(),
            plain_http: false,
            credentials: None,
        }
    }

    #[test]
    fn exact_versions_and_ranges() {
        let exact = |v: &str| chart("http://r", "c", v).is_exact_version();
        assert!(exact("1.2.3") && exact("v1.2.3") && exact("1.2.3-rc.1+build"));
        assert!(!exact("") && !exact("^1.2") && !exact("1.x") && !exact(">=1.0") && !exact("*"));
    }

    #[test]
    fn repository_urls_and_chart_names_are_checked() {
        assert!(chart("ftp://r", "c", "").kind().is_err());
        assert!(chart("http://r", "../c", "").kind().is_err());
        assert!(chart("http://r", "c", "1.0/../x").kind().is_err());
        assert_eq!(chart("oci://r/x", "c", "").kind().unwrap(), RepoKind::Oci);
        assert_eq!(chart("https://r", "c", "").kind().unwrap(), RepoKind::Index);
    }

    #[test]
    fn the_pulled_file_name_gives_the_version() {
        assert_eq!(
            resolved_version(Path::new("/x/my-chart-1.2.3.tgz")),
            "1.2.3"
        );
        assert_eq!(
            resolved_version(Path::new("/x/c-v2.0.0-rc1.tgz")),
            "v2.0.0-rc1"
        );
    }

    #[test]
    fn credentials_do_not_show_in_debug_output() {
        let credentials = RepoCredentials {
            username: "robot".into(),
            password: "hunter2".into(),
        };
        let shown = format!("{credentials:?}");
        assert!(shown.contains("robot") && !shown.contains("hunter2"));
    }
}
