//! The test charts and the chart repository that serves them, and the release specs made of
//! them.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use acceptance_tests::testbed::{self, ChartRepo, unique_name};
use clusternet_deploy::helm::{ChartRef, ReleaseOptions, ReleaseSpec};
use serde_json::Value;

/// Writes a chart directory `<parent>/<name>-<version>` and returns it.
pub fn write_chart(
    parent: &Path,
    name: &str,
    version: &str,
    templates: &[(&str, &str)],
) -> PathBuf {
    let dir = parent.join(format!("{name}-{version}"));
    std::fs::create_dir_all(dir.join("templates")).unwrap();
    std::fs::write(
        dir.join("Chart.yaml"),
        format!("apiVersion: v2\nname: {name}\nversion: {version}\nappVersion: \"1.0\"\n"),
    )
    .unwrap();
    std::fs::write(dir.join("values.yaml"), "greeting: hello\n").unwrap();
    for (file, text) in templates {
        std::fs::write(dir.join("templates").join(file), text).unwrap();
    }
    dir
}

pub const CONFIG_MAP: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-config\ndata:\n  greeting: {{ .Values.greeting | quote }}\n  chart: {{ .Chart.Version | quote }}\n";

/// A Deployment that never becomes ready: the bed has no nodes, so its pods never run.
pub const NEVER_READY: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}-web\nspec:\n  replicas: 1\n  selector:\n    matchLabels: {app: {{ .Release.Name }}}\n  template:\n    metadata:\n      labels: {app: {{ .Release.Name }}}\n    spec:\n      containers:\n      - name: web\n        image: registry.invalid/never:1\n";

/// A CRD of group `group` whose schema has the properties `fields` (all strings).
pub fn widget_crd(group: &str, fields: &[&str]) -> String {
    let properties: Vec<String> = fields
        .iter()
        .map(|f| format!("\"{f}\": {{\"type\": \"string\"}}"))
        .collect();
    format!(
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.{group}\nspec:\n  group: {group}\n  scope: Namespaced\n  names: {{plural: widgets, singular: widget, kind: Widget, listKind: WidgetList}}\n  versions:\n  - name: v1\n    served: true\n    storage: true\n    schema:\n      openAPIV3Schema:\n        type: object\n        properties:\n          spec:\n            type: object\n            properties: {{{}}}\n",
        properties.join(", ")
    )
}

/// The API group of the `crds` chart's CRD, unique to this test process (CRDs are
/// cluster-wide and the bed outlives the process).
pub fn crd_group() -> &'static str {
    static GROUP: OnceLock<String> = OnceLock::new();
    GROUP.get_or_init(|| format!("{}.helm.example.com", unique_name("g")))
}

/// One repository for the whole test process: the bed's `smoke` chart (0.1.0), `smoke`
/// 0.2.0, `stuck` 0.1.0 (a Deployment that never gets ready), and `crds` 0.1.0 / 0.2.0 (a
/// CRD in `crds/` that gains a field in 0.2.0).
pub fn repo() -> &'static ChartRepo {
    static REPO: OnceLock<ChartRepo> = OnceLock::new();
    REPO.get_or_init(|| {
        let sources = tempfile::tempdir().unwrap();
        let root = sources.path();
        let mut charts = vec![
            testbed::charts_dir().join("smoke"),
            write_chart(root, "smoke", "0.2.0", &[("cm.yaml", CONFIG_MAP)]),
            write_chart(root, "stuck", "0.1.0", &[("web.yaml", NEVER_READY)]),
        ];
        for (version, fields) in [("0.1.0", &["size"][..]), ("0.2.0", &["size", "color"][..])] {
            let chart = write_chart(root, "crds", version, &[("cm.yaml", CONFIG_MAP)]);
            std::fs::create_dir(chart.join("crds")).unwrap();
            std::fs::write(
                chart.join("crds/widget.yaml"),
                widget_crd(crd_group(), fields),
            )
            .unwrap();
            charts.push(chart);
        }
        let charts: Vec<&Path> = charts.iter().map(PathBuf::as_path).collect();
        ChartRepo::serve(&charts).expect("chart repository")
    })
}

/// Chart `name` at `version` in [`repo`] (an empty version: the newest).
pub fn chart(name: &str, version: &str) -> ChartRef {
    ChartRef {
        repo: repo().url().to_string(),
        chart: name.to_string(),
        version: version.to_string(),
        plain_http: false,
        credentials: None,
    }
}

/// Release `name` of `chart` in `namespace` with `values`, a 60 s timeout and the default
/// options otherwise.
pub fn release(namespace: &str, name: &str, chart: ChartRef, values: Value) -> ReleaseSpec {
    ReleaseSpec {
        name: name.to_string(),
        namespace: namespace.to_string(),
        chart,
        values,
        options: ReleaseOptions {
            timeout: Duration::from_secs(60),
            ..ReleaseOptions::default()
        },
    }
}
