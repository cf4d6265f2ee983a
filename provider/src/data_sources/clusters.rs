//! `clusternet_clusters`: the cluster inventory, optionally filtered by a label selector.

use crate::attrs::{self, Field};
use crate::config::ProviderConfig;
use clusternet_model::types::{LabelSelector, LabelSelectorRequirement, SelectorOperator};
use clusternet_tfplugin::value::ObjectBuilder;
use clusternet_tfplugin::{
    Attribute, AttributePath, Block, BlockNesting, Diagnostics, NestedBlock, ObjectNesting, Schema,
    Type, Value,
};

/// Type name.
pub const TYPE_NAME: &str = "clusternet_clusters";

/// The `selector` block. A block rather than a nested attribute: Terraform 1.0 crashes when
/// planning a data source or resource whose single nested attribute is null (see
/// docs/adr/0001-nested-blocks-for-optional-objects.md).
fn selector_block() -> NestedBlock {
    NestedBlock::new(
        "selector",
        BlockNesting::Single,
        Block::new(
            "A Kubernetes label selector. Without it every cluster is listed; an empty \
             `selector {}` also selects every cluster.",
            vec![
                Attribute::optional("match_labels", Type::map(Type::String))
                    .describe("Labels a cluster must have, all of them."),
            ],
        )
        .with_block(NestedBlock::new(
            "match_expressions",
            BlockNesting::List,
            Block::new(
                "A set-based requirement; all of them must hold.",
                vec![
                    Attribute::required("key", Type::String).describe("Label key."),
                    Attribute::required("operator", Type::String)
                        .describe("`In`, `NotIn`, `Exists` or `DoesNotExist`."),
                    Attribute::optional("values", Type::list(Type::String))
                        .describe("Values for `In` and `NotIn`."),
                ],
            ),
        )),
    )
}

fn cluster_object_type() -> Type {
    Type::object([
        ("name", Type::String),
        ("labels", Type::map(Type::String)),
        ("namespace", Type::String),
        ("target", Type::String),
        ("directory", Type::String),
    ])
}

/// The schema.
pub fn schema() -> Schema {
    Schema::new(
        Block::new(
            "Lists the child clusters known to the provider (from its `clusters` configuration): \
         name, labels, dedicated namespace and kind of target, optionally filtered by a label \
         selector - the same selection a Subscription's `subscribers` make.",
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
                            "`kubernetes` (a real cluster) or `directory` (rendered files).",
                        ),
                        Attribute::computed("directory", Type::String)
                            .describe("The directory of a directory target; null otherwise."),
                    ],
                )
                .with_computed()
                .describe("Matching clusters, sorted by name."),
                Attribute::computed("names", Type::list(Type::String))
                    .describe("Names of the matching clusters, sorted."),
            ],
        )
        .with_block(selector_block()),
    )
}

/// Parses the `selector` attribute; `None` when absent (list everything).
fn parse_selector(config: &Value, diags: &mut Diagnostics) -> Option<LabelSelector> {
    let Field::Known(selector) = attrs::object(config, "selector") else {
        return None;
    };
    let path = AttributePath::root().attr("selector");
    let mut parsed = LabelSelector {
        match_labels: attrs::string_map(selector, "match_labels")
            .known()
            .unwrap_or_default(),
        match_expressions: Vec::new(),
    };
    if let Field::Known(items) = attrs::elements(selector, "match_expressions") {
        for (i, item) in items.iter().enumerate() {
            let item_path = path.clone().attr("match_expressions").index(i as i64);
            let key = attrs::string(item, "key").known().unwrap_or_default();
            let operator = attrs::string(item, "operator").known().unwrap_or_default();
            let operator = match operator.as_str() {
                "In" => SelectorOperator::In,
                "NotIn" => SelectorOperator::NotIn,
                "Exists" => SelectorOperator::Exists,
                "DoesNotExist" => SelectorOperator::DoesNotExist,
                other => {
                    diags.error_at(
                        item_path.attr("operator"),
                        "Invalid selector operator",
                        format!("operator = {other:?}: use In, NotIn, Exists or DoesNotExist."),
                    );
                    continue;
                }
            };
            parsed.match_expressions.push(LabelSelectorRequirement {
                key,
                operator,
                values: attrs::string_list(item, "values")
                    .known()
                    .unwrap_or_default(),
            });
        }
    }
    if let Err(e) = parsed.validate() {
        diags.error_at(
            path,
            "Invalid label selector",
            format!("{e}. In and NotIn need values; Exists and DoesNotExist take none."),
        );
    }
    Some(parsed)
}

/// Offline checks.
pub fn validate(config: &Value) -> Diagnostics {
    let mut diags = Diagnostics::new();
    parse_selector(config, &mut diags);
    diags
}

/// Reads the inventory.
pub fn read(config: &Value, provider: &ProviderConfig) -> (Value, Diagnostics) {
    let mut diags = Diagnostics::new();
    let selector = parse_selector(config, &mut diags);
    if diags.has_errors() {
        return (Value::Null, diags);
    }
    if provider.has_unknowns {
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
            crate::config::Target::Cluster(_) => Value::Null,
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
