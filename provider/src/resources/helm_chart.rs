//! `clusternet_helm_chart`: a Helm chart as a Clusternet **HelmChart** feed. Exports `feed`,
//! the HelmChart object, which subscriptions take by value next to plain objects.
//!
//! `values` is a convenience with a precise meaning in Clusternet terms: the subscriptions
//! that receive the feed add a Globalization of priority 0 with one `Helm` override holding
//! these values, for every cluster. Every Localization or Globalization of the chart (priority
//! 0 or more, applied after it) therefore wins over them, exactly as over a chart default.

use std::collections::BTreeMap;

use clusternet_model::hub::chart_values;
use clusternet_tfplugin::provider::{ApplyRequest, ApplyResponse, PlanRequest, PlanResponse};
use clusternet_tfplugin::{
    Attribute, AttributePath, Block, BlockNesting, Diagnostics, NestedBlock, Schema, Type, Value,
};
use serde_json::{Map, Value as Json, json};

use crate::attrs::{self, Field};
use crate::context::Context;
use crate::registry::{self, Fut, Resource};

/// Type name.
pub const TYPE_NAME: &str = "clusternet_helm_chart";

/// The boolean option whose default (true) the HelmChart CRD fills in.
const CREATE_NAMESPACE: &str = "create_namespace";

/// The CRD's default `timeoutSeconds`.
const DEFAULT_TIMEOUT_SECONDS: i64 = 300;

/// Boolean HelmChart options: attribute name, JSON field of `HelmChartSpec`, description.
const BOOL_OPTIONS: [(&str, &str, &str); 11] = [
    (
        "plain_http",
        "plainHTTP",
        "Reach an OCI registry over plain HTTP.",
    ),
    (
        "create_namespace",
        "createNamespace",
        "Create `target_namespace` on install (Clusternet's default: true).",
    ),
    (
        "wait",
        "wait",
        "Wait until the release's resources are ready (at most `timeout_seconds`).",
    ),
    (
        "wait_for_jobs",
        "waitForJob",
        "With `wait`: also wait for the release's Jobs to complete.",
    ),
    (
        "replace",
        "replace",
        "On install, reuse the name of a deleted release.",
    ),
    (
        "atomic",
        "atomic",
        "On install, remove a failed installation; a release that is not `deployed` is \
         uninstalled and installed again.",
    ),
    (
        "upgrade_atomic",
        "upgradeAtomic",
        "On upgrade, roll back when the upgrade fails.",
    ),
    ("skip_crds", "skipCRDs", "Do not install the chart's CRDs."),
    (
        "replace_crds",
        "replaceCRDs",
        "Replace the chart's CRDs before install or upgrade (ignored with `skip_crds`).",
    ),
    (
        "disable_hooks",
        "disableHooks",
        "Do not run the chart's hooks.",
    ),
    (
        "force",
        "force",
        "Upgrade with `--force` (replace resources that cannot be patched).",
    ),
];

