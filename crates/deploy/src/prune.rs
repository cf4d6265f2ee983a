//! Deleting objects: pruning what left the desired set, and destroying a set, in reverse
//! dependency order, never touching an object another owner holds.

use std::collections::BTreeSet;
use std::fmt;

use futures::StreamExt;
use kube::api::{DeleteParams, ListParams, Preconditions};
use serde_json::Value;

use crate::cluster::Cluster;
use crate::error::ObjectError;
use crate::ordering::{Phase, delete_order};
use crate::ownership::Ownership;
use clusternet_model::identity::ObjectIdentity;

/// What happened to one object asked to be deleted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Deleted {
    /// Deletion was requested (background propagation: dependents go after it).
    Deleted,
    /// It did not exist (or its kind is no longer served).
    AlreadyGone,
    /// It exists but does not carry the owner's marks: left alone.
    NotOwned,
}

/// One object's deletion outcome.
#[derive(Debug, Clone)]
pub struct DeleteOutcome {
    /// The object.
    pub reference: ObjectIdentity,
    /// Deleted, gone, left alone, or why not.
    pub result: Result<Deleted, ObjectError>,
}

/// The outcome of a prune or delete call, in the order the deletions ran.
#[derive(Debug, Clone)]
pub struct DeleteReport {
    /// The cluster.
    pub cluster: String,
    /// Per object, in deletion order.
    pub outcomes: Vec<DeleteOutcome>,
}

impl DeleteReport {
    /// Whether no deletion failed.
    pub fn is_success(&self) -> bool {
        self.outcomes.iter().all(|o| o.result.is_ok())
    }

    /// The objects actually deleted.
    pub fn deleted(&self) -> impl Iterator<Item = &ObjectIdentity> {
        self.outcomes
            .iter()
            .filter(|o| o.result == Ok(Deleted::Deleted))
            .map(|o| &o.reference)
    }
}

impl fmt::Display for Deleted {
    /// What happened, as the end of a sentence about the object: `deleted`, `already gone`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Deleted::Deleted => "deleted",
            Deleted::AlreadyGone => "already gone",
            Deleted::NotOwned => "left alone, it does not carry the owner's marks",
        })
    }
}

impl fmt::Display for DeleteOutcome {
    /// `<apiVersion>/<Kind> [<namespace>/]<name>: deleted`, or the error (which names the
    /// object itself).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let object = self.reference.describe_versioned();
        match &self.result {
            Ok(deleted) => write!(f, "{object}: {deleted}"),
            Err(error) if error.reference().is_some() => write!(f, "{error}"),
            Err(error) => write!(f, "{object}: {error}"),
        }
    }
}

impl fmt::Display for DeleteReport {
    /// A sentence without a final full stop: how many deletions failed on which cluster and
    /// why, each failure named (`1 of 3 deletions on cluster far failed: v1/ConfigMap a/b:
    /// ...`); for a successful report, what was deleted, gone or left alone.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let failed: Vec<&DeleteOutcome> =
            self.outcomes.iter().filter(|o| o.result.is_err()).collect();
        if failed.is_empty() {
            let count = |kind: Deleted| {
                self.outcomes
                    .iter()
                    .filter(|o| o.result.as_ref() == Ok(&kind))
                    .count()
            };
            return write!(
                f,
                "every deletion on cluster {} succeeded ({} deleted, {} already gone, {} left \
                 alone)",
                self.cluster,
                count(Deleted::Deleted),
                count(Deleted::AlreadyGone),
                count(Deleted::NotOwned)
            );
        }
        write!(
            f,
            "{} of {} deletions on cluster {} failed: ",
            failed.len(),
            self.outcomes.len(),
            self.cluster
        )?;
        for (i, outcome) in failed.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{outcome}")?;
        }
        Ok(())
    }
}

/// Identity ignoring the version (one object is served under several versions) and with the
/// namespace as the server sees it.
type Identity = (String, String, Option<String>, String);

