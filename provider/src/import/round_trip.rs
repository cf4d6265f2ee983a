//! Round trips: objects as the hub holds them, imported, give exactly the states that plan
//! gives for a configuration describing them - the property that makes the plan after an
//! import empty.

use std::collections::BTreeMap;
use std::path::PathBuf;

use clusternet_model::feeds::StoredManifest;
use clusternet_tfplugin::provider::PlanRequest;
use clusternet_tfplugin::{Block, Value};
use serde_json::{Value as Json, json};

use crate::config::{ClusterConfig, ClusterSource, Deployer, ProviderConfig, Target};
use crate::override_handles::KnownOverrides;
use crate::resources::{manifest, overrides, subscription};
use crate::snapshot::OverrideId;
use crate::values::{block_value, nested, string_list};

fn inventory() -> ProviderConfig {
    let cluster = |name: &str, region: &str| {
        (
            name.to_string(),
            ClusterConfig {
                name: name.to_string(),
                labels: BTreeMap::from([("region".to_string(), region.to_string())]),
                namespace: format!("clusternet-{name}"),
                taints: Vec::new(),
                target: Target::Directory(PathBuf::from(format!("/nonexistent/{name}"))),
                source: ClusterSource::Config,
                namespace_set: false,
                capacity: None,
            },
        )
    };
    ProviderConfig {
        hub: None,
        deployer: Deployer::Provider,
        clusters: BTreeMap::from([cluster("eu-1", "eu"), cluster("us-1", "us")]),
        parallelism: 2,
        force_conflicts: false,
        helm_binary: None,
        has_unknowns: false,
        snapshot: None,
        capacity: None,
        verify_timeout: None,
    }
}

/// Runs a plan (async since it may template charts) to completion.
fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(future)
}

/// The planned state of a create of `config`, as Terraform asks for it.
fn planned(type_name: &str, config: &Value, inventory: &ProviderConfig) -> Value {
    planned_with(type_name, config, inventory, &KnownOverrides::default())
}

/// [`planned`], recording the overrides it plans in `known`.
fn planned_with(
    type_name: &str,
    config: &Value,
    inventory: &ProviderConfig,
    known: &KnownOverrides,
) -> Value {
    let request = PlanRequest {
        type_name: type_name.to_string(),
        prior_state: Value::Null,
        proposed_new_state: config.clone(),
        config: config.clone(),
        prior_private: Vec::new(),
    };
    let response = match type_name {
        subscription::TYPE_NAME => block_on(subscription::plan(
            request,
            inventory,
            &Default::default(),
            known,
        )),
        _ => overrides::plan(request, inventory, &Default::default(), known),
    };
    assert!(
        !response.diagnostics.has_errors(),
        "{:?}",
        response.diagnostics
    );
    response.planned_state
}

/// A feed as `clusternet_manifest.<x>.feed` gives it, and the Manifest template the hub keeps.
fn feed(object: Json) -> (String, Json) {
    // The manifest tests show that this feed is the one `clusternet_manifest` plans.
    let template = StoredManifest::from_object(object).unwrap().template;
    let imported = manifest::imported_state_of_feed(&template).unwrap();
    let feed = imported.get("feed").and_then(Value::as_str).unwrap();
    (feed.to_string(), template)
}

fn affinity(block: &Block, region: &str) -> Value {
    block_value(
        nested(block, "cluster_affinity"),
        [(
            "match_labels",
            Value::Map(BTreeMap::from([(
                "region".to_string(),
                Value::from(region),
            )])),
        )],
    )
}

#[test]
fn an_imported_localization_is_what_its_configuration_plans() {
    let inventory = inventory();
    let (settings, _) = feed(json!({
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "settings", "namespace": "web"},
        "data": {"color": "blue"}
    }));
    let schema = overrides::schema(overrides::LOCALIZATION);
    let patch = r#"{"data":{"color":"green"}}"#;
    let config = block_value(
        &schema.block,
        [
            ("name", Value::from("eu-color")),
            ("cluster", Value::from("eu-1")),
            ("feed", Value::from(settings.as_str())),
            (
                "override",
                Value::List(vec![block_value(
                    nested(&schema.block, "override"),
                    [
                        ("type", Value::from("MergePatch")),
                        ("value", Value::from(patch)),
                    ],
                )]),
            ),
        ],
    );
    let known = KnownOverrides::default();
    let planned = planned_with(overrides::LOCALIZATION, &config, &inventory, &known);
    let handle = planned.get("ref").and_then(Value::as_str).unwrap();
    assert_eq!(handle, "Localization/clusternet-eu-1/eu-color");
    // The hub's copy: the object the plan recorded for the `ref`, with what the API server
    // and the provider's apply add.
    let mut on_hub = known
        .get(&OverrideId::from_handle(handle).unwrap())
        .unwrap();
    on_hub["metadata"]["uid"] = json!("3f1c");
    on_hub["metadata"]["annotations"] =
        json!({"apps.clusternet.io/owned-by-description": "terraform"});
    let (imported, _) =
        overrides::imported_state(overrides::LOCALIZATION, &on_hub, settings, &inventory).unwrap();
    assert_eq!(imported, planned);
}

