//! CustomResourceDefinitions for the provider's own hub mode, generated from the model's
//! types: each API type describes its structural OpenAPI v3 schema ([`CrdSchema`]), and
//! [`custom_resource_definition`] wraps it into an `apiextensions.k8s.io/v1` CRD with
//! Clusternet's group, names, scope, short names and categories.
//!
//! The schemas describe exactly the fields the model reads and writes; parts the model
//! keeps opaque (statuses collected from clusters, core types it does not evaluate) are
//! `x-kubernetes-preserve-unknown-fields`. A test checks that they are compatible with
//! the upstream CRDs (same types at every path) and accept everything the model emits.

use serde_json::{Map, Value, json};

use crate::types::{
    Base, Description, FeedInventory, Globalization, HelmChart, Localization, ManagedCluster,
    Manifest, Subscription,
};

/// A type with a structural schema.
pub trait CrdSchema {
    /// The OpenAPI v3 schema of the whole object (`apiVersion`, `kind`, `metadata`, ...).
    fn schema() -> Value;
}

fn string() -> Value {
    json!({"type": "string"})
}

fn string_enum(values: &[&str]) -> Value {
    json!({"type": "string", "enum": values})
}

fn int32() -> Value {
    json!({"type": "integer", "format": "int32"})
}

fn int64() -> Value {
    json!({"type": "integer", "format": "int64"})
}

fn boolean() -> Value {
    json!({"type": "boolean"})
}

fn bytes() -> Value {
    json!({"type": "string", "format": "byte"})
}

fn array(items: Value) -> Value {
    json!({"type": "array", "items": items})
}

fn map_of(values: Value) -> Value {
    json!({"type": "object", "additionalProperties": values})
}

fn opaque_object() -> Value {
    json!({"type": "object", "x-kubernetes-preserve-unknown-fields": true})
}

fn object(properties: &[(&str, Value)], required: &[&str]) -> Value {
    let props: Map<String, Value> = properties
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    let mut schema = json!({"type": "object", "properties": props});
    if !required.is_empty() {
        schema["required"] = json!(required);
    }
    schema
}

fn root(fields: &[(&str, Value)], required: &[&str]) -> Value {
    let mut all = vec![
        ("apiVersion", string()),
        ("kind", string()),
        ("metadata", json!({"type": "object"})),
    ];
    all.extend(fields.iter().cloned());
    object(&all, required)
}

fn label_selector() -> Value {
    object(
        &[
            ("matchLabels", map_of(string())),
            (
                "matchExpressions",
                array(object(
                    &[
                        ("key", string()),
                        ("operator", string()),
                        ("values", array(string())),
                    ],
                    &["key", "operator"],
                )),
            ),
        ],
        &[],
    )
}

fn feed() -> Vec<(&'static str, Value)> {
    vec![
        ("kind", string()),
        ("apiVersion", string()),
        ("namespace", string()),
        ("name", string()),
    ]
}

fn feed_object() -> Value {
    object(&feed(), &["apiVersion", "kind", "name"])
}

fn toleration() -> Value {
    object(
        &[
            ("key", string()),
            ("operator", string()),
            ("value", string()),
            ("effect", string()),
            ("tolerationSeconds", int64()),
        ],
        &[],
    )
}

fn override_spec(with_affinity: bool) -> Value {
    let mut fields = vec![
        ("overridePolicy", string_enum(&["ApplyNow", "ApplyLater"])),
        (
            "priority",
            json!({"type": "integer", "format": "int32", "minimum": 0, "maximum": 1000}),
        ),
        ("feed", feed_object()),
        (
            "overrides",
            array(object(
                &[
                    ("name", string()),
                    ("value", string()),
                    (
                        "type",
                        string_enum(&[
                            "Helm",
                            "JSONPatch",
                            "MergePatch",
                            "FieldJSONPatch",
                            "FieldMergePatch",
                        ]),
                    ),
                    ("overrideChart", boolean()),
                    ("fieldPath", string()),
                    ("fieldFormat", string_enum(&["YAML", "JSON"])),
                ],
                &["type", "value"],
            )),
        ),
    ];
    if with_affinity {
        fields.push(("clusterAffinity", label_selector()));
    }
    object(&fields, &["feed"])
}

