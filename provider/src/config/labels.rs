//! Kubernetes naming rules for label keys, label values and cluster names, as the provider
//! block spells its errors. The rules themselves are `clusternet_model::names`.

use clusternet_model::names;

/// Checks a label key: an optional DNS-subdomain prefix and `/`, then a name of at most 63
/// characters of `[A-Za-z0-9._-]`, starting and ending alphanumeric.
pub fn check_label_key(key: &str) -> Result<(), String> {
    names::check_label_key(key).map_err(|e| e.to_string())
}

/// Checks a label value: empty, or at most 63 characters of `[A-Za-z0-9._-]` starting and
/// ending alphanumeric.
pub fn check_label_value(value: &str) -> Result<(), String> {
    names::check_label_value(value).map_err(|e| e.to_string())
}

/// Checks a cluster name: a DNS label (at most 63 of `[a-z0-9-]`, alphanumeric at both ends),
/// because it becomes part of namespaces, file names and preview keys.
pub fn check_cluster_name(name: &str) -> Result<(), String> {
    names::check_dns_label(name).map_err(|e| e.to_string())
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
