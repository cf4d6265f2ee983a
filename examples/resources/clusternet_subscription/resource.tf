resource "clusternet_manifest" "namespace" {
  manifest = yamlencode({
    apiVersion = "v1"
    kind       = "Namespace"
    metadata   = { name = "web" }
  })
}

resource "clusternet_manifest" "frontend" {
  manifest = yamlencode({
    apiVersion = "apps/v1"
    kind       = "Deployment"
    metadata = {
      name        = "frontend"
      namespace   = "web"
      annotations = { "example.com/rollout-note" = "set by the release bot" }
    }
    spec = {
      replicas = 6
      selector = { matchLabels = { app = "frontend" } }
      template = {
        metadata = { labels = { app = "frontend" } }
        spec     = { containers = [{ name = "web", image = "nginx:1.27" }] }
      }
    }
  })
}

# Every production cluster gets both objects (Replication, the default).
resource "clusternet_subscription" "everywhere" {
  name      = "web-everywhere"
  namespace = "default"

  subscriber {
    cluster_affinity {
      match_labels = { env = "prod" }
    }
  }

  feeds = [
    clusternet_manifest.namespace.feed,
    clusternet_manifest.frontend.feed,
  ]
}

# The 6 replicas divided 1:2 between the EU and US clusters: 2 and 4, visible in the plan.
resource "clusternet_subscription" "divided" {
  name                = "web-divided"
  namespace           = "default"
  scheduling_strategy = "Dividing"
  dividing_type       = "Static"

  subscriber {
    weight = 1
    cluster_affinity {
      match_labels = { env = "prod", region = "eu" }
    }
  }
  subscriber {
    weight = 2
    cluster_affinity {
      match_expressions {
        key      = "region"
        operator = "In"
        values   = ["us"]
      }
    }
  }

  # Clusters tainted dedicated=payments:NoSchedule may be selected too.
  toleration {
    key      = "dedicated"
    operator = "Equal"
    value    = "payments"
    effect   = "NoSchedule"
  }

  feeds = [
    clusternet_manifest.namespace.feed,
    clusternet_manifest.frontend.feed,
  ]
}

# A canary first: the clusters labelled ring = canary are updated and must be ready (the
# Deployment rolled out) before every other production cluster is, at most 5 at a time. A
# canary not ready within 10 minutes halts the rollout; the rest stay untouched.
resource "clusternet_subscription" "staged" {
  name = "web-staged"

  subscriber {
    cluster_affinity {
      match_labels = { env = "prod" }
    }
  }

  feeds = [
    clusternet_manifest.namespace.feed,
    clusternet_manifest.frontend.feed,
  ]

  rollout {
    stage {
      name = "canary"
      cluster_affinity {
        match_labels = { ring = "canary" }
      }
    }
    stage {
      name         = "rest" # no selector: every bound cluster no earlier stage took
      max_parallel = 5
    }
    progress_deadline = "10m"
    min_ready_seconds = 30
    max_failures      = 0
  }
}

# Escape hatches for objects others manage too.
resource "clusternet_subscription" "autoscaled" {
  name = "web-autoscaled"

  subscriber {
    cluster_affinity {
      match_labels = { env = "prod" }
    }
  }

  feeds = [
    clusternet_manifest.namespace.feed,
    clusternet_manifest.frontend.feed,
  ]

  # An HPA owns the replicas once it scales: its value is neither drift nor taken back. The
  # first apply still creates the Deployment with 6 replicas. One object's field is
  # `<apiVersion>/<Kind>/<namespace>/<name>:<path>`; keys with "." or "/" go in [""].
  ignore_fields = [
    "apps/v1/Deployment:spec.replicas",
    "apps/v1/Deployment/web/frontend:metadata.annotations[\"example.com/rollout-note\"]",
  ]

  # The field manager in managedFields, and adopting objects another tool applied first
  # (their conflicting fields are taken over instead of failing the cluster).
  field_manager {
    name            = "platform-team"
    force_conflicts = true
  }

  # Per cluster: deploying, Helm and the readiness wait of wait_for_ready. A cluster not
  # done in time fails, naming it; it keeps its previous state, and the next apply resumes.
  wait_for_ready = true
  timeouts {
    create = "15m"
    update = "10m"
    delete = "5m"
  }
}

# Which cluster goes in which stage, known at plan: { "eu-1" = "1/canary", "us-1" = "2/rest" }.
output "stages" {
  value = clusternet_subscription.staged.rollout_plan
}

# The preview: one entry per cluster and object, compact JSON with sorted keys.
output "rendered_objects" {
  value = keys(clusternet_subscription.divided.descriptions)
}

output "replicas" {
  value = clusternet_subscription.divided.replicas
}