impl Cluster {
    /// Deletes the objects owned by `ownership` that are not in `desired`. Candidates are
    /// `previous` (what the provider recorded as applied) plus, when the ownership has labels,
    /// every object of the kinds in `desired` and `previous` that carries them. A candidate is
    /// deleted only if it carries the owner's marks ([`Ownership::owns`]).
    pub async fn prune(
        &self,
        desired: &[ObjectIdentity],
        previous: &[ObjectIdentity],
        ownership: &Ownership,
    ) -> DeleteReport {
        let mut keep = BTreeSet::new();
        for r in desired {
            keep.insert(self.identity(r).await);
        }
        let mut candidates: Vec<ObjectIdentity> = previous.to_vec();
        let mut errors = Vec::new();
        if let Some(selector) = ownership.label_selector() {
            let kinds: BTreeSet<(String, String)> = desired
                .iter()
                .chain(previous)
                .map(|r| (r.api_version.clone(), r.kind.clone()))
                .collect();
            for (api_version, kind) in kinds {
                match self.list_labelled(&api_version, &kind, &selector).await {
                    Ok(found) => candidates.extend(found),
                    Err(e) if e.is_cluster_failure() => {
                        return DeleteReport {
                            cluster: self.name().to_string(),
                            outcomes: vec![DeleteOutcome {
                                reference: ObjectIdentity::new(api_version, kind, None, "*"),
                                result: Err(e),
                            }],
                        };
                    }
                    Err(e) => errors.push(e),
                }
            }
        }
        let mut seen = BTreeSet::new();
        let mut doomed = Vec::new();
        for r in candidates {
            let id = self.identity(&r).await;
            if !keep.contains(&id) && seen.insert(id) {
                doomed.push(r);
            }
        }
        let mut report = self.delete(&doomed, Some(ownership), 8).await;
        report.outcomes.extend(errors.into_iter().map(|e| {
            DeleteOutcome {
                reference: e
                    .reference()
                    .cloned()
                    .unwrap_or_else(|| ObjectIdentity::new("", "", None, "")),
                result: Err(e),
            }
        }));
        report
    }

    /// Deletes `references` in reverse dependency order (workloads before their namespaces,
    /// custom resources before their CRDs); with `ownership`, objects not carrying its marks
    /// are left alone. Stops at an unreachable cluster.
    pub async fn delete(
        &self,
        references: &[ObjectIdentity],
        ownership: Option<&Ownership>,
        concurrency: usize,
    ) -> DeleteReport {
        let mut scoped = Vec::with_capacity(references.len());
        for r in references {
            let namespaced = self.resolve(r).await.ok().map(|x| x.namespaced);
            scoped.push((r.clone(), namespaced));
        }
        let order = delete_order(&scoped);
        let mut outcomes = Vec::new();
        let mut phases: Vec<(Phase, Vec<usize>)> = Vec::new();
        for i in order {
            let phase = Phase::of(&scoped[i].0, scoped[i].1);
            match phases.last_mut() {
                Some((p, batch)) if *p == phase => batch.push(i),
                _ => phases.push((phase, vec![i])),
            }
        }
        let mut unreachable = false;
        for (phase, batch) in phases {
            if unreachable {
                outcomes.extend(batch.iter().map(|&i| DeleteOutcome {
                    reference: scoped[i].0.clone(),
                    result: Err(ObjectError::Skipped {
                        reference: Box::new(scoped[i].0.clone()),
                        cluster: self.name().to_string(),
                    }),
                }));
                continue;
            }
            let done: Vec<DeleteOutcome> = futures::stream::iter(batch)
                .map(|i| {
                    let reference = &scoped[i].0;
                    async move {
                        DeleteOutcome {
                            reference: reference.clone(),
                            result: self.delete_one(reference, ownership).await,
                        }
                    }
                })
                .buffered(concurrency.max(1))
                .collect()
                .await;
            unreachable = done.iter().any(|o| {
                o.result
                    .as_ref()
                    .is_err_and(ObjectError::is_cluster_failure)
            });
            if phase == Phase::CustomResourceDefinitions {
                self.discovery().invalidate();
            }
            outcomes.extend(done);
        }
        DeleteReport {
            cluster: self.name().to_string(),
            outcomes,
        }
    }

    async fn delete_one(
        &self,
        reference: &ObjectIdentity,
        ownership: Option<&Ownership>,
    ) -> Result<Deleted, ObjectError> {
        let resolved = match self.resolve(reference).await {
            Ok(r) => r,
            Err(ObjectError::UnknownKind { .. }) => return Ok(Deleted::AlreadyGone),
            Err(e) => return Err(e),
        };
        let api = self.api_for(&resolved, reference);
        let live = match api.get_opt(&reference.name).await {
            Ok(Some(live)) => live,
            Ok(None) => return Ok(Deleted::AlreadyGone),
            Err(e) => return Err(self.error(reference, e)),
        };
        if let Some(ownership) = ownership {
            let value = serde_json::to_value(&live).unwrap_or(Value::Null);
            if !ownership.owns(&value) {
                return Ok(Deleted::NotOwned);
            }
        }
        let params = DeleteParams {
            // Only the object we looked at, not one re-created meanwhile under the same name.
            preconditions: Some(Preconditions {
                uid: live.metadata.uid.clone(),
                resource_version: None,
            }),
            ..DeleteParams::background()
        };
        tracing::debug!(cluster = self.name(), object = %reference.describe_versioned(), "delete");
        match api.delete(&reference.name, &params).await {
            Ok(_) => Ok(Deleted::Deleted),
            Err(kube::Error::Api(status)) if status.code == 404 => Ok(Deleted::AlreadyGone),
            Err(e) => Err(self.error(reference, e)),
        }
    }

