//! Running one helm process: isolated from the user's helm and kube configuration, with a
//! time limit after which it is killed.

use std::ffi::OsString;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::error::{HelmError, readable_stderr};

/// One helm invocation to run.
#[derive(Debug)]
pub(crate) struct Invocation {
    /// The subcommand, for messages (`upgrade`, `pull`, ...).
    pub command: &'static str,
    /// Every argument, the subcommand words included.
    pub args: Vec<OsString>,
    /// Standard input, if any (closed right after writing).
    pub stdin: Option<Vec<u8>>,
    /// Kill helm after this long.
    pub timeout: Duration,
}

impl Invocation {
    /// `helm <words...>` with `timeout`.
    pub fn new(command: &'static str, words: &[&str], timeout: Duration) -> Invocation {
        Invocation {
            command,
            args: words.iter().map(OsString::from).collect(),
            stdin: None,
            timeout,
        }
    }

    /// Adds arguments.
    pub fn args<I, S>(mut self, args: I) -> Invocation
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Adds one argument.
    pub fn arg(mut self, arg: impl Into<OsString>) -> Invocation {
        self.args.push(arg.into());
        self
    }

    /// Adds `flag` when `on`.
    pub fn flag_if(self, on: bool, flag: &str) -> Invocation {
        if on { self.arg(flag) } else { self }
    }
}

/// What a finished helm process left behind.
#[derive(Debug)]
pub(crate) struct Finished {
    /// Whether it exited with status 0.
    pub success: bool,
    /// Its standard output.
    pub stdout: String,
    /// Its standard error.
    pub stderr: String,
}

impl Finished {
    /// The output if helm succeeded, else [`HelmError::Failed`] with the readable stderr.
    pub fn checked(self, command: &'static str, secrets: &[&str]) -> Result<String, HelmError> {
        if self.success {
            Ok(self.stdout)
        } else {
            Err(self.failure(command, secrets))
        }
    }

    /// [`HelmError::Failed`] built from the stderr.
    pub fn failure(&self, command: &'static str, secrets: &[&str]) -> HelmError {
        HelmError::Failed {
            command,
            message: readable_stderr(&self.stderr, secrets),
        }
    }
}

/// The directories helm uses instead of the user's `~/.config/helm`, `~/.cache/helm`,
/// `~/.local/share/helm` and `~/.kube/cache`.
#[derive(Debug)]
pub(crate) struct HelmHome<'a> {
    /// `HELM_CONFIG_HOME`.
    pub config: &'a Path,
    /// `HELM_CACHE_HOME`.
    pub cache: &'a Path,
    /// `HELM_DATA_HOME`.
    pub data: &'a Path,
    /// `KUBECACHEDIR`.
    pub kube_cache: &'a Path,
}

/// Runs `binary` with the invocation. Every inherited `HELM_*` variable and `KUBECONFIG` are
/// removed so that only what the caller passes counts; helm's homes and client-go's
/// discovery cache point into `home`.
/// The process is killed when the timeout expires or the returned future is dropped.
pub(crate) async fn run(
    binary: &Path,
    home: &HelmHome<'_>,
    invocation: Invocation,
) -> Result<Finished, HelmError> {
    let mut command = tokio::process::Command::new(binary);
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("HELM_") {
            command.env_remove(&name);
        }
    }
    command
        .env_remove("KUBECONFIG")
        .env("HELM_CONFIG_HOME", home.config)
        .env("HELM_CACHE_HOME", home.cache)
        .env("HELM_DATA_HOME", home.data)
        // Releases live in Secrets; the recovery reads their labels.
        .env("HELM_DRIVER", "secret")
        // client-go's discovery cache, else ~/.kube/cache.
        .env("KUBECACHEDIR", home.kube_cache)
        .args(&invocation.args)
        .stdin(if invocation.stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    tracing::debug!(command = invocation.command, args = ?invocation.args, "running helm");
    let mut child = command.spawn().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound | std::io::ErrorKind::PermissionDenied => {
            HelmError::NotFound {
                binary: binary.to_path_buf(),
                message: e.to_string(),
            }
        }
        _ => HelmError::Io {
            context: format!("cannot start {}", binary.display()),
            source: e,
        },
    })?;
    let command_name = invocation.command;
    let (stdout, stderr) = (child.stdout.take(), child.stderr.take());
    let stdin = invocation.stdin;
    let work = async {
        if let (Some(input), Some(mut pipe)) = (stdin, child.stdin.take()) {
            pipe.write_all(&input)
                .await
                .map_err(HelmError::io(format!("writing to helm {command_name}")))?;
            drop(pipe);
        }
        let (status, stdout, stderr) =
            tokio::try_join!(child.wait(), read_all(stdout), read_all(stderr))
                .map_err(HelmError::io(format!("waiting for helm {command_name}")))?;
        Ok::<_, HelmError>(std::process::Output {
            status,
            stdout,
            stderr,
        })
    };
    let output = match tokio::time::timeout(invocation.timeout, work).await {
        Ok(output) => output?,
        Err(_) => {
            // Killed and reaped before the error is returned: no helm outlives its call.
            let _ = child.kill().await;
            return Err(HelmError::Timeout {
                command: command_name,
                after: invocation.timeout,
            });
        }
    };
    Ok(Finished {
        success: output.status.success(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    })
}

/// Everything a child's output pipe gives until it closes.
async fn read_all(pipe: Option<impl tokio::io::AsyncRead + Unpin>) -> std::io::Result<Vec<u8>> {
    let mut buffer = Vec::new();
    if let Some(mut pipe) = pipe {
        pipe.read_to_end(&mut buffer).await?;
    }
    Ok(buffer)
}