impl CrdSchema for ManagedCluster {
    fn schema() -> Value {
        let taint = object(
            &[
                ("key", string()),
                ("value", string()),
                ("effect", string()),
                (
                    "timeAdded",
                    json!({"type": "string", "format": "date-time"}),
                ),
            ],
            &["effect", "key"],
        );
        let spec = object(
            &[
                ("clusterId", string()),
                (
                    "clusterType",
                    string_enum(&["EdgeCluster", "StandardCluster"]),
                ),
                ("clusterInitBaseName", string()),
                ("syncMode", string_enum(&["Push", "Pull", "Dual"])),
                ("taints", array(taint)),
            ],
            &["clusterId", "syncMode"],
        );
        root(&[("spec", spec), ("status", opaque_object())], &[])
    }
}

impl CrdSchema for Subscription {
    fn schema() -> Value {
        let subscriber = object(
            &[
                ("clusterAffinity", label_selector()),
                (
                    "weight",
                    json!({"type": "integer", "format": "int32", "minimum": 0}),
                ),
                (
                    "subGroupStrategy",
                    object(
                        &[(
                            "minClusters",
                            json!({"type": "integer", "format": "int32", "minimum": 0}),
                        )],
                        &[],
                    ),
                ),
            ],
            &["clusterAffinity"],
        );
        let dynamic = object(
            &[
                ("strategy", string_enum(&["Spread", "Binpack"])),
                ("topologySpreadConstraints", array(opaque_object())),
                ("preferredClusters", array(opaque_object())),
                ("minClusters", int32()),
                ("maxClusters", int32()),
            ],
            &["strategy"],
        );
        let spec = object(
            &[
                ("schedulerName", string()),
                ("schedulingBySubGroup", boolean()),
                (
                    "schedulingStrategy",
                    string_enum(&["Replication", "Dividing"]),
                ),
                (
                    "dividingScheduling",
                    object(
                        &[
                            ("type", string_enum(&["Static", "Dynamic"])),
                            ("dynamicDividing", dynamic),
                        ],
                        &["type"],
                    ),
                ),
                ("priority", int32()),
                (
                    "preemptionPolicy",
                    string_enum(&["PreemptLowerPriority", "PreemptNever"]),
                ),
                ("subscribers", array(subscriber)),
                ("clusterTolerations", array(toleration())),
                ("feeds", array(feed_object())),
            ],
            &["feeds", "subscribers"],
        );
        let status = object(
            &[
                ("bindingClusters", array(string())),
                ("replicas", map_of(array(int32()))),
                ("specHash", int64()),
                ("desiredReleases", json!({"type": "integer"})),
                ("completedReleases", json!({"type": "integer"})),
                ("aggregatedStatuses", array(opaque_object())),
            ],
            &[],
        );
        root(&[("spec", spec), ("status", status)], &["spec"])
    }
}

impl CrdSchema for HelmChart {
    fn schema() -> Value {
        let spec = object(
            &[
                ("repo", string()),
                ("chart", string()),
                ("version", string()),
                (
                    "chartPullSecret",
                    object(&[("name", string()), ("namespace", string())], &[]),
                ),
                ("plainHTTP", boolean()),
                ("createNamespace", boolean()),
                ("timeoutSeconds", int32()),
                ("wait", boolean()),
                ("waitForJob", boolean()),
                ("replace", boolean()),
                ("atomic", boolean()),
                ("upgradeAtomic", boolean()),
                ("skipCRDs", boolean()),
                ("replaceCRDs", boolean()),
                ("disableHooks", boolean()),
                ("force", boolean()),
                ("targetNamespace", string()),
            ],
            &["chart", "repo", "targetNamespace"],
        );
        let status = object(
            &[
                ("phase", string_enum(&["Found", "NotFound"])),
                ("reason", string()),
            ],
            &[],
        );
        root(&[("spec", spec), ("status", status)], &["spec"])
    }
}

impl CrdSchema for Manifest {
    fn schema() -> Value {
        root(&[("template", opaque_object())], &["template"])
    }
}

impl CrdSchema for FeedInventory {
    fn schema() -> Value {
        let mut order = feed();
        order.push(("desiredReplicas", int32()));
        order.push(("replicaRequirements", opaque_object()));
        order.push(("replicaJsonPath", string()));
        let spec = object(
            &[(
                "feeds",
                array(object(&order, &["apiVersion", "kind", "name"])),
            )],
            &["feeds"],
        );
        root(&[("spec", spec)], &["spec"])
    }
}

impl CrdSchema for Localization {
    fn schema() -> Value {
        root(&[("spec", override_spec(false))], &["spec"])
    }
}

impl CrdSchema for Globalization {
    fn schema() -> Value {
        root(&[("spec", override_spec(true))], &["spec"])
    }
}

impl CrdSchema for Base {
    fn schema() -> Value {
        let spec = object(&[("feeds", array(feed_object()))], &["feeds"]);
        root(&[("spec", spec)], &["spec"])
    }
}

