//! `clusternet_render`: a pure rendering - Clusternet objects and feeds in, per-cluster
//! Descriptions out - with no hub, no cluster and no provider inventory involved.
//!
//! It exists so that modules can be tested with `terraform test` on a laptop: the
//! `descriptions` of each subscription are the very strings `clusternet_subscription` would
//! plan for the same inputs (same keys, same compact JSON, same secret markers).

use std::collections::BTreeMap;

use crate::context::Context;
use crate::diagnostics::ToDiagnostic;
use crate::registry::{DataSource, Fut};
use clusternet_model::render::RenderInput;
use clusternet_model::types::ManagedCluster;
use clusternet_model::yaml::YamlError;
use clusternet_tfplugin::value::ObjectBuilder;
use clusternet_tfplugin::{
    Attribute, AttributePath, Block, BlockNesting, Diagnostic, Diagnostics, NestedBlock, Schema,
    Type, Value,
};
use serde_json::Value as Json;

use crate::attrs::{self, Field};
use crate::resources::subscription;

/// Type name.
pub const TYPE_NAME: &str = "clusternet_render";

fn subscription_type() -> Type {
    Type::object([
        ("binding_clusters", Type::list(Type::String)),
        ("replicas", Type::map(Type::Number)),
        ("spec_hash", Type::String),
        ("descriptions", Type::map(Type::String)),
    ])
}

/// The schema.
pub fn schema() -> Schema {
    let cluster = NestedBlock::new(
        "cluster",
        BlockNesting::List,
        Block::new(
            "A child cluster to render for (a ManagedCluster). ManagedCluster objects in \
             `objects` count as well.",
            vec![
                Attribute::required("name", Type::String).describe("Cluster name."),
                Attribute::optional("labels", Type::map(Type::String))
                    .describe("Cluster labels, matched by subscribers and Globalizations."),
                Attribute::optional("namespace", Type::String).describe(
                    "The cluster's dedicated namespace, where its Localizations live \
                     (default `clusternet-<name>`).",
                ),
            ],
        ),
    );
    Schema::new(
        Block::new(
            "Renders Clusternet objects offline, exactly as `clusternet_subscription` plans \
             them: Subscriptions, Localizations, Globalizations, HelmCharts, ManagedClusters \
             and plain Kubernetes objects (feeds) in; per subscription the bound clusters, \
             replicas, specHash and the per-cluster `descriptions` out. It reads nothing from \
             any cluster or hub and ignores the provider's `clusters`, so it suits \
             `terraform test` of modules with no cluster at all.",
            vec![
                Attribute::required("objects", Type::list(Type::String)).describe(
                    "Objects as YAML (a stream of `---`-separated documents is fine; `kind: \
                     List` is expanded) or JSON - e.g. `clusternet_manifest.x.feed`, \
                     `clusternet_localization.x.ref` or `file(\"subscription.yaml\")`.",
                ),
                Attribute::computed("subscriptions", Type::map(subscription_type())).describe(
                    "Per subscription, keyed `<namespace>/<name>`: `binding_clusters`, \
                     `replicas` (keyed `<cluster>/<feed key>`, dividing only), `spec_hash` and \
                     `descriptions` (keyed `<cluster>/<apiVersion>/<Kind>/<namespace>/<name>`, \
                     compact JSON with sorted keys, each Secret value shown as `(sensitive value)`: \
                     a data source has no state to keep a marker key in, see \
                     `clusternet_subscription.secret_marker_key`).",
                ),
                Attribute::computed("warnings", Type::list(Type::String)).describe(
                    "What Clusternet would do silently: overrides that match nothing, patches \
                     skipped for a missing path, priority ties, clusters left out by taints.",
                ),
            ],
        )
        .with_block(cluster),
    )
}

/// Offline checks: every object parses, cluster names are unique.
pub fn validate(config: &Value) -> Diagnostics {
    let mut diags = Diagnostics::new();
    clusters(config, &mut diags);
    if let Field::Known(texts) = attrs::string_list(config, "objects") {
        for (i, text) in texts.iter().enumerate() {
            if let Err(e) = parse_objects(text) {
                diags.push(e.diagnostic_at(objects_path(i)));
            }
        }
    }
    diags
}

fn objects_path(index: usize) -> AttributePath {
    AttributePath::root().attr("objects").index(index as i64)
}

/// Why an `objects` element is not Kubernetes objects.
#[derive(Debug, thiserror::Error)]
pub enum ObjectsError {
    /// Neither YAML nor JSON.
    #[error("{0}. Give YAML or JSON Kubernetes objects.")]
    NotYaml(#[from] YamlError),
    /// A document that is not a mapping.
    #[error("a document is {kind}, not an object. Give Kubernetes objects.")]
    NotAnObject {
        /// `a list`, `a string`, ...
        kind: &'static str,
    },
}

impl ToDiagnostic for ObjectsError {
    fn to_diagnostic(&self) -> Diagnostic {
        Diagnostic::error("Invalid object", self.to_string())
    }
}

/// One `objects` element: a YAML stream or a JSON object, with `List`s expanded.
fn parse_objects(text: &str) -> Result<Vec<Json>, ObjectsError> {
    let documents = clusternet_model::yaml::parse_stream(text)?;
    let mut objects = Vec::new();
    for document in documents {
        match document {
            Json::Object(mut map) if map.get("kind").and_then(Json::as_str) == Some("List") => {
                if let Some(Json::Array(items)) = map.remove("items") {
                    objects.extend(items);
                }
            }
            Json::Object(_) => objects.push(document),
            other => {
                return Err(ObjectsError::NotAnObject {
                    kind: json_kind(&other),
                });
            }
        }
    }
    Ok(objects)
}

fn json_kind(value: &Json) -> &'static str {
    match value {
        Json::Array(_) => "a list",
        Json::String(_) => "a string",
        Json::Number(_) => "a number",
        Json::Bool(_) => "a boolean",
        Json::Null => "null",
        Json::Object(_) => "an object",
    }
}

