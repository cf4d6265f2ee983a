terraform {
  required_providers {
    clusternet = {
      source = "clusternet/clusternet"
    }
  }
}

variable "us_token" {
  type      = string
  sensitive = true
}

variable "us_ca_certificate" {
  description = "PEM CA bundle of us-1's API server."
  type        = string
}

provider "clusternet" {
  # Optional: a cluster acting as Clusternet's parent. Without it, Clusternet's objects
  # (Subscriptions, Bases, Descriptions) live in Terraform state only.
  hub = {
    kubeconfig_path = "kubeconfigs/hub.yaml"
    context         = "hub"
  }

  # Child clusters by name. Subscriptions and Globalizations select them by their labels.
  clusters = {
    "eu-1" = {
      labels          = { region = "eu", env = "prod" }
      kubeconfig_path = "kubeconfigs/eu-1.yaml"
      context         = "eu-1"
    }
    "us-1" = {
      labels                 = { region = "us", env = "prod" }
      host                   = "https://us-1.example.com:6443"
      token                  = var.us_token
      cluster_ca_certificate = var.us_ca_certificate
      taints                 = [{ key = "dedicated", value = "payments", effect = "NoSchedule" }]
    }
    # A directory target: apply writes the rendered objects here, one file per object.
    # `capacity`: the replicas it counts as able to host for dividing_type = "Dynamic"
    # (clusters with credentials have theirs computed from their Nodes and Pods).
    "preview" = {
      labels    = { env = "preview" }
      directory = "${path.module}/rendered/preview"
      capacity  = 4
    }
  }

  parallelism = 5
}
