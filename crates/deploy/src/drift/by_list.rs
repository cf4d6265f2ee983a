//! Reading a refresh's objects by LIST: one label-selected, paged list per kind and namespace
//! (see [`ReadPlan`] for which groups are listed), with GETs where a list cannot tell.
//!
//! The results are those of [`Cluster::read_live`], object for object: a list only saves
//! requests. So an object the list does not return is read by GET before it counts as gone
//! (it may exist without our labels: adopted, or its labels edited by someone), and a group
//! whose list the server refuses (403: RBAC granting `get` only; 404/405: the kind is not
//! listable there; 410: a page's continue token expired) is read by GETs. Any other failure of
//! a list is the failure of each of its objects, as a failed GET would be: an unreadable
//! cluster never looks in sync.

use std::collections::HashMap;

use futures::StreamExt;
use kube::api::{Api, DynamicObject, ListParams};
use serde_json::Value;

use super::LiveObject;
use super::read_plan::{GroupKey, ListGroup, ReadPlan};
use crate::cluster::Cluster;
use crate::error::ObjectError;
use clusternet_model::identity::ObjectIdentity;

/// Objects per page of a list (kubectl's chunk size): a namespace of thousands of objects is
/// read in several requests rather than one huge answer.
pub const PAGE_SIZE: u32 = 500;

/// The HTTP statuses of a list that send its group to per-object GETs (see the module doc).
const LIST_REFUSED: [u16; 4] = [403, 404, 405, 410];

/// What one group's list found.
enum Listing {
    /// The listed objects by name.
    Found(HashMap<String, Value>),
    /// The kind is not served: every object of the group is gone, as a GET would say.
    Unserved,
    /// The server refused the list; its objects are read by GET.
    Refused,
}

impl Cluster {
    /// Reads each referenced object whole, like [`Cluster::read_live`], but by one LIST per
    /// kind and namespace selected by `selector` (the owner's labels, see
    /// [`crate::Ownership::label_selector`]) where that saves requests, and by GET otherwise
    /// or where the list does not settle it (see the module doc). At most `concurrency`
    /// requests are in flight; results come back in `references`' order.
    pub async fn read_live_by_list(
        &self,
        references: &[ObjectIdentity],
        selector: &str,
        concurrency: usize,
    ) -> Vec<LiveObject> {
        let plan = ReadPlan::for_references(references);
        let mut states: Vec<Option<Result<Option<Value>, ObjectError>>> =
            references.iter().map(|_| None).collect();
        let mut by_get = plan.gets;
        let listed: Vec<(ListGroup, Result<Listing, ObjectError>)> =
            futures::stream::iter(plan.lists)
                .map(|group| async move {
                    let listing = self.list_group(&group.key, selector).await;
                    (group, listing)
                })
                .buffered(concurrency.max(1))
                .collect()
                .await;
        for (group, listing) in listed {
            match listing {
                Ok(Listing::Found(by_name)) => {
                    for i in group.members {
                        match by_name.get(&references[i].name) {
                            Some(object) => states[i] = Some(Ok(Some(object.clone()))),
                            None => by_get.push(i),
                        }
                    }
                }
                Ok(Listing::Unserved) => {
                    for i in group.members {
                        states[i] = Some(Ok(None));
                    }
                }
                Ok(Listing::Refused) => by_get.extend(group.members),
                Err(e) => {
                    for i in group.members {
                        states[i] = Some(Err(e.clone()));
                    }
                }
            }
        }
        by_get.sort_unstable();
        let wanted: Vec<ObjectIdentity> = by_get.iter().map(|&i| references[i].clone()).collect();
        for (i, live) in by_get
            .into_iter()
            .zip(self.read_live(&wanted, concurrency).await)
        {
            states[i] = Some(live.state);
        }
        references
            .iter()
            .cloned()
            .zip(states)
            .map(|(reference, state)| LiveObject {
                state: state.expect("every reference is listed or read by GET"),
                reference,
            })
            .collect()
    }

    /// Every object of the group's kind in its namespace (cluster-wide for a cluster-scoped
    /// kind) that matches `selector`, by name, all pages.
    async fn list_group(&self, key: &GroupKey, selector: &str) -> Result<Listing, ObjectError> {
        let probe = key.probe();
        let resolved = match self.resolve(&probe).await {
            Ok(r) => r,
            Err(ObjectError::UnknownKind { .. }) => return Ok(Listing::Unserved),
            Err(e) => return Err(e),
        };
        let api: Api<DynamicObject> = self.api_for(&resolved, &probe);
        let mut found = HashMap::new();
        let mut params = ListParams::default().labels(selector).limit(PAGE_SIZE);
        loop {
            let page = match api.list(&params).await {
                Ok(page) => page,
                Err(kube::Error::Api(status)) if LIST_REFUSED.contains(&status.code) => {
                    tracing::debug!(
                        cluster = self.name(),
                        list = %probe.describe_versioned(),
                        code = status.code,
                        "list refused, reading its objects by GET"
                    );
                    return Ok(Listing::Refused);
                }
                Err(e) => return Err(self.error(&probe, e)),
            };
            for mut item in page.items {
                // List items carry no apiVersion/kind of their own; a GET's answer does.
                item.types.get_or_insert_with(|| kube::core::TypeMeta {
                    api_version: key.api_version.clone(),
                    kind: key.kind.clone(),
                });
                let Some(name) = item.metadata.name.clone() else {
                    continue;
                };
                let object = serde_json::to_value(item).map_err(|e| ObjectError::Internal {
                    reference: Box::new(probe.clone()),
                    message: e.to_string(),
                })?;
                found.insert(name, object);
            }
            match page.metadata.continue_.filter(|token| !token.is_empty()) {
                Some(token) => params = params.continue_token(&token),
                None => return Ok(Listing::Found(found)),
            }
        }
    }
}
