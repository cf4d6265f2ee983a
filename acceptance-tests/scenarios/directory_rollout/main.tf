# Three directory-target clusters; the subscription selects the two production ones.
# Variables let the tests change overrides and selectors between applies.
terraform {
  required_providers {
    clusternet = {
      source = "clusternet/clusternet"
    }
  }
}

variable "selected_env" {
  type    = string
  default = "prod"
}

variable "eu_greeting" {
  type    = string
  default = "hallo"
}

variable "prod_log_level" {
  type    = string
  default = "warn"
}

provider "clusternet" {
  clusters = {
    "eu-1" = {
      labels    = { region = "eu", env = "prod" }
      directory = "${path.module}/rendered/eu-1"
    }
    "us-1" = {
      labels    = { region = "us", env = "prod" }
      directory = "${path.module}/rendered/us-1"
    }
    "ap-1" = {
      labels    = { region = "ap", env = "staging" }
      directory = "${path.module}/rendered/ap-1"
    }
  }
}

resource "clusternet_manifest" "namespace" {
  manifest = yamlencode({
    apiVersion = "v1"
    kind       = "Namespace"
    metadata   = { name = "shop" }
  })
}

resource "clusternet_manifest" "settings" {
  manifest = yamlencode({
    apiVersion = "v1"
    kind       = "ConfigMap"
    metadata   = { name = "settings", namespace = "shop" }
    data       = { greeting = "hello", log_level = "info" }
  })
}

resource "clusternet_manifest" "web" {
  manifest = yamlencode({
    apiVersion = "apps/v1"
    kind       = "Deployment"
    metadata   = { name = "web", namespace = "shop" }
    spec = {
      replicas = 6
      selector = { matchLabels = { app = "web" } }
      template = {
        metadata = { labels = { app = "web" } }
        spec     = { containers = [{ name = "web", image = "nginx:1.27" }] }
      }
    }
  })
}

resource "clusternet_manifest" "service" {
  manifest = yamlencode({
    apiVersion = "v1"
    kind       = "Service"
    metadata   = { name = "web", namespace = "shop" }
    spec       = { selector = { app = "web" }, ports = [{ port = 80 }] }
  })
}

resource "clusternet_secret" "credentials" {
  manifest = yamlencode({
    apiVersion = "v1"
    kind       = "Secret"
    metadata   = { name = "credentials", namespace = "shop" }
  })
  secret_data = { password = "s3cr3t-value" }
}

resource "clusternet_globalization" "prod_logging" {
  name = "prod-logging"
  feed = clusternet_manifest.settings.feed
  cluster_affinity {
    match_labels = { env = "prod" }
  }
  priority = 100
  override {
    type  = "MergePatch"
    value = jsonencode({ data = { log_level = var.prod_log_level } })
  }
}

resource "clusternet_localization" "eu_greeting" {
  name     = "eu-greeting"
  cluster  = "eu-1"
  feed     = clusternet_manifest.settings.feed
  priority = 600
  override {
    type  = "JSONPatch"
    value = jsonencode([{ op = "replace", path = "/data/greeting", value = var.eu_greeting }])
  }
}

resource "clusternet_subscription" "shop" {
  name                = "shop"
  scheduling_strategy = "Dividing"

  subscriber {
    weight = 1
    cluster_affinity {
      match_labels = { env = var.selected_env, region = "eu" }
    }
  }
  subscriber {
    weight = 2
    cluster_affinity {
      match_labels = { env = var.selected_env, region = "us" }
    }
  }
  subscriber {
    weight = 1
    cluster_affinity {
      match_labels = { env = var.selected_env, region = "ap" }
    }
  }

  feeds = [
    clusternet_manifest.namespace.feed,
    clusternet_manifest.settings.feed,
    clusternet_manifest.web.feed,
    clusternet_manifest.service.feed,
    clusternet_secret.credentials.feed,
  ]
  overrides = [
    clusternet_globalization.prod_logging.ref,
    clusternet_localization.eu_greeting.ref,
  ]
}

output "clusters" {
  value = clusternet_subscription.shop.binding_clusters
}

output "replicas" {
  value = clusternet_subscription.shop.replicas
}
