//! The crate's error type: every variant names the object and the field at fault.

use crate::overrides::OverrideError;
use crate::scheduling::SchedulingError;
use crate::selectors::SelectorError;
use crate::yaml::YamlError;

/// Render failures. Messages name the object (`Kind namespace/name`) and the field.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An input object is malformed.
    #[error("{object}: {field}: {message}")]
    InvalidObject {
        /// `Kind namespace/name` (or the document position when unnamed).
        object: String,
        /// JSON path of the field, e.g. `spec.feeds[0].name`.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// Two input objects have the same identity.
    #[error("{object}: defined twice in the input")]
    Duplicate {
        /// `Kind namespace/name`.
        object: String,
    },
    /// A Subscription feed matches no HelmChart / no shadow object.
    #[error(
        "Subscription {subscription}: spec.feeds[{index}]: {feed} does not exist \
         (Clusternet reports Nonexistent{kind} and renders nothing for the Subscription's clusters)"
    )]
    MissingFeed {
        /// `namespace/name` of the Subscription.
        subscription: String,
        /// Index in `spec.feeds`.
        index: usize,
        /// The feed, formatted as `Kind namespace/name`.
        feed: String,
        /// The feed kind.
        kind: String,
    },
    /// The scheduler rejected a Subscription.
    #[error("Subscription {subscription}: {source}")]
    Scheduling {
        /// `namespace/name` of the Subscription.
        subscription: String,
        /// The problem.
        #[source]
        source: SchedulingError,
    },
    /// A Globalization's `clusterAffinity` is malformed.
    #[error("Globalization {name}: spec.clusterAffinity: {source}")]
    GlobalizationSelector {
        /// Globalization name.
        name: String,
        /// The problem.
        #[source]
        source: SelectorError,
    },
    /// An override failed: the Description is not produced (upstream: `FailedApplyingOverrides`).
    #[error("Description {description}: rendering {object}: {source}")]
    Override {
        /// `namespace/name` of the Description.
        description: String,
        /// The rendered object, `Kind namespace/name`.
        object: String,
        /// The failing override.
        #[source]
        source: Box<OverrideError>,
    },
    /// The input is not YAML.
    #[error("{input}: {source}")]
    Yaml {
        /// Input name (file name or `-`).
        input: String,
        /// Parser error.
        #[source]
        source: YamlError,
    },
}
