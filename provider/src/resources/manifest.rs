//! `clusternet_manifest`: one Kubernetes object (YAML or JSON, any kind, CRDs and their
//! resources included) as a feed. Exports `feed`, the object's canonical content, which
//! subscriptions take by value.

use std::collections::BTreeMap;

use base64::Engine as _;
use clusternet_tfplugin::provider::{
    ApplyRequest, ApplyResponse, PlanRequest, PlanResponse, ReadRequest, ReadResponse,
};
use clusternet_tfplugin::{Attribute, AttributePath, Block, Diagnostics, Schema, Type, Value};
use serde_json::Value as Json;

use super::feed::FeedIdentity;
use crate::attrs::{self, Field};

/// Type name.
pub const TYPE_NAME: &str = "clusternet_manifest";

/// The schema.
pub fn schema() -> Schema {
    Schema::new(Block::new(
        "One Kubernetes object as a Clusternet **feed**: any kind, including \
         CustomResourceDefinitions and their custom resources. Pass its `feed` to \
         `clusternet_subscription.feeds`; the subscription shows the object as rendered for \
         each cluster in the plan.\n\nSecret values belong in `secret_data` (sensitive): they \
         never appear in plan output, where the rendered Secret shows a stable hash instead.",
        vec![
            Attribute::required("manifest", Type::String).describe(
                "The object as YAML or JSON: one document with `apiVersion`, `kind` and \
                 `metadata.name` (and `metadata.namespace` for namespaced kinds). Text that \
                 describes the same object as before (reformatted YAML, YAML for JSON) plans \
                 no change.",
            ),
            Attribute::optional("secret_data", Type::map(Type::String))
                .sensitive()
                .describe(
                    "For a `Secret`: plain-text values, base64-encoded by the provider into \
                     `data`. Sensitive: shown in plans only as hashes.",
                ),
            Attribute::computed("id", Type::String)
                .describe("The feed key: `<apiVersion>/<Kind>/<namespace>/<name>`."),
            Attribute::computed("api_version", Type::String).describe("`apiVersion`."),
            Attribute::computed("kind", Type::String).describe("`kind`."),
            Attribute::computed("namespace", Type::String)
                .describe("`metadata.namespace`; empty for cluster-scoped objects."),
            Attribute::computed("name", Type::String).describe("`metadata.name`."),
            Attribute::computed("feed", Type::String)
                .sensitive()
                .describe(
                    "The feed by value (canonical JSON of the object) for \
                 `clusternet_subscription.feeds`. Sensitive because it carries `secret_data`.",
                ),
        ],
    ))
}

/// The parsed object, or diagnostics on `manifest` / `secret_data`.
fn parse(config: &Value) -> Result<Option<(Json, FeedIdentity)>, Diagnostics> {
    let mut diags = Diagnostics::new();
    let manifest = match attrs::string(config, "manifest") {
        Field::Known(m) => m,
        Field::Unknown | Field::Null => return Ok(None),
    };
    let secret_data = match attrs::string_map(config, "secret_data") {
        Field::Unknown => return Ok(None),
        Field::Known(map) => Some(map),
        Field::Null => None,
    };
    let path = AttributePath::root().attr("manifest");
    let mut object = match parse_document(&manifest) {
        Ok(object) => object,
        Err(e) => {
            diags.error_at(
                path,
                "Invalid manifest",
                format!("{e}. Write one Kubernetes object as YAML or JSON."),
            );
            return Err(diags);
        }
    };
    let identity = match FeedIdentity::of(&object) {
        Ok(identity) => identity,
        Err(e) => {
            diags.error_at(
                path,
                "Incomplete manifest",
                format!("{e}: every feed needs apiVersion, kind and metadata.name."),
            );
            return Err(diags);
        }
    };
    if let Some(secret_data) = secret_data {
        if !(identity.kind == "Secret" && identity.api_version == "v1") {
            diags.error_at(
                AttributePath::root().attr("secret_data"),
                "secret_data is only for Secrets",
                format!(
                    "This manifest is a {} {}; put its values in `manifest`.",
                    identity.api_version, identity.kind
                ),
            );
            return Err(diags);
        }
        merge_secret_data(&mut object, &secret_data);
    }
    Ok(Some((object, identity)))
}

