//! Issue 12, points 3 and 7: a setting that has no effect is a warning on its attribute, never
//! silence; dynamic dividing with no capacity known is an error; a replica split among equal
//! clusters says that it is one, once. Directory targets: no cluster needed. Each case runs
//! with terraform 1.11 and 1.0.3.

use acceptance_tests::terraform::{Terraform, Workspace};

const PROVIDER: &str = r#"
terraform {
  required_providers {
    clusternet = { source = "clusternet/clusternet" }
  }
}

provider "clusternet" {
  clusters = {
    "eu-1" = { labels = { env = "prod", region = "eu" }, directory = "${path.module}/rendered/eu-1" }
    "us-1" = { labels = { env = "prod", region = "us" }, directory = "${path.module}/rendered/us-1" }
  }
}

resource "clusternet_manifest" "settings" {
  manifest = jsonencode({
    apiVersion = "v1", kind = "ConfigMap"
    metadata   = { name = "settings", namespace = "default" }
    data       = { color = "blue" }
  })
}

resource "clusternet_manifest" "web" {
  manifest = jsonencode({
    apiVersion = "apps/v1", kind = "Deployment"
    metadata   = { name = "web", namespace = "default" }
    spec = {
      replicas = 3
      selector = { matchLabels = { app = "web" } }
      template = {
        metadata = { labels = { app = "web" } }
        spec     = { containers = [{ name = "web", image = "nginx:1.27" }] }
      }
    }
  })
}
"#;

/// Plans `subscription` (a `clusternet_subscription` block) with both terraform versions.
fn plan_with_each_terraform(
    subscription: &str,
    succeeds: bool,
    check: impl Fn(&Terraform, String),
) {
    for tf in Terraform::all() {
        let ws = Workspace::from_files(&[("main.tf", &format!("{PROVIDER}{subscription}"))], &tf);
        let out = if succeeds {
            ws.plan().expect_success()
        } else {
            ws.plan().expect_failure()
        };
        check(&tf, out.all_output());
    }
}

/// The warning `summary` is shown once, pointing at the configuration line `line`, and the
/// plan still succeeds.
fn expect_warning(subscription: &str, summary: &str, line: &str) {
    for tf in Terraform::all() {
        let ws = Workspace::from_files(&[("main.tf", &format!("{PROVIDER}{subscription}"))], &tf);
        let out = ws.plan().expect_success();
        let text = out.all_output();
        assert_eq!(
            text.matches(&format!("Warning: {summary}")).count(),
            1,
            "{}: expected the warning {summary:?} once in:\n{text}",
            tf.version
        );
        let at = text.find(&format!("Warning: {summary}")).unwrap();
        assert!(
            text[at..].contains(line),
            "{}: the warning should point at {line:?}:\n{text}",
            tf.version
        );
    }
}

#[test]
fn a_subscriber_whose_labels_match_no_cluster() {
    expect_warning(
        r#"
resource "clusternet_subscription" "app" {
  name = "app"
  subscriber {
    cluster_affinity {
      match_labels = { env = "prdo" }
    }
  }
  feeds = [clusternet_manifest.settings.feed]
}
"#,
        "Subscriber selects no cluster",
        "cluster_affinity {",
    );
}

#[test]
fn a_weight_under_replication() {
    expect_warning(
        r#"
resource "clusternet_subscription" "app" {
  name = "app"
  subscriber {
    weight = 3
    cluster_affinity {}
  }
  feeds = [clusternet_manifest.web.feed]
}
"#,
        "Weight has no effect",
        "weight = 3",
    );
}

#[test]
fn a_dividing_type_under_replication() {
    expect_warning(
        r#"
resource "clusternet_subscription" "app" {
  name          = "app"
  dividing_type = "Static"
  subscriber {
    cluster_affinity {}
  }
  feeds = [clusternet_manifest.web.feed]
}
"#,
        "dividing_type has no effect",
        "dividing_type = \"Static\"",
    );
}

#[test]
fn dividing_feeds_without_replicas() {
    expect_warning(
        r#"
resource "clusternet_subscription" "app" {
  name                = "app"
  scheduling_strategy = "Dividing"
  subscriber {
    weight = 1
    cluster_affinity {}
  }
  feeds = [clusternet_manifest.settings.feed]
}
"#,
        "Nothing to divide",
        "scheduling_strategy = \"Dividing\"",
    );
}

#[test]
fn a_replica_split_among_equal_clusters_is_a_tie_said_once() {
    expect_warning(
        r#"
resource "clusternet_subscription" "app" {
  name                = "app"
  scheduling_strategy = "Dividing"
  subscriber {
    weight = 1
    cluster_affinity {}
  }
  feeds = [clusternet_manifest.web.feed]
}
"#,
        "Replica split is a tie",
        "leftover\nreplicas went to clusters of equal weight",
    );
}

#[test]
fn dynamic_dividing_without_known_capacity_is_an_error() {
    plan_with_each_terraform(
        r#"
resource "clusternet_subscription" "app" {
  name                = "app"
  scheduling_strategy = "Dividing"
  dividing_type       = "Dynamic"
  subscriber {
    cluster_affinity {}
  }
  feeds = [clusternet_manifest.web.feed]
}
"#,
        false,
        |tf, text| {
            assert!(
                text.contains("Error: Cluster capacity unknown"),
                "{}: {text}",
                tf.version
            );
            assert!(
                text.contains("dividing_type       = \"Dynamic\""),
                "{}: the error should point at dividing_type:\n{text}",
                tf.version
            );
            assert!(
                !text.contains("clusternet_subscription.app will be created"),
                "{}: the subscription may not be planned:\n{text}",
                tf.version
            );
        },
    );
}

#[test]
fn a_configuration_that_does_what_it_says_plans_without_warnings() {
    plan_with_each_terraform(
        r#"
resource "clusternet_subscription" "app" {
  name                = "app"
  scheduling_strategy = "Dividing"
  subscriber {
    weight = 1
    cluster_affinity {
      match_labels = { region = "eu" }
    }
  }
  subscriber {
    weight = 2
    cluster_affinity {
      match_labels = { region = "us" }
    }
  }
  feeds = [clusternet_manifest.web.feed, clusternet_manifest.settings.feed]
}
"#,
        true,
        |tf, text| {
            assert!(text.contains("Plan: 3 to add"), "{}: {text}", tf.version);
            // The one warning left is terraform's own about the development override.
            assert_eq!(
                text.matches("Warning:").count(),
                text.matches("Warning: Provider development overrides")
                    .count(),
                "{}: {text}",
                tf.version
            );
        },
    );
}
