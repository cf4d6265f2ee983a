# A HelmChart on the hub, by <namespace>/<name>. The provider configuration needs `hub`.
#
# `values` comes from the chart's values Globalization on the hub
# (<namespace>-<name>-default-values, which the provider writes next to the HelmChart) as
# compact JSON; YAML describing the same values plans no change. Options the HelmChart CRD
# defaults (namespace, create_namespace, timeout_seconds) plan no change whether the
# configuration writes them or not.
terraform import clusternet_helm_chart.greeter default/greeter
