//! An override's configuration, checked and turned into the Localization or Globalization
//! object Clusternet holds.

use clusternet_tfplugin::{AttributePath, Diagnostics, Value};
use serde_json::{Value as Json, json};

use super::{DEFAULT_POLICY, DEFAULT_PRIORITY, LOCALIZATION, OVERRIDE_TYPES, parse_feed_reference};
use crate::attrs::{self, Field};
use crate::config::ProviderConfig;
use crate::diagnostics::ToDiagnostic;
use crate::resources::names;
use crate::selector;
use clusternet_model::names::NameRule;

/// The override object, or `None` when something it needs is unknown.
pub(super) fn build(
    type_name: &str,
    config: &Value,
    inventory: Option<&ProviderConfig>,
) -> Result<Option<(String, Json)>, Diagnostics> {
    let mut diags = Diagnostics::new();
    let root = AttributePath::root();
    let Field::Known(name) = attrs::string(config, "name") else {
        return Ok(None);
    };
    names::check(
        &mut diags,
        root.clone().attr("name"),
        "name",
        &name,
        NameRule::DnsSubdomain,
        "it names the override object on the hub",
    );
    if diags.has_errors() {
        return Err(diags);
    }
    let feed = match attrs::string(config, "feed") {
        Field::Known(feed) => match parse_feed_reference(&feed) {
            Ok(identity) => identity,
            Err(e) => {
                diags.push(e.diagnostic_at(root.clone().attr("feed")));
                return Err(diags);
            }
        },
        _ => return Ok(None),
    };
    let priority = match attrs::integer(config, "priority") {
        Field::Null => DEFAULT_PRIORITY,
        Field::Unknown => return Ok(None),
        Field::Known(Ok(p)) if (0..=1000).contains(&p) => p,
        Field::Known(p) => {
            let shown = p.map_or_else(|e| e.to_string(), |p| p.to_string());
            diags.error_at(
                root.clone().attr("priority"),
                "Invalid priority",
                format!("priority = {shown}: use a whole number from 0 to 1000."),
            );
            return Err(diags);
        }
    };
    let policy = match attrs::string(config, "override_policy") {
        Field::Null => DEFAULT_POLICY.to_string(),
        Field::Unknown => return Ok(None),
        Field::Known(p) if p == "ApplyLater" || p == "ApplyNow" => p,
        Field::Known(p) => {
            diags.error_at(
                root.clone().attr("override_policy"),
                "Invalid override policy",
                format!("override_policy = {p:?}: use ApplyLater or ApplyNow."),
            );
            return Err(diags);
        }
    };
    let mut overrides = Vec::new();
    let mut unknown = false;
    if let Field::Known(items) = attrs::elements(config, "override") {
        for (i, item) in items.iter().enumerate() {
            let path = root.clone().attr("override").index(i as i64);
            let kind = attrs::string(item, "type");
            let value = attrs::string(item, "value");
            if kind.is_unknown() || value.is_unknown() {
                unknown = true;
                continue;
            }
            let kind = kind.known().unwrap_or_default();
            if kind == "StrategicMergePatch" {
                diags.error_at(
                    path.clone().attr("type"),
                    "StrategicMergePatch is not supported",
                    "Clusternet rejects StrategicMergePatch overrides; use MergePatch or \
                     JSONPatch.",
                );
                continue;
            }
            if !OVERRIDE_TYPES.contains(&kind.as_str()) {
                diags.error_at(
                    path.clone().attr("type"),
                    "Unknown override type",
                    format!("type = {kind:?}: use one of {}.", OVERRIDE_TYPES.join(", ")),
                );
                continue;
            }
            let value = value.known().unwrap_or_default();
            if let Err(e) = clusternet_model::yaml::yaml_to_json(&value) {
                diags.error_at(
                    path.clone().attr("value"),
                    "Override value is not YAML or JSON",
                    format!("{e}."),
                );
                continue;
            }
            let mut entry = json!({"type": kind, "value": value});
            if let Field::Known(n) = attrs::string(item, "name") {
                entry["name"] = Json::String(n);
            }
            if let Field::Known(true) = attrs::boolean(item, "override_chart") {
                entry["overrideChart"] = Json::Bool(true);
            }
            let field_path = attrs::string(item, "field_path").known();
            let field_format = attrs::string(item, "field_format").known();
            if kind.starts_with("Field") {
                if field_path.as_deref().unwrap_or_default().is_empty() {
                    diags.error_at(
                        path.clone().attr("field_path"),
                        "Field patch without field_path",
                        format!("A {kind} override patches the string at `field_path`; set it."),
                    );
                    continue;
                }
                match field_format.as_deref() {
                    Some("JSON" | "YAML") => {}
                    other => {
                        diags.error_at(
                            path.clone().attr("field_format"),
                            "Field patch without a valid field_format",
                            format!(
                                "field_format = {other:?}: use JSON or YAML (the format of \
                                 the string at field_path)."
                            ),
                        );
                        continue;
                    }
                }
            }
            if let Some(p) = field_path {
                entry["fieldPath"] = Json::String(p);
            }
            if let Some(f) = field_format {
                entry["fieldFormat"] = Json::String(f);
            }
            overrides.push(entry);
        }
    }
    let spec_feed = json!({
        "apiVersion": feed.api_version,
        "kind": feed.kind,
        "namespace": feed.namespace_or_empty(),
        "name": feed.name,
    });
    let mut spec = json!({
        "feed": spec_feed,
        "overridePolicy": policy,
        "priority": priority,
        "overrides": overrides,
    });
    let (object, id) = if type_name == LOCALIZATION {
        let Field::Known(cluster) = attrs::string(config, "cluster") else {
            return Ok(None);
        };
        let Some(inventory) = inventory else {
            return Ok(None);
        };
        let namespace = match inventory.clusters.get(&cluster) {
            Some(c) => c.namespace.clone(),
            None if inventory.has_unknowns => return Ok(None),
            None => {
                let known: Vec<&str> = inventory.clusters.keys().map(String::as_str).collect();
                diags.error_at(
                    root.clone().attr("cluster"),
                    "Localization for an unknown cluster",
                    format!(
                        "cluster = {cluster:?} is neither in the provider's `clusters` nor \
                         registered on the hub (known: {}).",
                        if known.is_empty() {
                            "none".to_string()
                        } else {
                            known.join(", ")
                        }
                    ),
                );
                return Err(diags);
            }
        };
        (
            json!({
                "apiVersion": "apps.clusternet.io/v1alpha1",
                "kind": "Localization",
                "metadata": {"name": name, "namespace": namespace},
                "spec": spec,
            }),
            format!("{namespace}/{name}"),
        )
    } else {
        if let Some(affinity) = selector::parse(config, "cluster_affinity", &mut diags) {
            spec["clusterAffinity"] = serde_json::to_value(affinity).expect("selectors serialise");
        }
        (
            json!({
                "apiVersion": "apps.clusternet.io/v1alpha1",
                "kind": "Globalization",
                "metadata": {"name": name},
                "spec": spec,
            }),
            name.clone(),
        )
    };
    if diags.has_errors() {
        return Err(diags);
    }
    if unknown {
        return Ok(None);
    }
    Ok(Some((id, object)))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    #[test]
    fn a_cluster_scoped_feed_keeps_an_empty_namespace_in_the_ref() {
        let config = Value::Object(BTreeMap::from([
            ("name".to_string(), Value::from("namespace-labels")),
            ("feed".to_string(), Value::from("v1/Namespace/web")),
        ]));
        let (id, object) = build(crate::resources::overrides::GLOBALIZATION, &config, None)
            .expect("valid")
            .expect("known");
        assert_eq!(id, "namespace-labels");
        assert_eq!(object["spec"]["feed"]["namespace"], "");
        assert_eq!(object["spec"]["feed"]["name"], "web");
    }
}
