//! Kubernetes naming rules for label keys, label values and cluster names.

/// Checks a label key: an optional DNS-subdomain prefix and `/`, then a name of at most 63
/// characters of `[A-Za-z0-9._-]`, starting and ending alphanumeric.
pub fn check_label_key(key: &str) -> Result<(), String> {
    let (prefix, name) = match key.split_once('/') {
        Some((prefix, name)) => (Some(prefix), name),
        None => (None, key),
    };
    if let Some(prefix) = prefix {
        check_dns_subdomain(prefix).map_err(|e| format!("prefix {prefix:?} {e}"))?;
    }
    check_qualified_name(name).map_err(|e| format!("name part {name:?} {e}"))
}

/// Checks a label value: empty, or at most 63 characters of `[A-Za-z0-9._-]` starting and
/// ending alphanumeric.
pub fn check_label_value(value: &str) -> Result<(), String> {
    if value.is_empty() {
        Ok(())
    } else {
        check_qualified_name(value)
    }
}

/// Checks a cluster name: a DNS label (at most 63 of `[a-z0-9-]`, alphanumeric at both ends),
/// because it becomes part of namespaces, file names and preview keys.
pub fn check_cluster_name(name: &str) -> Result<(), String> {
    check_dns_label(name)
}

fn check_qualified_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name.len() > 63 {
        return Err("must be 1 to 63 characters".into());
    }
    let alnum = |c: char| c.is_ascii_alphanumeric();
    if !name.starts_with(alnum) || !name.ends_with(alnum) {
        return Err("must start and end with a letter or digit".into());
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err("may contain only letters, digits, '-', '_' and '.'".into());
    }
    Ok(())
}

fn check_dns_label(label: &str) -> Result<(), String> {
    if label.is_empty() || label.len() > 63 {
        return Err("must be 1 to 63 characters".into());
    }
    let lower_alnum = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    if !label.starts_with(lower_alnum) || !label.ends_with(lower_alnum) {
        return Err("must start and end with a lowercase letter or digit".into());
    }
    if !label.chars().all(|c| lower_alnum(c) || c == '-') {
        return Err("may contain only lowercase letters, digits and '-'".into());
    }
    Ok(())
}

fn check_dns_subdomain(name: &str) -> Result<(), String> {
    if name.is_empty() || name.len() > 253 {
        return Err("must be 1 to 253 characters".into());
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
