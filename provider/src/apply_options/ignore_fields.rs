//! `ignore_fields`: paths of the subscription's objects whose live value belongs to someone
//! else (an HPA's `spec.replicas`, a controller's annotation). The provider neither reports
//! them as drift nor takes them back from another field manager.
//!
//! An element reads `<apiVersion>/<Kind>:<path>` (every object of that kind) or
//! `<apiVersion>/<Kind>/[<namespace>/]<name>:<path>` (one object, keyed as in
//! `descriptions`). The path is map keys joined by `.`; a key holding `.` or `/` is written
//! in brackets and quotes: `metadata.annotations["example.com/owner"]`.

use std::fmt;
use std::str::FromStr;

use clusternet_tfplugin::{AttributePath, Diagnostics, Value};
use serde_json::{Map, Value as Json};

use crate::attrs::{self, Field};

/// The attribute.
pub const ATTRIBUTE: &str = "ignore_fields";

/// The objects a rule applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selector {
    /// Every object of a kind.
    Kind {
        /// `apiVersion`.
        api_version: String,
        /// `kind`.
        kind: String,
    },
    /// One object.
    Object {
        /// `apiVersion`.
        api_version: String,
        /// `kind`.
        kind: String,
        /// `metadata.namespace`, `None` for a cluster-scoped object.
        namespace: Option<String>,
        /// `metadata.name`.
        name: String,
    },
}

/// One element of `ignore_fields`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoreRule {
    /// Which objects.
    pub selector: Selector,
    /// The map keys leading to the field, outermost first.
    pub path: Vec<String>,
}

/// Why an element of `ignore_fields` cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError(String);

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn error(text: impl Into<String>) -> RuleError {
    RuleError(text.into())
}

impl FromStr for IgnoreRule {
    type Err = RuleError;

    fn from_str(text: &str) -> Result<IgnoreRule, RuleError> {
        let (selector, path) = text
            .split_once(':')
            .ok_or_else(|| error("no \":\" between the objects and the path"))?;
        Ok(IgnoreRule {
            selector: parse_selector(selector)?,
            path: parse_path(path)?,
        })
    }
}

fn parse_selector(text: &str) -> Result<Selector, RuleError> {
    let segments: Vec<&str> = text.split('/').collect();
    if segments.iter().any(|s| s.is_empty()) {
        return Err(error(format!("{text:?} has an empty segment")));
    }
    // The kind is the first segment with a capital letter: groups, versions, namespaces and
    // names are lowercase.
    let kind_at = segments
        .iter()
        .position(|s| s.starts_with(|c: char| c.is_ascii_uppercase()))
        .ok_or_else(|| {
            error(format!(
                "{text:?} names no kind (such as apps/v1/Deployment)"
            ))
        })?;
    if !(1..=2).contains(&kind_at) {
        return Err(error(format!(
            "{text:?}: the kind must follow the apiVersion (v1/ConfigMap, apps/v1/Deployment)"
        )));
    }
    let api_version = segments[..kind_at].join("/");
    let kind = segments[kind_at].to_string();
    match &segments[kind_at + 1..] {
        [] => Ok(Selector::Kind { api_version, kind }),
        [name] => Ok(Selector::Object {
            api_version,
            kind,
            namespace: None,
            name: name.to_string(),
        }),
        [namespace, name] => Ok(Selector::Object {
            api_version,
            kind,
            namespace: Some(namespace.to_string()),
            name: name.to_string(),
        }),
        _ => Err(error(format!(
            "{text:?}: after the kind come at most a namespace and a name"
        ))),
    }
}

