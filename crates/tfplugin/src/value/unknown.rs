//! Unknown values ("known after apply") and the refinements Terraform may attach to them.

use super::number::Number;

/// A value that is not known yet, possibly with what is known about it (cty refinements).
///
/// On the msgpack wire an unrefined unknown is extension 0 (`d4 00 00`) and a refined one is
/// extension 12 with a map payload. When decoding finds an extension that is not exactly how
/// the codec would write these refinements (another extension code, extra payload bytes, keys
/// that do not apply to the type), the original extension is kept and written back unchanged,
/// so that decode → encode reproduces the input byte for byte.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Unknown {
    refinements: Refinements,
    original: Option<RawExtension>,
}

/// A msgpack extension kept verbatim from the input.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct RawExtension {
    pub(crate) code: i8,
    pub(crate) data: Vec<u8>,
}

/// What Terraform knows about an unknown value (msgpack extension 12 keys 1-6).
///
/// Each refinement is a promise: a provider that plans a refined unknown must produce a final
/// value that satisfies it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Refinements {
    /// Key 1 = `false`: the final value will not be null.
    pub definitely_not_null: bool,
    /// Key 2: the final string starts with this prefix (strings only).
    pub string_prefix: Option<String>,
    /// Key 3: lower bound of the final number (numbers only).
    pub number_lower_bound: Option<NumberBound>,
    /// Key 4: upper bound of the final number (numbers only).
    pub number_upper_bound: Option<NumberBound>,
    /// Key 5: minimum length of the final collection (lists, sets, maps only).
    pub length_lower_bound: Option<u64>,
    /// Key 6: maximum length of the final collection (lists, sets, maps only).
    pub length_upper_bound: Option<u64>,
}

/// One end of a number range refinement.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct NumberBound {
    /// The bound.
    pub value: Number,
    /// Whether the bound itself is included.
    pub inclusive: bool,
}

impl Unknown {
    /// An unknown with no refinements.
    pub fn new() -> Self {
        Self::default()
    }

    /// An unknown with the given refinements.
    pub fn refined(refinements: Refinements) -> Self {
        Self {
            refinements,
            original: None,
        }
    }

    /// What is known about the eventual value.
    pub fn refinements(&self) -> &Refinements {
        &self.refinements
    }

    pub(crate) fn original(&self) -> Option<&RawExtension> {
        self.original.as_ref()
    }

    pub(crate) fn from_wire(refinements: Refinements, original: Option<RawExtension>) -> Self {
        Self {
            refinements,
            original,
        }
    }
}

impl Refinements {
    /// Whether nothing is known at all.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}
