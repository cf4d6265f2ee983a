//! The project's multi-cluster test bed, seen from Rust.
//!
//! The bed itself is made by the scripts in `acceptance-tests/testbed/`: `install-tools` puts
//! terraform 1.0.3, helm, kubectl, etcd and a kube-apiserver built from source into the cache
//! (`${CLUSTERNET_CACHE:-$HOME/.cache/terraform-provider-clusternet}`), and `bed up` starts one
//! etcd plus a hub and N child kube-apiservers on loopback and describes them in `bed.json`.
//!
//! This module finds the tools ([`tools`]), starts or reuses a bed ([`Testbed::shared`],
//! [`Testbed::up`], [`Testbed::open`]) and runs kubectl, helm and raw API requests against one
//! of its clusters ([`Cluster`]). With controller managers, the children also run a
//! kube-scheduler and have Nodes served by the bed's node agent (a stand-in for the kubelet
//! only), so pods run and become ready; [`Cluster::wait_deployment_available`] and its
//! siblings wait for the real controllers' verdict.
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

mod bed;
mod bed_json;
mod chart_repo;
mod cluster;
mod commands;
mod error;
mod names;
mod paths;
mod processes;
mod readiness;
mod tool_cache;

pub use self::bed::Testbed;
pub use self::chart_repo::ChartRepo;
pub use self::cluster::Cluster;
pub use self::commands::{run_checked, run_with_stdin_checked};
pub use self::error::{Result, TestbedError};
pub use self::names::{names_of, unique_name};
pub use self::paths::{
    bed_script, cache_dir, charts_dir, clusternet_crds_dir, install_tools_script,
    node_agent_binary, repo_root, scripts_dir, shared_dir,
};
pub use self::processes::{listening_addresses, process_alive, tcp_port_listening, wait_until};
pub use self::readiness::{deployment_available, job_complete, ready_endpoint_addresses};
pub use self::tool_cache::{Tools, ensure_tools, tools};

/// Environment variable naming the state directory of an already running bed to use.
pub const STATE_ENV: &str = "CLUSTERNET_TESTBED_STATE";

/// Environment variable overriding the cache root.
pub const CACHE_ENV: &str = "CLUSTERNET_CACHE";

/// Number of child clusters in the bed that [`Testbed::shared`] starts, and the least it
/// accepts from `with-bed` (`scripts/test` runs `with-bed --children 3`): the rollout tests
/// need three children (see `testbed/README.md`).
pub const SHARED_CHILDREN: usize = 3;
