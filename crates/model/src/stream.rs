//! YAML streams in and out: the contract of the `render` CLI subcommand.
//!
//! Input: YAML streams (documents separated by `---`; `kind: List` documents are
//! expanded). Output, in this order: every Subscription with `status`, then the Bases,
//! the generated dividing Localizations, then the Descriptions. `spec.raw` and
//! `spec.chartRaw` are base64 as the API stores them, or JSON objects with `decode`.
//! YAML output is a `---`-separated stream with sorted keys; JSON output is one
//! `{"apiVersion":"v1","kind":"List","items":[...]}`. A Description whose overrides fail is
//! left out of the output and reported in [`StreamResult::failures`], as Clusternet stops
//! only that Description.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::Error;
use crate::render::{RenderInput, RenderOutput, render};
use crate::types::{APPS_API_VERSION, FeedKey};

/// Output format.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum OutputFormat {
    /// A YAML stream.
    #[default]
    Yaml,
    /// One JSON `List`, indented.
    Json,
}

/// Options of the render command.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StreamOptions {
    /// Output format.
    pub output: OutputFormat,
    /// Show `raw`/`chartRaw` as JSON instead of base64.
    pub decode: bool,
}

/// One named input text (a file name or `-` for stdin).
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    /// Name used in error messages.
    pub name: &'a str,
    /// The YAML text.
    pub text: &'a str,
}

/// What the command prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamResult {
    /// For stdout.
    pub stdout: String,
    /// For stderr, one line each.
    pub warnings: Vec<String>,
    /// For stderr, one line per Description not rendered because overrides failed on it
    /// (the other Descriptions are in `stdout`); the command then exits non-zero.
    pub failures: Vec<String>,
    /// For stderr, one line per feed divided dynamically: the availability of each candidate
    /// cluster it was divided by (what a plan shows in `availability`).
    pub availability: Vec<String>,
}

