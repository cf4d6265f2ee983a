//! The project's multi-cluster test bed, seen from Rust.
//!
//! The bed itself is made by the scripts in `acceptance-tests/testbed/`: `install-tools` puts
//! terraform 1.0.3, helm, kubectl, etcd and a kube-apiserver built from source into the cache
//! (`${CLUSTERNET_CACHE:-$HOME/.cache/terraform-provider-clusternet}`), and `bed up` starts one
//! etcd plus a hub and N child kube-apiservers on loopback and describes them in `bed.json`.
//!
//! This module finds the tools ([`tools`]), starts or reuses a bed ([`Testbed::shared`],
//! [`Testbed::up`], [`Testbed::open`]) and runs kubectl, helm and raw API requests against one
//! of its clusters ([`Cluster`]).
//!
//! Sharing: [`Testbed::shared`] starts the bed once per test process. When the environment
//! variable [`STATE_ENV`] (`CLUSTERNET_TESTBED_STATE`) names the state directory of a running
//! bed (as `acceptance-tests/testbed/with-bed` sets it), every test binary uses that bed and
//! none of them stops it. Otherwise the first test that asks starts a bed of its own in a
//! temporary directory, tied to the test process: a watcher started by `bed up --stop-with-pid`
//! brings it down when the process ends, however it ends.
//!
//! Tests isolate themselves: each one makes its own namespaces and names ([`unique_name`],
//! [`Cluster::create_namespace`]) and never stops the shared bed.

use std::collections::{BTreeMap, HashSet};
use std::ffi::OsStr;
use std::fs;
use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde::Deserialize;

/// Environment variable naming the state directory of an already running bed to use.
pub const STATE_ENV: &str = "CLUSTERNET_TESTBED_STATE";

/// Environment variable overriding the cache root.
pub const CACHE_ENV: &str = "CLUSTERNET_CACHE";

/// Number of child clusters in the bed that [`Testbed::shared`] starts.
pub const SHARED_CHILDREN: usize = 2;

/// Errors of the test-bed helpers.
#[derive(Debug, thiserror::Error)]
pub enum TestbedError {
    /// A file or directory could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A program could not be started.
    #[error("cannot run {program}: {source}")]
    Spawn {
        /// The program.
        program: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A program ran and failed.
    #[error("`{command}` failed ({status})\nstdout:\n{stdout}\nstderr:\n{stderr}")]
    Failed {
        /// The command line.
        command: String,
        /// Its exit status.
        status: String,
        /// What it printed on stdout.
        stdout: String,
        /// What it printed on stderr.
        stderr: String,
    },
    /// `bed.json` or `tools.env` is not what the scripts write.
    #[error("{path}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
}

/// Result of the test-bed helpers.
pub type Result<T, E = TestbedError> = std::result::Result<T, E>;

// ------------------------------------------------------------------ paths

/// The root of the repository (the workspace).
pub fn repo_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

/// The project's read-only `shared/` directory: `<repo root>/../shared`.
pub fn shared_dir() -> PathBuf {
    let root = repo_root();
    root.parent().unwrap_or(&root).join("shared")
}

/// The upstream Clusternet CRDs: `<repo root>/../shared/clusternet-crds`.
pub fn clusternet_crds_dir() -> PathBuf {
    shared_dir().join("clusternet-crds")
}

/// The directory of the test-bed scripts: `acceptance-tests/testbed`.
pub fn scripts_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testbed")
}

/// The `bed` script.
pub fn bed_script() -> PathBuf {
    scripts_dir().join("bed")
}

/// The `install-tools` script.
pub fn install_tools_script() -> PathBuf {
    scripts_dir().join("install-tools")
}

/// The local charts made for tests: `acceptance-tests/testbed/charts`.
pub fn charts_dir() -> PathBuf {
    scripts_dir().join("charts")
}

/// The cache root: `$CLUSTERNET_CACHE`, else `$HOME/.cache/terraform-provider-clusternet`.
pub fn cache_dir() -> PathBuf {
    match std::env::var_os(CACHE_ENV) {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => {
            let home =
                std::env::var_os("HOME").map_or_else(|| PathBuf::from("/root"), PathBuf::from);
            home.join(".cache").join("terraform-provider-clusternet")
        }
    }
}

