# A Subscription on the hub, by <namespace>/<name>. The provider configuration needs `hub`.
# The state is rebuilt from the hub: strategy, subscribers, tolerations; `feeds` from the
# feeds' Manifests (each as clusternet_manifest.<x>.feed gives it); `overrides` from the
# Localizations and Globalizations this provider wrote for those feeds (Localizations first,
# each kind sorted by namespace and name); the computed attributes rendered as plan renders
# them, then read back from the clusters. Import the feeds and overrides too.
#
# Feeds are sensitive, so the first plan after `terraform import` updates the subscription
# in place without changing a value ("The value is unchanged"): Terraform records which
# values are sensitive, which an imported state cannot carry. Apply it once; nothing is
# redeployed differently.
terraform import clusternet_subscription.everywhere default/web-everywhere
