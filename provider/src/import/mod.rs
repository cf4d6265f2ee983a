//! `terraform import` (ImportResourceState): resources rebuilt from the objects on the hub.
//!
//! Every state is built by the same functions that plan uses (a manifest's `feed`, an
//! override's `ref`, a subscription's rendering), so that the ReadResource Terraform sends
//! next and the plan after it show no changes when the configuration matches the hub.
//!
//! - `clusternet_subscription` `<namespace>/<name>`: the Subscription; its feeds from their
//!   Manifests; its `overrides` from the Localizations and Globalizations the provider wrote
//!   for the same feeds.
//! - `clusternet_manifest` `<apiVersion>/<Kind>/[<namespace>/]<name>` and `clusternet_secret`
//!   `v1/Secret/<namespace>/<name>`: the feed's Manifest.
//! - `clusternet_helm_chart` `<namespace>/<name>`: the HelmChart, with its values from the
//!   Globalization `<namespace>-<name>-default-values`.
//! - `clusternet_localization` `<namespace>/<name>`, `clusternet_globalization` `<name>`.

pub(crate) mod error;
mod hub_reader;
mod id;

use clusternet_model::hub::chart_values;
use clusternet_tfplugin::provider::ImportedResource;
use clusternet_tfplugin::{Diagnostics, Value};
use serde_json::Value as Json;

use crate::config::ProviderConfig;
use crate::diagnostics::ToDiagnostic;
use crate::resources::manifest::{self, FeedResource};
use crate::resources::{helm_chart, overrides, subscription};
use clusternet_model::identity::ObjectIdentity;
pub use error::ImportError;
use hub_reader::{HubReader, feed_identity};
use id::ImportId;

/// Imports the resource `type_name` named `id`.
pub async fn import(
    type_name: &str,
    id: &str,
    inventory: &ProviderConfig,
) -> (Vec<ImportedResource>, Diagnostics) {
    match import_state(type_name, id, inventory).await {
        Ok(Imported { state, private }) => (
            vec![ImportedResource {
                type_name: type_name.to_string(),
                state,
                private,
            }],
            Diagnostics::new(),
        ),
        Err(Failure::Import(e)) => (Vec::new(), e.to_diagnostic().into()),
        Err(Failure::Diagnostics(d)) => (Vec::new(), d),
    }
}

/// An imported state, with the private state a subscription keeps its overrides in.
struct Imported {
    state: Value,
    private: Vec<u8>,
}

impl From<Value> for Imported {
    fn from(state: Value) -> Self {
        Imported {
            state,
            private: Vec::new(),
        }
    }
}

/// An import error, or diagnostics from building the state (e.g. a rendering error).
enum Failure {
    Import(ImportError),
    Diagnostics(Diagnostics),
}

impl From<ImportError> for Failure {
    fn from(e: ImportError) -> Self {
        Failure::Import(e)
    }
}

impl From<Diagnostics> for Failure {
    fn from(d: Diagnostics) -> Self {
        Failure::Diagnostics(d)
    }
}

async fn import_state(
    type_name: &str,
    id: &str,
    inventory: &ProviderConfig,
) -> Result<Imported, Failure> {
    let parsed = id::parse(type_name, id)?;
    // A Secret is a clusternet_secret and anything else a clusternet_manifest: the ID says
    // which, before anything is read.
    let feed_resource = FeedResource::of_type(type_name).unwrap_or(FeedResource::Manifest);
    if let ImportId::Feed(identity) = &parsed {
        let belongs_in = FeedResource::for_object(identity);
        if belongs_in != feed_resource {
            return Err(ImportError::WrongFeedResource {
                feed: identity.to_string(),
                type_name: type_name.to_string(),
                belongs_in: belongs_in.type_name(),
            }
            .into());
        }
    }
    let Some(connection) = &inventory.hub else {
        return Err(ImportError::NoHub {
            type_name: type_name.to_string(),
        }
        .into());
    };
    if inventory.has_unknowns {
        return Err(ImportError::ConfigurationUnknown.into());
    }
    let hub = HubReader::connect(connection).await?;
    match parsed {
        ImportId::Feed(identity) => {
            let templates = hub.feed_templates().await?;
            let template = template_of(&templates, &identity).ok_or(ImportError::NotFound {
                kind: "Manifest of feed".to_string(),
                id: identity.to_string(),
            })?;
            Ok(manifest::imported_state(feed_resource, template)?.into())
        }
        ImportId::Namespaced { namespace, name } if type_name == helm_chart::TYPE_NAME => {
            let chart = hub.object("HelmChart", Some(&namespace), &name).await?;
            let values = chart_values(&hub, &namespace, &name).await?;
            Ok(helm_chart::imported_state(&chart, values.as_ref())?.into())
        }
        ImportId::Namespaced { namespace, name } if type_name == subscription::TYPE_NAME => {
            let object = hub.object("Subscription", Some(&namespace), &name).await?;
            import_subscription(&hub, &object, &format!("{namespace}/{name}"), inventory).await
        }
        ImportId::Namespaced { namespace, name } => {
            let object = hub.object("Localization", Some(&namespace), &name).await?;
            Ok(import_override(&hub, type_name, &object, inventory)
                .await?
                .into())
        }
        ImportId::ClusterScoped { name } => {
            let object = hub.object("Globalization", None, &name).await?;
            Ok(import_override(&hub, type_name, &object, inventory)
                .await?
                .into())
        }
    }
}

