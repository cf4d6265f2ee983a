//! Building a `kube::Client` from explicit connection settings only.
//!
//! There is deliberately no fallback to `~/.kube/config`, `$KUBECONFIG` or in-cluster
//! configuration: a cluster reaches exactly the API server its configuration names.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use base64::Engine as _;
use kube::config::{KubeConfigOptions, Kubeconfig};
use serde_json::{Value, json};

/// An exec credential plugin (`users[].user.exec` in a kubeconfig).
#[derive(Clone, PartialEq, Eq)]
pub struct ExecConfig {
    /// The program to run.
    pub command: String,
    /// The `client.authentication.k8s.io` version it speaks, e.g.
    /// `client.authentication.k8s.io/v1beta1`.
    pub api_version: String,
    /// Its arguments.
    pub args: Vec<String>,
    /// Extra environment variables.
    pub env: BTreeMap<String, String>,
}

impl fmt::Debug for ExecConfig {
    /// Arguments and environment may carry secrets: only the command and names are shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExecConfig")
            .field("command", &self.command)
            .field("api_version", &self.api_version)
            .field("args", &format_args!("[{} redacted]", self.args.len()))
            .field("env", &self.env.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// How to reach one cluster.
#[derive(Clone, PartialEq, Eq)]
pub enum ConnectionConfig {
    /// A kubeconfig file and optionally a context in it (else its current-context).
    Kubeconfig {
        /// The file.
        path: PathBuf,
        /// The context; `None` uses the file's current-context.
        context: Option<String>,
    },
    /// Explicit server and credentials.
    Direct {
        /// The API server URL, e.g. `https://127.0.0.1:6443`.
        host: String,
        /// A bearer token.
        token: Option<String>,
        /// PEM CA bundle to verify the server with (else the system roots).
        ca_certificate_pem: Option<String>,
        /// PEM client certificate for mutual TLS.
        client_certificate_pem: Option<String>,
        /// PEM client key for mutual TLS.
        client_key_pem: Option<String>,
        /// Skip server certificate verification.
        insecure: bool,
        /// An exec credential plugin.
        exec: Option<ExecConfig>,
    },
}

impl fmt::Debug for ConnectionConfig {
    /// Never prints credentials.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let set = |o: &Option<String>| if o.is_some() { "<set>" } else { "<unset>" };
        match self {
            ConnectionConfig::Kubeconfig { path, context } => f
                .debug_struct("Kubeconfig")
                .field("path", path)
                .field("context", context)
                .finish(),
            ConnectionConfig::Direct {
                host,
                token,
                ca_certificate_pem,
                client_certificate_pem,
                client_key_pem,
                insecure,
                exec,
            } => f
                .debug_struct("Direct")
                .field("host", host)
                .field("token", &set(token))
                .field("ca_certificate_pem", &set(ca_certificate_pem))
                .field("client_certificate_pem", &set(client_certificate_pem))
                .field("client_key_pem", &set(client_key_pem))
                .field("insecure", insecure)
                .field("exec", exec)
                .finish(),
        }
    }
}

/// Transport time limits, so that an unreachable cluster fails fast instead of hanging.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// TCP + TLS connection establishment.
    pub connect: Duration,
    /// Waiting for a response.
    pub read: Duration,
    /// Sending a request.
    pub write: Duration,
}

impl Default for Timeouts {
    /// 5 s to connect, 60 s to read or write.
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(5),
            read: Duration::from_secs(60),
            write: Duration::from_secs(60),
        }
    }
}

/// Why a client could not be built (nothing has been sent to the cluster yet).
#[derive(Debug, thiserror::Error)]
pub enum ConnectionError {
    /// The kubeconfig could not be read, parsed or resolved (context, certificates, exec).
    #[error("kubeconfig {path}: {message}")]
    Kubeconfig {
        /// The file.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// The direct settings are incomplete or inconsistent.
    #[error("connection to {host}: {message}")]
    Direct {
        /// The server.
        host: String,
        /// What is wrong.
        message: String,
    },
    /// The HTTP client could not be built (e.g. an unparsable certificate).
    #[error("cannot build a client for {server}: {message}")]
    Client {
        /// The server.
        server: String,
        /// What went wrong.
        message: String,
    },
}

impl ConnectionConfig {
    /// Builds the client. Only reads local files (and runs no exec plugin until the first
    /// request); never contacts the cluster.
    pub async fn client(&self, timeouts: Timeouts) -> Result<kube::Client, ConnectionError> {
        let (kubeconfig, context, label) = match self {
            ConnectionConfig::Kubeconfig { path, context } => {
                let shown = path.display().to_string();
                let kubeconfig =
                    Kubeconfig::read_from(path).map_err(|e| ConnectionError::Kubeconfig {
                        path: shown.clone(),
                        message: crate::error::transport_message(&e),
                    })?;
                (kubeconfig, context.clone(), shown)
            }
            ConnectionConfig::Direct { host, .. } => (
                self.direct_kubeconfig()?,
                Some("direct".into()),
                host.clone(),
            ),
        };
        let options = KubeConfigOptions {
            context,
            cluster: None,
            user: None,
        };
        let mut config = kube::Config::from_custom_kubeconfig(kubeconfig, &options)
            .await
            .map_err(|e| ConnectionError::Kubeconfig {
                path: label,
                message: crate::error::transport_message(&e),
            })?;
        config.connect_timeout = Some(timeouts.connect);
        config.read_timeout = Some(timeouts.read);
        config.write_timeout = Some(timeouts.write);
        let server = config.cluster_url.to_string();
        kube::Client::try_from(config).map_err(|e| ConnectionError::Client {
            server,
            message: crate::error::transport_message(&e),
        })
    }

