# deployer = "clusternet": the provider writes only the user objects to the hub (the
# Subscription, its feeds as Manifests, the overrides) for Clusternet's controllers to render
# and deploy; the clusters are the hub's ManagedClusters; the children are not touched.
terraform {
  required_providers {
    clusternet = {
      source = "clusternet/clusternet"
    }
  }
}

variable "kubeconfig_hub" { type = string }
variable "ns" { type = string }
variable "cluster" { type = string }
variable "team" { type = string }
variable "glob_name" { type = string }

variable "verify_timeout" {
  type    = string
  default = null
}

provider "clusternet" {
  hub            = { kubeconfig_path = var.kubeconfig_hub, context = "hub" }
  deployer       = "clusternet"
  verify_timeout = var.verify_timeout
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

resource "clusternet_localization" "color" {
  name    = "color"
  cluster = var.cluster
  feed    = clusternet_manifest.settings.feed
  override {
    type  = "MergePatch"
    value = jsonencode({ data = { color = "green" } })
  }
}

resource "clusternet_globalization" "size" {
  name = var.glob_name
  feed = clusternet_manifest.settings.feed
  cluster_affinity {
    match_labels = { team = var.team }
  }
  override {
    type  = "MergePatch"
    value = jsonencode({ data = { size = "m" } })
  }
}

resource "clusternet_subscription" "app" {
  name      = "app"
  namespace = var.ns
  subscriber {
    cluster_affinity {
      match_labels = { team = var.team }
    }
  }
  feeds     = [clusternet_manifest.namespace.feed, clusternet_manifest.settings.feed]
  overrides = [clusternet_localization.color.ref, clusternet_globalization.size.ref]
}
