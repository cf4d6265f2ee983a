//! Whether a live object is ready, by kstatus-style rules (the rules of
//! `sigs.k8s.io/cli-utils/pkg/kstatus`, re-stated here for the kinds we deploy). Pure: the
//! functions look at JSON the cluster returned and never talk to it; [`crate::wait`] does
//! the reading.
//!
//! Rules, first match wins:
//! - an object being deleted is in progress;
//! - `status.observedGeneration` behind `metadata.generation`: in progress (its controller
//!   has not seen the latest spec, so its status says nothing about it);
//! - a `Stalled` condition that is True: failed; a `Reconciling` condition that is True: in
//!   progress (kstatus' generic conditions, which any controller may set);
//! - then per kind: Deployment, StatefulSet, DaemonSet and ReplicaSet compare their replica
//!   counts with the spec (a Deployment past its progress deadline has failed); a Job is
//!   ready once Complete and failed once Failed; a CustomResourceDefinition once
//!   Established; a PersistentVolumeClaim once Bound; a Pod once Ready or Succeeded; a
//!   Namespace once Active; a CronJob as soon as it exists;
//! - any other kind is ready once it exists, unless it has a `Ready` condition, which then
//!   decides.
//!
//! Services: [`assess`] judges the Service object alone (ready once it exists). A Service
//! that selects pods is only useful once its Endpoints have a ready address;
//! [`endpoints_needed`] says whether to look, [`assess_endpoints`] judges them, and
//! [`Cluster::wait_ready`](crate::Cluster::wait_ready) does both. LoadBalancer Services are
//! judged like ClusterIP ones (by their endpoints), not by an assigned ingress address: the
//! test bed, like many bare clusters, has no load-balancer controller, and an address that
//! never comes would block every rollout.
//!
//! When a workload is not ready, [`pod_problem`] finds why in one of its pods (an image that
//! cannot be pulled, a crash loop, a pod that cannot be scheduled) so messages can say it.

use std::fmt;

use serde_json::{Map, Value};

/// How ready one object is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Readiness {
    /// Ready: rolled out, complete, established, bound...
    Ready,
    /// Not ready yet, but it may still become ready; the message says what is missing, e.g.
    /// `1/3 available`.
    InProgress(String),
    /// It will not become ready without a change (a Job that failed, a Deployment past its
    /// progress deadline); the message says why.
    Failed(String),
}

impl Readiness {
    /// Whether the object is ready.
    pub fn is_ready(&self) -> bool {
        matches!(self, Readiness::Ready)
    }

    /// Whether the object has failed.
    pub fn is_failed(&self) -> bool {
        matches!(self, Readiness::Failed(_))
    }

    fn in_progress(message: impl Into<String>) -> Readiness {
        Readiness::InProgress(message.into())
    }

    fn failed(message: impl Into<String>) -> Readiness {
        Readiness::Failed(message.into())
    }
}

impl fmt::Display for Readiness {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Readiness::Ready => f.write_str("ready"),
            Readiness::InProgress(message) => f.write_str(message),
            Readiness::Failed(message) => write!(f, "failed: {message}"),
        }
    }
}

/// The readiness of the live object `live` (as the API server returned it, with `status`).
pub fn assess(live: &Value) -> Readiness {
    if let Some(generic) = generic_rules(live) {
        return generic;
    }
    let group = live
        .get("apiVersion")
        .and_then(Value::as_str)
        .map(|v| v.split_once('/').map_or("", |(group, _)| group))
        .unwrap_or_default();
    let kind = str_at(live, &["kind"]).unwrap_or_default();
    match (group, kind) {
        ("apps" | "extensions", "Deployment") => deployment(live),
        ("apps", "StatefulSet") => stateful_set(live),
        ("apps" | "extensions", "DaemonSet") => daemon_set(live),
        ("apps" | "extensions", "ReplicaSet") => replica_set(live),
        ("batch", "Job") => job(live),
        ("batch", "CronJob") => Readiness::Ready,
        ("apiextensions.k8s.io", "CustomResourceDefinition") => custom_resource_definition(live),
        ("", "PersistentVolumeClaim") => persistent_volume_claim(live),
        ("", "Pod") => pod(live),
        ("", "Namespace") => namespace(live),
        ("", "Service") => Readiness::Ready,
        _ => by_ready_condition(live),
    }
}

