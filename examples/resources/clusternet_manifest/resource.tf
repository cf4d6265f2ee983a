# Any Kubernetes object, as YAML or JSON, is a feed.
resource "clusternet_manifest" "settings" {
  manifest = <<-YAML
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: settings
      namespace: web
    data:
      log_level: info
  YAML
}

# yamlencode keeps HCL values and interpolation.
resource "clusternet_manifest" "frontend" {
  manifest = yamlencode({
    apiVersion = "apps/v1"
    kind       = "Deployment"
    metadata   = { name = "frontend", namespace = "web" }
    spec = {
      replicas = 3
      selector = { matchLabels = { app = "frontend" } }
      template = {
        metadata = { labels = { app = "frontend" } }
        spec     = { containers = [{ name = "web", image = "nginx:1.27" }] }
      }
    }
  })
}

# Secret values go in the sensitive secret_data: plans show a stable hash, never the value.
variable "api_key" {
  type      = string
  sensitive = true
  default   = "not-a-real-key"
}

resource "clusternet_manifest" "credentials" {
  manifest = yamlencode({
    apiVersion = "v1"
    kind       = "Secret"
    metadata   = { name = "credentials", namespace = "web" }
    type       = "Opaque"
  })
  secret_data = {
    api_key = var.api_key
  }
}
