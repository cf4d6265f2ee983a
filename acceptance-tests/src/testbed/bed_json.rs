//! `bed.json`, the bed's machine-readable description as `bed up` writes it.

use std::path::PathBuf;

use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub(super) struct BedJson {
    pub(super) children: usize,
    pub(super) controller_manager: bool,
    pub(super) ca_file: PathBuf,
    pub(super) token_file: PathBuf,
    pub(super) etcd: EtcdJson,
    pub(super) watcher_pid: Option<u32>,
    /// Absent in a `bed.json` written before the node agent existed.
    #[serde(default)]
    pub(super) node_agent: Option<NodeAgentJson>,
    pub(super) logs: PathBuf,
    pub(super) clusters: Vec<ClusterJson>,
}

#[derive(Debug, Deserialize)]
pub(super) struct NodeAgentJson {
    pub(super) pid: u32,
    pub(super) ready_delay_ms: u64,
}

#[derive(Debug, Deserialize)]
pub(super) struct EtcdJson {
    pub(super) url: String,
    pub(super) pid: u32,
}

#[derive(Debug, Deserialize)]
pub(super) struct ClusterJson {
    pub(super) name: String,
    pub(super) role: String,
    pub(super) server: String,
    pub(super) kubeconfig: PathBuf,
    pub(super) apiserver_pid: u32,
    pub(super) controller_manager_pid: Option<u32>,
    #[serde(default)]
    pub(super) scheduler_pid: Option<u32>,
    #[serde(default)]
    pub(super) nodes: Vec<String>,
}