impl CrdSchema for Description {
    fn schema() -> Value {
        let spec = object(
            &[
                ("deployer", string_enum(&["Helm", "Generic"])),
                (
                    "charts",
                    array(object(
                        &[("namespace", string()), ("name", string())],
                        &["name", "namespace"],
                    )),
                ),
                ("raw", array(bytes())),
                ("chartRaw", array(bytes())),
            ],
            &["deployer"],
        );
        root(&[("spec", spec), ("status", opaque_object())], &["spec"])
    }
}

struct Names {
    kind: &'static str,
    plural: &'static str,
    short: &'static [&'static str],
    cluster_scoped: bool,
    group: &'static str,
    version: &'static str,
    status: bool,
}

const KINDS: &[Names] = &[
    Names {
        kind: "ManagedCluster",
        plural: "managedclusters",
        short: &["mcls"],
        cluster_scoped: false,
        group: "clusters.clusternet.io",
        version: "v1beta1",
        status: true,
    },
    Names {
        kind: "Subscription",
        plural: "subscriptions",
        short: &["sub", "subs"],
        cluster_scoped: false,
        group: "apps.clusternet.io",
        version: "v1alpha1",
        status: true,
    },
    Names {
        kind: "HelmChart",
        plural: "helmcharts",
        short: &["chart", "charts"],
        cluster_scoped: false,
        group: "apps.clusternet.io",
        version: "v1alpha1",
        status: true,
    },
    Names {
        kind: "Manifest",
        plural: "manifests",
        short: &[],
        cluster_scoped: false,
        group: "apps.clusternet.io",
        version: "v1alpha1",
        status: false,
    },
    Names {
        kind: "FeedInventory",
        plural: "feedinventories",
        short: &["finv"],
        cluster_scoped: false,
        group: "apps.clusternet.io",
        version: "v1alpha1",
        status: false,
    },
    Names {
        kind: "Localization",
        plural: "localizations",
        short: &["loc", "local"],
        cluster_scoped: false,
        group: "apps.clusternet.io",
        version: "v1alpha1",
        status: false,
    },
    Names {
        kind: "Globalization",
        plural: "globalizations",
        short: &["glob", "global"],
        cluster_scoped: true,
        group: "apps.clusternet.io",
        version: "v1alpha1",
        status: false,
    },
    Names {
        kind: "Base",
        plural: "bases",
        short: &[],
        cluster_scoped: false,
        group: "apps.clusternet.io",
        version: "v1alpha1",
        status: false,
    },
    Names {
        kind: "Description",
        plural: "descriptions",
        short: &["desc"],
        cluster_scoped: false,
        group: "apps.clusternet.io",
        version: "v1alpha1",
        status: true,
    },
];

/// The kinds a CRD can be generated for.
pub fn kinds() -> impl Iterator<Item = &'static str> {
    KINDS.iter().map(|n| n.kind)
}

/// The structural schema of `kind`, if the model knows it.
pub fn schema_for(kind: &str) -> Option<Value> {
    Some(match kind {
        "ManagedCluster" => ManagedCluster::schema(),
        "Subscription" => Subscription::schema(),
        "HelmChart" => HelmChart::schema(),
        "Manifest" => Manifest::schema(),
        "FeedInventory" => FeedInventory::schema(),
        "Localization" => Localization::schema(),
        "Globalization" => Globalization::schema(),
        "Base" => Base::schema(),
        "Description" => Description::schema(),
        _ => return None,
    })
}

/// The `apiextensions.k8s.io/v1` CustomResourceDefinition of `kind`.
pub fn custom_resource_definition(kind: &str) -> Option<Value> {
    let names = KINDS.iter().find(|n| n.kind == kind)?;
    let mut version = json!({
        "name": names.version,
        "served": true,
        "storage": true,
        "schema": {"openAPIV3Schema": schema_for(kind)?},
    });
    if names.status {
        version["subresources"] = json!({"status": {}});
    }
    let mut crd_names = json!({
        "kind": names.kind,
        "listKind": format!("{}List", names.kind),
        "plural": names.plural,
        "singular": names.kind.to_lowercase(),
        "categories": ["clusternet"],
    });
    if !names.short.is_empty() {
        crd_names["shortNames"] = json!(names.short);
    }
    Some(json!({
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": format!("{}.{}", names.plural, names.group)},
        "spec": {
            "group": names.group,
            "names": crd_names,
            "scope": if names.cluster_scoped { "Cluster" } else { "Namespaced" },
            "versions": [version],
        },
    }))
}