    /// The direct settings as an in-memory kubeconfig, so kube resolves them exactly like a
    /// file (certificates, exec plugins, token refresh).
    fn direct_kubeconfig(&self) -> Result<Kubeconfig, ConnectionError> {
        let (cluster, user) = self.direct_entries()?;
        let server = cluster["server"].as_str().unwrap_or_default().to_string();
        let document = json!({
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": "direct", "cluster": cluster}],
            "users": [{"name": "direct", "user": user}],
            "contexts": [{"name": "direct", "context": {"cluster": "direct", "user": "direct"}}],
            "current-context": "direct",
        });
        serde_json::from_value(document).map_err(|e| ConnectionError::Direct {
            host: server,
            message: e.to_string(),
        })
    }

    /// The direct settings as a kubeconfig's `cluster` and `user` entries (helm's private
    /// kubeconfig files are written from them too).
    pub(crate) fn direct_entries(&self) -> Result<(Value, Value), ConnectionError> {
        let ConnectionConfig::Direct {
            host,
            token,
            ca_certificate_pem,
            client_certificate_pem,
            client_key_pem,
            insecure,
            exec,
        } = self
        else {
            unreachable!("only called for Direct");
        };
        let fail = |message: &str| ConnectionError::Direct {
            host: host.clone(),
            message: message.to_string(),
        };
        if host.is_empty() {
            return Err(fail("the host is empty"));
        }
        if client_certificate_pem.is_some() != client_key_pem.is_some() {
            return Err(fail(
                "a client certificate needs its key and a key needs its certificate",
            ));
        }
        let b64 = |pem: &str| base64::engine::general_purpose::STANDARD.encode(pem);
        let mut cluster = json!({ "server": host });
        if let Some(ca) = ca_certificate_pem {
            cluster["certificate-authority-data"] = json!(b64(ca));
        }
        if *insecure {
            cluster["insecure-skip-tls-verify"] = json!(true);
        }
        let mut user = json!({});
        if let Some(token) = token {
            user["token"] = json!(token);
        }
        if let (Some(cert), Some(key)) = (client_certificate_pem, client_key_pem) {
            user["client-certificate-data"] = json!(b64(cert));
            user["client-key-data"] = json!(b64(key));
        }
        if let Some(exec) = exec {
            user["exec"] = json!({
                "command": exec.command,
                "apiVersion": exec.api_version,
                "args": exec.args,
                "env": exec.env.iter().map(|(k, v)| json!({"name": k, "value": v})).collect::<Vec<Value>>(),
                "interactiveMode": "Never",
            });
        }
        Ok((cluster, user))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_hides_credentials() {
        let config = ConnectionConfig::Direct {
            host: "https://127.0.0.1:6443".into(),
            token: Some("s3cret-token".into()),
            ca_certificate_pem: None,
            client_certificate_pem: Some("CERT".into()),
            client_key_pem: Some("PRIVATE KEY".into()),
            insecure: false,
            exec: Some(ExecConfig {
                command: "aws".into(),
                api_version: "client.authentication.k8s.io/v1beta1".into(),
                args: vec!["--password=hunter2".into()],
                env: BTreeMap::from([("AWS_SECRET".into(), "xyz".into())]),
            }),
        };
        let shown = format!("{config:?}");
        for secret in ["s3cret-token", "PRIVATE KEY", "CERT\"", "hunter2", "xyz"] {
            assert!(!shown.contains(secret), "{secret} leaked in {shown}");
        }
        assert!(shown.contains("https://127.0.0.1:6443"));
    }

    #[tokio::test]
    async fn a_certificate_without_a_key_is_a_configuration_error() {
        let config = ConnectionConfig::Direct {
            host: "https://127.0.0.1:1".into(),
            token: None,
            ca_certificate_pem: None,
            client_certificate_pem: Some("CERT".into()),
            client_key_pem: None,
            insecure: false,
            exec: None,
        };
        assert!(matches!(
            config.client(Timeouts::default()).await,
            Err(ConnectionError::Direct { .. })
        ));
    }
}
