# Production: three clusters in two regions (directory targets here, so the example applies
# with no cluster; give them kubeconfig_path/context instead to deploy for real). The same
# module, with a group override for every production cluster and per-cluster overrides.
terraform {
  required_providers {
    clusternet = {
      source = "clusternet/clusternet"
    }
  }
}

provider "clusternet" {
  clusters = {
    "prod-eu-1" = {
      labels    = { env = "prod", region = "eu" }
      directory = "${path.root}/rendered/prod-eu-1"
    }
    "prod-eu-2" = {
      labels    = { env = "prod", region = "eu" }
      directory = "${path.root}/rendered/prod-eu-2"
    }
    "prod-us-1" = {
      labels    = { env = "prod", region = "us" }
      directory = "${path.root}/rendered/prod-us-1"
    }
  }
}

module "web" {
  source = "../../modules/web-app"

  name           = "shop"
  image          = "nginx:1.27"
  replicas       = 3
  cluster_labels = { env = "prod" }
  settings       = { log_level = "info", feature_checkout_v2 = "false" }

  # Every production cluster: quieter logs.
  group_settings = { log_level = "warn" }

  # The US cluster takes the most traffic and tries the new checkout first;
  # prod-eu-2 is a smaller cluster.
  cluster_settings = {
    "prod-us-1" = { feature_checkout_v2 = "true" }
  }
  cluster_replicas = {
    "prod-us-1" = 6
    "prod-eu-2" = 2
  }
}

output "clusters" {
  value = module.web.clusters
}

output "objects" {
  value = module.web.objects
}
