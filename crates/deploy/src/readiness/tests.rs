//! The rules of [`super`], one table of live objects per kind.

use super::*;
use serde_json::json;

fn in_progress(message: &str) -> Readiness {
    Readiness::InProgress(message.to_string())
}

fn failed(message: &str) -> Readiness {
    Readiness::Failed(message.to_string())
}

/// Checks each `(what, object, expected)` row, naming the row that fails.
fn check(rows: &[(&str, Value, Readiness)]) {
    for (what, object, expected) in rows {
        assert_eq!(&assess(object), expected, "{what}");
    }
}

fn deployment(spec: Value, status: Value) -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment",
           "metadata": {"name": "frontend", "namespace": "web", "generation": 2},
           "spec": spec, "status": status})
}

fn rolled_out(replicas: i64) -> Value {
    json!({"observedGeneration": 2, "replicas": replicas, "updatedReplicas": replicas,
           "readyReplicas": replicas, "availableReplicas": replicas,
           "conditions": [
               {"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable"},
               {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable"}]})
}

#[test]
fn deployments_are_ready_once_every_replica_is_updated_available_and_ready() {
    let spec = json!({"replicas": 3, "progressDeadlineSeconds": 600});
    let mut available_one = rolled_out(3);
    available_one["availableReplicas"] = json!(1);
    available_one["readyReplicas"] = json!(1);
    let mut updating = rolled_out(3);
    updating["updatedReplicas"] = json!(2);
    let mut surplus = rolled_out(3);
    surplus["replicas"] = json!(4);
    let mut surplus_two = rolled_out(3);
    surplus_two["replicas"] = json!(5);
    let mut ready_short = rolled_out(3);
    ready_short["readyReplicas"] = json!(2);
    let mut still_progressing = rolled_out(3);
    still_progressing["conditions"][1]["reason"] = json!("ReplicaSetUpdated");
    let mut unavailable = rolled_out(3);
    unavailable["conditions"][0] = json!({"type": "Available", "status": "False", "reason": "MinimumReplicasUnavailable",
               "message": "Deployment does not have minimum availability."});
    check(&[
        (
            "rolled out",
            deployment(spec.clone(), rolled_out(3)),
            Readiness::Ready,
        ),
        (
            "1/3 available",
            deployment(spec.clone(), available_one),
            in_progress("1/3 available"),
        ),
        (
            "2/3 updated",
            deployment(spec.clone(), updating),
            in_progress("2/3 updated"),
        ),
        (
            "no pods yet",
            deployment(spec.clone(), json!({"observedGeneration": 2})),
            in_progress("0/3 created"),
        ),
        (
            "one old pod left",
            deployment(spec.clone(), surplus),
            in_progress("1 old replica still terminating"),
        ),
        (
            "two old pods left",
            deployment(spec.clone(), surplus_two),
            in_progress("2 old replicas still terminating"),
        ),
        (
            "ready lags available",
            deployment(spec.clone(), ready_short),
            in_progress("2/3 ready"),
        ),
        (
            "Progressing not complete",
            deployment(spec.clone(), still_progressing),
            in_progress("new ReplicaSet not available yet"),
        ),
        (
            "Available False",
            deployment(spec, unavailable),
            in_progress(
                "not Available: MinimumReplicasUnavailable: Deployment does not have minimum availability.",
            ),
        ),
    ]);
}

#[test]
fn a_deployment_without_replicas_wants_one() {
    check(&[
        (
            "default 1, rolled out",
            deployment(json!({}), rolled_out(1)),
            Readiness::Ready,
        ),
        (
            "default 1, nothing yet",
            deployment(json!({}), json!({"observedGeneration": 2})),
            in_progress("0/1 created"),
        ),
        (
            "scaled to zero",
            deployment(json!({"replicas": 0}), rolled_out(0)),
            Readiness::Ready,
        ),
    ]);
}

#[test]
fn a_deployment_past_its_progress_deadline_has_failed() {
    let mut status = rolled_out(3);
    status["availableReplicas"] = json!(1);
    status["conditions"][1] = json!({"type": "Progressing", "status": "False",
        "reason": "ProgressDeadlineExceeded",
        "message": "ReplicaSet \"frontend-7c9d\" has timed out progressing."});
    assert_eq!(
        assess(&deployment(json!({"replicas": 3}), status)),
        failed(
            "progress deadline exceeded (ReplicaSet \"frontend-7c9d\" has timed out progressing.)"
        )
    );
}

#[test]
fn a_generation_not_observed_yet_is_in_progress_whatever_the_counts() {
    let mut status = rolled_out(3);
    status["observedGeneration"] = json!(1);
    let mut object = deployment(json!({"replicas": 3}), status);
    object["metadata"]["generation"] = json!(3);
    assert_eq!(
        assess(&object),
        in_progress("generation 3 not observed yet")
    );
    // Kinds whose controllers write no observedGeneration are not held back by it.
    let config_map = json!({"apiVersion": "v1", "kind": "ConfigMap",
                            "metadata": {"name": "c", "generation": 4}});
    assert_eq!(assess(&config_map), Readiness::Ready);
}

#[test]
fn an_object_being_deleted_is_in_progress() {
    let mut object = deployment(json!({"replicas": 1}), rolled_out(1));
    object["metadata"]["deletionTimestamp"] = json!("2024-01-01T00:00:00Z");
    assert_eq!(assess(&object), in_progress("being deleted"));
}

fn stateful_set(spec: Value, status: Value) -> Value {
    json!({"apiVersion": "apps/v1", "kind": "StatefulSet",
           "metadata": {"name": "db", "namespace": "data", "generation": 1},
           "spec": spec, "status": status})
}

#[test]
fn stateful_sets_wait_for_ready_replicas_and_the_update_revision() {
    let done = json!({"observedGeneration": 1, "replicas": 3, "readyReplicas": 3,
                      "currentReplicas": 3, "updatedReplicas": 3,
                      "currentRevision": "db-1", "updateRevision": "db-1"});
    let mut rolling = done.clone();
    rolling["updateRevision"] = json!("db-2");
    rolling["updatedReplicas"] = json!(1);
    let mut ready_short = done.clone();
    ready_short["readyReplicas"] = json!(1);
    let mut current_short = done.clone();
    current_short["currentReplicas"] = json!(2);
    let mut surplus = done.clone();
    surplus["replicas"] = json!(4);
    let partitioned = json!({"replicas": 3,
        "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 2}}});
    let mut partly_updated = rolling.clone();
    partly_updated["updatedReplicas"] = json!(0);
    check(&[
        (
            "rolled out",
            stateful_set(json!({"replicas": 3}), done.clone()),
            Readiness::Ready,
        ),
        (
            "1/3 ready",
            stateful_set(json!({"replicas": 3}), ready_short),
            in_progress("1/3 ready"),
        ),
        (
            "2/3 current",
            stateful_set(json!({"replicas": 3}), current_short),
            in_progress("2/3 updated"),
        ),
        (
            "surplus",
            stateful_set(json!({"replicas": 3}), surplus),
            in_progress("1 old replica still terminating"),
        ),
        (
            "revision mismatch",
            stateful_set(json!({"replicas": 3}), rolling.clone()),
            in_progress("rolling update to revision db-2 in progress (1/3 updated)"),
        ),
        (
            "partition 2: one pod to update, done",
            stateful_set(partitioned.clone(), rolling),
            Readiness::Ready,
        ),
        (
            "partition 2: one pod to update, not yet",
            stateful_set(partitioned, partly_updated),
            in_progress("0/1 updated"),
        ),
        (
            "OnDelete",
            stateful_set(json!({"updateStrategy": {"type": "OnDelete"}}), json!({})),
            Readiness::Ready,
        ),
        (
            "default 1",
            stateful_set(json!({}), json!({"observedGeneration": 1})),
            in_progress("0/1 created"),
        ),
    ]);
}

fn daemon_set(status: Value) -> Value {
    json!({"apiVersion": "apps/v1", "kind": "DaemonSet",
           "metadata": {"name": "agent", "namespace": "kube-system", "generation": 1},
           "spec": {}, "status": status})
}

#[test]
fn daemon_sets_wait_for_every_desired_pod_updated_and_available() {
    let done = json!({"observedGeneration": 1, "desiredNumberScheduled": 2,
                      "currentNumberScheduled": 2, "updatedNumberScheduled": 2,
                      "numberAvailable": 2, "numberReady": 2});
    let mut updating = done.clone();
    updating["updatedNumberScheduled"] = json!(1);
    let mut unavailable = done.clone();
    unavailable["numberAvailable"] = json!(0);
    check(&[
        ("rolled out", daemon_set(done), Readiness::Ready),
        (
            "1/2 updated",
            daemon_set(updating),
            in_progress("1/2 updated"),
        ),
        (
            "0/2 available",
            daemon_set(unavailable),
            in_progress("0/2 available"),
        ),
        (
            "not observed",
            daemon_set(json!({})),
            in_progress("not observed by its controller yet"),
        ),
        (
            "no desired number",
            daemon_set(json!({"observedGeneration": 1})),
            in_progress("desired number of pods not known yet"),
        ),
        (
            "no nodes",
            daemon_set(json!({"observedGeneration": 1, "desiredNumberScheduled": 0})),
            Readiness::Ready,
        ),
    ]);
}

#[test]
fn replica_sets_compare_their_counts_with_the_spec() {
    let replica_set = |status: Value| {
        json!({"apiVersion": "apps/v1", "kind": "ReplicaSet",
               "metadata": {"name": "rs", "namespace": "web"},
               "spec": {"replicas": 2}, "status": status})
    };
    check(&[
        (
            "ready",
            replica_set(json!({"replicas": 2, "fullyLabeledReplicas": 2,
                                     "availableReplicas": 2, "readyReplicas": 2})),
            Readiness::Ready,
        ),
        (
            "1/2 available",
            replica_set(json!({"replicas": 2, "fullyLabeledReplicas": 2,
                                             "availableReplicas": 1, "readyReplicas": 1})),
            in_progress("1/2 available"),
        ),
        (
            "quota",
            replica_set(
                json!({"conditions": [{"type": "ReplicaFailure", "status": "True",
            "reason": "FailedCreate", "message": "exceeded quota: pods"}]}),
            ),
            in_progress("cannot create pods: FailedCreate: exceeded quota: pods"),
        ),
    ]);
}

fn job(status: Value) -> Value {
    json!({"apiVersion": "batch/v1", "kind": "Job",
           "metadata": {"name": "migrate", "namespace": "web"},
           "spec": {"completions": 1}, "status": status})
}

#[test]
fn jobs_are_ready_when_complete_and_failed_when_failed() {
    check(&[
        (
            "complete",
            job(json!({"succeeded": 1, "conditions": [
            {"type": "Complete", "status": "True"}]})),
            Readiness::Ready,
        ),
        (
            "failed",
            job(json!({"failed": 7, "conditions": [
            {"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded",
             "message": "Job has reached the specified backoff limit"}]})),
            failed("failed: BackoffLimitExceeded: Job has reached the specified backoff limit"),
        ),
        (
            "running",
            job(json!({"active": 1, "startTime": "2024-01-01T00:00:00Z"})),
            in_progress("0/1 succeeded, 1 active"),
        ),
        (
            "retrying",
            job(json!({"active": 1, "failed": 2})),
            in_progress("0/1 succeeded, 1 active, 2 failed"),
        ),
        (
            "suspended",
            job(json!({"conditions": [{"type": "Suspended", "status": "True"}]})),
            in_progress("suspended"),
        ),
    ]);
    let cron_job = json!({"apiVersion": "batch/v1beta1", "kind": "CronJob",
                          "metadata": {"name": "nightly"}, "spec": {}});
    assert_eq!(assess(&cron_job), Readiness::Ready);
}

#[test]
fn custom_resource_definitions_are_ready_once_established() {
    let crd = |conditions: Value| {
        json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
               "metadata": {"name": "widgets.example.com"},
               "status": {"conditions": conditions}})
    };
    check(&[
        (
            "established",
            crd(json!([{"type": "NamesAccepted", "status": "True"},
                                    {"type": "Established", "status": "True"}])),
            Readiness::Ready,
        ),
        (
            "installing",
            crd(json!([{"type": "NamesAccepted", "status": "True"},
            {"type": "Established", "status": "False", "reason": "Installing"}])),
            in_progress("not established yet"),
        ),
        (
            "no status yet",
            crd(json!([])),
            in_progress("not established yet"),
        ),
        (
            "names clash",
            crd(json!([{"type": "NamesAccepted", "status": "False",
            "reason": "MultipleNamesNotAllowed",
            "message": "\"widget\" is already in use"}])),
            failed("names not accepted: MultipleNamesNotAllowed: \"widget\" is already in use"),
        ),
    ]);
}

#[test]
fn claims_are_ready_once_bound_and_namespaces_once_active() {
    let claim = |status: Value| {
        json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim",
               "metadata": {"name": "data", "namespace": "db"}, "status": status})
    };
    let namespace = |status: Value| {
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "web"},
               "status": status})
    };
    check(&[
        ("bound", claim(json!({"phase": "Bound"})), Readiness::Ready),
        (
            "pending",
            claim(json!({"phase": "Pending"})),
            in_progress("Pending"),
        ),
        ("no phase yet", claim(json!({})), in_progress("Pending")),
        (
            "lost",
            claim(json!({"phase": "Lost"})),
            failed("lost its volume"),
        ),
        (
            "active",
            namespace(json!({"phase": "Active"})),
            Readiness::Ready,
        ),
        (
            "terminating",
            namespace(json!({"phase": "Terminating"})),
            in_progress("terminating"),
        ),
    ]);
}

