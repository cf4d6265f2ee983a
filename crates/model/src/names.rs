//! Kubernetes' naming rules, as the API server applies them (`apimachinery/pkg/util/validation`
//! and each kind's `ValidateObjectMeta` name function). Names become paths, keys and labels in
//! the provider, so every name from a configuration is checked here before it is used.

use crate::identity::{ObjectIdentity, split_api_version};

/// Why a name breaks a rule; `Display` completes a sentence about the name ("... must be ...").
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct NameError(String);

impl NameError {
    fn new(text: impl Into<String>) -> NameError {
        NameError(text.into())
    }
}

/// Which rule a kind's `metadata.name` follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameRule {
    /// RFC 1123 label: at most 63 of `[a-z0-9-]`, alphanumeric at both ends (Namespaces).
    DnsLabel,
    /// RFC 1035 label: a DNS label that starts with a letter (Services).
    Dns1035Label,
    /// RFC 1123 subdomain: at most 253 characters, dot-separated DNS labels (most kinds).
    DnsSubdomain,
    /// A path segment: not `.` or `..`, no `/` or `%` (RBAC objects, PersistentVolumes).
    PathSegment,
}

impl NameRule {
    /// Checks `name` against the rule.
    pub fn check(self, name: &str) -> Result<(), NameError> {
        match self {
            NameRule::DnsLabel => check_dns_label(name),
            NameRule::Dns1035Label => check_dns1035_label(name),
            NameRule::DnsSubdomain => check_dns_subdomain(name),
            NameRule::PathSegment => check_path_segment(name),
        }
    }

    /// The rule of `metadata.name` for objects of `kind` in API `group`, as Kubernetes
    /// validates them; kinds it does not know (custom resources) are DNS subdomains, as the
    /// API server checks custom resources.
    pub fn of_kind(group: &str, kind: &str) -> NameRule {
        match (group, kind) {
            ("", "Namespace") => NameRule::DnsLabel,
            ("", "Service") => NameRule::Dns1035Label,
            ("", "PersistentVolume") => NameRule::PathSegment,
            ("rbac.authorization.k8s.io", _) => NameRule::PathSegment,
            _ => NameRule::DnsSubdomain,
        }
    }
}

/// An RFC 1123 label (a namespace, a cluster name).
pub fn check_dns_label(name: &str) -> Result<(), NameError> {
    if name.is_empty() {
        return Err(NameError::new("must not be empty"));
    }
    if name.len() > 63 {
        return Err(NameError::new("must be no more than 63 characters"));
    }
    let lower_alnum = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    if !name.chars().all(|c| lower_alnum(c) || c == '-')
        || !name.starts_with(lower_alnum)
        || !name.ends_with(lower_alnum)
    {
        return Err(NameError::new(
            "must consist of lowercase letters, digits or '-', and start and end with a \
             letter or digit (a lowercase RFC 1123 label, e.g. 'my-name' or '123-abc')",
        ));
    }
    Ok(())
}

/// An RFC 1035 label: an RFC 1123 label that starts with a letter.
pub fn check_dns1035_label(name: &str) -> Result<(), NameError> {
    check_dns_label(name)?;
    if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Err(NameError::new(
            "must start with a lowercase letter (an RFC 1035 label, e.g. 'my-name' or 'abc-123')",
        ));
    }
    Ok(())
}

/// An RFC 1123 subdomain (most object names, API groups, label key prefixes).
pub fn check_dns_subdomain(name: &str) -> Result<(), NameError> {
    if name.is_empty() {
        return Err(NameError::new("must not be empty"));
    }
    if name.len() > 253 {
        return Err(NameError::new("must be no more than 253 characters"));
    }
    if name.split('.').any(|label| check_dns_label(label).is_err()) {
        return Err(NameError::new(
            "must consist of lowercase letters, digits, '-' or '.', and start and end with a \
             letter or digit (a lowercase RFC 1123 subdomain, e.g. 'example.com')",
        ));
    }
    Ok(())
}

/// A path segment name: what every object name must be for the API server's URLs.
pub fn check_path_segment(name: &str) -> Result<(), NameError> {
    if name.is_empty() {
        return Err(NameError::new("must not be empty"));
    }
    if name == "." || name == ".." {
        return Err(NameError::new(format!("may not be '{name}'")));
    }
    if let Some(c) = name.chars().find(|c| matches!(c, '/' | '%')) {
        return Err(NameError::new(format!("may not contain '{c}'")));
    }
    Ok(())
}

