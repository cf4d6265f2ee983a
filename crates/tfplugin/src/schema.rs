//! Schemas: what the provider, its resources and its data sources accept and compute.
//!
//! Built in Rust, sent to Terraform as `tfplugin6.Schema`, and used to derive the value type
//! every DynamicValue is decoded and encoded with.

use std::collections::BTreeMap;

use crate::function::FunctionDeclaration;
use crate::proto::tfplugin6 as pb;
use crate::value::Type;

/// A versioned schema (provider configuration, resource or data source).
#[derive(Debug, Clone, Default)]
pub struct Schema {
    /// Version stored in state as `schema_version`; drives state upgrades.
    pub version: i64,
    /// The top-level block.
    pub block: Block,
}

/// A block: attributes and nested blocks, with a Markdown description.
#[derive(Debug, Clone, Default)]
pub struct Block {
    /// Attributes, by name.
    pub attributes: Vec<Attribute>,
    /// Nested blocks (this provider prefers nested attributes, protocol 6).
    pub blocks: Vec<NestedBlock>,
    /// Markdown description.
    pub description: String,
    /// Whether the whole block is deprecated.
    pub deprecated: bool,
}

/// How an attribute's value is typed.
#[derive(Debug, Clone)]
pub enum AttributeType {
    /// A plain cty type.
    Plain(Type),
    /// Nested attributes (protocol 6 `nested_type`).
    Nested {
        /// Collection shape of the nested object.
        nesting: ObjectNesting,
        /// The nested object's attributes.
        attributes: Vec<Attribute>,
    },
}

/// Collection shapes for nested attributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectNesting {
    /// One object.
    Single,
    /// A list of objects.
    List,
    /// A set of objects.
    Set,
    /// A map of objects.
    Map,
}

/// Collection shapes for nested blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockNesting {
    /// At most one block.
    Single,
    /// A list of blocks.
    List,
    /// A set of blocks.
    Set,
    /// Labelled blocks.
    Map,
    /// Exactly one block, never null.
    Group,
}

/// One attribute of a block or nested object.
#[derive(Debug, Clone)]
pub struct Attribute {
    /// Name (`[a-z0-9_]+`).
    pub name: String,
    /// Its type.
    pub ty: AttributeType,
    /// Markdown description.
    pub description: String,
    /// The user must set it.
    pub required: bool,
    /// The user may set it.
    pub optional: bool,
    /// The provider may set it.
    pub computed: bool,
    /// Masked in Terraform's output.
    pub sensitive: bool,
    /// Deprecated.
    pub deprecated: bool,
}

/// A nested block type.
#[derive(Debug, Clone)]
pub struct NestedBlock {
    /// Block type name.
    pub type_name: String,
    /// The block's content.
    pub block: Block,
    /// Collection shape.
    pub nesting: BlockNesting,
    /// Minimum number of blocks.
    pub min_items: i64,
    /// Maximum number of blocks (0: no limit).
    pub max_items: i64,
}

impl NestedBlock {
    /// A nested block type with no item limits.
    pub fn new(type_name: &str, nesting: BlockNesting, block: Block) -> Self {
        NestedBlock {
            type_name: type_name.to_string(),
            block,
            nesting,
            min_items: 0,
            max_items: 0,
        }
    }
}

impl Attribute {
    fn new(name: &str, ty: AttributeType) -> Self {
        Attribute {
            name: name.to_string(),
            ty,
            description: String::new(),
            required: false,
            optional: false,
            computed: false,
            sensitive: false,
            deprecated: false,
        }
    }

    /// A required attribute of a plain type.
    pub fn required(name: &str, ty: Type) -> Self {
        Attribute {
            required: true,
            ..Self::new(name, AttributeType::Plain(ty))
        }
    }

    /// An optional attribute of a plain type.
    pub fn optional(name: &str, ty: Type) -> Self {
        Attribute {
            optional: true,
            ..Self::new(name, AttributeType::Plain(ty))
        }
    }

    /// A computed-only attribute of a plain type.
    pub fn computed(name: &str, ty: Type) -> Self {
        Attribute {
            computed: true,
            ..Self::new(name, AttributeType::Plain(ty))
        }
    }

    /// An attribute holding nested attributes; set the flags with the builder methods.
    pub fn nested(name: &str, nesting: ObjectNesting, attributes: Vec<Attribute>) -> Self {
        Self::new(
            name,
            AttributeType::Nested {
                nesting,
                attributes,
            },
        )
    }

    /// Marks the attribute required (nested attributes start with no flag).
    pub fn with_required(mut self) -> Self {
        self.required = true;
        self
    }

    /// Marks the attribute optional.
    pub fn with_optional(mut self) -> Self {
        self.optional = true;
        self
    }

    /// Marks the attribute computed as well (optional + computed: the provider decides when unset).
    pub fn with_computed(mut self) -> Self {
        self.computed = true;
        self
    }

