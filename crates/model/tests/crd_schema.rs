//! Every object the model emits validates against the upstream CRD schema in
//! `../shared/clusternet-crds` (read from the shared directory, never copied).
//!
//! The checker is a small structural OpenAPI v3 validator covering what these CRDs use:
//! `type`, `properties` (unknown fields are errors: the API server would prune them),
//! `required`, `items`, `additionalProperties`, `enum`, `format: byte`, `minimum` /
//! `maximum`, `maxLength`, `nullable`, `x-kubernetes-int-or-string`,
//! `x-kubernetes-preserve-unknown-fields`. Not checked: `pattern`, CEL rules.

use std::fs;
use std::path::{Path, PathBuf};

use base64::Engine;
use serde_json::Value;

use clusternet_model::render::render;
use clusternet_model::stream::{Source, output_objects, read_sources};

fn crds_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/clusternet-crds")
}

fn schema_for(kind: &str) -> Option<Value> {
    let file = match kind {
        "Subscription" => "apps.clusternet.io_subscriptions.yaml",
        "Base" => "apps.clusternet.io_bases.yaml",
        "Description" => "apps.clusternet.io_descriptions.yaml",
        "Localization" => "apps.clusternet.io_localizations.yaml",
        "Globalization" => "apps.clusternet.io_globalizations.yaml",
        "FeedInventory" => "apps.clusternet.io_feedinventories.yaml",
        "HelmChart" => "apps.clusternet.io_helmcharts.yaml",
        "Manifest" => "apps.clusternet.io_manifests.yaml",
        "ManagedCluster" => "clusters.clusternet.io_managedclusters.yaml",
        _ => return None,
    };
    let text = fs::read_to_string(crds_dir().join(file)).ok()?;
    let crd = clusternet_model::yaml::yaml_to_json(&text).ok()?;
    let versions = crd.pointer("/spec/versions")?.as_array()?;
    let version = versions
        .iter()
        .find(|v| v["storage"] == true)
        .or_else(|| versions.first())?;
    version.pointer("/schema/openAPIV3Schema").cloned()
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn validate(value: &Value, schema: &Value, path: &str, errors: &mut Vec<String>) {
    if value.is_null() && schema["nullable"] == true {
        return;
    }
    if schema["x-kubernetes-int-or-string"] == true {
        if !(value.is_string() || value.as_i64().is_some()) {
            errors.push(format!(
                "{path}: expected int or string, got {}",
                type_name(value)
            ));
        }
        return;
    }
    let preserve = schema["x-kubernetes-preserve-unknown-fields"] == true;
    match schema["type"].as_str() {
        Some("object") => {
            let Some(map) = value.as_object() else {
                errors.push(format!("{path}: expected object, got {}", type_name(value)));
                return;
            };
            if let Some(required) = schema["required"].as_array() {
                for key in required.iter().filter_map(Value::as_str) {
                    if !map.contains_key(key) {
                        errors.push(format!("{path}: missing required field {key}"));
                    }
                }
            }
            let properties = schema["properties"].as_object();
            for (key, item) in map {
                let child = format!("{path}.{key}");
                if let Some(sub) = properties.and_then(|p| p.get(key)) {
                    validate(item, sub, &child, errors);
                } else if schema["additionalProperties"].is_object() {
                    validate(item, &schema["additionalProperties"], &child, errors);
                } else if !(preserve
                    || schema["additionalProperties"] == true
                    || properties.is_none())
                {
                    errors.push(format!("{child}: unknown field (would be pruned)"));
                }
            }
        }
        Some("array") => {
            let Some(items) = value.as_array() else {
                errors.push(format!("{path}: expected array, got {}", type_name(value)));
                return;
            };
            for (i, item) in items.iter().enumerate() {
                validate(item, &schema["items"], &format!("{path}[{i}]"), errors);
            }
        }
        Some("string") => {
            let Some(text) = value.as_str() else {
                errors.push(format!("{path}: expected string, got {}", type_name(value)));
                return;
            };
            if schema["format"] == "byte"
                && base64::engine::general_purpose::STANDARD
                    .decode(text)
                    .is_err()
            {
                errors.push(format!("{path}: not base64"));
            }
            if let Some(max) = schema["maxLength"].as_u64()
                && text.chars().count() as u64 > max
            {
                errors.push(format!("{path}: longer than {max}"));
            }
        }
        Some("integer") => {
            let Some(n) = value.as_i64() else {
                errors.push(format!("{path}: expected integer, got {value}"));
                return;
            };
            if schema["minimum"].as_i64().is_some_and(|min| n < min) {
                errors.push(format!("{path}: {n} below minimum"));
            }
            if schema["maximum"].as_i64().is_some_and(|max| n > max) {
                errors.push(format!("{path}: {n} above maximum"));
            }
        }
        Some("number") if !value.is_number() => {
            errors.push(format!("{path}: expected number, got {}", type_name(value)));
        }
        Some("boolean") if !value.is_boolean() => {
            errors.push(format!(
                "{path}: expected boolean, got {}",
                type_name(value)
            ));
        }
        _ => {}
    }
    if let Some(allowed) = schema["enum"].as_array()
        && !allowed.contains(value)
    {
        errors.push(format!("{path}: {value} not in enum {allowed:?}"));
    }
}

fn fixture_inputs() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut inputs: Vec<(String, String)> = fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let path = e.path().join("input.yaml");
            fs::read_to_string(&path)
                .ok()
                .map(|t| (path.display().to_string(), t))
        })
        .collect();
    inputs.sort();
    inputs
}

