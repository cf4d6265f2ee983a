//! Which requests a refresh sends: one LIST per group of objects that share an `apiVersion`,
//! `kind` and namespace, one GET per object left over. Pure: it decides, [`super::by_list`]
//! sends.
//!
//! # When a list beats GETs
//!
//! The list is label-selected by the subscription's ownership labels, so it returns the
//! subscription's own objects of that kind in that namespace: about the objects asked for,
//! plus the few the subscription deployed and no longer wants (which pruning removes). A group
//! of `n` objects therefore costs one request instead of `n`, for about the same bytes. A group
//! of one object gains nothing from a list (one request either way) and a GET needs no `list`
//! permission, so groups with fewer than [`MIN_OBJECTS_PER_LIST`] distinct names are read by
//! GET. There is no upper bound: a big group is paged (see [`super::by_list::PAGE_SIZE`]).

use std::collections::BTreeMap;

use clusternet_model::identity::ObjectIdentity;

/// The fewest distinct objects of one group read with a LIST rather than GETs.
pub const MIN_OBJECTS_PER_LIST: usize = 2;

/// What one LIST covers: a kind in a namespace as the references name it (`None`: no
/// namespace given; the lister reads a namespaced kind's `default` namespace then, like a GET
/// does, and a cluster-scoped kind cluster-wide whatever the namespace).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct GroupKey {
    /// `apiVersion`, e.g. `apps/v1`.
    pub api_version: String,
    /// `kind`, e.g. `Deployment`.
    pub kind: String,
    /// `metadata.namespace` of the references, if any.
    pub namespace: Option<String>,
}

impl GroupKey {
    /// The group `reference` belongs to.
    pub fn of(reference: &ObjectIdentity) -> GroupKey {
        GroupKey {
            api_version: reference.api_version.clone(),
            kind: reference.kind.clone(),
            namespace: reference.namespace.clone(),
        }
    }

    /// A reference standing for the whole group in requests and errors (`name` is `*`).
    pub fn probe(&self) -> ObjectIdentity {
        ObjectIdentity::new(
            &self.api_version,
            &self.kind,
            self.namespace.as_deref(),
            "*",
        )
    }
}

/// The references one LIST reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListGroup {
    /// The kind and namespace listed.
    pub key: GroupKey,
    /// Positions of the references in the input, in input order.
    pub members: Vec<usize>,
}

/// The requests for one cluster's references.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadPlan {
    /// One LIST per group, in [`GroupKey`] order.
    pub lists: Vec<ListGroup>,
    /// Positions of the references read by GET, in input order.
    pub gets: Vec<usize>,
}

impl ReadPlan {
    /// Groups `references` by kind and namespace; groups of fewer than
    /// [`MIN_OBJECTS_PER_LIST`] distinct names go to [`ReadPlan::gets`].
    pub fn for_references(references: &[ObjectIdentity]) -> ReadPlan {
        let mut groups: BTreeMap<GroupKey, Vec<usize>> = BTreeMap::new();
        for (i, reference) in references.iter().enumerate() {
            groups.entry(GroupKey::of(reference)).or_default().push(i);
        }
        let mut plan = ReadPlan::default();
        for (key, members) in groups {
            let mut names: Vec<&str> = members
                .iter()
                .map(|&i| references[i].name.as_str())
                .collect();
            names.sort_unstable();
            names.dedup();
            if names.len() >= MIN_OBJECTS_PER_LIST {
                plan.lists.push(ListGroup { key, members });
            } else {
                plan.gets.extend(members);
            }
        }
        plan.gets.sort_unstable();
        plan
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cm(namespace: &str, name: &str) -> ObjectIdentity {
        ObjectIdentity::new("v1", "ConfigMap", Some(namespace), name)
    }

    fn deployment(namespace: &str, name: &str) -> ObjectIdentity {
        ObjectIdentity::new("apps/v1", "Deployment", Some(namespace), name)
    }

    #[test]
    fn references_of_one_kind_and_namespace_share_a_list() {
        let references = [
            cm("a", "x"),
            deployment("a", "d1"),
            cm("a", "y"),
            deployment("a", "d2"),
        ];
        let plan = ReadPlan::for_references(&references);
        assert_eq!(plan.gets, Vec::<usize>::new());
        assert_eq!(
            plan.lists,
            vec![
                ListGroup {
                    key: GroupKey::of(&deployment("a", "")),
                    members: vec![1, 3],
                },
                ListGroup {
                    key: GroupKey::of(&cm("a", "")),
                    members: vec![0, 2],
                },
            ]
        );
    }

    #[test]
    fn each_namespace_is_its_own_list() {
        let references = [cm("a", "x"), cm("b", "x"), cm("a", "y"), cm("b", "y")];
        let plan = ReadPlan::for_references(&references);
        let members: Vec<&[usize]> = plan.lists.iter().map(|g| g.members.as_slice()).collect();
        assert_eq!(members, [&[0, 2][..], &[1, 3][..]]);
        assert_eq!(plan.lists[0].key.namespace.as_deref(), Some("a"));
    }

    #[test]
    fn an_object_alone_in_its_group_is_read_by_get() {
        let references = [
            cm("a", "x"),
            deployment("a", "only"),
            cm("a", "y"),
            cm("b", "z"),
        ];
        let plan = ReadPlan::for_references(&references);
        assert_eq!(plan.gets, vec![1, 3]);
        assert_eq!(plan.lists.len(), 1);
        assert_eq!(plan.lists[0].members, vec![0, 2]);
    }

    #[test]
    fn the_same_object_twice_does_not_make_a_list() {
        let references = [cm("a", "x"), cm("a", "x")];
        let plan = ReadPlan::for_references(&references);
        assert!(plan.lists.is_empty());
        assert_eq!(plan.gets, vec![0, 1]);
    }

    #[test]
    fn versions_of_a_kind_are_listed_apart() {
        let references = [
            ObjectIdentity::new("example.com/v1", "Widget", None, "a"),
            ObjectIdentity::new("example.com/v2", "Widget", None, "b"),
            ObjectIdentity::new("example.com/v1", "Widget", None, "c"),
        ];
        let plan = ReadPlan::for_references(&references);
        assert_eq!(plan.gets, vec![1]);
        assert_eq!(plan.lists[0].members, vec![0, 2]);
        assert_eq!(plan.lists[0].key.namespace, None);
    }

    #[test]
    fn every_reference_is_read_exactly_once() {
        let references: Vec<ObjectIdentity> = (0..40)
            .map(|i| match i % 4 {
                0 => cm("a", &format!("c{i}")),
                1 => cm("b", &format!("c{i}")),
                2 => deployment("a", &format!("d{i}")),
                _ => ObjectIdentity::new("v1", "Namespace", None, format!("n{i}")),
            })
            .chain([deployment("lonely", "d")])
            .collect();
        let plan = ReadPlan::for_references(&references);
        let mut seen: Vec<usize> = plan
            .lists
            .iter()
            .flat_map(|g| g.members.iter().copied())
            .chain(plan.gets.iter().copied())
            .collect();
        seen.sort_unstable();
        assert_eq!(seen, (0..references.len()).collect::<Vec<_>>());
        assert_eq!(plan.lists.len(), 4);
    }

    #[test]
    fn the_probe_names_the_group() {
        let probe = GroupKey::of(&cm("a", "x")).probe();
        assert_eq!(
            probe,
            ObjectIdentity::new("v1", "ConfigMap", Some("a"), "*")
        );
    }
}
