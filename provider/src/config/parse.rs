//! From the provider block's value to a [`ProviderConfig`], with a diagnostic on the exact
//! attribute for everything wrong. Unknown values (from resources not yet applied) are not
//! errors: they are recorded so that plans leave what depends on them unknown.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use clusternet_model::types::TaintEffect;
use clusternet_tfplugin::value::PathStep;
use clusternet_tfplugin::{AttributePath, Diagnostics, Value};

use super::{
    ClusterConfig, Connection, DEFAULT_PARALLELISM, Deployer, ExecConfig, ProviderConfig, Secret,
    TaintConfig, Target, default_namespace,
};
use crate::attrs::{self, Field};
use clusternet_model::names::{
    check_dns_label as check_cluster_name, check_label_key, check_label_value,
};

/// Parses and checks the provider block.
///
/// Only local facts are checked (kubeconfig files are read; no network).
pub fn parse(config: &Value) -> (ProviderConfig, Diagnostics) {
    let mut diags = Diagnostics::new();
    let mut has_unknowns = false;
    let root = AttributePath::root();

    let deployer = match attrs::string(config, "deployer") {
        Field::Null => Deployer::Provider,
        Field::Unknown => {
            has_unknowns = true;
            Deployer::Provider
        }
        Field::Known(s) => match s.as_str() {
            "provider" => Deployer::Provider,
            "clusternet" => Deployer::Clusternet,
            other => {
                diags.error_at(
                    root.clone().attr("deployer"),
                    "Unknown deployer",
                    format!(
                        "deployer = {other:?} is not a deployer. Use \"provider\" (the provider \
                         renders and deploys) or \"clusternet\" (Clusternet's controllers on the \
                         hub do)."
                    ),
                );
                Deployer::Provider
            }
        },
    };

    let hub = match attrs::object(config, "hub") {
        Field::Null => None,
        Field::Unknown => {
            has_unknowns = true;
            None
        }
        Field::Known(hub) => {
            let path = root.clone().attr("hub");
            match parse_connection(hub, &path, &mut diags) {
                Parsed::Known(c) => Some(c),
                Parsed::Unknown => {
                    has_unknowns = true;
                    None
                }
                Parsed::Missing => {
                    diags.error_at(
                        path,
                        "Hub has no credentials",
                        "Set `kubeconfig_path` (and `context`), or `host` with `token`, \
                         `client_certificate` and `client_key`, or `exec`. Remove the `hub` \
                         block to keep Clusternet objects in Terraform state only.",
                    );
                    None
                }
                Parsed::Invalid => None,
            }
        }
    };
    if deployer == Deployer::Clusternet && hub.is_none() && !has_unknowns && !diags.has_errors() {
        diags.error_at(
            root.clone().attr("deployer"),
            "The clusternet deployer needs a hub",
            "deployer = \"clusternet\" lets Clusternet's controllers on the hub render and \
             deploy, so a `hub` must be configured. Use deployer = \"provider\" without a hub.",
        );
    }

    let parallelism = match attrs::integer(config, "parallelism") {
        Field::Null => DEFAULT_PARALLELISM,
        Field::Unknown => {
            has_unknowns = true;
            DEFAULT_PARALLELISM
        }
        Field::Known(Ok(n)) if (1..=1000).contains(&n) => n as usize,
        Field::Known(n) => {
            let shown = n.map_or_else(|e| e.to_string(), |n| n.to_string());
            diags.error_at(
                root.clone().attr("parallelism"),
                "Invalid parallelism",
                format!("parallelism = {shown}: use a whole number from 1 to 1000."),
            );
            DEFAULT_PARALLELISM
        }
    };

    let force_conflicts = match attrs::boolean(config, "force_conflicts") {
        Field::Known(b) => b,
        Field::Null => false,
        Field::Unknown => {
            has_unknowns = true;
            false
        }
    };

    let helm_binary = match attrs::string(config, "helm_binary") {
        Field::Known(path) if path.trim().is_empty() => {
            diags.error_at(
                root.clone().attr("helm_binary"),
                "Empty helm_binary",
                "Set helm_binary to the helm program (a path, or a name found on PATH), or \
                 leave it out to use `helm` from PATH.",
            );
            None
        }
        Field::Known(path) => Some(path),
        Field::Null => None,
        Field::Unknown => {
            has_unknowns = true;
            None
        }
    };

    let verify_timeout = match attrs::string(config, "verify_timeout") {
        Field::Null => None,
        Field::Unknown => {
            has_unknowns = true;
            None
        }
        Field::Known(text) => match clusternet_deploy::duration::parse(&text) {
            Ok(timeout) => {
                if deployer != Deployer::Clusternet {
                    diags.warning_at(
                        root.clone().attr("verify_timeout"),
                        "verify_timeout has no effect",
                        "Only deployer = \"clusternet\" leaves the rendering to Clusternet's \
                         controllers; with deployer = \"provider\" the provider writes the \
                         Descriptions itself, so there is nothing to wait for.",
                    );
                }
                Some(timeout)
            }
            Err(e) => {
                diags.error_at(
                    root.clone().attr("verify_timeout"),
                    "Invalid verify_timeout",
                    format!(
                        "verify_timeout = {text:?}: {e}. Write a duration such as \"90s\", \
                         \"2m\" or \"1m30s\"."
                    ),
                );
                None
            }
        },
    };

    let mut clusters = BTreeMap::new();
    // Each directory target resolved once, with the first cluster writing there.
    let mut directories = HashMap::new();
    match attrs::entries(config, "clusters") {
        Field::Null => {}
        Field::Unknown => has_unknowns = true,
        Field::Known(entries) => {
            for (name, cluster) in entries {
                let path = root.clone().attr("clusters").key(name);
                match parse_cluster(name, cluster, &path, &mut diags) {
                    Parsed::Known(c) => {
                        check_directory_shared(name, &c, &mut directories, &path, &mut diags);
                        clusters.insert(name.clone(), c);
                    }
                    Parsed::Unknown => has_unknowns = true,
                    Parsed::Missing | Parsed::Invalid => {}
                }
            }
        }
    }

    (
        ProviderConfig {
            hub,
            deployer,
            clusters,
            parallelism,
            force_conflicts,
            helm_binary,
            has_unknowns,
            snapshot: None,
            capacity: None,
            verify_timeout,
        },
        naming_the_place(diags),
    )
}

