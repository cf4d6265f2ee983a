//! `clusternet_manifests`: a multi-document YAML or JSON stream (a file, kustomize output) as
//! one feed per object, so that an application of fifty objects is one resource. Each feed is
//! exactly what `clusternet_manifest` gives for the same object (docs/adr/0025).

pub mod stream;

use std::collections::BTreeMap;

use clusternet_tfplugin::provider::{ApplyRequest, ApplyResponse, PlanRequest, PlanResponse};
use clusternet_tfplugin::{Attribute, AttributePath, Block, Diagnostics, Schema, Type, Value};

use crate::attrs::{self, Field};
use crate::context::Context;
use crate::registry::{self, Fut, Resource};
use stream::{BadDocument, DocumentError, Duplicate, Entry};

/// Type name of the resource.
pub const TYPE_NAME: &str = "clusternet_manifests";

/// The computed attributes, all following from `manifests`.
const COMPUTED: [&str; 3] = ["feeds", "feed_keys", "feeds_by_key"];

/// The resource (it has no settings).
#[derive(Debug, Clone, Copy)]
pub struct Manifests;

/// The schema.
pub fn schema() -> Schema {
    let attributes = vec![
        Attribute::required("manifests", Type::String).describe(
            "A stream of Kubernetes objects: YAML documents separated by `---` (JSON documents \
             too), e.g. `file(\"app.yaml\")` or the output of `kubectl kustomize`. Empty and \
             comment-only documents are skipped; a `List` (`kind: List` with `items`) stands \
             for its items, as in kubectl. Any kind but a Secret (use `clusternet_secret`). \
             Text that describes the same objects as before plans no change.",
        ),
        Attribute::computed("feeds", Type::list(Type::String)).describe(
            "The feeds by value, in document order: each exactly the `feed` a \
             `clusternet_manifest` of that object exports, for `clusternet_subscription.feeds` \
             (alone or in `concat(...)`).",
        ),
        Attribute::computed("feed_keys", Type::list(Type::String)).describe(
            "The feed keys (`<apiVersion>/<Kind>/<namespace>/<name>`) in the order of `feeds`.",
        ),
        Attribute::computed("feeds_by_key", Type::map(Type::String))
            .describe("The feeds by feed key, to pass a subset of the stream to a subscription."),
    ];
    Schema::new(Block::new(
        "Several Kubernetes objects, given as one multi-document YAML or JSON stream, as one \
         Clusternet **feed** per object. Pass `feeds` to `clusternet_subscription.feeds`; each \
         feed is what `clusternet_manifest` gives for the same object, so the subscription's \
         plan and deployment are the same as with one resource per object (CRDs are deployed \
         before their custom resources).\n\nAn error names the document at fault (counted \
         from 1, with the line it starts on) and its object. Secrets belong in \
         `clusternet_secret`, whose values are sensitive: this resource's feeds are plain text.",
        attributes,
    ))
}

/// The stream's objects, or the diagnostics on `manifests`; `None` while it is unknown.
fn parse(config: &Value) -> Result<(Option<Vec<Entry>>, Diagnostics), Diagnostics> {
    let mut diags = Diagnostics::new();
    let text = match attrs::string(config, "manifests") {
        Field::Known(text) => text,
        Field::Unknown | Field::Null => return Ok((None, diags)),
    };
    let path = AttributePath::root().attr("manifests");
    let read = stream::read(&text);
    for bad in &read.bad {
        let (summary, detail) = bad_document(bad);
        diags.error_at(path.clone(), summary, detail);
    }
    for duplicate in &read.duplicates {
        let (summary, detail) = duplicate_object(duplicate);
        diags.error_at(path.clone(), summary, detail);
    }
    if diags.has_errors() {
        return Err(diags);
    }
    if read.entries.is_empty() {
        diags.warning_at(
            path,
            "No objects in manifests",
            "The stream holds no Kubernetes object (only empty or comment-only documents), so \
             this resource exports no feed. Check the file or command that produces it.",
        );
    }
    Ok((Some(read.entries), diags))
}

/// The summary and detail of a bad document's error.
fn bad_document(bad: &BadDocument) -> (&'static str, String) {
    let at = match &bad.identity {
        Some(identity) => format!("{} ({identity})", bad.place),
        None => bad.place.to_string(),
    };
    match &bad.error {
        DocumentError::Secret => (
            "A Secret belongs in clusternet_secret",
            format!(
                "{at} is a Secret, and the feeds of clusternet_manifests are not sensitive. \
                 Remove it from the stream and declare it as `resource \"clusternet_secret\"` \
                 with its values in `secret_data`."
            ),
        ),
        DocumentError::Incomplete(e) => (
            "Incomplete manifest",
            format!("{at}: {e}; every feed needs apiVersion, kind and metadata.name."),
        ),
        DocumentError::InvalidName(e) => (
            "Invalid object name",
            format!("{at}: the object's {e}. Fix that document in `manifests`."),
        ),
        DocumentError::NotYaml(_)
        | DocumentError::NotAnObject
        | DocumentError::ListWithoutItems { .. } => (
            "Invalid manifest",
            format!(
                "{at}: {}. Write each document as one Kubernetes object in YAML or JSON.",
                bad.error
            ),
        ),
    }
}

/// The summary and detail of a duplicate object's error.
fn duplicate_object(duplicate: &Duplicate) -> (&'static str, String) {
    (
        "Duplicate object in manifests",
        format!(
            "{} gives {} again, already given by {}: a cluster holds one object per group, \
             kind, namespace and name. Remove one of the two.",
            duplicate.again, duplicate.identity, duplicate.first
        ),
    )
}