/// The schema.
pub fn schema() -> Schema {
    let mut attributes = vec![
        Attribute::required("name", Type::String).describe(
            "Name of the HelmChart, and the Helm release name in every cluster (an override \
             with `override_chart` may change it per cluster).",
        ),
        Attribute::optional("namespace", Type::String)
            .with_computed()
            .describe("Namespace of the HelmChart object (default `default`)."),
        Attribute::required("repo", Type::String).describe(
            "Chart repository: an `http://` or `https://` chart repository, or an `oci://` \
             registry path (the chart is then `<repo>/<chart>`).",
        ),
        Attribute::required("chart", Type::String).describe("Chart name in the repository."),
        Attribute::optional("version", Type::String).describe(
            "Chart version. Empty means the latest, which Clusternet upgrades on every \
             reconcile: pin it.",
        ),
        Attribute::required("target_namespace", Type::String)
            .describe("Namespace of the release in each child cluster."),
        Attribute::optional("timeout_seconds", Type::Number)
            .with_computed()
            .describe(
                "Timeout of install, upgrade and uninstall, in seconds (Clusternet's default: \
                 300).",
            ),
        Attribute::optional("values", Type::String).describe(
            "Values for the chart, as YAML or JSON. In Clusternet terms this is a \
             Globalization of priority 0 for every cluster with one `Helm` override: \
             subscriptions receiving this feed apply it first, so any Localization or \
             Globalization of the chart overrides these values, key by key. With the \
             provider's `hub`, that Globalization is written there too, named \
             `<namespace>-<name>-default-values`.",
        ),
        Attribute::computed("id", Type::String).describe("The feed key: `<namespace>/<name>`."),
        Attribute::computed("feed", Type::String).describe(
            "The feed by value (the HelmChart object as compact JSON) for \
             `clusternet_subscription.feeds`, and for the `feed` of Localizations and \
             Globalizations.",
        ),
    ];
    for (name, _, description) in BOOL_OPTIONS {
        let attribute = Attribute::optional(name, Type::Bool).describe(description);
        // A default the hub stores (so import reads it back) is filled in by plan too.
        attributes.push(if name == CREATE_NAMESPACE {
            attribute.with_computed()
        } else {
            attribute
        });
    }
    let pull_secret = NestedBlock::new(
        "chart_pull_secret",
        BlockNesting::Single,
        Block::new(
            "A Secret on the hub with data keys `username` and `password` for the chart \
             repository, as in Clusternet. The provider reads it from the hub (so it needs the \
             provider's `hub`) when it templates and installs the chart; the credentials reach \
             helm only through private files.",
            vec![
                Attribute::required("name", Type::String).describe("Secret name."),
                Attribute::optional("namespace", Type::String)
                    .describe("Secret namespace (default: the HelmChart's namespace)."),
            ],
        ),
    );
    Schema::new(
        Block::new(
            "A Helm chart as a Clusternet **HelmChart** feed. Pass its `feed` to \
             `clusternet_subscription.feeds`: the plan shows, per cluster, the rendered chart \
             and values (`<cluster>/helm/<namespace>/<name>`) and, when the chart can be \
             fetched, the objects `helm template` makes of it; apply runs `helm upgrade \
             --install` in every cluster. With the provider's `hub`, each subscription \
             receiving the feed also writes it there as a HelmChart object (and, with \
             deployer = \"provider\", a `<base>-helm` Description per cluster); it leaves \
             the hub when no Subscription there uses it any more.",
            attributes,
        )
        .with_block(pull_secret),
    )
}

