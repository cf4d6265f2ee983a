# A feed stored on the hub (a Manifest in clusternet-reserved), by its feed key
# <apiVersion>/<Kind>/<namespace>/<name>, or <apiVersion>/<Kind>/<name> when cluster-scoped.
# The provider configuration needs `hub`.
#
# `manifest` is imported as compact JSON with sorted keys - exactly what jsonencode({...})
# writes. A YAML heredoc or yamlencode describing the same object plans no change either:
# when the text describes the object the state holds, plan keeps the state's text.
# What the hub added is removed (the clusternet.io/created-by label, the uid); server
# defaults it stored stay (e.g. a Deployment's spec.replicas: 1 when none was written).
# Secrets are imported as clusternet_secret.
terraform import clusternet_manifest.frontend apps/v1/Deployment/web/frontend
