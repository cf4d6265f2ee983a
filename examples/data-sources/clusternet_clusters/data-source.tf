# Every cluster the provider knows.
data "clusternet_clusters" "all" {}

# The clusters a subscriber with this selector would select.
data "clusternet_clusters" "prod_eu" {
  selector {
    match_labels = { env = "prod" }
    match_expressions {
      key      = "region"
      operator = "In"
      values   = ["eu"]
    }
  }
}

output "prod_eu_clusters" {
  value = data.clusternet_clusters.prod_eu.names
}

output "directory_targets" {
  value = [for c in data.clusternet_clusters.all.clusters : c.name if c.target == "directory"]
}

# With a hub, clusters registered there (ManagedClusters) are listed too; `source` says
# where each comes from: "config", "hub" or "config+hub".
output "registered_on_the_hub_only" {
  value = [for c in data.clusternet_clusters.all.clusters : c.name if c.source == "hub"]
}