// ------------------------------------------------------------------ tools

/// Paths of the tools that `install-tools` put into the cache (from `$CACHE/tools.env`).
#[derive(Debug, Clone)]
pub struct Tools {
    /// Terraform v1.0.3 (`TERRAFORM_1_0`).
    pub terraform_1_0: PathBuf,
    /// The machine's own Terraform (1.11.x), found on `PATH`, if any.
    pub terraform_system: Option<PathBuf>,
    /// Helm v3.17.2 (`HELM`).
    pub helm: PathBuf,
    /// Helm 4, if installed (`HELM4`).
    pub helm4: Option<PathBuf>,
    /// kubectl 1.32 (`KUBECTL`).
    pub kubectl: PathBuf,
    /// kube-apiserver v1.20.2, if built (`KUBE_APISERVER`).
    pub kube_apiserver: Option<PathBuf>,
    /// kube-controller-manager v1.20.2, if built (`KUBE_CONTROLLER_MANAGER`).
    pub kube_controller_manager: Option<PathBuf>,
    /// etcd, if installed (`ETCD`).
    pub etcd: Option<PathBuf>,
}

impl Tools {
    /// Reads a `tools.env` file (`KEY=path` lines).
    pub fn from_env_file(path: &Path) -> Result<Tools> {
        let text = fs::read_to_string(path).map_err(|source| TestbedError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let vars: BTreeMap<&str, PathBuf> = text
            .lines()
            .filter(|line| !line.trim_start().starts_with('#'))
            .filter_map(|line| line.split_once('='))
            .map(|(key, value)| (key.trim(), PathBuf::from(value.trim())))
            .collect();
        let required = |key: &str| {
            vars.get(key).cloned().ok_or_else(|| TestbedError::Invalid {
                path: path.to_path_buf(),
                message: format!("no {key}: run acceptance-tests/testbed/install-tools"),
            })
        };
        Ok(Tools {
            terraform_1_0: required("TERRAFORM_1_0")?,
            terraform_system: find_on_path("terraform"),
            helm: required("HELM")?,
            helm4: vars.get("HELM4").cloned(),
            kubectl: required("KUBECTL")?,
            kube_apiserver: vars.get("KUBE_APISERVER").cloned(),
            kube_controller_manager: vars.get("KUBE_CONTROLLER_MANAGER").cloned(),
            etcd: vars.get("ETCD").cloned(),
        })
    }

    /// Whether everything `bed up` needs is installed.
    pub fn has_bed_tools(&self) -> bool {
        self.kube_apiserver.is_some()
            && self.kube_controller_manager.is_some()
            && self.etcd.is_some()
    }
}

/// Loads `$CACHE/tools.env`, running `install-tools TARGET` first if the file or one of
/// the tools is missing (`terraform` installs terraform 1.0.3, helm and kubectl in seconds;
/// `all` also builds kube-apiserver, which takes minutes the first time).
pub fn ensure_tools(target: &str) -> Result<Tools> {
    let env_file = cache_dir().join("tools.env");
    let complete = |tools: &Tools| target != "all" || tools.has_bed_tools();
    if let Ok(tools) = Tools::from_env_file(&env_file)
        && complete(&tools)
    {
        return Ok(tools);
    }
    run_checked(Command::new(install_tools_script()).arg(target))?;
    Tools::from_env_file(&env_file)
}

/// The tools for this test process: terraform 1.0.3, helm and kubectl at least (installed on
/// first use if missing). Panics with the reason if they cannot be installed.
pub fn tools() -> &'static Tools {
    static TOOLS: OnceLock<Tools> = OnceLock::new();
    TOOLS
        .get_or_init(|| ensure_tools("terraform").unwrap_or_else(|e| panic!("test-bed tools: {e}")))
}

fn find_on_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

// ------------------------------------------------------------------ bed.json

