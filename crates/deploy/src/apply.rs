//! Server-side apply of one cluster's desired objects, in dependency order.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use futures::StreamExt;
use kube::api::{Patch, PatchParams};
use serde_json::Value;

use crate::cluster::Cluster;
use crate::defaults;
use crate::discovery::Resolved;
use crate::error::ObjectError;
use crate::ordering::Phase;
use crate::ownership::{Ownership, clean_for_apply};
use clusternet_model::identity::ObjectIdentity;

/// How to apply.
#[derive(Debug, Clone)]
pub struct ApplyOptions {
    /// Ownership marks to stamp on every object; `None` applies the objects as given (minus
    /// system metadata).
    pub ownership: Option<Ownership>,
    /// Take over fields owned by other field managers instead of failing with a conflict.
    pub force: bool,
    /// Requests in flight at once within one phase.
    pub concurrency: usize,
    /// How long to wait for an applied CRD to become Established (and its kind served).
    pub establish_timeout: Duration,
}

impl Default for ApplyOptions {
    /// No ownership marks, no force, 8 requests in flight, 60 s for CRDs.
    fn default() -> Self {
        ApplyOptions {
            ownership: None,
            force: false,
            concurrency: 8,
            establish_timeout: Duration::from_secs(60),
        }
    }
}

/// An object the server accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// The live object's uid.
    pub uid: String,
    /// The live object's resourceVersion after the apply.
    pub resource_version: String,
}

/// What happened to one input object.
#[derive(Debug, Clone)]
pub struct ObjectOutcome {
    /// Position in the input.
    pub index: usize,
    /// The object's identity (`None` when the document is not a Kubernetes object).
    pub reference: Option<ObjectIdentity>,
    /// Applied, or why not.
    pub result: Result<Applied, ObjectError>,
}

/// The outcome of applying one cluster's objects, one entry per input object in input order.
#[derive(Debug, Clone)]
pub struct ApplyReport {
    /// The cluster.
    pub cluster: String,
    /// Per object, in input order.
    pub outcomes: Vec<ObjectOutcome>,
}

impl ApplyReport {
    /// Whether every object was applied.
    pub fn is_success(&self) -> bool {
        self.outcomes.iter().all(|o| o.result.is_ok())
    }

    /// The failed objects' errors.
    pub fn errors(&self) -> impl Iterator<Item = &ObjectError> {
        self.outcomes.iter().filter_map(|o| o.result.as_ref().err())
    }

    /// The first unreachability error, if the cluster could not be reached.
    pub fn unreachable(&self) -> Option<&ObjectError> {
        self.errors().find(|e| e.is_unreachable())
    }

    /// The first error concerning the whole cluster (unreachable or credentials refused).
    pub fn cluster_failure(&self) -> Option<&ObjectError> {
        self.errors().find(|e| e.is_cluster_failure())
    }
}

/// Per-object state during one apply call.
struct Slot {
    reference: Option<ObjectIdentity>,
    body: Value,
    resolved: Option<Resolved>,
    result: Option<Result<Applied, ObjectError>>,
}

