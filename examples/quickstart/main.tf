# Quickstart: no hub, no cluster. Three child clusters are directory targets, so `apply`
# writes each cluster's rendered objects into rendered/<cluster>/.
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
      directory = "${path.module}/rendered/eu-1"
    }
    "eu-2" = {
      labels    = { region = "eu", env = "staging" }
      directory = "${path.module}/rendered/eu-2"
    }
    "us-1" = {
      labels    = { region = "us", env = "prod" }
      directory = "${path.module}/rendered/us-1"
    }
  }
}

# The clusters a Subscription with `env = prod` subscribers would select.
data "clusternet_clusters" "prod" {
  selector {
    match_labels = { env = "prod" }
  }
}

output "prod_clusters" {
  value = data.clusternet_clusters.prod.names
}
