//! `helm template` at plan time, cached within the provider process per chart (repository,
//! name, version), release and values: clusters that render the same values share one run,
//! and the re-plan Terraform makes during apply costs nothing when it runs in the same process.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use clusternet_deploy::helm::{Helm, HelmError, ReleaseSpec};
use serde_json::{Value as Json, json};

/// Why a chart could not be templated.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TemplateError {
    /// The repository (or helm) could not be reached or did not answer in time: the plan
    /// leaves the templated objects out and warns.
    #[error("{0}")]
    Unavailable(String),
    /// The repository answered and the chart or version is not there, or the chart does not
    /// render with these values: an error at plan.
    #[error("{0}")]
    Invalid(String),
}

type Templated = Result<Arc<Vec<Json>>, TemplateError>;
type Cell = Arc<tokio::sync::OnceCell<Templated>>;

static CACHE: LazyLock<Mutex<HashMap<String, Cell>>> = LazyLock::new(Default::default);

fn cache_key(spec: &ReleaseSpec) -> String {
    clusternet_model::json::to_compact(&json!({
        "repo": spec.chart.repo,
        "chart": spec.chart.chart,
        "version": spec.chart.version,
        "plainHTTP": spec.chart.plain_http,
        "release": spec.name,
        "namespace": spec.namespace,
        "values": spec.values,
        "skipCRDs": spec.options.skip_crds,
    }))
}

fn classify(error: HelmError) -> TemplateError {
    match error {
        HelmError::RepoUnreachable { .. } | HelmError::Timeout { .. } => {
            TemplateError::Unavailable(error.to_string())
        }
        other => TemplateError::Invalid(other.to_string()),
    }
}

/// The objects `helm template` makes of `spec` (each a Kubernetes object as JSON).
pub async fn template(helm: &Helm, spec: &ReleaseSpec) -> Templated {
    let cell = CACHE
        .lock()
        .expect("template cache lock")
        .entry(cache_key(spec))
        .or_default()
        .clone();
    cell.get_or_init(|| async {
        helm.template(spec)
            .await
            .map(|objects| {
                Arc::new(
                    objects
                        .into_iter()
                        .filter(|o| o.is_object() && o.get("kind").is_some())
                        .collect(),
                )
            })
            .map_err(classify)
    })
    .await
    .clone()
}