/// The diagnostics with their text naming where they are: the provider block has no source
/// line of its own for a cluster built by an expression, so a detail that does not name its
/// cluster (or the hub) starts with the attribute path, e.g. `clusters["eu-1"].host: ...`.
fn naming_the_place(diags: Diagnostics) -> Diagnostics {
    let mut named = Diagnostics::new();
    for mut diagnostic in diags.iter().cloned() {
        if let Some(path) = &diagnostic.path {
            let cluster = match path.steps() {
                [
                    PathStep::AttributeName(clusters),
                    PathStep::ElementKeyString(name),
                    ..,
                ] if clusters == "clusters" => Some(name.as_str()),
                _ => None,
            };
            let named_already =
                cluster.is_some_and(|name| diagnostic.detail.contains(&format!("{name:?}")));
            if !named_already {
                diagnostic.detail = format!("{path}: {}", diagnostic.detail);
            }
        }
        named.push(diagnostic);
    }
    named
}

/// An error on `directory` when cluster `name` writes to the directory of a cluster parsed
/// before it: the two would prune each other's files through the one index. `seen` holds the
/// resolved directories of the clusters before, each with the first one writing there (one
/// resolution per cluster: resolving every earlier one again made 500 clusters take 125,000).
fn check_directory_shared(
    name: &str,
    cluster: &ClusterConfig,
    seen: &mut HashMap<PathBuf, String>,
    path: &AttributePath,
    diags: &mut Diagnostics,
) {
    let Target::Directory(dir) = &cluster.target else {
        return;
    };
    let resolved = clusternet_deploy::directory::resolve(dir);
    if let Some(first) = seen.get(&resolved) {
        diags.error_at(
            path.clone().attr("directory"),
            "Directory used by two clusters",
            format!(
                "Clusters {first:?} and {name:?} both write to directory {}; each removes the \
                 files of the other. Give every cluster a directory of its own.",
                dir.display()
            ),
        );
    } else {
        seen.insert(resolved, name.to_string());
    }
}

/// Outcome of parsing one part.
enum Parsed<T> {
    Known(T),
    /// Depends on unknown values.
    Unknown,
    /// Nothing was set.
    Missing,
    /// Diagnostics were reported.
    Invalid,
}

