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
/// StatefulSet, DaemonSet, ReplicaSet, Job: `spec.selector.matchLabels`) or of a Service
/// (`spec.selector`). `None` for other kinds and for selectors made of expressions only.
pub fn pod_selector(live: &Value) -> Option<String> {
    let labels = match str_at(live, &["kind"])? {
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "Job" => {
            live.pointer("/spec/selector/matchLabels")
        }
        "Service" => live.pointer("/spec/selector"),
        _ => None,
    }?
    .as_object()
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
mod tests;
