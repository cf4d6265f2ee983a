//! `clusternet_manifest` and `clusternet_secret`: one Kubernetes object (YAML or JSON) as a
//! feed. Both export `feed`, the object's canonical content, which subscriptions take by value.
//!
//! A Secret is its own resource (docs/adr/0006): its `feed` carries the Secret's values and is
//! sensitive, while every other object's `feed` is plain text. Terraform cannot record at
//! import which parts of a configuration are sensitive, so only configurations that pass
//! Secrets plan a sensitivity-only update after an import.

use std::collections::BTreeMap;

use clusternet_tfplugin::provider::{ApplyRequest, ApplyResponse, PlanRequest, PlanResponse};
use clusternet_tfplugin::{
    Attribute, AttributePath, Block, Diagnostic, Diagnostics, Schema, Type, Value,
};
use serde_json::Value as Json;

use super::secret_values;
use crate::attrs::{self, Field};
use crate::context::Context;
use crate::registry::{self, Fut, Resource};
use clusternet_model::identity::ObjectIdentity;
use clusternet_model::yaml::YamlError;

use super::feed::NoIdentity;
use crate::diagnostics::ToDiagnostic;

/// Type name of the resource for any object but a Secret.
pub const TYPE_NAME: &str = "clusternet_manifest";

/// Type name of the resource for a v1 Secret.
pub const SECRET_TYPE_NAME: &str = "clusternet_secret";

/// Which of the two feed resources: they share everything but the kind of object they take
/// and the sensitivity of `feed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedResource {
    /// `clusternet_manifest`: any object but a Secret.
    Manifest,
    /// `clusternet_secret`: a v1 Secret.
    Secret,
}

impl FeedResource {
    /// The resource of `type_name`, if it is one of the two.
    pub fn of_type(type_name: &str) -> Option<FeedResource> {
        match type_name {
            TYPE_NAME => Some(FeedResource::Manifest),
            SECRET_TYPE_NAME => Some(FeedResource::Secret),
            _ => None,
        }
    }

    /// The resource an object belongs in.
    pub fn for_object(identity: &ObjectIdentity) -> FeedResource {
        if identity.api_version == "v1" && identity.kind == "Secret" {
            FeedResource::Secret
        } else {
            FeedResource::Manifest
        }
    }

    /// The resource's type name.
    pub fn type_name(self) -> &'static str {
        match self {
            FeedResource::Manifest => TYPE_NAME,
            FeedResource::Secret => SECRET_TYPE_NAME,
        }
    }
}

/// The schema of `resource`.
pub fn schema(resource: FeedResource) -> Schema {
    let computed = |name: &str, text: &str| Attribute::computed(name, Type::String).describe(text);
    let mut attributes =
        vec![
            Attribute::required("manifest", Type::String).describe(match resource {
                FeedResource::Manifest => {
                    "The object as YAML or JSON: one document with `apiVersion`, `kind` and \
                 `metadata.name` (and `metadata.namespace` for namespaced kinds). Any kind but \
                 a Secret. Text that describes the same object as before (reformatted YAML, \
                 YAML for JSON) plans no change."
                }
                FeedResource::Secret => {
                    "The Secret as YAML or JSON (`apiVersion: v1`, `kind: Secret`, \
                 `metadata.name`, `metadata.namespace`, and `type`, labels or annotations as \
                 needed). Put its values in `secret_data`: this text is not sensitive. Text \
                 that describes the same Secret as before plans no change."
                }
            }),
        ];
    if resource == FeedResource::Secret {
        attributes.push(
            Attribute::optional("secret_data", Type::map(Type::String))
                .sensitive()
                .describe(
                    "The Secret's values as plain text, base64-encoded by the provider into \
                     `data`. Sensitive: shown in plans only as hashes.",
                ),
        );
        attributes.push(
            Attribute::optional("secret_binary_data", Type::map(Type::String))
                .sensitive()
                .describe(
                    "The Secret's binary values (keystores, images), base64-encoded, put \
                     into `data` as they are. Sensitive, like `secret_data`; a key may be in \
                     only one of the two.",
                ),
        );
    }
    attributes.extend([
        computed(
            "id",
            "The feed key: `<apiVersion>/<Kind>/<namespace>/<name>`.",
        ),
        computed("api_version", "`apiVersion`."),
        computed("kind", "`kind`."),
        computed(
            "namespace",
            "`metadata.namespace`; empty for cluster-scoped objects.",
        ),
        computed("name", "`metadata.name`."),
    ]);
    attributes.push(match resource {
        FeedResource::Manifest => computed(
            "feed",
            "The feed by value (canonical JSON of the object) for \
             `clusternet_subscription.feeds`.",
        ),
        FeedResource::Secret => computed(
            "feed",
            "The feed by value (canonical JSON of the Secret) for \
             `clusternet_subscription.feeds`. Sensitive: it carries the values.",
        )
        .sensitive(),
    });
    let description = match resource {
        FeedResource::Manifest => {
            "One Kubernetes object as a Clusternet **feed**: any kind but a Secret, including \
             CustomResourceDefinitions and their custom resources. Pass its `feed` to \
             `clusternet_subscription.feeds`; the subscription shows the object as rendered for \
             each cluster in the plan.\n\nSecrets belong in `clusternet_secret`, whose values \
             are sensitive: this resource's `feed` is plain text, so that configurations \
             without Secrets carry no sensitive values and plan no change after an import."
        }
        FeedResource::Secret => {
            "One Kubernetes **Secret** as a Clusternet feed. Pass its `feed` to \
             `clusternet_subscription.feeds` like any manifest's.\n\nThe values belong in \
             `secret_data` (sensitive): they never appear in plan output, where the rendered \
             Secret shows a stable hash instead, and `feed` is sensitive. Terraform records \
             sensitivity from configuration references and cannot at import, so the first \
             plan after importing a subscription that takes a Secret's `feed` updates it in \
             place without changing any value; one apply records it."
        }
    };
    Schema::new(Block::new(description, attributes))
}