/// A qualified name's name part, or a label value: at most 63 of `[A-Za-z0-9._-]`,
/// alphanumeric at both ends.
fn check_qualified_name_part(name: &str) -> Result<(), NameError> {
    if name.is_empty() || name.len() > 63 {
        return Err(NameError::new("must be 1 to 63 characters"));
    }
    let alnum = |c: char| c.is_ascii_alphanumeric();
    if !name.starts_with(alnum) || !name.ends_with(alnum) {
        return Err(NameError::new("must start and end with a letter or digit"));
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err(NameError::new(
            "may contain only letters, digits, '-', '_' and '.'",
        ));
    }
    Ok(())
}

/// A label key: an optional DNS-subdomain prefix and `/`, then a name of at most 63
/// characters of `[A-Za-z0-9._-]`, alphanumeric at both ends.
pub fn check_label_key(key: &str) -> Result<(), NameError> {
    let (prefix, name) = match key.split_once('/') {
        Some((prefix, name)) => (Some(prefix), name),
        None => (None, key),
    };
    if let Some(prefix) = prefix {
        check_dns_subdomain(prefix)
            .map_err(|e| NameError::new(format!("prefix {prefix:?} {e}")))?;
    }
    check_qualified_name_part(name).map_err(|e| NameError::new(format!("name part {name:?} {e}")))
}

/// A label value: empty, or at most 63 characters of `[A-Za-z0-9._-]`, alphanumeric at both
/// ends.
pub fn check_label_value(value: &str) -> Result<(), NameError> {
    if value.is_empty() {
        Ok(())
    } else {
        check_qualified_name_part(value)
    }
}

/// A key of a Secret's or ConfigMap's `data`: at most 253 of `[-._a-zA-Z0-9]`, not `.` or
/// `..` (Kubernetes' `IsConfigMapKey`).
pub fn check_data_key(key: &str) -> Result<(), NameError> {
    if key.is_empty() {
        return Err(NameError::new("must not be empty"));
    }
    if key.len() > 253 {
        return Err(NameError::new("must be no more than 253 characters"));
    }
    if !key
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err(NameError::new(
            "must consist of letters, digits, '-', '_' or '.' (e.g. 'key.name' or 'KEY_NAME')",
        ));
    }
    if key == "." || key == ".." {
        return Err(NameError::new(format!("may not be '{key}'")));
    }
    Ok(())
}

/// An `apiVersion`: `<version>` or `<group>/<version>`, the group a DNS subdomain and the
/// version a DNS-1035 label (as CustomResourceDefinitions require).
pub fn check_api_version(api_version: &str) -> Result<(), NameError> {
    let (group, version) = split_api_version(api_version);
    if api_version.contains('/') {
        check_dns_subdomain(group)
            .map_err(|e| NameError::new(format!("has group {group:?}, which {e}")))?;
    }
    check_dns1035_label(version)
        .map_err(|e| NameError::new(format!("has version {version:?}, which {e}")))
}

/// A `kind`: its lowercase form is a DNS-1035 label (as CustomResourceDefinitions require).
pub fn check_kind(kind: &str) -> Result<(), NameError> {
    if kind.is_empty() || kind.len() > 63 {
        return Err(NameError::new("must be 1 to 63 characters"));
    }
    let ok = kind.starts_with(|c: char| c.is_ascii_alphabetic())
        && kind.ends_with(|c: char| c.is_ascii_alphanumeric())
        && kind.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if ok {
        Ok(())
    } else {
        Err(NameError::new(
            "must start with a letter and consist of letters, digits or '-' (e.g. 'Deployment')",
        ))
    }
}

/// Which part of an object identity breaks a rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field} {value:?} {error}")]
pub struct InvalidIdentity {
    /// `apiVersion`, `kind`, `metadata.namespace` or `metadata.name`.
    pub field: &'static str,
    /// The value.
    pub value: String,
    /// The rule it breaks.
    pub error: NameError,
}