/// The `cluster` blocks as ManagedClusters.
fn clusters(config: &Value, diags: &mut Diagnostics) -> Vec<ManagedCluster> {
    let Field::Known(items) = attrs::elements(config, "cluster") else {
        return Vec::new();
    };
    let mut objects = Vec::new();
    let mut seen = BTreeMap::new();
    for (i, item) in items.iter().enumerate() {
        let path = AttributePath::root().attr("cluster").index(i as i64);
        let Some(name) = attrs::string(item, "name").known() else {
            continue;
        };
        if let Some(first) = seen.insert(name.clone(), i) {
            diags.error_at(
                path.attr("name"),
                "Duplicate cluster",
                format!("Cluster {name:?} is already given by cluster[{first}]; names are unique."),
            );
            continue;
        }
        let namespace = attrs::string(item, "namespace")
            .known()
            .unwrap_or_else(|| format!("clusternet-{name}"));
        let labels = attrs::string_map(item, "labels")
            .known()
            .unwrap_or_default();
        objects.push(subscription::managed_cluster(
            &name,
            &namespace,
            &labels,
            &[],
        ));
    }
    objects
}

/// Renders.
pub fn read(config: &Value) -> (Value, Diagnostics) {
    let mut diags = validate(config);
    if diags.has_errors() {
        return (Value::Null, diags);
    }
    let texts = attrs::string_list(config, "objects")
        .known()
        .unwrap_or_default();
    let mut input = RenderInput::default();
    for object in clusters(config, &mut Diagnostics::new()) {
        if let Err(e) = input.add_cluster(object) {
            diags.error_at(
                AttributePath::root().attr("cluster"),
                "Invalid cluster",
                format!("{e}."),
            );
        }
    }
    for (i, text) in texts.iter().enumerate() {
        let objects = match parse_objects(text) {
            Ok(objects) => objects,
            Err(e) => {
                diags.push(e.diagnostic_at(objects_path(i)));
                continue;
            }
        };
        for mut object in objects {
            // `clusternet_helm_chart.values` rides in the feed: its priority-0 Globalization.
            let chart_values = clusternet_model::hub::chart_values::take(&mut object);
            if let Err(e) = std::iter::once(object)
                .chain(chart_values)
                .try_for_each(|o| input.add_object(o))
            {
                diags.error_at(
                    objects_path(i),
                    "Invalid object",
                    format!("{e}. Check the object against Clusternet's API."),
                );
            }
        }
    }
    if diags.has_errors() {
        return (Value::Null, diags);
    }
    let output = match clusternet_model::render::render(&input) {
        Ok(output) => output,
        Err(e) => {
            diags.push(
                Diagnostic::error("Cannot render", format!("{e}."))
                    .at(AttributePath::root().attr("objects")),
            );
            return (Value::Null, diags);
        }
    };
    // As in a subscription's plan, an override failing on some cluster is an error (ADR 0027).
    diags.extend(subscription::override_failures::diagnostics(
        output.failures(),
        |_| AttributePath::root().attr("objects"),
    ));
    if diags.has_errors() {
        return (Value::Null, diags);
    }
    let object_type = subscription_type();
    let mut subscriptions = BTreeMap::new();
    let mut warnings: Vec<Value> = output
        .warnings
        .iter()
        .map(|w| Value::from(w.message.as_str()))
        .collect();
    for result in &output.subscriptions {
        let meta = &result.subscription.metadata;
        let rendered = subscription::summarise(
            result,
            &subscription::SecretMarkers::Unkeyed,
            Diagnostics::new(),
        );
        warnings.extend(
            result
                .warnings
                .iter()
                .map(|w| Value::from(format!("{}/{}: {}", meta.namespace, meta.name, w.message))),
        );
        let object = rendered
            .attribute_values()
            .into_iter()
            .chain([("descriptions", rendered.per_cluster_descriptions())])
            .fold(ObjectBuilder::new(&object_type), |object, (attr, value)| {
                object.set(attr, value)
            })
            .build()
            .expect("the subscription object type lists these attributes");
        subscriptions.insert(format!("{}/{}", meta.namespace, meta.name), object);
    }
    let mut state = config
        .unwrap_dynamic()
        .as_entries()
        .cloned()
        .unwrap_or_default();
    state.insert("subscriptions".into(), Value::Map(subscriptions));
    state.insert("warnings".into(), Value::List(warnings));
    (Value::Object(state), diags)
}

/// `clusternet_render`.
pub struct Render;

impl DataSource for Render {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        validate(config)
    }

    // Pure: needs no provider configuration.
    fn read<'a>(&'a self, _ctx: &'a Context, config: Value) -> Fut<'a, (Value, Diagnostics)> {
        Box::pin(async move { read(&config) })
    }
}
