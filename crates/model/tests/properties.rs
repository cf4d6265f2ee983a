//! Property tests: replica division sums, render determinism and input-order
//! independence, and the all-or-nothing rule of JSON patches with a missing path.

use proptest::prelude::*;
use serde_json::{Map, Value, json};

use clusternet_model::json::to_compact;
use clusternet_model::overrides::json_patch::{Outcome, Patch, apply_lenient};
use clusternet_model::scheduling::dividing::{dynamic_divide, static_divide};
use clusternet_model::stream::{OutputFormat, Source, StreamOptions, render_sources};

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i32>().prop_map(|n| json!(n)),
        "[a-z]{0,6}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-c]{1,2}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn object_doc() -> impl Strategy<Value = Value> {
    prop::collection::btree_map("[a-c]{1,2}", json_value(), 0..5)
        .prop_map(|m| Value::Object(m.into_iter().collect()))
}

fn operation() -> impl Strategy<Value = Value> {
    let path = "(/[a-c]{1,2}){1,3}";
    prop_oneof![
        (path, json_value()).prop_map(|(p, v)| json!({"op": "add", "path": p, "value": v})),
        path.prop_map(|p| json!({"op": "remove", "path": p})),
        (path, json_value()).prop_map(|(p, v)| json!({"op": "replace", "path": p, "value": v})),
        (path, path).prop_map(|(f, p)| json!({"op": "copy", "from": f, "path": p})),
        (path, path).prop_map(|(f, p)| json!({"op": "move", "from": f, "path": p})),
    ]
}

proptest! {
    #[test]
    fn static_division_sums_to_desired(desired in 0i64..10_000, weights in prop::collection::vec(0i64..1000, 1..40)) {
        prop_assume!(weights.iter().sum::<i64>() > 0);
        let division = static_divide(desired, &weights);
        prop_assert_eq!(division.replicas.iter().sum::<i64>(), desired);
        prop_assert!(division.replicas.iter().all(|&r| r >= 0));
        for (r, w) in division.replicas.iter().zip(&weights) {
            if *w == 0 { prop_assert!(*r <= 1); }
        }
    }

    #[test]
    fn dynamic_division_sums_to_desired(available in prop::collection::vec(0i64..1000, 1..40), fraction in 0.0f64..=1.0, negative in any::<bool>()) {
        let total: i64 = available.iter().sum();
        prop_assume!(total > 0);
        let magnitude = (total as f64 * fraction) as i64;
        let desired = if negative { -magnitude } else { magnitude };
        let division = dynamic_divide(desired, &available);
        prop_assert_eq!(division.replicas.iter().sum::<i64>(), desired);
    }

    #[test]
    fn json_patch_with_a_missing_path_changes_nothing(
        doc in object_doc(),
        mut ops in prop::collection::vec(operation(), 0..6),
        position in any::<prop::sample::Index>(),
        missing_op in 0usize..4,
    ) {
        // `zz` never occurs as a key of generated documents, so this path is missing.
        let missing = match missing_op {
            0 => json!({"op": "remove", "path": "/zz"}),
            1 => json!({"op": "replace", "path": "/zz", "value": 1}),
            2 => json!({"op": "add", "path": "/zz/a", "value": 1}),
            _ => json!({"op": "move", "from": "/zz", "path": "/a"}),
        };
        let at = position.index(ops.len() + 1);
        ops.insert(at, missing);
        let patch = Patch::decode(&Value::Array(ops)).unwrap();
        let before = to_compact(&doc);
        let mut after = doc.clone();
        match apply_lenient(&patch, &mut after) {
            Ok(Outcome::SkippedMissing(_)) | Err(_) => prop_assert_eq!(to_compact(&after), before),
            // generated operations only use keys [a-c]{1,2}: "/zz" can never appear
            Ok(Outcome::Applied { .. }) => prop_assert!(false, "patch applied despite missing /zz at {}", at),
        }
    }
}

