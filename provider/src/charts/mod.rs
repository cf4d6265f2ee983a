//! Helm charts of subscriptions: what a HelmChart feed becomes per cluster.
//!
//! The model renders a chart feed per cluster into a preview entry
//! `<cluster>/helm/<chart namespace>/<chart name>` holding `{chart, values}` (the HelmChart as
//! overridden for that cluster and the values of its Helm overrides). This module takes it
//! from there:
//!
//! (The preview keys of charts and of their templated objects are
//! `clusternet_model::preview::PreviewKey`s; `clusternet_helm_chart.values` as the
//! priority-0 Globalization it is, `clusternet_model::hub::chart_values`.)
//! * [`release`]: a chart entry as a Helm release (name, namespace, chart reference, values);
//! * [`credentials`]: repository credentials from the chart's pull secret on the hub;
//! * [`helm_binary`]: the helm program of the provider configuration, detected once;
//! * [`template`]: `helm template` at plan time, cached per chart version and values;
//! * [`plan`]: the templated entries and the planned `releases` of a subscription;
//! * [`deploy`]: install, upgrade and uninstall per cluster, or files for directory targets;
//! * [`drift`]: what is deployed now, for Read.

pub mod credentials;
pub mod deploy;
pub mod drift;
pub mod helm_binary;
pub mod plan;
pub mod release;
pub mod template;
