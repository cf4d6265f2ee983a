# Staging: one cluster, a directory target, so this environment applies with no cluster at all.
# Run from this directory: `terraform init` (or `terraform get` with dev_overrides), then
# `terraform apply`; the objects land in rendered/staging-eu/.
terraform {
  required_providers {
    clusternet = {
      source = "clusternet/clusternet"
    }
  }
}

provider "clusternet" {
  clusters = {
    "staging-eu" = {
      labels    = { env = "staging", region = "eu" }
      directory = "${path.root}/rendered/staging-eu"
    }
  }
}

module "web" {
  source = "../../modules/web-app"

  name           = "shop"
  image          = "nginx:1.27"
  replicas       = 1
  cluster_labels = { env = "staging" }
  settings       = { log_level = "debug", feature_checkout_v2 = "true" }
}

output "clusters" {
  value = module.web.clusters
}

output "objects" {
  value = module.web.objects
}
