//! A subscription's configuration, decoded once from Terraform's value into Clusternet's
//! types, with every default in one place.

use std::collections::{BTreeMap, BTreeSet};

use clusternet_model::identity::ObjectIdentity;
use clusternet_model::names::NameRule;
use clusternet_model::types::{
    DividingScheduling, DividingType, Feed, ObjectMeta, PreemptionPolicy, SchedulingStrategy,
    Subscriber, Subscription, SubscriptionSpec, SubscriptionStatus, TaintEffect, Toleration,
    TolerationOperator,
};
use clusternet_tfplugin::{AttributePath, Diagnostic, Diagnostics, Value};
use serde_json::Value as Json;

use super::rollout::config::Waiting;
use crate::apply_options::ignore_fields::IgnoreRule;
use crate::attrs::{self, Field};
use crate::override_handles::{OverrideRef, Sources};
use crate::resources::names;
use crate::selector;
use crate::snapshot::OverrideId;

pub use crate::resources::DEFAULT_NAMESPACE;
/// `scheduling_strategy` when the configuration leaves it out.
pub const DEFAULT_STRATEGY: SchedulingStrategy = SchedulingStrategy::Replication;
/// `dividing_type` when the configuration leaves it out and the strategy is `Dividing`.
pub const DEFAULT_DIVIDING_TYPE: DividingType = DividingType::Static;

/// The configuration word of a scheduling strategy.
pub fn strategy_word(strategy: SchedulingStrategy) -> &'static str {
    match strategy {
        SchedulingStrategy::Replication => "Replication",
        SchedulingStrategy::Dividing => "Dividing",
    }
}

/// The configuration word of a dividing type.
pub fn dividing_word(dividing: DividingType) -> &'static str {
    match dividing {
        DividingType::Static => "Static",
        DividingType::Dynamic => "Dynamic",
    }
}

/// One entry of `feeds`.
#[derive(Debug, Clone)]
pub enum FeedInput {
    /// Passed by value: the object (a HelmChart without the values the provider carries
    /// with it) and, for a chart, those values as their Globalization.
    ByValue {
        /// The object.
        object: Json,
        /// Its identity.
        identity: ObjectIdentity,
        /// A chart's values as the priority-0 Globalization.
        chart_values: Option<Json>,
    },
    /// Given by key: the feed is the hub's, looked up in the snapshot.
    ByKey(ObjectIdentity),
}

impl FeedInput {
    /// The feed's identity.
    pub fn identity(&self) -> &ObjectIdentity {
        match self {
            FeedInput::ByValue { identity, .. } | FeedInput::ByKey(identity) => identity,
        }
    }
}

/// A `clusternet_subscription` configuration, wholly known.
#[derive(Debug, Clone)]
pub struct SubscriptionConfig {
    /// Name.
    pub name: String,
    /// Namespace.
    pub namespace: String,
    /// Replication or Dividing.
    pub strategy: SchedulingStrategy,
    /// Static or Dynamic (used with Dividing only).
    pub dividing_type: DividingType,
    /// Whether the configuration sets `dividing_type` (rather than leaving the default).
    pub dividing_type_set: bool,
    /// Subscribers, in order.
    pub subscribers: Vec<Subscriber>,
    /// Per subscriber, whether the configuration sets its `weight`.
    pub weights_set: Vec<bool>,
    /// Tolerations, in order.
    pub tolerations: Vec<Toleration>,
    /// Feeds, in order.
    pub feeds: Vec<FeedInput>,
    /// The overrides passed (`ref`s: handles, or objects), in order; resolved to objects by
    /// [`crate::override_handles::Sources`].
    pub overrides: Vec<OverrideRef>,
    /// Whether and how apply waits for readiness (`wait_for_ready`, `rollout`).
    pub waiting: Waiting,
    /// `ignore_fields`.
    pub ignore_fields: Vec<IgnoreRule>,
    /// Which of the apply settings `ignore_fields`, `field_manager` and `timeouts` are set.
    pub apply_settings_set: Vec<&'static str>,
    /// The division of the prior state that dynamic dividing starts from (set by plan and
    /// apply, never decoded from the configuration).
    pub current: Option<super::dynamic::CurrentDivision>,
}