fn parse_document(text: &str) -> Result<Json, String> {
    let documents: Vec<&str> = split_documents(text);
    if documents.len() > 1 {
        return Err(format!(
            "the manifest holds {} YAML documents; use one clusternet_manifest per object",
            documents.len()
        ));
    }
    let value = clusternet_model::yaml::yaml_to_json(text).map_err(|e| e.to_string())?;
    if !value.is_object() {
        return Err("the manifest is not an object".to_string());
    }
    Ok(value)
}

fn split_documents(text: &str) -> Vec<&str> {
    text.split("\n---")
        .map(str::trim)
        .filter(|d| !d.is_empty() && *d != "---")
        .collect()
}

fn merge_secret_data(object: &mut Json, secret_data: &BTreeMap<String, String>) {
    let engine = base64::engine::general_purpose::STANDARD;
    let map = object
        .as_object_mut()
        .expect("parse_document returns objects");
    let data = map
        .entry("data")
        .or_insert_with(|| Json::Object(Default::default()));
    if !data.is_object() {
        *data = Json::Object(Default::default());
    }
    let data = data.as_object_mut().expect("just made an object");
    for (key, value) in secret_data {
        data.insert(key.clone(), Json::String(engine.encode(value)));
    }
}

/// Offline checks.
pub fn validate(config: &Value) -> Diagnostics {
    parse(config).err().unwrap_or_default()
}

fn with_computed(config: &Value, parsed: Option<&(Json, FeedIdentity)>) -> Value {
    let mut entries = config.as_entries().cloned().unwrap_or_default();
    let mut set = |name: &str, value: Value| {
        entries.insert(name.to_string(), value);
    };
    match parsed {
        Some((object, identity)) => {
            set("id", identity.key().into());
            set("api_version", identity.api_version.clone().into());
            set("kind", identity.kind.clone().into());
            set("namespace", identity.namespace.clone().into());
            set("name", identity.name.clone().into());
            set("feed", clusternet_model::json::to_compact(object).into());
        }
        None => {
            for name in ["id", "api_version", "kind", "namespace", "name", "feed"] {
                set(name, Value::unknown());
            }
        }
    }
    Value::Object(entries)
}

/// `base` (a configuration or proposed state) with every computed attribute derived from
/// its `manifest` and `secret_data`: the one function behind both plan and import, so an
/// imported feed is exactly the feed the same configuration plans.
fn state_of(base: &Value) -> Result<Value, Diagnostics> {
    parse(base).map(|parsed| with_computed(base, parsed.as_ref()))
}

/// Plans: every computed attribute follows from the manifest.
pub fn plan(req: PlanRequest) -> PlanResponse {
    let mut response = PlanResponse::null(Diagnostics::new());
    if req.proposed_new_state.is_null() {
        return response;
    }
    // `parse` reads the configuration's attributes, which the proposed state carries as is.
    match state_of(&req.proposed_new_state) {
        Ok(planned) => response.planned_state = keep_equivalent_text(planned, &req.prior_state),
        Err(diags) => response.diagnostics = diags,
    }
    response
}

/// `planned`, with the prior `manifest` text when the new text describes the same object
/// (same feed, same `secret_data`): YAML reformatted, or JSON from an import written as YAML,
/// plans no change. Terraform accepts the prior value of a configured attribute as the
/// provider's statement that the two are equivalent.
fn keep_equivalent_text(planned: Value, prior: &Value) -> Value {
    let same = |name: &str| {
        let now = planned.get(name);
        now.is_some_and(Value::is_known) && now == prior.get(name)
    };
    let prior_text = prior.get("manifest").filter(|m| m.as_str().is_some());
    match (prior_text, same("feed") && same("secret_data")) {
        (Some(text), true) => {
            let mut entries = planned.as_entries().cloned().unwrap_or_default();
            entries.insert("manifest".to_string(), text.clone());
            Value::Object(entries)
        }
        _ => planned,
    }
}

