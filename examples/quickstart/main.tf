# Quickstart: no hub, no cluster. Three child clusters are directory targets, so `apply`
# writes each cluster's rendered objects into rendered/<cluster>/<namespace>.<subscription>/.
terraform {
  required_providers {
    clusternet = {
      source = "clusternet/clusternet"
    }
  }
}

provider "clusternet" {
  clusters = {
    "eu-1" = {
      labels    = { region = "eu", env = "prod" }
      directory = "${path.module}/rendered/eu-1"
    }
    "eu-2" = {
      labels    = { region = "eu", env = "staging" }
      directory = "${path.module}/rendered/eu-2"
    }
    "us-1" = {
      labels    = { region = "us", env = "prod" }
      directory = "${path.module}/rendered/us-1"
    }
  }
}

resource "clusternet_manifest" "namespace" {
  manifest = <<-YAML
    apiVersion: v1
    kind: Namespace
    metadata:
      name: web
  YAML
}

resource "clusternet_manifest" "settings" {
  manifest = <<-YAML
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: settings
      namespace: web
    data:
      greeting: hello
      log_level: info
  YAML
}

resource "clusternet_manifest" "frontend" {
  manifest = yamlencode({
    apiVersion = "apps/v1"
    kind       = "Deployment"
    metadata   = { name = "frontend", namespace = "web" }
    spec = {
      replicas = 6
      selector = { matchLabels = { app = "frontend" } }
      template = {
        metadata = { labels = { app = "frontend" } }
        spec = {
          containers = [{ name = "web", image = "nginx:1.27" }]
        }
      }
    }
  })
}

# Production clusters get a louder log level; eu-1 also gets its own greeting.
resource "clusternet_globalization" "prod_logging" {
  name = "prod-logging"
  feed = clusternet_manifest.settings.id
  cluster_affinity {
    match_labels = { env = "prod" }
  }
  priority = 100
  override {
    type  = "MergePatch"
    value = jsonencode({ data = { log_level = "warn" } })
  }
}

resource "clusternet_localization" "eu_greeting" {
  name     = "eu-greeting"
  cluster  = "eu-1"
  feed     = clusternet_manifest.settings.id
  priority = 600
  override {
    type  = "JSONPatch"
    value = jsonencode([{ op = "replace", path = "/data/greeting", value = "hallo" }])
  }
}

# The web app goes to the production clusters, its 6 replicas divided 1:2 by weight.
resource "clusternet_subscription" "web" {
  name                = "web"
  namespace           = "default"
  scheduling_strategy = "Dividing"

  subscriber {
    weight = 1
    cluster_affinity {
      match_labels = { env = "prod", region = "eu" }
    }
  }
  subscriber {
    weight = 2
    cluster_affinity {
      match_labels = { env = "prod", region = "us" }
    }
  }

  feeds = [
    clusternet_manifest.namespace.feed,
    clusternet_manifest.settings.feed,
    clusternet_manifest.frontend.feed,
  ]
  overrides = [
    clusternet_globalization.prod_logging.ref,
    clusternet_localization.eu_greeting.ref,
  ]
}

output "clusters" {
  value = clusternet_subscription.web.binding_clusters
}

output "replicas" {
  value = clusternet_subscription.web.replicas
}
