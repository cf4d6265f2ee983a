//! The provider configuration: schema, typed form, and the checks that name the attribute at
//! fault.

mod hub_clusters;
mod parse;
mod schema;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use clusternet_deploy::connection::{ConnectionConfig, ExecConfig as DeployExecConfig};
use clusternet_model::types::TaintEffect;

use crate::capacity::CapacitySnapshot;
use crate::snapshot::HubSnapshot;

pub use parse::parse;
pub use schema::provider_schema;

/// Default number of clusters written at once.
pub const DEFAULT_PARALLELISM: usize = 10;

/// Who renders and deploys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deployer {
    /// The provider renders and deploys (Clusternet's Push mode, done by the provider).
    Provider,
    /// Clusternet's controllers on the hub render and deploy.
    Clusternet,
}

impl Deployer {
    /// The configuration word.
    pub fn as_str(self) -> &'static str {
        match self {
            Deployer::Provider => "provider",
            Deployer::Clusternet => "clusternet",
        }
    }
}

/// A secret string: never printed by `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// A client-go credential plugin.
#[derive(Debug, Clone, PartialEq)]
pub struct ExecConfig {
    /// Program.
    pub command: String,
    /// `client.authentication.k8s.io` version.
    pub api_version: String,
    /// Arguments.
    pub args: Vec<String>,
    /// Extra environment.
    pub env: BTreeMap<String, String>,
}

/// How to reach a Kubernetes API server.
#[derive(Debug, Clone, PartialEq)]
pub enum Connection {
    /// A kubeconfig file and context.
    Kubeconfig {
        /// File.
        path: PathBuf,
        /// Context (the file's current-context when `None`).
        context: Option<String>,
    },
    /// Explicit endpoint and credentials.
    Direct {
        /// API server URL.
        host: String,
        /// Bearer token.
        token: Option<Secret>,
        /// PEM CA bundle.
        ca_certificate: Option<String>,
        /// PEM client certificate.
        client_certificate: Option<String>,
        /// PEM client key.
        client_key: Option<Secret>,
        /// Skip server certificate verification.
        insecure: bool,
        /// Credential plugin.
        exec: Option<ExecConfig>,
    },
}

impl Connection {
    /// The deploy layer's connection settings for this connection.
    pub fn deploy_config(&self) -> ConnectionConfig {
        match self {
            Connection::Kubeconfig { path, context } => ConnectionConfig::Kubeconfig {
                path: path.clone(),
                context: context.clone(),
            },
            Connection::Direct {
                host,
                token,
                ca_certificate,
                client_certificate,
                client_key,
                insecure,
                exec,
            } => ConnectionConfig::Direct {
                host: host.clone(),
                token: token.as_ref().map(|t| t.0.clone()),
                ca_certificate_pem: ca_certificate.clone(),
                client_certificate_pem: client_certificate.clone(),
                client_key_pem: client_key.as_ref().map(|k| k.0.clone()),
                insecure: *insecure,
                exec: exec.as_ref().map(|e| DeployExecConfig {
                    command: e.command.clone(),
                    api_version: e.api_version.clone(),
                    args: e.args.clone(),
                    env: e.env.clone(),
                }),
            },
        }
    }

    /// How the connection is named in messages: the kubeconfig and context, or the host.
    pub fn describe(&self) -> String {
        match self {
            Connection::Kubeconfig { path, context } => match context {
                Some(context) => format!("kubeconfig {}, context {context}", path.display()),
                None => format!("kubeconfig {}", path.display()),
            },
            Connection::Direct { host, .. } => host.clone(),
        }
    }
}

/// Where a cluster's rendered objects go.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// Files in a directory, one per object.
    Directory(PathBuf),
    /// A real cluster.
    Cluster(Connection),
    /// A cluster registered on the hub (a ManagedCluster) and absent from the provider's
    /// `clusters`: selectable, but the provider has no credentials to deploy to it.
    HubOnly,
    /// Credentials or a directory that depend on values not known until apply (Terraform
    /// configures the provider again, with them known, before it applies). Rendering does
    /// not depend on them, so the cluster's preview is known.
    Unknown,
}

