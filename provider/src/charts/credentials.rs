//! Repository credentials of a chart: its `chart_pull_secret`, a Secret on the hub with data
//! keys `username` and `password` (as Clusternet reads it). The values go to helm through the
//! deploy layer's private files, never a command line, log or diagnostic.

use base64::Engine as _;
use clusternet_deploy::helm::RepoCredentials;
use clusternet_model::identity::ObjectIdentity;
use serde_json::{Value as Json, json};

use super::release::ChartRelease;
use crate::config::ProviderConfig;
use crate::targets;

fn data_key(secret: &Json, key: &str, reference: &str) -> Result<String, String> {
    let encoded = secret["data"][key]
        .as_str()
        .ok_or_else(|| format!("the hub Secret {reference} has no data key {key:?}"))?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .map_err(|_| format!("data key {key:?} of the hub Secret {reference} is not base64"))?;
    String::from_utf8(bytes)
        .map_err(|_| format!("data key {key:?} of the hub Secret {reference} is not text"))
}

/// The credentials of `release`'s chart: `None` without a pull secret; an error (a message
/// that names the Secret and what to do) when it cannot be read.
pub async fn of(
    inventory: &ProviderConfig,
    release: &ChartRelease,
) -> Result<Option<RepoCredentials>, String> {
    let Some(reference) = release.pull_secret() else {
        return Ok(None);
    };
    let Some(hub) = &inventory.hub else {
        return Err(format!(
            "chart_pull_secret {reference} names a Secret on the hub, and no hub is \
             configured: configure the provider's `hub`, or remove chart_pull_secret for a \
             public repository"
        ));
    };
    let (namespace, name) = reference.split_once('/').unwrap_or(("default", &reference));
    let secret_ref = ObjectIdentity::of(&json!({
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": name, "namespace": namespace},
    }))
    .map_err(|e| format!("chart_pull_secret {reference}: {e}"))?;
    let client = targets::connect("hub", hub)
        .await
        .map_err(|_| format!("cannot reach the hub to read chart_pull_secret {reference}"))?;
    let live = client.read_live(&[secret_ref], 1).await;
    match live.into_iter().next().map(|l| l.state) {
        Some(Ok(Some(secret))) => Ok(Some(RepoCredentials {
            username: data_key(&secret, "username", &reference)?,
            password: data_key(&secret, "password", &reference)?,
        })),
        Some(Ok(None)) => Err(format!(
            "chart_pull_secret {reference} does not exist on the hub: create it with data keys \
             username and password"
        )),
        Some(Err(e)) => Err(format!("cannot read chart_pull_secret {reference}: {e}")),
        None => Err(format!("cannot read chart_pull_secret {reference}")),
    }
}
