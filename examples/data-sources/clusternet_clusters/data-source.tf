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