#[derive(Debug, Deserialize)]
struct BedJson {
    children: usize,
    controller_manager: bool,
    ca_file: PathBuf,
    token_file: PathBuf,
    etcd: EtcdJson,
    watcher_pid: Option<u32>,
    logs: PathBuf,
    clusters: Vec<ClusterJson>,
}

#[derive(Debug, Deserialize)]
struct EtcdJson {
    url: String,
    pid: u32,
}

#[derive(Debug, Deserialize)]
struct ClusterJson {
    name: String,
    role: String,
    server: String,
    kubeconfig: PathBuf,
    apiserver_pid: u32,
    controller_manager_pid: Option<u32>,
}

// ------------------------------------------------------------------ the bed

/// A running bed: one etcd, a hub and N child kube-apiservers.
#[derive(Debug)]
pub struct Testbed {
    state_dir: PathBuf,
    children: usize,
    controller_manager: bool,
    etcd_url: String,
    etcd_pid: u32,
    watcher_pid: Option<u32>,
    logs: PathBuf,
    ca_file: PathBuf,
    token_file: PathBuf,
    token: String,
    clusters: Vec<Cluster>,
}

impl Testbed {
    /// The bed shared by all tests of this process (a hub, [`SHARED_CHILDREN`] children, with
    /// kube-controller-managers): the running bed named by `$CLUSTERNET_TESTBED_STATE` if there
    /// is one, else started once on first use and stopped when the process ends. Installs the
    /// tools first if needed. Panics with the reason (and where the logs are) if it cannot.
    pub fn shared() -> &'static Testbed {
        static BED: OnceLock<Testbed> = OnceLock::new();
        BED.get_or_init(|| Self::start_shared().unwrap_or_else(|e| panic!("test bed: {e}")))
    }

    fn start_shared() -> Result<Testbed> {
        let pid = std::process::id();
        match std::env::var_os(STATE_ENV) {
            Some(dir) if !dir.is_empty() => {
                let dir = PathBuf::from(dir);
                if Self::is_running(&dir) {
                    let bed = Self::open(&dir)?;
                    if bed.children().len() < SHARED_CHILDREN {
                        return Err(TestbedError::Invalid {
                            path: dir.join("bed.json"),
                            message: format!(
                                "the bed has {} children; tests need at least {SHARED_CHILDREN}",
                                bed.children().len()
                            ),
                        });
                    }
                    return Ok(bed);
                }
                Self::up(&dir, SHARED_CHILDREN, true, Some(pid))
            }
            _ => {
                let dir = std::env::temp_dir().join(format!("clusternet-testbed-{pid}"));
                Self::up(&dir, SHARED_CHILDREN, true, Some(pid))
            }
        }
    }

    /// Whether a healthy bed runs in `state_dir` (`bed status`).
    pub fn is_running(state_dir: &Path) -> bool {
        Command::new(bed_script())
            .arg("status")
            .arg("--state")
            .arg(state_dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success())
    }

    /// Runs `bed up` in `state_dir` (reusing a healthy bed of the same shape there) and opens
    /// the result. With `stop_with_pid`, the bed goes down by itself when that process ends.
    /// Installs the tools first if needed (the first time this builds kube-apiserver).
    pub fn up(
        state_dir: &Path,
        children: usize,
        controller_manager: bool,
        stop_with_pid: Option<u32>,
    ) -> Result<Testbed> {
        ensure_tools("all")?;
        let mut command = Command::new(bed_script());
        command
            .arg("up")
            .arg("--children")
            .arg(children.to_string())
            .arg("--state")
            .arg(state_dir);
        if controller_manager {
            command.arg("--controller-manager");
        }
        if let Some(pid) = stop_with_pid {
            command.arg("--stop-with-pid").arg(pid.to_string());
        }
        run_checked(&mut command)?;
        Self::open(state_dir)
    }

    /// Opens the bed described by `state_dir/bed.json` (it must be running).
    pub fn open(state_dir: &Path) -> Result<Testbed> {
        let path = state_dir.join("bed.json");
        let text = fs::read_to_string(&path).map_err(|source| TestbedError::Io {
            path: path.clone(),
            source,
        })?;
        let json: BedJson = serde_json::from_str(&text).map_err(|e| TestbedError::Invalid {
            path: path.clone(),
            message: e.to_string(),
        })?;
        let token = fs::read_to_string(&json.token_file)
            .map_err(|source| TestbedError::Io {
                path: json.token_file.clone(),
                source,
            })?
            .trim()
            .to_string();
        let helm_home = state_dir.join("helm");
        let clusters = json
            .clusters
            .into_iter()
            .map(|c| Cluster {
                is_hub: c.role == "hub",
                name: c.name,
                server: c.server,
                kubeconfig: c.kubeconfig,
                token: token.clone(),
                ca_file: json.ca_file.clone(),
                apiserver_pid: c.apiserver_pid,
                controller_manager_pid: c.controller_manager_pid,
                helm_home: helm_home.clone(),
                state_dir: state_dir.to_path_buf(),
            })
            .collect::<Vec<_>>();
        if clusters.first().is_none_or(|c| !c.is_hub) {
            return Err(TestbedError::Invalid {
                path,
                message: "the first cluster is not the hub".into(),
            });
        }
        Ok(Testbed {
            state_dir: state_dir.to_path_buf(),
            children: json.children,
            controller_manager: json.controller_manager,
            etcd_url: json.etcd.url,
            etcd_pid: json.etcd.pid,
            watcher_pid: json.watcher_pid,
            logs: json.logs,
            ca_file: json.ca_file,
            token_file: json.token_file,
            token,
            clusters,
        })
    }

    /// Runs `bed down` for this bed: stops its processes and removes its state directory.
    /// Never call this on [`Testbed::shared`].
    pub fn down(&self) -> Result<()> {
        run_checked(
            Command::new(bed_script())
                .arg("down")
                .arg("--state")
                .arg(&self.state_dir),
        )
        .map(drop)
    }

    /// The state directory (holding `bed.json`, the kubeconfigs, PKI and logs).
    pub fn state_dir(&self) -> &Path {
        &self.state_dir
    }

    /// The directory of the server logs.
    pub fn logs_dir(&self) -> &Path {
        &self.logs
    }

    /// Whether each cluster has a kube-controller-manager.
    pub fn has_controller_manager(&self) -> bool {
        self.controller_manager
    }

    /// All clusters: the hub first, then `child-1`..`child-N`.
    pub fn clusters(&self) -> &[Cluster] {
        &self.clusters
    }

    /// The hub cluster (named `hub`).
    pub fn hub(&self) -> &Cluster {
        &self.clusters[0]
    }

    /// The child clusters `child-1`..`child-N`.
    pub fn children(&self) -> &[Cluster] {
        &self.clusters[1..=self.children.min(self.clusters.len() - 1)]
    }

    /// Child cluster `child-<n>`, counting from 1. Panics if there is no such child.
    pub fn child(&self, n: usize) -> &Cluster {
        assert!(
            n >= 1 && n <= self.children().len(),
            "the bed has no child-{n}"
        );
        &self.clusters[n]
    }

    /// The cluster with this name (`hub`, `child-1`, ...).
    pub fn cluster(&self, name: &str) -> Option<&Cluster> {
        self.clusters.iter().find(|c| c.name == name)
    }

    /// The admin bearer token (group `system:masters`), valid on every cluster of the bed.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The file holding the admin token.
    pub fn token_file(&self) -> &Path {
        &self.token_file
    }

    /// The bed's machine-readable description, `bed.json`.
    pub fn description_file(&self) -> PathBuf {
        self.state_dir.join("bed.json")
    }

    /// The CA certificate (PEM) that signed every server's serving certificate.
    pub fn ca_file(&self) -> &Path {
        &self.ca_file
    }

    /// The etcd client URL (loopback).
    pub fn etcd_url(&self) -> &str {
        &self.etcd_url
    }

    /// The PIDs of every process of the bed: etcd, the API servers, the controller managers
    /// and the watcher, if any.
    pub fn pids(&self) -> Vec<u32> {
        let mut pids = vec![self.etcd_pid];
        for cluster in &self.clusters {
            pids.push(cluster.apiserver_pid);
            pids.extend(cluster.controller_manager_pid);
        }
        pids.extend(self.watcher_pid);
        pids
    }
}