/// Whether the configuration `config` divides replicas dynamically (`scheduling_strategy =
/// "Dividing"`, `dividing_type = "Dynamic"`), as far as it is known.
pub fn divides_dynamically(config: &Value) -> bool {
    attrs::string(config, "scheduling_strategy")
        .known()
        .as_deref()
        == Some("Dividing")
        && attrs::string(config, "dividing_type").known().as_deref() == Some("Dynamic")
}

/// The path of an attribute of the subscription.
fn attr(name: &str) -> AttributePath {
    AttributePath::root().attr(name)
}

impl SubscriptionConfig {
    /// Decodes `config`. `None` when something is unknown or invalid; what is invalid is an
    /// error in `diags` on its attribute.
    pub fn decode(config: &Value, diags: &mut Diagnostics) -> Option<SubscriptionConfig> {
        let name = attrs::string(config, "name").known()?;
        let namespace = match attrs::string(config, "namespace") {
            Field::Known(ns) => ns,
            Field::Null => DEFAULT_NAMESPACE.to_string(),
            Field::Unknown => return None,
        };
        names::check(
            diags,
            attr("name"),
            "name",
            &name,
            NameRule::DnsSubdomain,
            "it names the Subscription and, in directory targets, its directory",
        );
        names::check(
            diags,
            attr("namespace"),
            "namespace",
            &namespace,
            NameRule::DnsLabel,
            "it is the Subscription's namespace and part of its directory in directory targets",
        );
        let strategy = match attrs::string(config, "scheduling_strategy") {
            Field::Null => DEFAULT_STRATEGY,
            Field::Unknown => return None,
            Field::Known(s) if s == "Replication" => SchedulingStrategy::Replication,
            Field::Known(s) if s == "Dividing" => SchedulingStrategy::Dividing,
            Field::Known(s) => {
                diags.error_at(
                    attr("scheduling_strategy"),
                    "Invalid scheduling strategy",
                    format!("scheduling_strategy = {s:?}: use Replication or Dividing."),
                );
                return None;
            }
        };
        let dividing_type_set = attrs::string(config, "dividing_type").is_set();
        let dividing_type = match attrs::string(config, "dividing_type") {
            Field::Null => DEFAULT_DIVIDING_TYPE,
            Field::Unknown => return None,
            Field::Known(s) if s == "Static" => DividingType::Static,
            Field::Known(s) if s == "Dynamic" => DividingType::Dynamic,
            Field::Known(s) => {
                diags.error_at(
                    attr("dividing_type"),
                    "Invalid dividing type",
                    format!("dividing_type = {s:?}: use Static or Dynamic."),
                );
                return None;
            }
        };
        let mut unknown = false;
        let (subscribers, weights_set) = decode_subscribers(config, &mut unknown, diags);
        let tolerations = decode_tolerations(config, &mut unknown, diags);
        let feeds = match attrs::string_list(config, "feeds") {
            Field::Known(feeds) => feeds,
            _ => return None,
        };
        let overrides = match attrs::string_list(config, "overrides") {
            Field::Known(o) => o,
            Field::Null => Vec::new(),
            Field::Unknown => return None,
        };
        let waiting = super::rollout::config::decode(config, diags);
        let ignore_fields = crate::apply_options::ignore_fields::decode(config, diags);
        // Checked here; apply reads them again, a destroy from the state (it has no
        // configuration).
        let field_manager = crate::apply_options::field_manager::decode(config, diags);
        let timeouts = crate::apply_options::timeouts::decode(config, diags);
        let waiting = waiting?;
        let (ignore_fields, _, _) = (ignore_fields?, field_manager?, timeouts?);
        let apply_settings_set = [
            crate::apply_options::ignore_fields::ATTRIBUTE,
            crate::apply_options::field_manager::BLOCK,
            crate::apply_options::timeouts::BLOCK,
        ]
        .into_iter()
        .filter(|name| config.get(name).is_some_and(|v| !v.is_null()))
        .collect();
        if unknown || diags.has_errors() {
            return None;
        }
        let feeds = decode_feeds(&feeds, diags);
        if diags.has_errors() {
            return None;
        }
        let mut override_refs = Vec::new();
        for (i, text) in overrides.iter().enumerate() {
            match OverrideRef::parse(text) {
                Ok(r) => override_refs.push(r),
                Err(e) => diags.error_at(
                    attr("overrides").index(i as i64),
                    "Invalid override reference",
                    format!(
                        "{e}. Pass `clusternet_localization.<name>.ref` or \
                         `clusternet_globalization.<name>.ref`."
                    ),
                ),
            }
        }
        if diags.has_errors() {
            return None;
        }
        Some(SubscriptionConfig {
            name,
            namespace,
            strategy,
            dividing_type,
            dividing_type_set,
            subscribers,
            weights_set,
            tolerations,
            feeds,
            overrides: override_refs,
            waiting,
            ignore_fields,
            apply_settings_set,
            current: None,
        })
    }

