# Issue 5 point 8 in hub mode: a subscription and the Localization it passes change in the
# same run (one consistent plan, applied at once); a Localization it does not pass reaches
# the child at the next apply, with a warning in the plan that changes it.
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
variable "cluster_ns" { type = string }
variable "color" { type = string }
variable "size" { type = string }
variable "release" { type = string }

provider "clusternet" {
  hub = { kubeconfig_path = var.kubeconfig_hub, context = "hub" }
  clusters = {
    "c1" = { labels = { app = var.ns }, namespace = var.cluster_ns, kubeconfig_path = var.kubeconfig_1, context = "child-1" }
  }
}

resource "clusternet_manifest" "namespace" {
  manifest = yamlencode({ apiVersion = "v1", kind = "Namespace", metadata = { name = var.ns } })
}

resource "clusternet_manifest" "settings" {
  manifest = yamlencode({
    apiVersion = "v1"
    kind       = "ConfigMap"
    metadata   = { name = "settings", namespace = var.ns, labels = { release = var.release } }
    data       = { color = "blue", size = "s" }
  })
}

# Passed to the subscription: its changes show in the subscription's plan.
resource "clusternet_localization" "color" {
  name    = "color"
  cluster = "c1"
  feed    = clusternet_manifest.settings.feed
  override {
    type  = "MergePatch"
    value = jsonencode({ data = { color = var.color } })
  }
}

# Not passed: it reaches the subscription through the hub, at the next apply.
resource "clusternet_localization" "size" {
  name     = "size"
  cluster  = "c1"
  feed     = clusternet_manifest.settings.feed
  priority = 600
  override {
    type  = "MergePatch"
    value = jsonencode({ data = { size = var.size } })
  }
}

resource "clusternet_subscription" "app" {
  name      = "app"
  namespace = var.ns
  subscriber {
    cluster_affinity {
      match_labels = { app = var.ns }
    }
  }
  feeds     = [clusternet_manifest.namespace.feed, clusternet_manifest.settings.feed]
  overrides = [clusternet_localization.color.ref]
}
