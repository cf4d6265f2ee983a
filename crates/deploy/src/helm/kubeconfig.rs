//! A private kubeconfig per helm call: a 0600 temporary file holding only the one cluster
//! helm is to talk to, removed when the guard is dropped.
//!
//! Helm gets it with `--kubeconfig`, so it never reads `~/.kube/config` or `$KUBECONFIG`, and
//! never sees the other clusters or users of a shared kubeconfig file.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::error::HelmError;
use crate::connection::ConnectionConfig;

/// A kubeconfig file that exists as long as this value does (mode 0600).
#[derive(Debug)]
pub struct PrivateKubeconfig {
    file: tempfile::NamedTempFile,
    secrets: Vec<String>,
}

impl PrivateKubeconfig {
    /// Writes the kubeconfig for `cluster` into a new temporary file in `dir`.
    pub fn create(cluster: &ConnectionConfig, dir: &Path) -> Result<PrivateKubeconfig, HelmError> {
        let (document, secrets) = match cluster {
            ConnectionConfig::Direct { .. } => direct(cluster)?,
            ConnectionConfig::Kubeconfig { path, context } => extract(path, context.as_deref())?,
        };
        // NamedTempFile creates the file with mode 0600 on Unix.
        let mut file = tempfile::Builder::new()
            .prefix("kubeconfig-")
            .suffix(".yaml")
            .tempfile_in(dir)
            .map_err(HelmError::io("cannot create a private kubeconfig"))?;
        let text = serde_json::to_string(&document).map_err(|e| HelmError::Kubeconfig {
            message: e.to_string(),
        })?;
        file.write_all(text.as_bytes())
            .and_then(|()| file.flush())
            .map_err(HelmError::io("cannot write a private kubeconfig"))?;
        Ok(PrivateKubeconfig { file, secrets })
    }

    /// The file's path, for `--kubeconfig`.
    pub fn path(&self) -> &Path {
        self.file.path()
    }

    /// The credentials it holds (token, keys), to keep them out of error messages.
    pub fn secrets(&self) -> Vec<&str> {
        self.secrets.iter().map(String::as_str).collect()
    }
}

/// One-cluster kubeconfig document from its parts.
fn document(cluster: Value, user: Value, namespace: Option<&Value>) -> Value {
    let mut context = json!({"cluster": "target", "user": "target"});
    if let Some(namespace) = namespace {
        context["namespace"] = namespace.clone();
    }
    json!({
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "target", "cluster": cluster}],
        "users": [{"name": "target", "user": user}],
        "contexts": [{"name": "target", "context": context}],
        "current-context": "target",
    })
}

/// The explicit settings as a kubeconfig (the entries the kube client is built from), with
/// the credentials they carry.
fn direct(config: &ConnectionConfig) -> Result<(Value, Vec<String>), HelmError> {
    let ConnectionConfig::Direct { token, exec, .. } = config else {
        unreachable!("only called for Direct");
    };
    let (cluster, user) = config.direct_entries().map_err(|e| HelmError::Kubeconfig {
        message: e.to_string(),
    })?;
    let mut secrets: Vec<String> = token.iter().cloned().collect();
    if let Some(key) = user["client-key-data"].as_str() {
        secrets.push(key.to_string());
    }
    if let Some(exec) = exec {
        secrets.extend(exec.args.iter().cloned());
        secrets.extend(exec.env.values().cloned());
    }
    Ok((document(cluster, user, None), secrets))
}