/// Deletion, generation not observed yet, and the Stalled/Reconciling conditions: rules
/// for every kind, checked before the kind's own.
fn generic_rules(live: &Value) -> Option<Readiness> {
    if str_at(live, &["metadata", "deletionTimestamp"]).is_some_and(|t| !t.is_empty()) {
        return Some(Readiness::in_progress("being deleted"));
    }
    if let (Some(generation), Some(observed)) = (
        int_at(live, &["metadata", "generation"]),
        int_at(live, &["status", "observedGeneration"]),
    ) && observed < generation
    {
        return Some(Readiness::InProgress(format!(
            "generation {generation} not observed yet"
        )));
    }
    if let Some(stalled) = condition(live, "Stalled").filter(|c| c.is("True")) {
        return Some(Readiness::Failed(stalled.describe("stalled")));
    }
    if let Some(reconciling) = condition(live, "Reconciling").filter(|c| c.is("True")) {
        return Some(Readiness::InProgress(reconciling.describe("reconciling")));
    }
    None
}

fn deployment(live: &Value) -> Readiness {
    let progressing = condition(live, "Progressing");
    if let Some(c) = &progressing
        && c.reason == "ProgressDeadlineExceeded"
    {
        let detail = if c.message.is_empty() {
            String::new()
        } else {
            format!(" ({})", c.message)
        };
        return Readiness::Failed(format!("progress deadline exceeded{detail}"));
    }
    let wanted = int_at(live, &["spec", "replicas"]).unwrap_or(1);
    let replicas = status_count(live, "replicas");
    let updated = status_count(live, "updatedReplicas");
    let available = status_count(live, "availableReplicas");
    let ready = status_count(live, "readyReplicas");
    if let Some(short) = first_short(&[(replicas, wanted, "created"), (updated, wanted, "updated")])
    {
        return short;
    }
    if replicas > wanted {
        return surplus(replicas - wanted);
    }
    if let Some(short) = first_short(&[(available, wanted, "available"), (ready, wanted, "ready")])
    {
        return short;
    }
    // Without a progress deadline the controller never sets Progressing; with one (the
    // default) it says NewReplicaSetAvailable once the rollout is complete.
    let deadline_set = int_at(live, &["spec", "progressDeadlineSeconds"])
        .is_some_and(|seconds| seconds != i64::from(i32::MAX));
    if deadline_set
        && !progressing.is_some_and(|c| c.is("True") && c.reason == "NewReplicaSetAvailable")
    {
        return Readiness::in_progress("new ReplicaSet not available yet");
    }
    match condition(live, "Available") {
        Some(c) if c.is("True") => Readiness::Ready,
        Some(c) => Readiness::InProgress(c.describe("not Available")),
        None => Readiness::in_progress("not Available yet"),
    }
}

fn stateful_set(live: &Value) -> Readiness {
    if str_at(live, &["spec", "updateStrategy", "type"]) == Some("OnDelete") {
        // Pods are replaced only when someone deletes them: nothing to wait for.
        return Readiness::Ready;
    }
    let wanted = int_at(live, &["spec", "replicas"]).unwrap_or(1);
    let replicas = status_count(live, "replicas");
    let ready = status_count(live, "readyReplicas");
    let current = status_count(live, "currentReplicas");
    let updated = status_count(live, "updatedReplicas");
    if let Some(short) = first_short(&[(replicas, wanted, "created"), (ready, wanted, "ready")]) {
        return short;
    }
    if replicas > wanted {
        return surplus(replicas - wanted);
    }
    if let Some(partition) = int_at(
        live,
        &["spec", "updateStrategy", "rollingUpdate", "partition"],
    ) {
        // Only ordinals at or above the partition are updated.
        let to_update = (wanted - partition).max(0);
        return first_short(&[(updated, to_update, "updated")]).unwrap_or(Readiness::Ready);
    }
    if let Some(short) = first_short(&[(current, wanted, "updated")]) {
        return short;
    }
    let current_revision = str_at(live, &["status", "currentRevision"]).unwrap_or_default();
    let update_revision = str_at(live, &["status", "updateRevision"]).unwrap_or_default();
    if current_revision != update_revision {
        return Readiness::InProgress(format!(
            "rolling update to revision {update_revision} in progress ({updated}/{wanted} updated)"
        ));
    }
    Readiness::Ready
}