fn parse_path(text: &str) -> Result<Vec<String>, RuleError> {
    let mut keys = Vec::new();
    let mut rest = text;
    loop {
        if let Some(quoted) = rest.strip_prefix("[\"") {
            let end = quoted
                .find("\"]")
                .ok_or_else(|| error(format!("path {text:?}: a [\" without its \"]")))?;
            keys.push(quoted[..end].to_string());
            rest = &quoted[end + 2..];
        } else {
            let end = rest.find(['.', '[']).unwrap_or(rest.len());
            keys.push(rest[..end].to_string());
            rest = &rest[end..];
        }
        if keys.last().is_some_and(String::is_empty) {
            return Err(error(format!(
                "path {text:?} has an empty key; write keys joined by \".\", such as \
                 spec.replicas"
            )));
        }
        if rest.is_empty() {
            return Ok(keys);
        }
        rest = rest.strip_prefix('.').unwrap_or(rest);
        if rest.is_empty() {
            return Err(error(format!("path {text:?} ends with \".\"")));
        }
    }
}

impl IgnoreRule {
    /// Whether the rule applies to `object`.
    pub fn applies_to(&self, object: &Json) -> bool {
        let text = |pointer: &str| object.pointer(pointer).and_then(Json::as_str);
        let (api, kind) = match &self.selector {
            Selector::Kind { api_version, kind }
            | Selector::Object {
                api_version, kind, ..
            } => (api_version, kind),
        };
        if text("/apiVersion") != Some(api) || text("/kind") != Some(kind) {
            return false;
        }
        match &self.selector {
            Selector::Kind { .. } => true,
            Selector::Object {
                namespace, name, ..
            } => {
                text("/metadata/name") == Some(name)
                    && text("/metadata/namespace").filter(|ns| !ns.is_empty())
                        == namespace.as_deref()
            }
        }
    }

    /// The field in `object`, if it has it.
    pub fn field<'a>(&self, object: &'a Json) -> Option<&'a Json> {
        self.path.iter().try_fold(object, |at, key| at.get(key))
    }
}

/// The rules of `ignore_fields` in `config` (or a state); `None` when unknown or invalid
/// (invalid elements are errors in `diags` on the element).
pub fn decode(config: &Value, diags: &mut Diagnostics) -> Option<Vec<IgnoreRule>> {
    let items = match attrs::string_list(config, ATTRIBUTE) {
        Field::Known(items) => items,
        Field::Null => return Some(Vec::new()),
        Field::Unknown => return None,
    };
    let mut rules = Vec::new();
    for (i, item) in items.iter().enumerate() {
        match item.parse::<IgnoreRule>() {
            Ok(rule) => rules.push(rule),
            Err(e) => diags.error_at(
                AttributePath::root().attr(ATTRIBUTE).index(i as i64),
                "Invalid ignore_fields element",
                format!(
                    "{item:?}: {e}. Write <apiVersion>/<Kind>:<path> for every object of a \
                     kind (apps/v1/Deployment:spec.replicas) or \
                     <apiVersion>/<Kind>/<namespace>/<name>:<path> for one object."
                ),
            ),
        }
    }
    (rules.len() == items.len()).then_some(rules)
}

/// A warning on each rule that matches no field of `objects` (the objects the provider
/// applies, every cluster's): it would have no effect.
pub fn warn_unmatched<'a>(
    rules: &[IgnoreRule],
    objects: impl Iterator<Item = &'a Json> + Clone,
    diags: &mut Diagnostics,
) {
    for (i, rule) in rules.iter().enumerate() {
        let matched = objects
            .clone()
            .any(|o| rule.applies_to(o) && rule.field(o).is_some());
        if !matched {
            diags.warning_at(
                AttributePath::root().attr(ATTRIBUTE).index(i as i64),
                "ignore_fields element matches nothing",
                "No object this subscription applies has this field, so ignoring it has no \
                 effect. Check the apiVersion, kind, object key and path against \
                 `descriptions` (Helm charts' objects belong to helm and are not covered).",
            );
        }
    }
}

/// Drift reading: `live` (already seen through the planned shape) shows the planned value
/// at every ignored path, so a change there is no diff.
pub fn keep_planned(rules: &[IgnoreRule], planned: &Json, live: &mut Json) {
    for rule in rules.iter().filter(|r| r.applies_to(planned)) {
        if let Some(value) = rule.field(planned) {
            set(live, &rule.path, value.clone());
        }
    }
}

