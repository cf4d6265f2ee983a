//! A chart preview entry as a Helm release: the release name is the rendered HelmChart's
//! `metadata.name`, its namespace `spec.targetNamespace`, and its values the entry's
//! `values` (Clusternet's HelmRelease `releaseName`, `targetNamespace` and `overrides`).

use std::time::Duration;

use clusternet_deploy::helm::{ChartRef, ReleaseOptions, ReleaseSpec};
use serde_json::{Map, Value as Json};

use clusternet_model::identity::ObjectIdentity;
use clusternet_model::preview::{PreviewKey, Previewed, ReleaseKey};

/// Clusternet's default timeout of install, upgrade and uninstall.
pub const DEFAULT_TIMEOUT_SECONDS: u64 = 300;

/// One chart of one cluster, as planned.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartRelease {
    /// Cluster name.
    pub cluster: String,
    /// The preview key of the chart entry.
    pub entry_key: String,
    /// Release name.
    pub name: String,
    /// Release namespace in the cluster.
    pub namespace: String,
    /// The rendered HelmChart object.
    pub chart: Json,
    /// The rendered values (an object; empty when no Helm override set any).
    pub values: Json,
}

/// Why a chart entry cannot be a release.
#[derive(Debug, thiserror::Error)]
pub enum ReleaseError {
    /// The entry is not the JSON the preview writes.
    #[error("the chart entry {key} is not {{chart, values}} JSON")]
    NotAnEntry {
        /// The entry key.
        key: String,
    },
    /// A field the release needs is missing.
    #[error("the chart of {key} has no {field}")]
    Missing {
        /// The entry key.
        key: String,
        /// The missing field.
        field: &'static str,
    },
}

impl ChartRelease {
    /// Reads the chart entry `key` = `text` of the preview.
    pub fn from_entry(key: &str, text: &str) -> Result<ChartRelease, ReleaseError> {
        let cluster = match key.parse::<PreviewKey>() {
            Ok(PreviewKey {
                cluster,
                previewed: Previewed::Chart { .. },
            }) => cluster,
            _ => return Err(ReleaseError::NotAnEntry { key: key.into() }),
        };
        let entry = clusternet_model::json::parse(text)
            .ok()
            .filter(Json::is_object)
            .ok_or_else(|| ReleaseError::NotAnEntry { key: key.into() })?;
        let chart = entry.get("chart").cloned().unwrap_or(Json::Null);
        let text_at = |pointer: &str, field: &'static str| {
            chart
                .pointer(pointer)
                .and_then(Json::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .ok_or_else(|| ReleaseError::Missing {
                    key: key.into(),
                    field,
                })
        };
        let name = text_at("/metadata/name", "metadata.name")?;
        let namespace = text_at("/spec/targetNamespace", "spec.targetNamespace")?;
        text_at("/spec/repo", "spec.repo")?;
        text_at("/spec/chart", "spec.chart")?;
        let values = match entry.get("values") {
            Some(Json::Object(map)) => Json::Object(map.clone()),
            _ => Json::Object(Map::new()),
        };
        Ok(ChartRelease {
            cluster,
            entry_key: key.to_string(),
            name,
            namespace,
            chart,
            values,
        })
    }

    /// The object of this release's `helm template` that the preview key `key` names, if it
    /// names one.
    pub fn templated_object(&self, key: &str) -> Option<ObjectIdentity> {
        let key: PreviewKey = key.parse().ok()?;
        key.templated_of(&self.cluster, &self.name).cloned()
    }

    /// Whether the preview key `key` is an object of this release's `helm template`.
    pub fn templates(&self, key: &str) -> bool {
        self.templated_object(key).is_some()
    }

    /// Its key in `releases`.
    pub fn release_key(&self) -> String {
        ReleaseKey::new(&self.cluster, &self.namespace, &self.name).to_string()
    }

    fn spec_str(&self, field: &str) -> String {
        self.chart["spec"][field]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    fn flag(&self, field: &str) -> Option<bool> {
        self.chart["spec"][field].as_bool()
    }

    /// The chart version, empty for the latest.
    pub fn version(&self) -> String {
        self.spec_str("version")
    }

    /// Where the chart comes from, without credentials: those of `chartPullSecret` live on
    /// the hub ([`super::credentials`]).
    pub fn chart_ref(&self) -> ChartRef {
        ChartRef {
            repo: self.spec_str("repo"),
            chart: self.spec_str("chart"),
            version: self.version(),
            plain_http: self.flag("plainHTTP").unwrap_or(false),
            credentials: None,
        }
    }

    /// The pull secret named by the chart, `<namespace>/<name>`.
    pub fn pull_secret(&self) -> Option<String> {
        let secret = self.chart["spec"].get("chartPullSecret")?;
        let name = secret["name"].as_str()?;
        let namespace = secret["namespace"]
            .as_str()
            .or_else(|| self.chart["metadata"]["namespace"].as_str())
            .unwrap_or("default");
        Some(format!("{namespace}/{name}"))
    }

    /// The timeout of install, upgrade and uninstall.
    pub fn timeout(&self) -> Duration {
        let seconds = self.chart["spec"]["timeoutSeconds"]
            .as_u64()
            .filter(|s| *s > 0)
            .unwrap_or(DEFAULT_TIMEOUT_SECONDS);
        Duration::from_secs(seconds)
    }

    /// The HelmChart options as Helm's.
    pub fn options(&self) -> ReleaseOptions {
        let flag = |field: &str| self.flag(field).unwrap_or(false);
        ReleaseOptions {
            create_namespace: self.flag("createNamespace").unwrap_or(true),
            timeout: self.timeout(),
            wait: flag("wait"),
            wait_for_jobs: flag("waitForJob"),
            replace: flag("replace"),
            atomic: flag("atomic"),
            upgrade_atomic: flag("upgradeAtomic"),
            skip_crds: flag("skipCRDs"),
            replace_crds: flag("replaceCRDs"),
            disable_hooks: flag("disableHooks"),
            force: flag("force"),
        }
    }

    /// The release to install.
    pub fn spec(&self) -> ReleaseSpec {
        ReleaseSpec {
            name: self.name.clone(),
            namespace: self.namespace.clone(),
            chart: self.chart_ref(),
            values: self.values.clone(),
            options: self.options(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chart_entry_becomes_a_release_with_clusternet_defaults() {
        let release = ChartRelease::from_entry(
            "eu-1/helm/apps/web",
            r#"{"chart":{"apiVersion":"apps.clusternet.io/v1alpha1","kind":"HelmChart","metadata":{"name":"web-eu","namespace":"apps"},"spec":{"chart":"web","repo":"http://127.0.0.1:1","targetNamespace":"web","version":"0.1.0","atomic":true}},"values":null}"#,
        )
        .unwrap();
        assert_eq!(release.release_key(), "eu-1/web/web-eu");
        let spec = release.spec();
        assert_eq!(spec.chart.version, "0.1.0");
        assert_eq!(spec.values, serde_json::json!({}));
        assert!(spec.options.create_namespace && spec.options.atomic && !spec.options.force);
        assert_eq!(spec.options.timeout, Duration::from_secs(300));
    }

    #[test]
    fn an_entry_without_target_namespace_is_an_error() {
        let e = ChartRelease::from_entry(
            "eu-1/helm/apps/web",
            r#"{"chart":{"metadata":{"name":"web"},"spec":{"chart":"web","repo":"http://x"}},"values":{}}"#,
        )
        .unwrap_err();
        assert!(e.to_string().contains("spec.targetNamespace"), "{e}");
    }
}