// ------------------------------------------------------------------ one cluster

/// One cluster of the bed: an API server with its own etcd prefix.
#[derive(Debug, Clone)]
pub struct Cluster {
    name: String,
    is_hub: bool,
    server: String,
    kubeconfig: PathBuf,
    token: String,
    ca_file: PathBuf,
    apiserver_pid: u32,
    controller_manager_pid: Option<u32>,
    helm_home: PathBuf,
    state_dir: PathBuf,
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

    /// `kubectl get <kind> -n <namespace> -o json`: the items.
    ///
    /// # Panics
    /// When kubectl fails (a test helper: the failure is the test's).
    pub fn items(&self, kind: &str, namespace: &str) -> Vec<serde_json::Value> {
        let text = self
            .kubectl(["get", kind, "-n", namespace, "-o", "json"])
            .unwrap_or_else(|e| panic!("kubectl get {kind} -n {namespace}: {e}"));
        let list: serde_json::Value = serde_json::from_str(&text).expect("kubectl prints JSON");
        list["items"].as_array().cloned().unwrap_or_default()
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

// ------------------------------------------------------------------ chart repository

/// A Helm chart repository served over HTTP on 127.0.0.1 (packaged charts plus `index.yaml`
/// made by `helm package` and `helm repo index`), so that repository URL, chart name and
/// version resolution are exercised for real. Stops serving when dropped.
#[derive(Debug)]
pub struct ChartRepo {
    url: String,
    dir: tempfile::TempDir,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    addr: SocketAddr,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl ChartRepo {
    /// Packages each chart directory in `charts` (e.g. [`charts_dir`]`/smoke`) and serves
    /// them on a free loopback port.
    pub fn serve(charts: &[&Path]) -> Result<ChartRepo> {
        Self::serve_with(charts, None)
    }

    /// Like [`ChartRepo::serve`], answering only requests that carry HTTP basic credentials
    /// `authorization` (the header value, `Basic <base64 of user:password>`); 401 otherwise.
    pub fn serve_private(charts: &[&Path], authorization: &str) -> Result<ChartRepo> {
        Self::serve_with(charts, Some(authorization.to_string()))
    }

    fn serve_with(charts: &[&Path], authorization: Option<String>) -> Result<ChartRepo> {
        let dir = tempfile::tempdir().map_err(|source| TestbedError::Io {
            path: std::env::temp_dir(),
            source,
        })?;
        for chart in charts {
            run_checked(
                Command::new(&tools().helm)
                    .arg("package")
                    .arg(chart)
                    .arg("--destination")
                    .arg(dir.path()),
            )?;
        }
        let listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).map_err(|source| {
            TestbedError::Io {
                path: dir.path().to_path_buf(),
                source,
            }
        })?;
        let addr = listener.local_addr().map_err(|source| TestbedError::Io {
            path: dir.path().to_path_buf(),
            source,
        })?;
        let url = format!("http://{addr}");
        run_checked(
            Command::new(&tools().helm)
                .args(["repo", "index"])
                .arg(dir.path())
                .arg("--url")
                .arg(&url),
        )?;
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let root = dir.path().to_path_buf();
        let stopping = stop.clone();
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopping.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(stream) = stream {
                    let _ = serve_file(stream, &root, authorization.as_deref());
                }
            }
        });
        Ok(ChartRepo {
            url,
            dir,
            stop,
            addr,
            thread: Some(thread),
        })
    }

    /// The repository URL (`http://127.0.0.1:<port>`).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The directory served (the packaged charts and `index.yaml`).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for ChartRepo {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so that it sees the flag.
        let _ = std::net::TcpStream::connect(self.addr);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Answers one HTTP/1.x GET with a file below `root` (no directory listing, no `..`).
