//! Why an import failed, and what the user can do about it.

use clusternet_tfplugin::Diagnostic;

use crate::diagnostics::ToDiagnostic;

/// An import failure.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    /// No resource of that type, or none that can be imported.
    #[error("{type_name} cannot be imported")]
    UnsupportedType {
        /// The resource type.
        type_name: String,
    },
    /// The ID does not have the type's form.
    #[error("import ID {id:?} is not valid for {type_name}: {reason}")]
    InvalidId {
        /// The resource type.
        type_name: String,
        /// The ID as given.
        id: String,
        /// What is wrong.
        reason: String,
        /// The expected form.
        expected: &'static str,
    },
    /// Import reads the hub, and none is configured.
    #[error("importing {type_name} reads the hub, and the provider configuration has no `hub`")]
    NoHub {
        /// The resource type.
        type_name: String,
    },
    /// The provider configuration depends on values not known yet.
    #[error("the provider configuration is not wholly known")]
    ConfigurationUnknown,
    /// The hub could not be reached.
    #[error("cannot reach the hub: {0}")]
    HubUnreachable(String),
    /// The hub does not serve a Clusternet kind.
    #[error("the hub does not serve apps.clusternet.io/v1alpha1 {kind}")]
    CrdMissing {
        /// The kind.
        kind: String,
    },
    /// A read on the hub failed.
    #[error("cannot read {what} from the hub: {message}")]
    HubRead {
        /// What was read.
        what: String,
        /// What the API said.
        message: String,
    },
    /// The object to import does not exist on the hub.
    #[error("{kind} {id} does not exist on the hub")]
    NotFound {
        /// What was looked for.
        kind: String,
        /// Its identity.
        id: String,
    },
    /// The feed is imported as the wrong one of `clusternet_manifest` / `clusternet_secret`.
    #[error("{feed} is imported as {type_name}, but it belongs in {belongs_in}")]
    WrongFeedResource {
        /// The feed key.
        feed: String,
        /// The resource type imported to.
        type_name: String,
        /// The resource type the object belongs in.
        belongs_in: &'static str,
    },
    /// A feed of the Subscription has no Manifest on the hub.
    #[error("feed {feed} of Subscription {subscription} has no Manifest on the hub")]
    FeedMissing {
        /// `<namespace>/<name>`.
        subscription: String,
        /// The feed key.
        feed: String,
    },
}

impl ToDiagnostic for ImportError {
    /// The error as summary, what to do as detail.
    fn to_diagnostic(&self) -> Diagnostic {
        let hint = match self {
            ImportError::UnsupportedType { .. } => {
                "Import clusternet_subscription, clusternet_manifest, clusternet_secret, \
                 clusternet_helm_chart, clusternet_localization or clusternet_globalization."
                    .to_string()
            }
            ImportError::InvalidId { expected, .. } => format!("Give {expected}."),
            ImportError::NoHub { .. } => {
                "Configure `hub` in the provider block (the cluster where Clusternet's objects \
                 live), then import again. Without a hub, resources live only in configuration \
                 and state: create them from configuration instead."
                    .to_string()
            }
            ImportError::ConfigurationUnknown => {
                "A provider setting comes from a resource not yet applied; apply it first, then \
                 import."
                    .to_string()
            }
            ImportError::HubUnreachable(_) | ImportError::HubRead { .. } => {
                "Check the `hub` settings of the provider configuration and that the hub's \
                 API server is up."
                    .to_string()
            }
            ImportError::CrdMissing { .. } => {
                "Install Clusternet's CRDs on the hub (manifests/crds of \
                 github.com/clusternet/clusternet); without them it holds nothing to import."
                    .to_string()
            }
            ImportError::NotFound { .. } => {
                "Check the ID (`kubectl get` it on the hub) and the provider's `hub`.".to_string()
            }
            ImportError::WrongFeedResource { belongs_in, .. } => format!(
                "Secrets are clusternet_secret resources (their values are sensitive there), \
                 every other object a clusternet_manifest: declare the resource as \
                 `resource \"{belongs_in}\"` and import it again."
            ),
            ImportError::FeedMissing { .. } => {
                "Import needs each feed's content, which the hub keeps as a Manifest in the \
                 clusternet-reserved namespace, or as a HelmChart."
                    .to_string()
            }
        };
        Diagnostic::error(format!("Cannot import: {self}"), hint)
    }
}