fn pod(status: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "Pod",
           "metadata": {"name": "frontend-7c9d", "namespace": "web"},
           "spec": {}, "status": status})
}

fn image_pull_back_off() -> Value {
    pod(json!({"phase": "Pending",
        "conditions": [{"type": "PodScheduled", "status": "True"},
                       {"type": "Ready", "status": "False", "reason": "ContainersNotReady"}],
        "containerStatuses": [
            {"name": "sidecar", "ready": true, "state": {"running": {}}},
            {"name": "web", "ready": false, "state": {"waiting": {"reason": "ImagePullBackOff",
             "message": "Back-off pulling image \"nginx:nope\""}}}]}))
}

fn unschedulable() -> Value {
    pod(
        json!({"phase": "Pending", "conditions": [{"type": "PodScheduled", "status": "False",
        "reason": "Unschedulable", "message": "0/1 nodes are available: 1 Insufficient cpu."}]}),
    )
}

#[test]
fn pods_are_ready_when_ready_or_succeeded_and_failed_when_failed() {
    check(&[
        (
            "ready",
            pod(json!({"phase": "Running",
            "conditions": [{"type": "Ready", "status": "True"}]})),
            Readiness::Ready,
        ),
        (
            "succeeded",
            pod(json!({"phase": "Succeeded"})),
            Readiness::Ready,
        ),
        (
            "failed",
            pod(json!({"phase": "Failed", "reason": "Evicted",
            "message": "The node was low on resource: memory."})),
            failed("pod failed: Evicted: The node was low on resource: memory."),
        ),
        (
            "image pull",
            image_pull_back_off(),
            in_progress("ImagePullBackOff"),
        ),
        (
            "unschedulable",
            unschedulable(),
            in_progress("Unschedulable: 0/1 nodes are available: 1 Insufficient cpu."),
        ),
        (
            "running, not ready",
            pod(json!({"phase": "Running"})),
            in_progress("running but not ready"),
        ),
        (
            "not seen by the kubelet",
            pod(json!({})),
            in_progress("Pending"),
        ),
    ]);
}

