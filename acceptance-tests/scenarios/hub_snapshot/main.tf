# Hub snapshot, deployer = "provider": the hub holds a ManagedCluster for the configured
# cluster (extra labels, its real dedicated namespace), a ManagedCluster of a cluster the
# provider has no credentials for, a feed stored by the shadow API, and a user's
# Localization of a feed passed by value. The subscription selects by the hub's label, takes
# one feed by key, and gets the hub's override.
terraform {
  required_providers {
    clusternet = {
      source = "clusternet/clusternet"
    }
  }
}

variable "kubeconfig_hub" { type = string }
variable "kubeconfig_1" { type = string }
variable "ns" { type = string }
variable "cluster" { type = string }
variable "tier" {
  type = string
}
variable "selected_tiers" { type = list(string) }
variable "hub_feed" { type = string }

provider "clusternet" {
  hub = { kubeconfig_path = var.kubeconfig_hub, context = "hub" }
  clusters = {
    (var.cluster) = { labels = { env = "prod" }, kubeconfig_path = var.kubeconfig_1, context = "child-1" }
  }
}

data "clusternet_clusters" "gold" {
  selector {
    match_labels = { tier = var.tier }
  }
}

data "clusternet_clusters" "snapshot" {
  selector {
    match_expressions {
      key      = "tier"
      operator = "In"
      values   = [var.tier, "${var.tier}-silver"]
    }
  }
}

resource "clusternet_manifest" "namespace" {
  manifest = yamlencode({ apiVersion = "v1", kind = "Namespace", metadata = { name = var.ns } })
}

resource "clusternet_manifest" "settings" {
  manifest = yamlencode({
    apiVersion = "v1"
    kind       = "ConfigMap"
    metadata   = { name = "settings", namespace = var.ns }
    data       = { color = "blue" }
  })
}

resource "clusternet_subscription" "app" {
  name      = "app"
  namespace = var.ns
  subscriber {
    cluster_affinity {
      match_expressions {
        key      = "tier"
        operator = "In"
        values   = var.selected_tiers
      }
    }
  }
  feeds = [
    clusternet_manifest.namespace.feed,
    clusternet_manifest.settings.feed,
    var.hub_feed,
  ]
}

output "gold" {
  value = data.clusternet_clusters.gold.clusters
}

output "snapshot" {
  value = data.clusternet_clusters.snapshot.clusters
}
