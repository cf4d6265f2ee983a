//! Serde types for the Clusternet API objects, with upstream JSON field names,
//! CRD defaults and enums.

pub mod base;
pub mod cluster;
pub mod feed_inventory;
pub mod helm_chart;
pub mod manifest;
pub mod meta;
pub mod overrides;
pub mod subscription;

pub use base::{Base, BaseSpec, ChartReference, Deployer, Description, DescriptionSpec};
pub use cluster::{
    ClusterType, ManagedCluster, ManagedClusterSpec, SyncMode, Taint, TaintEffect, Toleration,
    TolerationOperator,
};
pub use feed_inventory::{FeedInventory, FeedInventorySpec, FeedOrder};
pub use helm_chart::{ChartPhase, ChartPullSecret, HelmChart, HelmChartSpec, HelmChartStatus};
pub use manifest::Manifest;
pub use meta::{
    DEFAULT_NAMESPACE, LabelSelector, LabelSelectorRequirement, ObjectMeta, OwnerReference,
    SelectorOperator, StringMap,
};
pub use overrides::{
    FieldFormat, Globalization, GlobalizationSpec, Localization, LocalizationSpec, OverrideConfig,
    OverridePolicy, OverrideType,
};
pub use subscription::{
    DividingScheduling, DividingType, DynamicDividing, DynamicStrategy, Feed, FeedKey,
    PreemptionPolicy, SchedulingStrategy, SubGroupStrategy, Subscriber, Subscription,
    SubscriptionSpec, SubscriptionStatus,
};

/// `apps.clusternet.io/v1alpha1`.
pub const APPS_API_VERSION: &str = "apps.clusternet.io/v1alpha1";
/// `clusters.clusternet.io/v1beta1`.
pub const CLUSTERS_API_VERSION: &str = "clusters.clusternet.io/v1beta1";
