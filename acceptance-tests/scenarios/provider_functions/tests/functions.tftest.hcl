run "divides_as_clusternet_does" {
  command = plan

  assert {
    condition     = output.split == tomap({ "eu-1" = 2, "us-1" = 4 })
    error_message = "6 replicas 1:2 should be 2 and 4, got ${jsonencode(output.split)}"
  }

  assert {
    condition     = output.feed_keys == ["v1/Namespace/shop", "apps/v1/Deployment/shop/web"]
    error_message = "unexpected feed keys ${jsonencode(output.feed_keys)}"
  }

  assert {
    condition     = output.round_trip.metadata.name == "web"
    error_message = "manifest_encode then manifest_decode should give the object back"
  }
}

run "a_tie_goes_by_dedicated_namespace_and_name" {
  command = plan

  variables {
    replicas = 1
    weights  = { "a" = 1, "a-b" = 1 }
  }

  # clusternet-a-b/a-b sorts before clusternet-a/a, so a-b wins the tie; "a" keeps none, which
  # the validation refuses.
  expect_failures = [var.weights]
}

run "enough_replicas_for_every_cluster" {
  command = plan

  variables {
    replicas = 3
    weights  = { "a" = 1, "a-b" = 1, "b" = 1 }
  }

  assert {
    condition     = output.split == tomap({ "a" = 1, "a-b" = 1, "b" = 1 })
    error_message = "3 replicas over three equal clusters should be one each"
  }
}