impl Cluster {
    /// Applies `objects` (complete Kubernetes objects) with server-side apply in dependency
    /// order: CRDs (then waits until they are Established), Namespaces, other cluster-scoped
    /// objects, configuration, workloads, the rest. Key fields of associative lists that the
    /// server would default (a port's `protocol`) are filled in first, see [`defaults`].
    /// A failing object does not stop the others;
    /// an unreachable cluster stops the call and marks the objects not attempted as skipped.
    pub async fn apply(&self, objects: Vec<Value>, options: &ApplyOptions) -> ApplyReport {
        let mut slots: Vec<Slot> = objects
            .into_iter()
            .enumerate()
            .map(|(index, mut body)| {
                let reference = ObjectIdentity::of(&body);
                match &options.ownership {
                    Some(ownership) => ownership.stamp(&mut body),
                    None => clean_for_apply(&mut body),
                }
                defaults::fill_list_map_keys(&mut body);
                let (reference, result) = match reference {
                    Ok(r) => (Some(r), None),
                    Err(source) => (None, Some(Err(ObjectError::Invalid { index, source }))),
                };
                Slot {
                    reference,
                    body,
                    resolved: None,
                    result,
                }
            })
            .collect();

        let pending = |slots: &[Slot], phase: Option<Phase>| -> Vec<usize> {
            slots
                .iter()
                .enumerate()
                .filter(|(_, s)| s.result.is_none())
                .filter(|(_, s)| {
                    let r = s.reference.as_ref().expect("valid");
                    let namespaced = s.resolved.as_ref().map(|x| x.namespaced);
                    phase.is_none_or(|p| Phase::of(r, namespaced) == p)
                })
                .map(|(i, _)| i)
                .collect()
        };

        // CRDs first, then wait for them so their kinds resolve.
        let crds = pending(&slots, Some(Phase::CustomResourceDefinitions));
        let mut new_versions = HashSet::new();
        if !crds.is_empty() {
            self.resolve_all(&mut slots, &crds, &HashSet::new(), options)
                .await;
            let ready = pending(&slots, Some(Phase::CustomResourceDefinitions));
            self.apply_batch(&mut slots, &ready, options).await;
            self.wait_established(&mut slots, &ready, options).await;
            for &i in &ready {
                new_versions.extend(served_versions(&slots[i].body));
            }
            self.discovery().invalidate();
        }

        if !self.stop_if_unreachable(&mut slots) {
            let rest = pending(&slots, None);
            self.resolve_all(&mut slots, &rest, &new_versions, options)
                .await;
            for phase in &Phase::ALL[1..] {
                if self.stop_if_unreachable(&mut slots) {
                    break;
                }
                let batch = pending(&slots, Some(*phase));
                self.apply_batch(&mut slots, &batch, options).await;
            }
            self.stop_if_unreachable(&mut slots);
        }

        ApplyReport {
            cluster: self.name().to_string(),
            outcomes: slots
                .into_iter()
                .enumerate()
                .map(|(index, slot)| ObjectOutcome {
                    index,
                    result: slot.result.unwrap_or_else(|| {
                        Err(ObjectError::Skipped {
                            reference: Box::new(slot.reference.clone().expect("valid")),
                            cluster: self.name().to_string(),
                        })
                    }),
                    reference: slot.reference,
                })
                .collect(),
        }
    }

    /// Marks every pending object as skipped when an object found the cluster unreachable.
    fn stop_if_unreachable(&self, slots: &mut [Slot]) -> bool {
        let unreachable = slots.iter().any(|s| {
            s.result
                .as_ref()
                .is_some_and(|r| r.as_ref().is_err_and(ObjectError::is_cluster_failure))
        });
        if unreachable {
            for slot in slots.iter_mut().filter(|s| s.result.is_none()) {
                slot.result = Some(Err(ObjectError::Skipped {
                    reference: Box::new(slot.reference.clone().expect("valid")),
                    cluster: self.name().to_string(),
                }));
            }
        }
        unreachable
    }

    /// Resolves kinds; kinds of just-applied CRDs are retried until served (discovery lags a
    /// little behind the Established condition).
    async fn resolve_all(
        &self,
        slots: &mut [Slot],
        indices: &[usize],
        new_versions: &HashSet<String>,
        options: &ApplyOptions,
    ) {
        let deadline = Instant::now() + options.establish_timeout;
        for &i in indices {
            let reference = slots[i].reference.clone().expect("valid");
            let mut refreshed = false;
            let result = loop {
                match self.resolve(&reference).await {
                    Err(ObjectError::UnknownKind { .. })
                        if new_versions.contains(&format!(
                            "{}/{}",
                            reference.group(),
                            reference.version()
                        )) && Instant::now() < deadline =>
                    {
                        tokio::time::sleep(Duration::from_millis(200)).await;
                        self.discovery().invalidate_version(&reference.api_version);
                    }
                    Err(ObjectError::UnknownKind { .. }) if !refreshed => {
                        // The cache may predate a CRD installed by someone else.
                        refreshed = true;
                        self.discovery().invalidate_version(&reference.api_version);
                    }
                    other => break other,
                }
            };
            match result {
                Ok(resolved) => slots[i].resolved = Some(resolved),
                Err(e) => {
                    let unreachable = e.is_cluster_failure();
                    slots[i].result = Some(Err(e));
                    if unreachable {
                        return;
                    }
                }
            }
        }
    }

