locals {
  # In a module: file("${path.module}/app.yaml").
  objects = provider::clusternet::manifest_decode_multi(<<-YAML
    apiVersion: v1
    kind: Namespace
    metadata:
      name: shop
    ---
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: settings
      namespace: shop
    data:
      color: blue
  YAML
  )
}

# ["v1/Namespace/shop", "v1/ConfigMap/shop/settings"]
output "feed_keys" {
  value = [for o in local.objects : provider::clusternet::feed_key(o)]
}

# One clusternet_manifest per object, keyed by feed key, for a subscription's `feeds`:
#
# resource "clusternet_manifest" "app" {
#   for_each = { for o in local.objects : provider::clusternet::feed_key(o) => o }
#   manifest = provider::clusternet::manifest_encode(each.value, "yaml")
# }