    /// Marks the attribute sensitive.
    pub fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }

    /// Sets the Markdown description.
    pub fn describe(mut self, description: &str) -> Self {
        self.description = description.to_string();
        self
    }

    /// The value type this attribute implies.
    pub fn value_type(&self) -> Type {
        match &self.ty {
            AttributeType::Plain(ty) => ty.clone(),
            AttributeType::Nested {
                nesting,
                attributes,
            } => {
                let object = object_type(attributes);
                match nesting {
                    ObjectNesting::Single => object,
                    ObjectNesting::List => Type::List(Box::new(object)),
                    ObjectNesting::Set => Type::Set(Box::new(object)),
                    ObjectNesting::Map => Type::Map(Box::new(object)),
                }
            }
        }
    }

    fn to_proto(&self) -> pb::schema::Attribute {
        let (ty, nested_type) = match &self.ty {
            AttributeType::Plain(ty) => (ty.to_json().into_bytes(), None),
            AttributeType::Nested {
                nesting,
                attributes,
            } => (
                Vec::new(),
                Some(pb::schema::Object {
                    attributes: attributes.iter().map(Attribute::to_proto).collect(),
                    nesting: match nesting {
                        ObjectNesting::Single => pb::schema::object::NestingMode::Single,
                        ObjectNesting::List => pb::schema::object::NestingMode::List,
                        ObjectNesting::Set => pb::schema::object::NestingMode::Set,
                        ObjectNesting::Map => pb::schema::object::NestingMode::Map,
                    } as i32,
                    ..Default::default()
                }),
            ),
        };
        pb::schema::Attribute {
            name: self.name.clone(),
            r#type: ty,
            nested_type,
            description: self.description.clone(),
            required: self.required,
            optional: self.optional,
            computed: self.computed,
            sensitive: self.sensitive,
            description_kind: pb::StringKind::Markdown as i32,
            deprecated: self.deprecated,
            ..Default::default()
        }
    }
}

fn object_type(attributes: &[Attribute]) -> Type {
    Type::Object(
        attributes
            .iter()
            .map(|a| (a.name.clone(), a.value_type()))
            .collect::<BTreeMap<_, _>>(),
    )
}

impl Block {
    /// A block with these attributes and description.
    pub fn new(description: &str, attributes: Vec<Attribute>) -> Self {
        Block {
            attributes,
            description: description.to_string(),
            ..Default::default()
        }
    }

    /// The object type of a value of this block: one attribute per attribute and nested block.
    pub fn value_type(&self) -> Type {
        let mut attrs: BTreeMap<String, Type> = self
            .attributes
            .iter()
            .map(|a| (a.name.clone(), a.value_type()))
            .collect();
        for nested in &self.blocks {
            let object = nested.block.value_type();
            let ty = match nested.nesting {
                BlockNesting::Single | BlockNesting::Group => object,
                BlockNesting::List => Type::List(Box::new(object)),
                BlockNesting::Set => Type::Set(Box::new(object)),
                BlockNesting::Map => Type::Map(Box::new(object)),
            };
            attrs.insert(nested.type_name.clone(), ty);
        }
        Type::Object(attrs)
    }

    /// Adds a nested block type.
    pub fn with_block(mut self, nested: NestedBlock) -> Self {
        self.blocks.push(nested);
        self
    }

    /// Looks an attribute up by name.
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }

    fn to_proto(&self, version: i64) -> pb::schema::Block {
        pb::schema::Block {
            version,
            attributes: self.attributes.iter().map(Attribute::to_proto).collect(),
            block_types: self
                .blocks
                .iter()
                .map(|b| pb::schema::NestedBlock {
                    type_name: b.type_name.clone(),
                    block: Some(b.block.to_proto(version)),
                    nesting: match b.nesting {
                        BlockNesting::Single => pb::schema::nested_block::NestingMode::Single,
                        BlockNesting::List => pb::schema::nested_block::NestingMode::List,
                        BlockNesting::Set => pb::schema::nested_block::NestingMode::Set,
                        BlockNesting::Map => pb::schema::nested_block::NestingMode::Map,
                        BlockNesting::Group => pb::schema::nested_block::NestingMode::Group,
                    } as i32,
                    min_items: b.min_items,
                    max_items: b.max_items,
                })
                .collect(),
            description: self.description.clone(),
            description_kind: pb::StringKind::Markdown as i32,
            deprecated: self.deprecated,
            ..Default::default()
        }
    }
}

impl Schema {
    /// A version-0 schema around `block`.
    pub fn new(block: Block) -> Self {
        Schema { version: 0, block }
    }

    /// This schema at `version` (states written with an older one go through
    /// UpgradeResourceState).
    pub fn with_version(mut self, version: i64) -> Schema {
        self.version = version;
        self
    }

    /// The value type of objects of this schema.
    pub fn value_type(&self) -> Type {
        self.block.value_type()
    }

    /// The wire form.
    pub fn to_proto(&self) -> pb::Schema {
        pb::Schema {
            version: self.version,
            block: Some(self.block.to_proto(self.version)),
        }
    }
}

/// Every schema a provider serves.
#[derive(Debug, Clone, Default)]
pub struct ProviderSchemas {
    /// The provider configuration block.
    pub provider: Schema,
    /// Managed resources by type name.
    pub resources: BTreeMap<String, Schema>,
    /// Data sources by type name.
    pub data_sources: BTreeMap<String, Schema>,
    /// Provider-defined functions by name (called as `provider::<provider>::<name>`).
    pub functions: BTreeMap<String, FunctionDeclaration>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_attributes_imply_collection_of_objects() {
        let attr = Attribute::nested(
            "clusters",
            ObjectNesting::Map,
            vec![Attribute::optional(
                "labels",
                Type::Map(Box::new(Type::String)),
            )],
        )
        .with_optional();
        assert_eq!(
            attr.value_type().to_json(),
            r#"["map",["object",{"labels":["map","string"]}]]"#
        );
        let proto = attr.to_proto();
        assert!(proto.r#type.is_empty());
        assert_eq!(
            proto.nested_type.unwrap().nesting,
            pb::schema::object::NestingMode::Map as i32
        );
    }

    #[test]
    fn block_type_lists_every_attribute() {
        let block = Block::new(
            "",
            vec![
                Attribute::required("a", Type::String),
                Attribute::computed("b", Type::Number),
            ],
        );
        assert_eq!(
            block.value_type().to_json(),
            r#"["object",{"a":"string","b":"number"}]"#
        );
    }
}