fn parse_cluster(
    name: &str,
    cluster: &Value,
    path: &AttributePath,
    diags: &mut Diagnostics,
) -> Parsed<ClusterConfig> {
    if let Err(e) = check_cluster_name(name) {
        diags.error_at(
            path.clone(),
            "Invalid cluster name",
            format!(
                "Cluster name {name:?} {e}. It becomes part of namespaces, file names and plan \
                 keys."
            ),
        );
        return Parsed::Invalid;
    }
    if cluster.unwrap_dynamic().is_unknown() {
        // A whole cluster not known yet, e.g. from a conditional or another module's output.
        return Parsed::Unknown;
    }
    let errors_before = diags.iter().filter(|d| d.is_error()).count();
    let mut unknown = false;

    let labels = match attrs::string_map(cluster, "labels") {
        Field::Known(labels) => labels,
        Field::Null => BTreeMap::new(),
        Field::Unknown => {
            unknown = true;
            BTreeMap::new()
        }
    };
    for (key, value) in &labels {
        let label_path = path.clone().attr("labels").key(key);
        if let Err(e) = check_label_key(key) {
            diags.error_at(
                label_path.clone(),
                "Invalid label key",
                format!("Label key {key:?} on cluster {name:?}: {e}."),
            );
        }
        if let Err(e) = check_label_value(value) {
            diags.error_at(
                label_path,
                "Invalid label value",
                format!("Label {key}={value:?} on cluster {name:?}: the value {e}."),
            );
        }
    }

    let namespace_set = attrs::string(cluster, "namespace").is_set();
    let namespace = match attrs::string(cluster, "namespace") {
        Field::Known(ns) => {
            if let Err(e) = check_cluster_name(&ns) {
                diags.error_at(
                    path.clone().attr("namespace"),
                    "Invalid namespace",
                    format!("Namespace {ns:?} of cluster {name:?} {e}."),
                );
            }
            ns
        }
        Field::Unknown => {
            unknown = true;
            String::new()
        }
        Field::Null => default_namespace(name),
    };

    let mut taints = Vec::new();
    match attrs::elements(cluster, "taints") {
        Field::Known(items) => {
            for (i, taint) in items.iter().enumerate() {
                let taint_path = path.clone().attr("taints").index(i as i64);
                let key = attrs::string(taint, "key");
                let value = attrs::string(taint, "value");
                let effect = attrs::string(taint, "effect");
                if key.is_unknown() || value.is_unknown() || effect.is_unknown() {
                    unknown = true;
                    continue;
                }
                let word = effect.known().unwrap_or_default();
                let Some(effect) = TaintEffect::parse(&word) else {
                    diags.error_at(
                        taint_path.attr("effect"),
                        "Invalid taint effect",
                        format!(
                            "effect = {word:?}: use NoSchedule, PreferNoSchedule or NoExecute."
                        ),
                    );
                    continue;
                };
                taints.push(TaintConfig {
                    key: key.known().unwrap_or_default(),
                    value: value.known().unwrap_or_default(),
                    effect,
                });
            }
        }
        Field::Unknown => unknown = true,
        Field::Null => {}
    }

    let capacity = match attrs::integer(cluster, "capacity") {
        Field::Null => None,
        Field::Unknown => {
            unknown = true;
            None
        }
        Field::Known(Ok(n)) if (0..=i64::from(i32::MAX)).contains(&n) => Some(n),
        Field::Known(n) => {
            let shown = n.map_or_else(|e| e.to_string(), |n| n.to_string());
            diags.error_at(
                path.clone().attr("capacity"),
                "Invalid capacity",
                format!(
                    "capacity = {shown} on cluster {name:?}: use a whole number of replicas, 0 \
                     or more (at most {}), or leave it out to compute it from the cluster's \
                     Nodes and Pods.",
                    i32::MAX
                ),
            );
            None
        }
    };

    let directory = attrs::string(cluster, "directory");
    let connection = parse_connection(cluster, path, diags);
    let target = match (directory, connection) {
        // Where the objects go does not change what they are: the preview stays known.
        (Field::Unknown, _) | (_, Parsed::Unknown) => Some(Target::Unknown),
        (_, Parsed::Invalid) => None,
        (Field::Known(dir), Parsed::Known(_)) => {
            let _ = dir;
            diags.error_at(
                path.clone().attr("directory"),
                "Cluster has both a directory and credentials",
                format!(
                    "Cluster {name:?} sets `directory` and cluster credentials. A directory \
                     target receives files instead of a deployment: keep one or the other."
                ),
            );
            None
        }
        (Field::Known(dir), Parsed::Missing) => {
            if dir.trim().is_empty() {
                diags.error_at(
                    path.clone().attr("directory"),
                    "Empty directory",
                    format!("Cluster {name:?} has directory = \"\"; name a directory."),
                );
                None
            } else {
                Some(Target::Directory(PathBuf::from(dir)))
            }
        }
        (Field::Null, Parsed::Known(c)) => Some(Target::Cluster(c)),
        (Field::Null, Parsed::Missing) => {
            diags.error_at(
                path.clone(),
                "Cluster has no credentials and no directory",
                format!(
                    "Cluster {name:?} needs either credentials (`kubeconfig_path` with \
                     `context`, or `host` with `token`, client certificate or `exec`) or a \
                     `directory` to write its objects to. The provider never falls back to \
                     ~/.kube/config or in-cluster credentials."
                ),
            );
            None
        }
    };

    let errors_after = diags.iter().filter(|d| d.is_error()).count();
    if errors_after > errors_before {
        return Parsed::Invalid;
    }
    match target {
        Some(target) if !unknown => Parsed::Known(ClusterConfig {
            name: name.to_string(),
            labels,
            namespace,
            taints,
            target,
            source: super::ClusterSource::Config,
            namespace_set,
            capacity,
        }),
        _ if unknown => Parsed::Unknown,
        _ => Parsed::Invalid,
    }
}

