//! Typed errors for one object and for a whole cluster.

use clusternet_model::identity::{InvalidObject, ObjectIdentity};

/// The cluster could not be reached (connection refused, timeout, TLS or authentication
/// failure below the API level).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cluster {cluster} is unreachable: {message}")]
pub struct Unreachable {
    /// The cluster's name as the caller gave it.
    pub cluster: String,
    /// What the transport said.
    pub message: String,
}

/// Why one object could not be applied, read or deleted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ObjectError {
    /// The document is not a Kubernetes object.
    #[error("object #{index}: {source}")]
    Invalid {
        /// Position in the input.
        index: usize,
        /// What is wrong with it.
        #[source]
        source: InvalidObject,
    },
    /// The cluster serves no such `apiVersion`/`kind`.
    #[error(
        "the cluster does not know apiVersion {:?} kind {:?} (for {object}); \
         install its CustomResourceDefinition or correct the apiVersion/kind",
        reference.api_version, reference.kind, object = reference.describe_versioned())]
    UnknownKind {
        /// The object (its `apiVersion` and `kind` are the unknown ones).
        reference: Box<ObjectIdentity>,
    },
    /// Server-side apply found fields owned by another field manager (HTTP 409).
    #[error(
        "{object}: conflict with field manager(s) {}: {message}; change the value back, \
         remove the field from that manager, or force the apply",
        managers.join(", "), object = reference.describe_versioned())]
    Conflict {
        /// The object.
        reference: Box<ObjectIdentity>,
        /// The other field managers named by the server.
        managers: Vec<String>,
        /// The server's message.
        message: String,
    },
    /// The server rejected the object as invalid (HTTP 422).
    #[error("{object} is invalid: {message}", object = reference.describe_versioned())]
    Rejected {
        /// The object.
        reference: Box<ObjectIdentity>,
        /// The server's message.
        message: String,
    },
    /// Any other API error.
    #[error("{object}: the API server answered {code} {reason}: {message}", object = reference.describe_versioned())]
    Api {
        /// The object.
        reference: Box<ObjectIdentity>,
        /// HTTP status code.
        code: u16,
        /// The status reason, e.g. `Forbidden`.
        reason: String,
        /// The server's message.
        message: String,
    },
    /// A CustomResourceDefinition did not become Established in time.
    #[error("{object} was applied but did not become Established within {seconds} s", object = reference.describe_versioned())]
    NotEstablished {
        /// The CRD.
        reference: Box<ObjectIdentity>,
        /// How long we waited.
        seconds: u64,
    },
    /// The cluster could not be reached while handling this object.
    #[error("{object}: {source}", object = reference.describe_versioned())]
    Unreachable {
        /// The object.
        reference: Box<ObjectIdentity>,
        /// The transport failure.
        #[source]
        source: Unreachable,
    },
    /// The cluster refused our credentials (HTTP 401) or they could not be obtained (exec
    /// plugin, token file): every request to it will fail the same way.
    #[error(
        "{object}: credentials for cluster {cluster} were refused or unavailable: {message}", object = reference.describe_versioned())]
    Credentials {
        /// The object.
        reference: Box<ObjectIdentity>,
        /// The cluster.
        cluster: String,
        /// What went wrong.
        message: String,
    },
    /// Not attempted because the cluster became unreachable or refused our credentials
    /// earlier in the same call.
    #[error(
        "{object}: not attempted, cluster {cluster} is unreachable or refused our credentials", object = reference.describe_versioned())]
    Skipped {
        /// The object.
        reference: Box<ObjectIdentity>,
        /// The cluster.
        cluster: String,
    },
    /// A local failure, e.g. a response that could not be encoded or decoded.
    #[error("{object}: {message}", object = reference.describe_versioned())]
    Internal {
        /// The object.
        reference: Box<ObjectIdentity>,
        /// What went wrong.
        message: String,
    },
}

