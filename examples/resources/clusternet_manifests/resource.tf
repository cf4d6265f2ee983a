# A whole application as one resource: every object of a multi-document YAML stream is a feed.
resource "clusternet_manifests" "app" {
  manifests = <<-YAML
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: settings
      namespace: web
    data:
      log_level: info
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: frontend
      namespace: web
    spec:
      replicas: 3
      selector:
        matchLabels: { app: frontend }
      template:
        metadata:
          labels: { app: frontend }
        spec:
          containers:
            - { name: web, image: "nginx:1.27" }
  YAML
}

# A file, or kustomize output through data "external", works the same way:
#   manifests = file("${path.module}/app.yaml")

resource "clusternet_subscription" "app" {
  name      = "app"
  namespace = "web"
  subscriber {
    cluster_affinity {
      match_labels = { env = "prod" }
    }
  }
  feeds = clusternet_manifests.app.feeds
}
