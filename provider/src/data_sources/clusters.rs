//! `clusternet_clusters`: the cluster inventory - the provider's `clusters` and, with a hub,
//! the ManagedClusters registered there - optionally filtered by a label selector.

use crate::config::ProviderConfig;
use crate::context::Context;
use crate::registry::{DataSource, Fut};
use crate::selector;
use clusternet_tfplugin::value::ObjectBuilder;
use clusternet_tfplugin::{Attribute, Block, Diagnostics, ObjectNesting, Schema, Type, Value};

/// Type name.
pub const TYPE_NAME: &str = "clusternet_clusters";

fn cluster_object_type() -> Type {
    Type::object([
        ("name", Type::String),
        ("labels", Type::map(Type::String)),
        ("namespace", Type::String),
        ("target", Type::String),
        ("directory", Type::String),
        ("source", Type::String),
    ])
}

/// The schema.
pub fn schema() -> Schema {
    Schema::new(
        Block::new(
            "Lists the child clusters known to the provider - its `clusters` configuration and, \
         with a `hub`, the ManagedClusters registered there (all namespaces) - with name, \
         labels, dedicated namespace, kind of target and where each comes from, optionally \
         filtered by a label selector: the same selection a Subscription's `subscribers` \
         make. A cluster in both places is one entry: labels are the hub's with the \
         configuration's on top, the namespace is the configuration's `namespace` when set \
         and the hub's otherwise, credentials come from the configuration only.",
            vec![
                Attribute::nested(
                    "clusters",
                    ObjectNesting::List,
                    vec![
                        Attribute::computed("name", Type::String).describe("Cluster name."),
                        Attribute::computed("labels", Type::map(Type::String))
                            .describe("Cluster labels."),
                        Attribute::computed("namespace", Type::String)
                            .describe("The cluster's dedicated namespace on the hub."),
                        Attribute::computed("target", Type::String).describe(
                            "`kubernetes` (a real cluster), `directory` (rendered files) or \
                             `hub` (registered on the hub only: no credentials, the provider \
                             does not deploy to it).",
                        ),
                        Attribute::computed("directory", Type::String)
                            .describe("The directory of a directory target; null otherwise."),
                        Attribute::computed("source", Type::String).describe(
                            "Where the cluster comes from: `config` (the provider's \
                             `clusters`), `hub` (a ManagedCluster on the hub) or `config+hub` \
                             (both, merged).",
                        ),
                    ],
                )
                .with_computed()
                .describe("Matching clusters, sorted by name."),
                Attribute::computed("names", Type::list(Type::String))
                    .describe("Names of the matching clusters, sorted."),
            ],
        )
        .with_block(selector::block(
            "selector",
            "A Kubernetes label selector. Without it every cluster is listed; an empty \
         `selector {}` also selects every cluster.",
        )),
    )
}

/// Offline checks.
pub fn validate(config: &Value) -> Diagnostics {
    let mut diags = Diagnostics::new();
    selector::parse(config, "selector", &mut diags);
    diags
}

/// Reads the inventory.
pub fn read(config: &Value, provider: &ProviderConfig) -> (Value, Diagnostics) {
    let mut diags = Diagnostics::new();
    let selector = selector::parse(config, "selector", &mut diags);
    if diags.has_errors() {
        return (Value::Null, diags);
    }
    let targets_unknown = provider
        .clusters
        .values()
        .any(|c| c.target == crate::config::Target::Unknown);
    if provider.has_unknowns || targets_unknown {
        diags.push(clusternet_tfplugin::Diagnostic::error(
            "Cluster inventory not known yet",
            "The provider's `clusters` configuration depends on values that are only known \
             after apply (e.g. attributes of resources not yet created). Apply those first \
             (`terraform apply -target=...`), or configure the clusters from known values.",
        ));
        return (Value::Null, diags);
    }
    let object_type = cluster_object_type();
    let mut clusters = Vec::new();
    let mut names = Vec::new();
    for cluster in provider.clusters.values() {
        if let Some(selector) = &selector
            && !selector.matches(&cluster.labels)
        {
            continue;
        }
        let directory = match &cluster.target {
            crate::config::Target::Directory(dir) => Value::from(dir.display().to_string()),
            crate::config::Target::Cluster(_)
            | crate::config::Target::HubOnly
            | crate::config::Target::Unknown => Value::Null,
        };
        let labels = Value::Map(
            cluster
                .labels
                .iter()
                .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
                .collect(),
        );
        let object = ObjectBuilder::new(&object_type)
            .set("name", cluster.name.as_str())
            .set("labels", labels)
            .set("namespace", cluster.namespace.as_str())
            .set("target", cluster.target.kind())
            .set("directory", directory)
            .set("source", cluster.source.as_str())
            .build()
            .expect("the cluster object type lists these attributes");
        clusters.push(object);
        names.push(Value::from(cluster.name.as_str()));
    }
    let mut state = match config.unwrap_dynamic() {
        Value::Object(entries) => entries.clone(),
        _ => Default::default(),
    };
    state.insert("clusters".into(), Value::List(clusters));
    state.insert("names".into(), Value::List(names));
    (Value::Object(state), diags)
}

/// `clusternet_clusters`.
pub struct Clusters;

impl DataSource for Clusters {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        validate(config)
    }

    fn read<'a>(&'a self, ctx: &'a Context, config: Value) -> Fut<'a, (Value, Diagnostics)> {
        Box::pin(async move {
            match ctx.inventory().await {
                Ok(inventory) => read(&config, &inventory),
                Err(diagnostics) => (Value::Null, diagnostics),
            }
        })
    }
}
