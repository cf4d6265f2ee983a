# A Secret stored on the hub (a Manifest in clusternet-reserved), by its feed key
# v1/Secret/<namespace>/<name>. The provider configuration needs `hub`.
#
# Every `data` value that is text goes to `secret_data` (sensitive), decoded; binary values go
# to `secret_binary_data` (sensitive), base64. `manifest` keeps the rest, as the compact
# sorted-key JSON jsonencode writes, so no value lands in it.
#
# Terraform records which values are sensitive from the configuration's references, and an
# import cannot: the first plan after importing a subscription that takes this Secret's `feed`
# updates it in place without changing any value. Apply it once; nothing in the clusters
# changes.
terraform import clusternet_secret.credentials v1/Secret/web/credentials
