# Import: a rollout applied in hub mode (deployer = "provider"), then imported into an empty
# state and planned again - no changes. Manifests are written as a YAML heredoc, with
# yamlencode and with jsonencode (the text import gives back; the others describe the same
# objects, so they plan no change either); defaults (dividing_type, the Globalization's
# priority) are left out, as most configurations do. secrets.tf adds a Secret and the
# subscription that sends it.
terraform {
  required_providers {
    clusternet = {
      source = "clusternet/clusternet"
    }
  }
}

variable "kubeconfig_hub" { type = string }
variable "kubeconfig_1" { type = string }
variable "kubeconfig_2" { type = string }
variable "ns" { type = string }
variable "cluster_ns_1" { type = string }
variable "cluster_ns_2" { type = string }
variable "glob_name" { type = string }

provider "clusternet" {
  hub = { kubeconfig_path = var.kubeconfig_hub, context = "hub" }
  clusters = {
    "c1" = { labels = { region = "eu" }, namespace = var.cluster_ns_1, kubeconfig_path = var.kubeconfig_1, context = "child-1" }
    "c2" = { labels = { region = "us" }, namespace = var.cluster_ns_2, kubeconfig_path = var.kubeconfig_2, context = "child-2" }
  }
}

resource "clusternet_manifest" "namespace" {
  manifest = <<-YAML
    # The namespace of the rollout.
    apiVersion: v1
    kind: Namespace
    metadata:
      name: ${var.ns}
  YAML
}

resource "clusternet_manifest" "settings" {
  manifest = yamlencode({
    apiVersion = "v1"
    kind       = "ConfigMap"
    metadata   = { name = "settings", namespace = var.ns, labels = { app = "web" } }
    data       = { color = "blue", greeting = "<hello & welcome>" }
  })
}

resource "clusternet_manifest" "web" {
  manifest = jsonencode({
    apiVersion = "apps/v1"
    kind       = "Deployment"
    metadata   = { name = "web", namespace = var.ns }
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

resource "clusternet_localization" "eu" {
  name     = "eu-color"
  cluster  = "c1"
  feed     = clusternet_manifest.settings.feed
  priority = 600
  override {
    type  = "MergePatch"
    value = jsonencode({ data = { color = "green" } })
  }
}

resource "clusternet_globalization" "size" {
  name = var.glob_name
  feed = clusternet_manifest.settings.feed
  cluster_affinity {
    match_expressions {
      key      = "region"
      operator = "In"
      values   = ["eu", "us"]
    }
  }
  override {
    name  = "size"
    type  = "MergePatch"
    value = jsonencode({ data = { size = "m" } })
  }
}

resource "clusternet_subscription" "app" {
  name                = "app"
  namespace           = var.ns
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
  overrides = [clusternet_localization.eu.ref, clusternet_globalization.size.ref]
}
