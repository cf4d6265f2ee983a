# A Localization on the hub, by <namespace>/<name>; the namespace is the cluster's dedicated
# namespace, which must belong to a cluster of the provider's `clusters` (it gives
# `cluster`). The provider configuration needs `hub`. `feed` is imported as the feed's value
# (as clusternet_manifest.<x>.feed gives it) when its Manifest is on the hub, else as its key.
terraform import clusternet_localization.eu_greeting clusternet-eu-1/eu-greeting