/// The parsed object and the warnings about it, or diagnostics on `manifest` /
/// `secret_data` / `secret_binary_data`.
fn parse(
    resource: FeedResource,
    config: &Value,
) -> Result<(Option<(Json, ObjectIdentity)>, Diagnostics), Diagnostics> {
    let mut diags = Diagnostics::new();
    let manifest = match attrs::string(config, "manifest") {
        Field::Known(m) => m,
        Field::Unknown | Field::Null => return Ok((None, diags)),
    };
    let mut values = Vec::new();
    for name in ["secret_data", "secret_binary_data"] {
        match attrs::string_map(config, name) {
            Field::Unknown => return Ok((None, diags)),
            Field::Known(map) => values.push(map),
            Field::Null => values.push(BTreeMap::new()),
        }
    }
    let (secret_text, secret_binary) = (&values[0], &values[1]);
    for (name, map) in [
        ("secret_data", secret_text),
        ("secret_binary_data", secret_binary),
    ] {
        for key in map.keys() {
            if let Err(e) = clusternet_model::names::check_data_key(key) {
                diags.error_at(
                    AttributePath::root().attr(name).key(key),
                    "Invalid Secret key",
                    format!(
                        "{name} key {key:?} {e}. Kubernetes accepts only such keys in a \
                         Secret's data."
                    ),
                );
            }
        }
    }
    if diags.has_errors() {
        return Err(diags);
    }
    if let Err(e) = secret_values::check(secret_text, secret_binary) {
        diags.push(
            e.diagnostic_at(
                AttributePath::root()
                    .attr("secret_binary_data")
                    .key(e.key()),
            ),
        );
        return Err(diags);
    }
    let path = AttributePath::root().attr("manifest");
    let (mut object, identity) = match parse_object(&manifest) {
        Ok(parsed) => parsed,
        Err(e) => {
            diags.push(e.diagnostic_at(path));
            return Err(diags);
        }
    };
    if let Err(e) = super::feed::check_names(&identity) {
        diags.error_at(
            path,
            "Invalid object name",
            format!("The manifest's {e}. Fix the object in `manifest`."),
        );
        return Err(diags);
    }
    match (resource, FeedResource::for_object(&identity)) {
        (FeedResource::Manifest, FeedResource::Secret) => {
            diags.error_at(
                path,
                "A Secret belongs in clusternet_secret",
                format!(
                    "{} is a Secret, and the `feed` of a clusternet_manifest is not sensitive. \
                     Declare it as `resource \"clusternet_secret\"` with the same `manifest` and \
                     its values in `secret_data`.",
                    identity
                ),
            );
            return Err(diags);
        }
        (FeedResource::Secret, FeedResource::Manifest) => {
            diags.error_at(
                path,
                "clusternet_secret takes a Secret",
                format!(
                    "This manifest is a {} {}, not a v1 Secret; declare it as \
                     `resource \"clusternet_manifest\"`.",
                    identity.api_version, identity.kind
                ),
            );
            return Err(diags);
        }
        _ => {}
    }
    if resource == FeedResource::Secret {
        let inline = secret_values::inline_keys(&object);
        if !inline.is_empty() {
            diags.warning_at(
                path,
                "Secret values in manifest",
                format!(
                    "The manifest gives the value of {} itself; `manifest` is not sensitive, \
                     so plans show it. Move the values to secret_data (text) or \
                     secret_binary_data (base64).",
                    inline.join(", ")
                ),
            );
        }
    }
    secret_values::merge(&mut object, secret_text, secret_binary);
    Ok((Some((object, identity)), diags))
}

