//! Assembly of the controller-manager's objects (spec §5): Bases, dividing
//! Localizations, Descriptions, and the HelmChart JSON that `chartRaw` starts from.

use serde_json::Value;

use crate::naming;
use crate::types::{
    APPS_API_VERSION, Base, BaseSpec, ChartReference, Deployer, Description, DescriptionSpec, Feed,
    HelmChart, Localization, LocalizationSpec, ManagedCluster, ObjectMeta, OverrideConfig,
    OverridePolicy, OverrideType, OwnerReference, StringMap, Subscription,
    cluster::{CLUSTER_ID_LABEL, CLUSTER_NAME_LABEL},
};

/// Finalizer on Bases, Descriptions and feeds.
pub const FINALIZER: &str = "apps.clusternet.io/finalizer";
/// `clusternet.io/created-by`.
pub const CREATED_BY: &str = "clusternet.io/created-by";
/// Value of `created-by` for controller-manager objects.
pub const CONTROLLER_MANAGER: &str = "clusternet-controller-manager";
/// Annotation copied from a Subscription to its Bases.
pub const DEFAULT_CLUSTER_INIT: &str = "apps.clusternet.io/is-default-cluster-init";
/// Priority of generated dividing Localizations.
pub const DIVIDING_PRIORITY: i32 = 1000;
/// Name of the override inside a dividing Localization.
pub const DIVIDING_OVERRIDE_NAME: &str = "dividing scheduling replicas";

fn label(labels: &mut StringMap, key: &str, value: &str) {
    labels.insert(key.to_string(), value.to_string());
}

/// The UID of a Subscription: its own, or one derived from its identity.
pub fn subscription_uid(subscription: &Subscription) -> String {
    if subscription.metadata.uid.is_empty() {
        naming::uid(&[
            "Subscription",
            &subscription.metadata.namespace,
            &subscription.metadata.name,
        ])
    } else {
        subscription.metadata.uid.clone()
    }
}

/// The Base of `subscription` in `cluster`'s namespace (spec §5.1).
pub fn base(subscription: &Subscription, sub_uid: &str, cluster: &ManagedCluster) -> Base {
    let sub = &subscription.metadata;
    let namespace = &cluster.metadata.namespace;
    let name = format!(
        "{}-{}",
        sub.name,
        naming::suffix(&["Base", &sub.namespace, &sub.name, namespace])
    );
    let mut labels = StringMap::new();
    label(&mut labels, CREATED_BY, CONTROLLER_MANAGER);
    label(
        &mut labels,
        "apps.clusternet.io/config.kind",
        "Subscription",
    );
    label(
        &mut labels,
        "apps.clusternet.io/config.namespace",
        &sub.namespace,
    );
    label(&mut labels, "apps.clusternet.io/config.uid", sub_uid);
    label(
        &mut labels,
        "apps.clusternet.io/subs.namespace",
        &sub.namespace,
    );
    label(&mut labels, "apps.clusternet.io/subs.uid", sub_uid);
    label(&mut labels, CLUSTER_ID_LABEL, cluster.cluster_id());
    label(&mut labels, CLUSTER_NAME_LABEL, cluster.cluster_name());
    if sub.name.len() <= 57 {
        label(&mut labels, "apps.clusternet.io/config.name", &sub.name);
        label(&mut labels, "apps.clusternet.io/subs.name", &sub.name);
    }
    let mut annotations = StringMap::new();
    if let Some(v) = sub.annotations.get(DEFAULT_CLUSTER_INIT) {
        label(&mut annotations, DEFAULT_CLUSTER_INIT, v);
    }
    let uid = naming::uid(&["Base", namespace, &name]);
    Base {
        api_version: APPS_API_VERSION.to_string(),
        kind: String::from("Base"),
        metadata: ObjectMeta {
            name,
            namespace: namespace.clone(),
            uid,
            labels,
            annotations,
            finalizers: vec![FINALIZER.to_string()],
            ..Default::default()
        },
        spec: BaseSpec {
            feeds: subscription.spec.feeds.clone(),
        },
    }
}

fn controller_ref(kind: &str, meta: &ObjectMeta) -> OwnerReference {
    OwnerReference {
        api_version: APPS_API_VERSION.to_string(),
        kind: kind.to_string(),
        name: meta.name.clone(),
        uid: meta.uid.clone(),
        controller: Some(true),
        block_owner_deletion: Some(true),
    }
}