    /// The overrides passed, by identity.
    pub fn passed_overrides(&self) -> BTreeSet<OverrideId> {
        self.overrides.iter().filter_map(OverrideRef::id).collect()
    }

    /// The override objects `overrides` names, from `sources`; an error on each entry none
    /// of them holds.
    pub fn override_objects(&self, sources: &Sources<'_>) -> Result<Vec<Json>, Diagnostics> {
        sources.resolve(&self.overrides).map_err(|(i, e)| {
            Diagnostic::error(
                "Override not found",
                format!(
                    "{e}. Pass the `ref` of a clusternet_localization or \
                     clusternet_globalization of this configuration (Terraform then plans it \
                     first), or, with a hub, of one another configuration applied there."
                ),
            )
            .at(attr("overrides").index(i as i64))
            .into()
        })
    }

    /// `<namespace>/<name>`.
    pub fn id(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }

    /// The Subscription object Clusternet would hold (spec only; the scheduler writes the
    /// status).
    pub fn subscription(&self) -> Subscription {
        let dividing_scheduling =
            (self.strategy == SchedulingStrategy::Dividing).then_some(DividingScheduling {
                kind: self.dividing_type,
                dynamic_dividing: None,
            });
        let mut spec = SubscriptionSpec {
            scheduler_name: String::new(),
            scheduling_by_sub_group: None,
            scheduling_strategy: self.strategy,
            dividing_scheduling,
            priority: None,
            preemption_policy: None::<PreemptionPolicy>,
            subscribers: self.subscribers.clone(),
            cluster_tolerations: self.tolerations.clone(),
            feeds: self.feeds.iter().map(|f| feed_ref(f.identity())).collect(),
        };
        // The one default the API server's CRD schema fills on admission of what the
        // provider writes; the rest are filled by the scheduler.
        spec.scheduler_name = "default".to_string();
        Subscription {
            metadata: ObjectMeta {
                name: self.name.clone(),
                namespace: self.namespace.clone(),
                ..ObjectMeta::default()
            },
            spec,
            status: SubscriptionStatus::default(),
        }
    }

    /// The identities of `spec.feeds`, in order.
    pub fn feed_identities(&self) -> Vec<ObjectIdentity> {
        self.feeds.iter().map(|f| f.identity().clone()).collect()
    }

    /// The values of the charts passed by value, as their priority-0 Globalizations.
    pub fn chart_values(&self) -> Vec<Json> {
        self.feeds
            .iter()
            .filter_map(|f| match f {
                FeedInput::ByValue { chart_values, .. } => chart_values.clone(),
                FeedInput::ByKey(_) => None,
            })
            .collect()
    }

    /// The HelmChart feeds given by key (`(namespace, name)`): the hub's, never written back.
    pub fn charts_by_key(&self) -> BTreeSet<(String, String)> {
        self.feeds
            .iter()
            .filter_map(|f| match f {
                FeedInput::ByKey(identity) if identity.kind == "HelmChart" => Some((
                    identity.namespace.clone().unwrap_or_default(),
                    identity.name.clone(),
                )),
                _ => None,
            })
            .collect()
    }

