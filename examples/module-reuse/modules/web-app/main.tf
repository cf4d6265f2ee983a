# A reusable web application: a namespace, its settings and a Deployment, sent to the clusters
# whose labels match `cluster_labels`, with per-cluster overrides. Each environment calls it
# with its own clusters (configured in its provider block) and its own values.
terraform {
  required_providers {
    clusternet = {
      source = "clusternet/clusternet"
    }
  }
}

variable "name" {
  description = "Application name: namespace, Deployment and Subscription name."
  type        = string
}

variable "image" {
  description = "Container image."
  type        = string
}

variable "replicas" {
  description = "Replicas per cluster, before per-cluster overrides."
  type        = number
  default     = 2
}

variable "cluster_labels" {
  description = "Labels selecting the clusters the application goes to."
  type        = map(string)
}

variable "settings" {
  description = "Data of the application's ConfigMap."
  type        = map(string)
  default     = {}
}

variable "group_settings" {
  description = "ConfigMap entries overridden for every selected cluster (a Globalization)."
  type        = map(string)
  default     = {}
}

variable "cluster_settings" {
  description = "Per cluster (by name): ConfigMap entries overridden there (a Localization)."
  type        = map(map(string))
  default     = {}
}

variable "cluster_replicas" {
  description = "Per cluster (by name): a replica count replacing `replicas` (a Localization)."
  type        = map(number)
  default     = {}
}

resource "clusternet_manifest" "namespace" {
  manifest = yamlencode({
    apiVersion = "v1"
    kind       = "Namespace"
    metadata   = { name = var.name }
  })
}

resource "clusternet_manifest" "settings" {
  manifest = yamlencode({
    apiVersion = "v1"
    kind       = "ConfigMap"
    metadata   = { name = "${var.name}-settings", namespace = var.name }
    data       = var.settings
  })
}

resource "clusternet_manifest" "deployment" {
  manifest = yamlencode({
    apiVersion = "apps/v1"
    kind       = "Deployment"
    metadata   = { name = var.name, namespace = var.name }
    spec = {
      replicas = var.replicas
      selector = { matchLabels = { app = var.name } }
      template = {
        metadata = { labels = { app = var.name } }
        spec = {
          containers = [{
            name    = "app"
            image   = var.image
            envFrom = [{ configMapRef = { name = "${var.name}-settings" } }]
          }]
        }
      }
    }
  })
}

resource "clusternet_globalization" "group" {
  count = length(var.group_settings) > 0 ? 1 : 0

  name = "${var.name}-group-settings"
  feed = clusternet_manifest.settings.id
  cluster_affinity {
    match_labels = var.cluster_labels
  }
  priority = 100
  override {
    type  = "MergePatch"
    value = jsonencode({ data = var.group_settings })
  }
}

resource "clusternet_localization" "settings" {
  for_each = var.cluster_settings

  name     = "${var.name}-settings"
  cluster  = each.key
  feed     = clusternet_manifest.settings.id
  priority = 600
  override {
    type  = "MergePatch"
    value = jsonencode({ data = each.value })
  }
}

resource "clusternet_localization" "replicas" {
  for_each = var.cluster_replicas

  name    = "${var.name}-replicas"
  cluster = each.key
  feed    = clusternet_manifest.deployment.id
  override {
    type  = "JSONPatch"
    value = jsonencode([{ op = "replace", path = "/spec/replicas", value = each.value }])
  }
}

resource "clusternet_subscription" "app" {
  name      = var.name
  namespace = "default"

  subscriber {
    cluster_affinity {
      match_labels = var.cluster_labels
    }
  }

  feeds = [
    clusternet_manifest.namespace.feed,
    clusternet_manifest.settings.feed,
    clusternet_manifest.deployment.feed,
  ]
  overrides = concat(
    [for g in clusternet_globalization.group : g.ref],
    [for l in clusternet_localization.settings : l.ref],
    [for l in clusternet_localization.replicas : l.ref],
  )
}

output "clusters" {
  description = "The clusters the application is bound to."
  value       = clusternet_subscription.app.binding_clusters
}

output "objects" {
  description = "Every rendered object, as `<cluster>/<apiVersion>/<Kind>/<namespace>/<name>`."
  value       = sort(keys(clusternet_subscription.app.descriptions))
}