fn with_type(kind: &str, mut value: Value) -> Value {
    value["apiVersion"] = Value::from("apps.clusternet.io/v1alpha1");
    value["kind"] = Value::from(kind);
    value
}

#[test]
fn every_emitted_object_validates_against_the_upstream_crd() {
    assert!(
        crds_dir().is_dir(),
        "CRDs not found at {}",
        crds_dir().display()
    );
    let mut checked = 0;
    let mut errors = Vec::new();
    for (name, text) in fixture_inputs() {
        let input = read_sources(&[Source {
            name: &name,
            text: &text,
        }])
        .unwrap();
        let Ok(output) = render(&input) else { continue };
        let mut objects = output_objects(&output, false);
        for sub in &output.subscriptions {
            if let Some(inventory) = &sub.feed_inventory {
                objects.push(with_type(
                    "FeedInventory",
                    serde_json::to_value(inventory).unwrap(),
                ));
            }
            for cluster in &sub.clusters {
                for chart in &cluster.charts {
                    // chartRaw is a HelmChart object as stored (minus apiVersion/kind)
                    let json: Value = clusternet_model::json::parse(&chart.chart).unwrap();
                    objects.push(with_type("HelmChart", json));
                }
            }
        }
        for object in objects {
            let kind = object["kind"].as_str().unwrap_or_default().to_string();
            let schema = schema_for(&kind).unwrap_or_else(|| panic!("no CRD for {kind}"));
            let before = errors.len();
            validate(&object, &schema, &kind, &mut errors);
            if errors.len() > before {
                errors.push(format!("  (in {name})"));
            }
            checked += 1;
        }
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    assert!(checked > 30, "only {checked} objects checked");
}

#[test]
fn the_checker_rejects_what_the_crd_rejects() {
    let schema = schema_for("Localization").unwrap();
    let bad = serde_json::json!({"apiVersion": "apps.clusternet.io/v1alpha1", "kind": "Localization",
        "metadata": {}, "spec": {"priority": 5000, "feed": {"kind": "K", "apiVersion": "v1", "name": "n"},
        "overrides": [{"type": "StrategicMergePatch", "value": "x", "bogus": 1}]}});
    let mut errors = Vec::new();
    validate(&bad, &schema, "Localization", &mut errors);
    let text = errors.join("\n");
    assert!(text.contains("above maximum"), "{text}");
    assert!(text.contains("not in enum"), "{text}");
    assert!(text.contains("unknown field"), "{text}");
}

/// Our schema is compatible with upstream's: every path we describe exists upstream
/// with the same type, and our enums are subsets of upstream's.
fn compatible(ours: &Value, upstream: &Value, path: &str, errors: &mut Vec<String>) {
    if upstream["x-kubernetes-preserve-unknown-fields"] == true && upstream["properties"].is_null()
    {
        return;
    }
    if ours["x-kubernetes-preserve-unknown-fields"] == true && ours["properties"].is_null() {
        if upstream["type"] != ours["type"] && !upstream["type"].is_null() {
            errors.push(format!(
                "{path}: type {} vs upstream {}",
                ours["type"], upstream["type"]
            ));
        }
        return;
    }
    if upstream["x-kubernetes-int-or-string"] == true {
        return;
    }
    if ours["type"] != upstream["type"] {
        errors.push(format!(
            "{path}: type {} vs upstream {}",
            ours["type"], upstream["type"]
        ));
        return;
    }
    if let (Some(mine), Some(theirs)) = (ours["enum"].as_array(), upstream["enum"].as_array()) {
        for v in mine.iter().filter(|v| !theirs.contains(v)) {
            errors.push(format!("{path}: enum value {v} unknown upstream"));
        }
    }
    if let Some(properties) = ours["properties"].as_object() {
        for (key, sub) in properties {
            let child = format!("{path}.{key}");
            match upstream["properties"].get(key) {
                Some(theirs) => compatible(sub, theirs, &child, errors),
                None if upstream["additionalProperties"].is_object() => {
                    compatible(sub, &upstream["additionalProperties"], &child, errors)
                }
                None if upstream["properties"].is_null() => {}
                None => errors.push(format!("{child}: not in the upstream schema")),
            }
        }
    }
    if ours["additionalProperties"].is_object() {
        compatible(
            &ours["additionalProperties"],
            &upstream["additionalProperties"],
            &format!("{path}.*"),
            errors,
        );
    }
    if ours["items"].is_object() {
        compatible(
            &ours["items"],
            &upstream["items"],
            &format!("{path}[]"),
            errors,
        );
    }
}

#[test]
fn generated_crds_are_compatible_with_upstream() {
    let mut errors = Vec::new();
    for kind in clusternet_model::crd::kinds() {
        let crd = clusternet_model::crd::custom_resource_definition(kind).unwrap();
        let ours = &crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"];
        let upstream = schema_for(kind).unwrap();
        compatible(ours, &upstream, kind, &mut errors);
        // names and scope as upstream
        let file = fs::read_dir(crds_dir())
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .find(|p| {
                p.file_name().unwrap().to_string_lossy().ends_with(&format!(
                    "_{}.yaml",
                    crd["spec"]["names"]["plural"].as_str().unwrap()
                ))
            })
            .unwrap();
        let upstream_crd =
            clusternet_model::yaml::yaml_to_json(&fs::read_to_string(file).unwrap()).unwrap();
        for field in ["group", "scope"] {
            assert_eq!(
                crd["spec"][field], upstream_crd["spec"][field],
                "{kind} {field}"
            );
        }
        for field in [
            "kind",
            "plural",
            "singular",
            "shortNames",
            "listKind",
            "categories",
        ] {
            assert_eq!(
                crd["spec"]["names"][field], upstream_crd["spec"]["names"][field],
                "{kind} names.{field}"
            );
        }
        assert_eq!(
            crd["metadata"]["name"], upstream_crd["metadata"]["name"],
            "{kind}"
        );
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

#[test]
fn generated_crds_accept_every_object_the_model_emits_and_reads() {
    let mut errors = Vec::new();
    let mut checked = 0;
    for (name, text) in fixture_inputs() {
        let input = read_sources(&[Source {
            name: &name,
            text: &text,
        }])
        .unwrap();
        let mut objects: Vec<Value> = clusternet_model::yaml::parse_stream(&text)
            .unwrap()
            .into_iter()
            .filter(|o| {
                clusternet_model::crd::schema_for(o["kind"].as_str().unwrap_or("")).is_some()
            })
            .collect();
        if let Ok(output) = render(&input) {
            objects.extend(output_objects(&output, false));
        }
        for object in objects {
            let kind = object["kind"].as_str().unwrap().to_string();
            let schema = clusternet_model::crd::schema_for(&kind).unwrap();
            let before = errors.len();
            validate(&object, &schema, &kind, &mut errors);
            if errors.len() > before {
                errors.push(format!("  (in {name})"));
            }
            checked += 1;
        }
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    assert!(checked > 50, "only {checked} objects checked");
}

#[test]
fn the_compatibility_check_detects_mismatches() {
    let ours = serde_json::json!({"type": "object", "properties": {
        "a": {"type": "string"}, "b": {"type": "string", "enum": ["X", "Y"]}, "c": {"type": "boolean"}}});
    let upstream = serde_json::json!({"type": "object", "properties": {
        "a": {"type": "integer"}, "b": {"type": "string", "enum": ["X"]}}});
    let mut errors = Vec::new();
    compatible(&ours, &upstream, "T", &mut errors);
    assert_eq!(errors.len(), 3, "{errors:?}");
}