/// The state of a manifest imported from an object stored on the hub (a Manifest's
/// `template`): what the shadow API added (the `clusternet.io/created-by` label, the uid)
/// removed, `manifest` as the compact sorted-key JSON `jsonencode` writes, and for a Secret the
/// values that are text moved, decoded, to `secret_data`. Other server defaults the hub
/// stored (e.g. a Deployment's `spec.replicas: 1`) stay: they are what the hub holds.
pub fn imported_state(template: &Json) -> Result<Value, Diagnostics> {
    let mut object = template.clone();
    strip_shadow_additions(&mut object);
    let secret_data = take_secret_text(&mut object);
    let mut entries = BTreeMap::new();
    entries.insert(
        "manifest".to_string(),
        Value::from(clusternet_model::json::to_compact(&object)),
    );
    entries.insert(
        "secret_data".to_string(),
        secret_data.map_or(Value::Null, |data| {
            Value::Map(data.into_iter().map(|(k, v)| (k, Value::from(v))).collect())
        }),
    );
    state_of(&Value::Object(entries))
}

fn strip_shadow_additions(object: &mut Json) {
    let Some(meta) = object.get_mut("metadata").and_then(Json::as_object_mut) else {
        return;
    };
    meta.remove("uid");
    let now_empty = meta
        .get_mut("labels")
        .and_then(Json::as_object_mut)
        .is_some_and(|labels| {
            labels.remove(clusternet_model::feeds::CREATED_BY_LABEL);
            labels.is_empty()
        });
    if now_empty {
        meta.remove("labels");
    }
}

/// For a v1 Secret: removes the `data` values that decode to UTF-8 text and returns them
/// decoded (binary values stay in `data`, base64). `None` for other objects or no text value.
fn take_secret_text(object: &mut Json) -> Option<BTreeMap<String, String>> {
    let identity = FeedIdentity::of(object).ok()?;
    if !(identity.api_version == "v1" && identity.kind == "Secret") {
        return None;
    }
    let engine = base64::engine::general_purpose::STANDARD;
    let data = object.get_mut("data")?.as_object_mut()?;
    let mut text = BTreeMap::new();
    data.retain(|key, value| {
        let decoded = value
            .as_str()
            .and_then(|v| engine.decode(v).ok())
            .and_then(|bytes| String::from_utf8(bytes).ok());
        match decoded {
            Some(decoded) => {
                text.insert(key.clone(), decoded);
                false
            }
            None => true,
        }
    });
    let emptied = data.is_empty();
    if emptied && let Some(map) = object.as_object_mut() {
        map.remove("data");
    }
    (!text.is_empty()).then_some(text)
}

/// Applies: nothing leaves the provider in the embedded mode; the state is the plan.
pub fn apply(req: ApplyRequest) -> ApplyResponse {
    ApplyResponse {
        new_state: req.planned_state,
        private: req.planned_private,
        diagnostics: Diagnostics::new(),
    }
}

