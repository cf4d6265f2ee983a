//! Kubernetes naming rules for label keys, label values and cluster names, as the provider
//! block spells its errors. The rules themselves are `clusternet_model::names`.

/// A Kubernetes naming rule a name breaks; the messages complete "<name> ...".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// Empty or too long.
    #[error("must be 1 to {max} characters")]
    Length {
        /// The longest allowed.
        max: usize,
    },
    /// A qualified name (label name or value) not alphanumeric at both ends.
    #[error("must start and end with a letter or digit")]
    Ends,
    /// A qualified name with other characters.
    #[error("may contain only letters, digits, '-', '_' and '.'")]
    Characters,
    /// A DNS label not lowercase alphanumeric at both ends.
    #[error("must start and end with a lowercase letter or digit")]
    LowercaseEnds,
    /// A DNS label with other characters.
    #[error("may contain only lowercase letters, digits and '-'")]
    LowercaseCharacters,
}

/// Why a label key is not one: which part breaks which rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LabelKeyError {
    /// The DNS-subdomain prefix before `/`.
    #[error("prefix {prefix:?} {source}")]
    Prefix {
        /// The prefix.
        prefix: String,
        /// The rule it breaks.
        source: NameError,
    },
    /// The name after the prefix.
    #[error("name part {name:?} {source}")]
    Name {
        /// The name part.
        name: String,
        /// The rule it breaks.
        source: NameError,
    },
}

/// Checks a label key: an optional DNS-subdomain prefix and `/`, then a name of at most 63
/// characters of `[A-Za-z0-9._-]`, starting and ending alphanumeric.
pub fn check_label_key(key: &str) -> Result<(), LabelKeyError> {
    let (prefix, name) = match key.split_once('/') {
        Some((prefix, name)) => (Some(prefix), name),
        None => (None, key),
    };
    if let Some(prefix) = prefix {
        check_dns_subdomain(prefix).map_err(|source| LabelKeyError::Prefix {
            prefix: prefix.to_string(),
            source,
        })?;
    }
    check_qualified_name(name).map_err(|source| LabelKeyError::Name {
        name: name.to_string(),
        source,
    })
}

/// Checks a label value: empty, or at most 63 characters of `[A-Za-z0-9._-]` starting and
/// ending alphanumeric.
pub fn check_label_value(value: &str) -> Result<(), NameError> {
    if value.is_empty() {
        Ok(())
    } else {
        check_qualified_name(value)
    }
}

/// Checks a cluster name: a DNS label (at most 63 of `[a-z0-9-]`, alphanumeric at both ends),
/// because it becomes part of namespaces, file names and preview keys.
pub fn check_cluster_name(name: &str) -> Result<(), NameError> {
    check_dns_label(name)
}

fn check_qualified_name(name: &str) -> Result<(), NameError> {
    if name.is_empty() || name.len() > 63 {
        return Err(NameError::Length { max: 63 });
    }
    let alnum = |c: char| c.is_ascii_alphanumeric();
    if !name.starts_with(alnum) || !name.ends_with(alnum) {
        return Err(NameError::Ends);
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err(NameError::Characters);
    }
    Ok(())
}

fn check_dns_label(label: &str) -> Result<(), NameError> {
    if label.is_empty() || label.len() > 63 {
        return Err(NameError::Length { max: 63 });
    }
    let lower_alnum = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    if !label.starts_with(lower_alnum) || !label.ends_with(lower_alnum) {
        return Err(NameError::LowercaseEnds);
    }
    if !label.chars().all(|c| lower_alnum(c) || c == '-') {
        return Err(NameError::LowercaseCharacters);
    }
    Ok(())
}

fn check_dns_subdomain(name: &str) -> Result<(), NameError> {
    if name.is_empty() || name.len() > 253 {
        return Err(NameError::Length { max: 253 });
    }
    name.split('.').try_for_each(check_dns_label)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_keys_follow_kubernetes_rules() {
        for ok in ["env", "app.kubernetes.io/name", "a_b.c-d", "x/y"] {
            assert!(check_label_key(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "-env",
            "env-",
            "a b",
            "UPPER.example/x",
            "a/b/c",
            &"k".repeat(64),
        ] {
            assert!(check_label_key(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn label_values_may_be_empty() {
        assert!(check_label_value("").is_ok());
        assert!(check_label_value("prod").is_ok());
        assert!(check_label_value("prod!").is_err());
    }

    #[test]
    fn cluster_names_are_dns_labels() {
        assert!(check_cluster_name("eu-1").is_ok());
        assert!(check_cluster_name("EU_1").is_err());
    }
}
