# A Globalization on the hub, by <name> (Globalizations are cluster-scoped). The provider
# configuration needs `hub`. `feed` is imported as the feed's value (as
# clusternet_manifest.<x>.feed gives it) when its Manifest is on the hub, else as its key.
terraform import clusternet_globalization.prod_logging prod-logging