impl Target {
    /// The inventory's word for the kind of target.
    pub fn kind(&self) -> &'static str {
        match self {
            Target::Directory(_) => "directory",
            Target::Cluster(_) => "kubernetes",
            Target::HubOnly => "hub",
            Target::Unknown => "unknown",
        }
    }
}

/// A taint on a cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaintConfig {
    /// Key.
    pub key: String,
    /// Value.
    pub value: String,
    /// Effect.
    pub effect: TaintEffect,
}

/// One child cluster of the configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterConfig {
    /// Name (a DNS label).
    pub name: String,
    /// Labels.
    pub labels: BTreeMap<String, String>,
    /// Dedicated namespace on the hub.
    pub namespace: String,
    /// Taints.
    pub taints: Vec<TaintConfig>,
    /// Where its objects go.
    pub target: Target,
    /// Where the provider learnt about the cluster.
    pub source: ClusterSource,
    /// Whether `namespace` was set in the configuration (else it is the default, and a
    /// ManagedCluster on the hub gives the real one).
    pub namespace_set: bool,
    /// Replicas it can still host for dynamic dividing (`capacity`); `None`: computed
    /// from its Nodes and Pods.
    pub capacity: Option<i64>,
}

/// Where a cluster of the inventory comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClusterSource {
    /// The provider's `clusters` only.
    Config,
    /// A ManagedCluster on the hub only.
    Hub,
    /// Both: merged (see [`ProviderConfig::with_snapshot`]).
    ConfigAndHub,
}

impl ClusterSource {
    /// The inventory's word for it.
    pub fn as_str(self) -> &'static str {
        match self {
            ClusterSource::Config => "config",
            ClusterSource::Hub => "hub",
            ClusterSource::ConfigAndHub => "config+hub",
        }
    }
}

/// The provider configuration, parsed and checked.
#[derive(Debug, Clone, PartialEq)]
pub struct ProviderConfig {
    /// The hub, when configured.
    pub hub: Option<Connection>,
    /// Who deploys.
    pub deployer: Deployer,
    /// Child clusters by name (clusters whose configuration is not yet known are absent and
    /// counted in `unknown_clusters`).
    pub clusters: BTreeMap<String, ClusterConfig>,
    /// Clusters at once.
    pub parallelism: usize,
    /// Force server-side apply conflicts on objects new to a cluster.
    pub force_conflicts: bool,
    /// The helm program (`helm_binary`): a path, or a name looked up on PATH; `helm` when
    /// `None`.
    pub helm_binary: Option<String>,
    /// Whether parts of the configuration are unknown until apply (values from resources not
    /// yet created): plans then leave what depends on them unknown.
    pub has_unknowns: bool,
    /// The hub snapshot this process rendered with, once taken (`None` without a hub).
    pub snapshot: Option<Arc<HubSnapshot>>,
    /// The clusters' Nodes and Pods this process divides by, once read (ADR 0029).
    pub capacity: Option<Arc<CapacitySnapshot>>,
    /// With deployer = "clusternet": how long apply waits for Clusternet's Descriptions to
    /// compare them with the prediction (`verify_timeout`); `None`: no waiting.
    pub verify_timeout: Option<std::time::Duration>,
}

impl ProviderConfig {
    /// The clusters whose Nodes and Pods dynamic dividing reads: those with credentials and
    /// no `capacity` (ADR 0029).
    pub fn capacity_to_read(&self) -> Vec<(String, ConnectionConfig)> {
        self.clusters
            .values()
            .filter(|c| c.capacity.is_none())
            .filter_map(|c| match &c.target {
                Target::Cluster(connection) => Some((c.name.clone(), connection.deploy_config())),
                _ => None,
            })
            .collect()
    }
}

/// The dedicated namespace of a cluster with no explicit one.
pub fn default_namespace(cluster: &str) -> String {
    format!("clusternet-{cluster}")
}
