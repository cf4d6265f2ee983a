//! Talking to clusters: hub and child clients, server-side apply, ordering, pruning,
//! drift reading and directory targets. Knows nothing of Terraform.
//!
//! A [`Cluster`] is built from a [`ConnectionConfig`] (never from ambient configuration).
//! [`Cluster::apply`] applies one cluster's desired objects in dependency order with
//! server-side apply and Clusternet's [`Ownership`] marks, reporting per object;
//! [`Cluster::prune`] and [`Cluster::delete`] remove objects in reverse order, only those the
//! owner holds; [`Cluster::read_owned`] reads objects back reduced to the fields our field
//! manager owns, for drift ([`Cluster::read_live_by_list`] reads many objects with one
//! label-selected LIST per kind and namespace instead of one GET each). [`directory`] does the same for clusters that are folders of YAML
//! files, and [`apply_many`] runs several clusters in parallel. [`helm`] wraps the Helm CLI
//! for chart-based feeds.
//!
//! [`Cluster::read_resources`] lists a child's Nodes and Pods for dynamic dividing
//! ([`capacity`]).
//!
//! [`Cluster::wait_ready`] waits until applied objects are ready by the kstatus-style rules of
//! [`readiness`] (the gate of progressive rollout), saying per object why not.
//!
//! Before server-side apply, [`defaults::fill_list_map_keys`] writes the server's default
//! into key fields of associative lists that the input left out (`protocol` of Service
//! ports and container ports): Kubernetes 1.20 refuses an apply body whose list items omit a
//! key field, even one it would default. Drift reading compares live objects through the
//! planned shape, so those filled-in keys never show as a diff.

pub mod apply;
pub mod capacity;
pub mod cluster;
pub mod connection;
pub mod defaults;
pub mod directory;
pub mod discovery;
pub mod drift;
pub mod duration;
pub mod error;
pub mod fields;
pub mod helm;
pub mod kubeconfig;
pub mod ordering;
pub mod ownership;
pub mod parallel;
pub mod prune;
pub mod readiness;
pub mod rollout;
pub mod status;
pub mod wait;

pub use apply::{Applied, ApplyOptions, ApplyReport, ObjectOutcome};
pub use cluster::{Cluster, DEFAULT_FIELD_MANAGER};
pub use connection::{ConnectionConfig, ConnectionError, ExecConfig, Timeouts};
pub use drift::LiveObject;
pub use error::{ObjectError, Unreachable};
pub use ownership::Ownership;
pub use parallel::{ClusterApply, JobFailed, apply_many, fan_out};
pub use prune::{DeleteOutcome, DeleteReport, Deleted};
pub use readiness::{PodProblem, Readiness, assess};
pub use wait::{NotReady, WaitError, WaitOptions, WaitOutcome, WaitReport};
