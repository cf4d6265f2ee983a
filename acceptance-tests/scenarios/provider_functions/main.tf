# A module that checks its inputs with the provider's functions: the replica split of a
# Dividing subscription and the feed keys of its objects, before anything is planned.
# Exercised by `terraform test` (tests/functions.tftest.hcl); needs no cluster.

terraform {
  required_providers {
    clusternet = { source = "clusternet/clusternet" }
  }
}

variable "replicas" {
  type    = number
  default = 6
}

variable "weights" {
  description = "Subscriber weight per cluster; every cluster must get at least one replica."
  type        = map(number)
  default     = { "eu-1" = 1, "us-1" = 2 }

  validation {
    condition     = alltrue([for n in values(provider::clusternet::divide(var.replicas, var.weights)) : n > 0])
    error_message = "With these weights a cluster would get no replica."
  }
}

variable "manifests" {
  type    = string
  default = <<-YAML
    apiVersion: v1
    kind: Namespace
    metadata:
      name: shop
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
      namespace: shop
  YAML
}

locals {
  objects = provider::clusternet::manifest_decode_multi(var.manifests)
}

output "split" {
  value = provider::clusternet::divide(var.replicas, var.weights)
}

output "feed_keys" {
  value = [for o in local.objects : provider::clusternet::feed_key(o)]
}

output "round_trip" {
  value = provider::clusternet::manifest_decode(provider::clusternet::manifest_encode(local.objects[1], "yaml"))
}
