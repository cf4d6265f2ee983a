# A chart from an HTTP chart repository, pinned to a version.
resource "clusternet_helm_chart" "greeter" {
  name             = "greeter"
  namespace        = "default"
  repo             = "https://charts.example.com"
  chart            = "greeter"
  version          = "0.2.0"
  target_namespace = "greeter"

  # Helm options, as on Clusternet's HelmChart.
  create_namespace = true
  atomic           = true
  timeout_seconds  = 120

  # Chart default values: a priority-0 Helm override for every cluster. Any Localization or
  # Globalization of this chart wins over them.
  values = yamlencode({
    greeting = "hello"
    replicas = 1
  })
}

# A chart from an OCI registry (the chart is <repo>/<chart>), credentials from the hub.
resource "clusternet_helm_chart" "cache" {
  name             = "cache"
  repo             = "oci://registry.example.com/charts"
  chart            = "redis"
  version          = "19.0.1"
  target_namespace = "cache"

  chart_pull_secret {
    name      = "registry-credentials"
    namespace = "clusternet-system"
  }
}

# Values per cluster come from Helm overrides, like any Clusternet feed.
resource "clusternet_localization" "greeter_eu" {
  name    = "greeter-eu"
  cluster = "eu-1"
  feed    = "apps.clusternet.io/v1alpha1/HelmChart/${clusternet_helm_chart.greeter.id}"

  override {
    type  = "Helm"
    value = yamlencode({ greeting = "moin" })
  }
}
