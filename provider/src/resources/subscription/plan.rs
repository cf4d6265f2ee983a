//! PlanResourceChange: the rendering as the planned `descriptions`, `releases` and the
//! other computed attributes.

use std::sync::Mutex;

use clusternet_model::preview::grouped::Deviation;
use clusternet_tfplugin::provider::{PlanRequest, PlanResponse};
use clusternet_tfplugin::{AttributePath, Diagnostic, Diagnostics, Value};

use super::config::{
    DEFAULT_DIVIDING_TYPE, DEFAULT_NAMESPACE, DEFAULT_STRATEGY, SubscriptionConfig, dividing_word,
    strategy_word,
};
use super::markers::{KEY_ATTRIBUTE, SecretMarkers, holds_secret_values};
use super::render::{Rendered, render, template_charts};
use super::rollout::{self, config::Waiting};
use super::state::{self, descriptions_of, releases_value};
use crate::attrs::{self, Field};
use crate::charts;
use crate::config::{Deployer, ProviderConfig};
use crate::diagnostics::ToDiagnostic;
use crate::override_handles::{self, KnownOverrides, Sources};
use crate::pending_overrides::{self, PendingOverrides, PlannedSubscription};

/// Plans the rendering, with the overrides it passes taken from this process (`known`), what
/// it rendered with before, or the hub (ADR 0030); the planned private state records them
/// for apply. With a hub, overrides changed by this run that the subscription does not pass
/// get a warning (see [`crate::pending_overrides`]).
pub async fn plan(
    req: PlanRequest,
    inventory: &ProviderConfig,
    pending: &Mutex<PendingOverrides>,
    known: &KnownOverrides,
) -> PlanResponse {
    let mut response = PlanResponse::null(Diagnostics::new());
    response.requires_replace = vec![
        AttributePath::root().attr("name"),
        AttributePath::root().attr("namespace"),
    ];
    if req.proposed_new_state.is_null() {
        return response;
    }
    let mut diags = Diagnostics::new();
    let mut config = SubscriptionConfig::decode(&req.config, &mut diags);
    if let Some(config) = &mut config {
        config.current = super::dynamic::CurrentDivision::of_state(&req.prior_state);
    }
    if diags.has_errors() {
        response.diagnostics = diags;
        return response;
    }
    let sources = Sources {
        known,
        recorded: override_handles::recorded(&req.prior_private),
        snapshot: inventory.snapshot.as_deref(),
    };
    let overrides = match config.as_ref().map(|c| c.override_objects(&sources)) {
        Some(Err(diags)) => {
            response.diagnostics = diags;
            return response;
        }
        Some(Ok(objects)) => objects,
        None => Vec::new(),
    };
    // Secret values show under the prior state's marker key; without one, the entries that
    // show them are planned unknown with the key, which apply makes (ADR 0008). They are
    // rendered under a throwaway key meanwhile, so that clusters with different values group
    // apart as they will under the real key (ADR 0026).
    let markers = match SecretMarkers::of_state(&req.prior_state) {
        SecretMarkers::Unkeyed => match super::markers::new_key() {
            Ok(throwaway) => SecretMarkers::Keyed(throwaway),
            Err(_) => SecretMarkers::Unkeyed,
        },
        keyed => keyed,
    };
    let rendered = match &config {
        Some(config) => render(config, &overrides, inventory, false, &markers),
        None => Ok(None),
    };
    match rendered {
        Ok(mut rendered) => {
            if let (Some(r), Some(config)) = (&mut rendered, &config) {
                response.diagnostics.extend(r.warnings.clone());
                if inventory.deployer == Deployer::Provider && !config.ignore_fields.is_empty() {
                    match r.objects.parsed() {
                        Ok(objects) => crate::apply_options::ignore_fields::warn_unmatched(
                            &config.ignore_fields,
                            objects.values().flatten(),
                            &mut response.diagnostics,
                        ),
                        Err(e) => {
                            response.diagnostics.push(e.to_diagnostic());
                            return response;
                        }
                    }
                }
                let diags = template_charts(config, inventory, r, &markers).await;
                if diags.has_errors() {
                    response.diagnostics = diags;
                    return response;
                }
                response.diagnostics.extend(diags);
                if inventory.hub.is_some() {
                    let planned = planned_subscription(config, r, inventory);
                    let id = planned.id.clone();
                    let missed = pending
                        .lock()
                        .expect("pending overrides lock")
                        .subscription_planned(planned);
                    for override_id in missed {
                        response.diagnostics.extend(pending_overrides::warning(
                            &override_id,
                            &id,
                            "overrides",
                        ));
                    }
                }
            }
            let base = with_defaults(&req.proposed_new_state, &req.config, &req.prior_state);
            response.planned_state = computed_state(&base, rendered.as_ref(), &req.prior_state);
            plan_marker_key(&mut response.planned_state, &req.prior_state);
            match (&rendered, &mut response.planned_state) {
                // Clusternet's controllers install the charts: no release is the provider's.
                (Some(_), Value::Object(entries)) if inventory.deployer == Deployer::Clusternet => {
                    entries.insert("releases".into(), Value::Null);
                }
                (Some(r), planned) => plan_releases(planned, &req.prior_state, r),
                (None, _) => {}
            }
            if let (Some(r), Some(config)) = (&rendered, &config) {
                let mut diags = Diagnostics::new();
                plan_rollout(
                    &mut response.planned_state,
                    &req.prior_state,
                    config,
                    r,
                    inventory,
                    &mut diags,
                );
                let failed = diags.has_errors();
                response.diagnostics.extend(diags);
                if failed {
                    response.planned_state = Value::Null;
                    return response;
                }
            }
        }
        Err(diags) => response.diagnostics = diags,
    }
    response.planned_private = override_handles::private_state(&overrides);
    response
}