/// Reads: a feed lives in configuration and state.
pub fn read(req: ReadRequest) -> ReadResponse {
    ReadResponse {
        new_state: req.current_state,
        private: req.private,
        diagnostics: Diagnostics::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(manifest: &str) -> Value {
        let mut entries = BTreeMap::new();
        entries.insert("manifest".to_string(), Value::from(manifest));
        entries.insert("secret_data".to_string(), Value::Null);
        Value::Object(entries)
    }

    #[test]
    fn yaml_manifest_becomes_a_sorted_compact_feed() {
        let parsed = parse(&config(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: web\ndata:\n  b: \"2\"\n  a: \"1\"\n",
        ))
        .unwrap()
        .unwrap();
        assert_eq!(parsed.1.key(), "v1/ConfigMap/web/settings");
        assert_eq!(
            clusternet_model::json::to_compact(&parsed.0),
            r#"{"apiVersion":"v1","data":{"a":"1","b":"2"},"kind":"ConfigMap","metadata":{"name":"settings","namespace":"web"}}"#
        );
    }

    #[test]
    fn several_documents_and_missing_names_are_errors_on_manifest() {
        for bad in [
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n",
            "key: [unclosed",
            "just a string",
        ] {
            let diags = parse(&config(bad)).unwrap_err();
            let d = diags.iter().next().unwrap();
            assert_eq!(
                d.path,
                Some(AttributePath::root().attr("manifest")),
                "{bad}"
            );
        }
    }

    fn planned_state(manifest: &str, secret_data: Option<(&str, &str)>) -> Value {
        let mut config = config(manifest);
        if let (Value::Object(entries), Some((k, v))) = (&mut config, secret_data) {
            entries.insert(
                "secret_data".into(),
                Value::Map(BTreeMap::from([(k.to_string(), Value::from(v))])),
            );
        }
        state_of(&config).unwrap()
    }

    fn stored_template(manifest: &str) -> Json {
        let object = clusternet_model::yaml::yaml_to_json(manifest).unwrap();
        let stored = clusternet_model::feeds::StoredManifest::from_object(object).unwrap();
        crate::hub::manifest_object(&stored)["template"].clone()
    }

    #[test]
    fn import_of_a_stored_feed_gives_the_jsonencode_text_and_the_same_feed() {
        let written = r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"shop"},"spec":{"replicas":3,"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"image":"nginx:1.27","name":"web"}]}}}}"#;
        let imported = imported_state(&stored_template(written)).unwrap();
        let planned = planned_state(written, None);
        assert_eq!(imported.get("manifest"), Some(&Value::from(written)));
        assert_eq!(imported, planned);
    }

    #[test]
    fn import_keeps_labels_of_the_object_and_drops_only_the_shadow_label() {
        let written = r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"labels":{"app":"web"},"name":"s","namespace":"shop"}}"#;
        let imported = imported_state(&stored_template(written)).unwrap();
        assert_eq!(imported.get("manifest"), Some(&Value::from(written)));
    }

    #[test]
    fn import_moves_secret_text_to_secret_data_and_keeps_binary_values() {
        let manifest =
            r#"{"apiVersion":"v1","kind":"Secret","metadata":{"name":"db","namespace":"shop"}}"#;
        let planned = planned_state(manifest, Some(("password", "s3cret")));
        let feed = planned.get("feed").and_then(Value::as_str).unwrap();
        let template = stored_template(feed);
        let imported = imported_state(&template).unwrap();
        assert_eq!(imported, planned);

        let mut binary = template.clone();
        binary["data"]["blob"] = Json::String("/w==".into());
        let imported = imported_state(&binary).unwrap();
        let text = imported.get("manifest").and_then(Value::as_str).unwrap();
        assert!(text.contains(r#""data":{"blob":"/w=="}"#), "{text}");
        assert!(!text.contains("czNjcmV0"), "{text}");
    }

    fn plan_over(prior: &Value, manifest: &str) -> Value {
        let proposed = config(manifest);
        plan(PlanRequest {
            type_name: TYPE_NAME.to_string(),
            prior_state: prior.clone(),
            proposed_new_state: proposed.clone(),
            config: proposed,
            prior_private: Vec::new(),
        })
        .planned_state
    }

    #[test]
    fn the_same_object_in_other_text_keeps_the_prior_text() {
        let json = r#"{"apiVersion":"v1","data":{"a":"1"},"kind":"ConfigMap","metadata":{"name":"s","namespace":"web"}}"#;
        let imported = imported_state(&stored_template(json)).unwrap();
        let yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: s\n  namespace: web\ndata:\n  a: \"1\"\n";
        assert_eq!(plan_over(&imported, yaml), imported);
        // A change of content takes the new text.
        let changed = plan_over(&imported, &yaml.replace("\"1\"", "\"2\""));
        assert!(
            changed
                .get("manifest")
                .and_then(Value::as_str)
                .unwrap()
                .contains("\"2\"")
        );
    }
}
