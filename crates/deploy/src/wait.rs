//! Waiting until applied objects are ready ([`Cluster::wait_ready`]), the gate between the
//! stages of a progressive rollout.
//!
//! The wait polls: every `poll_interval` it reads each object with [`Cluster::get`] (so
//! discovery is shared with apply and drift) and judges it with [`readiness::assess`]; a
//! Service that selects pods is also judged by its Endpoints. Polling at the default 250 ms
//! keeps the time from "the last object became ready" to "the wait returns" well under a
//! second, and is simpler to keep correct than a watch per kind across reconnects.
//!
//! The wait ends as soon as any object has failed (waiting longer cannot help), when every
//! object has been ready for `min_ready` without interruption, or at `timeout`. Only then,
//! for workloads that are not ready, it lists their pods once to say why (an image that
//! cannot be pulled, a crash loop, an unschedulable pod). It is cancel-safe: dropping the
//! future stops it, with nothing left running.

use std::fmt;
use std::time::{Duration, Instant};

use futures::StreamExt;
use serde_json::Value;

use crate::cluster::Cluster;
use crate::error::ObjectError;
use crate::readiness::{self, Readiness};
use clusternet_model::identity::ObjectIdentity;

/// At most this many reads are in flight during one poll.
const CONCURRENT_READS: usize = 16;

/// The shortest poll interval used, whatever is asked (a zero interval would spin).
const MIN_POLL_INTERVAL: Duration = Duration::from_millis(10);

/// How long and how often [`Cluster::wait_ready`] waits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitOptions {
    /// The longest the whole wait takes, `min_ready` included.
    pub timeout: Duration,
    /// How long every object must stay ready, re-checked at each poll; if one drops out, the
    /// clock restarts. Zero: ready as soon as all are.
    pub min_ready: Duration,
    /// Time between two polls (at least 10 ms).
    pub poll_interval: Duration,
}

impl Default for WaitOptions {
    /// 5 minutes, no minimum ready time, polls every 250 ms.
    fn default() -> Self {
        WaitOptions {
            timeout: Duration::from_secs(300),
            min_ready: Duration::ZERO,
            poll_interval: Duration::from_millis(250),
        }
    }
}

/// One object that is not ready, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotReady {
    /// The object.
    pub reference: ObjectIdentity,
    /// Why, e.g. `1/3 available; pod frontend-7c9d: ImagePullBackOff`.
    pub cause: String,
}

impl fmt::Display for NotReady {
    /// `Deployment web/frontend: 1/3 available; pod frontend-7c9d: ImagePullBackOff`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.reference.describe(), self.cause)
    }
}

/// How a wait ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WaitOutcome {
    /// Every object was ready, and stayed ready for `min_ready`.
    Ready,
    /// The timeout passed first; the objects not ready (or not ready for long enough).
    NotReady(Vec<NotReady>),
    /// At least one object failed; the failed ones (the wait stopped there).
    Failed(Vec<NotReady>),
    /// The cluster could not be read (unreachable, credentials refused, or an API error).
    Unreachable(ObjectError),
}

/// What [`Cluster::wait_ready`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitReport {
    /// How many objects were waited for.
    pub total: usize,
    /// How many were ready at the last poll.
    pub ready: usize,
    /// How the wait ended.
    pub outcome: WaitOutcome,
}

impl WaitReport {
    /// Whether every object was ready.
    pub fn is_ready(&self) -> bool {
        matches!(self.outcome, WaitOutcome::Ready)
    }

    /// `Ok(number of objects)` when ready, else the reason as an error.
    pub fn into_result(self) -> Result<usize, WaitError> {
        let (total, ready) = (self.total, self.ready);
        match self.outcome {
            WaitOutcome::Ready => Ok(total),
            WaitOutcome::NotReady(objects) => Err(WaitError::NotReady {
                total,
                ready,
                objects,
            }),
            WaitOutcome::Failed(objects) => Err(WaitError::Failed {
                total,
                ready,
                objects,
            }),
            WaitOutcome::Unreachable(source) => Err(WaitError::Unreachable(source)),
        }
    }
}

/// Why a wait did not end with every object ready.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WaitError {
    /// The timeout passed before every object was ready long enough.
    #[error(
        "{ready} of {total} objects ready before the timeout; {}",
        list(objects)
    )]
    NotReady {
        /// How many objects were waited for.
        total: usize,
        /// How many were ready at the end.
        ready: usize,
        /// The others.
        objects: Vec<NotReady>,
    },
    /// An object failed.
    #[error("{} of {total} objects failed; {}", objects.len(), list(objects))]
    Failed {
        /// How many objects were waited for.
        total: usize,
        /// How many were ready when the failure was seen.
        ready: usize,
        /// The failed objects.
        objects: Vec<NotReady>,
    },
    /// The cluster could not be read.
    #[error("readiness could not be read: {0}")]
    Unreachable(#[source] ObjectError),
}