/// The parsed HelmChart object (with `values` carried alongside, see
/// [`chart_values`]), or diagnostics naming the attribute.
fn parse(config: &Value) -> Result<Option<Json>, Diagnostics> {
    let mut diags = Diagnostics::new();
    let root = AttributePath::root();
    let mut unknown = false;
    let mut required = |name: &str, diags: &mut Diagnostics| match attrs::string(config, name) {
        Field::Known(v) if v.trim().is_empty() => {
            diags.error_at(
                root.clone().attr(name),
                format!("Empty {name}"),
                format!("Set `{name}`; a HelmChart needs it."),
            );
            None
        }
        Field::Known(v) => Some(v),
        Field::Unknown => {
            unknown = true;
            None
        }
        Field::Null => None,
    };
    let name = required("name", &mut diags);
    let repo = required("repo", &mut diags);
    let chart = required("chart", &mut diags);
    let target_namespace = required("target_namespace", &mut diags);
    let namespace = match attrs::string(config, "namespace") {
        Field::Known(ns) => Some(ns),
        Field::Null => Some(super::DEFAULT_NAMESPACE.to_string()),
        Field::Unknown => {
            unknown = true;
            None
        }
    };
    if let Some(name) = &name
        && let Err(e) = release_name(name)
    {
        diags.error_at(
            root.clone().attr("name"),
            "Invalid chart name",
            format!(
                "name = {name:?} {e}. It becomes the Helm release name: lowercase letters, \
                 digits, '-' and '.', at most 53 characters."
            ),
        );
    }
    for (attr, value) in [
        ("namespace", &namespace),
        ("target_namespace", &target_namespace),
    ] {
        if let Some(ns) = value
            && let Err(e) = dns_label(ns)
        {
            diags.error_at(
                root.clone().attr(attr),
                "Invalid namespace",
                format!("{attr} = {ns:?} {e}: use a Kubernetes namespace name (a DNS label)."),
            );
        }
    }
    if let Some(repo) = &repo
        && let Err(e) = repository(repo)
    {
        diags.error_at(
            root.clone().attr("repo"),
            "Invalid chart repository",
            format!(
                "repo = {repo:?} {e}. Use an http://, https:// or oci:// URL, e.g. \
                 https://charts.example.com or oci://registry.example.com/charts."
            ),
        );
    }
    let mut spec = Map::new();
    let version = match attrs::string(config, "version") {
        Field::Known(v) => v,
        Field::Null => String::new(),
        Field::Unknown => {
            unknown = true;
            String::new()
        }
    };
    if version.contains(char::is_whitespace) || version.contains('/') {
        diags.error_at(
            root.clone().attr("version"),
            "Invalid chart version",
            format!("version = {version:?}: use a chart version such as 1.2.3, or leave it out."),
        );
    }
    match attrs::integer(config, "timeout_seconds") {
        Field::Null => {
            spec.insert("timeoutSeconds".into(), json!(DEFAULT_TIMEOUT_SECONDS));
        }
        Field::Unknown => unknown = true,
        Field::Known(Ok(t)) if (1..=i64::from(i32::MAX)).contains(&t) => {
            spec.insert("timeoutSeconds".into(), json!(t));
        }
        Field::Known(t) => {
            let shown = t.map_or_else(|e| e.to_string(), |t| t.to_string());
            diags.error_at(
                root.clone().attr("timeout_seconds"),
                "Invalid timeout",
                format!("timeout_seconds = {shown}: use a whole number of seconds, 1 or more."),
            );
        }
    }
    for (attr, field, _) in BOOL_OPTIONS {
        match attrs::boolean(config, attr) {
            Field::Known(b) => {
                spec.insert(field.into(), Json::Bool(b));
            }
            Field::Unknown => unknown = true,
            Field::Null if attr == CREATE_NAMESPACE => {
                spec.insert(field.into(), Json::Bool(true));
            }
            Field::Null => {}
        }
    }
    match attrs::object(config, "chart_pull_secret") {
        Field::Known(secret) => match (
            attrs::string(secret, "name"),
            attrs::string(secret, "namespace"),
        ) {
            (Field::Unknown, _) | (_, Field::Unknown) => unknown = true,
            (Field::Known(n), ns) => {
                let mut reference = json!({"name": n});
                if let Field::Known(ns) = ns {
                    reference["namespace"] = Json::String(ns);
                }
                spec.insert("chartPullSecret".into(), reference);
            }
            _ => {}
        },
        Field::Unknown => unknown = true,
        Field::Null => {}
    }
    let values = match attrs::string(config, "values") {
        Field::Known(text) => match clusternet_model::yaml::yaml_to_json(&text) {
            Ok(v) if v.is_object() => Some(v),
            Ok(Json::Null) => None,
            Ok(_) => {
                diags.error_at(
                    root.clone().attr("values"),
                    "Values are not a map",
                    "Write the chart values as a YAML or JSON object, e.g. `greeting: hi`.",
                );
                None
            }
            Err(e) => {
                diags.error_at(
                    root.clone().attr("values"),
                    "Values are not YAML or JSON",
                    format!("{e}. Write the chart values as a YAML or JSON object."),
                );
                None
            }
        },
        Field::Unknown => {
            unknown = true;
            None
        }
        Field::Null => None,
    };
    if diags.has_errors() {
        return Err(diags);
    }
    if unknown {
        return Ok(None);
    }
    let (Some(name), Some(namespace), Some(repo), Some(chart), Some(target_namespace)) =
        (name, namespace, repo, chart, target_namespace)
    else {
        return Ok(None);
    };
    spec.insert("repo".into(), Json::String(repo));
    spec.insert("chart".into(), Json::String(chart));
    if !version.is_empty() {
        spec.insert("version".into(), Json::String(version));
    }
    spec.insert("targetNamespace".into(), Json::String(target_namespace));
    let mut object = json!({
        "apiVersion": "apps.clusternet.io/v1alpha1",
        "kind": "HelmChart",
        "metadata": {"name": name, "namespace": namespace},
        "spec": Json::Object(spec),
    });
    if let Some(values) = values {
        chart_values::attach(&mut object, values);
    }
    Ok(Some(object))
}

/// Why a chart's `name` is not a Helm release name; the messages complete `name = "x" ...`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ReleaseNameError {
    /// Over Helm's 53 characters.
    #[error("is longer than 53 characters")]
    TooLong,
    /// Other characters, or not alphanumeric at both ends.
    #[error("is not a valid release name")]
    Invalid,
}