fn set(object: &mut Json, path: &[String], value: Json) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut at = object;
    for key in parents {
        if !at.is_object() {
            return;
        }
        at = at
            .as_object_mut()
            .expect("an object")
            .entry(key.clone())
            .or_insert_with(|| Json::Object(Map::new()));
    }
    if let Some(map) = at.as_object_mut() {
        map.insert(last.clone(), value);
    }
}

/// Apply, for an object that exists (`live`): under each ignored path, `body` takes the live
/// value, and then leaves out exactly the fields another manager holds (`others`, a fieldsV1
/// trie, if anyone else holds anything). So server-side apply neither conflicts with that
/// manager nor takes its fields back, and what only we hold is applied as it is live:
/// leaving it out would make the server remove it (or reset it to its default), and
/// applying the configured value would undo a change the API server left in our name (1.20
/// and older keep a `scale` subresource update under the applier's name). The configured
/// value of an ignored field is thus what a new object starts with. Returns whether the body
/// changed.
pub fn leave_to_others(
    rules: &[IgnoreRule],
    body: &mut Json,
    live: &Json,
    others: Option<&Json>,
) -> bool {
    let before = body.clone();
    let applicable: Vec<&IgnoreRule> = rules.iter().filter(|r| r.applies_to(body)).collect();
    for rule in &applicable {
        if let Some(value) = rule.field(live) {
            set(body, &rule.path, value.clone());
        }
    }
    if let Some(others) = others {
        for rule in &applicable {
            drop_at(body, &rule.path, others);
        }
    }
    *body != before
}

/// The children of a fieldsV1 node, `None` for a leaf (the whole value is owned).
fn children(node: &Json) -> Option<&Map<String, Json>> {
    node.as_object().filter(|m| m.keys().any(|k| k != "."))
}

fn drop_at(body: &mut Json, path: &[String], owned: &Json) -> bool {
    let Some(children_of_owned) = children(owned) else {
        // Another manager owns this whole subtree.
        return false;
    };
    let Some(map) = body.as_object_mut() else {
        return false;
    };
    match path.split_first() {
        Some((key, rest)) => {
            let Some(sub) = children_of_owned.get(&format!("f:{key}")) else {
                return false;
            };
            if rest.is_empty() || children(sub).is_none() {
                match children(sub) {
                    // Owned whole by another manager: ours to leave alone.
                    None => map.remove(key).is_some(),
                    Some(_) => map.get_mut(key).is_some_and(|v| strip(v, sub)),
                }
            } else {
                map.get_mut(key).is_some_and(|v| drop_at(v, rest, sub))
            }
        }
        None => false,
    }
}

