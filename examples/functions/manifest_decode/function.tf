locals {
  settings = provider::clusternet::manifest_decode(<<-YAML
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

# "blue"
output "color" {
  value = local.settings.data.color
}