fn template_of<'t>(
    templates: &'t [(ObjectIdentity, Json)],
    identity: &ObjectIdentity,
) -> Option<&'t Json> {
    templates
        .iter()
        .find(|(i, _)| i == identity)
        .map(|(_, template)| template)
}

/// The text the `feed` of the imported `clusternet_manifest` (or `clusternet_secret`) holds.
fn feed_value(template: &Json) -> Result<String, Failure> {
    Ok(feed_of(&manifest::imported_state_of_feed(template)?))
}

fn feed_of(state: &Value) -> String {
    state
        .get("feed")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// The Globalization holding the values of chart `namespace/name`, if the hub has one.
async fn chart_values(
    hub: &HubReader,
    namespace: &str,
    name: &str,
) -> Result<Option<Json>, ImportError> {
    let values_name = chart_values::globalization_name(namespace, name);
    let values = hub
        .optional_object("Globalization", None, &values_name)
        .await?;
    Ok(values.filter(chart_values::is_chart_values))
}

/// The text the `feed` of an imported `clusternet_helm_chart` holds, `None` when the hub
/// has no such HelmChart.
async fn chart_feed_value(
    hub: &HubReader,
    identity: &ObjectIdentity,
) -> Result<Option<String>, Failure> {
    let (namespace, name) = (identity.namespace_or_empty(), identity.name.as_str());
    let Some(chart) = hub
        .optional_object("HelmChart", Some(namespace), name)
        .await?
    else {
        return Ok(None);
    };
    let values = chart_values(hub, namespace, name).await?;
    Ok(Some(feed_of(&helm_chart::imported_state(
        &chart,
        values.as_ref(),
    )?)))
}

/// The feed value of `identity` as its imported resource gives it: a Manifest's template or
/// a HelmChart with its values; `None` when the hub holds neither.
async fn hub_feed_value(
    hub: &HubReader,
    templates: &[(ObjectIdentity, Json)],
    identity: &ObjectIdentity,
) -> Result<Option<String>, Failure> {
    if identity.kind == "HelmChart" {
        return chart_feed_value(hub, identity).await;
    }
    template_of(templates, identity).map(feed_value).transpose()
}

/// The `feed` attribute of an imported override: the feed's value when its Manifest or
/// HelmChart is on the hub (as `feed = clusternet_manifest.x.feed` gives), else its key.
async fn override_feed(
    hub: &HubReader,
    templates: &[(ObjectIdentity, Json)],
    identity: &ObjectIdentity,
) -> Result<String, Failure> {
    Ok(hub_feed_value(hub, templates, identity)
        .await?
        .unwrap_or_else(|| identity.to_string()))
}

async fn import_override(
    hub: &HubReader,
    type_name: &str,
    object: &Json,
    inventory: &ProviderConfig,
) -> Result<Value, Failure> {
    let templates = hub.feed_templates().await?;
    let feed = match feed_identity(&object["spec"]["feed"]) {
        Some(identity) => override_feed(hub, &templates, &identity).await?,
        None => String::new(),
    };
    let (state, _) = overrides::imported_state(type_name, object, feed, inventory)?;
    Ok(state)
}

async fn import_subscription(
    hub: &HubReader,
    object: &Json,
    id: &str,
    inventory: &ProviderConfig,
) -> Result<Imported, Failure> {
    let templates = hub.feed_templates().await?;
    let mut feeds = Vec::new();
    let mut identities = Vec::new();
    for entry in object["spec"]["feeds"].as_array().into_iter().flatten() {
        let identity = feed_identity(entry).ok_or_else(|| ImportError::HubRead {
            what: format!("Subscription {id}"),
            message: format!("feed {entry} has no kind or name"),
        })?;
        let feed =
            hub_feed_value(hub, &templates, &identity)
                .await?
                .ok_or(ImportError::FeedMissing {
                    subscription: id.to_string(),
                    feed: identity.to_string(),
                })?;
        feeds.push(feed);
        identities.push(identity);
    }
    let mut refs = Vec::new();
    let mut objects = Vec::new();
    for (kind, override_object) in hub.user_overrides().await? {
        let Some(identity) = feed_identity(&override_object["spec"]["feed"]) else {
            continue;
        };
        // Overrides of other feeds, or for clusters this configuration does not know, play
        // no part in this subscription's rendering.
        let namespace = override_object["metadata"]["namespace"].as_str();
        let known_cluster =
            namespace.is_none_or(|ns| inventory.clusters.values().any(|c| c.namespace == ns));
        if !identities.contains(&identity) || !known_cluster {
            continue;
        }
        let type_name = if kind == "Localization" {
            overrides::LOCALIZATION
        } else {
            overrides::GLOBALIZATION
        };
        let feed = override_feed(hub, &templates, &identity).await?;
        let (state, built) =
            overrides::imported_state(type_name, &override_object, feed, inventory)?;
        if let (Some(text), Some(built)) = (state.get("ref").and_then(Value::as_str), built) {
            refs.push(text.to_string());
            objects.push(built);
        }
    }
    let state = subscription::imported_state(object, feeds, refs, &objects, inventory).await?;
    Ok(Imported {
        state,
        private: crate::override_handles::private_state(&objects),
    })
}

#[cfg(test)]
mod round_trip;