/// Sets the planned `rollout_plan` (each bound cluster's stage) and `cluster_status` (unknown
/// when apply changes something in the clusters and waits).
fn plan_rollout(
    planned: &mut Value,
    prior: &Value,
    config: &SubscriptionConfig,
    rendered: &Rendered,
    inventory: &ProviderConfig,
    diags: &mut Diagnostics,
) {
    let rollout_plan = match &config.waiting {
        Waiting::Staged(spec) => {
            match rollout::plan::stages(spec, &rendered.binding_clusters, inventory, diags) {
                Some(stages) => rollout::plan::rollout_plan_value(&stages),
                None => return,
            }
        }
        _ => Value::Null,
    };
    if inventory.deployer == Deployer::Clusternet && config.waiting.waits() {
        let attribute = match config.waiting {
            Waiting::Staged(_) => "rollout",
            _ => "wait_for_ready",
        };
        diags.push(
            Diagnostic::warning(
                format!("{attribute} has no effect with deployer = \"clusternet\""),
                "Clusternet's own controllers deploy to the clusters, so the provider neither                  stages nor waits. Remove it, or deploy with deployer = \"provider\".",
            )
            .at(AttributePath::root().attr(attribute)),
        );
    }
    let changes = [state::SHARED, state::DEVIATIONS, state::CLUSTERS]
        .iter()
        .any(|attribute| planned.get(attribute) != prior.get(attribute))
        || planned
            .get("releases")
            .and_then(Value::as_entries)
            .is_some_and(|r| r.values().any(|v| !v.is_known()));
    let status = rollout::plan::planned_cluster_status(&config.waiting, prior, changes);
    if let Value::Object(entries) = planned {
        entries.insert("rollout_plan".into(), rollout_plan);
        entries.insert("cluster_status".into(), status);
    }
}

/// What the next-apply warning needs to know of this subscription's plan.
fn planned_subscription(
    config: &SubscriptionConfig,
    rendered: &Rendered,
    inventory: &ProviderConfig,
) -> PlannedSubscription {
    PlannedSubscription {
        id: config.id(),
        feeds: config.feed_identities(),
        passed: config.passed_overrides(),
        namespaces: rendered
            .binding_clusters
            .iter()
            .filter_map(|c| inventory.clusters.get(c).map(|c| c.namespace.clone()))
            .collect(),
    }
}

/// `state` with the defaults of the optional-and-computed attributes (`namespace`,
/// `scheduling_strategy`, `dividing_type`) where `config` leaves them unset: computed only to
/// hold the default (so that an imported state matches a configuration that writes the
/// default and one that leaves it out), never the prior value - except a `namespace` a state
/// from before it was computed holds as null, kept so that the subscription is not replaced.
fn with_defaults(state: &Value, config: &Value, prior: &Value) -> Value {
    let mut entries = state.as_entries().cloned().unwrap_or_default();
    let prior_namespace_null =
        !prior.is_null() && matches!(attrs::string(prior, "namespace"), Field::Null);
    if !attrs::string(config, "namespace").is_set() {
        let namespace = if prior_namespace_null {
            Value::Null
        } else {
            Value::from(DEFAULT_NAMESPACE)
        };
        entries.insert("namespace".into(), namespace);
    }
    let strategy = attrs::string(config, "scheduling_strategy");
    if !strategy.is_set() {
        entries.insert(
            "scheduling_strategy".into(),
            strategy_word(DEFAULT_STRATEGY).into(),
        );
    }
    if !attrs::string(config, "dividing_type").is_set() {
        let dividing_type = match strategy {
            Field::Known(s) if s == "Dividing" => Value::from(dividing_word(DEFAULT_DIVIDING_TYPE)),
            Field::Unknown => Value::unknown(),
            _ => Value::Null,
        };
        entries.insert("dividing_type".into(), dividing_type);
    }
    Value::Object(entries)
}

