//! Kubernetes label selectors in schemas: the block and its parsing.

use clusternet_model::types::{LabelSelector, LabelSelectorRequirement, SelectorOperator};
use clusternet_tfplugin::{
    Attribute, AttributePath, Block, BlockNesting, Diagnostics, NestedBlock, Type, Value,
};

use crate::attrs::{self, Field};

/// A single selector block named `name`. A block rather than a nested attribute: Terraform 1.0
/// crashes when planning a resource or data source whose single nested attribute is null
/// (docs/adr/0001-nested-blocks-for-optional-objects.md).
pub fn block(name: &str, description: &str) -> NestedBlock {
    NestedBlock::new(
        name,
        BlockNesting::Single,
        Block::new(
            description,
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

/// Parses the selector block `name` of `object`; `None` when absent. Problems are reported
/// at `path_prefix.name...`.
pub fn parse_at(
    object: &Value,
    name: &str,
    path_prefix: &AttributePath,
    diags: &mut Diagnostics,
) -> Option<LabelSelector> {
    let Field::Known(selector) = attrs::object(object, name) else {
        return None;
    };
    let path = path_prefix.clone().attr(name);
    let mut parsed = LabelSelector {
        match_labels: attrs::string_map(selector, "match_labels")
            .known()
            .unwrap_or_default(),
        match_expressions: Vec::new(),
    };
    // Values from variables are unknown during validation: checked once known.
    let mut unknown = attrs::string_map(selector, "match_labels").is_unknown();
    if let Field::Known(items) = attrs::elements(selector, "match_expressions") {
        for (i, item) in items.iter().enumerate() {
            unknown |= ["key", "operator"]
                .iter()
                .any(|a| attrs::string(item, a).is_unknown())
                || attrs::string_list(item, "values").is_unknown();
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
    if !unknown && let Err(e) = parsed.validate() {
        diags.error_at(
            path,
            "Invalid label selector",
            format!("{e}. In and NotIn need values; Exists and DoesNotExist take none."),
        );
    }
    Some(parsed)
}

/// Parses the top-level selector block `name`.
pub fn parse(config: &Value, name: &str, diags: &mut Diagnostics) -> Option<LabelSelector> {
    parse_at(config, name, &AttributePath::root(), diags)
}

/// The value of a selector block (of [`block`]) for a Kubernetes label selector read from the
/// hub: the inverse of [`parse_at`], with empty parts left unset as a configuration leaves them.
pub fn imported(selector: &serde_json::Value) -> Value {
    use crate::values::{block_value, nested, non_empty, string_list};
    let schema = block("selector", "");
    let match_labels = selector
        .get("matchLabels")
        .and_then(serde_json::Value::as_object)
        .filter(|labels| !labels.is_empty())
        .map_or(Value::Null, |labels| {
            Value::Map(
                labels
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::from(v.as_str().unwrap_or_default())))
                    .collect(),
            )
        });
    let expression_block = nested(&schema.block, "match_expressions");
    let expressions = selector
        .get("matchExpressions")
        .and_then(serde_json::Value::as_array)
        .into_iter()
        .flatten()
        .map(|e| {
            let values: Vec<&str> = e
                .get("values")
                .and_then(serde_json::Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(serde_json::Value::as_str)
                .collect();
            block_value(
                expression_block,
                [
                    ("key", non_empty(e["key"].as_str())),
                    ("operator", non_empty(e["operator"].as_str())),
                    (
                        "values",
                        if values.is_empty() {
                            Value::Null
                        } else {
                            string_list(values)
                        },
                    ),
                ],
            )
        })
        .collect();
    block_value(
        &schema.block,
        [
            ("match_labels", match_labels),
            ("match_expressions", Value::List(expressions)),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_imported_selector_parses_back_to_itself() {
        let selector = serde_json::json!({
            "matchLabels": {"env": "prod"},
            "matchExpressions": [
                {"key": "region", "operator": "In", "values": ["eu", "us"]},
                {"key": "gpu", "operator": "Exists"}
            ]
        });
        let mut config = std::collections::BTreeMap::new();
        config.insert("cluster_affinity".to_string(), imported(&selector));
        let mut diags = Diagnostics::new();
        let parsed = parse(&Value::Object(config), "cluster_affinity", &mut diags).unwrap();
        assert!(!diags.has_errors(), "{diags:?}");
        assert_eq!(serde_json::to_value(parsed).unwrap(), selector);
    }
}
