//! The schema of `clusternet_localization` and `clusternet_globalization`.

use clusternet_tfplugin::{Attribute, Block, BlockNesting, NestedBlock, Schema, Type, Value};

use super::LOCALIZATION;
use crate::attrs;
use crate::override_handles::OverrideRef;
use crate::selector;

pub(super) fn override_block() -> NestedBlock {
    let mut nested = NestedBlock::new(
        "override",
        BlockNesting::List,
        Block::new(
            "One override, applied in order.",
            vec![
                Attribute::optional("name", Type::String).describe("A name, for provenance."),
                Attribute::required("type", Type::String).describe(
                    "`Helm` (values for a HelmChart), `JSONPatch` (RFC 6902), `MergePatch` \
                     (RFC 7386), `FieldJSONPatch` or `FieldMergePatch` (a patch on the \
                     string at `field_path`, e.g. a ConfigMap entry holding JSON or YAML). \
                     `StrategicMergePatch` is not supported, as in Clusternet.",
                ),
                Attribute::required("value", Type::String)
                    .describe("The patch or values, as YAML or JSON."),
                Attribute::optional("override_chart", Type::Bool).describe(
                    "For `Helm`: patch the HelmChart's own fields (chart, version, ...) \
                     instead of its values.",
                ),
                Attribute::optional("field_path", Type::String)
                    .describe("For field patches: the JSON path of the string field."),
                Attribute::optional("field_format", Type::String)
                    .describe("For field patches: `JSON` or `YAML`, the format of that field."),
            ],
        ),
    );
    nested.min_items = 1;
    nested
}

/// The schema of `kind` (LOCALIZATION or GLOBALIZATION).
pub fn schema(type_name: &str) -> Schema {
    let localization = type_name == LOCALIZATION;
    let mut attributes = vec![
        Attribute::required("name", Type::String).describe(
            "Name of the override object: a Kubernetes object name (a DNS subdomain: lowercase \
             letters, digits, `-` and `.`, at most 253 characters).",
        ),
        Attribute::required("feed", Type::String).describe(
            "The feed it overrides, best by key: `clusternet_manifest.x.id` or \
             `clusternet_secret.x.id`, i.e. `<apiVersion>/<Kind>/<namespace>/<name>` \
             (`apps.clusternet.io/v1alpha1/HelmChart/<namespace>/<name>` for a chart); the \
             reference still orders the graph, and an edit of the feed then leaves the \
             override as it is. A feed value \
             (`clusternet_manifest.x.feed`) is accepted too, but makes every edit of the feed \
             an update of this override; a Secret's value shows as `(sensitive value)`, as \
             Terraform carries its sensitivity, and costs one sensitivity-only update after \
             an import.",
        ),
        Attribute::optional("priority", Type::Number)
            .with_computed()
            .describe(
                "0 to 1000, default 500. Lower priorities apply first, so higher ones win. \
                 Globalizations apply before Localizations.",
            ),
        Attribute::optional("override_policy", Type::String)
            .with_computed()
            .describe(
                "`ApplyLater` (default) or `ApplyNow`: whether Clusternet re-renders existing \
                 Descriptions at once. In this provider both take effect when a subscription \
                 that receives the `ref` is planned.",
            ),
        Attribute::computed("id", Type::String).describe("`<namespace>/<name>` or `<name>`."),
        Attribute::computed("ref", Type::String).describe(
            "A handle to the override object for `clusternet_subscription.overrides`: \
             `Localization/<namespace>/<name>` or `Globalization/<name>`. It changes only when \
             the override becomes another object; the provider hands the object itself to the \
             subscriptions that pass it, so an edit shows once, in the `override` blocks, and \
             its effect in their preview.",
        ),
    ];
    let mut block = if localization {
        attributes.push(Attribute::required("cluster", Type::String).describe(
            "The cluster: a name from the provider's `clusters` or of a ManagedCluster \
                     registered on the hub.",
        ));
        attributes.push(
            Attribute::computed("namespace", Type::String)
                .describe("The cluster's dedicated namespace, where the Localization lives."),
        );
        Block::new(
            "A Clusternet **Localization**: overrides of one feed for one cluster.",
            attributes,
        )
    } else {
        Block::new(
            "A Clusternet **Globalization**: overrides of one feed for every cluster, or for \
             the clusters `cluster_affinity` selects.",
            attributes,
        )
        .with_block(selector::block(
            "cluster_affinity",
            "The clusters it applies to; all clusters when absent.",
        ))
    };
    block = block.with_block(override_block());
    Schema::new(block).with_version(SCHEMA_VERSION)
}

/// The schema version this provider writes: 1 since `ref` is a handle (0 held the object).
pub const SCHEMA_VERSION: i64 = 1;

/// `state`, written with schema `version`, as this version holds it: a `ref` holding the
/// object becomes its handle.
pub fn upgrade(version: i64, state: Value) -> Value {
    if version >= SCHEMA_VERSION {
        return state;
    }
    let Value::Object(mut entries) = state else {
        return state;
    };
    let handle = attrs::string(&Value::Object(entries.clone()), "ref")
        .known()
        .and_then(|text| OverrideRef::parse(&text).ok()?.id())
        .map(|id| id.handle());
    if let Some(handle) = handle {
        entries.insert("ref".into(), Value::from(handle));
    }
    Value::Object(entries)
}