#[test]
fn pod_problems_name_the_pod_and_what_is_wrong() {
    let crash_loop = pod(json!({"phase": "Running", "containerStatuses": [
        {"name": "web", "state": {"waiting": {"reason": "CrashLoopBackOff"}},
         "lastState": {"terminated": {"exitCode": 1, "reason": "Error"}}}]}));
    let exited = pod(json!({"phase": "Failed", "containerStatuses": [
        {"name": "web", "state": {"terminated": {"exitCode": 137, "reason": "OOMKilled"}}}]}));
    let init_failing = pod(json!({"phase": "Pending", "initContainerStatuses": [
        {"name": "migrate", "state": {"waiting": {"reason": "ErrImagePull"}}}],
        "containerStatuses": [
        {"name": "web", "state": {"waiting": {"reason": "PodInitializing"}}}]}));
    let starting = pod(json!({"phase": "Pending", "containerStatuses": [
        {"name": "web", "state": {"waiting": {"reason": "ContainerCreating"}}}]}));
    let completed = pod(json!({"phase": "Succeeded", "containerStatuses": [
        {"name": "web", "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}}]}));
    let text = |pod: &Value| pod_problem(pod).map(|p| p.to_string());
    assert_eq!(
        text(&image_pull_back_off()).as_deref(),
        Some("pod frontend-7c9d: ImagePullBackOff")
    );
    assert_eq!(
        text(&crash_loop).as_deref(),
        Some("pod frontend-7c9d: CrashLoopBackOff")
    );
    assert_eq!(
        text(&exited).as_deref(),
        Some("pod frontend-7c9d: container web exited with code 137 (OOMKilled)")
    );
    assert_eq!(
        text(&init_failing).as_deref(),
        Some("pod frontend-7c9d: ErrImagePull")
    );
    assert_eq!(
        text(&unschedulable()).as_deref(),
        Some("pod frontend-7c9d: Unschedulable: 0/1 nodes are available: 1 Insufficient cpu.")
    );
    assert_eq!(text(&starting), None, "starting normally is no problem");
    assert_eq!(text(&completed), None, "exit code 0 is no problem");
}

#[test]
fn the_first_pod_with_a_problem_is_reported() {
    let healthy = pod(json!({"phase": "Running", "containerStatuses": [
        {"name": "web", "state": {"running": {}}}]}));
    let pods = [healthy.clone(), image_pull_back_off(), unschedulable()];
    assert_eq!(
        first_pod_problem(&pods),
        Some(PodProblem {
            pod: "frontend-7c9d".to_string(),
            problem: "ImagePullBackOff".to_string()
        })
    );
    assert_eq!(first_pod_problem(&[healthy]), None);
}

#[test]
fn services_that_select_pods_need_ready_endpoints() {
    let service = |spec: Value| {
        json!({"apiVersion": "v1", "kind": "Service",
               "metadata": {"name": "frontend", "namespace": "web"}, "spec": spec})
    };
    let selecting = service(json!({"type": "ClusterIP", "selector": {"app": "frontend"}}));
    assert_eq!(
        assess(&selecting),
        Readiness::Ready,
        "the Service object itself"
    );
    assert!(endpoints_needed(&selecting));
    assert!(endpoints_needed(&service(
        json!({"type": "LoadBalancer", "selector": {"app": "x"}})
    )));
    assert!(
        !endpoints_needed(&service(json!({"type": "ClusterIP"}))),
        "no selector"
    );
    assert!(!endpoints_needed(&service(json!({"type": "ExternalName",
        "externalName": "example.com", "selector": {"app": "x"}}))));

    let endpoints = |subsets: Value| {
        json!({"apiVersion": "v1", "kind": "Endpoints",
               "metadata": {"name": "frontend", "namespace": "web"}, "subsets": subsets})
    };
    let ready = endpoints(json!([{"notReadyAddresses": [{"ip": "10.0.0.1"}]},
                                 {"addresses": [{"ip": "10.0.0.2"}], "ports": [{"port": 80}]}]));
    let not_ready = endpoints(json!([{"notReadyAddresses": [{"ip": "10.0.0.1"}]}]));
    assert_eq!(assess_endpoints(Some(&ready)), Readiness::Ready);
    assert_eq!(
        assess_endpoints(Some(&not_ready)),
        in_progress("no ready endpoints")
    );
    assert_eq!(
        assess_endpoints(Some(&json!({"kind": "Endpoints"}))),
        in_progress("no ready endpoints")
    );
    assert_eq!(assess_endpoints(None), in_progress("no ready endpoints"));
}

#[test]
fn other_kinds_are_ready_once_they_exist_unless_their_conditions_say_otherwise() {
    let widget = |status: Value| {
        json!({"apiVersion": "example.com/v1", "kind": "Widget",
               "metadata": {"name": "w", "namespace": "web", "generation": 2},
               "status": status})
    };
    check(&[
        ("no status", widget(json!(null)), Readiness::Ready),
        (
            "Ready True",
            widget(json!({"conditions": [{"type": "Ready", "status": "True"}]})),
            Readiness::Ready,
        ),
        (
            "Ready False",
            widget(json!({"conditions": [{"type": "Ready", "status": "False",
            "reason": "Provisioning", "message": "waiting for the bucket"}]})),
            in_progress("not ready: Provisioning: waiting for the bucket"),
        ),
        (
            "Ready Unknown",
            widget(json!({"conditions": [{"type": "Ready", "status": "Unknown"}]})),
            in_progress("not ready"),
        ),
        (
            "Stalled",
            widget(json!({"conditions": [{"type": "Stalled", "status": "True",
            "reason": "InvalidSpec", "message": "size must be positive"}]})),
            failed("stalled: InvalidSpec: size must be positive"),
        ),
        (
            "Reconciling",
            widget(
                json!({"conditions": [{"type": "Reconciling", "status": "True",
            "reason": "Progressing"}]}),
            ),
            in_progress("reconciling: Progressing"),
        ),
        (
            "Stalled False",
            widget(json!({"conditions": [{"type": "Stalled", "status": "False"}]})),
            Readiness::Ready,
        ),
        (
            "generation lag",
            widget(json!({"observedGeneration": 1})),
            in_progress("generation 2 not observed yet"),
        ),
        (
            "config map",
            json!({"apiVersion": "v1", "kind": "ConfigMap",
                              "metadata": {"name": "c"}}),
            Readiness::Ready,
        ),
    ]);
}

#[test]
fn pods_of_workloads_and_services_are_found_by_their_labels() {
    let object = deployment(
        json!({"selector": {"matchLabels": {"app": "frontend", "tier": "web"}}}),
        json!({}),
    );
    assert_eq!(
        pod_selector(&object).as_deref(),
        Some("app=frontend,tier=web")
    );
    let by_expressions = deployment(
        json!({"selector": {"matchExpressions": [{"key": "app", "operator": "Exists"}]}}),
        json!({}),
    );
    assert_eq!(pod_selector(&by_expressions), None);
    let service = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"},
                         "spec": {"selector": {"app": "x"}}});
    assert_eq!(pod_selector(&service).as_deref(), Some("app=x"));
    let config_map = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}});
    assert_eq!(pod_selector(&config_map), None);
}

#[test]
fn readiness_reads_as_a_phrase() {
    assert_eq!(Readiness::Ready.to_string(), "ready");
    assert_eq!(in_progress("1/3 available").to_string(), "1/3 available");
    assert_eq!(
        failed("lost its volume").to_string(),
        "failed: lost its volume"
    );
}
