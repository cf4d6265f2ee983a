//! `Base` and `Description` (apps.clusternet.io/v1alpha1): the render results.

use base64::Engine;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::meta::ObjectMeta;
use super::subscription::Feed;

/// One Base per bound cluster, in the cluster's dedicated namespace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Base {
    /// `apps.clusternet.io/v1alpha1`.
    pub api_version: String,
    /// `Base`.
    pub kind: String,
    /// Metadata.
    pub metadata: ObjectMeta,
    /// Spec.
    pub spec: BaseSpec,
}

/// `BaseSpec`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaseSpec {
    /// The Subscription's feeds, verbatim and in order.
    pub feeds: Vec<Feed>,
}

/// A rendered Description: `<base>-generic` or `<base>-helm`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Description {
    /// `apps.clusternet.io/v1alpha1`.
    pub api_version: String,
    /// `Description`.
    pub kind: String,
    /// Metadata.
    pub metadata: ObjectMeta,
    /// Spec.
    pub spec: DescriptionSpec,
}

/// `DescriptionSpec`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DescriptionSpec {
    /// Who deploys the content.
    pub deployer: Deployer,
    /// Helm only: chart references in feed order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub charts: Vec<ChartReference>,
    /// Generic: rendered objects; Helm: rendered values (possibly `" "`). Bytes, base64 in JSON.
    #[serde(default, with = "raw_bytes", skip_serializing_if = "Vec::is_empty")]
    pub raw: Vec<String>,
    /// Helm only: rendered HelmChart objects. Bytes, base64 in JSON.
    #[serde(default, with = "raw_bytes", skip_serializing_if = "Vec::is_empty")]
    pub chart_raw: Vec<String>,
}

/// Deployer of a Description.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Deployer {
    /// Helm releases, one per chart.
    Helm,
    /// Plain objects applied to the cluster.
    Generic,
}

/// `{namespace, name}` of a HelmChart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChartReference {
    /// Chart namespace.
    pub namespace: String,
    /// Chart name.
    pub name: String,
}

/// `[][]byte` as Go encodes it: a list of base64 strings.
mod raw_bytes {
    use super::*;

    pub fn serialize<S: Serializer>(raw: &[String], serializer: S) -> Result<S::Ok, S::Error> {
        let engine = base64::engine::general_purpose::STANDARD;
        serializer.collect_seq(raw.iter().map(|r| engine.encode(r.as_bytes())))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<String>, D::Error> {
        let engine = base64::engine::general_purpose::STANDARD;
        let encoded = Vec::<String>::deserialize(deserializer)?;
        encoded
            .iter()
            .map(|e| {
                let bytes = engine.decode(e).map_err(serde::de::Error::custom)?;
                String::from_utf8(bytes).map_err(serde::de::Error::custom)
            })
            .collect()
    }
}
