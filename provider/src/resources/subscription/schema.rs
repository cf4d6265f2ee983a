//! The schema of `clusternet_subscription`.

use clusternet_tfplugin::{Attribute, Block, BlockNesting, NestedBlock, Schema, Type};

use crate::selector;

/// The schema.
pub fn schema() -> Schema {
    let mut subscriber = NestedBlock::new(
        "subscriber",
        BlockNesting::List,
        Block::new(
            "A group of clusters, selected by labels.",
            vec![Attribute::optional("weight", Type::Number).describe(
                "Weight of this group when replicas are divided statically (default 0: \
                 Clusternet's static dividing counts only weighted subscribers).",
            )],
        )
        .with_block(selector::block(
            "cluster_affinity",
            "The clusters of this group. An empty block selects every cluster.",
        )),
    );
    subscriber.min_items = 1;
    let toleration = NestedBlock::new(
        "toleration",
        BlockNesting::List,
        Block::new(
            "A toleration of cluster taints.",
            vec![
                Attribute::optional("key", Type::String).describe("Taint key; empty matches all."),
                Attribute::optional("operator", Type::String)
                    .describe("`Equal` (default) or `Exists`."),
                Attribute::optional("value", Type::String).describe("Taint value."),
                Attribute::optional("effect", Type::String)
                    .describe("`NoSchedule`, `PreferNoSchedule`, `NoExecute`, or empty for all."),
            ],
        ),
    );
    Schema::new(
        Block::new(
            "A Clusternet **Subscription**: sends feeds to the clusters its subscribers select, \
             replicated or with replicas divided between them. The plan shows every cluster's \
             rendered objects in `descriptions`; apply deploys them (directory targets get \
             files) and prunes what left.",
            vec![
                Attribute::required("name", Type::String).describe(
                    "Subscription name: a Kubernetes object name (a DNS subdomain: lowercase \
                     letters, digits, `-` and `.`, at most 253 characters).",
                ),
                Attribute::optional("namespace", Type::String)
                    .with_computed()
                    .describe(
                        "Subscription namespace (default `default`): a DNS label (lowercase \
                         letters, digits and `-`, at most 63 characters).",
                    ),
                Attribute::optional("scheduling_strategy", Type::String)
                    .with_computed()
                    .describe(
                        "`Replication` (default: every selected cluster gets every feed) or \
                         `Dividing` (replicas of workloads are divided).",
                    ),
                Attribute::optional("dividing_type", Type::String)
                    .with_computed()
                    .describe(
                        "With `Dividing`: `Static` (by subscriber weights, the default) or \
                         `Dynamic`. Null with `Replication`.",
                    ),
                Attribute::required("feeds", Type::list(Type::String))
                    .sensitive()
                    .describe(
                        "Feeds by value (`clusternet_manifest.x.feed`, \
                         `clusternet_secret.x.feed`, `clusternet_helm_chart.x.feed`), in order. \
                         A feed key `<apiVersion>/<Kind>/<namespace>/<name>` names a feed on the \
                         hub (a Manifest the shadow API stored, or a HelmChart), looked up in \
                         the hub snapshot; the provider never writes or deletes it. Sensitive, \
                         so that a Secret's values never show; the rendered objects are in \
                         `descriptions`.",
                    ),
                Attribute::optional("overrides", Type::list(Type::String)).describe(
                    "Localizations and Globalizations it passes, by their `ref` \
                     (`clusternet_localization.x.ref`: `Localization/<namespace>/<name>`, \
                     `Globalization/<name>`). Passing one orders the graph, and its changes \
                     show in this plan's preview in the same run; the provider hands the \
                     object from the override's own plan to this one. With a hub, the \
                     overrides of these feeds found on the hub apply too (one passed here wins \
                     over the hub copy of the same name), and a handle not managed in this \
                     configuration is read from the hub; one changed in this run but not \
                     passed takes effect at the next apply, with a warning. An override \
                     object as JSON is accepted too.",
                ),
                Attribute::computed("id", Type::String).describe("`<namespace>/<name>`."),
                Attribute::computed("binding_clusters", Type::list(Type::String))
                    .describe("The clusters the subscription is bound to, sorted."),
                Attribute::computed("replicas", Type::map(Type::Number)).describe(
                    "Replicas per cluster and workload feed, keyed `<cluster>/<feed key>` \
                     (dividing only).",
                ),
                Attribute::computed("availability", Type::map(Type::Number)).describe(
                    "With `dividing_type = \"Dynamic\"`: the replicas each cluster can still \
                     host, per workload feed, keyed `<cluster>/<feed key>` - what the replicas \
                     were divided by. Computed at plan time from the cluster's `capacity` in \
                     the provider configuration, or from its Nodes and Pods (allocatable minus \
                     the requests of running pods, divided by one replica's requests, as \
                     Clusternet's predictor does). Once divided, only a change of the desired \
                     replicas divides again (the difference, as Clusternet does), so the \
                     numbers stay those of the last division. Null otherwise.",
                ),
                Attribute::computed("spec_hash", Type::String)
                    .describe("Clusternet's specHash of the subscription."),
                Attribute::computed("descriptions", Type::map(Type::String)).describe(
                    "The preview, grouped by identical rendering (a change made the same way on \
                     every cluster shows once): every rendered object, keyed \
                     `<apiVersion>/<Kind>/<namespace>/<name>` (`<apiVersion>/<Kind>/<name>` if \
                     cluster-scoped), as the clusters share it - compact JSON with sorted keys. \
                     A cluster whose object differs has its own entry in `deviations`; every \
                     cluster of `description_clusters` gets the shared rendering otherwise. The \
                     shared rendering is the one most clusters get (the previous one while a \
                     cluster still has it; ties go to the first cluster by name). Each value of \
                     a Secret's `data` and `stringData` is replaced by a marker, \
                     `(sensitive value, hmac-sha256:<16 hex digits>)`: a hash keyed with \
                     `secret_marker_key`, so a changed value shows as a changed marker and the \
                     value cannot be guessed from it. Until that key exists (a new \
                     subscription, or one from before the key) the entries holding Secret \
                     values are `(known after apply)`. A HelmChart feed shows as \
                     `helm/<chart namespace>/<chart name>` (the chart as overridden for the \
                     cluster, and its values) and, when the chart can be fetched at plan time, \
                     the objects `helm template` makes of it as \
                     `helm/<release>/<apiVersion>/<Kind>/<namespace>/<name>`. The \
                     `clusternet_render` data source gives the same rendering per cluster, \
                     keyed `<cluster>/...`.",
                ),
                Attribute::computed("deviations", Type::map(Type::String)).describe(
                    "Where a cluster's rendering of an object differs from the shared one in \
                     `descriptions` (a Localization, its share of divided replicas, drift), \
                     keyed `<cluster>/<object key>`: a JSON merge patch (RFC 7386) from the \
                     shared rendering to the cluster's, e.g. `{\"spec\":{\"replicas\":2}}`; \
                     `(absent)` when the cluster has no such object; the cluster's whole \
                     rendering after `(whole) ` where no merge patch can say it (a `null` \
                     value); or a marker of what could not be read, e.g. `(not read: ...)`.",
                ),
                Attribute::computed("description_clusters", Type::list(Type::String)).describe(
                    "The clusters `descriptions` covers, sorted: the bound clusters, plus a \
                     cluster that left and still holds objects (its removal failed), minus a \
                     joining cluster whose deployment failed.",
                ),
                Attribute::computed("secret_marker_key", Type::String)
                    .sensitive()
                    .describe(
                        "The key of the Secret markers in `descriptions` (HMAC-SHA256): random, \
                         made by the apply that first deploys a Secret value (or by import) and \
                         kept for the life of the subscription, so markers stay the same from \
                         plan to plan and differ between subscriptions and states. Null while \
                         no Secret value is sent. Sensitive: plans and `terraform show` never \
                         print it, and nobody without it can check a guess against a marker.",
                    ),
                Attribute::computed("releases", Type::map(Type::String)).describe(
                    "Helm releases per cluster, keyed `<cluster>/<namespace>/<release>`: \
                     `<status>/<revision>` as helm reports it (e.g. `deployed/3`), or \
                     `written` for a directory target. Unknown in a plan that installs or \
                     upgrades the release.",
                ),
                Attribute::optional(
                    crate::apply_options::ignore_fields::ATTRIBUTE,
                    Type::list(Type::String),
                )
                .describe(
                    "Fields whose live value belongs to someone else (an HPA's \
                         `spec.replicas`, a controller's annotations): the provider neither \
                         shows a change there as drift nor takes it back from another field \
                         manager. Each element is `<apiVersion>/<Kind>:<path>` (every object of \
                         that kind) or `<apiVersion>/<Kind>/<namespace>/<name>:<path>` (one \
                         object; `<apiVersion>/<Kind>/<name>:<path>` if cluster-scoped), the \
                         path being map keys joined by `.`, a key with `.` or `/` written as \
                         `[\"example.com/key\"]`: `apps/v1/Deployment:spec.replicas`, \
                         `v1/ConfigMap/web/settings:metadata.annotations[\"example.com/owner\"]`. \
                         The configured value is what a new object starts with. At apply, of \
                         an object that exists, the fields under the path are applied as they \
                         are live, and those another field manager holds are left out (so the \
                         apply neither conflicts with it nor takes them back, and nothing is \
                         reset to a default). An element matching no field of the objects \
                         applied is a warning. Helm releases are not covered.",
                ),
            ]
            .into_iter()
            .chain(super::rollout::config::attributes())
            .collect(),
        )
        .with_block(subscriber)
        .with_block(toleration)
        .with_block(super::rollout::config::block())
        .with_block(crate::apply_options::field_manager::block())
        .with_block(crate::apply_options::timeouts::block()),
    )
    .with_version(super::upgrade::SCHEMA_VERSION)
}
