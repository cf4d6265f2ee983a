//! `clusternet_localization` (one cluster) and `clusternet_globalization` (all clusters, or a
//! labelled group): override objects. Each exports `ref`, the Clusternet object as JSON, which
//! subscriptions take by value in `overrides`.

use clusternet_tfplugin::provider::{
    ApplyRequest, ApplyResponse, PlanRequest, PlanResponse, ReadRequest, ReadResponse,
};
use clusternet_tfplugin::{
    Attribute, AttributePath, Block, BlockNesting, Diagnostic, Diagnostics, NestedBlock, Schema,
    Type, Value,
};
use serde_json::{Value as Json, json};

use std::sync::Mutex;

use crate::attrs::{self, Field};
use crate::config::ProviderConfig;
use crate::context::Context;
use crate::pending_overrides::{self, ChangedOverride, PendingOverrides};
use crate::registry::{self, Fut, Resource};
use crate::selector;
use crate::snapshot::OverrideId;
use clusternet_model::identity::{InvalidKey, ObjectIdentity};

use super::feed::NoIdentity;
use crate::diagnostics::ToDiagnostic;

/// Type name of Localizations.
pub const LOCALIZATION: &str = "clusternet_localization";
/// Type name of Globalizations.
pub const GLOBALIZATION: &str = "clusternet_globalization";

/// Clusternet's default override priority.
pub const DEFAULT_PRIORITY: i64 = 500;

const OVERRIDE_TYPES: [&str; 5] = [
    "Helm",
    "JSONPatch",
    "MergePatch",
    "FieldJSONPatch",
    "FieldMergePatch",
];

fn override_block() -> NestedBlock {
    let mut nested = NestedBlock::new(
        "override",
        BlockNesting::List,
        Block::new(
            "One override, applied in order.",
            vec![
                Attribute::optional("name", Type::String).describe("A name, for provenance."),
                Attribute::required("type", Type::String).describe(
                    "`Helm` (values for a HelmChart), `JSONPatch` (RFC 6902), `MergePatch` \
                     (RFC 7386), `FieldJSONPatch` or `FieldMergePatch` (a patch on the \
                     string at `field_path`, e.g. a ConfigMap entry holding JSON or YAML). \
                     `StrategicMergePatch` is not supported, as in Clusternet.",
                ),
                Attribute::required("value", Type::String)
                    .describe("The patch or values, as YAML or JSON."),
                Attribute::optional("override_chart", Type::Bool).describe(
                    "For `Helm`: patch the HelmChart's own fields (chart, version, ...) \
                     instead of its values.",
                ),
                Attribute::optional("field_path", Type::String)
                    .describe("For field patches: the JSON path of the string field."),
                Attribute::optional("field_format", Type::String)
                    .describe("For field patches: `JSON` or `YAML`, the format of that field."),
            ],
        ),
    );
    nested.min_items = 1;
    nested
}

/// The schema of `kind` (LOCALIZATION or GLOBALIZATION).
pub fn schema(type_name: &str) -> Schema {
    let localization = type_name == LOCALIZATION;
    let mut attributes =
        vec![
        Attribute::required("name", Type::String).describe("Name of the override object."),
        Attribute::required("feed", Type::String).sensitive().describe(
            "The feed it overrides: a feed value (`clusternet_manifest.x.feed`) or a feed key \
             `<apiVersion>/<Kind>/<namespace>/<name>`. For a Secret, prefer the key \
             (`clusternet_secret.x.id`): a Secret's `feed` is sensitive, and a sensitive value \
             passed here costs one sensitivity-only update after an import.",
        ),
        Attribute::optional("priority", Type::Number)
            .with_computed()
            .describe(
                "0 to 1000, default 500. Lower priorities apply first, so higher ones win. \
                 Globalizations apply before Localizations.",
            ),
        Attribute::optional("override_policy", Type::String)
            .with_computed()
            .describe(
                "`ApplyLater` (default) or `ApplyNow`: whether Clusternet re-renders existing \
                 Descriptions at once. In this provider both take effect when a subscription \
                 that receives the `ref` is planned.",
            ),
        Attribute::computed("id", Type::String).describe("`<namespace>/<name>` or `<name>`."),
        Attribute::computed("ref", Type::String)
            .describe("The override object as JSON, for `clusternet_subscription.overrides`."),
    ];
    let mut block = if localization {
        attributes.push(Attribute::required("cluster", Type::String).describe(
            "The cluster: a name from the provider's `clusters` or of a ManagedCluster \
                     registered on the hub.",
        ));
        attributes.push(
            Attribute::computed("namespace", Type::String)
                .describe("The cluster's dedicated namespace, where the Localization lives."),
        );
        Block::new(
            "A Clusternet **Localization**: overrides of one feed for one cluster.",
            attributes,
        )
    } else {
        Block::new(
            "A Clusternet **Globalization**: overrides of one feed for every cluster, or for \
             the clusters `cluster_affinity` selects.",
            attributes,
        )
        .with_block(selector::block(
            "cluster_affinity",
            "The clusters it applies to; all clusters when absent.",
        ))
    };
    block = block.with_block(override_block());
    Schema::new(block)
}