/// Parses the connection attributes shared by the hub and clusters.
fn parse_connection(
    object: &Value,
    path: &AttributePath,
    diags: &mut Diagnostics,
) -> Parsed<Connection> {
    let kubeconfig = attrs::string(object, "kubeconfig_path");
    let context = attrs::string(object, "context");
    let host = attrs::string(object, "host");
    let token = attrs::string(object, "token");
    let ca = attrs::string(object, "cluster_ca_certificate");
    let cert = attrs::string(object, "client_certificate");
    let key = attrs::string(object, "client_key");
    let insecure = attrs::boolean(object, "insecure");
    let exec = attrs::object(object, "exec");

    let fields_unknown = [&kubeconfig, &context, &host, &token, &ca, &cert, &key]
        .iter()
        .any(|f| f.is_unknown())
        || insecure.is_unknown()
        || exec.is_unknown();

    if kubeconfig.is_set() && host.is_set() {
        diags.error_at(
            path.clone().attr("host"),
            "Both kubeconfig_path and host are set",
            "Use either a kubeconfig file (`kubeconfig_path`, `context`) or explicit \
             credentials (`host`, `token`, certificates, `exec`), not both.",
        );
        return Parsed::Invalid;
    }
    if context.is_set() && !kubeconfig.is_set() {
        diags.error_at(
            path.clone().attr("context"),
            "context without kubeconfig_path",
            "`context` selects a context of `kubeconfig_path`; set `kubeconfig_path` too.",
        );
        return Parsed::Invalid;
    }
    if fields_unknown {
        return Parsed::Unknown;
    }

    if let Field::Known(file) = kubeconfig {
        let context = context.known();
        let file_path = PathBuf::from(&file);
        return match clusternet_deploy::kubeconfig::check(&file_path, context.as_deref()) {
            Ok(_) => Parsed::Known(Connection::Kubeconfig {
                path: file_path,
                context,
            }),
            Err(e) => {
                let attr = if matches!(
                    e,
                    clusternet_deploy::kubeconfig::KubeconfigError::MissingContext { .. }
                ) {
                    "context"
                } else {
                    "kubeconfig_path"
                };
                diags.error_at(
                    path.clone().attr(attr),
                    "Unusable kubeconfig",
                    format!("{e}. Fix the path or the file."),
                );
                Parsed::Invalid
            }
        };
    }

    let credentials_set =
        token.is_set() || cert.is_set() || key.is_set() || ca.is_set() || exec.is_set();
    let Field::Known(host) = host else {
        if credentials_set {
            diags.error_at(
                path.clone().attr("host"),
                "Credentials without host",
                "`token`, certificates and `exec` are for an explicit API server: set `host` \
                 as well, or use `kubeconfig_path`.",
            );
            return Parsed::Invalid;
        }
        return Parsed::Missing;
    };
    if !(host.starts_with("https://") || host.starts_with("http://")) {
        diags.error_at(
            path.clone().attr("host"),
            "Invalid host",
            format!("host = {host:?}: use a URL such as https://127.0.0.1:6443."),
        );
        return Parsed::Invalid;
    }
    if cert.is_set() != key.is_set() {
        diags.error_at(
            path.clone().attr(if cert.is_set() {
                "client_key"
            } else {
                "client_certificate"
            }),
            "Incomplete client certificate",
            "`client_certificate` and `client_key` go together: set both or neither.",
        );
        return Parsed::Invalid;
    }
    let exec = match exec {
        Field::Known(exec) => Some(ExecConfig {
            command: attrs::string(exec, "command").known().unwrap_or_default(),
            api_version: attrs::string(exec, "api_version")
                .known()
                .unwrap_or_else(|| "client.authentication.k8s.io/v1".to_string()),
            args: attrs::string_list(exec, "args").known().unwrap_or_default(),
            env: attrs::string_map(exec, "env").known().unwrap_or_default(),
        }),
        _ => None,
    };
    if !(token.is_set() || cert.is_set() || exec.is_some()) {
        diags.error_at(
            path.clone().attr("host"),
            "host without credentials",
            "An explicit API server needs `token`, `client_certificate` with `client_key`, or \
             `exec`. The provider never connects anonymously or with ambient credentials.",
        );
        return Parsed::Invalid;
    }
    Parsed::Known(Connection::Direct {
        host,
        token: token.known().map(Secret),
        ca_certificate: ca.known(),
        client_certificate: cert.known(),
        client_key: key.known().map(Secret),
        insecure: insecure.known().unwrap_or(false),
        exec,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(entries: &[(&str, &str)]) -> Value {
        Value::Object(
            entries
                .iter()
                .map(|(k, v)| (k.to_string(), Value::from(*v)))
                .collect(),
        )
    }

    #[test]
    fn verify_timeout_is_a_duration_and_only_clusternet_uses_it() {
        let (parsed, diags) = parse(&config(&[("verify_timeout", "1m30s")]));
        assert_eq!(
            parsed.verify_timeout,
            Some(std::time::Duration::from_secs(90))
        );
        let warning = diags.iter().next().expect("a warning");
        assert_eq!(warning.summary, "verify_timeout has no effect");
        assert!(!diags.has_errors());

        let (parsed, diags) = parse(&config(&[("verify_timeout", "soon")]));
        assert_eq!(parsed.verify_timeout, None);
        let error = diags.iter().next().expect("an error");
        assert_eq!(error.summary, "Invalid verify_timeout");
        assert_eq!(
            error.path,
            Some(AttributePath::root().attr("verify_timeout"))
        );
    }

    #[test]
    fn two_clusters_on_one_directory_is_an_error_on_the_second() {
        let cluster = |dir: &str| {
            Value::Object(BTreeMap::from([(
                "directory".to_string(),
                Value::from(dir),
            )]))
        };
        let config = Value::Object(BTreeMap::from([(
            "clusters".to_string(),
            Value::Map(BTreeMap::from([
                ("a".to_string(), cluster("rendered/one")),
                ("b".to_string(), cluster("./rendered/x/../one/")),
                ("c".to_string(), cluster("rendered/two")),
            ])),
        )]));
        let (_, diags) = parse(&config);
        let errors: Vec<_> = diags.iter().filter(|d| d.is_error()).collect();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].summary, "Directory used by two clusters");
        assert_eq!(
            errors[0].path,
            Some(
                AttributePath::root()
                    .attr("clusters")
                    .key("b")
                    .attr("directory")
            )
        );
    }

    #[test]
    fn capacity_is_a_whole_number_of_replicas_on_its_attribute() {
        let cluster = |capacity: Value| {
            Value::Object(BTreeMap::from([
                ("directory".to_string(), Value::from("rendered/a")),
                ("capacity".to_string(), capacity),
            ]))
        };
        let config = |capacity: Value| {
            Value::Object(BTreeMap::from([(
                "clusters".to_string(),
                Value::Map(BTreeMap::from([("a".to_string(), cluster(capacity))])),
            )]))
        };
        let (parsed, diags) = parse(&config(Value::from(7i64)));
        assert!(!diags.has_errors(), "{diags:?}");
        assert_eq!(parsed.clusters["a"].capacity, Some(7));

        for wrong in [Value::from(-1i64), Value::from(i64::from(i32::MAX) + 1)] {
            let (parsed, diags) = parse(&config(wrong));
            let errors: Vec<_> = diags.iter().filter(|d| d.is_error()).collect();
            assert_eq!(errors.len(), 1, "{errors:?}");
            assert_eq!(errors[0].summary, "Invalid capacity");
            assert!(
                errors[0].detail.contains("whole number of replicas"),
                "{}",
                errors[0].detail
            );
            assert_eq!(
                errors[0].path,
                Some(
                    AttributePath::root()
                        .attr("clusters")
                        .key("a")
                        .attr("capacity")
                )
            );
            assert!(!parsed.clusters.contains_key("a"));
        }
    }
}
