# A Helm chart rolled out to two clusters with per-cluster values. The chart comes from a chart
# repository served locally (see README.md); the clusters here are directory targets, so this
# runs with no cluster: apply writes, per cluster, the objects `helm template` makes of the
# chart with that cluster's values, and the values themselves. Replace `directory` by
# `kubeconfig_path` and `context` to install the chart with `helm upgrade --install` instead.
terraform {
  required_providers {
    clusternet = { source = "clusternet/clusternet" }
  }
}

variable "repo" {
  description = "The chart repository (README.md serves one on this address)."
  type        = string
  default     = "http://127.0.0.1:8879"
}

provider "clusternet" {
  clusters = {
    "eu-1" = { labels = { env = "prod", region = "eu" }, directory = "${path.module}/rendered/eu-1" }
    "us-1" = { labels = { env = "prod", region = "us" }, directory = "${path.module}/rendered/us-1" }
  }
}

resource "clusternet_helm_chart" "greeter" {
  name             = "greeter"
  repo             = var.repo
  chart            = "greeter"
  version          = "1.0.0"
  target_namespace = "greeter"

  # Defaults for every cluster (a priority-0 Helm override).
  values = yamlencode({ greeting = "hello" })
}

# Every cluster of a region gets its region in the values.
resource "clusternet_globalization" "eu" {
  name = "greeter-eu"
  feed = "apps.clusternet.io/v1alpha1/HelmChart/${clusternet_helm_chart.greeter.id}"
  cluster_affinity {
    match_labels = { region = "eu" }
  }
  override {
    type  = "Helm"
    value = yamlencode({ region = "eu" })
  }
}

resource "clusternet_globalization" "us" {
  name = "greeter-us"
  feed = "apps.clusternet.io/v1alpha1/HelmChart/${clusternet_helm_chart.greeter.id}"
  cluster_affinity {
    match_labels = { region = "us" }
  }
  override {
    type  = "Helm"
    value = yamlencode({ region = "us" })
  }
}

# One cluster greets in its own language.
resource "clusternet_localization" "us_1" {
  name    = "greeter-us-1"
  cluster = "us-1"
  feed    = "apps.clusternet.io/v1alpha1/HelmChart/${clusternet_helm_chart.greeter.id}"
  override {
    type  = "Helm"
    value = yamlencode({ greeting = "howdy" })
  }
}

resource "clusternet_subscription" "greeter" {
  name = "greeter"
  subscriber {
    cluster_affinity {
      match_labels = { env = "prod" }
    }
  }
  feeds = [clusternet_helm_chart.greeter.feed]
  overrides = [
    clusternet_globalization.eu.ref,
    clusternet_globalization.us.ref,
    clusternet_localization.us_1.ref,
  ]
}

output "releases" {
  value = clusternet_subscription.greeter.releases
}