/// Parse sources into a [`RenderInput`].
pub fn read_sources(sources: &[Source<'_>]) -> Result<RenderInput, Error> {
    let mut input = RenderInput::default();
    for source in sources {
        let documents = crate::yaml::parse_stream(source.text).map_err(|e| Error::Yaml {
            input: source.name.to_string(),
            source: e,
        })?;
        for (position, document) in documents.into_iter().enumerate() {
            let is_list = document.get("kind").and_then(Value::as_str) == Some("List");
            let objects = match document {
                Value::Object(mut map) if is_list => match map.remove("items") {
                    Some(Value::Array(items)) => items,
                    _ => Vec::new(),
                },
                other => vec![other],
            };
            for object in objects {
                input
                    .add_object(object)
                    .map_err(|e| locate(e, source.name, position + 1))?;
            }
        }
    }
    Ok(input)
}

fn locate(error: Error, input: &str, document: usize) -> Error {
    match error {
        Error::InvalidObject {
            object,
            field,
            message,
        } => Error::InvalidObject {
            object: format!("{input}: document {document}: {object}"),
            field,
            message,
        },
        other => other,
    }
}

fn typed<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

fn with_type(api_version: &str, kind: &str, object: Value) -> Value {
    let mut map = match object {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    map.insert("apiVersion".into(), Value::String(api_version.into()));
    map.insert("kind".into(), Value::String(kind.into()));
    Value::Object(map)
}

fn decode_raw(description: &mut Value) {
    for field in ["raw", "chartRaw"] {
        let Some(items) = description
            .pointer_mut(&format!("/spec/{field}"))
            .and_then(Value::as_array_mut)
        else {
            continue;
        };
        for item in items.iter_mut() {
            let Some(encoded) = item.as_str() else {
                continue;
            };
            let engine = base64::engine::general_purpose::STANDARD;
            let Ok(bytes) = base64::Engine::decode(&engine, encoded) else {
                continue;
            };
            let text = String::from_utf8_lossy(&bytes).into_owned();
            *item = crate::json::parse(&text).unwrap_or(Value::String(text));
        }
    }
}

/// The output objects, in contract order.
pub fn output_objects(output: &RenderOutput, decode: bool) -> Vec<Value> {
    let mut subscriptions = Vec::new();
    let mut bases = Vec::new();
    let mut localizations = Vec::new();
    let mut descriptions = Vec::new();
    for sub in &output.subscriptions {
        let mut object = with_type(APPS_API_VERSION, "Subscription", typed(&sub.subscription));
        // Replica vectors keyed by feed key: keep them as a JSON object.
        if let Some(replicas) = &sub.subscription.status.replicas {
            let map: Map<String, Value> = replicas
                .iter()
                .map(|(FeedKey(k), v)| (k.clone(), typed(v)))
                .collect();
            if let Some(status) = object.get_mut("status").and_then(Value::as_object_mut) {
                status.insert("replicas".into(), Value::Object(map));
            }
        }
        subscriptions.push(object);
        for cluster in &sub.clusters {
            bases.push(typed(&cluster.base));
            for loc in &cluster.localizations {
                localizations.push(with_type(APPS_API_VERSION, "Localization", typed(loc)));
            }
            for description in &cluster.descriptions {
                let mut value = typed(description);
                if decode {
                    decode_raw(&mut value);
                }
                descriptions.push(value);
            }
        }
    }
    subscriptions
        .into_iter()
        .chain(bases)
        .chain(localizations)
        .chain(descriptions)
        .collect()
}

/// Format objects for stdout.
pub fn format_objects(objects: &[Value], format: OutputFormat) -> String {
    match format {
        OutputFormat::Yaml => crate::yaml::to_stream(objects),
        OutputFormat::Json => {
            let mut list = Map::new();
            list.insert("apiVersion".into(), Value::String("v1".into()));
            list.insert("kind".into(), Value::String("List".into()));
            list.insert("items".into(), Value::Array(objects.to_vec()));
            let mut text = crate::json::to_indented(&Value::Object(list), "  ");
            text.push('\n');
            text
        }
    }
}

/// Everything the `render` command does between reading files and printing.
pub fn render_sources(
    sources: &[Source<'_>],
    options: StreamOptions,
) -> Result<StreamResult, Error> {
    let input = read_sources(sources)?;
    let output = render(&input)?;
    let objects = output_objects(&output, options.decode);
    Ok(StreamResult {
        stdout: format_objects(&objects, options.output),
        warnings: output
            .warnings
            .iter()
            .map(|w| format!("warning: {}", w.message))
            .collect(),
        failures: output
            .failures()
            .map(|failure| format!("error: {failure}"))
            .collect(),
        availability: availability_lines(&output),
    })
}

/// "availability: Subscription <ns>/<name>, feed <key>: <namespace>/<cluster> <n>, ..." per
/// feed divided dynamically.
fn availability_lines(output: &crate::render::RenderOutput) -> Vec<String> {
    output
        .subscriptions
        .iter()
        .flat_map(|result| {
            let subscription = result.subscription.metadata.namespaced_name();
            result.availability.iter().map(move |(feed, clusters)| {
                let per_cluster: Vec<String> = clusters
                    .iter()
                    .map(|(cluster, n)| format!("{cluster} {n}"))
                    .collect();
                format!(
                    "availability: Subscription {subscription}, feed {}: {}",
                    feed.0,
                    per_cluster.join(", ")
                )
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const INPUT: &str = r#"
apiVersion: clusters.clusternet.io/v1beta1
kind: ManagedCluster
metadata: {name: eu-1, namespace: clusternet-eu1ab}
spec: {clusterId: x, syncMode: Push}
---
apiVersion: v1
kind: List
items:
- apiVersion: apps.clusternet.io/v1alpha1
  kind: Subscription
  metadata: {name: app, namespace: default}
  spec:
    subscribers: [{clusterAffinity: {}}]
    feeds: [{apiVersion: apps.clusternet.io/v1alpha1, kind: HelmChart, namespace: default, name: redis}]
- apiVersion: apps.clusternet.io/v1alpha1
  kind: HelmChart
  metadata: {name: redis, namespace: default}
  spec: {repo: "https://charts.example.com", chart: redis, targetNamespace: cache}
"#;

    fn run(options: StreamOptions) -> String {
        render_sources(
            &[Source {
                name: "t",
                text: INPUT,
            }],
            options,
        )
        .unwrap()
        .stdout
    }

    #[test]
    fn raw_is_base64_unless_decoded() {
        let encoded = run(StreamOptions::default());
        assert!(encoded.contains("raw:\n  - IA==\n"), "{encoded}");
        let decoded = run(StreamOptions {
            decode: true,
            ..Default::default()
        });
        assert!(decoded.contains("raw:\n  - ' '\n"), "{decoded}");
        assert!(decoded.contains("chartRaw:\n  - metadata:"), "{decoded}");
    }

    #[test]
    fn json_output_is_one_list_in_contract_order() {
        let text = run(StreamOptions {
            output: OutputFormat::Json,
            decode: false,
        });
        let list: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(list["kind"], "List");
        let kinds: Vec<&str> = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["kind"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, ["Subscription", "Base", "Description"]);
    }

    #[test]
    fn invalid_documents_name_input_document_object_and_field() {
        let text = "apiVersion: apps.clusternet.io/v1alpha1\nkind: Localization\nmetadata: {name: l, namespace: n}\nspec: {priority: 5, feed: {kind: K, apiVersion: v1, name: x}, overrides: [{type: Strategic, value: x}]}\n";
        let err = render_sources(
            &[Source {
                name: "in.yaml",
                text,
            }],
            StreamOptions::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.starts_with("in.yaml: document 1: Localization n/l: spec.overrides[0].type:"),
            "{err}"
        );
    }

    // localizer.go `ApplyOverridesToDescription` + deployer.go `syncDescriptions`: one
    // cluster's failing override stops only that cluster's Description.
    #[test]
    fn a_failing_override_fails_only_its_own_cluster() {
        let input = include_str!("../tests/fixtures/override-failure-one-cluster/input.yaml");
        let sources = [Source {
            name: "t",
            text: input,
        }];
        let rendered = crate::render::render(&read_sources(&sources).unwrap()).unwrap();
        let failures: Vec<_> = rendered.failures().collect();
        assert_eq!(failures.len(), 1, "one Description of one cluster fails");
        assert_eq!(failures[0].cluster_name, "eu-2");
        let (object, error) = failures[0].override_errors().next().unwrap();
        assert_eq!(object, "ConfigMap default/settings");
        assert_eq!(
            error.source_override.object_reference(),
            "Localization/clusternet-eu2cd/settings-guard"
        );
        let result = render_sources(&sources, StreamOptions::default()).unwrap();
        assert_eq!(result.failures.len(), 1);
        assert!(result.failures[0].contains("testing value /data/mode failed"));
        // eu-1's generic and helm Descriptions, and eu-2's helm one, still render.
        assert_eq!(result.stdout.matches("kind: Description").count(), 3);
        assert!(result.stdout.contains("namespace: clusternet-eu1ab"));
    }

    #[test]
    fn a_dynamic_division_reports_what_it_divided_by() {
        let sources = [Source {
            name: "t",
            text: include_str!("../tests/fixtures/dynamic-dividing-availability/input.yaml"),
        }];
        let result = render_sources(&sources, StreamOptions::default()).unwrap();
        assert_eq!(
            result.availability,
            [
                "availability: Subscription default/web, feed apps/v1/Deployment/default/web: \
                 clusternet-eu1ab/eu-1 3, clusternet-eu2ef/eu-2 6, clusternet-us1cd/us-1 9"
            ]
        );
        let static_division = [Source {
            name: "t",
            text: include_str!("../tests/fixtures/static-dividing-weights/input.yaml"),
        }];
        let result = render_sources(&static_division, StreamOptions::default()).unwrap();
        assert!(result.availability.is_empty());
    }
}
