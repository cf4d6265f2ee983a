# Render offline what Clusternet would deploy: a Deployment divided 1:2 between two clusters,
# with a Localization raising the image tag on one of them. No hub, no cluster.
data "clusternet_render" "web" {
  cluster {
    name   = "eu-1"
    labels = { region = "eu", size = "small" }
  }
  cluster {
    name   = "eu-2"
    labels = { region = "eu", size = "large" }
  }

  objects = [
    yamlencode({
      apiVersion = "apps/v1"
      kind       = "Deployment"
      metadata   = { name = "web", namespace = "shop" }
      spec = {
        replicas = 6
        selector = { matchLabels = { app = "web" } }
        template = {
          metadata = { labels = { app = "web" } }
          spec     = { containers = [{ name = "web", image = "nginx:1.27" }] }
        }
      }
    }),
    yamlencode({
      apiVersion = "apps.clusternet.io/v1alpha1"
      kind       = "Subscription"
      metadata   = { name = "web", namespace = "shop" }
      spec = {
        schedulingStrategy = "Dividing"
        dividingScheduling = { type = "Static" }
        subscribers = [
          { clusterAffinity = { matchLabels = { size = "small" } }, weight = 1 },
          { clusterAffinity = { matchLabels = { size = "large" } }, weight = 2 },
        ]
        feeds = [{ apiVersion = "apps/v1", kind = "Deployment", name = "web", namespace = "shop" }]
      }
    }),
    yamlencode({
      apiVersion = "apps.clusternet.io/v1alpha1"
      kind       = "Localization"
      metadata   = { name = "web-canary", namespace = "clusternet-eu-2" }
      spec = {
        priority       = 500
        overridePolicy = "ApplyNow"
        feed           = { apiVersion = "apps/v1", kind = "Deployment", name = "web", namespace = "shop" }
        overrides = [{
          name  = "canary-image"
          type  = "JSONPatch"
          value = jsonencode([{ op = "replace", path = "/spec/template/spec/containers/0/image", value = "nginx:1.28" }])
        }]
      }
    }),
  ]
}

output "web_on_eu_2" {
  value = jsondecode(data.clusternet_render.web.subscriptions["shop/web"].descriptions["eu-2/apps/v1/Deployment/shop/web"])
}

output "replicas" {
  value = data.clusternet_render.web.subscriptions["shop/web"].replicas
}
