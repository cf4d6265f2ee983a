//! One generated function page, in tfplugindocs' layout for provider-defined functions:
//! frontmatter, description, example usage, signature and arguments.

use std::fmt::Write as _;

use clusternet_tfplugin::{FunctionDeclaration, Type};

use super::page::yaml_quote;
use super::schema::type_label;
use super::{GENERATED_MARKER, PROVIDER_NAME};

pub(super) fn render_function_page(
    name: &str,
    declaration: &FunctionDeclaration,
    example: Option<&str>,
) -> String {
    let description = declaration.description.trim();
    let mut out = String::new();
    out.push_str("---\n");
    out.push_str(GENERATED_MARKER);
    out.push('\n');
    let _ = writeln!(
        out,
        "page_title: {}",
        yaml_quote(&format!(
            "{name} function - terraform-provider-{PROVIDER_NAME}"
        ))
    );
    out.push_str("subcategory: \"\"\n");
    out.push_str("description: |-\n");
    let _ = writeln!(out, "  {}", declaration.summary.trim());
    out.push_str("---\n\n");
    let _ = writeln!(out, "# function: {name}\n");
    let _ = writeln!(out, "{description}\n");
    if let Some(example) = example {
        let _ = writeln!(out, "## Example Usage\n\n```terraform\n{example}```\n");
    }
    let parameters: Vec<String> = declaration
        .parameters
        .iter()
        .map(|p| format!("{} {}", p.name, signature_type(&p.ty)))
        .collect();
    let _ = writeln!(
        out,
        "## Signature\n\n```text\n{name}({}) {}\n```\n",
        parameters.join(", "),
        signature_type(&declaration.return_type)
    );
    out.push_str("## Arguments\n\n");
    for (i, parameter) in declaration.parameters.iter().enumerate() {
        let _ = writeln!(
            out,
            "{}. `{}` ({}) {}",
            i + 1,
            parameter.name,
            type_label(&parameter.ty).0,
            parameter.description.trim()
        );
    }
    let _ = writeln!(
        out,
        "\nCall it as `provider::{PROVIDER_NAME}::{name}(...)` (Terraform 1.8 or later, OpenTofu \
         1.7 or later). An unknown argument gives an unknown result; a null argument is an error."
    );
    out
}

/// The type as a signature writes it: `number`, `map of number`, `dynamic`.
fn signature_type(ty: &Type) -> String {
    type_label(ty).0.to_lowercase()
}

#[cfg(test)]
mod tests {
    use clusternet_tfplugin::Parameter;

    use super::*;

    #[test]
    fn page_has_signature_and_numbered_arguments() {
        let declaration = FunctionDeclaration {
            parameters: vec![
                Parameter::new("total", Type::Number, "Replicas."),
                Parameter::new("weights", Type::map(Type::Number), "Weights."),
            ],
            return_type: Type::map(Type::Number),
            summary: "Divides".into(),
            description: "Divides replicas.".into(),
        };
        let page = render_function_page("divide", &declaration, Some("output \"x\" {}\n"));
        assert!(page.contains("page_title: \"divide function - terraform-provider-clusternet\""));
        assert!(page.contains("# function: divide\n\nDivides replicas.\n"));
        assert!(
            page.contains(
                "```text\ndivide(total number, weights map of number) map of number\n```"
            )
        );
        assert!(
            page.contains("1. `total` (Number) Replicas.\n2. `weights` (Map of Number) Weights.\n")
        );
        assert!(page.contains("## Example Usage\n\n```terraform\noutput \"x\" {}\n```"));
    }
}
