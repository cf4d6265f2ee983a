//! What can go wrong when driving helm, and how helm's stderr becomes a readable message.

use std::path::PathBuf;
use std::time::Duration;

/// A failed helm operation. Messages never contain repository or cluster credentials.
#[derive(Debug, thiserror::Error)]
pub enum HelmError {
    /// The helm binary does not exist (or is not executable).
    #[error("helm binary {binary} not found: {message}")]
    NotFound {
        /// The path that was tried.
        binary: PathBuf,
        /// What the operating system said.
        message: String,
    },
    /// The binary runs but is not a helm 3 or helm 4.
    #[error("{binary} is not a usable helm (3 or 4): {message}")]
    BadBinary {
        /// The path that was tried.
        binary: PathBuf,
        /// What was wrong with it.
        message: String,
    },
    /// The chart reference cannot be used as given (e.g. a repository URL that is not
    /// `http://`, `https://` or `oci://`).
    #[error("invalid chart reference {repo}: {message}")]
    InvalidChart {
        /// The repository URL.
        repo: String,
        /// What is wrong.
        message: String,
    },
    /// The values are not a YAML mapping helm can take.
    #[error("invalid values: {message}")]
    InvalidValues {
        /// What is wrong.
        message: String,
    },
    /// The chart repository or registry could not be reached or read.
    #[error("chart repository {repo} is unreachable: {message}")]
    RepoUnreachable {
        /// The repository URL.
        repo: String,
        /// helm's explanation.
        message: String,
    },
    /// The chart repository or registry refused access: credentials missing or wrong.
    #[error("chart repository {repo} refused access (check its credentials): {message}")]
    Unauthorized {
        /// The repository URL.
        repo: String,
        /// helm's explanation, credentials removed.
        message: String,
    },
    /// The repository has no chart of this name.
    #[error("chart {chart:?} not found in {repo}")]
    ChartNotFound {
        /// The chart name.
        chart: String,
        /// The repository URL.
        repo: String,
    },
    /// The repository has the chart, but not this version.
    #[error("chart {chart:?} has no version {version:?} in {repo}")]
    VersionNotFound {
        /// The chart name.
        chart: String,
        /// The version asked for.
        version: String,
        /// The repository URL.
        repo: String,
    },
    /// The release does not exist (for operations that need one: values, manifest).
    #[error("release {name:?} not found in namespace {namespace:?}")]
    ReleaseNotFound {
        /// The release name.
        name: String,
        /// Its namespace.
        namespace: String,
    },
    /// The private kubeconfig for helm could not be built from the connection settings.
    #[error("cannot build a kubeconfig for helm: {message}")]
    Kubeconfig {
        /// What is wrong.
        message: String,
    },
    /// helm did not finish in time and was killed.
    #[error("helm {command} did not finish within {}s and was stopped", after.as_secs())]
    Timeout {
        /// The helm subcommand, e.g. `upgrade`.
        command: &'static str,
        /// How long it was given.
        after: Duration,
    },
    /// helm exited with an error.
    #[error("helm {command} failed: {message}")]
    Failed {
        /// The helm subcommand, e.g. `upgrade`.
        command: &'static str,
        /// helm's stderr made readable, credentials removed.
        message: String,
    },
    /// helm succeeded but its output could not be understood.
    #[error("cannot read the output of helm {command}: {message}")]
    Output {
        /// The helm subcommand.
        command: &'static str,
        /// What could not be parsed.
        message: String,
    },
    /// A local file or process operation failed (temporary files, the chart cache).
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

impl HelmError {
    /// An [`HelmError::Io`] with `context`.
    pub(crate) fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> HelmError {
        let context = context.into();
        move |source| HelmError::Io { context, source }
    }
}

/// Replaces every occurrence of each secret in `text` with `***`.
pub(crate) fn redact(text: &str, secrets: &[&str]) -> String {
    let mut text = text.to_string();
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        text = text.replace(secret, "***");
    }
    text
}

/// helm's stderr as one readable message: the `Error: ` lines without their prefixes (or,
/// when there is none, the last non-empty lines), warnings and debug noise dropped, secrets
/// replaced by `***`.
pub(crate) fn readable_stderr(stderr: &str, secrets: &[&str]) -> String {
    let lines: Vec<&str> = stderr
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .filter(|line| !line.starts_with("WARNING:") && !line.starts_with("walk.go:"))
        .collect();
    let errors: Vec<String> = lines
        .iter()
        .filter_map(|line| line.strip_prefix("Error:"))
        .map(|line| strip_error_prefixes(line.trim()).to_string())
        .collect();
    let message = if errors.is_empty() {
        let tail = lines.len().saturating_sub(3);
        lines[tail..].join(" ")
    } else {
        errors.join("; ")
    };
    let message = if message.is_empty() {
        "no error message".to_string()
    } else {
        message
    };
    redact(&message, secrets)
}

/// `INSTALLATION FAILED: Error: x` -> `INSTALLATION FAILED: x`: nested `Error: ` prefixes
/// repeat what the variant already says.
fn strip_error_prefixes(line: &str) -> String {
    line.replace("Error: ", "")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_lines_lose_their_prefix_and_secrets() {
        let stderr = "WARNING: something harmless\nError: INSTALLATION FAILED: Error: failed to fetch https://u:hunter2@repo/x.tgz : 401 Unauthorized\n";
        assert_eq!(
            readable_stderr(stderr, &["hunter2"]),
            "INSTALLATION FAILED: failed to fetch https://u:***@repo/x.tgz : 401 Unauthorized"
        );
    }

    #[test]
    fn without_an_error_line_the_last_lines_are_kept() {
        let stderr = "Hang tight\n...Unable to get an update from the \"source\" chart repository (http://127.0.0.1:1):\n\tGet \"http://127.0.0.1:1/index.yaml\": connection refused\n";
        let message = readable_stderr(stderr, &[]);
        assert!(message.contains("connection refused"), "{message}");
        assert!(!message.contains('\t'));
        assert_eq!(readable_stderr("", &[]), "no error message");
    }

    #[test]
    fn a_timeout_says_its_seconds_not_a_debug_duration() {
        let error = HelmError::Timeout {
            command: "upgrade",
            after: std::time::Duration::from_secs(300),
        };
        assert_eq!(
            error.to_string(),
            "helm upgrade did not finish within 300s and was stopped"
        );
    }
}
