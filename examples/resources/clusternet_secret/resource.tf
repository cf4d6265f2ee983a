# A Secret as a feed. The manifest holds everything but the values; the values go in the
# sensitive secret_data, base64-encoded by the provider. Subscription plans show a marker per
# value (a hash keyed with the subscription's sensitive secret_marker_key), never the value,
# and `feed` is sensitive.
variable "api_key" {
  type      = string
  sensitive = true
  default   = "not-a-real-key"
}

resource "clusternet_secret" "credentials" {
  manifest = yamlencode({
    apiVersion = "v1"
    kind       = "Secret"
    metadata   = { name = "credentials", namespace = "web" }
    type       = "Opaque"
  })
  secret_data = {
    api_key = var.api_key
  }
  # Binary values, base64-encoded, e.g. a keystore:
  # secret_binary_data = { "store.p12" = filebase64("${path.module}/store.p12") }
}
