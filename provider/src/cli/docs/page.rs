//! One generated page: frontmatter, description, example usage, schema and import.

use std::fmt::Write as _;

use clusternet_tfplugin::Schema;

use super::schema::render_schema;
use super::{GENERATED_MARKER, PROVIDER_NAME};

pub(super) fn short_name(type_name: &str) -> &str {
    type_name
        .strip_prefix(PROVIDER_NAME)
        .and_then(|rest| rest.strip_prefix('_'))
        .unwrap_or(type_name)
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum PageKind {
    Provider,
    Resource,
    DataSource,
}

pub(super) struct Page<'a> {
    pub(super) kind: PageKind,
    pub(super) type_name: &'a str,
    pub(super) schema: &'a Schema,
    pub(super) example: Option<String>,
    pub(super) import: Option<String>,
}

/// The registry sidebar group of a type.
pub(super) fn subcategory(type_name: &str) -> &'static str {
    match type_name {
        "clusternet_manifest" | "clusternet_secret" | "clusternet_helm_chart" => "Feeds",
        "clusternet_subscription" => "Distribution",
        "clusternet_localization" | "clusternet_globalization" => "Overrides",
        "clusternet_clusters" => "Inventory",
        _ => "",
    }
}

pub(super) const INDEX_INTRO: &str = "\
Clusternet's model in Terraform: plain Kubernetes objects are **feeds**
(`clusternet_manifest`, and `clusternet_secret` for Secrets); a **subscription**
(`clusternet_subscription`) sends feeds to the child clusters its subscribers select by label,
replicated or with replicas divided by weight; **localizations** and **globalizations** override
feeds for one cluster or a group. The subscription's computed preview holds every cluster's
rendered objects, grouped: `descriptions` has each object as the clusters share it (keyed
`<apiVersion>/<Kind>/<namespace>/<name>`) and `deviations` each cluster's difference from it
(keyed `<cluster>/...`), so `terraform plan` shows a field-level diff before anything reaches a
cluster, a change made on every cluster once. The guide *Reviewing a multi-cluster rollout in a
pull request* shows how to read that diff and extract it from a saved plan.

A child cluster is either reached with credentials (`kubeconfig_path` + `context`, `host` with a
token or client certificate, or `exec`) or is a **directory target**: apply writes its rendered
objects into a directory, one file per object, which needs no cluster at all. The provider never
falls back to `~/.kube/config` or in-cluster credentials.

With Terraform 1.8+ or OpenTofu 1.7+ the provider's functions bring Clusternet's arithmetic and
conventions to expressions, validations and `terraform test`, offline:
`provider::clusternet::divide` (the static replica split), `feed_key`, `manifest_decode`,
`manifest_decode_multi` and `manifest_encode`.
";

pub(super) fn render_page(page: &Page<'_>) -> String {
    let description = page.schema.block.description.trim();
    let (title, heading) = match page.kind {
        PageKind::Provider => (
            format!("{PROVIDER_NAME} Provider"),
            format!("{PROVIDER_NAME} Provider"),
        ),
        PageKind::Resource => (
            format!(
                "{} Resource - terraform-provider-{PROVIDER_NAME}",
                page.type_name
            ),
            format!("{} (Resource)", page.type_name),
        ),
        PageKind::DataSource => (
            format!(
                "{} Data Source - terraform-provider-{PROVIDER_NAME}",
                page.type_name
            ),
            format!("{} (Data Source)", page.type_name),
        ),
    };
    let subcategory = if page.kind == PageKind::Provider {
        ""
    } else {
        subcategory(page.type_name)
    };
    let mut out = String::new();
    out.push_str("---\n");
    out.push_str(GENERATED_MARKER);
    out.push('\n');
    let _ = writeln!(out, "page_title: {}", yaml_quote(&title));
    let _ = writeln!(out, "subcategory: {}", yaml_quote(subcategory));
    out.push_str("description: |-\n");
    for line in first_paragraph(description).lines() {
        let _ = writeln!(out, "  {}", line.trim());
    }
    out.push_str("---\n\n");
    let _ = writeln!(out, "# {heading}\n");
    let _ = writeln!(out, "{description}\n");
    if page.kind == PageKind::Provider {
        let _ = writeln!(out, "{INDEX_INTRO}");
    }
    if let Some(example) = &page.example {
        let _ = writeln!(out, "## Example Usage\n\n```terraform\n{example}```\n");
    }
    out.push_str(&render_schema(&page.schema.block));
    if page.kind == PageKind::Resource {
        out.push_str("\n## Import\n\n");
        match &page.import {
            Some(import) => {
                let _ = writeln!(
                    out,
                    "Import is supported using the following syntax:\n\n```shell\n{import}```"
                );
            }
            None => out.push_str(
                "This resource cannot be imported: it stands for no single object on the hub \
                 or in a cluster. Create it from configuration.\n",
            ),
        }
    }
    out
}

/// A double-quoted YAML scalar.
pub(super) fn yaml_quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

pub(super) fn first_paragraph(text: &str) -> &str {
    text.split("\n\n").next().unwrap_or("").trim()
}
