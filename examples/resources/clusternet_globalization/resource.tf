resource "clusternet_manifest" "settings" {
  manifest = yamlencode({
    apiVersion = "v1"
    kind       = "ConfigMap"
    metadata   = { name = "settings", namespace = "web" }
    data       = { log_level = "info" }
  })
}

# Overrides of one feed for a labelled group of clusters (every cluster without
# cluster_affinity). Globalizations apply before Localizations.
resource "clusternet_globalization" "prod_logging" {
  name = "prod-logging"
  feed = clusternet_manifest.settings.id

  cluster_affinity {
    match_labels = { env = "prod" }
  }

  priority        = 100
  override_policy = "ApplyNow"

  override {
    type  = "MergePatch"
    value = jsonencode({ data = { log_level = "warn" } })
  }
}

resource "clusternet_subscription" "web" {
  name = "web"
  subscriber {
    cluster_affinity {}
  }
  feeds     = [clusternet_manifest.settings.feed]
  overrides = [clusternet_globalization.prod_logging.ref]
}