/// Removes from `value` what `owned` (a fieldsV1 node with children) covers.
fn strip(value: &mut Json, owned: &Json) -> bool {
    let (Some(map), Some(owned)) = (value.as_object_mut(), children(owned)) else {
        return false;
    };
    let mut dropped = false;
    let keys: Vec<String> = map.keys().cloned().collect();
    for key in keys {
        if let Some(sub) = owned.get(&format!("f:{key}")) {
            if children(sub).is_none() {
                map.remove(&key);
                dropped = true;
            } else if let Some(v) = map.get_mut(&key) {
                dropped |= strip(v, sub);
            }
        }
    }
    dropped
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rule(text: &str) -> IgnoreRule {
        text.parse().unwrap()
    }

    #[test]
    fn elements_name_a_kind_or_an_object_and_a_path() {
        assert_eq!(
            rule("apps/v1/Deployment:spec.replicas"),
            IgnoreRule {
                selector: Selector::Kind {
                    api_version: "apps/v1".into(),
                    kind: "Deployment".into()
                },
                path: vec!["spec".into(), "replicas".into()],
            }
        );
        assert_eq!(
            rule("v1/Namespace/web:metadata.labels").selector,
            Selector::Object {
                api_version: "v1".into(),
                kind: "Namespace".into(),
                namespace: None,
                name: "web".into()
            }
        );
        assert_eq!(
            rule("v1/ConfigMap/web/settings:metadata.annotations[\"example.com/x.y\"]").path,
            vec!["metadata", "annotations", "example.com/x.y"]
        );
    }

    #[test]
    fn malformed_elements_say_what_is_wrong() {
        for bad in [
            "apps/v1/Deployment",
            "apps/v1/deployment:spec",
            "a/b/c/Deployment:spec",
            "apps/v1/Deployment/a/b/c:spec",
            "apps/v1/Deployment:spec..replicas",
            "apps/v1/Deployment:spec.",
            "apps/v1/Deployment:metadata.annotations[\"x",
            "apps//Deployment:spec",
        ] {
            assert!(bad.parse::<IgnoreRule>().is_err(), "{bad}");
        }
    }

    #[test]
    fn object_rules_match_their_object_only() {
        let web = json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "app"}, "spec": {"replicas": 3}});
        assert!(rule("apps/v1/Deployment:spec.replicas").applies_to(&web));
        assert!(rule("apps/v1/Deployment/app/web:spec.replicas").applies_to(&web));
        assert!(!rule("apps/v1/Deployment/app/api:spec.replicas").applies_to(&web));
        assert!(!rule("apps/v1/Deployment/web:spec.replicas").applies_to(&web));
        assert!(!rule("apps/v1/StatefulSet:spec.replicas").applies_to(&web));
    }

    #[test]
    fn fields_another_manager_holds_leave_the_body() {
        let rules = [rule("apps/v1/Deployment:spec.replicas")];
        let body = json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web"}, "spec": {"replicas": 3, "paused": false}});
        let live = json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web"}, "spec": {"replicas": 7, "paused": false}});
        let mut taken = body.clone();
        let hpa = json!({"f:spec": {"f:replicas": {}}});
        assert!(leave_to_others(&rules, &mut taken, &live, Some(&hpa)));
        assert_eq!(taken["spec"], json!({"paused": false}));
    }

    #[test]
    fn ignored_fields_still_ours_are_applied_as_they_are_live() {
        let rules = [rule("apps/v1/Deployment:spec.replicas")];
        let body = json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web"}, "spec": {"replicas": 3}});
        let mut unchanged = body.clone();
        assert!(!leave_to_others(&rules, &mut unchanged, &body, None));
        assert_eq!(unchanged, body);
        // Scaled through the scale subresource of a 1.20 server: still ours by name.
        let scaled = json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web"}, "spec": {"replicas": 4}});
        let mut applied = body.clone();
        let other = json!({"f:metadata": {"f:labels": {}}});
        assert!(leave_to_others(&rules, &mut applied, &scaled, Some(&other)));
        assert_eq!(applied["spec"]["replicas"], 4);
    }

    #[test]
    fn under_an_ignored_map_only_the_keys_of_others_leave() {
        let rules = [rule("v1/ConfigMap:metadata.annotations")];
        let object = json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "c", "annotations": {"ours": "1", "theirs": "2"}}});
        let mut body = object.clone();
        let others = json!({"f:metadata": {"f:annotations": {"f:theirs": {}}}});
        assert!(leave_to_others(&rules, &mut body, &object, Some(&others)));
        assert_eq!(body["metadata"]["annotations"], json!({"ours": "1"}));
    }

    #[test]
    fn drift_at_an_ignored_path_shows_the_planned_value() {
        let rules = [rule("apps/v1/Deployment:spec.replicas")];
        let planned = json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web"}, "spec": {"replicas": 3, "paused": false}});
        let mut live = json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web"}, "spec": {"replicas": 7, "paused": true}});
        keep_planned(&rules, &planned, &mut live);
        assert_eq!(live["spec"], json!({"replicas": 3, "paused": true}));
    }

    #[test]
    fn a_rule_matching_no_field_is_a_warning_on_its_element() {
        let rules = [
            rule("apps/v1/Deployment:spec.replicas"),
            rule("apps/v1/Deployment:spec.nothing"),
        ];
        let objects = [json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web"}, "spec": {"replicas": 3}})];
        let mut diags = Diagnostics::new();
        warn_unmatched(&rules, objects.iter(), &mut diags);
        assert_eq!(diags.iter().count(), 1);
        assert!(!diags.has_errors());
    }
}
