//! The provider block's schema (DESIGN.md §3).

use clusternet_tfplugin::{Attribute, Block, ObjectNesting, Schema, Type};

fn connection_attributes() -> Vec<Attribute> {
    vec![
        Attribute::optional("kubeconfig_path", Type::String).describe(
            "Path of a kubeconfig file. Read as is: the provider never falls back to \
             `~/.kube/config` or in-cluster credentials.",
        ),
        Attribute::optional("context", Type::String).describe(
            "Context of `kubeconfig_path` to use; defaults to the file's `current-context`.",
        ),
        Attribute::optional("host", Type::String)
            .describe("API server URL, e.g. `https://127.0.0.1:6443` (instead of a kubeconfig)."),
        Attribute::optional("token", Type::String)
            .sensitive()
            .describe("Bearer token for `host`."),
        Attribute::optional("cluster_ca_certificate", Type::String)
            .describe("PEM CA bundle that signed the API server's certificate."),
        Attribute::optional("client_certificate", Type::String)
            .describe("PEM client certificate for `host`."),
        Attribute::optional("client_key", Type::String)
            .sensitive()
            .describe("PEM private key of `client_certificate`."),
        Attribute::optional("insecure", Type::Bool).describe(
            "Skip verification of the API server's certificate. Only for throwaway clusters.",
        ),
        Attribute::nested(
            "exec",
            ObjectNesting::Single,
            vec![
                Attribute::required("command", Type::String).describe("Credential plugin to run."),
                Attribute::optional("api_version", Type::String).describe(
                    "`client.authentication.k8s.io` version the plugin speaks (default `v1`).",
                ),
                Attribute::optional("args", Type::list(Type::String))
                    .describe("Arguments of the plugin."),
                Attribute::optional("env", Type::map(Type::String))
                    .describe("Extra environment variables of the plugin."),
            ],
        )
        .with_optional()
        .describe("A client-go credential plugin for `host` (as in a kubeconfig's `exec`)."),
    ]
}

fn cluster_attributes() -> Vec<Attribute> {
    let mut attrs = vec![
        Attribute::optional("labels", Type::map(Type::String)).describe(
            "Labels of the cluster, as on a ManagedCluster: Subscriptions and Globalizations \
             select clusters by them.",
        ),
        Attribute::optional("namespace", Type::String).describe(
            "The cluster's dedicated namespace on the hub (where its Bases, Descriptions and \
             Localizations live). Defaults to `clusternet-<cluster name>`.",
        ),
        Attribute::nested(
            "taints",
            ObjectNesting::List,
            vec![
                Attribute::required("key", Type::String).describe("Taint key."),
                Attribute::optional("value", Type::String).describe("Taint value."),
                Attribute::required("effect", Type::String)
                    .describe("`NoSchedule`, `PreferNoSchedule` or `NoExecute`."),
            ],
        )
        .with_optional()
        .describe("Taints of the cluster; Subscriptions must tolerate them to select it."),
        Attribute::optional("capacity", Type::Number).describe(
            "How many more replicas this cluster can host, for subscriptions with \
             `dividing_type = \"Dynamic\"`, which divide replicas in proportion to it. \
             Without it the provider computes it at plan time from the cluster's Nodes and \
             Pods, as Clusternet's predictor does (allocatable minus the requests of running \
             pods, per replica's requests); a directory target, or a cluster known only from \
             the hub, needs it for dynamic dividing. A whole number, 0 or more.",
        ),
        Attribute::optional("directory", Type::String).describe(
            "Make this a directory target: apply writes the cluster's rendered objects into \
             this directory, one file per object, instead of deploying them. Exclusive with \
             credentials.",
        ),
    ];
    attrs.extend(connection_attributes());
    attrs
}

/// The provider configuration schema.
pub fn provider_schema() -> Schema {
    Schema::new(Block::new(
        "Distributes Kubernetes objects and Helm charts to many clusters with Clusternet's \
         application model (Subscriptions, Localizations, Globalizations), and shows the \
         rendered objects of every cluster in `terraform plan`.",
        vec![
            Attribute::nested("hub", ObjectNesting::Single, connection_attributes())
                .with_optional()
                .describe(
                    "A Kubernetes cluster acting as Clusternet's parent cluster. Without it \
                     (the embedded default) Clusternet objects live in Terraform state only. \
                     With it, the provider reads a snapshot of the hub once per run, before \
                     it writes anything there: its ManagedClusters join the cluster \
                     inventory, feeds given by key are its Manifests and HelmCharts, and its \
                     Localizations and Globalizations apply to the subscriptions' feeds.",
                ),
            Attribute::optional("deployer", Type::String).describe(
                "Who renders and deploys: `provider` (default; the provider itself, like \
                 Clusternet's Push mode: children get the objects and charts, the hub the \
                 Subscription, Manifests, HelmCharts, Bases, Descriptions and overrides) or \
                 `clusternet` (needs `hub`: the provider writes only the Subscriptions, feeds \
                 as Manifests and HelmCharts, and overrides to the hub and Clusternet's \
                 controllers render and deploy; `descriptions` is then a prediction).",
            ),
            Attribute::optional("verify_timeout", Type::String).describe(
                "With deployer = `clusternet`: how long apply waits for Clusternet's \
                 controllers to write each bound cluster's Descriptions, then compares them \
                 with the plan's prediction and warns about every difference (clusters bound \
                 or not, objects missing, extra or different; values are never shown). A \
                 duration such as `\"2m\"`. Default: apply does not wait.",
            ),
            Attribute::nested("clusters", ObjectNesting::Map, cluster_attributes())
                .with_optional()
                .describe(
                    "Child clusters the provider reaches, by name. Each has labels and either \
                     credentials (`kubeconfig_path`, `host` with a token, client certificate or \
                     `exec`) or a `directory`.",
                ),
            Attribute::optional("parallelism", Type::Number).describe(
                "How many clusters are written to, read or templated for at once (default 10).",
            ),
            Attribute::optional("force_conflicts", Type::Bool).describe(
                "Whether objects a subscription applies for the first time take over fields \
                 another field manager holds (server-side apply's force). Default `false`: \
                 such a conflict fails the cluster, naming the manager and the fields. \
                 Objects a subscription deployed before are always forced. A subscription's \
                 `field_manager` block overrides this.",
            ),
            Attribute::optional("helm_binary", Type::String).describe(
                "The helm program that templates charts at plan time and installs them at \
                 apply: a path, or a name looked up on PATH (default `helm`). Helm 3 and 4 \
                 both work.",
            ),
        ],
    ))
}