/// A namespace that is not a DNS label; the message completes `namespace = "x" ...`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("is not a DNS label")]
pub struct NotADnsLabel;

/// Why `repo` is not a chart repository URL; the messages complete `repo = "x" ...`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RepositoryError {
    /// No `<scheme>://`.
    #[error("has no scheme")]
    NoScheme,
    /// Not http, https or oci.
    #[error("has an unsupported scheme")]
    UnsupportedScheme,
    /// Nothing, a path or white space after the scheme.
    #[error("has no host")]
    NoHost,
}

/// Helm's release name rule.
fn release_name(name: &str) -> Result<(), ReleaseNameError> {
    if name.len() > 53 {
        return Err(ReleaseNameError::TooLong);
    }
    let ok_chars = name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.');
    let ok_ends = name
        .chars()
        .next()
        .zip(name.chars().last())
        .is_some_and(|(a, z)| a.is_ascii_alphanumeric() && z.is_ascii_alphanumeric());
    if ok_chars && ok_ends {
        Ok(())
    } else {
        Err(ReleaseNameError::Invalid)
    }
}

fn dns_label(name: &str) -> Result<(), NotADnsLabel> {
    clusternet_model::names::check_dns_label(name).map_err(|_| NotADnsLabel)
}

fn repository(repo: &str) -> Result<(), RepositoryError> {
    let Some((scheme, rest)) = repo.split_once("://") else {
        return Err(RepositoryError::NoScheme);
    };
    if !matches!(scheme, "http" | "https" | "oci") {
        return Err(RepositoryError::UnsupportedScheme);
    }
    if rest.is_empty() || rest.starts_with('/') || rest.contains(char::is_whitespace) {
        return Err(RepositoryError::NoHost);
    }
    Ok(())
}

/// Offline checks.
pub fn validate(config: &Value) -> Diagnostics {
    parse(config).err().unwrap_or_default()
}

/// `base` (the proposed state) with the computed attributes: `id` and `feed` from `object`,
/// and the defaults the HelmChart CRD fills (`namespace`, `create_namespace`,
/// `timeout_seconds`) taken from `object` too, i.e. from the configuration, never from the
/// prior state: a configuration that writes a default and one that leaves it out plan the
/// same state, which is also what import reads from the hub.
fn with_computed(base: &Value, object: Option<&Json>) -> Value {
    let mut entries: BTreeMap<String, Value> = base.as_entries().cloned().unwrap_or_default();
    match object {
        Some(object) => {
            let ns = object["metadata"]["namespace"].as_str().unwrap_or_default();
            let name = object["metadata"]["name"].as_str().unwrap_or_default();
            let spec = &object["spec"];
            entries.insert("id".into(), format!("{ns}/{name}").into());
            entries.insert("namespace".into(), ns.into());
            if let Some(create) = spec["createNamespace"].as_bool() {
                entries.insert(CREATE_NAMESPACE.into(), Value::Bool(create));
            }
            if let Some(timeout) = spec["timeoutSeconds"].as_i64() {
                entries.insert("timeout_seconds".into(), Value::from(timeout));
            }
            entries.insert(
                "feed".into(),
                clusternet_model::json::to_compact(object).into(),
            );
        }
        None => {
            for name in ["id", "feed"] {
                entries.insert(name.into(), Value::unknown());
            }
            for name in ["namespace", CREATE_NAMESPACE, "timeout_seconds"] {
                if base.get(name).is_none_or(Value::is_null) {
                    entries.insert(name.into(), Value::unknown());
                }
            }
        }
    }
    Value::Object(entries)
}

/// Plans: `id`, `feed` and the defaults follow from the configuration.
pub fn plan(req: PlanRequest) -> PlanResponse {
    let mut response = PlanResponse::null(Diagnostics::new());
    response.requires_replace = vec![
        AttributePath::root().attr("name"),
        AttributePath::root().attr("namespace"),
    ];
    if req.proposed_new_state.is_null() {
        return response;
    }
    match parse(&req.config) {
        Ok(object) => {
            // The proposed state holds the prior value of a computed attribute the
            // configuration leaves out; plan starts from the configuration instead.
            let planned = with_computed(&req.config, object.as_ref());
            response.planned_state = keep_equivalent_values(planned, &req.prior_state);
        }
        Err(diags) => response.diagnostics = diags,
    }
    response
}