fn list(objects: &[NotReady]) -> String {
    objects
        .iter()
        .map(NotReady::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// One object as seen at one poll.
struct Seen {
    readiness: Readiness,
    /// The live object (`None` when missing), kept to find its pods when reporting.
    live: Option<Value>,
}

impl Cluster {
    /// Waits until every object of `objects` is ready by [`readiness::assess`] and has stayed
    /// ready for `options.min_ready`, one object failed, the cluster cannot be read, or
    /// `options.timeout` passed. A missing object is not ready (`not found`).
    pub async fn wait_ready(
        &self,
        objects: &[ObjectIdentity],
        options: &WaitOptions,
    ) -> WaitReport {
        let total = objects.len();
        let mut gate = Gate::new(total, Instant::now(), options);
        let poll_interval = options.poll_interval.max(MIN_POLL_INTERVAL);
        let mut ready = 0;
        loop {
            let seen = match self.poll(objects).await {
                Ok(seen) => seen,
                Err(error) => {
                    return WaitReport {
                        total,
                        ready,
                        outcome: WaitOutcome::Unreachable(error),
                    };
                }
            };
            let now = Instant::now();
            let readiness: Vec<&Readiness> = seen.iter().map(|s| &s.readiness).collect();
            ready = readiness.iter().filter(|r| r.is_ready()).count();
            let judged = objects.iter().zip(&seen);
            let outcome = match gate.observe(now, &readiness) {
                Step::Wait => {
                    tokio::time::sleep_until((now + poll_interval).min(gate.deadline).into()).await;
                    continue;
                }
                Step::Ready => WaitOutcome::Ready,
                Step::Failed => WaitOutcome::Failed(
                    self.explain(judged.filter(|(_, s)| s.readiness.is_failed()))
                        .await,
                ),
                Step::TimedOut => {
                    let mut not_ready = self
                        .explain(judged.filter(|(_, s)| !s.readiness.is_ready()))
                        .await;
                    not_ready.extend(gate.not_ready_long_enough(now).map(
                        |(index, for_how_long)| NotReady {
                            reference: objects[index].clone(),
                            cause: format!(
                                "ready for {} of the {} required",
                                seconds(for_how_long),
                                seconds(options.min_ready)
                            ),
                        },
                    ));
                    WaitOutcome::NotReady(not_ready)
                }
            };
            return WaitReport {
                total,
                ready,
                outcome,
            };
        }
    }

    /// Reads and judges every object once; the first read error ends the poll.
    async fn poll(&self, objects: &[ObjectIdentity]) -> Result<Vec<Seen>, ObjectError> {
        futures::stream::iter(objects.iter().cloned())
            .map(|reference| async move { self.see(&reference).await })
            .buffered(CONCURRENT_READS)
            .collect::<Vec<_>>()
            .await
            .into_iter()
            .collect()
    }

    async fn see(&self, reference: &ObjectIdentity) -> Result<Seen, ObjectError> {
        let Some(live) = self.get(reference).await? else {
            return Ok(Seen {
                readiness: Readiness::InProgress("not found".to_string()),
                live: None,
            });
        };
        let mut readiness = readiness::assess(&live);
        let core_service = reference.kind == "Service" && reference.group().is_empty();
        if readiness.is_ready() && core_service && readiness::endpoints_needed(&live) {
            let endpoints = ObjectIdentity::new(
                "v1",
                "Endpoints",
                reference.namespace.as_deref(),
                reference.name.as_str(),
            );
            readiness = readiness::assess_endpoints(self.get(&endpoints).await?.as_ref());
        }
        Ok(Seen {
            readiness,
            live: Some(live),
        })
    }

    /// The objects `seen` not ready, each with its cause and, for a workload or a Service, the
    /// first problem among its pods. A pod list that cannot be read only loses that detail.
    async fn explain<'a>(
        &self,
        seen: impl Iterator<Item = (&'a ObjectIdentity, &'a Seen)>,
    ) -> Vec<NotReady> {
        let mut explained = Vec::new();
        for (reference, seen) in seen {
            let mut cause = match &seen.readiness {
                Readiness::Ready => continue,
                Readiness::InProgress(message) | Readiness::Failed(message) => message.clone(),
            };
            if let Some(problem) = self.pod_problem(reference, seen.live.as_ref()).await {
                cause.push_str(&format!("; {problem}"));
            }
            explained.push(NotReady {
                reference: reference.clone(),
                cause,
            });
        }
        explained
    }

    async fn pod_problem(
        &self,
        reference: &ObjectIdentity,
        live: Option<&Value>,
    ) -> Option<readiness::PodProblem> {
        let selector = readiness::pod_selector(live?)?;
        let namespace = reference.namespace.as_deref().unwrap_or("default");
        match self
            .list("v1", "Pod", Some(namespace), Some(&selector))
            .await
        {
            Ok(pods) => readiness::first_pod_problem(&pods),
            Err(error) => {
                tracing::debug!(%error, "cannot list the pods of {}", reference.describe());
                None
            }
        }
    }
}

/// What the wait does after one poll.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// Poll again.
    Wait,
    /// Every object has been ready for `min_ready`.
    Ready,
    /// An object failed.
    Failed,
    /// The deadline passed.
    TimedOut,
}