/// Why a `manifest` is not one Kubernetes object.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    /// More than one YAML document.
    #[error("the manifest holds {count} YAML documents; use one clusternet_manifest per object")]
    SeveralDocuments {
        /// How many.
        count: usize,
    },
    /// Neither YAML nor JSON.
    #[error("{0}")]
    NotYaml(#[from] YamlError),
    /// A document that is not a mapping.
    #[error("the manifest is not an object")]
    NotAnObject,
    /// An object without apiVersion, kind or metadata.name.
    #[error(transparent)]
    Incomplete(#[from] NoIdentity),
}

impl ToDiagnostic for ManifestError {
    fn to_diagnostic(&self) -> Diagnostic {
        match self {
            ManifestError::Incomplete(_) => Diagnostic::error(
                "Incomplete manifest",
                format!("{self}: every feed needs apiVersion, kind and metadata.name."),
            ),
            ManifestError::SeveralDocuments { .. }
            | ManifestError::NotYaml(_)
            | ManifestError::NotAnObject => Diagnostic::error(
                "Invalid manifest",
                format!("{self}. Write one Kubernetes object as YAML or JSON."),
            ),
        }
    }
}

/// The one object of a `manifest`, and its identity.
pub fn parse_object(text: &str) -> Result<(Json, ObjectIdentity), ManifestError> {
    let object = parse_document(text)?;
    let identity = super::feed::identity_of(&object)?;
    Ok((object, identity))
}

fn parse_document(text: &str) -> Result<Json, ManifestError> {
    let documents: Vec<&str> = split_documents(text);
    if documents.len() > 1 {
        return Err(ManifestError::SeveralDocuments {
            count: documents.len(),
        });
    }
    let value = clusternet_model::yaml::yaml_to_json(text)?;
    if !value.is_object() {
        return Err(ManifestError::NotAnObject);
    }
    Ok(value)
}

fn split_documents(text: &str) -> Vec<&str> {
    text.split("\n---")
        .map(str::trim)
        .filter(|d| !d.is_empty() && *d != "---")
        .collect()
}

/// Offline checks.
pub fn validate(resource: FeedResource, config: &Value) -> Diagnostics {
    match parse(resource, config) {
        Ok((_, warnings)) => warnings,
        Err(errors) => errors,
    }
}

fn with_computed(config: &Value, parsed: Option<&(Json, ObjectIdentity)>) -> Value {
    let mut entries = config.as_entries().cloned().unwrap_or_default();
    let mut set = |name: &str, value: Value| {
        entries.insert(name.to_string(), value);
    };
    match parsed {
        Some((object, identity)) => {
            set("id", identity.to_string().into());
            set("api_version", identity.api_version.clone().into());
            set("kind", identity.kind.clone().into());
            set("namespace", identity.namespace_or_empty().into());
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
fn state_of(resource: FeedResource, base: &Value) -> Result<Value, Diagnostics> {
    parse(resource, base).map(|(parsed, _)| with_computed(base, parsed.as_ref()))
}

/// Plans: every computed attribute follows from the manifest.
pub fn plan(resource: FeedResource, req: PlanRequest) -> PlanResponse {
    let mut response = PlanResponse::null(Diagnostics::new());
    if req.proposed_new_state.is_null() {
        return response;
    }
    // `parse` reads the configuration's attributes, which the proposed state carries as is.
    match state_of(resource, &req.proposed_new_state) {
        // The same feed and Secret values (absent from a clusternet_manifest's): the text is only
        // reformatted.
        Ok(planned) => {
            response.planned_state = super::feed::keep_equivalent_text(
                planned,
                &req.prior_state,
                "manifest",
                &["feed", "secret_data", "secret_binary_data"],
            )
        }
        Err(diags) => response.diagnostics = diags,
    }
    response
}

/// The state of a manifest or secret imported from an object stored on the hub (a
/// Manifest's `template`): what the shadow API added (the `clusternet.io/created-by` label,
/// the uid) removed, `manifest` as the compact sorted-key JSON `jsonencode` writes, and for a
/// Secret the values that are text moved, decoded, to `secret_data`. Other server defaults the
/// hub stored (e.g. a Deployment's `spec.replicas: 1`) stay: they are what the hub holds.
/// The object must belong in `resource` (a Secret in `clusternet_secret`, anything else in
/// `clusternet_manifest`), else the error says which resource to import it as.
pub fn imported_state(resource: FeedResource, template: &Json) -> Result<Value, Diagnostics> {
    let mut object = template.clone();
    strip_shadow_additions(&mut object);
    let mut entries = BTreeMap::new();
    if resource == FeedResource::Secret {
        let as_value = |map: BTreeMap<String, String>| {
            if map.is_empty() {
                Value::Null
            } else {
                Value::Map(map.into_iter().map(|(k, v)| (k, Value::from(v))).collect())
            }
        };
        let (text, binary) = secret_values::take(&mut object);
        entries.insert("secret_data".to_string(), as_value(text));
        entries.insert("secret_binary_data".to_string(), as_value(binary));
    }
    entries.insert(
        "manifest".to_string(),
        Value::from(clusternet_model::json::to_compact(&object)),
    );
    state_of(resource, &Value::Object(entries))
}

/// The state of an object stored on the hub imported as the resource it belongs in.
pub fn imported_state_of_feed(template: &Json) -> Result<Value, Diagnostics> {
    let resource = ObjectIdentity::of(template)
        .map(|identity| FeedResource::for_object(&identity))
        .unwrap_or(FeedResource::Manifest);
    imported_state(resource, template)
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

impl Resource for FeedResource {
    fn type_name(&self) -> &'static str {
        FeedResource::type_name(*self)
    }

    fn schema(&self) -> Schema {
        schema(*self)
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        validate(*self, config)
    }

    // Feeds need neither the inventory nor the hub.
    fn plan<'a>(&'a self, _ctx: &'a Context, req: PlanRequest) -> Fut<'a, PlanResponse> {
        Box::pin(async move { plan(*self, req) })
    }

    fn apply<'a>(&'a self, _ctx: &'a Context, req: ApplyRequest) -> Fut<'a, ApplyResponse> {
        Box::pin(async move { registry::planned(req) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A configuration as Terraform sends it: a clusternet_secret's has `secret_data`.
    fn config(manifest: &str) -> Value {
        let mut entries = BTreeMap::new();
        entries.insert("manifest".to_string(), Value::from(manifest));
        if manifest.contains("\"Secret\"") {
            entries.insert("secret_data".to_string(), Value::Null);
            entries.insert("secret_binary_data".to_string(), Value::Null);
        }
        Value::Object(entries)
    }

    #[test]
    fn yaml_manifest_becomes_a_sorted_compact_feed() {
        let parsed = parse(FeedResource::Manifest, &config(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: web\ndata:\n  b: \"2\"\n  a: \"1\"\n",
        ))
        .unwrap()
        .0
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
            let diags = parse(FeedResource::Manifest, &config(bad)).unwrap_err();
            let d = diags.iter().next().unwrap();
            assert_eq!(
                d.path,
                Some(AttributePath::root().attr("manifest")),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_secret_key_kubernetes_rejects_is_an_error_on_its_entry() {
        let secret = r#"{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s"}}"#;
        for key in ["a/b", "..", "with space", ""] {
            let mut config = config(secret);
            if let Value::Object(entries) = &mut config {
                entries.insert(
                    "secret_data".into(),
                    Value::Map(BTreeMap::from([(key.to_string(), Value::from("v"))])),
                );
            }
            let diags = parse(FeedResource::Secret, &config).unwrap_err();
            let d = diags.iter().next().unwrap();
            assert_eq!(d.summary, "Invalid Secret key");
            assert_eq!(
                d.path,
                Some(AttributePath::root().attr("secret_data").key(key)),
                "{key}"
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
        let resource = if manifest.contains("\"Secret\"") {
            FeedResource::Secret
        } else {
            FeedResource::Manifest
        };
        state_of(resource, &config).unwrap()
    }

    fn stored_template(manifest: &str) -> Json {
        let object = clusternet_model::yaml::yaml_to_json(manifest).unwrap();
        let stored = clusternet_model::feeds::StoredManifest::from_object(object).unwrap();
        clusternet_model::hub::manifest_object(&stored)["template"].clone()
    }

    #[test]
    fn import_of_a_stored_feed_gives_the_jsonencode_text_and_the_same_feed() {
        let written = r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"shop"},"spec":{"replicas":3,"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"image":"nginx:1.27","name":"web"}]}}}}"#;
        let imported = imported_state(FeedResource::Manifest, &stored_template(written)).unwrap();
        let planned = planned_state(written, None);
        assert!(imported.get("secret_data").is_none());
        assert_eq!(imported.get("manifest"), Some(&Value::from(written)));
        assert_eq!(imported, planned);
    }

    #[test]
    fn import_keeps_labels_of_the_object_and_drops_only_the_shadow_label() {
        let written = r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"labels":{"app":"web"},"name":"s","namespace":"shop"}}"#;
        let imported = imported_state(FeedResource::Manifest, &stored_template(written)).unwrap();
        assert_eq!(imported.get("manifest"), Some(&Value::from(written)));
    }

    #[test]
    fn import_moves_every_secret_value_to_the_sensitive_maps() {
        let manifest =
            r#"{"apiVersion":"v1","kind":"Secret","metadata":{"name":"db","namespace":"shop"}}"#;
        let planned = planned_state(manifest, Some(("password", "s3cret")));
        let feed = planned.get("feed").and_then(Value::as_str).unwrap();
        let template = stored_template(feed);
        let imported = imported_state_of_feed(&template).unwrap();
        assert_eq!(imported, planned);

        let mut binary = template.clone();
        binary["data"]["blob"] = Json::String("/w==".into());
        let imported = imported_state(FeedResource::Secret, &binary).unwrap();
        let text = imported.get("manifest").and_then(Value::as_str).unwrap();
        assert!(!text.contains(r#""data""#), "{text}");
        assert_eq!(
            imported.get("secret_binary_data"),
            Some(&Value::Map(BTreeMap::from([(
                "blob".to_string(),
                Value::from("/w==")
            )])))
        );
        let feed = imported.get("feed").and_then(Value::as_str).unwrap();
        assert!(feed.contains(r#""blob":"/w==""#), "{feed}");
    }

    #[test]
    fn values_written_in_a_secret_manifest_are_a_warning() {
        let inline = r#"{"apiVersion":"v1","kind":"Secret","metadata":{"name":"db"},"stringData":{"password":"x"}}"#;
        let diags = validate(FeedResource::Secret, &config(inline));
        let warning = diags.iter().next().expect("a warning");
        assert_eq!(warning.summary, "Secret values in manifest");
        assert!(!diags.has_errors());
    }

    fn plan_over(prior: &Value, manifest: &str) -> Value {
        let proposed = config(manifest);
        plan(
            FeedResource::Manifest,
            PlanRequest {
                type_name: TYPE_NAME.to_string(),
                prior_state: prior.clone(),
                proposed_new_state: proposed.clone(),
                config: proposed,
                prior_private: Vec::new(),
            },
        )
        .planned_state
    }

    #[test]
    fn the_same_object_in_other_text_keeps_the_prior_text() {
        let json = r#"{"apiVersion":"v1","data":{"a":"1"},"kind":"ConfigMap","metadata":{"name":"s","namespace":"web"}}"#;
        let imported = imported_state(FeedResource::Manifest, &stored_template(json)).unwrap();
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

    #[test]
    fn a_secret_is_refused_by_clusternet_manifest_and_anything_else_by_clusternet_secret() {
        let secret =
            r#"{"apiVersion":"v1","kind":"Secret","metadata":{"name":"db","namespace":"shop"}}"#;
        let map =
            r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"db","namespace":"shop"}}"#;
        for (resource, manifest, summary) in [
            (
                FeedResource::Manifest,
                secret,
                "A Secret belongs in clusternet_secret",
            ),
            (
                FeedResource::Secret,
                map,
                "clusternet_secret takes a Secret",
            ),
        ] {
            let diags = validate(resource, &config(manifest));
            let d = diags.iter().next().expect("an error");
            assert_eq!(d.summary, summary);
            assert_eq!(d.path, Some(AttributePath::root().attr("manifest")));
        }
        assert!(validate(FeedResource::Secret, &config(secret)).is_empty());
        assert!(validate(FeedResource::Manifest, &config(map)).is_empty());
    }

    #[test]
    fn only_the_secret_resource_has_secret_data_and_a_sensitive_feed() {
        for (resource, sensitive) in [
            (FeedResource::Manifest, false),
            (FeedResource::Secret, true),
        ] {
            let schema = schema(resource);
            let attribute = |name: &str| schema.block.attributes.iter().find(|a| a.name == name);
            assert_eq!(attribute("feed").unwrap().sensitive, sensitive);
            assert_eq!(attribute("secret_data").is_some(), sensitive);
        }
    }
}