    /// Index in `feeds` of each HelmChart feed passed by value, by (chart namespace, chart
    /// name).
    pub fn chart_feed_indices(&self) -> BTreeMap<(String, String), usize> {
        self.feeds
            .iter()
            .enumerate()
            .filter_map(|(i, feed)| match feed {
                FeedInput::ByValue { identity, .. } if identity.kind == "HelmChart" => {
                    let namespace = identity
                        .namespace
                        .clone()
                        .unwrap_or_else(|| DEFAULT_NAMESPACE.to_string());
                    Some(((namespace, identity.name.clone()), i))
                }
                _ => None,
            })
            .collect()
    }
}

/// The subscribers, and per subscriber whether its `weight` is set.
fn decode_subscribers(
    config: &Value,
    unknown: &mut bool,
    diags: &mut Diagnostics,
) -> (Vec<Subscriber>, Vec<bool>) {
    let Field::Known(items) = attrs::elements(config, "subscriber") else {
        return (Vec::new(), Vec::new());
    };
    let mut subscribers = Vec::new();
    let mut weights_set = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let path = attr("subscriber").index(i as i64);
        let weight = attrs::integer(item, "weight");
        weights_set.push(weight.is_set());
        let weight = match weight {
            Field::Null => 0,
            Field::Unknown => {
                *unknown = true;
                0
            }
            Field::Known(Ok(w)) if (0..=i64::from(i32::MAX)).contains(&w) => w as i32,
            Field::Known(w) => {
                let shown = w.map_or_else(|e| e.to_string(), |w| w.to_string());
                diags.error_at(
                    path.clone().attr("weight"),
                    "Invalid weight",
                    format!(
                        "weight = {shown}: use a whole number from 0 to {}.",
                        i32::MAX
                    ),
                );
                0
            }
        };
        subscribers.push(Subscriber {
            cluster_affinity: selector::parse_at(item, "cluster_affinity", &path, diags),
            weight,
            sub_group_strategy: None,
        });
    }
    (subscribers, weights_set)
}

fn decode_tolerations(
    config: &Value,
    unknown: &mut bool,
    diags: &mut Diagnostics,
) -> Vec<Toleration> {
    let Field::Known(items) = attrs::elements(config, "toleration") else {
        return Vec::new();
    };
    let mut tolerations = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let path = attr("toleration").index(i as i64);
        let mut text = |name: &str| match attrs::string(item, name) {
            Field::Known(v) => Some(v),
            Field::Unknown => {
                *unknown = true;
                None
            }
            Field::Null => None,
        };
        let key = text("key").unwrap_or_default();
        let operator = text("operator");
        let value = text("value").unwrap_or_default();
        let effect = text("effect");
        let operator = match operator.as_deref() {
            None => None,
            Some("Equal") => Some(TolerationOperator::Equal),
            Some("Exists") => Some(TolerationOperator::Exists),
            Some(other) => {
                diags.error_at(
                    path.clone().attr("operator"),
                    "Invalid toleration operator",
                    format!("operator = {other:?}: use Equal or Exists."),
                );
                None
            }
        };
        let effect = match effect.as_deref() {
            None | Some("") => None,
            Some("NoSchedule") => Some(TaintEffect::NoSchedule),
            Some("PreferNoSchedule") => Some(TaintEffect::PreferNoSchedule),
            Some("NoExecute") => Some(TaintEffect::NoExecute),
            Some(other) => {
                diags.error_at(
                    path.attr("effect"),
                    "Invalid toleration effect",
                    format!(
                        "effect = {other:?}: use NoSchedule, PreferNoSchedule, NoExecute, or \
                         leave it out for all effects."
                    ),
                );
                None
            }
        };
        tolerations.push(Toleration {
            key,
            operator,
            value,
            effect,
            toleration_seconds: None,
        });
    }
    tolerations
}