impl ObjectError {
    /// The object concerned (`None` for a document that is not an object).
    pub fn reference(&self) -> Option<&ObjectIdentity> {
        match self {
            ObjectError::UnknownKind { reference, .. }
            | ObjectError::Conflict { reference, .. }
            | ObjectError::Rejected { reference, .. }
            | ObjectError::Api { reference, .. }
            | ObjectError::NotEstablished { reference, .. }
            | ObjectError::Unreachable { reference, .. }
            | ObjectError::Skipped { reference, .. }
            | ObjectError::Credentials { reference, .. }
            | ObjectError::Internal { reference, .. } => Some(reference),
            ObjectError::Invalid { .. } => None,
        }
    }

    /// Whether this error means the cluster is unreachable.
    pub fn is_unreachable(&self) -> bool {
        matches!(self, ObjectError::Unreachable { .. })
    }

    /// Whether this error concerns the whole cluster (unreachable, or credentials refused), so
    /// that further requests to it are pointless.
    pub fn is_cluster_failure(&self) -> bool {
        matches!(
            self,
            ObjectError::Unreachable { .. } | ObjectError::Credentials { .. }
        )
    }

    /// Classifies a kube error for `reference` on cluster `cluster`.
    pub(crate) fn from_kube(cluster: &str, reference: &ObjectIdentity, error: kube::Error) -> Self {
        let reference = Box::new(reference.clone());
        match error {
            kube::Error::Api(status) => match status.code {
                409 if status.reason == "Conflict" && status.message.contains("conflict") => {
                    ObjectError::Conflict {
                        managers: conflicting_managers(&status.message),
                        message: status.message.clone(),
                        reference,
                    }
                }
                401 => ObjectError::Credentials {
                    reference,
                    cluster: cluster.to_string(),
                    message: status.message.clone(),
                },
                422 => ObjectError::Rejected {
                    reference,
                    message: status.message.clone(),
                },
                code => ObjectError::Api {
                    reference,
                    code,
                    reason: status.reason.clone(),
                    message: status.message.clone(),
                },
            },
            kube::Error::SerdeError(e) => ObjectError::Internal {
                reference,
                message: format!("cannot decode the server's answer: {e}"),
            },
            kube::Error::Auth(e) => ObjectError::Credentials {
                reference,
                cluster: cluster.to_string(),
                message: transport_message(&e),
            },
            kube::Error::BuildRequest(e) => ObjectError::Internal {
                reference,
                message: format!("cannot build the request: {e}"),
            },
            other => ObjectError::Unreachable {
                reference,
                source: Unreachable {
                    cluster: cluster.to_string(),
                    message: transport_message(&other),
                },
            },
        }
    }
}

/// The error and its sources on one line, e.g. `ServiceError: client error (Connect): ...`.
pub(crate) fn transport_message(error: &(dyn std::error::Error + 'static)) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = s.source();
    }
    message
}

/// The managers named in a server-side apply conflict message, e.g.
/// `Apply failed with 1 conflict: conflict with "kubectl-edit" using v1: .data.key`.
pub(crate) fn conflicting_managers(message: &str) -> Vec<String> {
    const MARK: &str = "with \"";
    let mut managers = Vec::new();
    let mut from = 0;
    while let Some(at) = message[from..].find(MARK) {
        let start = from + at + MARK.len();
        let before = &message[..from + at];
        from = start;
        if !(before.ends_with("conflict ") || before.ends_with("conflicts ")) {
            continue;
        }
        if let Some(end) = message[start..].find('"') {
            let manager = message[start..start + end].to_string();
            if !managers.contains(&manager) {
                managers.push(manager);
            }
        }
    }
    managers
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conflict_messages_name_each_manager_once() {
        let message = "Apply failed with 3 conflicts: conflicts with \"kubectl-edit\" using v1:\n- .data.a\n- .data.b\nconflict with \"helm\" using v1: .data.c";
        // "conflicts with" (plural) is how the server words several fields of one manager.
        assert_eq!(conflicting_managers(message), ["kubectl-edit", "helm"]);
        let single =
            "Apply failed with 1 conflict: conflict with \"kubectl-edit\" using v1: .data.key";
        assert_eq!(conflicting_managers(single), ["kubectl-edit"]);
    }
}