/// `base` with the computed attributes of `rendered` (unknown while it is not known), the
/// preview grouped with `prior`'s shared renderings preferred.
pub fn computed_state(base: &Value, rendered: Option<&Rendered>, prior: &Value) -> Value {
    let mut entries = base.as_entries().cloned().unwrap_or_default();
    let name = attrs::string(base, "name").known();
    let namespace = match attrs::string(base, "namespace") {
        Field::Known(ns) => Some(ns),
        Field::Null => Some(DEFAULT_NAMESPACE.to_string()),
        Field::Unknown => None,
    };
    entries.insert(
        "id".into(),
        match (namespace, name) {
            (Some(ns), Some(n)) => format!("{ns}/{n}").into(),
            _ => Value::unknown(),
        },
    );
    match rendered {
        Some(r) => {
            for (attr, value) in r.attribute_values() {
                entries.insert(attr.into(), value);
            }
            entries.insert(
                super::dynamic::AVAILABILITY.into(),
                super::dynamic::value(r.availability.as_ref()),
            );
            let grouped = state::grouped_attributes(&r.descriptions, &r.binding_clusters, prior);
            for (attr, value) in grouped {
                entries.insert(attr.into(), value);
            }
        }
        None => {
            for attr in [
                "binding_clusters",
                "replicas",
                super::dynamic::AVAILABILITY,
                "spec_hash",
                state::SHARED,
                state::DEVIATIONS,
                state::CLUSTERS,
                "releases",
                "rollout_plan",
                "cluster_status",
            ] {
                entries.insert(attr.into(), Value::unknown());
            }
        }
    }
    Value::Object(entries)
}

/// Sets the planned `secret_marker_key` of `planned`: the prior key where there is one (the
/// entries were rendered with it); else unknown, with every entry that shows Secret values
/// (apply makes the key and fills them in), when some entry does or the rendering is not
/// known yet; else null (a subscription without Secret values needs no key).
fn plan_marker_key(planned: &mut Value, prior: &Value) {
    let Value::Object(entries) = planned else {
        return;
    };
    let key = match attrs::string(prior, KEY_ATTRIBUTE) {
        Field::Known(key) => Value::from(key),
        _ if !entries.get(state::SHARED).is_some_and(Value::is_known) => Value::unknown(),
        _ => {
            let shared = unknown_secret_values(entries.get_mut(state::SHARED), |k| k);
            let deviations = unknown_secret_values(entries.get_mut(state::DEVIATIONS), |k| {
                k.split_once('/').map_or(k, |(_, object)| object)
            });
            if shared || deviations {
                Value::unknown()
            } else {
                Value::Null
            }
        }
    };
    entries.insert(KEY_ATTRIBUTE.into(), key);
}

/// Makes unknown each entry of the preview map `entries` that shows Secret values (`object`
/// gives an entry's object key); whether there was one.
fn unknown_secret_values(entries: Option<&mut Value>, object: impl Fn(&str) -> &str) -> bool {
    let Some(Value::Map(entries)) = entries else {
        return false;
    };
    let mut found = false;
    for (key, value) in entries.iter_mut() {
        let text = value.as_str().map(|text| match Deviation::parse(text) {
            Deviation::Patch(text) | Deviation::Whole(text) => text,
            Deviation::Absent => "",
        });
        if text.is_some_and(|text| holds_secret_values(object(key), text)) {
            *value = Value::unknown();
            found = true;
        }
    }
    found
}

/// Sets the planned `releases` of `planned` (see [`charts::plan::planned_releases`]).
fn plan_releases(planned: &mut Value, prior_state: &Value, rendered: &Rendered) {
    if !rendered
        .descriptions
        .keys()
        .any(|k| charts::plan::may_be_chart(k))
    {
        // No chart: no release, and no need to expand the prior preview.
        if let Value::Object(entries) = planned {
            entries.insert("releases".into(), Value::Null);
        }
        return;
    }
    let prior_releases = prior_state
        .get("releases")
        .and_then(Value::as_entries)
        .cloned()
        .unwrap_or_default();
    let releases = charts::plan::planned_releases(
        &descriptions_of(prior_state),
        &prior_releases,
        &rendered.descriptions,
    );
    if let Value::Object(entries) = planned {
        entries.insert("releases".into(), releases_value(releases));
    }
}