fn daemon_set(live: &Value) -> Readiness {
    // The DaemonSet controller always writes observedGeneration: until it has, nothing in
    // the status is about this spec.
    if int_at(live, &["status", "observedGeneration"]).is_none() {
        return Readiness::in_progress("not observed by its controller yet");
    }
    let Some(desired) = int_at(live, &["status", "desiredNumberScheduled"]) else {
        return Readiness::in_progress("desired number of pods not known yet");
    };
    first_short(&[
        (
            status_count(live, "currentNumberScheduled"),
            desired,
            "scheduled",
        ),
        (
            status_count(live, "updatedNumberScheduled"),
            desired,
            "updated",
        ),
        (status_count(live, "numberAvailable"), desired, "available"),
        (status_count(live, "numberReady"), desired, "ready"),
    ])
    .unwrap_or(Readiness::Ready)
}

fn replica_set(live: &Value) -> Readiness {
    if let Some(failure) = condition(live, "ReplicaFailure").filter(|c| c.is("True")) {
        // Often a quota or admission refusal, which may be lifted: not failed for good.
        return Readiness::InProgress(failure.describe("cannot create pods"));
    }
    let wanted = int_at(live, &["spec", "replicas"]).unwrap_or(1);
    let replicas = status_count(live, "replicas");
    if let Some(short) = first_short(&[
        (
            status_count(live, "fullyLabeledReplicas"),
            wanted,
            "labelled",
        ),
        (status_count(live, "availableReplicas"), wanted, "available"),
        (status_count(live, "readyReplicas"), wanted, "ready"),
    ]) {
        return short;
    }
    if replicas > wanted {
        return surplus(replicas - wanted);
    }
    Readiness::Ready
}

fn job(live: &Value) -> Readiness {
    if let Some(failed) = condition(live, "Failed").filter(|c| c.is("True")) {
        return Readiness::Failed(failed.describe("failed"));
    }
    if condition(live, "Complete").is_some_and(|c| c.is("True")) {
        return Readiness::Ready;
    }
    if condition(live, "Suspended").is_some_and(|c| c.is("True")) {
        return Readiness::in_progress("suspended");
    }
    let parallelism = int_at(live, &["spec", "parallelism"]).unwrap_or(1);
    let completions = int_at(live, &["spec", "completions"]).unwrap_or(parallelism);
    let succeeded = status_count(live, "succeeded");
    let active = status_count(live, "active");
    let failed = status_count(live, "failed");
    let mut message = format!("{succeeded}/{completions} succeeded, {active} active");
    if failed > 0 {
        message.push_str(&format!(", {failed} failed"));
    }
    Readiness::InProgress(message)
}

fn custom_resource_definition(live: &Value) -> Readiness {
    if let Some(names) = condition(live, "NamesAccepted").filter(|c| c.is("False")) {
        return Readiness::Failed(names.describe("names not accepted"));
    }
    match condition(live, "Established") {
        Some(c) if c.is("True") => Readiness::Ready,
        Some(c) if c.is("False") && c.reason != "Installing" => {
            Readiness::Failed(c.describe("not established"))
        }
        _ => Readiness::in_progress("not established yet"),
    }
}

fn persistent_volume_claim(live: &Value) -> Readiness {
    match str_at(live, &["status", "phase"]) {
        Some("Bound") => Readiness::Ready,
        // The bound volume is gone: the claim will not bind again by itself.
        Some("Lost") => Readiness::failed("lost its volume"),
        Some(phase) if !phase.is_empty() => Readiness::in_progress(phase),
        _ => Readiness::in_progress("Pending"),
    }
}

