//! The Terraform plugin protocol, version 6: handshake, AutoMTLS, gRPC services and the
//! DynamicValue codec. Knows nothing of Kubernetes.
//!
//! Layers, from the wire up: [`proto`] (generated), [`handshake`], [`tls`] and [`listener`]
//! (go-plugin's transport), [`value`] (the DynamicValue codec), [`schema`] and [`diagnostics`]
//! and [`function`] (what a provider declares and reports), [`provider`] (the trait a provider implements),
//! [`grpc`] (the adapter between the two) and [`server`] (the process's life).

pub mod diagnostics;
pub mod function;
pub mod grpc;
pub mod handshake;
pub mod listener;
pub mod logging;
pub mod proto;
pub mod provider;
pub mod schema;
pub mod server;
pub mod tls;
pub mod value;

pub use diagnostics::{Diagnostic, Diagnostics, Severity};
pub use function::{FunctionDeclaration, FunctionError, Parameter};
pub use provider::Provider;
pub use schema::{
    Attribute, Block, BlockNesting, NestedBlock, ObjectNesting, ProviderSchemas, Schema,
};
pub use value::{AttributePath, Type, Value};
