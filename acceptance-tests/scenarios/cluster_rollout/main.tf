# Three real clusters of the test bed (child-1, child-2, and the hub's API server standing in
# for a third child); the subscription selects the two labelled prod.
terraform {
  required_providers {
    clusternet = {
      source = "clusternet/clusternet"
    }
  }
}

variable "kubeconfig_1" { type = string }
variable "kubeconfig_2" { type = string }
variable "kubeconfig_3" { type = string }
variable "ns" { type = string }
variable "group" { type = string }

variable "color" {
  type    = string
  default = "blue"
}

provider "clusternet" {
  clusters = {
    "c1" = { labels = { env = "prod", region = "eu" }, kubeconfig_path = var.kubeconfig_1, context = "child-1" }
    "c2" = { labels = { env = "prod", region = "us" }, kubeconfig_path = var.kubeconfig_2, context = "child-2" }
    "c3" = { labels = { env = "staging" }, kubeconfig_path = var.kubeconfig_3, context = "hub" }
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
    data       = { color = var.color, size = "m" }
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
        spec     = { containers = [{ name = "web", image = "nginx:1.27", ports = [{ containerPort = 80 }] }] }
      }
    }
  })
}

# Ports without `protocol` on purpose: Kubernetes 1.20 refuses them in a server-side apply
# body; the provider fills in the server's default (crates/deploy/src/defaults.rs).
resource "clusternet_manifest" "service" {
  manifest = yamlencode({
    apiVersion = "v1"
    kind       = "Service"
    metadata   = { name = "web", namespace = var.ns }
    spec       = { selector = { app = "web" }, ports = [{ port = 80 }] }
  })
}

resource "clusternet_manifest" "crd" {
  manifest = yamlencode({
    apiVersion = "apiextensions.k8s.io/v1"
    kind       = "CustomResourceDefinition"
    metadata   = { name = "widgets.${var.group}" }
    spec = {
      group = var.group
      names = { kind = "Widget", plural = "widgets", singular = "widget", listKind = "WidgetList" }
      scope = "Namespaced"
      versions = [{
        name    = "v1"
        served  = true
        storage = true
        schema = { openAPIV3Schema = {
          type       = "object"
          properties = { spec = { type = "object", properties = { size = { type = "integer" } } } }
        } }
      }]
    }
  })
}

resource "clusternet_manifest" "widget" {
  manifest = yamlencode({
    apiVersion = "${var.group}/v1"
    kind       = "Widget"
    metadata   = { name = "w1", namespace = var.ns }
    spec       = { size = 3 }
  })
}

resource "clusternet_subscription" "app" {
  name                = "app"
  namespace           = var.ns
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
    clusternet_manifest.web.feed,
    clusternet_manifest.service.feed,
    clusternet_manifest.crd.feed,
    clusternet_manifest.widget.feed,
  ]
}