fn decode_feeds(feeds: &[String], diags: &mut Diagnostics) -> Vec<FeedInput> {
    let mut decoded = Vec::new();
    for (i, feed) in feeds.iter().enumerate() {
        let path = attr("feeds").index(i as i64);
        if feed.trim_start().starts_with('{') {
            match crate::resources::feed::decode(feed)
                .map_err(|e| e.to_string())
                .and_then(|(o, id)| crate::resources::feed::check_names(&id).map(|()| (o, id)))
            {
                Ok((mut object, identity)) => {
                    let chart_values = clusternet_model::hub::chart_values::take(&mut object);
                    decoded.push(FeedInput::ByValue {
                        object,
                        identity,
                        chart_values,
                    });
                }
                Err(e) => diags.error_at(path, "Invalid feed", format!("{e}.")),
            }
        } else {
            match feed
                .parse::<ObjectIdentity>()
                .map_err(|e| e.to_string())
                .and_then(|id| crate::resources::feed::check_names(&id).map(|()| id))
            {
                Ok(identity) => decoded.push(FeedInput::ByKey(identity)),
                Err(e) => diags.error_at(path, "Invalid feed", format!("{e}.")),
            }
        }
    }
    decoded
}

/// A feed reference of `spec.feeds`.
fn feed_ref(identity: &ObjectIdentity) -> Feed {
    Feed {
        kind: identity.kind.clone(),
        api_version: identity.api_version.clone(),
        namespace: identity.namespace.clone().unwrap_or_default(),
        name: identity.name.clone(),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn config(name: &str, namespace: &str, feed: &str) -> Value {
        Value::Object(BTreeMap::from([
            ("name".to_string(), Value::from(name)),
            ("namespace".to_string(), Value::from(namespace)),
            ("feeds".to_string(), Value::List(vec![Value::from(feed)])),
        ]))
    }

    fn errors_at(config: &Value) -> Vec<(String, AttributePath)> {
        let mut diags = Diagnostics::new();
        SubscriptionConfig::decode(config, &mut diags);
        diags
            .iter()
            .filter(|d| d.is_error())
            .map(|d| (d.summary.clone(), d.path.clone().expect("a path")))
            .collect()
    }

    #[test]
    fn names_that_are_paths_are_errors_on_their_attribute() {
        let feed = "v1/ConfigMap/default/settings";
        for name in [
            "../../../outside",
            "a/../../x",
            "/abs",
            "..",
            "A",
            &"a".repeat(254),
        ] {
            assert_eq!(
                errors_at(&config(name, "default", feed)),
                [("Invalid name".to_string(), attr("name"))],
                "{name}"
            );
        }
        for namespace in ["a.b", "..", "../x", "Default"] {
            assert_eq!(
                errors_at(&config("app", namespace, feed)),
                [("Invalid namespace".to_string(), attr("namespace"))],
                "{namespace}"
            );
        }
        assert!(errors_at(&config("a.b", "c", feed)).is_empty());
    }

    #[test]
    fn feeds_with_invalid_names_are_errors_on_the_feed() {
        for feed in [
            "v1/ConfigMap/default/../x",
            ".example.com/v1/Thing/default/x",
            r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a_b"}}"#,
        ] {
            assert_eq!(
                errors_at(&config("app", "default", feed)),
                [("Invalid feed".to_string(), attr("feeds").index(0))],
                "{feed}"
            );
        }
    }

    #[test]
    fn only_a_dynamic_division_asks_for_the_clusters_capacity() {
        let with = |strategy: Option<Value>, dividing: Option<Value>| {
            let mut entries = BTreeMap::new();
            if let Some(v) = strategy {
                entries.insert("scheduling_strategy".to_string(), v);
            }
            if let Some(v) = dividing {
                entries.insert("dividing_type".to_string(), v);
            }
            divides_dynamically(&Value::Object(entries))
        };
        let s = |text: &str| Some(Value::from(text));
        assert!(with(s("Dividing"), s("Dynamic")));
        assert!(!with(s("Dividing"), s("Static")));
        assert!(!with(s("Dividing"), None));
        // Replication ignores dividing_type.
        assert!(!with(s("Replication"), s("Dynamic")));
        assert!(!with(None, s("Dynamic")));
        assert!(!with(Some(Value::unknown()), s("Dynamic")));
    }
}
