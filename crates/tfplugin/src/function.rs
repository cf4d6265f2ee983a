//! Provider-defined functions (protocol 6.5, Terraform 1.8+, OpenTofu 1.7+): what a function
//! declares and how a call fails.
//!
//! Declarations travel in GetProviderSchema (where Terraform 1.8+ reads them) and in
//! GetFunctions (where OpenTofu reads them). Older Terraform versions skip the unknown protobuf
//! field, so one provider binary serves both.

use std::fmt;

use crate::proto::tfplugin6 as pb;
use crate::value::Type;

/// One positional parameter of a function.
#[derive(Debug, Clone)]
pub struct Parameter {
    /// Display name, shown in documentation and Terraform's messages.
    pub name: String,
    /// The type constraint; [`Type::Dynamic`] accepts any value.
    pub ty: Type,
    /// Markdown description.
    pub description: String,
    /// Whether a null argument reaches the function (otherwise Terraform rejects it).
    pub allow_null: bool,
    /// Whether an argument holding unknowns reaches the function. When false, Terraform skips
    /// the call and takes the result as unknown, which is what a function that can only
    /// compute from known values wants.
    pub allow_unknown: bool,
}

impl Parameter {
    /// A parameter that must be known and non-null.
    pub fn new(name: &str, ty: Type, description: &str) -> Self {
        Parameter {
            name: name.to_string(),
            ty,
            description: description.to_string(),
            allow_null: false,
            allow_unknown: false,
        }
    }

    fn to_proto(&self) -> pb::function::Parameter {
        pb::function::Parameter {
            name: self.name.clone(),
            r#type: self.ty.to_json().into_bytes(),
            allow_null_value: self.allow_null,
            allow_unknown_values: self.allow_unknown,
            description: self.description.clone(),
            description_kind: pb::StringKind::Markdown as i32,
        }
    }
}

/// What a function takes and gives, with its documentation.
#[derive(Debug, Clone)]
pub struct FunctionDeclaration {
    /// Positional parameters, in order.
    pub parameters: Vec<Parameter>,
    /// The result's type; [`Type::Dynamic`] when it depends on the arguments.
    pub return_type: Type,
    /// One line, shown by editors and `terraform providers schema`.
    pub summary: String,
    /// Markdown description.
    pub description: String,
}

impl FunctionDeclaration {
    /// The wire form.
    pub fn to_proto(&self) -> pb::Function {
        pb::Function {
            parameters: self.parameters.iter().map(Parameter::to_proto).collect(),
            variadic_parameter: None,
            r#return: Some(pb::function::Return {
                r#type: self.return_type.to_json().into_bytes(),
            }),
            summary: self.summary.clone(),
            description: self.description.clone(),
            description_kind: pb::StringKind::Markdown as i32,
            deprecation_message: String::new(),
        }
    }
}

/// Why a call failed: a sentence for people and, when one argument is to blame, its position
/// (0-based; Terraform shows the argument's place in the configuration).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionError {
    /// The message.
    pub text: String,
    /// The argument at fault, if any.
    pub argument: Option<usize>,
}

impl FunctionError {
    /// An error about argument `position` (0-based).
    pub fn argument(position: usize, text: impl Into<String>) -> Self {
        FunctionError {
            text: text.into(),
            argument: Some(position),
        }
    }

    /// An error about the call as a whole.
    pub fn call(text: impl Into<String>) -> Self {
        FunctionError {
            text: text.into(),
            argument: None,
        }
    }

    /// The wire form. Terraform ends the message with a period of its own
    /// (`Invalid value for "total" parameter: <text>.`), so the text's own goes.
    pub fn to_proto(&self) -> pb::FunctionError {
        pb::FunctionError {
            text: self
                .text
                .strip_suffix('.')
                .unwrap_or(&self.text)
                .to_string(),
            function_argument: self.argument.map(|a| a as i64),
        }
    }
}

impl fmt::Display for FunctionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl std::error::Error for FunctionError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declaration_wire_form_carries_types_as_type_json() {
        let declaration = FunctionDeclaration {
            parameters: vec![Parameter::new("total", Type::Number, "Replicas.")],
            return_type: Type::map(Type::Number),
            summary: "s".into(),
            description: "d".into(),
        };
        let proto = declaration.to_proto();
        assert_eq!(proto.parameters[0].r#type, b"\"number\"");
        assert!(!proto.parameters[0].allow_unknown_values);
        assert_eq!(proto.r#return.unwrap().r#type, br#"["map","number"]"#);
    }

    #[test]
    fn error_names_the_argument_position() {
        let error = FunctionError::argument(1, "Bad.").to_proto();
        assert_eq!(error.function_argument, Some(1));
        assert_eq!(error.text, "Bad", "Terraform adds the period");
        assert_eq!(
            FunctionError::call("bad").to_proto().function_argument,
            None
        );
    }
}
