terraform {
  required_providers {
    clusternet = {
      source = "clusternet/clusternet"
    }
  }
}

provider "clusternet" {
  clusters = {
    "eu-1" = {
      labels    = { region = "eu", env = "prod" }
      directory = "rendered/eu-1"
    }
    "eu-2" = {
      labels    = { region = "eu", env = "staging" }
      directory = "rendered/eu-2"
    }
    "us-1" = {
      labels    = { region = "us", env = "prod" }
      directory = "rendered/us-1"
      namespace = "clusternet-us"
    }
  }
}

data "clusternet_clusters" "all" {}

data "clusternet_clusters" "prod" {
  selector {
    match_labels = { env = "prod" }
  }
}

data "clusternet_clusters" "eu_not_prod" {
  selector {
    match_expressions {
      key      = "region"
      operator = "In"
      values   = ["eu"]
    }
    match_expressions {
      key      = "env"
      operator = "NotIn"
      values   = ["prod"]
    }
  }
}

output "all" {
  value = data.clusternet_clusters.all.names
}

output "prod" {
  value = data.clusternet_clusters.prod.names
}

output "eu_not_prod" {
  value = data.clusternet_clusters.eu_not_prod.names
}

output "us_namespace" {
  value = [for c in data.clusternet_clusters.all.clusters : c.namespace if c.name == "us-1"][0]
}

output "eu_1_target" {
  value = [for c in data.clusternet_clusters.all.clusters : c.target if c.name == "eu-1"][0]
}
