//! Repository credentials of a chart: its `chart_pull_secret`, a Secret on the hub with data
//! keys `username` and `password` (as Clusternet reads it). The values go to helm through the
//! deploy layer's private files, never a command line, log or diagnostic.

use base64::Engine as _;
use clusternet_deploy::error::ObjectError;
use clusternet_deploy::helm::RepoCredentials;
use clusternet_model::identity::{InvalidObject, ObjectIdentity};
use serde_json::{Value as Json, json};

use super::release::ChartRelease;
use crate::config::ProviderConfig;
use crate::targets;

/// Why a chart's repository credentials cannot be read; each message names the Secret.
#[derive(Debug, Clone, thiserror::Error)]
pub enum CredentialsError {
    /// A pull secret and no hub to read it from.
    #[error(
        "chart_pull_secret {reference} names a Secret on the hub, and no hub is configured: \
         configure the provider's `hub`, or remove chart_pull_secret for a public repository"
    )]
    NoHub {
        /// `[<namespace>/]<name>`.
        reference: String,
    },
    /// The reference does not name an object.
    #[error("chart_pull_secret {reference}: {source}")]
    InvalidReference {
        /// `[<namespace>/]<name>`.
        reference: String,
        /// What is wrong with it.
        source: InvalidObject,
    },
    /// The hub could not be connected to.
    #[error("cannot reach the hub to read chart_pull_secret {reference}")]
    HubUnreachable {
        /// `[<namespace>/]<name>`.
        reference: String,
    },
    /// The Secret is not on the hub.
    #[error(
        "chart_pull_secret {reference} does not exist on the hub: create it with data keys \
         username and password"
    )]
    NotFound {
        /// `[<namespace>/]<name>`.
        reference: String,
    },
    /// Reading it failed.
    #[error("cannot read chart_pull_secret {reference}: {source}")]
    Read {
        /// `[<namespace>/]<name>`.
        reference: String,
        /// The deploy layer's error.
        source: ObjectError,
    },
    /// The read returned nothing for it.
    #[error("cannot read chart_pull_secret {reference}")]
    NoAnswer {
        /// `[<namespace>/]<name>`.
        reference: String,
    },
    /// A data key is missing.
    #[error("the hub Secret {reference} has no data key {key:?}")]
    MissingKey {
        /// `[<namespace>/]<name>`.
        reference: String,
        /// `username` or `password`.
        key: &'static str,
    },
    /// A data value is not base64.
    #[error("data key {key:?} of the hub Secret {reference} is not base64")]
    NotBase64 {
        /// `[<namespace>/]<name>`.
        reference: String,
        /// `username` or `password`.
        key: &'static str,
    },
    /// A data value is not UTF-8 text.
    #[error("data key {key:?} of the hub Secret {reference} is not text")]
    NotText {
        /// `[<namespace>/]<name>`.
        reference: String,
        /// `username` or `password`.
        key: &'static str,
    },
}

fn data_key(secret: &Json, key: &'static str, reference: &str) -> Result<String, CredentialsError> {
    let reference = || reference.to_string();
    let encoded = secret["data"][key]
        .as_str()
        .ok_or_else(|| CredentialsError::MissingKey {
            reference: reference(),
            key,
        })?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .map_err(|_| CredentialsError::NotBase64 {
            reference: reference(),
            key,
        })?;
    String::from_utf8(bytes).map_err(|_| CredentialsError::NotText {
        reference: reference(),
        key,
    })
}

/// The credentials of `release`'s chart: `None` without a pull secret; an error (a message
/// that names the Secret and what to do) when it cannot be read.
pub async fn of(
    inventory: &ProviderConfig,
    release: &ChartRelease,
) -> Result<Option<RepoCredentials>, CredentialsError> {
    let Some(reference) = release.pull_secret() else {
        return Ok(None);
    };
    let Some(hub) = &inventory.hub else {
        return Err(CredentialsError::NoHub { reference });
    };
    let (namespace, name) = reference.split_once('/').unwrap_or(("default", &reference));
    let secret_ref = ObjectIdentity::of(&json!({
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": name, "namespace": namespace},
    }))
    .map_err(|source| CredentialsError::InvalidReference {
        reference: reference.clone(),
        source,
    })?;
    let client =
        targets::connect("hub", hub)
            .await
            .map_err(|_| CredentialsError::HubUnreachable {
                reference: reference.clone(),
            })?;
    let live = client.read_live(&[secret_ref], 1).await;
    match live.into_iter().next().map(|l| l.state) {
        Some(Ok(Some(secret))) => Ok(Some(RepoCredentials {
            username: data_key(&secret, "username", &reference)?,
            password: data_key(&secret, "password", &reference)?,
        })),
        Some(Ok(None)) => Err(CredentialsError::NotFound { reference }),
        Some(Err(source)) => Err(CredentialsError::Read { reference, source }),
        None => Err(CredentialsError::NoAnswer { reference }),
    }
}