fn pod(live: &Value) -> Readiness {
    match str_at(live, &["status", "phase"]) {
        Some("Succeeded") => Readiness::Ready,
        Some("Failed") => {
            let reason = str_at(live, &["status", "reason"]).unwrap_or_default();
            let message = str_at(live, &["status", "message"]).unwrap_or_default();
            Readiness::Failed(join_reason("pod failed", reason, message))
        }
        phase => {
            if condition(live, "Ready").is_some_and(|c| c.is("True")) {
                return Readiness::Ready;
            }
            if let Some(problem) = container_or_scheduling_problem(live) {
                return Readiness::InProgress(problem);
            }
            match phase {
                Some("Running") => Readiness::in_progress("running but not ready"),
                Some(phase) if !phase.is_empty() => Readiness::in_progress(phase),
                _ => Readiness::in_progress("Pending"),
            }
        }
    }
}

fn namespace(live: &Value) -> Readiness {
    match str_at(live, &["status", "phase"]) {
        Some("Active") => Readiness::Ready,
        Some("Terminating") => Readiness::in_progress("terminating"),
        _ => Readiness::in_progress("not active yet"),
    }
}

/// Kinds without rules of their own: ready once they exist, unless a `Ready` condition says
/// otherwise.
fn by_ready_condition(live: &Value) -> Readiness {
    match condition(live, "Ready") {
        None => Readiness::Ready,
        Some(c) if c.is("True") => Readiness::Ready,
        Some(c) => Readiness::InProgress(c.describe("not ready")),
    }
}

/// Whether the Service `service` is only useful once its Endpoints (same namespace and name)
/// have a ready address: it selects pods and is not an ExternalName. A Service without a
/// selector has endpoints managed by someone else and is ready once it exists.
pub fn endpoints_needed(service: &Value) -> bool {
    let external_name = str_at(service, &["spec", "type"]) == Some("ExternalName");
    let selects = service
        .pointer("/spec/selector")
        .and_then(Value::as_object)
        .is_some_and(|selector| !selector.is_empty());
    selects && !external_name
}

/// The readiness of a Service's Endpoints: ready when a subset has at least one ready
/// address (`None`: the Endpoints object does not exist yet).
pub fn assess_endpoints(endpoints: Option<&Value>) -> Readiness {
    let ready = endpoints
        .and_then(|e| e.get("subsets"))
        .and_then(Value::as_array)
        .is_some_and(|subsets| {
            subsets.iter().any(|subset| {
                subset
                    .get("addresses")
                    .and_then(Value::as_array)
                    .is_some_and(|addresses| !addresses.is_empty())
            })
        });
    if ready {
        Readiness::Ready
    } else {
        Readiness::in_progress("no ready endpoints")
    }
}

/// The label selector (`key=value,...`) of the pods of workload `live` (Deployment,
/// StatefulSet, DaemonSet, ReplicaSet, Job), from `spec.selector.matchLabels`. `None` for
/// other kinds and for selectors made of expressions only.
pub fn pod_selector(live: &Value) -> Option<String> {
    let kind = str_at(live, &["kind"])?;
    if !matches!(
        kind,
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "Job"
    ) {
        return None;
    }
    let labels = live
        .pointer("/spec/selector/matchLabels")
        .and_then(Value::as_object)
        .filter(|labels| !labels.is_empty())?;
    Some(
        labels
            .iter()
            .map(|(key, value)| format!("{key}={}", value.as_str().unwrap_or_default()))
            .collect::<Vec<_>>()
            .join(","),
    )
}

/// Why one pod is not running as it should, e.g. `pod frontend-7c9d: ImagePullBackOff`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodProblem {
    /// The pod's name.
    pub pod: String,
    /// What is wrong, e.g. `ImagePullBackOff` or `container web exited with code 1 (Error)`.
    pub problem: String,
}

impl fmt::Display for PodProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "pod {}: {}", self.pod, self.problem)
    }
}

/// What is wrong with `pod`, if something visibly is: a container waiting with a reason that
/// is not part of a normal start (ImagePullBackOff, ErrImagePull, CrashLoopBackOff,
/// CreateContainerConfigError...), a container terminated with an error, or a pod the
/// scheduler cannot place (`Unschedulable: 0/1 nodes are available: ...`).
pub fn pod_problem(pod: &Value) -> Option<PodProblem> {
    let problem = container_or_scheduling_problem(pod)?;
    Some(PodProblem {
        pod: str_at(pod, &["metadata", "name"])
            .unwrap_or_default()
            .to_string(),
        problem,
    })
}