/// `planned`, with the prior `values` text when the new text holds the same values (same
/// `feed`): YAML for the JSON an import wrote, or reformatted YAML, plans no change.
fn keep_equivalent_values(planned: Value, prior: &Value) -> Value {
    let feed = planned.get("feed");
    let same_feed = feed.is_some_and(Value::is_known) && feed == prior.get("feed");
    match prior.get("values").filter(|v| v.as_str().is_some()) {
        Some(text) if same_feed && planned.get("values").is_some_and(|v| v.as_str().is_some()) => {
            let mut entries = planned.as_entries().cloned().unwrap_or_default();
            entries.insert("values".into(), text.clone());
            Value::Object(entries)
        }
        _ => planned,
    }
}

/// The state of a chart imported from the hub: its HelmChart object and, when it has
/// values, the Globalization holding them (`<namespace>-<name>-default-values`). Built by
/// the function plan uses, so the feed is the one the same configuration plans; `values` is
/// the compact JSON `jsonencode` writes (YAML describing the same values plans no change).
pub fn imported_state(chart: &Json, values: Option<&Json>) -> Result<Value, Diagnostics> {
    let meta = &chart["metadata"];
    let spec = &chart["spec"];
    let text = |v: &Json| v.as_str().filter(|s| !s.is_empty()).map(Value::from);
    let mut set: Vec<(&str, Value)> = vec![
        ("name", text(&meta["name"]).unwrap_or(Value::Null)),
        ("namespace", text(&meta["namespace"]).unwrap_or(Value::Null)),
        ("repo", text(&spec["repo"]).unwrap_or(Value::Null)),
        ("chart", text(&spec["chart"]).unwrap_or(Value::Null)),
        ("version", text(&spec["version"]).unwrap_or(Value::Null)),
        (
            "target_namespace",
            text(&spec["targetNamespace"]).unwrap_or(Value::Null),
        ),
        (
            "timeout_seconds",
            spec["timeoutSeconds"]
                .as_i64()
                .map_or(Value::Null, Value::from),
        ),
    ];
    for (attr, field, _) in BOOL_OPTIONS {
        set.push((attr, spec[field].as_bool().map_or(Value::Null, Value::Bool)));
    }
    let values_text = values
        .and_then(|g| g.pointer("/spec/overrides/0/value"))
        .and_then(Json::as_str)
        .map(|v| {
            clusternet_model::yaml::yaml_to_json(v)
                .map(|json| clusternet_model::json::to_compact(&json))
                .unwrap_or_else(|_| v.to_string())
        });
    set.push(("values", values_text.map_or(Value::Null, Value::from)));
    let pull_secret = match spec["chartPullSecret"]["name"].as_str() {
        Some(name) => {
            let block = &schema().block;
            let nested = crate::values::nested(block, "chart_pull_secret");
            crate::values::block_value(
                nested,
                [
                    ("name", Value::from(name)),
                    (
                        "namespace",
                        text(&spec["chartPullSecret"]["namespace"]).unwrap_or(Value::Null),
                    ),
                ],
            )
        }
        None => Value::Null,
    };
    set.push(("chart_pull_secret", pull_secret));
    let config = crate::values::block_value(&schema().block, set);
    let object = parse(&config)?;
    Ok(with_computed(&config, object.as_ref()))
}

/// `clusternet_helm_chart`.
pub struct HelmChart;