/// With `authorization`, a request without that `Authorization` header gets 401.
fn serve_file(
    mut stream: std::net::TcpStream,
    root: &Path,
    authorization: Option<&str>,
) -> std::io::Result<()> {
    use std::io::{BufRead, BufReader};
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    // Read the headers: only the authorization matters.
    let mut line = String::new();
    let mut authorized = authorization.is_none();
    while reader.read_line(&mut line)? > 2 {
        if let (Some(expected), Some((name, value))) = (authorization, line.split_once(':'))
            && name.trim().eq_ignore_ascii_case("authorization")
            && value.trim() == expected
        {
            authorized = true;
        }
        line.clear();
    }
    let mut parts = request_line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or("/"));
    let path = target
        .split('?')
        .next()
        .unwrap_or("/")
        .trim_start_matches('/');
    let file = (!path.is_empty() && !path.split('/').any(|p| p == ".." || p.is_empty()))
        .then(|| root.join(path))
        .filter(|file| file.is_file());
    let (status, body) = match (method, file) {
        _ if !authorized => ("401 Unauthorized", b"unauthorized\n".to_vec()),
        ("GET" | "HEAD", Some(file)) => ("200 OK", fs::read(file)?),
        ("GET" | "HEAD", None) => ("404 Not Found", b"not found\n".to_vec()),
        _ => ("405 Method Not Allowed", Vec::new()),
    };
    write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
    if method != "HEAD" {
        stream.write_all(&body)?;
    }
    stream.flush()
}

