//! The grouped preview (ADR 0026) as a reviewer reads it, on six directory-target clusters
//! with both terraform versions: a change made on every cluster shows once; a cluster's own
//! difference shows as its deviation; a cluster joining the group (its Localization removed)
//! shows its fields going back, then drops out of `deviations`; clusters joining and leaving
//! the subscription show in `description_clusters` without one entry per object.

use acceptance_tests::preview;
use acceptance_tests::terraform::{Terraform, Workspace, planned_list, squashed};

const KEY: &str = "apps/v1/Deployment/shop/web";

/// `clusters` clusters, the first `prod` of them labelled `env = "prod"` (the rest staging).
fn main_tf(clusters: usize, prod: usize, image: &str, localized: bool) -> String {
    let mut out = String::from(
        "terraform {\n  required_providers {\n    clusternet = { source = \"clusternet/clusternet\" }\n  }\n}\n\nprovider \"clusternet\" {\n  clusters = {\n",
    );
    for c in 1..=clusters {
        let env = if c <= prod { "prod" } else { "staging" };
        out.push_str(&format!(
            "    \"c{c}\" = {{ labels = {{ env = \"{env}\" }}, directory = \"${{path.module}}/rendered/c{c}\" }}\n"
        ));
    }
    out.push_str("  }\n}\n");
    out.push_str(&format!(
        r#"
resource "clusternet_manifest" "web" {{
  manifest = yamlencode({{
    apiVersion = "apps/v1"
    kind       = "Deployment"
    metadata   = {{ name = "web", namespace = "shop" }}
    spec = {{
      replicas = 4
      selector = {{ matchLabels = {{ app = "web" }} }}
      template = {{
        metadata = {{ labels = {{ app = "web" }} }}
        spec     = {{ containers = [{{ name = "web", image = "{image}" }}] }}
      }}
    }}
  }})
}}

resource "clusternet_localization" "c3" {{
  count   = {count}
  name    = "c3-replicas"
  cluster = "c3"
  feed    = clusternet_manifest.web.id
  override {{
    type  = "MergePatch"
    value = jsonencode({{ spec = {{ replicas = 7 }} }})
  }}
}}

resource "clusternet_subscription" "web" {{
  name  = "web"
  feeds = [clusternet_manifest.web.feed]
  subscriber {{
    cluster_affinity {{
      match_labels = {{ env = "prod" }}
    }}
  }}
  overrides = clusternet_localization.c3[*].ref
}}
"#,
        count = usize::from(localized),
    ));
    out
}

fn set(ws: &Workspace, text: &str) {
    std::fs::write(ws.path().join("main.tf"), text).expect("write main.tf");
}

#[test]
fn the_grouped_preview_shows_each_change_once() {
    for tf in Terraform::all() {
        let v = tf.version;
        let ws = Workspace::from_files(&[("main.tf", &main_tf(8, 6, "nginx:1.27", false))], &tf);

        // One entry for the six clusters.
        let plan = squashed(&ws.plan().expect_success().stdout);
        assert!(
            plan.contains(&format!("+ \"{KEY}\" = jsonencode(")),
            "{v}:\n{plan}"
        );
        assert!(
            !plan.contains(&format!("c1/{KEY}")),
            "{v}: no per-cluster entry:\n{plan}"
        );
        ws.apply().expect_success();
        let state = ws.resource_values("clusternet_subscription");
        assert_eq!(preview::per_cluster(&state).len(), 6, "{v}: {state}");

        // A uniform change: one diff, not six.
        set(&ws, &main_tf(8, 6, "nginx:1.28", false));
        let plan = squashed(&ws.plan().expect_success().stdout);
        let subscription = plan
            .split_once("# clusternet_subscription.web will be updated in-place")
            .map(|(_, rest)| rest.to_string())
            .unwrap_or_default();
        assert_eq!(
            subscription
                .matches("image = \"nginx:1.27\" -> \"nginx:1.28\"")
                .count(),
            1,
            "{v}: the change shows once:\n{plan}"
        );
        assert!(!subscription.contains("deviations"), "{v}:\n{plan}");
        ws.apply().expect_success();

        // A cluster's own difference: its deviation only.
        set(&ws, &main_tf(8, 6, "nginx:1.28", true));
        let plan = squashed(&ws.plan().expect_success().stdout);
        assert!(
            plan.contains(&format!(
                "+ \"c3/{KEY}\" = jsonencode( {{ + spec = {{ + replicas = 7 }} }} )"
            )),
            "{v}:\n{plan}"
        );
        assert!(
            !plan.contains(&format!("~ \"{KEY}\"")),
            "{v}: shared unchanged:\n{plan}"
        );
        ws.apply().expect_success();
        assert!(
            std::fs::read_to_string(
                ws.path()
                    .join("rendered/c3/default.web/apps_v1_deployment_shop_web.yaml")
            )
            .expect("c3's Deployment")
            .contains("replicas: 7"),
            "{v}"
        );

        // Joining the group again: the fields go back, then the deviation is gone.
        set(&ws, &main_tf(8, 6, "nginx:1.28", false));
        let plan = squashed(&ws.plan().expect_success().stdout);
        assert!(
            plan.contains(&format!(
                "~ \"c3/{KEY}\" = jsonencode( ~ {{ ~ spec = {{ ~ replicas = 7 -> 4"
            )),
            "{v}:\n{plan}"
        );
        ws.apply().expect_success();
        ws.expect_no_changes("after c3 joined the group");
        let state = ws.resource_values("clusternet_subscription");
        assert!(
            preview::per_cluster(&state)[&format!("c3/{KEY}")].contains("\"replicas\":4"),
            "{v}: {state}"
        );
        // The deviation named the field only to show it going back: a refresh drops it.
        ws.run(&[
            "apply",
            "-refresh-only",
            "-auto-approve",
            "-no-color",
            "-input=false",
        ])
        .expect_success();
        let state = ws.resource_values("clusternet_subscription");
        assert_eq!(state["deviations"], serde_json::json!({}), "{v}: {state}");

        // Clusters joining and leaving the subscription (relabelled).
        set(&ws, &main_tf(8, 8, "nginx:1.28", false));
        let plan = squashed(&ws.plan().expect_success().stdout);
        let covered = planned_list(&plan, "description_clusters");
        assert!(
            covered.contains("+ \"c7\"") && covered.contains("+ \"c8\""),
            "{v}:\n{plan}"
        );
        assert!(
            !plan.contains(&format!("c7/{KEY}")),
            "{v}: no entry per object:\n{plan}"
        );
        ws.apply().expect_success();
        assert!(ws.path().join("rendered/c8/default.web").exists(), "{v}");
        set(&ws, &main_tf(8, 5, "nginx:1.28", false));
        let plan = squashed(&ws.plan().expect_success().stdout);
        let covered = planned_list(&plan, "description_clusters");
        for left in ["c6", "c7", "c8"] {
            assert!(
                covered.contains(&format!("- \"{left}\"")),
                "{v}: {left}:\n{plan}"
            );
        }
        ws.apply().expect_success();
        ws.expect_no_changes("after three clusters left");
        assert!(
            !ws.path()
                .join("rendered/c8/default.web")
                .join("apps_v1_deployment_shop_web.yaml")
                .exists(),
            "{v}: pruned"
        );
    }
}