/// The dividing Localization for one workload feed in one cluster (spec §5.2).
pub fn dividing_localization(
    base: &Base,
    sub_uid: &str,
    feed: &Feed,
    replica_json_path: &str,
    replicas: i32,
) -> Localization {
    let key = feed.key();
    let name = format!(
        "{}-{}",
        base.metadata.name,
        naming::suffix(&[
            "Localization",
            &base.metadata.namespace,
            &base.metadata.name,
            &key.0
        ])
    );
    let mut labels = StringMap::new();
    label(&mut labels, CREATED_BY, CONTROLLER_MANAGER);
    label(&mut labels, sub_uid, "Subscription");
    let mut patch = String::from("[{\"path\":");
    crate::json::write_string(&mut patch, replica_json_path);
    patch.push_str(&format!(",\"value\":{replicas},\"op\":\"replace\"}}]"));
    Localization {
        metadata: ObjectMeta {
            uid: naming::uid(&["Localization", &base.metadata.namespace, &name]),
            name,
            namespace: base.metadata.namespace.clone(),
            labels,
            owner_references: vec![controller_ref("Base", &base.metadata)],
            ..Default::default()
        },
        spec: LocalizationSpec {
            override_policy: OverridePolicy::ApplyNow,
            priority: DIVIDING_PRIORITY,
            feed: feed.clone(),
            overrides: vec![OverrideConfig {
                name: DIVIDING_OVERRIDE_NAME.to_string(),
                value: patch,
                kind: OverrideType::JsonPatch,
                override_chart: false,
                field_path: String::new(),
                field_format: None,
            }],
        },
    }
}

fn description_meta(base: &Base, name: String) -> ObjectMeta {
    let base_labels = &base.metadata.labels;
    let mut labels = StringMap::new();
    label(&mut labels, CREATED_BY, CONTROLLER_MANAGER);
    label(&mut labels, "apps.clusternet.io/config.kind", "Base");
    label(
        &mut labels,
        "apps.clusternet.io/config.namespace",
        &base.metadata.namespace,
    );
    label(
        &mut labels,
        "apps.clusternet.io/config.uid",
        &base.metadata.uid,
    );
    for key in [
        CLUSTER_ID_LABEL,
        CLUSTER_NAME_LABEL,
        "apps.clusternet.io/subs.namespace",
        "apps.clusternet.io/subs.uid",
    ] {
        if let Some(v) = base_labels.get(key) {
            label(&mut labels, key, v);
        }
    }
    ObjectMeta {
        uid: String::new(),
        name,
        namespace: base.metadata.namespace.clone(),
        labels,
        finalizers: vec![FINALIZER.to_string()],
        owner_references: vec![controller_ref("Base", &base.metadata)],
        ..Default::default()
    }
}

/// `<base>-generic` with the rendered objects.
pub fn generic_description(base: &Base, raw: Vec<String>) -> Description {
    Description {
        api_version: APPS_API_VERSION.to_string(),
        kind: String::from("Description"),
        metadata: description_meta(base, naming::generic_description_name(&base.metadata.name)),
        spec: DescriptionSpec {
            deployer: Deployer::Generic,
            charts: Vec::new(),
            raw,
            chart_raw: Vec::new(),
        },
    }
}

/// `<base>-helm` with chart references, rendered values and rendered charts.
pub fn helm_description(
    base: &Base,
    charts: Vec<ChartReference>,
    raw: Vec<String>,
    chart_raw: Vec<String>,
) -> Description {
    Description {
        api_version: APPS_API_VERSION.to_string(),
        kind: String::from("Description"),
        metadata: description_meta(base, naming::helm_description_name(&base.metadata.name)),
        spec: DescriptionSpec {
            deployer: Deployer::Helm,
            charts,
            raw,
            chart_raw,
        },
    }
}

/// The HelmChart as the controller-manager's informer holds it: no apiVersion/kind, the
/// HelmChart controller's identity labels and finalizer added, a UID present.
///
/// Not modelled: server fields (`creationTimestamp`, `resourceVersion`, `generation`) and
/// the `<base uid>: Base` / `<subscription uid>: Subscription` back-reference labels,
/// which depend on server-assigned UIDs of every Subscription using the chart.
pub fn chart_object(chart: &HelmChart) -> Value {
    let mut chart = chart.clone();
    let meta = &mut chart.metadata;
    for (key, value) in [
        ("apps.clusternet.io/config.group", "apps.clusternet.io"),
        ("apps.clusternet.io/config.version", "v1alpha1"),
        ("apps.clusternet.io/config.kind", "HelmChart"),
    ] {
        label(&mut meta.labels, key, value);
    }
    let (name, namespace) = (meta.name.clone(), meta.namespace.clone());
    label(&mut meta.labels, "apps.clusternet.io/config.name", &name);
    label(
        &mut meta.labels,
        "apps.clusternet.io/config.namespace",
        &namespace,
    );
    if !meta.finalizers.iter().any(|f| f == FINALIZER) {
        meta.finalizers.push(FINALIZER.to_string());
    }
    if meta.uid.is_empty() {
        meta.uid = naming::uid(&["HelmChart", &namespace, &name]);
    }
    serde_json::to_value(&chart).unwrap_or(Value::Null)
}
