//! Conformance vectors of spec §10.1-10.3 (semantic comparison, as the spec says).

use serde_json::{Value, json};

use super::*;
use crate::types::FieldFormat;

fn source(index: usize) -> OverrideSource {
    OverrideSource {
        kind: String::from("Localization"),
        namespace: String::from("clusternet-abcde"),
        name: String::from("test"),
        priority: 500,
        index,
        override_name: String::new(),
        generated: false,
    }
}

fn config(kind: OverrideType, value: &str, override_chart: bool) -> OverrideConfig {
    OverrideConfig {
        name: String::new(),
        value: value.to_string(),
        kind,
        override_chart,
        field_path: String::new(),
        field_format: None,
    }
}

fn prepare(configs: &[OverrideConfig]) -> Vec<PreparedOverride> {
    configs
        .iter()
        .enumerate()
        .map(|(i, c)| PreparedOverride::new(source(i), c))
        .collect()
}

fn run(generic: Buffer, chart: Buffer, configs: &[OverrideConfig]) -> (Buffer, Buffer, Trace) {
    let prepared = prepare(configs);
    let refs: Vec<&PreparedOverride> = prepared.iter().collect();
    let (mut g, mut c) = (generic, chart);
    let trace = apply_overrides(&mut g, &mut c, &refs).expect("overrides apply");
    (g, c, trace)
}

fn reparse(buffer: &Buffer) -> Value {
    crate::json::parse(&buffer.to_text()).expect("output is JSON")
}

// §10.1
#[test]
fn helm_values_and_chart_patches() {
    let generic = json!({"kind": "Guess", "address": {"city": "Nantucket", "street": "123 Spouter Inn Ct."},
        "boat": "pequod", "details": {"friends": ["Tashtego"]}, "name": "Ishmael"});
    let chart = json!({"apiVersion": "apps.clusternet.io/v1alpha1", "kind": "HelmChart",
        "metadata": {"labels": {"apps.clusternet.io/config.group": "apps.clusternet.io"}, "name": "cert-manager", "namespace": "clusternet-system"},
        "spec": {"chart": "cert-manager", "repo": "https://charts.bitnami.com/bitnami", "targetNamespace": "kube-system", "version": "0.5.8"}});
    let configs = [
        config(OverrideType::Helm, "", false),
        config(
            OverrideType::Helm,
            r#"{"address":{"country":"US","state":"MA"},"boat":"fighter"}"#,
            false,
        ),
        config(OverrideType::Helm, "   ", false),
        config(
            OverrideType::Helm,
            "address:\n  planet: Earth\n  street: 234 Spouter Inn Ct.\nhole: black\n",
            false,
        ),
        config(
            OverrideType::Helm,
            r#"{"metadata":{"labels":{"foo":"bar"},"annotations":{"foo":"bar"}}}"#,
            true,
        ),
        config(
            OverrideType::Helm,
            r#"{"spec":{"repo":"https://clusternet.github.io/charts","targetNamespace":"kube-public"}}"#,
            true,
        ),
        config(
            OverrideType::Helm,
            r#"{"spec":{"version":"0.6.1","chart":"my-cert-manager"}}"#,
            true,
        ),
    ];
    let (g, c, trace) = run(Buffer::Json(generic), Buffer::Json(chart), &configs);
    assert_eq!(
        reparse(&g),
        json!({"kind": "Guess", "address": {"city": "Nantucket", "country": "US", "planet": "Earth", "state": "MA", "street": "234 Spouter Inn Ct."},
            "boat": "fighter", "details": {"friends": ["Tashtego"]}, "hole": "black", "name": "Ishmael"})
    );
    assert_eq!(
        reparse(&c),
        json!({"apiVersion": "apps.clusternet.io/v1alpha1", "kind": "HelmChart",
            "metadata": {"annotations": {"foo": "bar"}, "labels": {"apps.clusternet.io/config.group": "apps.clusternet.io", "foo": "bar"},
                "name": "cert-manager", "namespace": "clusternet-system"},
            "spec": {"chart": "my-cert-manager", "repo": "https://clusternet.github.io/charts", "targetNamespace": "kube-public", "version": "0.6.1"}})
    );
    assert_eq!(trace.effects[0].0, Effect::Blank);
    assert_eq!(trace.effects[1].0, Effect::Changed);
}

// §10.1, chart-protection case
#[test]
fn chart_protection_removes_chart_and_target_namespace() {
    let chart =
        json!({"spec": {"chart": "c", "repo": "r", "targetNamespace": "t", "version": "1"}});
    let protections = [
        config(
            OverrideType::JsonPatch,
            r#"[{"path":"/spec/chart","op":"remove"}]"#,
            false,
        ),
        config(
            OverrideType::JsonPatch,
            r#"[{"path":"/spec/targetNamespace","op":"remove"}]"#,
            false,
        ),
    ];
    let (g, _, _) = run(Buffer::Json(chart), Buffer::space(), &protections);
    assert_eq!(reparse(&g), json!({"spec": {"repo": "r", "version": "1"}}));
    let (g, c, _) = run(Buffer::space(), Buffer::space(), &protections);
    assert_eq!(g, Buffer::space());
    assert_eq!(c, Buffer::space());
}

