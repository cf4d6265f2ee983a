# A Secret and the subscription that sends it, next to the rollout of main.tf. Its `feed` is
# sensitive, and Terraform records sensitivity from the configuration's references, which an
# import cannot: the first plan after importing `secrets` updates it in place without
# changing a value (see docs/adr/0006).

resource "clusternet_secret" "credentials" {
  manifest = jsonencode({
    apiVersion = "v1"
    kind       = "Secret"
    metadata   = { name = "credentials", namespace = var.ns }
  })
  secret_data = { password = "s3cret-import" }
}

resource "clusternet_subscription" "secrets" {
  name      = "secrets"
  namespace = var.ns

  subscriber {
    cluster_affinity {
      match_expressions {
        key      = "region"
        operator = "In"
        values   = ["eu", "us"]
      }
    }
  }

  feeds = [clusternet_secret.credentials.feed]

  # The namespace comes with the app's subscription.
  depends_on = [clusternet_subscription.app]
}
