//! Building Terraform values from scratch, as import does: every attribute and nested block
//! of the schema present, the way Terraform itself represents a configuration.

use std::collections::BTreeMap;

use clusternet_tfplugin::{Block, BlockNesting, Value};

/// The value of `block` with the `set` entries; attributes not set are null, nested list and
/// set blocks not set are empty (Terraform never makes them null), single blocks null.
pub fn block_value(block: &Block, set: impl IntoIterator<Item = (&'static str, Value)>) -> Value {
    let mut entries: BTreeMap<String, Value> =
        set.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
    for attribute in &block.attributes {
        entries.entry(attribute.name.clone()).or_insert(Value::Null);
    }
    for nested in &block.blocks {
        entries
            .entry(nested.type_name.clone())
            .or_insert_with(|| match nested.nesting {
                BlockNesting::List => Value::List(Vec::new()),
                BlockNesting::Set => Value::Set(Vec::new()),
                BlockNesting::Map => Value::Map(BTreeMap::new()),
                BlockNesting::Single | BlockNesting::Group => Value::Null,
            });
    }
    Value::Object(entries)
}

/// The nested block `name` of `block`.
///
/// # Panics
/// When the schema has no such block: a programming error caught by the unit tests.
pub fn nested<'b>(block: &'b Block, name: &str) -> &'b Block {
    &block
        .blocks
        .iter()
        .find(|b| b.type_name == name)
        .unwrap_or_else(|| panic!("the schema has a {name} block"))
        .block
}

/// A string value, null when empty.
pub fn non_empty(text: Option<&str>) -> Value {
    match text {
        Some(t) if !t.is_empty() => Value::from(t),
        _ => Value::Null,
    }
}

/// A list of strings.
pub fn string_list<'a>(items: impl IntoIterator<Item = &'a str>) -> Value {
    Value::List(items.into_iter().map(Value::from).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clusternet_tfplugin::{Attribute, NestedBlock, Type};

    #[test]
    fn unset_attributes_are_null_and_unset_list_blocks_empty() {
        let block = Block::new("", vec![Attribute::optional("a", Type::String)])
            .with_block(NestedBlock::new(
                "many",
                BlockNesting::List,
                Block::new("", vec![]),
            ))
            .with_block(NestedBlock::new(
                "one",
                BlockNesting::Single,
                Block::new("", vec![]),
            ));
        let value = block_value(&block, []);
        assert_eq!(value.get("a"), Some(&Value::Null));
        assert_eq!(value.get("many"), Some(&Value::List(Vec::new())));
        assert_eq!(value.get("one"), Some(&Value::Null));
        assert_eq!(nested(&block, "many").attributes.len(), 0);
    }
}
