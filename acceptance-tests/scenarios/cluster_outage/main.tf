# Two real child clusters of a private test bed; one subscription sends a namespace, a
# ConfigMap whose value the test changes, and (in the second version) one more ConfigMap and,
# with `crd_group` set, a CRD to both. The tests stop child-2 between plan and apply, or while
# the apply waits for that CRD there.
terraform {
  required_providers {
    clusternet = {
      source = "clusternet/clusternet"
    }
  }
}

variable "kubeconfig_1" { type = string }
variable "kubeconfig_2" { type = string }
variable "ns" { type = string }

variable "color" {
  type    = string
  default = "blue"
}

variable "with_extra" {
  type    = bool
  default = false
}

variable "crd_group" {
  type    = string
  default = ""
}

provider "clusternet" {
  clusters = {
    "child-1" = { labels = { env = "prod" }, kubeconfig_path = var.kubeconfig_1 }
    "child-2" = { labels = { env = "prod" }, kubeconfig_path = var.kubeconfig_2 }
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
    data       = { color = var.color }
  })
}

resource "clusternet_manifest" "extra" {
  manifest = yamlencode({
    apiVersion = "v1"
    kind       = "ConfigMap"
    metadata   = { name = "extra", namespace = var.ns }
    data       = { added = "in the second version" }
  })
}

# Kind Gizmo; applied first and waited for (Established) before the other objects.
resource "clusternet_manifest" "crd" {
  count = var.crd_group == "" ? 0 : 1
  manifest = yamlencode({
    apiVersion = "apiextensions.k8s.io/v1"
    kind       = "CustomResourceDefinition"
    metadata   = { name = "gizmos.${var.crd_group}" }
    spec = {
      group = var.crd_group
      names = { kind = "Gizmo", plural = "gizmos", singular = "gizmo", listKind = "GizmoList" }
      scope = "Namespaced"
      versions = [{
        name    = "v1"
        served  = true
        storage = true
        schema  = { openAPIV3Schema = { type = "object", x-kubernetes-preserve-unknown-fields = true } }
      }]
    }
  })
}

resource "clusternet_subscription" "app" {
  name                = "app"
  namespace           = var.ns
  scheduling_strategy = "Replication"

  subscriber {
    cluster_affinity {
      match_labels = { env = "prod" }
    }
  }

  feeds = concat(
    [clusternet_manifest.namespace.feed, clusternet_manifest.settings.feed],
    var.with_extra ? [clusternet_manifest.extra.feed] : [],
    [for crd in clusternet_manifest.crd : crd.feed],
  )
}