/// The override object, or `None` when something it needs is unknown.
fn build(
    type_name: &str,
    config: &Value,
    inventory: Option<&ProviderConfig>,
) -> Result<Option<(String, Json)>, Diagnostics> {
    let mut diags = Diagnostics::new();
    let root = AttributePath::root();
    let Field::Known(name) = attrs::string(config, "name") else {
        return Ok(None);
    };
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
        Field::Null => "ApplyLater".to_string(),
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
        "namespace": feed.namespace,
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

/// Why an override's `feed` names no feed.
#[derive(Debug, thiserror::Error)]
pub enum FeedReferenceError {
    /// It starts like a feed value, and is not JSON.
    #[error("the feed value is not JSON: {0}")]
    NotJson(serde_json::Error),
    /// A feed value without an identity.
    #[error(transparent)]
    NoIdentity(#[from] NoIdentity),
    /// Not a feed key.
    #[error(transparent)]
    NotAKey(#[from] InvalidKey),
}

impl ToDiagnostic for FeedReferenceError {
    fn to_diagnostic(&self) -> Diagnostic {
        Diagnostic::error("Invalid feed", self.to_string())
    }
}

/// Reads a feed reference: a feed value (JSON object) or a feed key.
pub fn parse_feed_reference(text: &str) -> Result<ObjectIdentity, FeedReferenceError> {
    if text.trim_start().starts_with('{') {
        let object: Json =
            clusternet_model::json::parse(text).map_err(FeedReferenceError::NotJson)?;
        Ok(super::feed::identity_of(&object)?)
    } else {
        Ok(text.trim().parse::<ObjectIdentity>()?)
    }
}

/// Offline checks (the cluster is checked at plan, against the configured inventory).
pub fn validate(type_name: &str, config: &Value) -> Diagnostics {
    match build(type_name, config, None) {
        Err(diags) => diags,
        Ok(_) => Diagnostics::new(),
    }
}

/// `base` with the computed attributes (`id`, `ref`, a Localization's `namespace`, and the
/// defaults of `priority` and `override_policy`) derived from `config`: the one function
/// behind plan and import. Unknown inputs make them unknown.
fn with_computed(
    type_name: &str,
    base: &Value,
    config: &Value,
    inventory: &ProviderConfig,
) -> Result<Value, Diagnostics> {
    let mut entries = base.as_entries().cloned().unwrap_or_default();
    let localization = type_name == LOCALIZATION;
    // Computed only to hold the default: unset in configuration means the default, never the
    // prior value.
    if !attrs::string(config, "override_policy").is_set() {
        entries.insert("override_policy".into(), "ApplyLater".into());
    }
    if !attrs::integer(config, "priority").is_set() {
        entries.insert("priority".into(), Value::from(DEFAULT_PRIORITY));
    }
    match build(type_name, config, Some(inventory))? {
        Some((id, object)) => {
            entries.insert("id".into(), id.into());
            entries.insert(
                "ref".into(),
                clusternet_model::json::to_compact(&object).into(),
            );
            if localization {
                let ns = object["metadata"]["namespace"].as_str().unwrap_or_default();
                entries.insert("namespace".into(), ns.into());
            }
        }
        None => {
            entries.insert("id".into(), Value::unknown());
            entries.insert("ref".into(), Value::unknown());
            if localization {
                entries.insert("namespace".into(), Value::unknown());
            }
        }
    }
    Ok(Value::Object(entries))
}

/// Records an override this plan creates or changes (its planned `ref` differs from the
/// prior one); with a hub, warns for the subscriptions planned earlier in this process that
/// do not pass it.
fn note_change(
    req: &PlanRequest,
    planned: &Value,
    inventory: &ProviderConfig,
    pending: &Mutex<PendingOverrides>,
) -> Diagnostics {
    let mut diags = Diagnostics::new();
    let planned_ref = attrs::string(planned, "ref").known();
    let prior_ref = attrs::string(&req.prior_state, "ref").known();
    if inventory.hub.is_none() || planned_ref.is_none() || planned_ref == prior_ref {
        return diags;
    }
    let object = planned_ref
        .as_deref()
        .and_then(|text| clusternet_model::json::parse(text).ok());
    let feed = parse_feed_reference(
        &attrs::string(&req.config, "feed")
            .known()
            .unwrap_or_default(),
    );
    let (Some(id), Ok(feed)) = (object.as_ref().and_then(OverrideId::of), feed) else {
        return diags;
    };
    let missed = pending
        .lock()
        .expect("pending overrides lock")
        .override_changed(ChangedOverride {
            id: id.clone(),
            feed,
        });
    for subscription in missed {
        diags.extend(pending_overrides::warning(&id, &subscription, "feed"));
    }
    diags
}

/// Plans `id`, `namespace` and `ref`.
pub fn plan(
    req: PlanRequest,
    inventory: &ProviderConfig,
    pending: &Mutex<PendingOverrides>,
) -> PlanResponse {
    let mut response = PlanResponse::null(Diagnostics::new());
    if req.proposed_new_state.is_null() {
        return response;
    }
    let localization = req.type_name == LOCALIZATION;
    match with_computed(
        &req.type_name,
        &req.proposed_new_state,
        &req.config,
        inventory,
    ) {
        Ok(planned) => {
            response.diagnostics = note_change(&req, &planned, inventory, pending);
            response.planned_state = planned;
        }
        Err(diags) => {
            response.diagnostics = diags;
            return response;
        }
    }
    // Another cluster means another namespace: another object.
    if localization && !req.prior_state.is_null() {
        response
            .requires_replace
            .push(AttributePath::root().attr("cluster"));
    }
    response
        .requires_replace
        .push(AttributePath::root().attr("name"));
    response
}

/// The state of an override imported from its object on the hub (`object`, a Localization
/// or Globalization as the hub holds it). `feed` is what the `feed` attribute is to hold (the
/// feed's value when its Manifest is on the hub, else its key); a Localization's namespace is
/// mapped back to the configured cluster that owns it.
pub fn imported_state(
    type_name: &str,
    object: &Json,
    feed: String,
    inventory: &ProviderConfig,
) -> Result<Value, Diagnostics> {
    use crate::import::state::{block_value, nested, non_empty};
    let schema = schema(type_name);
    let spec = &object["spec"];
    let override_block = nested(&schema.block, "override");
    let overrides = spec["overrides"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|o| {
            block_value(
                override_block,
                [
                    ("name", non_empty(o["name"].as_str())),
                    ("type", non_empty(o["type"].as_str())),
                    (
                        "value",
                        Value::from(o["value"].as_str().unwrap_or_default()),
                    ),
                    (
                        "override_chart",
                        match o["overrideChart"].as_bool() {
                            Some(true) => Value::Bool(true),
                            _ => Value::Null,
                        },
                    ),
                    ("field_path", non_empty(o["fieldPath"].as_str())),
                    ("field_format", non_empty(o["fieldFormat"].as_str())),
                ],
            )
        })
        .collect();
    let mut set = vec![
        ("name", non_empty(object["metadata"]["name"].as_str())),
        ("feed", Value::from(feed)),
        (
            "priority",
            Value::from(spec["priority"].as_i64().unwrap_or(DEFAULT_PRIORITY)),
        ),
        (
            "override_policy",
            Value::from(spec["overridePolicy"].as_str().unwrap_or("ApplyLater")),
        ),
        ("override", Value::List(overrides)),
    ];
    if type_name == LOCALIZATION {
        let namespace = object["metadata"]["namespace"].as_str().unwrap_or_default();
        let Some(cluster) = inventory
            .clusters
            .values()
            .find(|c| c.namespace == namespace)
        else {
            return Err(Diagnostic::error(
                "Localization of an unknown cluster",
                format!(
                    "The Localization is in namespace {namespace:?}, which is the dedicated \
                     namespace of no cluster in the provider's `clusters` and of no \
                     ManagedCluster on the hub. Add that cluster (with \
                     `namespace = {namespace:?}`) to the provider configuration, then import \
                     again."
                ),
            )
            .into());
        };
        set.push(("cluster", Value::from(cluster.name.as_str())));
    } else if let Some(affinity) = spec.get("clusterAffinity").filter(|a| a.is_object()) {
        set.push(("cluster_affinity", crate::selector::imported(affinity)));
    }
    let config = block_value(&schema.block, set);
    with_computed(type_name, &config, &config, inventory)
}

/// Applies: the override lives in state, and on the hub when one is configured (with
/// either deployer); destroy removes it from the hub. A hub failure is an error and
/// keeps the prior state, so the next apply retries.
pub async fn apply(req: ApplyRequest, inventory: &ProviderConfig) -> ApplyResponse {
    let Some(hub) = crate::hub::override_target(inventory) else {
        return ApplyResponse {
            new_state: req.planned_state,
            private: req.planned_private,
            diagnostics: Diagnostics::new(),
        };
    };
    let object_of = |state: &Value| {
        attrs::string(state, "ref")
            .known()
            .and_then(|text| clusternet_model::json::parse(&text).ok())
    };
    let prior = object_of(&req.prior_state);
    let planned = object_of(&req.planned_state);
    let mut diagnostics = Diagnostics::new();
    if let Some(object) = &planned {
        diagnostics.extend(crate::hub::apply_override(hub, object).await);
    }
    // Destroy, or a replacement under another identity: remove the old object.
    let identity = |o: &Json| {
        (
            o["metadata"]["namespace"].clone(),
            o["metadata"]["name"].clone(),
        )
    };
    if !diagnostics.has_errors()
        && let Some(old) = &prior
        && planned.as_ref().map(identity) != Some(identity(old))
    {
        diagnostics.extend(crate::hub::remove_override(hub, old).await);
    }
    let new_state = if diagnostics.has_errors() {
        req.prior_state
    } else {
        req.planned_state
    };
    ApplyResponse {
        new_state,
        private: req.planned_private,
        diagnostics,
    }
}

/// Reads: unchanged in the embedded mode.
pub fn read(req: ReadRequest) -> ReadResponse {
    ReadResponse {
        new_state: req.current_state,
        private: req.private,
        diagnostics: Diagnostics::new(),
    }
}

/// `clusternet_localization` and `clusternet_globalization`: they share everything but the
/// clusters they select.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Override {
    /// One cluster's override.
    Localization,
    /// All clusters', or a labelled group's.
    Globalization,
}

impl Resource for Override {
    fn type_name(&self) -> &'static str {
        match self {
            Override::Localization => LOCALIZATION,
            Override::Globalization => GLOBALIZATION,
        }
    }

    fn schema(&self) -> Schema {
        schema(self.type_name())
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        validate(self.type_name(), config)
    }

    fn plan<'a>(&'a self, ctx: &'a Context, req: PlanRequest) -> Fut<'a, PlanResponse> {
        Box::pin(async move {
            match registry::inventory_or(ctx, PlanResponse::null).await {
                Ok(inventory) => plan(req, &inventory, ctx.pending()),
                Err(response) => response,
            }
        })
    }

    fn apply<'a>(&'a self, ctx: &'a Context, req: ApplyRequest) -> Fut<'a, ApplyResponse> {
        Box::pin(async move {
            // The snapshot is taken here at the latest, before anything is written to the hub.
            match ctx.inventory().await {
                Ok(inventory) => apply(req, &inventory).await,
                Err(diagnostics) => ApplyResponse {
                    new_state: req.prior_state,
                    private: Vec::new(),
                    diagnostics,
                },
            }
        })
    }

    fn read<'a>(&'a self, ctx: &'a Context, req: ReadRequest) -> Fut<'a, ReadResponse> {
        Box::pin(async move {
            match ctx.inventory().await {
                Ok(_) => read(req),
                Err(diagnostics) => ReadResponse {
                    new_state: req.current_state,
                    private: req.private,
                    diagnostics,
                },
            }
        })
    }
}
