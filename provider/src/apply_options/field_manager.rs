//! The `field_manager` block: the server-side apply field manager of the subscription's
//! objects and whether it forces conflicts, overriding the provider's settings.

use clusternet_tfplugin::{
    Attribute, AttributePath, Block, BlockNesting, Diagnostics, NestedBlock, Type, Value,
};

use crate::attrs::{self, Field};

/// The block's name.
pub const BLOCK: &str = "field_manager";

/// The Kubernetes API server refuses longer field manager names.
const MAX_NAME: usize = 128;

/// The subscription's field manager settings; `None` fields follow the provider.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldManager {
    /// The manager's name (default `clusternet-terraform`).
    pub name: Option<String>,
    /// Whether objects new to the subscription are forced onto fields another manager holds
    /// (default: the provider's `force_conflicts`).
    pub force_conflicts: Option<bool>,
}

/// The block.
pub fn block() -> NestedBlock {
    NestedBlock::new(
        BLOCK,
        BlockNesting::Single,
        Block::new(
            "The server-side apply field manager of this subscription's objects (not of Helm \
             releases, which helm manages), overriding the provider's settings.",
            vec![
                Attribute::optional("name", Type::String).describe(
                    "The field manager named in the objects' `managedFields` (default \
                     `clusternet-terraform`). Changing it on a deployed subscription leaves \
                     the old name co-owning the fields it held: remove it with a server-side \
                     apply of your own if fields removed from the configuration must go too.",
                ),
                Attribute::optional("force_conflicts", Type::Bool).describe(
                    "Whether an object this subscription applies for the first time takes over \
                     fields another field manager holds (`true`), or fails naming that manager \
                     and the fields (`false`). Default: the provider's `force_conflicts`. \
                     Objects the subscription deployed before are always forced, so drift on \
                     them is restored (see `ignore_fields` for fields others own).",
                ),
            ],
        ),
    )
}

/// Decodes the block; `None` when something is unknown or invalid (errors on the attribute).
pub fn decode(config: &Value, diags: &mut Diagnostics) -> Option<FieldManager> {
    let block = match attrs::object(config, BLOCK) {
        Field::Known(block) => block,
        Field::Null => return Some(FieldManager::default()),
        Field::Unknown => return None,
    };
    let path = AttributePath::root().attr(BLOCK);
    let name = match attrs::string(block, "name") {
        Field::Null => None,
        Field::Unknown => return None,
        Field::Known(name) => {
            let printable = name.chars().all(|c| c.is_ascii_graphic() || c == ' ');
            if name.trim().is_empty() || name.len() > MAX_NAME || !printable {
                diags.error_at(
                    path.clone().attr("name"),
                    "Invalid field manager name",
                    format!(
                        "name = {name:?}: use a non-empty name of printable ASCII characters, \
                         at most {MAX_NAME} long (the API server refuses others)."
                    ),
                );
                return None;
            }
            Some(name)
        }
    };
    let force_conflicts = match attrs::boolean(block, "force_conflicts") {
        Field::Known(force) => Some(force),
        Field::Null => None,
        Field::Unknown => return None,
    };
    Some(FieldManager {
        name,
        force_conflicts,
    })
}
