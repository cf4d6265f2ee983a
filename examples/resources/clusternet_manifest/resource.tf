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
