# A module whose rollout is tested with `terraform test` and no cluster: it builds a web
# application's objects and its Subscription, and renders them with `clusternet_render`
# for the clusters it is given. The same objects can be handed to clusternet_manifest and
# clusternet_subscription resources; the descriptions are the same strings their plan shows.
terraform {
  required_providers {
    clusternet = {
      source = "clusternet/clusternet"
    }
  }
}

provider "clusternet" {}

variable "name" {
  description = "Application name: namespace, Deployment and Subscription name."
  type        = string
  default     = "web"
}

variable "image" {
  description = "Container image."
  type        = string
  default     = "nginx:1.27"
}

variable "replicas" {
  description = "Replicas in all, divided between the clusters by weight."
  type        = number
  default     = 6
}

variable "clusters" {
  description = "Clusters by name: their labels and their weight in the replica split."
  type = map(object({
    labels = map(string)
    weight = number
  }))
  default = {
    "eu-1" = { labels = { region = "eu" }, weight = 1 }
    "eu-2" = { labels = { region = "eu" }, weight = 2 }
  }
}

variable "canary_image" {
  description = "Per cluster (by name): an image replacing `image` there (a Localization)."
  type        = map(string)
  default     = {}
}

locals {
  feed = { apiVersion = "apps/v1", kind = "Deployment", name = var.name, namespace = var.name }

  objects = concat(
    [
      yamlencode({
        apiVersion = "apps/v1"
        kind       = "Deployment"
        metadata   = { name = var.name, namespace = var.name }
        spec = {
          replicas = var.replicas
          selector = { matchLabels = { app = var.name } }
          template = {
            metadata = { labels = { app = var.name } }
            spec     = { containers = [{ name = var.name, image = var.image }] }
          }
        }
      }),
      yamlencode({
        apiVersion = "apps.clusternet.io/v1alpha1"
        kind       = "Subscription"
        metadata   = { name = var.name, namespace = var.name }
        spec = {
          schedulingStrategy = "Dividing"
          dividingScheduling = { type = "Static" }
          # One subscriber per cluster, so that each cluster has its own weight.
          subscribers = [for name, c in var.clusters : {
            clusterAffinity = { matchLabels = { "clusters.clusternet.io/cluster-name" = name } }
            weight          = c.weight
          }]
          feeds = [local.feed]
        }
      }),
    ],
    [for cluster, image in var.canary_image : yamlencode({
      apiVersion = "apps.clusternet.io/v1alpha1"
      kind       = "Localization"
      metadata   = { name = "${var.name}-canary", namespace = "clusternet-${cluster}" }
      spec = {
        priority  = 500
        feed      = local.feed
        overrides = [{
          name  = "canary-image"
          type  = "JSONPatch"
          value = jsonencode([{ op = "replace", path = "/spec/template/spec/containers/0/image", value = image }])
        }]
      }
    })],
  )
}

data "clusternet_render" "rollout" {
  dynamic "cluster" {
    for_each = var.clusters
    content {
      name   = cluster.key
      labels = merge(cluster.value.labels, { "clusters.clusternet.io/cluster-name" = cluster.key })
    }
  }
  objects = local.objects
}

locals {
  rendered = data.clusternet_render.rollout.subscriptions["${var.name}/${var.name}"]
}

output "binding_clusters" {
  value = local.rendered.binding_clusters
}

output "replicas" {
  description = "Replicas per cluster."
  value = {
    for key, count in local.rendered.replicas : split("/", key)[0] => count
  }
}

output "images" {
  description = "The image each cluster runs."
  value = {
    for key, text in local.rendered.descriptions :
    split("/", key)[0] => jsondecode(text).spec.template.spec.containers[0].image
    if length(regexall("/Deployment/", key)) > 0
  }
}

output "warnings" {
  value = data.clusternet_render.rollout.warnings
}