/// The wait's bookkeeping, apart from any I/O: since when each object has been ready, and
/// the deadline.
#[derive(Debug)]
struct Gate {
    /// When each object was first seen ready in its current ready streak.
    ready_since: Vec<Option<Instant>>,
    min_ready: Duration,
    deadline: Instant,
}

impl Gate {
    fn new(objects: usize, start: Instant, options: &WaitOptions) -> Gate {
        Gate {
            ready_since: vec![None; objects],
            min_ready: options.min_ready,
            deadline: start + options.timeout,
        }
    }

    /// Records one poll (`readiness` per object, in order) made at `now`.
    fn observe(&mut self, now: Instant, readiness: &[&Readiness]) -> Step {
        for (since, readiness) in self.ready_since.iter_mut().zip(readiness) {
            if readiness.is_ready() {
                since.get_or_insert(now);
            } else {
                *since = None;
            }
        }
        if readiness.iter().any(|r| r.is_failed()) {
            return Step::Failed;
        }
        // The shortest streak decides; `None` (one not ready) sorts first.
        let all_ready_for = self
            .ready_since
            .iter()
            .map(|since| since.map(|since| now - since))
            .min()
            .unwrap_or(Some(Duration::MAX));
        if all_ready_for.is_some_and(|d| d >= self.min_ready) {
            Step::Ready
        } else if now >= self.deadline {
            Step::TimedOut
        } else {
            Step::Wait
        }
    }

    /// The objects ready at `now` but not yet for `min_ready`, by index, with how long.
    fn not_ready_long_enough(&self, now: Instant) -> impl Iterator<Item = (usize, Duration)> {
        self.ready_since
            .iter()
            .enumerate()
            .filter_map(move |(index, since)| Some((index, now - (*since)?)))
            .filter(|(_, for_how_long)| *for_how_long < self.min_ready)
    }
}

