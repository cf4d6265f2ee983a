//! Generated gRPC code for the wire protocols, from `proto/*.proto`.
#![allow(missing_docs, clippy::all, clippy::pedantic)]

/// Terraform's plugin protocol 6 (`tfplugin6`).
pub mod tfplugin6 {
    tonic::include_proto!("tfplugin6");
}

/// go-plugin's host-facing services (`plugin`).
pub mod plugin {
    tonic::include_proto!("plugin");
}
