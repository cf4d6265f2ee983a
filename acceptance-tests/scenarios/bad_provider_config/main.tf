terraform {
  required_providers {
    clusternet = {
      source = "clusternet/clusternet"
    }
  }
}

provider "clusternet" {
  deployer = "bogus"
  clusters = {
    "eu-1" = {
      labels = { "bad key!" = "x" }
    }
  }
}

data "clusternet_clusters" "all" {}