    /// Applies the given (resolved) objects concurrently.
    async fn apply_batch(&self, slots: &mut [Slot], indices: &[usize], options: &ApplyOptions) {
        let params = {
            let p = PatchParams::apply(self.field_manager());
            if options.force { p.force() } else { p }
        };
        let results: Vec<(usize, Result<Applied, ObjectError>)> = {
            let slots = &*slots;
            let params = &params;
            futures::stream::iter(indices.iter().copied())
                .map(|i| async move {
                    let slot = &slots[i];
                    (i, self.apply_one(slot, params).await)
                })
                .buffer_unordered(options.concurrency.max(1))
                .collect()
                .await
        };
        for (i, result) in results {
            slots[i].result = Some(result);
        }
    }

    async fn apply_one(&self, slot: &Slot, params: &PatchParams) -> Result<Applied, ObjectError> {
        let reference = slot.reference.as_ref().expect("valid");
        let resolved = slot.resolved.as_ref().expect("resolved before apply");
        let api = self.api_for(resolved, reference);
        let mut body = slot.body.clone();
        if !resolved.namespaced
            && let Some(metadata) = body.get_mut("metadata").and_then(Value::as_object_mut)
        {
            metadata.remove("namespace");
        }
        tracing::debug!(cluster = self.name(), object = %reference.describe_versioned(), "server-side apply");
        let live = api
            .patch(&reference.name, params, &Patch::Apply(&body))
            .await
            .map_err(|e| self.error(reference, e))?;
        Ok(Applied {
            uid: live.metadata.uid.unwrap_or_default(),
            resource_version: live.metadata.resource_version.unwrap_or_default(),
        })
    }

    /// Waits until each applied CRD reports `Established=True`.
    async fn wait_established(
        &self,
        slots: &mut [Slot],
        indices: &[usize],
        options: &ApplyOptions,
    ) {
        let deadline = Instant::now() + options.establish_timeout;
        for &i in indices {
            if !matches!(slots[i].result, Some(Ok(_))) {
                continue;
            }
            let reference = slots[i].reference.clone().expect("valid");
            let resolved = slots[i].resolved.clone().expect("resolved");
            let api = self.api_for(&resolved, &reference);
            loop {
                match api.get(&reference.name).await {
                    Ok(live) if is_established(&live.data) => break,
                    Ok(_) if Instant::now() < deadline => {
                        tokio::time::sleep(Duration::from_millis(200)).await;
                    }
                    Ok(_) => {
                        slots[i].result = Some(Err(ObjectError::NotEstablished {
                            reference: Box::new(reference.clone()),
                            seconds: options.establish_timeout.as_secs(),
                        }));
                        break;
                    }
                    Err(e) => {
                        slots[i].result = Some(Err(self.error(&reference, e)));
                        break;
                    }
                }
            }
        }
    }
}

fn is_established(crd: &Value) -> bool {
    crd.pointer("/status/conditions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .any(|c| c["type"] == "Established" && c["status"] == "True")
}

/// `<group>/<version>` for each version a CRD serves.
fn served_versions(crd: &Value) -> Vec<String> {
    let group = crd
        .pointer("/spec/group")
        .and_then(Value::as_str)
        .unwrap_or("");
    let mut versions: Vec<String> = crd
        .pointer("/spec/versions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|v| v.get("name").and_then(Value::as_str))
        .map(|v| format!("{group}/{v}"))
        .collect();
    if let Some(v) = crd.pointer("/spec/version").and_then(Value::as_str) {
        versions.push(format!("{group}/{v}"));
    }
    versions
}