/// The first problem among `pods` (in the order given).
pub fn first_pod_problem<'a>(pods: impl IntoIterator<Item = &'a Value>) -> Option<PodProblem> {
    pods.into_iter().find_map(pod_problem)
}

fn container_or_scheduling_problem(pod: &Value) -> Option<String> {
    const NORMAL_WAITING: [&str; 2] = ["ContainerCreating", "PodInitializing"];
    let statuses = ["initContainerStatuses", "containerStatuses"]
        .into_iter()
        .filter_map(|field| pod.get("status")?.get(field)?.as_array())
        .flatten();
    for status in statuses {
        let state = status.get("state");
        if let Some(reason) = state
            .and_then(|s| str_at(s, &["waiting", "reason"]))
            .filter(|r| !r.is_empty() && !NORMAL_WAITING.contains(r))
        {
            return Some(reason.to_string());
        }
        if let Some(terminated) = state.and_then(|s| s.get("terminated")) {
            let code = int_at(terminated, &["exitCode"]).unwrap_or(0);
            if code != 0 {
                let name = str_at(status, &["name"]).unwrap_or_default();
                let reason = str_at(terminated, &["reason"]).unwrap_or_default();
                let mut problem = format!("container {name} exited with code {code}");
                if !reason.is_empty() {
                    problem.push_str(&format!(" ({reason})"));
                }
                return Some(problem);
            }
        }
    }
    condition(pod, "PodScheduled")
        .filter(|c| c.is("False") && c.reason == "Unschedulable")
        .map(|c| join_reason("Unschedulable", "", c.message))
}

/// One entry of `status.conditions`.
struct Condition<'a> {
    status: &'a str,
    reason: &'a str,
    message: &'a str,
}

impl Condition<'_> {
    fn is(&self, status: &str) -> bool {
        self.status == status
    }

    /// `what: Reason: message`, leaving out what is empty.
    fn describe(&self, what: &str) -> String {
        join_reason(what, self.reason, self.message)
    }
}

fn join_reason(what: &str, reason: &str, message: &str) -> String {
    [what, reason, message]
        .into_iter()
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(": ")
}

fn condition<'a>(live: &'a Value, kind: &str) -> Option<Condition<'a>> {
    live.pointer("/status/conditions")?
        .as_array()?
        .iter()
        .filter_map(Value::as_object)
        .find(|c| field(c, "type") == kind)
        .map(|c| Condition {
            status: field(c, "status"),
            reason: field(c, "reason"),
            message: field(c, "message"),
        })
}

fn field<'a>(object: &'a Map<String, Value>, name: &str) -> &'a str {
    object.get(name).and_then(Value::as_str).unwrap_or_default()
}

fn str_at<'a>(value: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter().try_fold(value, |v, key| v.get(key))?.as_str()
}

fn int_at(value: &Value, path: &[&str]) -> Option<i64> {
    path.iter().try_fold(value, |v, key| v.get(key))?.as_i64()
}

/// A count under `status`, 0 when absent (the API leaves zero counts out).
fn status_count(live: &Value, name: &str) -> i64 {
    int_at(live, &["status", name]).unwrap_or(0)
}

/// The first `(have, want, what)` with `have < want`, as `have/want what`.
fn first_short(counts: &[(i64, i64, &str)]) -> Option<Readiness> {
    counts
        .iter()
        .find(|(have, want, _)| have < want)
        .map(|(have, want, what)| Readiness::InProgress(format!("{have}/{want} {what}")))
}

fn surplus(extra: i64) -> Readiness {
    let noun = if extra == 1 { "replica" } else { "replicas" };
    Readiness::InProgress(format!("{extra} old {noun} still terminating"))
}

#[cfg(test)]
mod tests {
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
    fn workload_pods_are_found_by_match_labels() {
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
                             "spec": {"selector": {"matchLabels": {"app": "x"}}}});
        assert_eq!(
            pod_selector(&service),
            None,
            "only workloads have pods of their own"
        );
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
}
