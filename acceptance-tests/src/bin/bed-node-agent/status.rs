//! The pod status a kubelet would report, as a JSON merge patch of the `status` subresource.
//!
//! Pure: the caller supplies the time and the addresses. Conditions of other types (readiness
//! gates, say) are kept, and a condition whose status does not change keeps its
//! `lastTransitionTime`, as the kubelet does.

use std::net::Ipv4Addr;

use k8s_openapi::api::core::v1::{Container, Pod, PodCondition};
use serde_json::{Value, json};

use crate::behaviour::{Behaviour, NEVER_READY_TAG, image_tag};

/// Where a pod runs: the node's address and the pod's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placement {
    /// The node's InternalIP (`status.hostIP`).
    pub host_ip: Ipv4Addr,
    /// The pod's address (`status.podIP`).
    pub pod_ip: Ipv4Addr,
}

/// A step of a pod's life the agent reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// The containers were started (or, for a `never-ready` image, the pull failed).
    Started,
    /// The containers exited 0 (pods that complete only).
    Succeeded,
}

/// The next stage to report for `pod`, or `None` when its status already says what the agent
/// would say (so a restarted agent, or a repeated watch event, changes nothing).
pub fn next_stage(pod: &Pod, behaviour: &Behaviour) -> Option<Stage> {
    let status = pod.status.as_ref();
    let phase = status.and_then(|s| s.phase.as_deref()).unwrap_or("Pending");
    if matches!(phase, "Succeeded" | "Failed") {
        return None;
    }
    let ready = condition_true(pod, "Ready");
    match behaviour {
        Behaviour::Runs if phase == "Running" && ready => None,
        Behaviour::Runs => Some(Stage::Started),
        Behaviour::NeverReady { .. } => {
            let backing_off = status
                .and_then(|s| s.container_statuses.as_ref())
                .into_iter()
                .flatten()
                .filter_map(|c| c.state.as_ref()?.waiting.as_ref()?.reason.as_deref())
                .any(|reason| reason == "ImagePullBackOff");
            (!(phase == "Pending" && backing_off)).then_some(Stage::Started)
        }
        Behaviour::Completes if phase == "Running" && ready => Some(Stage::Succeeded),
        Behaviour::Completes => Some(Stage::Started),
    }
}

fn condition_true(pod: &Pod, kind: &str) -> bool {
    conditions(pod)
        .iter()
        .any(|c| c.type_ == kind && c.status == "True")
}

fn conditions(pod: &Pod) -> &[PodCondition] {
    pod.status
        .as_ref()
        .and_then(|s| s.conditions.as_deref())
        .unwrap_or_default()
}

fn never_ready(container: &Container) -> bool {
    container
        .image
        .as_deref()
        .and_then(image_tag)
        .is_some_and(|tag| tag == NEVER_READY_TAG)
}

