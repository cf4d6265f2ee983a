resource "clusternet_manifest" "settings" {
  manifest = yamlencode({
    apiVersion = "v1"
    kind       = "ConfigMap"
    metadata   = { name = "settings", namespace = "web" }
    data       = { greeting = "hello", log_level = "info" }
  })
}

# Overrides of one feed for one cluster (in its dedicated namespace on the hub).
resource "clusternet_localization" "eu_greeting" {
  name     = "eu-greeting"
  cluster  = "eu-1"
  feed     = clusternet_manifest.settings.id
  priority = 600 # higher priorities apply later, so they win

  override {
    name  = "greeting"
    type  = "JSONPatch"
    value = jsonencode([{ op = "replace", path = "/data/greeting", value = "hallo" }])
  }
  override {
    name  = "debug"
    type  = "MergePatch"
    value = jsonencode({ data = { log_level = "debug" } })
  }
}

# Pass the ref to the subscription: the change then shows in its plan, for eu-1 only.
resource "clusternet_subscription" "web" {
  name = "web"
  subscriber {
    cluster_affinity {
      match_labels = { env = "prod" }
    }
  }
  feeds     = [clusternet_manifest.settings.feed]
  overrides = [clusternet_localization.eu_greeting.ref]
}
