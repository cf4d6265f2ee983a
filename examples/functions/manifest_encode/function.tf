locals {
  settings = {
    apiVersion = "v1"
    kind       = "ConfigMap"
    metadata   = { name = "settings", namespace = "shop" }
    data       = { color = "blue" }
  }
}

# Keys sorted, so the text only changes when the object does:
# apiVersion: v1
# data:
#   color: blue
# kind: ConfigMap
# metadata:
#   name: settings
#   namespace: shop
output "yaml" {
  value = provider::clusternet::manifest_encode(local.settings, "yaml")
}

# A list gives a JSON array (or, with "yaml", a stream of documents).
output "json" {
  value = provider::clusternet::manifest_encode([local.settings], "json")
}