/// Checks every part of an object's identity as the API server would: `apiVersion`, `kind`,
/// the namespace (a DNS label) and the name (the kind's [`NameRule`]).
pub fn check_identity(identity: &ObjectIdentity) -> Result<(), InvalidIdentity> {
    fn invalid(field: &'static str, value: &str) -> impl FnOnce(NameError) -> InvalidIdentity {
        let value = value.to_string();
        move |error| InvalidIdentity {
            field,
            value,
            error,
        }
    }
    check_api_version(&identity.api_version)
        .map_err(invalid("apiVersion", &identity.api_version))?;
    check_kind(&identity.kind).map_err(invalid("kind", &identity.kind))?;
    if let Some(ns) = &identity.namespace {
        check_dns_label(ns).map_err(invalid("metadata.namespace", ns))?;
    }
    NameRule::of_kind(identity.group(), &identity.kind)
        .check(&identity.name)
        .map_err(invalid("metadata.name", &identity.name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_and_subdomains_follow_rfc_1123() {
        for ok in ["a", "web-1", "0abc", &"a".repeat(63)] {
            assert!(check_dns_label(ok).is_ok(), "{ok}");
        }
        for bad in ["", "A", "-a", "a-", "a.b", "a/b", "..", &"a".repeat(64)] {
            assert!(check_dns_label(bad).is_err(), "{bad}");
        }
        for ok in ["a.b", "example.com", "a", "x-1.y-2"] {
            assert!(check_dns_subdomain(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            ".a",
            "a.",
            "a..b",
            "../x",
            "a/b",
            "A.b",
            &"a".repeat(254),
        ] {
            assert!(check_dns_subdomain(bad).is_err(), "{bad}");
        }
        assert!(check_dns1035_label("web").is_ok());
        assert!(check_dns1035_label("1web").is_err());
    }

    #[test]
    fn names_that_are_paths_are_rejected_by_every_rule() {
        for rule in [
            NameRule::DnsLabel,
            NameRule::Dns1035Label,
            NameRule::DnsSubdomain,
            NameRule::PathSegment,
        ] {
            for bad in ["..", ".", "../x", "a/../../x", "/etc", "", "a%2fb"] {
                assert!(rule.check(bad).is_err(), "{rule:?} {bad}");
            }
        }
        assert!(NameRule::PathSegment.check("system:view").is_ok());
    }

    #[test]
    fn names_follow_the_rule_of_their_kind() {
        assert_eq!(NameRule::of_kind("", "Namespace"), NameRule::DnsLabel);
        assert_eq!(
            NameRule::of_kind("rbac.authorization.k8s.io", "ClusterRole"),
            NameRule::PathSegment
        );
        assert_eq!(
            NameRule::of_kind("apps", "Deployment"),
            NameRule::DnsSubdomain
        );
        let cm = |name: &str| ObjectIdentity::new("v1", "ConfigMap", Some("ns"), name);
        assert!(check_identity(&cm("a.b")).is_ok());
        let e = check_identity(&cm("a_b")).unwrap_err();
        assert_eq!(e.field, "metadata.name");
    }

    #[test]
    fn api_versions_have_a_subdomain_group_and_a_label_version() {
        for ok in ["v1", "apps/v1", "example.com/v1beta1"] {
            assert!(check_api_version(ok).is_ok(), "{ok}");
        }
        for bad in [
            ".example.com/v1",
            "/v1",
            "a/b/v1",
            "apps/",
            "apps/V1",
            "..",
            "../v1",
        ] {
            assert!(check_api_version(bad).is_err(), "{bad}");
        }
        let e = check_api_version(".example.com/v1").unwrap_err();
        assert!(
            e.to_string().starts_with("has group \".example.com\""),
            "{e}"
        );
    }

    #[test]
    fn kinds_are_alphanumeric_words() {
        assert!(check_kind("Deployment").is_ok());
        for bad in ["", "../x", "Dep loy", "-A", "9Kind"] {
            assert!(check_kind(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn data_keys_follow_configmap_key_rules() {
        for ok in ["a", "KEY_NAME", "key.name", "-x", ".env"] {
            assert!(check_data_key(ok).is_ok(), "{ok}");
        }
        for bad in ["", ".", "..", "a/b", "a b", "ключ"] {
            assert!(check_data_key(bad).is_err(), "{bad}");
        }
    }
}
