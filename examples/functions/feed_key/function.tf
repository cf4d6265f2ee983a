locals {
  deployment = {
    apiVersion = "apps/v1"
    kind       = "Deployment"
    metadata   = { name = "web", namespace = "shop" }
  }
}

# "apps/v1/Deployment/shop/web": how clusternet_subscription keys the object in `replicas`
# (after "<cluster>/"), `descriptions` and `ignore_fields`.
output "deployment_key" {
  value = provider::clusternet::feed_key(local.deployment)
}

# The YAML or JSON text of one object works too: "v1/Namespace/shop".
output "namespace_key" {
  value = provider::clusternet::feed_key("{\"apiVersion\": \"v1\", \"kind\": \"Namespace\", \"metadata\": {\"name\": \"shop\"}}")
}