// ------------------------------------------------------------------ names

/// A fresh DNS-1123 name starting with `prefix`, unique across the test processes of a run
/// (process id, a counter and the clock), at most 63 characters.
pub fn unique_name(prefix: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let prefix: String = prefix
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .take(36)
        .collect();
    format!("{prefix}-{}-{n}-{:x}", std::process::id(), nanos & 0xfffff)
}

// ------------------------------------------------------------------ processes and sockets

/// Whether a process with this PID exists (and is not a zombie).
pub fn process_alive(pid: u32) -> bool {
    match fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state is the first field after the parenthesized command name.
        Ok(stat) => stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .is_some_and(|state| state != "Z" && state != "X"),
        Err(_) => false,
    }
}

/// The addresses on which process `pid` listens: TCP sockets in LISTEN state and bound UDP
/// sockets, IPv4 and IPv6, read from `/proc`.
pub fn listening_addresses(pid: u32) -> Vec<SocketAddr> {
    let inodes = socket_inodes(pid);
    let mut found = Vec::new();
    for (file, v6, listen_state) in [
        ("/proc/net/tcp", false, "0A"),
        ("/proc/net/tcp6", true, "0A"),
        ("/proc/net/udp", false, "07"),
        ("/proc/net/udp6", true, "07"),
    ] {
        for entry in read_socket_table(file, v6) {
            if entry.state == listen_state && inodes.contains(&entry.inode) {
                found.push(entry.local);
            }
        }
    }
    found
}

/// Whether anything on this machine listens on TCP `port` (any address).
pub fn tcp_port_listening(port: u16) -> bool {
    [("/proc/net/tcp", false), ("/proc/net/tcp6", true)]
        .into_iter()
        .flat_map(|(file, v6)| read_socket_table(file, v6))
        .any(|entry| entry.state == "0A" && entry.local.port() == port)
}

fn socket_inodes(pid: u32) -> HashSet<u64> {
    let Ok(entries) = fs::read_dir(format!("/proc/{pid}/fd")) else {
        return HashSet::new();
    };
    entries
        .filter_map(|entry| fs::read_link(entry.ok()?.path()).ok())
        .filter_map(|target| {
            let target = target.to_str()?;
            target
                .strip_prefix("socket:[")?
                .strip_suffix(']')?
                .parse()
                .ok()
        })
        .collect()
}

struct SocketEntry {
    local: SocketAddr,
    state: String,
    inode: u64,
}

