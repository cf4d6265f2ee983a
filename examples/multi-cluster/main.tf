# A shop rolled out from a hub to two child clusters of the local test bed
# (acceptance-tests/testbed): see README.md. `acceptance-tests/testbed/apply-example` brings
# the bed up and applies this with the variables below set.
terraform {
  required_providers {
    clusternet = {
      source = "clusternet/clusternet"
    }
  }
}

variable "hub_kubeconfig" {
  type        = string
  description = "Kubeconfig of the hub (Clusternet's parent cluster, with Clusternet's CRDs)."
}

variable "child_1_kubeconfig" {
  type        = string
  description = "Kubeconfig of child-1, labelled region=eu."
}

variable "child_2_kubeconfig" {
  type        = string
  description = "Kubeconfig of child-2, labelled region=us."
}

variable "namespace" {
  type        = string
  description = "Namespace of the shop, in the children and of its Subscription on the hub."
  default     = "shop"
}

# The hub stores what Clusternet would: the Subscription, the feeds as Manifests, a Base and
# a Description per cluster, the overrides. The provider itself deploys to the children
# (deployer = "provider", the default, like Clusternet's Push mode).
provider "clusternet" {
  hub = { kubeconfig_path = var.hub_kubeconfig }
  clusters = {
    "child-1" = { labels = { env = "prod", region = "eu" }, kubeconfig_path = var.child_1_kubeconfig }
    "child-2" = { labels = { env = "prod", region = "us" }, kubeconfig_path = var.child_2_kubeconfig }
  }
}

# ---------------------------------------------------------------- the three feeds

resource "clusternet_manifest" "namespace" {
  manifest = yamlencode({
    apiVersion = "v1"
    kind       = "Namespace"
    metadata   = { name = var.namespace }
  })
}

resource "clusternet_manifest" "settings" {
  manifest = yamlencode({
    apiVersion = "v1"
    kind       = "ConfigMap"
    metadata   = { name = "shop-settings", namespace = var.namespace }
    data       = { currency = "EUR", log_level = "warn" }
  })
}

resource "clusternet_manifest" "web" {
  manifest = yamlencode({
    apiVersion = "apps/v1"
    kind       = "Deployment"
    metadata   = { name = "shop", namespace = var.namespace }
    spec = {
      replicas = 6 # divided between the clusters below, 2 + 4
      selector = { matchLabels = { app = "shop" } }
      template = {
        metadata = { labels = { app = "shop" } }
        spec = {
          containers = [{
            name  = "shop"
            image = "nginx:1.27"
            ports = [{ containerPort = 8080 }]
          }]
        }
      }
    }
  })
}

# ---------------------------------------------------------------- overrides

# Every production cluster logs at `info` (a Globalization selects clusters by label).
resource "clusternet_globalization" "prod_logging" {
  name     = "shop-prod-logging"
  feed     = clusternet_manifest.settings.id
  priority = 500
  cluster_affinity {
    match_labels = { env = "prod" }
  }
  override {
    type  = "MergePatch"
    value = jsonencode({ data = { log_level = "info" } })
  }
}

# child-2 serves the US: dollars and, applied after the Globalization (higher priority),
# debug logging.
resource "clusternet_localization" "us" {
  name     = "shop-us"
  cluster  = "child-2"
  feed     = clusternet_manifest.settings.id
  priority = 600
  override {
    type  = "MergePatch"
    value = jsonencode({ data = { currency = "USD", log_level = "debug" } })
  }
}

# ---------------------------------------------------------------- the subscription

# Dividing with static weights 1:2: of 6 replicas, child-1 runs 2 and child-2 runs 4.
resource "clusternet_subscription" "shop" {
  name                = "shop"
  namespace           = var.namespace
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

  feeds = [
    clusternet_manifest.namespace.feed,
    clusternet_manifest.settings.feed,
    clusternet_manifest.web.feed,
  ]
  # Passing the overrides (their refs) makes their effect part of this plan.
  overrides = [
    clusternet_globalization.prod_logging.ref,
    clusternet_localization.us.ref,
  ]
}

output "clusters" {
  description = "The clusters the shop is bound to."
  value       = clusternet_subscription.shop.binding_clusters
}

output "replicas" {
  description = "Replicas of the shop Deployment per cluster."
  value       = clusternet_subscription.shop.replicas
}
