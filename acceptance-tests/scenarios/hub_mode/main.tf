# Hub mode, deployer = "provider": the test bed's hub API server (with Clusternet's upstream
# CRDs) receives the Subscription, the feeds as Manifests, the Bases, the generated dividing
# Localizations, the Descriptions and the user's overrides; child-1 and child-2 get the
# objects.
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
variable "c2_region" {
  type    = string
  default = "us"
}

provider "clusternet" {
  hub = { kubeconfig_path = var.kubeconfig_hub, context = "hub" }
  clusters = {
    "c1" = { labels = { env = "prod", region = "eu" }, namespace = var.cluster_ns_1, kubeconfig_path = var.kubeconfig_1, context = "child-1" }
    "c2" = { labels = { env = "prod", region = var.c2_region }, namespace = var.cluster_ns_2, kubeconfig_path = var.kubeconfig_2, context = "child-2" }
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

resource "clusternet_manifest" "web" {
  manifest = yamlencode({
    apiVersion = "apps/v1"
    kind       = "Deployment"
    metadata   = { name = "web", namespace = var.ns }
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
    metadata   = { name = "web", namespace = var.ns }
    spec       = { selector = { app = "web" }, ports = [{ port = 80, protocol = "TCP" }] }
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
  name     = var.glob_name
  feed     = clusternet_manifest.settings.feed
  priority = 400
  cluster_affinity {
    match_labels = { env = "prod" }
  }
  override {
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
    clusternet_manifest.service.feed,
  ]
  overrides = [clusternet_localization.eu.ref, clusternet_globalization.size.ref]
}