/// `2.5 s`, `10 s`.
fn seconds(duration: Duration) -> String {
    let tenths = duration.as_millis().div_ceil(100);
    match (tenths / 10, tenths % 10) {
        (whole, 0) => format!("{whole} s"),
        (whole, tenth) => format!("{whole}.{tenth} s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(timeout: u64, min_ready: u64) -> WaitOptions {
        WaitOptions {
            timeout: Duration::from_secs(timeout),
            min_ready: Duration::from_secs(min_ready),
            ..WaitOptions::default()
        }
    }

    fn at(start: Instant, seconds: u64) -> Instant {
        start + Duration::from_secs(seconds)
    }

    const READY: Readiness = Readiness::Ready;

    fn waiting() -> Readiness {
        Readiness::InProgress("1/3 available".to_string())
    }

    fn failed() -> Readiness {
        Readiness::Failed("progress deadline exceeded".to_string())
    }

    #[test]
    fn without_min_ready_the_gate_opens_at_the_first_poll_where_all_are_ready() {
        let start = Instant::now();
        let mut gate = Gate::new(2, start, &options(60, 0));
        assert_eq!(
            gate.observe(at(start, 0), &[&READY, &waiting()]),
            Step::Wait
        );
        assert_eq!(gate.observe(at(start, 1), &[&READY, &READY]), Step::Ready);
    }

    #[test]
    fn with_min_ready_every_object_must_stay_ready_that_long() {
        let start = Instant::now();
        let mut gate = Gate::new(2, start, &options(60, 10));
        assert_eq!(
            gate.observe(at(start, 0), &[&READY, &waiting()]),
            Step::Wait
        );
        assert_eq!(gate.observe(at(start, 2), &[&READY, &READY]), Step::Wait);
        // The first has been ready for 12 s, the second only for 10 s since t=2.
        assert_eq!(gate.observe(at(start, 11), &[&READY, &READY]), Step::Wait);
        assert_eq!(gate.observe(at(start, 12), &[&READY, &READY]), Step::Ready);
    }

    #[test]
    fn an_object_dropping_out_restarts_the_min_ready_clock() {
        let start = Instant::now();
        let mut gate = Gate::new(1, start, &options(60, 10));
        assert_eq!(gate.observe(at(start, 0), &[&READY]), Step::Wait);
        assert_eq!(gate.observe(at(start, 8), &[&waiting()]), Step::Wait);
        assert_eq!(gate.observe(at(start, 9), &[&READY]), Step::Wait);
        assert_eq!(gate.observe(at(start, 18), &[&READY]), Step::Wait);
        assert_eq!(gate.observe(at(start, 19), &[&READY]), Step::Ready);
    }

    #[test]
    fn a_failed_object_ends_the_wait_at_once() {
        let start = Instant::now();
        let mut gate = Gate::new(2, start, &options(60, 0));
        assert_eq!(
            gate.observe(at(start, 0), &[&READY, &failed()]),
            Step::Failed
        );
    }

    #[test]
    fn the_timeout_bounds_the_wait_including_min_ready() {
        let start = Instant::now();
        let mut gate = Gate::new(2, start, &options(30, 10));
        assert_eq!(
            gate.observe(at(start, 0), &[&READY, &waiting()]),
            Step::Wait
        );
        assert_eq!(gate.observe(at(start, 25), &[&READY, &READY]), Step::Wait);
        assert_eq!(
            gate.observe(at(start, 30), &[&READY, &READY]),
            Step::TimedOut
        );
        // Only the one that became ready late is reported, with how long it was ready.
        let short: Vec<_> = gate.not_ready_long_enough(at(start, 30)).collect();
        assert_eq!(short, [(1, Duration::from_secs(5))]);
    }

    #[test]
    fn nothing_to_wait_for_is_ready() {
        let start = Instant::now();
        let mut gate = Gate::new(0, start, &options(0, 10));
        assert_eq!(gate.observe(start, &[]), Step::Ready);
    }

    #[test]
    fn a_zero_timeout_polls_once() {
        let start = Instant::now();
        let mut gate = Gate::new(1, start, &options(0, 0));
        assert_eq!(gate.observe(start, &[&waiting()]), Step::TimedOut);
    }

    fn frontend() -> NotReady {
        NotReady {
            reference: ObjectIdentity::new("apps/v1", "Deployment", Some("web"), "frontend"),
            cause: "1/3 available; pod frontend-7c9d: ImagePullBackOff".to_string(),
        }
    }

    #[test]
    fn not_ready_objects_read_kind_namespace_name_and_cause() {
        assert_eq!(
            frontend().to_string(),
            "Deployment web/frontend: 1/3 available; pod frontend-7c9d: ImagePullBackOff"
        );
        let crd = NotReady {
            reference: ObjectIdentity::new(
                "apiextensions.k8s.io/v1",
                "CustomResourceDefinition",
                None,
                "widgets.example.com",
            ),
            cause: "not established yet".to_string(),
        };
        assert_eq!(
            crd.to_string(),
            "CustomResourceDefinition widgets.example.com: not established yet"
        );
    }

    #[test]
    fn reports_turn_into_errors_that_list_the_objects() {
        let report = |outcome| WaitReport {
            total: 3,
            ready: 2,
            outcome,
        };
        assert_eq!(report(WaitOutcome::Ready).into_result(), Ok(3));
        let timed_out = report(WaitOutcome::NotReady(vec![frontend()])).into_result();
        assert_eq!(
            timed_out.unwrap_err().to_string(),
            "2 of 3 objects ready before the timeout; Deployment web/frontend: 1/3 available; \
             pod frontend-7c9d: ImagePullBackOff"
        );
        let failed = report(WaitOutcome::Failed(vec![frontend()])).into_result();
        assert_eq!(
            failed.unwrap_err().to_string(),
            "1 of 3 objects failed; Deployment web/frontend: 1/3 available; \
             pod frontend-7c9d: ImagePullBackOff"
        );
    }

    #[test]
    fn durations_read_in_seconds() {
        assert_eq!(seconds(Duration::from_secs(10)), "10 s");
        assert_eq!(seconds(Duration::from_millis(2500)), "2.5 s");
        assert_eq!(seconds(Duration::from_millis(2410)), "2.5 s");
        assert_eq!(seconds(Duration::ZERO), "0 s");
    }
}
