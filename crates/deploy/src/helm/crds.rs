//! `replace_crds`: server-side apply of a chart's `crds/` before install or upgrade (helm
//! itself only creates CRDs that are missing and never updates them).

use std::path::Path;

use super::command::Invocation;
use super::error::HelmError;
use super::{Helm, yaml};
use crate::apply::ApplyOptions;
use crate::cluster::Cluster;
use crate::connection::{ConnectionConfig, Timeouts};

impl Helm {
    /// Applies the CRDs of the chart at `chart` (a `.tgz`) to `cluster` with force; returns
    /// how many there were.
    pub(crate) async fn replace_crds(
        &self,
        cluster: &ConnectionConfig,
        chart: &Path,
    ) -> Result<usize, HelmError> {
        let invocation =
            Invocation::new("show crds", &["show", "crds"], self.command_timeout).arg(chart);
        let output = self.run(invocation).await?.checked("show crds", &[])?;
        let crds = yaml::documents("show crds", &output)?;
        if crds.is_empty() {
            return Ok(0);
        }
        let count = crds.len();
        let target = Cluster::connect("helm", cluster, Timeouts::default())
            .await
            .map_err(|e| HelmError::Kubeconfig {
                message: e.to_string(),
            })?;
        let options = ApplyOptions {
            force: true,
            ..ApplyOptions::default()
        };
        let report = target.apply(crds, &options).await;
        if let Some(error) = report.errors().next() {
            return Err(HelmError::Failed {
                command: "replace crds",
                message: error.to_string(),
            });
        }
        Ok(count)
    }
}
