//! The Terraform plugin protocol, version 6: handshake, AutoMTLS, gRPC services and the
//! DynamicValue codec. Knows nothing of Kubernetes.

pub mod value;