fn read_socket_table(file: &str, v6: bool) -> Vec<SocketEntry> {
    let Ok(text) = fs::read_to_string(file) else {
        return Vec::new();
    };
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let (addr, port) = fields.get(1)?.split_once(':')?;
            let port = u16::from_str_radix(port, 16).ok()?;
            let ip = parse_proc_ip(addr, v6)?;
            Some(SocketEntry {
                local: SocketAddr::new(ip, port),
                state: fields.get(3)?.to_string(),
                inode: fields.get(9)?.parse().ok()?,
            })
        })
        .collect()
}

/// `/proc/net` prints addresses as 32-bit words in host (little-endian) order.
fn parse_proc_ip(hex: &str, v6: bool) -> Option<IpAddr> {
    let word = |i: usize| u32::from_str_radix(hex.get(i * 8..i * 8 + 8)?, 16).ok();
    if v6 {
        let mut bytes = [0u8; 16];
        for i in 0..4 {
            bytes[i * 4..i * 4 + 4].copy_from_slice(&word(i)?.to_le_bytes());
        }
        Some(IpAddr::V6(Ipv6Addr::from(bytes)))
    } else {
        Some(IpAddr::V4(Ipv4Addr::from(word(0)?.to_le_bytes())))
    }
}

/// Polls `check` every 200 ms until it returns true or `timeout` passes; returns whether it
/// became true.
pub fn wait_until(timeout: Duration, mut check: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        if check() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

// ------------------------------------------------------------------ running programs

fn describe(command: &Command) -> String {
    let mut text = command.get_program().to_string_lossy().into_owned();
    for arg in command.get_args() {
        text.push(' ');
        text.push_str(&arg.to_string_lossy());
    }
    text
}

fn run_output(command: &mut Command, stdin: Option<&str>) -> Result<Output> {
    let program = describe(command);
    command
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().map_err(|source| TestbedError::Spawn {
        program: program.clone(),
        source,
    })?;
    // Feed stdin from a thread so that a child writing much output before reading all of
    // its input cannot dead-lock with us.
    let feeder = match (stdin, child.stdin.take()) {
        (Some(input), Some(mut pipe)) => {
            let input = input.to_owned();
            Some(std::thread::spawn(move || pipe.write_all(input.as_bytes())))
        }
        _ => None,
    };
    let output = child
        .wait_with_output()
        .map_err(|source| TestbedError::Spawn {
            program: program.clone(),
            source,
        })?;
    if let Some(feeder) = feeder {
        // A child that exits without reading all of its input is judged by its exit status.
        let _ = feeder.join();
    }
    Ok(output)
}

fn checked(command: &Command, output: Output) -> Result<String> {
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    if output.status.success() {
        Ok(stdout)
    } else {
        Err(TestbedError::Failed {
            command: describe(command),
            status: output.status.to_string(),
            stdout,
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        })
    }
}

/// Runs `command` (no stdin) and returns its stdout, or an error with both outputs.
pub fn run_checked(command: &mut Command) -> Result<String> {
    let output = run_output(command, None)?;
    checked(command, output)
}

/// Runs `command` with `stdin` as standard input and returns its stdout, or an error.
pub fn run_with_stdin_checked(command: &mut Command, stdin: &str) -> Result<String> {
    let output = run_output(command, Some(stdin))?;
    checked(command, output)
}

/// The `metadata.name`s of `items`, sorted.
pub fn names_of(items: &[serde_json::Value]) -> Vec<String> {
    let mut names: Vec<String> = items
        .iter()
        .filter_map(|i| i["metadata"]["name"].as_str().map(str::to_string))
        .collect();
    names.sort();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_proc_addresses() {
        assert_eq!(
            parse_proc_ip("0100007F", false),
            Some(IpAddr::V4(Ipv4Addr::LOCALHOST))
        );
        assert_eq!(
            parse_proc_ip("00000000000000000000000001000000", true),
            Some(IpAddr::V6(Ipv6Addr::LOCALHOST))
        );
    }

    #[test]
    fn unique_names_are_dns_labels() {
        let a = unique_name("My_Test");
        let b = unique_name("My_Test");
        assert_ne!(a, b);
        assert!(a.len() <= 63);
        assert!(
            a.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        );
    }
}