/// The context's cluster and user out of a kubeconfig file, with relative file references
/// made absolute (they were relative to the original file's directory).
fn extract(path: &Path, context: Option<&str>) -> Result<(Value, Vec<String>), HelmError> {
    let shown = path.display();
    let fail = |message: String| HelmError::Kubeconfig {
        message: format!("{shown}: {message}"),
    };
    let text = std::fs::read_to_string(path).map_err(|e| fail(e.to_string()))?;
    let file: Value = serde_norway::from_str(&text).map_err(|e| fail(e.to_string()))?;
    let wanted = match context {
        Some(context) => context.to_string(),
        None => match file.get("current-context").and_then(Value::as_str) {
            Some(current) if !current.is_empty() => current.to_string(),
            _ => return Err(fail("no context given and no current-context set".into())),
        },
    };
    let named = |list: &str, name: &str, field: &str| -> Option<Value> {
        file.get(list)?
            .as_array()?
            .iter()
            .find(|entry| entry.get("name").and_then(Value::as_str) == Some(name))?
            .get(field)
            .cloned()
    };
    let context_entry = named("contexts", &wanted, "context")
        .ok_or_else(|| fail(format!("no context {wanted:?}")))?;
    let field = |key: &str| {
        context_entry
            .get(key)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let cluster_name = field("cluster");
    let mut cluster = named("clusters", &cluster_name, "cluster").ok_or_else(|| {
        fail(format!(
            "context {wanted:?} names cluster {cluster_name:?}, which is not in the file"
        ))
    })?;
    let user_name = field("user");
    let mut user = if user_name.is_empty() {
        json!({})
    } else {
        named("users", &user_name, "user").ok_or_else(|| {
            fail(format!(
                "context {wanted:?} names user {user_name:?}, which is not in the file"
            ))
        })?
    };
    let base = path.parent().unwrap_or_else(|| Path::new("."));
    absolutize(&mut cluster, &["certificate-authority"], base);
    absolutize(
        &mut user,
        &["client-certificate", "client-key", "tokenFile"],
        base,
    );
    let mut secrets = Vec::new();
    for key in ["token", "client-key-data", "password"] {
        if let Some(secret) = user.get(key).and_then(Value::as_str) {
            secrets.push(secret.to_string());
        }
    }
    Ok((
        document(cluster, user, context_entry.get("namespace")),
        secrets,
    ))
}

/// Rewrites relative paths under `keys` of `object` against `base`.
fn absolutize(object: &mut Value, keys: &[&str], base: &Path) {
    for key in keys {
        if let Some(Value::String(file)) = object.get_mut(*key) {
            let file_path = PathBuf::from(&*file);
            if file_path.is_relative() && !file.is_empty() {
                *file = base.join(file_path).to_string_lossy().into_owned();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt as _;

    use super::*;

    const SHARED: &str = "apiVersion: v1\nkind: Config\ncurrent-context: a\nclusters:\n- name: ca\n  cluster: {server: 'https://a:6443', certificate-authority: certs/ca.crt}\n- name: cb\n  cluster: {server: 'https://b:6443'}\nusers:\n- name: ua\n  user: {token: token-a}\n- name: ub\n  user: {token: token-b}\ncontexts:\n- name: a\n  context: {cluster: ca, user: ua}\n- name: b\n  context: {cluster: cb, user: ub, namespace: apps}\n";

    #[test]
    fn only_the_chosen_context_is_written_with_mode_0600() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("config");
        std::fs::write(&source, SHARED).unwrap();
        let config = ConnectionConfig::Kubeconfig {
            path: source,
            context: Some("b".into()),
        };
        let private = PrivateKubeconfig::create(&config, dir.path()).unwrap();
        let mode = std::fs::metadata(private.path())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let text = std::fs::read_to_string(private.path()).unwrap();
        assert!(text.contains("https://b:6443") && text.contains("token-b"));
        assert!(!text.contains("https://a:6443") && !text.contains("token-a"));
        assert!(text.contains("\"namespace\":\"apps\""));
        assert_eq!(private.secrets(), vec!["token-b"]);
        let path = private.path().to_path_buf();
        drop(private);
        assert!(!path.exists());
    }

    #[test]
    fn relative_certificate_paths_follow_the_original_file() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("config");
        std::fs::write(&source, SHARED).unwrap();
        let config = ConnectionConfig::Kubeconfig {
            path: source,
            context: None,
        };
        let private = PrivateKubeconfig::create(&config, dir.path()).unwrap();
        let document: Value =
            serde_json::from_str(&std::fs::read_to_string(private.path()).unwrap()).unwrap();
        assert_eq!(
            document["clusters"][0]["cluster"]["certificate-authority"],
            json!(dir.path().join("certs/ca.crt").to_string_lossy())
        );
    }

    #[test]
    fn a_missing_context_is_named_in_the_error() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("config");
        std::fs::write(&source, SHARED).unwrap();
        let config = ConnectionConfig::Kubeconfig {
            path: source,
            context: Some("c".into()),
        };
        let error = PrivateKubeconfig::create(&config, dir.path()).unwrap_err();
        assert!(error.to_string().contains("no context \"c\""), "{error}");
    }
}