// §10.2
#[test]
fn json_and_merge_patches_on_a_pod() {
    let pod = json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "pod", "labels": {"app": "nginx"}, "uid": "1234-678",
            "managedFields": [{"manager": "kubectl-client-side-apply", "operation": "Update"}, {"manager": "clusternet-hub"}]},
        "spec": {"containers": [{"name": "nginx", "image": "nginx:latest"}]},
        "status": {"a": "b", "some-value": [{"key1": "value1", "key2": "value2"}]}});
    let configs = [
        config(OverrideType::MergePatch, "   ", false),
        config(
            OverrideType::MergePatch,
            r#"{"metadata":{"namespace":"test"}}"#,
            false,
        ),
        config(OverrideType::JsonPatch, "   ", false),
        config(
            OverrideType::MergePatch,
            "metadata:\n    namespace: test2\n",
            false,
        ),
        config(
            OverrideType::JsonPatch,
            r#"[{"op":"replace","path":"/spec/containers/0/image","value":"nginx:1.21.1"}]"#,
            false,
        ),
        config(
            OverrideType::MergePatch,
            r#"{"metadata":{"labels":{"foo":"bar","xyz":"def","key":"value"}}}"#,
            false,
        ),
        config(
            OverrideType::MergePatch,
            r#"{"metadata":{"labels":{"xyz":null}}}"#,
            false,
        ),
        config(
            OverrideType::MergePatch,
            "metadata:\n  labels:\n    key: null\n",
            false,
        ),
        config(
            OverrideType::JsonPatch,
            r#"[{"op":"replace","path":"/spec/containers/0/image","value":"nginx:1.20.1"}]"#,
            false,
        ),
        config(
            OverrideType::JsonPatch,
            r#"[{"op":"add","path":"/spec/containers/1","value":{"name":"injected-container","image":"redis:6.2.5"}}]"#,
            false,
        ),
    ];
    let (g, _, _) = run(Buffer::Json(pod), Buffer::Blank(String::new()), &configs);
    assert_eq!(
        reparse(&g),
        json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "test2", "labels": {"app": "nginx", "foo": "bar"}},
            "spec": {"containers": [{"name": "nginx", "image": "nginx:1.20.1"}, {"name": "injected-container", "image": "redis:6.2.5"}]}})
    );
}

// §10.3
#[test]
fn field_json_patch_on_a_configmap() {
    let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "example-configmap", "namespace": "default"},
        "data": {"server.conf": "{\n    \"db_address\": \"127.0.0.1:3306\",\n    \"region_id\": \"us-west-1\",\n    \"zone_id\": \"zone-1\"\n}"}});
    let mut c = config(
        OverrideType::FieldJsonPatch,
        r#"[{"op":"replace","path":"/db_address","value":"localhost:3306"}]"#,
        false,
    );
    c.field_path = String::from("/data/server.conf");
    c.field_format = Some(FieldFormat::Json);
    let (g, _, _) = run(Buffer::Json(cm), Buffer::space(), &[c]);
    assert_eq!(
        reparse(&g)["data"]["server.conf"],
        "{\n    \"db_address\": \"localhost:3306\",\n    \"region_id\": \"us-west-1\",\n    \"zone_id\": \"zone-1\"\n}"
    );
}

#[test]
fn first_value_is_taken_verbatim_into_a_blank_buffer() {
    let configs = [
        config(
            OverrideType::JsonPatch,
            r#"[{"op":"add","path":"/a","value":1}]"#,
            false,
        ),
        config(OverrideType::MergePatch, "a: 1\nb: null\n", false),
    ];
    let (g, _, trace) = run(Buffer::space(), Buffer::space(), &configs);
    // JSONPatch on a blank buffer is a no-op; the merge patch is then stored verbatim, nulls included.
    assert_eq!(g.to_text(), r#"{"a":1,"b":null}"#);
    assert_eq!(trace.effects[0].0, Effect::Unchanged);
    assert_eq!(trace.effects[1].0, Effect::TakenVerbatim);
}

#[test]
fn override_chart_only_matters_for_helm() {
    let configs = [
        config(
            OverrideType::MergePatch,
            r#"{"spec":{"version":"1"}}"#,
            true,
        ),
        config(OverrideType::MergePatch, r#"{"x":1}"#, true),
    ];
    // first: chart blank, taken verbatim whatever the type; second: MergePatch ignores
    // overrideChart and targets the (blank) generic buffer, which is an error.
    let prepared = prepare(&configs);
    let refs: Vec<&PreparedOverride> = prepared.iter().collect();
    let (mut g, mut c) = (Buffer::space(), Buffer::space());
    assert!(apply_overrides(&mut g, &mut c, &refs).is_err());
    assert_eq!(c.to_text(), r#"{"spec":{"version":"1"}}"#);
}

#[test]
fn builtin_removals_strip_helm_values_too() {
    let configs = [config(OverrideType::Helm, "status: x\nkeep: 1\n", false)];
    let (g, _, _) = run(Buffer::space(), Buffer::space(), &configs);
    assert_eq!(g.to_text(), r#"{"keep":1}"#);
}

#[test]
fn strategic_merge_patch_is_rejected() {
    let configs = [config(OverrideType::StrategicMergePatch, "a: 1", false)];
    let prepared = prepare(&configs);
    let refs: Vec<&PreparedOverride> = prepared.iter().collect();
    let err =
        apply_overrides(&mut Buffer::Json(json!({})), &mut Buffer::space(), &refs).unwrap_err();
    assert!(err.to_string().contains("StrategicMergePatch"));
}

#[test]
fn invalid_yaml_fails_the_render() {
    let configs = [config(OverrideType::MergePatch, "a: [", false)];
    let prepared = prepare(&configs);
    let refs: Vec<&PreparedOverride> = prepared.iter().collect();
    assert!(apply_overrides(&mut Buffer::Json(json!({})), &mut Buffer::space(), &refs).is_err());
}