impl Resource for HelmChart {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        validate(config)
    }

    // Feeds need neither the inventory nor the hub.
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

    fn config(pairs: &[(&str, Value)]) -> Value {
        let mut entries: BTreeMap<String, Value> = schema()
            .block
            .attributes
            .iter()
            .map(|a| (a.name.clone(), Value::Null))
            .collect();
        entries.insert("chart_pull_secret".into(), Value::Null);
        entries.insert("name".into(), "web".into());
        entries.insert("repo".into(), "https://charts.example.com".into());
        entries.insert("chart".into(), "nginx".into());
        entries.insert("target_namespace".into(), "web".into());
        for (k, v) in pairs {
            entries.insert((*k).to_string(), v.clone());
        }
        Value::Object(entries)
    }

    #[test]
    fn the_feed_is_the_helm_chart_object_with_its_options() {
        let object = parse(&config(&[
            ("version", "1.2.3".into()),
            ("atomic", Value::Bool(true)),
            ("timeout_seconds", Value::from(60i64)),
        ]))
        .unwrap()
        .unwrap();
        assert_eq!(
            clusternet_model::json::to_compact(&object),
            r#"{"apiVersion":"apps.clusternet.io/v1alpha1","kind":"HelmChart","metadata":{"name":"web","namespace":"default"},"spec":{"atomic":true,"chart":"nginx","createNamespace":true,"repo":"https://charts.example.com","targetNamespace":"web","timeoutSeconds":60,"version":"1.2.3"}}"#
        );
    }

    #[test]
    fn bad_inputs_name_their_attribute() {
        for (attr, value) in [
            ("repo", Value::from("ftp://charts.example.com")),
            ("repo", Value::from("charts.example.com")),
            ("chart", Value::from(" ")),
            ("timeout_seconds", Value::from(0i64)),
            ("target_namespace", Value::from("Web_1")),
            ("name", Value::from("Web")),
            ("values", Value::from("[1, 2]")),
            ("values", Value::from("key: [unclosed")),
            ("version", Value::from("1.0 beta")),
        ] {
            let diags = parse(&config(&[(attr, value.clone())])).unwrap_err();
            let d = diags.iter().next().unwrap();
            assert_eq!(
                d.path,
                Some(AttributePath::root().attr(attr)),
                "{attr} = {value:?}"
            );
        }
    }

    #[test]
    fn unknown_inputs_leave_the_feed_unknown() {
        assert_eq!(
            parse(&config(&[("version", Value::unknown())])).unwrap(),
            None
        );
    }

    fn planned(config: &Value) -> Value {
        let response = plan(PlanRequest {
            type_name: TYPE_NAME.to_string(),
            prior_state: Value::Null,
            proposed_new_state: config.clone(),
            config: config.clone(),
            prior_private: Vec::new(),
        });
        assert!(
            !response.diagnostics.has_errors(),
            "{:?}",
            response.diagnostics
        );
        response.planned_state
    }

    #[test]
    fn defaults_written_or_left_out_plan_the_same_state() {
        let left_out = planned(&config(&[]));
        let written = planned(&config(&[
            ("namespace", "default".into()),
            ("create_namespace", Value::Bool(true)),
            ("timeout_seconds", Value::from(300i64)),
        ]));
        assert_eq!(left_out, written);
        assert_eq!(left_out.get("namespace"), Some(&Value::from("default")));
    }

    /// The hub's copies, as a subscription writes them: the HelmChart object (CRD defaults
    /// filled in by the model) and the values Globalization.
    fn hub_copies(feed: &str) -> (Json, Option<Json>) {
        let mut feed: Json = serde_json::from_str(feed).unwrap();
        let values = chart_values::take(&mut feed);
        let chart: clusternet_model::types::HelmChart = serde_json::from_value(feed).unwrap();
        (
            clusternet_model::hub::charts::helm_chart_object(&chart),
            values,
        )
    }

    #[test]
    fn an_imported_chart_is_what_its_configuration_plans() {
        let config = config(&[
            ("namespace", "apps".into()),
            ("version", "1.2.3".into()),
            ("wait", Value::Bool(false)),
            ("values", "greeting: hi\nsize: s\n".into()),
        ]);
        let planned = planned(&config);
        let feed = planned.get("feed").and_then(Value::as_str).unwrap();
        let (chart, values) = hub_copies(feed);
        let imported = imported_state(&chart, values.as_ref()).unwrap();
        assert_eq!(imported.get("feed"), planned.get("feed"));
        assert_eq!(
            imported.get("values"),
            Some(&Value::from(r#"{"greeting":"hi","size":"s"}"#))
        );
        // The configuration's YAML keeps the imported text: no change.
        let replanned = plan(PlanRequest {
            type_name: TYPE_NAME.to_string(),
            prior_state: imported.clone(),
            proposed_new_state: config.clone(),
            config,
            prior_private: Vec::new(),
        });
        assert_eq!(replanned.planned_state, imported);
    }
}
