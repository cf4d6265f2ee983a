//! The API server's own defaults for the key fields of associative lists, filled in before
//! server-side apply.
//!
//! Server-side apply identifies the items of a `listType: map` list by their key fields. A
//! key field the server would default (such as `protocol` of a Service port) is still
//! required in an apply body: Kubernetes 1.20 answers a Service whose `ports` omit
//! `protocol` with HTTP 500, "associative list with keys has an element that omits key
//! field". Users (and `kubectl apply` without `--server-side`) routinely leave these out, so
//! [`fill_list_map_keys`] writes the value the server would have chosen itself:
//!
//! | object | list | key defaulted |
//! | --- | --- | --- |
//! | Service (`v1`) | `spec.ports[]` | `protocol: TCP` |
//! | Pod (`v1`) | `spec.{containers,initContainers,ephemeralContainers}[].ports[]` | `protocol: TCP` |
//! | objects with a pod template (Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, ReplicationController, PodTemplate, CronJob) | the template's container ports | `protocol: TCP` |
//!
//! Only absent (or `null`) keys are filled; a value the user gave is never changed. Because
//! the provider reads live objects back through the shape of what it planned, a defaulted
//! key the plan never mentioned does not show up as drift.

use serde_json::{Map, Value};

/// The protocol the API server assumes for a port without one.
pub const DEFAULT_PROTOCOL: &str = "TCP";

/// Fills in the server's defaults for list-map key fields of `object` (see the module
/// documentation for which). Objects of other kinds, and malformed ones, are left alone: the
/// server reports those.
pub fn fill_list_map_keys(object: &mut Value) {
    let api_version = object
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or("");
    let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
    let kind = object.get("kind").and_then(Value::as_str).unwrap_or("");
    match (group, kind) {
        ("", "Service") => {
            default_protocols(object.pointer_mut("/spec/ports"));
        }
        ("", "Pod") => fill_pod_spec(object.pointer_mut("/spec")),
        ("", "PodTemplate") => fill_pod_spec(object.pointer_mut("/template/spec")),
        ("", "ReplicationController")
        | ("apps" | "extensions", "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet")
        | ("batch", "Job") => fill_pod_spec(object.pointer_mut("/spec/template/spec")),
        ("batch", "CronJob") => {
            fill_pod_spec(object.pointer_mut("/spec/jobTemplate/spec/template/spec"));
        }
        _ => {}
    }
}

/// Container ports of every container list in a pod spec.
fn fill_pod_spec(spec: Option<&mut Value>) {
    let Some(spec) = spec.and_then(Value::as_object_mut) else {
        return;
    };
    for list in ["containers", "initContainers", "ephemeralContainers"] {
        let containers = spec.get_mut(list).and_then(Value::as_array_mut);
        for container in containers.into_iter().flatten() {
            default_protocols(container.get_mut("ports"));
        }
    }
}

/// Sets `protocol` on each port object of `ports` that has none.
fn default_protocols(ports: Option<&mut Value>) {
    let ports = ports.and_then(Value::as_array_mut);
    for port in ports.into_iter().flatten().filter_map(Value::as_object_mut) {
        set_if_absent(port, "protocol", DEFAULT_PROTOCOL);
    }
}

fn set_if_absent(map: &mut Map<String, Value>, key: &str, value: &str) {
    match map.get(key) {
        Some(existing) if !existing.is_null() => {}
        _ => {
            map.insert(key.to_string(), Value::String(value.to_string()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn filled(mut object: Value) -> Value {
        fill_list_map_keys(&mut object);
        object
    }

    #[test]
    fn service_ports_get_tcp_and_keep_a_given_protocol() {
        let service = filled(json!({
            "apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
            "spec": {"ports": [{"port": 80}, {"port": 53, "protocol": "UDP"}, {"port": 8080, "protocol": null}]}
        }));
        assert_eq!(
            service["spec"]["ports"],
            json!([
                {"port": 80, "protocol": "TCP"},
                {"port": 53, "protocol": "UDP"},
                {"port": 8080, "protocol": "TCP"}
            ])
        );
    }

    #[test]
    fn container_ports_of_pods_and_every_kind_of_pod_template_get_tcp() {
        let pod_spec = || {
            json!({
                "containers": [{"name": "a", "ports": [{"containerPort": 80}, {"containerPort": 53, "protocol": "UDP"}]}],
                "initContainers": [{"name": "i", "ports": [{"containerPort": 9000}]}]
            })
        };
        let expected = json!({
            "containers": [{"name": "a", "ports": [
                {"containerPort": 80, "protocol": "TCP"},
                {"containerPort": 53, "protocol": "UDP"}
            ]}],
            "initContainers": [{"name": "i", "ports": [{"containerPort": 9000, "protocol": "TCP"}]}]
        });
        let templated = |api_version: &str, kind: &str| json!({"apiVersion": api_version, "kind": kind, "spec": {"template": {"spec": pod_spec()}}});
        for (api_version, kind) in [
            ("apps/v1", "Deployment"),
            ("apps/v1", "ReplicaSet"),
            ("apps/v1", "StatefulSet"),
            ("apps/v1", "DaemonSet"),
            ("extensions/v1beta1", "Deployment"),
            ("batch/v1", "Job"),
            ("v1", "ReplicationController"),
        ] {
            let object = filled(templated(api_version, kind));
            assert_eq!(object["spec"]["template"]["spec"], expected, "{kind}");
        }
        let pod = filled(json!({"apiVersion": "v1", "kind": "Pod", "spec": pod_spec()}));
        assert_eq!(pod["spec"], expected);
        let template = filled(
            json!({"apiVersion": "v1", "kind": "PodTemplate", "template": {"spec": pod_spec()}}),
        );
        assert_eq!(template["template"]["spec"], expected);
        for api_version in ["batch/v1", "batch/v1beta1"] {
            let cron = filled(json!({"apiVersion": api_version, "kind": "CronJob",
                "spec": {"jobTemplate": {"spec": {"template": {"spec": pod_spec()}}}}}));
            assert_eq!(
                cron["spec"]["jobTemplate"]["spec"]["template"]["spec"],
                expected
            );
        }
    }

    #[test]
    fn other_kinds_and_malformed_objects_are_left_alone() {
        let custom = json!({"apiVersion": "example.com/v1", "kind": "Service",
            "spec": {"ports": [{"port": 80}]}});
        assert_eq!(filled(custom.clone()), custom);
        let config = json!({"apiVersion": "v1", "kind": "ConfigMap", "data": {"ports": "80"}});
        assert_eq!(filled(config.clone()), config);
        for odd in [
            json!({"apiVersion": "v1", "kind": "Service"}),
            json!({"apiVersion": "v1", "kind": "Service", "spec": {"ports": "80"}}),
            json!({"apiVersion": "v1", "kind": "Service", "spec": {"ports": [80, null]}}),
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "spec": {"template": null}}),
            json!({"apiVersion": "v1", "kind": "Pod", "spec": {"containers": [{"ports": null}]}}),
            json!("not an object"),
        ] {
            assert_eq!(filled(odd.clone()), odd);
        }
    }
}
