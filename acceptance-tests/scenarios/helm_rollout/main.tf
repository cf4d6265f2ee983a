# A HelmChart feed on two real clusters of the test bed, from a chart repository served on
# 127.0.0.1: chart default values, a Helm-type Globalization for both clusters and a
# Localization for c2 give the two releases different values.
terraform {
  required_providers {
    clusternet = {
      source = "clusternet/clusternet"
    }
  }
}

variable "kubeconfig_1" { type = string }
variable "kubeconfig_2" { type = string }
variable "helm" { type = string }
variable "repo" { type = string }
variable "release" { type = string }
variable "ns" { type = string }

variable "chart_version" {
  type    = string
  default = "0.1.0"
}

variable "with_chart" {
  type    = bool
  default = true
}

provider "clusternet" {
  helm_binary = var.helm
  clusters = {
    "c1" = { labels = { env = "prod", region = "eu" }, kubeconfig_path = var.kubeconfig_1, context = "child-1" }
    "c2" = { labels = { env = "prod", region = "us" }, kubeconfig_path = var.kubeconfig_2, context = "child-2" }
  }
}

resource "clusternet_helm_chart" "smoke" {
  name             = var.release
  repo             = var.repo
  chart            = "smoke"
  version          = var.chart_version
  target_namespace = var.ns
  timeout_seconds  = 60

  values = yamlencode({ greeting = "chart default", size = "s" })
}

resource "clusternet_globalization" "everywhere" {
  name     = "${var.release}-everywhere"
  feed     = clusternet_helm_chart.smoke.feed
  priority = 100

  override {
    type  = "Helm"
    value = yamlencode({ greeting = "hello everywhere" })
  }
}

resource "clusternet_localization" "c2" {
  name    = "${var.release}-c2"
  cluster = "c2"
  feed    = clusternet_helm_chart.smoke.feed

  override {
    type  = "Helm"
    value = yamlencode({ greeting = "hallo c2", size = "l" })
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

resource "clusternet_subscription" "rollout" {
  name = var.release

  subscriber {
    cluster_affinity {
      match_labels = { env = "prod" }
    }
  }

  feeds = var.with_chart ? [
    clusternet_helm_chart.smoke.feed,
    clusternet_manifest.marker.feed,
  ] : [clusternet_manifest.marker.feed]

  overrides = [
    clusternet_globalization.everywhere.ref,
    clusternet_localization.c2.ref,
  ]
}