    /// Every object of `api_version`/`kind` (all namespaces) matching `selector`.
    async fn list_labelled(
        &self,
        api_version: &str,
        kind: &str,
        selector: &str,
    ) -> Result<Vec<ObjectIdentity>, ObjectError> {
        let probe = ObjectIdentity::new(api_version, kind, None, "*");
        let resolved = match self.resolve(&probe).await {
            Ok(r) => r,
            Err(ObjectError::UnknownKind { .. }) => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        let api: kube::Api<kube::api::DynamicObject> =
            kube::Api::all_with(self.client().clone(), &resolved.resource);
        let list = api
            .list_metadata(&ListParams::default().labels(selector))
            .await
            .map_err(|e| self.error(&probe, e))?;
        Ok(list
            .items
            .into_iter()
            .filter_map(|item| {
                let name = item.metadata.name?;
                Some(ObjectIdentity::new(
                    api_version,
                    kind,
                    item.metadata.namespace.as_deref(),
                    name,
                ))
            })
            .collect())
    }

    async fn identity(&self, r: &ObjectIdentity) -> Identity {
        let namespace = match self.resolve(r).await {
            Ok(resolved) if resolved.namespaced => {
                Some(r.namespace.clone().unwrap_or_else(|| "default".into()))
            }
            Ok(_) => None,
            Err(_) => r.namespace.clone(),
        };
        (
            r.group().to_string(),
            r.kind.clone(),
            namespace,
            r.name.clone(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Unreachable;

    fn config_map(name: &str) -> ObjectIdentity {
        ObjectIdentity::new("v1", "ConfigMap", Some("apps"), name)
    }

    fn outcome(name: &str, result: Result<Deleted, ObjectError>) -> DeleteOutcome {
        DeleteOutcome {
            reference: config_map(name),
            result,
        }
    }

    #[test]
    fn a_failed_report_names_each_failed_object_and_why() {
        let report = DeleteReport {
            cluster: "far".into(),
            outcomes: vec![
                outcome("a", Ok(Deleted::Deleted)),
                outcome(
                    "b",
                    Err(ObjectError::Api {
                        reference: Box::new(config_map("b")),
                        code: 403,
                        reason: "Forbidden".into(),
                        message: "configmaps \"b\" is forbidden".into(),
                    }),
                ),
                outcome(
                    "c",
                    Err(ObjectError::Unreachable {
                        reference: Box::new(config_map("c")),
                        source: Unreachable {
                            cluster: "far".into(),
                            message: "connection refused".into(),
                        },
                    }),
                ),
            ],
        };
        assert_eq!(
            report.to_string(),
            "2 of 3 deletions on cluster far failed: v1/ConfigMap apps/b: the API server \
             answered 403 Forbidden: configmaps \"b\" is forbidden; v1/ConfigMap apps/c: \
             cluster far is unreachable: connection refused"
        );
    }

    #[test]
    fn a_successful_report_counts_what_happened() {
        let report = DeleteReport {
            cluster: "hub".into(),
            outcomes: vec![
                outcome("a", Ok(Deleted::Deleted)),
                outcome("b", Ok(Deleted::AlreadyGone)),
                outcome("c", Ok(Deleted::NotOwned)),
            ],
        };
        assert_eq!(
            report.to_string(),
            "every deletion on cluster hub succeeded (1 deleted, 1 already gone, 1 left alone)"
        );
    }

    #[test]
    fn outcomes_read_as_sentences_about_their_object() {
        assert_eq!(
            outcome("a", Ok(Deleted::NotOwned)).to_string(),
            "v1/ConfigMap apps/a: left alone, it does not carry the owner's marks"
        );
        assert_eq!(
            outcome("a", Ok(Deleted::AlreadyGone)).to_string(),
            "v1/ConfigMap apps/a: already gone"
        );
    }
}
