# `terraform test` (Terraform 1.6 or later) - no cluster, no hub: only the render.

run "replicas_follow_the_weights" {
  command = plan

  assert {
    condition     = output.replicas == { "eu-1" = 2, "eu-2" = 4 }
    error_message = "6 replicas with weights 1:2 must split 2:4, got ${jsonencode(output.replicas)}."
  }

  assert {
    condition     = output.binding_clusters == tolist(["eu-1", "eu-2"])
    error_message = "Both clusters must be bound."
  }
}

run "canary_image_on_one_cluster" {
  command = plan

  variables {
    canary_image = { "eu-2" = "nginx:1.28" }
  }

  assert {
    condition     = output.images == { "eu-1" = "nginx:1.27", "eu-2" = "nginx:1.28" }
    error_message = "Only eu-2 runs the canary image, got ${jsonencode(output.images)}."
  }

  assert {
    condition     = length(output.warnings) == 0
    error_message = "The canary patch must apply cleanly: ${jsonencode(output.warnings)}."
  }
}

run "a_weight_of_zero_gets_no_replicas" {
  command = plan

  variables {
    clusters = {
      "eu-1" = { labels = { region = "eu" }, weight = 1 }
      "eu-2" = { labels = { region = "eu" }, weight = 0 }
    }
  }

  assert {
    condition     = output.replicas["eu-2"] == 0 && output.replicas["eu-1"] == 6
    error_message = "A weight of 0 gets no replicas, got ${jsonencode(output.replicas)}."
  }
}
