# 6 replicas divided 1:2 between two clusters, as a Dividing subscription with these
# subscriber weights divides them: { "eu-1" = 2, "us-1" = 4 }.
output "replicas_per_cluster" {
  value = provider::clusternet::divide(6, { "eu-1" = 1, "us-1" = 2 })
}

# A module can check its inputs before anything is planned: every cluster keeps a replica.
variable "weights" {
  type    = map(number)
  default = { "eu-1" = 1, "eu-2" = 1, "us-1" = 4 }
}

output "every_cluster_serves" {
  value = alltrue([for n in values(provider::clusternet::divide(6, var.weights)) : n > 0])
}
