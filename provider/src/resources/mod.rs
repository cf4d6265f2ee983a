//! Managed resources. Each module has `schema`, `validate`, `plan`, `apply`, `read` and
//! `import` functions; [`crate::provider`] dispatches to them by type name.

pub mod feed;
pub mod helm_chart;
pub mod manifest;
pub mod manifests;
pub mod names;
pub mod overrides;
pub mod secret_values;
pub mod subscription;

/// The namespace of a namespaced resource whose configuration leaves it out (a
/// subscription's, a Helm chart's), as Kubernetes defaults it.
pub use clusternet_model::types::DEFAULT_NAMESPACE;
