//! Overrides changed in this run that a subscription only sees at its next apply.
//!
//! A subscription renders with the overrides passed to it in `overrides` and, for the others, the
//! hub snapshot taken before this run wrote anything (DESIGN.md §5). So when one plan
//! creates or changes a Localization or Globalization of a feed of a subscription that does
//! not pass it in `overrides`, that subscription keeps the old override this run and picks
//! the new one up at its next apply (like Clusternet's ApplyLater). Terraform plans the two
//! resources in no particular order, so both plans report here and whichever comes second
//! carries the warning.

use std::collections::{BTreeMap, BTreeSet};

use clusternet_tfplugin::{AttributePath, Diagnostic, Diagnostics};

use crate::snapshot::OverrideId;
use clusternet_model::identity::ObjectIdentity;

/// An override this run creates or changes.
#[derive(Debug, Clone)]
pub struct ChangedOverride {
    /// Its identity.
    pub id: OverrideId,
    /// The feed it overrides.
    pub feed: ObjectIdentity,
}

/// A subscription planned in this run.
#[derive(Debug, Clone)]
pub struct PlannedSubscription {
    /// `<namespace>/<name>`.
    pub id: String,
    /// Its feeds.
    pub feeds: Vec<ObjectIdentity>,
    /// The overrides passed to it in `overrides`.
    pub passed: BTreeSet<OverrideId>,
    /// The dedicated namespaces of its bound clusters (a Localization elsewhere never
    /// reaches it).
    pub namespaces: BTreeSet<String>,
}

impl PlannedSubscription {
    fn misses(&self, change: &ChangedOverride) -> bool {
        let feed_matches = self.feeds.iter().any(|f| {
            f.kind == change.feed.kind
                && f.name == change.feed.name
                && (change.feed.kind == "HelmChart" || f.api_version == change.feed.api_version)
                && (change.feed.namespace.is_none() || f.namespace == change.feed.namespace)
        });
        let reaches =
            change.id.kind != "Localization" || self.namespaces.contains(&change.id.namespace);
        feed_matches && reaches && !self.passed.contains(&change.id)
    }
}

/// What this process planned so far.
#[derive(Debug, Default)]
pub struct PendingOverrides {
    overrides: BTreeMap<OverrideId, ChangedOverride>,
    subscriptions: BTreeMap<String, PlannedSubscription>,
}

impl PendingOverrides {
    /// Records a changed override; the subscriptions already planned that it misses.
    pub fn override_changed(&mut self, change: ChangedOverride) -> Vec<String> {
        let missed = self
            .subscriptions
            .values()
            .filter(|s| s.misses(&change))
            .map(|s| s.id.clone())
            .collect();
        self.overrides.insert(change.id.clone(), change);
        missed
    }

    /// Records a planned subscription; the changed overrides already planned it misses.
    pub fn subscription_planned(&mut self, subscription: PlannedSubscription) -> Vec<OverrideId> {
        let missed = self
            .overrides
            .values()
            .filter(|o| subscription.misses(o))
            .map(|o| o.id.clone())
            .collect();
        self.subscriptions
            .insert(subscription.id.clone(), subscription);
        missed
    }
}

/// The warning: `override_id` changes in this run and takes effect for `subscription` at
/// its next apply; `attribute` is where it shows.
pub fn warning(override_id: &OverrideId, subscription: &str, attribute: &str) -> Diagnostics {
    Diagnostic::warning(
        "Override takes effect at the next apply",
        format!(
            "{override_id} is created or changed by this plan and takes effect for \
             subscription {subscription} at its next apply: the subscription does not pass it \
             in `overrides`, so it renders with the hub's copy from before this run. Add its \
             `ref` to the subscription's `overrides` to see and apply the change in this run."
        ),
    )
    .at(AttributePath::root().attr(attribute))
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loc(name: &str) -> OverrideId {
        OverrideId {
            kind: "Localization".into(),
            namespace: "clusternet-c1".into(),
            name: name.into(),
        }
    }

    fn feed() -> ObjectIdentity {
        "v1/ConfigMap/shop/settings"
            .parse::<ObjectIdentity>()
            .unwrap()
    }

    fn subscription(passed: &[OverrideId]) -> PlannedSubscription {
        PlannedSubscription {
            id: "shop/app".into(),
            feeds: vec![feed()],
            passed: passed.iter().cloned().collect(),
            namespaces: BTreeSet::from(["clusternet-c1".to_string()]),
        }
    }

    #[test]
    fn whichever_plans_second_reports_the_miss() {
        let change = ChangedOverride {
            id: loc("color"),
            feed: feed(),
        };
        let mut first_override = PendingOverrides::default();
        assert!(first_override.override_changed(change.clone()).is_empty());
        assert_eq!(
            first_override.subscription_planned(subscription(&[])),
            [loc("color")]
        );

        let mut first_subscription = PendingOverrides::default();
        assert!(
            first_subscription
                .subscription_planned(subscription(&[]))
                .is_empty()
        );
        assert_eq!(first_subscription.override_changed(change), ["shop/app"]);
    }

    #[test]
    fn passed_overrides_other_feeds_and_unbound_clusters_are_no_miss() {
        let mut pending = PendingOverrides::default();
        pending.subscription_planned(subscription(&[loc("color")]));
        let other_feed = "v1/ConfigMap/shop/other".parse::<ObjectIdentity>().unwrap();
        let other_cluster = OverrideId {
            namespace: "clusternet-c2".into(),
            ..loc("x")
        };
        for change in [
            ChangedOverride {
                id: loc("color"),
                feed: feed(),
            },
            ChangedOverride {
                id: loc("y"),
                feed: other_feed,
            },
            ChangedOverride {
                id: other_cluster,
                feed: feed(),
            },
        ] {
            assert!(pending.override_changed(change).is_empty());
        }
    }
}
