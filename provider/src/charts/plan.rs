//! What a subscription's plan adds for its charts: the objects of `helm template` per cluster
//! (with that cluster's values) and the planned `releases`.

use std::collections::{BTreeMap, BTreeSet};

use clusternet_deploy::fan_out;
use clusternet_model::hub::releases::WRITTEN;
use clusternet_model::identity::ObjectIdentity;
use clusternet_model::preview::key::HELM;
use clusternet_model::preview::{PreviewKey, Previewed};
use clusternet_model::scope::Scopes;
use clusternet_tfplugin::{AttributePath, Diagnostic, Diagnostics, Value};
use serde_json::Value as Json;

use super::release::ChartRelease;
use super::template::{self, TemplateError};
use crate::config::ProviderConfig;

/// Release states that need no new install: a deployed release, or a directory target's
/// written files.
pub fn is_settled(release_state: &str) -> bool {
    release_state.starts_with("deployed/") || release_state == WRITTEN
}

/// The templated entries of every chart entry in `descriptions`, keyed
/// `<cluster>/helm/<release>/<object key>` (a namespaced object the template leaves without a
/// namespace keyed in the release namespace, where helm installs it), Secrets redacted with
/// `redact`.
///
/// A chart that cannot be fetched leaves its entries out with a warning (a map cannot have
/// unknown keys); a chart or version the repository does not have is an error on
/// `feeds[i]`, `i` from `feed_index(chart namespace, chart name)`.
pub async fn templated_entries(
    inventory: &ProviderConfig,
    descriptions: &BTreeMap<String, String>,
    feed_index: &(dyn Fn(&str, &str) -> Option<usize> + Sync),
    redact: &(dyn Fn(&str) -> String + Sync),
) -> (BTreeMap<String, String>, Diagnostics) {
    let mut entries = BTreeMap::new();
    let mut diagnostics = Diagnostics::new();
    let charts: Vec<(ChartRelease, Option<usize>)> = descriptions
        .iter()
        .filter(|(key, _)| may_be_chart(key))
        .filter_map(|(key, text)| {
            let PreviewKey {
                previewed: Previewed::Chart { namespace, name },
                ..
            } = key.parse().ok()?
            else {
                return None;
            };
            let index = feed_index(&namespace, &name);
            Some(ChartRelease::from_entry(key, text).map(|r| (r, index)))
        })
        .filter_map(Result::ok)
        .collect();
    if charts.is_empty() {
        return (entries, diagnostics);
    }
    let helm = match super::helm_binary::helm(inventory).await {
        Ok(helm) => helm,
        Err(e) => {
            diagnostics.push(
                Diagnostic::warning(
                    "Charts not templated",
                    format!(
                        "{e}. The plan shows each cluster's chart and values, but not the \
                         objects the chart makes of them."
                    ),
                )
                .at(AttributePath::root().attr("feeds")),
            );
            return (entries, diagnostics);
        }
    };
    let mut jobs = Vec::new();
    for (release, index) in charts {
        let credentials = super::credentials::of(inventory, &release).await;
        jobs.push((release, index, credentials));
    }
    // One helm template per chart and cluster, as many at once as the provider deploys to.
    let templated = fan_out(
        jobs,
        inventory.parallelism,
        |(release, index, credentials)| {
            let helm = helm.clone();
            let mut spec = release.spec();
            async move {
                let result = match credentials {
                    Ok(credentials) => {
                        spec.chart.credentials = credentials;
                        template::template(&helm, &spec).await
                    }
                    Err(e) => Err(TemplateError::Unavailable(e.to_string())),
                };
                (release, index, result)
            }
        },
    )
    .await;
    let mut reported = BTreeSet::new();
    for templated in templated {
        let (release, index, result) = match templated {
            Ok(done) => done,
            Err(failed) => {
                // A task that panicked: its chart's objects would be missing from the plan.
                diagnostics.push(
                    Diagnostic::error(
                        "Chart not templated",
                        format!(
                            "Templating a chart stopped: {failed}. This is a bug of the \
                             provider; please report it."
                        ),
                    )
                    .at(AttributePath::root().attr("feeds")),
                );
                continue;
            }
        };
        let path = match index {
            Some(i) => AttributePath::root().attr("feeds").index(i as i64),
            None => AttributePath::root().attr("feeds"),
        };
        match result {
            Ok(objects) => {
                // Keyed as helm installs them: in the release namespace unless the template
                // names one or the kind is cluster-scoped (built in, or by the chart's CRDs).
                let scopes = Scopes::with_crds(objects.iter());
                for object in objects.iter() {
                    let Ok(identity) = ObjectIdentity::of(object) else {
                        continue;
                    };
                    let identity = scopes.in_release_namespace(identity, &release.namespace);
                    let mut object = object.clone();
                    if identity.kind == "Secret" && identity.api_version == "v1" {
                        clusternet_model::preview::redact_secret(&mut object, redact);
                    }
                    let key = PreviewKey::templated(&release.cluster, &release.name, identity);
                    entries.insert(key.to_string(), clusternet_model::json::to_compact(&object));
                }
            }
            Err(TemplateError::Unavailable(message)) => {
                if reported.insert(message.clone()) {
                    diagnostics.push(
                        Diagnostic::warning(
                            "Chart not templated: repository unavailable",
                            format!(
                                "{message}. The plan shows the chart and values of {}, but \
                                 not the objects it makes; apply needs the repository.",
                                release.name
                            ),
                        )
                        .at(path),
                    );
                }
            }
            Err(TemplateError::Invalid(message)) => {
                if reported.insert(message.clone()) {
                    diagnostics.push(
                        Diagnostic::error(
                            "Chart cannot be installed",
                            format!(
                                "{message}. Check the chart's repo, chart and version (helm \
                                 search repo lists the versions), and the values of its Helm \
                                 overrides. Nothing was changed in any cluster."
                            ),
                        )
                        .at(path),
                    );
                }
            }
        }
    }
    (entries, diagnostics)
}

