//! The bed: one etcd, a hub and N child kube-apiservers, started or reused.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use super::bed_json::BedJson;
use super::cluster::Cluster;
use super::commands::run_checked;
use super::error::{Result, TestbedError};
use super::paths::{bed_script, node_agent_binary};
use super::tool_cache::ensure_tools;
use super::{SHARED_CHILDREN, STATE_ENV};

/// A running bed: one etcd, a hub and N child kube-apiservers.
#[derive(Debug)]
pub struct Testbed {
    state_dir: PathBuf,
    children: usize,
    controller_manager: bool,
    etcd_url: String,
    etcd_pid: u32,
    watcher_pid: Option<u32>,
    node_agent: Option<(u32, Duration)>,
    logs: PathBuf,
    ca_file: PathBuf,
    token_file: PathBuf,
    token: String,
    clusters: Vec<Cluster>,
}

impl Testbed {
    /// The bed shared by all tests of this process (a hub, [`SHARED_CHILDREN`] children, with
    /// kube-controller-managers, and on the children kube-schedulers, Nodes and the node
    /// agent, so that pods run and become ready): the running bed named by `$CLUSTERNET_TESTBED_STATE` if there
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
    /// Installs the tools first if needed (the first time this builds kube-apiserver). With
    /// `controller_manager`, the children also get a scheduler, Nodes and the node agent: the
    /// agent binary built with this test binary if there is one, else `bed up` builds it.
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
        if let Some(agent) = node_agent_binary() {
            command.arg("--node-agent").arg(agent);
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
                scheduler_pid: c.scheduler_pid,
                nodes: c.nodes,
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
            node_agent: json
                .node_agent
                .map(|a| (a.pid, Duration::from_millis(a.ready_delay_ms))),
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

    /// Whether the children have a kube-scheduler, Nodes and the node agent: pods are
    /// scheduled, run and become ready (with the controller managers, see `testbed/README.md`).
    pub fn has_scheduler(&self) -> bool {
        self.node_agent.is_some() && self.children().iter().all(|c| c.scheduler_pid.is_some())
    }

    /// The PID of the node agent (the stand-in for the kubelet on every child) when the bed
    /// was opened, if it has one.
    pub fn node_agent_pid(&self) -> Option<u32> {
        self.node_agent.map(|(pid, _)| pid)
    }

    /// How long the node agent waits before it reports a bound pod's status.
    pub fn ready_delay(&self) -> Option<Duration> {
        self.node_agent.map(|(_, delay)| delay)
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

    /// The PIDs of every process of the bed: etcd, the API servers, the controller managers,
    /// the schedulers, the node agent and the watcher, if any.
    pub fn pids(&self) -> Vec<u32> {
        let mut pids = vec![self.etcd_pid];
        for cluster in &self.clusters {
            pids.push(cluster.apiserver_pid);
            pids.extend(cluster.controller_manager_pid);
            pids.extend(cluster.scheduler_pid);
        }
        pids.extend(self.node_agent_pid());
        pids.extend(self.watcher_pid);
        pids
    }
}
