# Hub mode with a HelmChart feed. deployer = "provider": the test bed's hub API server (with
# Clusternet's upstream CRDs) receives the HelmChart, its values Globalization and, per bound
# cluster, a `<base>-helm` Description next to the `<base>-generic` one; real helm installs
# the chart in child-1 and child-2 from a chart repository served on 127.0.0.1, with c2's
# values from a Localization. deployer = "clusternet": the hub gets the user objects only.
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
variable "cluster_ns_1" { type = string }
variable "cluster_ns_2" { type = string }
variable "helm" { type = string }
variable "repo" { type = string }
variable "release" { type = string }
variable "ns" { type = string }

variable "with_chart" {
  type    = bool
  default = true
}

variable "deployer" {
  type    = string
  default = "provider"
}

variable "with_values" {
  type    = bool
  default = true
}

provider "clusternet" {
  helm_binary = var.helm
  deployer    = var.deployer
  hub         = { kubeconfig_path = var.kubeconfig_hub, context = "hub" }
  clusters = {
    "c1" = { labels = { env = "prod" }, namespace = var.cluster_ns_1, kubeconfig_path = var.kubeconfig_1, context = "child-1" }
    "c2" = { labels = { env = "prod" }, namespace = var.cluster_ns_2, kubeconfig_path = var.kubeconfig_2, context = "child-2" }
  }
}

resource "clusternet_helm_chart" "smoke" {
  name             = var.release
  namespace        = var.ns
  repo             = var.repo
  chart            = "smoke"
  version          = "0.1.0"
  target_namespace = var.release
  timeout_seconds  = 60
  atomic           = true

  values = var.with_values ? yamlencode({ greeting = "chart default", size = "s" }) : null
}

resource "clusternet_localization" "c2" {
  name    = "${var.release}-c2"
  cluster = "c2"
  feed    = clusternet_helm_chart.smoke.feed

  override {
    type  = "Helm"
    value = yamlencode({ greeting = "hallo c2" })
  }
}

resource "clusternet_manifest" "marker" {
  manifest = yamlencode({
    apiVersion = "v1"
    kind       = "ConfigMap"
    metadata   = { name = "${var.release}-marker", namespace = "default" }
    data       = { chart = var.release }
  })
}

resource "clusternet_subscription" "app" {
  name      = "app"
  namespace = var.ns

  subscriber {
    cluster_affinity {
      match_labels = { env = "prod" }
    }
  }

  feeds = var.with_chart ? [
    clusternet_helm_chart.smoke.feed,
    clusternet_manifest.marker.feed,
  ] : [clusternet_manifest.marker.feed]

  overrides = [clusternet_localization.c2.ref]
}

variable "second" {
  type    = bool
  default = false
}

# A second Subscription of the same chart: the HelmChart stays on the hub while it uses it.
resource "clusternet_subscription" "second" {
  count     = var.second ? 1 : 0
  name      = "second"
  namespace = var.ns

  subscriber {
    cluster_affinity {
      match_labels = { env = "prod" }
    }
  }

  feeds     = [clusternet_helm_chart.smoke.feed]
  overrides = [clusternet_localization.c2.ref]
}