/// The keys of `entries` that `release` templates: they sort together, after
/// `<cluster>/helm/<release>/`, so a range scan finds them without visiting every entry.
fn templated_keys<'a, V>(
    entries: &'a BTreeMap<String, V>,
    release: &'a ChartRelease,
) -> impl Iterator<Item = &'a String> + 'a {
    let prefix = format!("{}/{HELM}/{}/", release.cluster, release.name);
    entries
        .range(prefix.clone()..)
        .map(|(k, _)| k)
        .take_while(move |k| k.starts_with(&prefix))
        .filter(|k| release.templates(k))
}

/// Whether a per-cluster preview key can be a chart entry (`<cluster>/helm/...`): a cheap test
/// before parsing, as most entries are plain objects.
pub fn may_be_chart(key: &str) -> bool {
    key.split_once('/')
        .is_some_and(|(_, rest)| rest.starts_with(HELM) && rest[HELM.len()..].starts_with('/'))
}

/// The planned `releases`: per chart entry in `planned`, the prior state of the release when
/// nothing about it changes (chart, values, templated objects) and it is settled, or unknown
/// (apply installs or upgrades it and records the outcome).
pub fn planned_releases(
    prior_descriptions: &BTreeMap<String, Value>,
    prior_releases: &BTreeMap<String, Value>,
    planned: &BTreeMap<String, String>,
) -> BTreeMap<String, Value> {
    let prior_text = |k: &String| prior_descriptions.get(k).and_then(Value::as_str);
    let mut releases = BTreeMap::new();
    for (key, text) in planned.iter().filter(|(k, _)| may_be_chart(k)) {
        let Ok(release) = ChartRelease::from_entry(key, text) else {
            continue;
        };
        let same_templates = templated_keys(planned, &release)
            .all(|k| prior_text(k) == planned.get(k).map(String::as_str))
            && templated_keys(prior_descriptions, &release).all(|k| planned.contains_key(k));
        let release_key = release.release_key();
        let prior_state = prior_releases.get(&release_key).and_then(Value::as_str);
        let unchanged = prior_text(key) == Some(text.as_str())
            && same_templates
            && prior_state.is_some_and(is_settled);
        releases.insert(
            release_key,
            match prior_state {
                Some(state) if unchanged => Value::from(state),
                _ => Value::unknown(),
            },
        );
    }
    releases
}

/// The chart entries of `descriptions` that are not templated objects, as releases.
pub fn chart_releases(descriptions: &BTreeMap<String, Value>) -> Vec<ChartRelease> {
    descriptions
        .iter()
        .filter(|(k, _)| may_be_chart(k))
        .filter_map(|(k, v)| ChartRelease::from_entry(k, v.as_str()?).ok())
        .collect()
}

/// Whether `json` has no values (`null` or `{}`), as helm stores "no values".
pub fn no_values(json: &Json) -> bool {
    json.is_null() || json.as_object().is_some_and(|m| m.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHART: &str = r#"{"chart":{"metadata":{"name":"web","namespace":"apps"},"spec":{"chart":"web","repo":"http://x","targetNamespace":"web","version":"1"}},"values":null}"#;

    #[test]
    fn a_release_stays_known_only_while_nothing_about_it_changes() {
        let planned: BTreeMap<String, String> = [
            ("eu/helm/apps/web".to_string(), CHART.to_string()),
            (
                "eu/helm/web/v1/ConfigMap/c".to_string(),
                r#"{"data":{"a":"1"}}"#.to_string(),
            ),
        ]
        .into();
        let prior: BTreeMap<String, Value> = planned
            .iter()
            .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
            .collect();
        let releases: BTreeMap<String, Value> =
            [("eu/web/web".to_string(), Value::from("deployed/2"))].into();
        assert_eq!(
            planned_releases(&prior, &releases, &planned)["eu/web/web"],
            Value::from("deployed/2")
        );
        let mut changed = planned.clone();
        changed.insert(
            "eu/helm/web/v1/ConfigMap/c".into(),
            r#"{"data":{"a":"2"}}"#.into(),
        );
        assert!(planned_releases(&prior, &releases, &changed)["eu/web/web"].is_unknown());
        let failed: BTreeMap<String, Value> =
            [("eu/web/web".to_string(), Value::from("failed/3"))].into();
        assert!(planned_releases(&prior, &failed, &planned)["eu/web/web"].is_unknown());
    }
}