#[test]
fn an_imported_subscription_is_what_its_configuration_plans() {
    let inventory = inventory();
    let (namespace, _) = feed(json!({
        "apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "web"}
    }));
    let (web, _) = feed(json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "web"},
        "spec": {
            "replicas": 6,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}
            }
        }
    }));
    let schema = subscription::schema();
    let block = &schema.block;
    let subscriber = nested(block, "subscriber");
    // Namespace and dividing type left out: their defaults.
    let config = block_value(
        block,
        [
            ("name", Value::from("app")),
            ("scheduling_strategy", Value::from("Dividing")),
            ("feeds", string_list([namespace.as_str(), web.as_str()])),
            (
                "subscriber",
                Value::List(vec![
                    block_value(
                        subscriber,
                        [
                            ("weight", Value::from(1)),
                            ("cluster_affinity", affinity(subscriber, "eu")),
                        ],
                    ),
                    block_value(
                        subscriber,
                        [
                            ("weight", Value::from(2)),
                            ("cluster_affinity", affinity(subscriber, "us")),
                        ],
                    ),
                ]),
            ),
            (
                "toleration",
                Value::List(vec![block_value(
                    nested(block, "toleration"),
                    [
                        ("key", Value::from("dedicated")),
                        ("operator", Value::from("Exists")),
                    ],
                )]),
            ),
        ],
    );
    let planned = planned(subscription::TYPE_NAME, &config, &inventory);
    assert_eq!(
        planned
            .get("replicas")
            .and_then(|r| r.get("eu-1/apps/v1/Deployment/web/web")),
        Some(&Value::from(2))
    );
    // The Subscription as the hub holds it.
    let on_hub = json!({
        "apiVersion": "apps.clusternet.io/v1alpha1",
        "kind": "Subscription",
        "metadata": {
            "name": "app", "namespace": "default", "uid": "77aa",
            "labels": {"apps.clusternet.io/subs.namespace": "default"}
        },
        "spec": {
            "schedulingStrategy": "Dividing",
            "dividingScheduling": {"type": "Static"},
            "subscribers": [
                {"weight": 1, "clusterAffinity": {"matchLabels": {"region": "eu"}}},
                {"weight": 2, "clusterAffinity": {"matchLabels": {"region": "us"}}}
            ],
            "clusterTolerations": [{"key": "dedicated", "operator": "Exists"}],
            "feeds": [
                {"apiVersion": "v1", "kind": "Namespace", "name": "web"},
                {"apiVersion": "apps/v1", "kind": "Deployment", "namespace": "web", "name": "web"}
            ]
        }
    });
    let imported = block_on(subscription::imported_state(
        &on_hub,
        vec![namespace, web],
        Vec::new(),
        &[],
        &inventory,
    ))
    .unwrap();
    assert_eq!(imported, planned);
}

#[test]
fn a_namespace_a_state_holds_as_null_stays_null_and_the_subscription_is_not_replaced() {
    let inventory = inventory();
    let (namespace, _) = feed(json!({
        "apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "web"}
    }));
    let schema = subscription::schema();
    let subscriber = nested(&schema.block, "subscriber");
    let config = block_value(
        &schema.block,
        [
            ("name", Value::from("app")),
            ("feeds", string_list([namespace.as_str()])),
            (
                "subscriber",
                Value::List(vec![block_value(
                    subscriber,
                    [("cluster_affinity", affinity(subscriber, "eu"))],
                )]),
            ),
        ],
    );
    let created = planned(subscription::TYPE_NAME, &config, &inventory);
    assert_eq!(created.get("namespace"), Some(&Value::from("default")));
    let mut old_state = created.clone();
    if let Value::Object(entries) = &mut old_state {
        entries.insert("namespace".into(), Value::Null);
    }
    let response = block_on(subscription::plan(
        PlanRequest {
            type_name: subscription::TYPE_NAME.to_string(),
            prior_state: old_state.clone(),
            proposed_new_state: old_state.clone(),
            config,
            prior_private: Vec::new(),
        },
        &inventory,
        &Default::default(),
        &KnownOverrides::default(),
    ));
    assert_eq!(response.planned_state, old_state);
}