/// The status patch (`{"status": {...}}`) reporting `stage` for `pod`; `now` is an RFC 3339
/// time.
pub fn status_patch(pod: &Pod, stage: Stage, placement: Placement, now: &str) -> Value {
    let spec = pod.spec.clone().unwrap_or_default();
    let uid = pod.metadata.uid.as_deref().unwrap_or_default();
    let started_at = pod
        .status
        .as_ref()
        .and_then(|s| s.start_time.as_ref())
        .map_or_else(|| now.to_string(), |t| t.0.to_string());
    let container_id = |c: &Container| format!("bed-node-agent://{uid}/{}", c.name);
    let image_id = |c: &Container| format!("bed-node-agent://{}", c.image.as_deref().unwrap_or(""));
    let waiting = |c: &Container| {
        let image = c.image.as_deref().unwrap_or("");
        json!({
            "name": c.name, "image": image, "imageID": "", "ready": false, "started": false,
            "restartCount": 0,
            "state": {"waiting": {
                "reason": "ImagePullBackOff",
                "message": format!(
                    "Back-off pulling image \"{image}\": the test bed's node agent never starts \
                     images tagged {NEVER_READY_TAG}"
                ),
            }},
        })
    };
    let terminated = |c: &Container| {
        json!({
            "name": c.name, "image": c.image, "imageID": image_id(c),
            "containerID": container_id(c), "ready": false, "started": false, "restartCount": 0,
            "state": {"terminated": {
                "exitCode": 0, "reason": "Completed", "startedAt": started_at, "finishedAt": now,
                "containerID": container_id(c),
            }},
        })
    };
    let running = |c: &Container| {
        json!({
            "name": c.name, "image": c.image, "imageID": image_id(c),
            "containerID": container_id(c), "ready": true, "started": true, "restartCount": 0,
            "state": {"running": {"startedAt": now}},
        })
    };

    let init = spec.init_containers.unwrap_or_default();
    let initialized = !init.iter().any(never_ready);
    let init_statuses: Vec<Value> = init
        .iter()
        .map(|c| {
            if never_ready(c) {
                waiting(c)
            } else {
                terminated(c)
            }
        })
        .collect();
    let (phase, app_statuses, containers_ready) = match stage {
        Stage::Succeeded => (
            "Succeeded",
            spec.containers.iter().map(terminated).collect::<Vec<_>>(),
            false,
        ),
        Stage::Started => {
            let waits = !initialized || spec.containers.iter().any(never_ready);
            let statuses = spec
                .containers
                .iter()
                .map(|c| {
                    if !initialized || never_ready(c) {
                        waiting(c)
                    } else {
                        running(c)
                    }
                })
                .collect();
            (if waits { "Pending" } else { "Running" }, statuses, !waits)
        }
    };
    let not_ready_reason = match stage {
        Stage::Succeeded => "PodCompleted",
        Stage::Started => "ContainersNotReady",
    };
    let ours = [
        ("PodScheduled", true, ""),
        (
            "Initialized",
            initialized,
            if initialized {
                ""
            } else {
                "ContainersNotInitialized"
            },
        ),
        ("ContainersReady", containers_ready, not_ready_reason),
        ("Ready", containers_ready, not_ready_reason),
    ];
    let mut conditions: Vec<Value> = conditions(pod)
        .iter()
        .filter(|c| !ours.iter().any(|(kind, _, _)| *kind == c.type_))
        .map(|c| serde_json::to_value(c).unwrap_or_default())
        .collect();
    for (kind, value, reason) in ours {
        let status = if value { "True" } else { "False" };
        let since = self::conditions(pod)
            .iter()
            .find(|c| c.type_ == kind && c.status == status)
            .and_then(|c| c.last_transition_time.as_ref())
            .map_or_else(|| now.to_string(), |t| t.0.to_string());
        let mut condition = json!({
            "type": kind, "status": status, "lastProbeTime": null, "lastTransitionTime": since,
        });
        if !reason.is_empty() {
            condition["reason"] = json!(reason);
        }
        conditions.push(condition);
    }
    let mut status = json!({
        "phase": phase,
        "hostIP": placement.host_ip.to_string(),
        "podIP": placement.pod_ip.to_string(),
        "podIPs": [{"ip": placement.pod_ip.to_string()}],
        "startTime": started_at,
        "conditions": conditions,
        "containerStatuses": app_statuses,
    });
    if !init_statuses.is_empty() {
        status["initContainerStatuses"] = json!(init_statuses);
    }
    json!({ "status": status })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::behaviour::behaviour;

    const NOW: &str = "2024-05-01T10:00:00Z";

    fn placement() -> Placement {
        Placement {
            host_ip: Ipv4Addr::new(10, 0, 0, 1),
            pod_ip: Ipv4Addr::new(10, 244, 1, 2),
        }
    }

    fn pod(image: &str, restart_policy: &str) -> Pod {
        serde_json::from_value(json!({
            "metadata": {"name": "p", "namespace": "n", "uid": "u1"},
            "spec": {
                "nodeName": "bed-child-1-node-1",
                "restartPolicy": restart_policy,
                "containers": [{"name": "app", "image": image}],
            },
            "status": {"phase": "Pending", "conditions": [
                {"type": "PodScheduled", "status": "True", "lastTransitionTime": "2024-05-01T09:00:00Z"}
            ]},
        }))
        .unwrap()
    }

    fn apply(pod: &mut Pod, patch: &Value) {
        let mut value = serde_json::to_value(&*pod).unwrap();
        value["status"] = patch["status"].clone();
        *pod = serde_json::from_value(value).unwrap();
    }

    fn condition<'a>(patch: &'a Value, kind: &str) -> &'a Value {
        patch["status"]["conditions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["type"] == kind)
            .unwrap()
    }

    #[test]
    fn an_ordinary_pod_becomes_running_and_ready_once() {
        let mut pod = pod("nginx:1.25", "Always");
        let b = behaviour(&pod);
        assert_eq!(next_stage(&pod, &b), Some(Stage::Started));
        let patch = status_patch(&pod, Stage::Started, placement(), NOW);
        assert_eq!(patch["status"]["phase"], "Running");
        assert_eq!(patch["status"]["podIP"], "10.244.1.2");
        assert_eq!(patch["status"]["hostIP"], "10.0.0.1");
        assert_eq!(condition(&patch, "Ready")["status"], "True");
        assert_eq!(condition(&patch, "ContainersReady")["status"], "True");
        assert_eq!(
            condition(&patch, "PodScheduled")["lastTransitionTime"],
            "2024-05-01T09:00:00Z",
            "an unchanged condition keeps its transition time"
        );
        let container = &patch["status"]["containerStatuses"][0];
        assert_eq!(container["ready"], true);
        assert!(container["state"]["running"]["startedAt"].is_string());
        apply(&mut pod, &patch);
        assert_eq!(next_stage(&pod, &b), None, "nothing more to do");
    }

    #[test]
    fn a_never_ready_pod_stays_pending_in_image_pull_back_off() {
        let mut pod = pod("nginx:never-ready", "Always");
        let b = behaviour(&pod);
        let patch = status_patch(&pod, Stage::Started, placement(), NOW);
        assert_eq!(patch["status"]["phase"], "Pending");
        assert_eq!(condition(&patch, "Ready")["status"], "False");
        let waiting = &patch["status"]["containerStatuses"][0]["state"]["waiting"];
        assert_eq!(waiting["reason"], "ImagePullBackOff");
        assert!(waiting["message"].as_str().unwrap().contains("never-ready"));
        apply(&mut pod, &patch);
        assert_eq!(next_stage(&pod, &b), None);
    }

    #[test]
    fn a_completing_pod_runs_then_succeeds() {
        let mut pod = pod("busybox:completes", "Never");
        let b = behaviour(&pod);
        assert_eq!(next_stage(&pod, &b), Some(Stage::Started));
        let started = status_patch(&pod, Stage::Started, placement(), NOW);
        apply(&mut pod, &started);
        assert_eq!(next_stage(&pod, &b), Some(Stage::Succeeded));
        let patch = status_patch(&pod, Stage::Succeeded, placement(), NOW);
        assert_eq!(patch["status"]["phase"], "Succeeded");
        let terminated = &patch["status"]["containerStatuses"][0]["state"]["terminated"];
        assert_eq!(terminated["exitCode"], 0);
        assert_eq!(terminated["reason"], "Completed");
        assert_eq!(condition(&patch, "Ready")["reason"], "PodCompleted");
        apply(&mut pod, &patch);
        assert_eq!(next_stage(&pod, &b), None);
    }
}
