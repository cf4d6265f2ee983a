//! Talking to clusters: hub and child clients, server-side apply, ordering, pruning,
//! drift reading and the Helm CLI wrapper. Knows nothing of Terraform.

pub mod kubeconfig;
