//! One cluster of the bed: kubectl, helm and raw API requests against its API server.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use super::commands::{run_checked, run_output, run_with_stdin_checked};
use super::error::{Result, TestbedError};
use super::names::unique_name;
use super::paths::{bed_script, clusternet_crds_dir};
use super::tool_cache::tools;
#[cfg(doc)]
use super::{Testbed, Tools};

/// One cluster of the bed: an API server with its own etcd prefix.
#[derive(Debug, Clone)]
pub struct Cluster {
    pub(super) name: String,
    pub(super) is_hub: bool,
    pub(super) server: String,
    pub(super) kubeconfig: PathBuf,
    pub(super) token: String,
    pub(super) ca_file: PathBuf,
    pub(super) apiserver_pid: u32,
    pub(super) controller_manager_pid: Option<u32>,
    pub(super) scheduler_pid: Option<u32>,
    pub(super) nodes: Vec<String>,
    pub(super) helm_home: PathBuf,
    pub(super) state_dir: PathBuf,
}

impl Cluster {
    /// The cluster's name: `hub`, `child-1`, ...
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether this is the hub.
    pub fn is_hub(&self) -> bool {
        self.is_hub
    }

    /// The API server URL (`https://127.0.0.1:<port>`).
    pub fn server(&self) -> &str {
        &self.server
    }

    /// The kubeconfig of this cluster (admin token, CA embedded; context named like the cluster).
    pub fn kubeconfig(&self) -> &Path {
        &self.kubeconfig
    }

    /// The admin bearer token.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The CA certificate file of the server.
    pub fn ca_file(&self) -> &Path {
        &self.ca_file
    }

    /// The PID of this cluster's kube-apiserver when the bed was opened (a
    /// [`Cluster::start`] after [`Cluster::stop`] runs a new process; `bed.json` has its PID).
    pub fn apiserver_pid(&self) -> u32 {
        self.apiserver_pid
    }

    /// The PID of this cluster's kube-controller-manager, if it has one.
    pub fn controller_manager_pid(&self) -> Option<u32> {
        self.controller_manager_pid
    }

    /// The PID of this cluster's kube-scheduler, if it has one (children of a bed with
    /// controller managers).
    pub fn scheduler_pid(&self) -> Option<u32> {
        self.scheduler_pid
    }

    /// The names of this cluster's Nodes (`bed-<cluster>-node-<n>`, registered by the node
    /// agent); empty on the hub and in a bed without controller managers.
    pub fn nodes(&self) -> &[String] {
        &self.nodes
    }

    /// An outage: kills this cluster's API server (`bed stop-cluster`). Its port refuses
    /// connections until [`Cluster::start`]; its objects stay in etcd. Never use it on
    /// [`Testbed::shared`], whose other users would see the outage too.
    pub fn stop(&self) -> Result<()> {
        self.bed_cluster_command("stop-cluster")
    }

    /// Ends an outage (`bed start-cluster`): the API server runs again with the same command
    /// line (port, certificates, token, etcd prefix, so every object is still there), and
    /// this returns once it answers `/readyz`. Does nothing if the cluster is not stopped.
    pub fn start(&self) -> Result<()> {
        self.bed_cluster_command("start-cluster")
    }

    /// Whether this cluster's API server is stopped by [`Cluster::stop`].
    pub fn is_stopped(&self) -> bool {
        self.state_dir.join("stopped").join(&self.name).exists()
    }

    fn bed_cluster_command(&self, command: &str) -> Result<()> {
        run_checked(
            Command::new(bed_script())
                .arg(command)
                .arg(&self.name)
                .arg("--state")
                .arg(&self.state_dir),
        )
        .map(drop)
    }

    /// A `kubectl --kubeconfig <this cluster>` command to add arguments to.
    pub fn kubectl_command(&self) -> Command {
        let mut command = Command::new(&tools().kubectl);
        command
            .arg("--kubeconfig")
            .arg(&self.kubeconfig)
            .arg("--cache-dir")
            .arg(self.helm_home.with_file_name("kube-cache"));
        command
    }