/// Offline checks.
pub fn validate(config: &Value) -> Diagnostics {
    match parse(config) {
        Ok((_, warnings)) => warnings,
        Err(errors) => errors,
    }
}

fn with_computed(base: &Value, entries: Option<&[Entry]>) -> Value {
    let mut state = base.as_entries().cloned().unwrap_or_default();
    let mut set = |name: &str, value: Value| {
        state.insert(name.to_string(), value);
    };
    match entries {
        Some(entries) => {
            let feeds: Vec<(String, String)> = entries
                .iter()
                .map(|e| {
                    let feed = clusternet_model::json::to_compact(&e.object);
                    (e.identity.key(), feed)
                })
                .collect();
            set(
                "feeds",
                Value::List(feeds.iter().map(|(_, f)| Value::from(f.as_str())).collect()),
            );
            set(
                "feed_keys",
                Value::List(feeds.iter().map(|(k, _)| Value::from(k.as_str())).collect()),
            );
            set(
                "feeds_by_key",
                Value::Map(
                    feeds
                        .into_iter()
                        .map(|(k, f)| (k, Value::from(f)))
                        .collect::<BTreeMap<_, _>>(),
                ),
            );
        }
        None => COMPUTED.iter().for_each(|name| set(name, Value::unknown())),
    }
    Value::Object(state)
}

/// Plans: every computed attribute follows from `manifests`.
pub fn plan(req: PlanRequest) -> PlanResponse {
    let mut response = PlanResponse::null(Diagnostics::new());
    if req.proposed_new_state.is_null() {
        return response;
    }
    match parse(&req.proposed_new_state) {
        Ok((entries, _)) => {
            let planned = with_computed(&req.proposed_new_state, entries.as_deref());
            // The same feeds in the same order: the text is only reformatted.
            response.planned_state = super::feed::keep_equivalent_text(
                planned,
                &req.prior_state,
                "manifests",
                &["feeds"],
            );
        }
        Err(diags) => response.diagnostics = diags,
    }
    response
}

impl Resource for Manifests {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        validate(config)
    }

    // Like clusternet_manifest: feeds need neither the inventory nor the hub.
    fn plan<'a>(&'a self, _ctx: &'a Context, req: PlanRequest) -> Fut<'a, PlanResponse> {
        Box::pin(async move { plan(req) })
    }

    fn apply<'a>(&'a self, _ctx: &'a Context, req: ApplyRequest) -> Fut<'a, ApplyResponse> {
        Box::pin(async move { registry::planned(req) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(text: &str) -> Value {
        Value::Object(BTreeMap::from([(
            "manifests".to_string(),
            Value::from(text),
        )]))
    }

    fn planned(text: &str) -> Value {
        let (entries, _) = parse(&config(text)).unwrap();
        with_computed(&config(text), entries.as_deref())
    }

    #[test]
    fn each_feed_is_what_clusternet_manifest_gives_for_the_object() {
        let object = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: web\ndata:\n  b: \"2\"\n  a: \"1\"\n";
        let stream = format!("{object}---\n{}", object.replace("settings", "other"));
        let state = planned(&stream);
        let feeds = match state.get("feeds") {
            Some(Value::List(feeds)) => feeds.clone(),
            other => panic!("{other:?}"),
        };
        let single = super::super::manifest::plan(
            super::super::manifest::FeedResource::Manifest,
            PlanRequest {
                type_name: super::super::manifest::TYPE_NAME.to_string(),
                prior_state: Value::Null,
                proposed_new_state: Value::Object(BTreeMap::from([(
                    "manifest".to_string(),
                    Value::from(object),
                )])),
                config: Value::Null,
                prior_private: Vec::new(),
            },
        )
        .planned_state;
        assert_eq!(Some(&feeds[0]), single.get("feed"));
        assert_eq!(
            state.get("feed_keys"),
            Some(&Value::List(vec![
                Value::from("v1/ConfigMap/web/settings"),
                Value::from("v1/ConfigMap/web/other"),
            ]))
        );
    }

    #[test]
    fn a_duplicate_names_both_documents() {
        let object = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: x}\n";
        let diags = validate(&config(&format!("{object}---\n{object}")));
        let d = diags.iter().next().unwrap();
        assert_eq!(d.summary, "Duplicate object in manifests");
        assert!(d.detail.contains("document 2 (line 5)"), "{}", d.detail);
        assert!(d.detail.contains("document 1 (line 1)"), "{}", d.detail);
        assert_eq!(d.path, Some(AttributePath::root().attr("manifests")));
    }

    #[test]
    fn a_secret_is_refused_without_its_values() {
        let text = "apiVersion: v1\nkind: Secret\nmetadata: {name: db, namespace: x}\nstringData: {password: hunter2}\n";
        let diags = validate(&config(text));
        let d = diags.iter().next().unwrap();
        assert_eq!(d.summary, "A Secret belongs in clusternet_secret");
        assert!(!d.detail.contains("hunter2"));
    }

    #[test]
    fn a_stream_without_objects_is_a_warning() {
        let diags = validate(&config("# nothing yet\n---\n"));
        assert!(!diags.has_errors());
        assert_eq!(
            diags.iter().next().unwrap().summary,
            "No objects in manifests"
        );
    }

    #[test]
    fn reformatted_text_keeps_the_prior_text() {
        let yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: x}\n";
        let prior = planned(yaml);
        let json =
            r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","namespace":"x"}}"#;
        let response = plan(PlanRequest {
            type_name: TYPE_NAME.to_string(),
            prior_state: prior.clone(),
            proposed_new_state: config(json),
            config: config(json),
            prior_private: Vec::new(),
        });
        assert_eq!(response.planned_state, prior);
    }
}
