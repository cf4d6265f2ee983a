//! Reading kubeconfig files: enough to check, before anything connects, that a file exists,
//! parses, and names the context the configuration asks for.

use std::path::Path;

use serde::Deserialize;

/// Why a kubeconfig cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum KubeconfigError {
    /// The file cannot be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not a kubeconfig.
    #[error("{path} is not a valid kubeconfig: {message}")]
    Parse {
        /// The file.
        path: String,
        /// What the parser said.
        message: String,
    },
    /// The requested context is not in the file.
    #[error("{path} has no context {context:?} (it has: {available})")]
    MissingContext {
        /// The file.
        path: String,
        /// The context asked for.
        context: String,
        /// The contexts it has, comma-separated.
        available: String,
    },
    /// No context was given and the file sets no current-context.
    #[error("{path} sets no current-context; name one with `context`")]
    NoCurrentContext {
        /// The file.
        path: String,
    },
}

#[derive(Debug, Deserialize)]
struct KubeconfigFile {
    #[serde(default)]
    contexts: Vec<NamedContext>,
    #[serde(rename = "current-context", default)]
    current_context: String,
}

#[derive(Debug, Deserialize)]
struct NamedContext {
    name: String,
}

/// Checks that `path` is a readable kubeconfig holding `context` (or a current-context when
/// `context` is `None`), and returns the context that will be used.
pub fn check(path: &Path, context: Option<&str>) -> Result<String, KubeconfigError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| KubeconfigError::Read {
        path: shown.clone(),
        source,
    })?;
    let file: KubeconfigFile =
        serde_norway::from_str(&text).map_err(|e| KubeconfigError::Parse {
            path: shown.clone(),
            message: e.to_string(),
        })?;
    let wanted = match context {
        Some(c) => c.to_string(),
        None if file.current_context.is_empty() => {
            return Err(KubeconfigError::NoCurrentContext { path: shown });
        }
        None => file.current_context.clone(),
    };
    if file.contexts.iter().any(|c| c.name == wanted) {
        Ok(wanted)
    } else {
        Err(KubeconfigError::MissingContext {
            path: shown,
            context: wanted,
            available: file
                .contexts
                .iter()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONFIG: &str = "apiVersion: v1\nkind: Config\ncurrent-context: hub\ncontexts:\n- name: hub\n  context: {cluster: hub, user: admin}\n- name: eu-1\n  context: {cluster: eu-1, user: admin}\n";

    #[test]
    fn finds_named_and_current_contexts() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config");
        std::fs::write(&path, CONFIG).unwrap();
        assert_eq!(check(&path, Some("eu-1")).unwrap(), "eu-1");
        assert_eq!(check(&path, None).unwrap(), "hub");
        assert!(matches!(
            check(&path, Some("us-1")),
            Err(KubeconfigError::MissingContext { .. })
        ));
    }

    #[test]
    fn unreadable_and_invalid_files_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            check(&dir.path().join("absent"), None),
            Err(KubeconfigError::Read { .. })
        ));
        let path = dir.path().join("bad");
        std::fs::write(&path, "contexts: [[[").unwrap();
        assert!(matches!(
            check(&path, None),
            Err(KubeconfigError::Parse { .. })
        ));
    }
}