    /// Runs kubectl with `args`; its stdout if it succeeded, else an error with both outputs.
    pub fn kubectl<I, S>(&self, args: I) -> Result<String>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        run_checked(self.kubectl_command().args(args))
    }

    /// Runs kubectl with `args` and `stdin` as standard input; its stdout if it succeeded.
    pub fn kubectl_stdin<I, S>(&self, args: I, stdin: &str) -> Result<String>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        run_with_stdin_checked(self.kubectl_command().args(args), stdin)
    }

    /// Runs kubectl with `args` and returns its raw output, whether it succeeded or not.
    pub fn kubectl_output<I, S>(&self, args: I) -> Result<Output>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        run_output(self.kubectl_command().args(args), None)
    }

    /// Whether `kubectl get <kind> <name> -n <namespace>` finds the object.
    ///
    /// # Panics
    /// When kubectl cannot be run.
    pub fn exists(&self, kind: &str, name: &str, namespace: &str) -> bool {
        self.kubectl_output(["get", kind, name, "-n", namespace])
            .unwrap_or_else(|e| panic!("kubectl get {kind} {name} -n {namespace}: {e}"))
            .status
            .success()
    }

    /// `kubectl get <kind> -n <namespace> -o json`: the items.
    ///
    /// # Panics
    /// When kubectl fails (a test helper: the failure is the test's).
    pub fn items(&self, kind: &str, namespace: &str) -> Vec<serde_json::Value> {
        let list = self
            .get_json([kind, "-n", namespace])
            .unwrap_or_else(|e| panic!("kubectl get {kind} -n {namespace}: {e}"));
        list["items"].as_array().cloned().unwrap_or_default()
    }

    /// `kubectl get <args> -o json`: the object or list as JSON, or the error of kubectl (an
    /// absent object, say).
    ///
    /// # Panics
    /// When kubectl succeeds but does not print JSON.
    pub fn get_json<I, S>(&self, args: I) -> Result<serde_json::Value>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let text = run_checked(
            self.kubectl_command()
                .arg("get")
                .args(args)
                .args(["-o", "json"]),
        )?;
        Ok(serde_json::from_str(&text).expect("kubectl prints JSON"))
    }

    /// `kubectl apply -f -` of `yaml` (client-side apply).
    pub fn apply_yaml(&self, yaml: &str) -> Result<String> {
        self.kubectl_stdin(["apply", "-f", "-"], yaml)
    }

    /// Creates a namespace with a fresh name starting with `prefix` and returns the name.
    pub fn create_namespace(&self, prefix: &str) -> Result<String> {
        let name = unique_name(prefix);
        self.kubectl(["create", "namespace", &name])?;
        Ok(name)
    }

    /// A `helm` (v3) command against this cluster: `--kubeconfig` set, and helm's cache,
    /// config and data directories inside the bed's state directory.
    pub fn helm_command(&self) -> Command {
        self.helm_command_with(&tools().helm)
    }

    /// Like [`Cluster::helm_command`] with another helm binary (e.g. [`Tools::helm4`]).
    pub fn helm_command_with(&self, helm: &Path) -> Command {
        let mut command = Command::new(helm);
        command
            .env("HELM_CACHE_HOME", self.helm_home.join("cache"))
            .env("HELM_CONFIG_HOME", self.helm_home.join("config"))
            .env("HELM_DATA_HOME", self.helm_home.join("data"))
            .arg("--kubeconfig")
            .arg(&self.kubeconfig);
        command
    }

    /// Runs helm 3 with `args`; its stdout if it succeeded.
    pub fn helm<I, S>(&self, args: I) -> Result<String>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        run_checked(self.helm_command().args(args))
    }

    /// Sends one raw request to the API server (with curl, admin token, the bed's CA) and
    /// returns the HTTP status code and the response body. `path` starts with `/`, e.g.
    /// `/api/v1/namespaces/x/configmaps/y?fieldManager=m`.
    pub fn request(
        &self,
        method: &str,
        path: &str,
        content_type: Option<&str>,
        body: Option<&str>,
    ) -> Result<(u16, String)> {
        let mut command = Command::new("curl");
        command
            .args(["-sS", "--max-time", "30", "-X", method, "--cacert"])
            .arg(&self.ca_file)
            .arg("-H")
            .arg(format!("Authorization: Bearer {}", self.token))
            .args(["-w", "\n%{http_code}"]);
        if let Some(content_type) = content_type {
            command
                .arg("-H")
                .arg(format!("Content-Type: {content_type}"));
        }
        if body.is_some() {
            command.args(["--data-binary", "@-"]);
        }
        command.arg(format!("{}{}", self.server, path));
        let output = match body {
            Some(body) => run_with_stdin_checked(&mut command, body)?,
            None => run_checked(&mut command)?,
        };
        let (body, code) = output.rsplit_once('\n').unwrap_or(("", &output));
        let code = code
            .trim()
            .parse::<u16>()
            .map_err(|_| TestbedError::Invalid {
                path: PathBuf::from(path),
                message: format!("no HTTP status in curl output: {output}"),
            })?;
        Ok((code, body.to_string()))
    }

    /// Installs the upstream Clusternet CRDs from `../shared/clusternet-crds` and waits until
    /// they are established. Idempotent. Client-side apply with validation off: the
    /// ManagedCluster CRD carries CEL rules (`x-kubernetes-validations`) that v1.20 does not
    /// know, which client-side validation and the server's typed server-side apply both
    /// reject, while a plain write prunes them. Retried, since several tests may install the
    /// CRDs at the same time.
    pub fn install_clusternet_crds(&self) -> Result<()> {
        let dir = clusternet_crds_dir();
        let apply = || {
            self.kubectl([
                OsStr::new("apply"),
                OsStr::new("--validate=false"),
                OsStr::new("-f"),
                dir.as_os_str(),
            ])
        };
        let mut result = apply();
        for _ in 0..4 {
            if result.is_ok() {
                break;
            }
            std::thread::sleep(Duration::from_millis(500));
            result = apply();
        }
        result?;
        self.kubectl([
            OsStr::new("wait"),
            OsStr::new("--for=condition=Established"),
            OsStr::new("--timeout=60s"),
            OsStr::new("-f"),
            dir.as_os_str(),
        ])?;
        Ok(())
    }
}
