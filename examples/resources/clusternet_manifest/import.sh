# A feed stored on the hub (a Manifest in clusternet-reserved), by its feed key
# <apiVersion>/<Kind>/<namespace>/<name>, or <apiVersion>/<Kind>/<name> when cluster-scoped.
# The provider configuration needs `hub`.
#
# `manifest` is imported as compact JSON with sorted keys - exactly what jsonencode({...})
# writes - so a configuration written with jsonencode plans no change. A YAML heredoc or
# yamlencode holds the same object in other text: the first plan then shows a one-time
# textual update of `manifest` (the feed, and so every cluster's objects, stay the same).
# What the hub added is removed (the clusternet.io/created-by label, the uid); server
# defaults it stored stay (e.g. a Deployment's spec.replicas: 1 when none was written).
#
# Secrets: every `data` value that is text goes to `secret_data` (sensitive) decoded;
# binary values stay base64 in `manifest`.
terraform import clusternet_manifest.frontend apps/v1/Deployment/web/frontend
terraform import clusternet_manifest.credentials v1/Secret/web/credentials
