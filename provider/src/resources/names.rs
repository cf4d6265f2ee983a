//! Names set by attributes (a subscription's, an override's), checked as Kubernetes checks
//! them (`clusternet_model::names`) and reported on their attribute.

use clusternet_model::names::NameRule;
use clusternet_tfplugin::{AttributePath, Diagnostics};

/// An error on `path` when `value`, set by attribute `attribute`, breaks `rule`. `uses` says
/// what the name becomes, to explain why it matters.
pub fn check(
    diags: &mut Diagnostics,
    path: AttributePath,
    attribute: &str,
    value: &str,
    rule: NameRule,
    uses: &str,
) {
    if let Err(e) = rule.check(value) {
        let (summary, kind) = match rule {
            NameRule::DnsLabel => ("Invalid namespace", "a DNS label"),
            NameRule::Dns1035Label => ("Invalid name", "a DNS-1035 label"),
            NameRule::DnsSubdomain => ("Invalid name", "a DNS subdomain"),
            NameRule::PathSegment => ("Invalid name", "a path segment"),
        };
        diags.error_at(
            path,
            summary,
            format!("{attribute} = {value:?} {e}. Use a Kubernetes name ({kind}): {uses}."),
        );
    }
}