/// A random but valid world: clusters with labels, two Subscriptions, feeds, overrides.
fn world() -> impl Strategy<Value = Vec<String>> {
    (
        prop::collection::vec((0usize..3, 0usize..2), 1..7),
        0i32..20,
        prop::collection::vec(0i32..4, 2),
        prop::collection::vec((0usize..7, 0i32..1001), 0..5),
        any::<bool>(),
    )
        .prop_map(|(clusters, replicas, weights, locs, with_glob)| {
            let regions = ["eu", "us", "ap"];
            let envs = ["prod", "dev"];
            let mut docs = Vec::new();
            for (i, (region, env)) in clusters.iter().enumerate() {
                docs.push(format!(
                    "apiVersion: clusters.clusternet.io/v1beta1\nkind: ManagedCluster\nmetadata:\n  name: c{i}\n  namespace: clusternet-c{i}\n  labels: {{region: {}, env: {}}}\nspec: {{clusterId: id-{i}, syncMode: Push}}\n",
                    regions[*region], envs[*env]
                ));
            }
            docs.push(format!(
                "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web, namespace: default}}\nspec: {{replicas: {replicas}, template: {{spec: {{containers: [{{name: web, image: nginx}}]}}}}}}\n"
            ));
            docs.push(String::from("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg, namespace: default}\ndata: {a: b}\n"));
            docs.push(format!(
                "apiVersion: apps.clusternet.io/v1alpha1\nkind: Subscription\nmetadata: {{name: divided, namespace: default}}\nspec:\n  schedulingStrategy: Dividing\n  subscribers:\n  - clusterAffinity: {{matchLabels: {{region: eu}}}}\n    weight: {}\n  - clusterAffinity: {{matchLabels: {{env: prod}}}}\n    weight: {}\n  feeds:\n  - {{apiVersion: apps/v1, kind: Deployment, namespace: default, name: web}}\n  - {{apiVersion: v1, kind: ConfigMap, namespace: default, name: cfg}}\n",
                weights[0], weights[1]
            ));
            docs.push(String::from(
                "apiVersion: apps.clusternet.io/v1alpha1\nkind: Subscription\nmetadata: {name: replicated, namespace: default}\nspec:\n  subscribers:\n  - clusterAffinity: {}\n  feeds:\n  - {apiVersion: v1, kind: ConfigMap, name: cfg}\n",
            ));
            for (j, (cluster, priority)) in locs.iter().enumerate() {
                docs.push(format!(
                    "apiVersion: apps.clusternet.io/v1alpha1\nkind: Localization\nmetadata: {{name: loc{j}, namespace: clusternet-c{cluster}}}\nspec:\n  priority: {priority}\n  feed: {{apiVersion: v1, kind: ConfigMap, namespace: default, name: cfg}}\n  overrides:\n  - type: MergePatch\n    value: '{{\"data\":{{\"winner\":\"loc{j}\"}}}}'\n"
                ));
            }
            if with_glob {
                docs.push(String::from(
                    "apiVersion: apps.clusternet.io/v1alpha1\nkind: Globalization\nmetadata: {name: g}\nspec:\n  priority: 500\n  clusterAffinity: {matchLabels: {env: prod}}\n  feed: {apiVersion: apps/v1, kind: Deployment, namespace: default, name: web}\n  overrides:\n  - type: JSONPatch\n    value: '[{\"op\":\"replace\",\"path\":\"/spec/template/spec/containers/0/image\",\"value\":\"nginx:prod\"}]'\n",
                ));
            }
            docs
        })
}

fn render_docs(docs: &[String]) -> (String, Vec<String>) {
    let text = docs.join("---\n");
    let options = StreamOptions {
        output: OutputFormat::Json,
        decode: true,
    };
    let result = render_sources(
        &[Source {
            name: "world",
            text: &text,
        }],
        options,
    )
    .expect("valid world renders");
    (result.stdout, result.warnings)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn rendering_is_deterministic_and_order_independent(docs in world(), seed in any::<u64>()) {
        let first = render_docs(&docs);
        prop_assert_eq!(&first, &render_docs(&docs));
        let mut shuffled = docs.clone();
        // Fisher-Yates with a tiny LCG: deterministic per seed.
        let mut state = seed | 1;
        for i in (1..shuffled.len()).rev() {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            shuffled.swap(i, (state >> 33) as usize % (i + 1));
        }
        prop_assert_eq!(&first, &render_docs(&shuffled));

        // and the divided replicas always sum to the Deployment's replicas
        let list: Value = serde_json::from_str(&first.0).unwrap();
        let sub = list["items"].as_array().unwrap().iter()
            .find(|o| o["kind"] == "Subscription" && o["metadata"]["name"] == "divided").unwrap();
        if let Some(replicas) = sub["status"]["replicas"]["apps/v1/Deployment/default/web"].as_array() {
            let desired = docs.iter().find(|d| d.contains("kind: Deployment")).unwrap();
            let want: i64 = desired.split("replicas: ").nth(1).unwrap().split(',').next().unwrap().parse().unwrap();
            let sum: i64 = replicas.iter().map(|r| r.as_i64().unwrap()).sum();
            prop_assert_eq!(sum, want);
        }
    }
}
